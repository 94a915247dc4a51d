import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type DiscordMessage, messageProblems } from '../../../src/adapters/discord/limits.ts';
import { renderReply } from '../../../src/adapters/discord/render.ts';
import type { Excerpt, OkReply, SourceRef } from '../../../src/core/reply.ts';

const pieces = [
  'word ',
  'Central Asia ',
  '*',
  '_',
  '~',
  '`',
  '|',
  '[',
  ']',
  '(',
  ')',
  '<@&456>',
  '@everyone',
  '\n',
  '# ',
  '😀',
  'é',
  '\\',
  '[6]',
];
const text = (maxPieces: number) => fc.array(fc.constantFrom(...pieces), { maxLength: maxPieces }).map((a) => a.join(''));
const longText = (maxPieces: number) =>
  fc.oneof(
    text(maxPieces),
    fc.nat({ max: 6000 }).map((n) => 'lorem ipsum '.repeat(n / 12 + 1)),
  );

const sourceArb = (n: number) =>
  fc.record({
    articleId: fc.constant('a'),
    n: fc.constant(n),
    title: longText(80).map((t) => t || `Title ${n}`),
    outlet: text(30),
    url: fc.option(
      fc.nat({ max: 500 }).map((len) => `https://example.com/${'p'.repeat(len)}`),
      { nil: undefined },
    ),
    accessed: fc.option(fc.constant('2025-05-23'), { nil: undefined }),
    author: fc.option(text(20), { nil: undefined }),
  });

const replyArb = fc
  .record({
    title: longText(100),
    text: fc.option(longText(400), { nil: undefined }),
    footer: fc.option(longText(200), { nil: undefined }),
    sourceCount: fc.nat({ max: 30 }),
    excerpts: fc.array(
      fc.record({
        text: longText(1500).map((t) => t || 'x'),
        citations: fc.array(fc.integer({ min: 1, max: 30 }), { maxLength: 30 }),
        highlights: fc.array(fc.tuple(fc.nat({ max: 6000 }), fc.nat({ max: 60 })), { maxLength: 10 }),
      }),
      { maxLength: 14 },
    ),
    items: fc.array(fc.record({ label: fc.option(text(10), { nil: undefined }), text: longText(200) }), { maxLength: 40 }),
  })
  .chain((r) =>
    fc.tuple(fc.constant(r), fc.tuple(...Array.from({ length: r.sourceCount }, (_, i) => sourceArb(i + 1)))).map(([r, sources]) => {
      const excerpts: Excerpt[] = r.excerpts.map((e, i) => ({
        articleId: 'a',
        passageId: `a#p${i}`,
        text: e.text,
        passageText: e.text,
        citations: [...new Set(e.citations)],
        highlights: e.highlights.map(([s, len]) => [s, s + len] as [number, number]),
        label: `X${i}Q`,
      }));
      const reply: OkReply = {
        ok: true,
        command: 'ask',
        title: r.title,
        excerpts,
        sources: sources as SourceRef[],
        items: r.items.map((it) => (it.label === undefined ? { text: it.text } : { label: it.label, text: it.text })),
        visibility: 'private',
        ...(r.text ? { text: r.text } : {}),
        ...(r.footer ? { footer: r.footer } : {}),
      };
      return reply;
    }),
  );

function strings(message: DiscordMessage): string[] {
  return message.embeds.flatMap((e) => [e.title ?? '', e.description ?? '', ...(e.fields ?? []).flatMap((f) => [f.name, f.value])]);
}

function messageWith(messages: DiscordMessage[], marker: string): number[] {
  return messages.flatMap((m, i) => (m.embeds.some((e) => e.description?.includes(marker)) ? [i] : []));
}

describe('splitting long answers into Discord messages', () => {
  it('keeps every message within every Discord limit', () => {
    fc.assert(
      fc.property(replyArb, (reply) => {
        for (const message of renderReply(reply)) expect(messageProblems(message)).toEqual([]);
      }),
      { numRuns: 150 },
    );
  });

  it('never separates an excerpt from the sources it cites, and keeps excerpts in order', () => {
    fc.assert(
      fc.property(replyArb, (reply) => {
        const messages = renderReply(reply);
        let previous = -1;
        reply.excerpts.forEach((excerpt, i) => {
          const where = messageWith(messages, `**X${i}Q**`);
          expect(where).toHaveLength(1);
          const at = where[0] as number;
          expect(at).toBeGreaterThanOrEqual(previous);
          previous = at;
          const names = messages[at]?.embeds.flatMap((e) => (e.fields ?? []).map((f) => f.name)) ?? [];
          const cited = excerpt.citations.filter((n) => reply.sources.some((s) => s.n === n)).slice(0, 25);
          for (const n of cited) expect(names.some((name) => name.startsWith(`\\[${n}\\]`))).toBe(true);
        });
      }),
      { numRuns: 150 },
    );
  });

  it('never lets article text mention anyone, whatever the split', () => {
    fc.assert(
      fc.property(replyArb, (reply) => {
        for (const s of renderReply(reply).flatMap(strings)) {
          expect(s).not.toMatch(/@everyone/);
          expect(s).not.toMatch(/(^|[^\\])<@/);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('splits a 30-excerpt answer across followups, numbering continuation titles', () => {
    const excerpt = (i: number): Excerpt => ({
      articleId: 'a',
      passageId: `a#p${i}`,
      text: `Passage ${i} `.repeat(150),
      passageText: '',
      citations: [1],
      highlights: [],
    });
    const reply: OkReply = {
      ok: true,
      command: 'ask',
      title: 'Long answer',
      excerpts: Array.from({ length: 30 }, (_, i) => excerpt(i)),
      sources: [{ articleId: 'a', n: 1, title: 'A source', outlet: 'Reuters', url: 'https://www.reuters.com/x' }],
      visibility: 'private',
    };
    const messages = renderReply(reply);
    expect(messages.length).toBeGreaterThan(1);
    expect(messages[0]?.embeds[0]?.title).toBe('Long answer');
    expect(messages[1]?.embeds[0]?.title).toBe(`Long answer (2/${messages.length})`);
    for (const m of messages) expect(m.embeds.flatMap((e) => e.fields ?? []).map((f) => f.name)).toEqual(['\\[1\\] Reuters']);
  });
});
