import { describe, expect, it } from 'vitest';
import { COMMON_LEXICON, termOf } from '../../../src/core/search/analyze.ts';
import { articleLexicon } from '../../../src/core/search/documents.ts';
import { bestExcerpt, mergeRanges } from '../../../src/core/search/excerpt.ts';
import { normalizeWord } from '../../../src/core/search/text.ts';
import { bundled, pid } from './fixtures.ts';

const passage = (n: number) => bundled.passages.find((p) => p.id === pid(n))?.text as string;
const lexicon = articleLexicon(bundled);
/** Index terms of words as a question would produce them. */
const terms = (...words: string[]) => new Set(words.map((w) => termOf(normalizeWord(w))));
const marked = (e: { text: string; highlights: [number, number][] }) => e.highlights.map(([s, t]) => e.text.slice(s, t));

describe('bestExcerpt', () => {
  it('picks the sentence that matches the most question words and marks them', () => {
    const e = bestExcerpt(passage(5), terms('meet', 'May', '19', 'Wang', 'Yi'), lexicon);
    expect(e.text.startsWith('During a meeting on May 19, 2025, between Chinese Foreign Minister Wang Yi')).toBe(true);
    expect(marked(e)).toEqual(['meeting', 'May', '19', 'Wang', 'Yi']);
    expect(passage(5).slice(e.start, e.end)).toBe(e.text);
  });

  it('adds a neighbouring sentence that matches further words', () => {
    const e = bestExcerpt(passage(12), terms('Japarov', 'call', 'Bishkek'), lexicon);
    expect(e.text).toContain('Bishkek');
    expect(e.text).toContain('Calling for partnership');
  });

  it('marks numbers with their currency and percent signs', () => {
    const e = bestExcerpt(passage(4), new Set(['234']), lexicon);
    expect(marked(e)).toEqual(['$234']);
    const g = bestExcerpt(passage(7), new Set(['5.4']), lexicon);
    expect(marked(g)).toEqual(['5.4%']);
  });

  it('marks a whole long form when the question asked for its acronym', () => {
    const text = 'Members of the Association of Southeast Asian Nations met. Nothing else happened here today at all.';
    const e = bestExcerpt(text, new Set(['asean']), articleLexicon({ ...bundled, keyPoints: [], passages: bundled.passages.slice(1, 2) }));
    expect(marked(e)).toEqual(['Association of Southeast Asian Nations']);
  });

  it('shows the sentence with the footnote when only a cited source matched', () => {
    const e = bestExcerpt(passage(12), new Set(['zhaparov']), COMMON_LEXICON);
    expect(e.text).toContain('[9]');
    expect(e.highlights).toEqual([]);
  });

  it('keeps highlight ranges sorted, merged and inside the excerpt', () => {
    expect(
      mergeRanges([
        [5, 8],
        [0, 2],
        [7, 10],
      ]),
    ).toEqual([
      [0, 2],
      [5, 10],
    ]);
    const e = bestExcerpt(passage(14), new Set(['central', 'asia', 'europ', 'us']), lexicon);
    for (const [s, t] of e.highlights) {
      expect(s).toBeGreaterThanOrEqual(0);
      expect(t).toBeLessThanOrEqual(e.text.length);
      expect(s).toBeLessThan(t);
    }
  });
});
