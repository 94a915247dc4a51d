import { describe, expect, it } from 'vitest';
import type { Article } from '../../src/core/article.ts';
import {
  chooseDigest,
  composeDigest,
  emptyDigest,
  extractiveSummary,
  FIRST_DIGEST_SIZE,
  MAX_DIGEST_BRIEFINGS,
  sentences,
} from '../../src/core/digest.ts';
import type { LibraryEntry } from '../../src/core/library.ts';
import { articleFromFile, BUNDLED_FILE } from '../helpers/library.ts';
import { renamed } from '../scheduler/helpers.ts';

const bundled = articleFromFile(BUNDLED_FILE);
const entry = (article: Article, addedAt: string): LibraryEntry => ({ article, meta: { addedAt, origin: 'registered' } });
const many = (n: number) =>
  Array.from({ length: n }, (_, i) =>
    entry(renamed(bundled, `b${i}`, `Briefing ${i}`), new Date(Date.UTC(2025, 5, 1, 0, n - i)).toISOString()),
  );

describe('choosing what a digest lists', () => {
  it("a channel's first digest lists the newest few briefings", () => {
    const choice = chooseDigest(many(5), undefined, new Date('2025-06-02T00:00:00Z'));
    expect(choice).toEqual({
      articleIds: ['b0', 'b1', 'b2'].slice(0, FIRST_DIGEST_SIZE),
      omitted: 0,
      cutoff: '2025-06-02T00:00:00.000Z',
      first: true,
    });
  });

  it('later digests list only briefings added after the previous cutoff and not listed before', () => {
    const entries = many(4);
    const previous = { cutoff: entries[2]!.meta.addedAt, articleIds: ['b1'] };
    expect(chooseDigest(entries, previous, new Date('2025-06-02T00:00:00Z')).articleIds).toEqual(['b0']);
  });

  it('briefings added after "now" wait for the next digest', () => {
    const entries = [entry(renamed(bundled, 'later', 'Later'), '2025-06-03T00:00:00.000Z')];
    expect(
      chooseDigest(entries, { cutoff: '2025-06-01T00:00:00.000Z', articleIds: [] }, new Date('2025-06-02T00:00:00Z')).articleIds,
    ).toEqual([]);
  });

  it('too many new briefings are capped and the rest counted', () => {
    const choice = chooseDigest(many(14), { cutoff: '2025-01-01T00:00:00.000Z', articleIds: [] }, new Date('2025-06-02T00:00:00Z'));
    expect(choice.articleIds).toHaveLength(MAX_DIGEST_BRIEFINGS);
    expect(choice.omitted).toBe(14 - MAX_DIGEST_BRIEFINGS);
    const reply = composeDigest({ articles: choice.articleIds.map((id) => renamed(bundled, id, id)), omitted: choice.omitted });
    expect(reply.title).toBe('Briefing digest: 14 new briefings');
    expect(reply.items).toEqual([{ text: '…and 4 more new briefings: see /articles' }]);
  });
});

describe('composing the digest reply', () => {
  it('lists the bundled briefing with title, author, its key points, scenario names and how to ask more', () => {
    const reply = composeDigest({ articles: [bundled], first: true });
    expect(reply).toMatchObject({ ok: true, command: 'digest', title: 'Briefing digest: the latest briefing', visibility: 'public' });
    const [excerpt] = reply.excerpts;
    expect(excerpt?.label).toBe(bundled.title);
    expect(excerpt?.text.split('\n')).toEqual([
      'By Ergün Mamedov',
      ...bundled.keyPoints.map((p) => `• ${p}`),
      'Scenarios: First scenario: ASEAN; Second scenario: Central Asia',
      `Ask more: /brief ${bundled.id}`,
    ]);
    expect(reply.actions).toEqual([
      {
        type: 'run',
        label: 'Brief: Central Asia and Southeast Asia in China’s “Counter-Balanci…',
        invoke: { command: 'brief', options: { article: bundled.id } },
      },
    ]);
  });

  it('shows the date next to the author when the briefing has one', () => {
    const reply = composeDigest({ articles: [{ ...bundled, date: '2025-05-21' }] });
    expect(reply.excerpts[0]?.text.split('\n')[0]).toBe('By Ergün Mamedov · 2025-05-21');
  });

  it('a briefing without key points gets a 2-3 sentence extractive summary that keeps its footnote numbers', () => {
    const cited = bundled.passages.find((p) => p.citations.length)!;
    const article: Article = { ...bundled, keyPoints: [], passages: [{ ...cited, section: 'introduction' }] };
    const summary = extractiveSummary(article);
    const count = sentences(summary.text).length;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(3);
    expect(summary.text.startsWith(sentences(cited.text)[0]!)).toBe(true);

    const withNote: Article = {
      ...bundled,
      keyPoints: [],
      passages: [
        {
          ...cited,
          section: 'introduction',
          text: 'Trade reached $234 billion.[1] ASEAN became the largest partner.[2] More followed. And more.',
        },
      ],
    };
    expect(extractiveSummary(withNote)).toEqual({
      text: 'Trade reached $234 billion.[1] ASEAN became the largest partner.[2] More followed.',
      citations: [1, 2],
    });
    const reply = composeDigest({ articles: [withNote] });
    expect(reply.excerpts[0]?.citations).toEqual([1, 2]);
    expect(reply.excerpts[0]?.text).toContain('Trade reached $234 billion.[1]');
  });

  it('splits sentences at their ends, keeping footnote markers and quotes with the sentence', () => {
    expect(sentences('It grew.[1][2] “Solidarity” was revived [3]. 2025 was key! Fine')).toEqual([
      'It grew.[1][2]',
      '“Solidarity” was revived [3].',
      '2025 was key!',
      'Fine',
    ]);
  });

  it('the empty note says nothing was added', () => {
    expect(emptyDigest('2025-06-01T06:00:00.000Z')).toMatchObject({
      title: 'Briefing digest: nothing new',
      text: 'No briefings were added since the last digest (2025-06-01 06:00 UTC).',
      visibility: 'public',
    });
  });
});
