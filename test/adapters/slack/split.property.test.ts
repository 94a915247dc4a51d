import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SLACK_LIMITS, type SlackBlock, type SlackLimits, type SlackMessage } from '../../../src/adapters/slack/block-types.ts';
import { renderReply } from '../../../src/adapters/slack/blocks.ts';
import type { Excerpt, OkReply, SourceRef } from '../../../src/core/reply.ts';

const unit = fc.constantFrom(
  'a',
  'b',
  'c',
  'd',
  'e',
  ' ',
  ' ',
  '\n',
  '&',
  '<',
  '>',
  '*',
  '_',
  '~',
  '`',
  '"',
  '\\',
  '[',
  ']',
  '6',
  'é',
  '😀',
  '!',
  '@',
  '|',
);
const text = (maxLength: number) => fc.string({ unit, maxLength, size: maxLength > 1000 ? 'max' : 'medium' });

const excerptArb = (articles: string[]) =>
  fc
    .record({
      articleId: fc.constantFrom(...articles),
      text: fc.oneof(text(300), text(4000), text(9000)),
      citations: fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 5 }),
      label: fc.option(text(120), { nil: undefined }),
      ranges: fc.array(fc.tuple(fc.nat(9000), fc.nat(40)), { maxLength: 30, size: 'medium' }),
    })
    .map(
      ({ articleId, text: t, citations, label, ranges }, i = 0): Excerpt => ({
        articleId,
        passageId: `${articleId}#p${i + 1}`,
        text: t,
        passageText: t,
        citations,
        highlights: ranges.map(([s, len]) => [s, s + len] as [number, number]),
        ...(label !== undefined ? { label } : {}),
      }),
    );

const sourceArb = (articleId: string, n: number) =>
  fc
    .record({
      title: text(200).map((t) => t || 'Untitled'),
      outlet: text(60),
      url: fc.option(fc.oneof(fc.webUrl(), fc.constant('https://evil.example/|<!channel>'), fc.constant('javascript:alert(1)')), {
        nil: undefined,
      }),
      accessed: fc.option(fc.constant('2025-05-23'), { nil: undefined }),
    })
    .map(
      (s): SourceRef => ({
        articleId,
        n,
        title: s.title,
        outlet: s.outlet,
        ...(s.url ? { url: s.url } : {}),
        ...(s.accessed ? { accessed: s.accessed } : {}),
      }),
    );

const replyArb: fc.Arbitrary<OkReply> = fc
  .record({
    title: text(300).map((t) => t || 'Title'),
    lead: fc.option(text(5000), { nil: undefined }),
    excerpts: fc.array(excerptArb(['alpha', 'beta']), { maxLength: 12, size: 'medium' }),
    sources: fc.tuple(...[1, 2, 3, 4, 5, 6, 7, 8].map((n) => fc.option(sourceArb(n % 2 ? 'alpha' : 'beta', n), { nil: undefined }))),
    extraSources: fc.array(
      fc.integer({ min: 1, max: 8 }).chain((n) => sourceArb('alpha', n)),
      { maxLength: 3 },
    ),
    items: fc.option(
      fc.array(fc.record({ label: fc.option(text(40), { nil: undefined }), text: text(600) }), { maxLength: 40, size: 'medium' }),
      { nil: undefined },
    ),
    footer: fc.option(text(400), { nil: undefined }),
    buttons: fc.array(text(100), { maxLength: 30 }),
  })
  .map(({ title, lead, excerpts, sources, extraSources, items, footer, buttons }) => {
    const all = [...sources.filter((s): s is SourceRef => s !== undefined), ...extraSources];
    const unique = [...new Map(all.map((s) => [`${s.articleId}#${s.n}`, s])).values()];
    return {
      ok: true,
      command: 'ask',
      title,
      ...(lead ? { text: lead } : {}),
      excerpts: excerpts.map((e, i) => ({ ...e, passageId: `${e.articleId}#p${i + 1}` })),
      sources: unique,
      ...(items ? { items: items.map((it) => ({ text: it.text, ...(it.label ? { label: it.label } : {}) })) } : {}),
      ...(footer ? { footer } : {}),
      actions: [
        { type: 'share', label: 'Share in channel' },
        ...buttons.map((label, i) => ({ type: 'run' as const, label, invoke: { command: 'source', options: { n: i + 1 } } })),
      ],
      visibility: 'private',
    } satisfies OkReply;
  });

function sectionsOf(message: SlackMessage): Extract<SlackBlock, { type: 'section' }>[] {
  return message.blocks.filter((b): b is Extract<SlackBlock, { type: 'section' }> => b.type === 'section');
}

function assertWithinLimits(messages: SlackMessage[], limits: SlackLimits): void {
  expect(messages.length).toBeGreaterThan(0);
  for (const m of messages) {
    expect(m.blocks.length).toBeLessThanOrEqual(limits.blocks);
    expect(JSON.stringify(m.blocks).length).toBeLessThanOrEqual(limits.messageChars);
    const ids = m.blocks.map((b) => b.block_id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const b of m.blocks) {
      if (b.type === 'section') expect(b.text.text.length).toBeLessThanOrEqual(limits.sectionChars);
      if (b.type === 'header') expect(b.text.text.length).toBeLessThanOrEqual(150);
      if (b.type === 'context') for (const e of b.elements) expect(e.text.length).toBeLessThanOrEqual(3000);
      if (b.type === 'actions') {
        expect(b.elements.length).toBeLessThanOrEqual(25);
        for (const e of b.elements) {
          expect(e.text.text.length).toBeLessThanOrEqual(75);
          expect((e.value ?? '').length).toBeLessThanOrEqual(2000);
        }
      }
    }
    // Article text can never open a mention, a link or a special command.
    for (const s of sectionsOf(m)) expect(s.text.text).not.toMatch(/[<>]/);
    expect(m.text).not.toMatch(/[<>]/);
  }
}

const LOOK_BACK: Record<string, string> = { '\u2217': '*', '\u02cd': '_', '\u223c': '~', '\u02cb': '`' };
const unrender = (s: string) =>
  s
    .replace(/\*/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&')
    .replace(/[\u2217\u02cd\u223c\u02cb]/g, (c) => LOOK_BACK[c] as string)
    .replace(/\s+/g, '');

function assertExcerptsKeptWhole(reply: OkReply, messages: SlackMessage[], limits: SlackLimits): void {
  const sourceSize = new Map(
    messages.flatMap((m) =>
      m.blocks.filter((b) => b.block_id?.startsWith('source-')).map((b) => [b.block_id as string, JSON.stringify(b).length] as const),
    ),
  );
  reply.excerpts.forEach((excerpt, i) => {
    const prefix = `excerpt-${i}-`;
    const holding = messages.filter((m) => m.blocks.some((b) => b.block_id?.startsWith(prefix)));
    expect(holding.length, `excerpt ${i} is rendered`).toBeGreaterThan(0);
    // The excerpt's pieces, in order and complete.
    const pieces = holding.flatMap((m) => sectionsOf(m).filter((b) => b.block_id?.startsWith(prefix)));
    expect(pieces.map((b) => b.block_id)).toEqual(pieces.map((_, k) => `${prefix}${k}`));
    let rendered = pieces.map((b) => b.text.text).join(' ');
    if (excerpt.label?.trim()) rendered = rendered.slice(rendered.indexOf('\n') + 1);
    const original = excerpt.text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '').replace(/\s+/g, '');
    expect(unrender(rendered).startsWith(original)).toBe(true);
    // Its footnotes travel with every piece, whenever they can fit beside one piece.
    const cited = [...new Set(excerpt.citations)]
      .filter((n) => reply.sources.some((s) => s.articleId === excerpt.articleId && s.n === n))
      .map((n) => `source-${excerpt.articleId}-${n}`);
    const need = cited.reduce((sum, id) => sum + (sourceSize.get(id) ?? 0) + 1, 0);
    if (need + 2000 > limits.messageChars || cited.length + 3 > limits.blocks) return;
    for (const m of holding) {
      const ids = new Set(m.blocks.map((b) => b.block_id));
      for (const id of cited) expect(ids.has(id), `${id} beside excerpt ${i}`).toBe(true);
    }
  });
}

describe('splitting replies into Slack messages', () => {
  it('keeps every message within Slack limits and every excerpt with its footnotes', () => {
    fc.assert(
      fc.property(replyArb, (reply) => {
        const messages = renderReply(reply, { shareValue: '{"c":"ask","o":{}}', encodeRun: (inv) => JSON.stringify(inv) });
        assertWithinLimits(messages, SLACK_LIMITS);
        assertExcerptsKeptWhole(reply, messages, SLACK_LIMITS);
      }),
      { numRuns: 150 },
    );
  });

  it('holds under much tighter limits, which force many splits', () => {
    const limits: SlackLimits = { sectionChars: 1200, blocks: 9, messageChars: 6000 };
    fc.assert(
      fc.property(replyArb, (reply) => {
        const messages = renderReply(reply, { shareValue: 'x', encodeRun: () => 'y', limits });
        assertWithinLimits(messages, limits);
        assertExcerptsKeptWhole(reply, messages, limits);
      }),
      { numRuns: 100 },
    );
  });

  it('numbers continuation messages and cuts at the message cap saying so', () => {
    const long: OkReply = {
      ok: true,
      command: 'articles',
      title: 'Every briefing',
      excerpts: [],
      sources: [],
      items: Array.from({ length: 400 }, (_, i) => ({
        label: `briefing-${i}`,
        text: 'A briefing about ports and pipelines in the Gulf region.'.repeat(3),
      })),
      visibility: 'private',
    };
    const all = renderReply(long);
    expect(all.length).toBeGreaterThan(3);
    const cut = renderReply(long, { maxMessages: 3 });
    expect(cut).toHaveLength(3);
    const marker = cut[2]?.blocks[0];
    expect(marker?.type === 'context' && marker.elements[0]?.text).toContain(
      `continued, 3/${all.length}; the remaining ${all.length - 3} parts were cut`,
    );
    expect(cut[1]?.text).toContain(`(continued, 2/${all.length})`);
  });
});
