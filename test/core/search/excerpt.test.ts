import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.ts';
import { COMMON_LEXICON, type Lexicon, termOf } from '../../../src/core/search/analyze.ts';
import { articleLexicon } from '../../../src/core/search/documents.ts';
import { bestExcerpt, type ExcerptText, matchSpans, mergeRanges } from '../../../src/core/search/excerpt.ts';
import { splitSentences } from '../../../src/core/search/sentences.ts';
import { normalizeWord, tokenize } from '../../../src/core/search/text.ts';
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

  it('chooses exactly as the straightforward version did (matches filtered per sentence)', () => {
    const texts = [
      ...bundled.passages.map((p) => p.text),
      ...generateCorpus({ articles: 6, seed: 9 }).flatMap((a) => a.passages.map((p) => p.text)),
    ];
    fc.assert(
      fc.property(fc.nat(texts.length - 1), fc.array(fc.nat(), { maxLength: 6 }), fc.boolean(), (t, picks, foreign) => {
        const text = texts[t] as string;
        const words = tokenize(text).map((w) => w.norm);
        const chosen = picks.map((i) => termOf(words[i % Math.max(1, words.length)] ?? 'china'));
        const set = new Set(foreign ? [...chosen, 'zzyzx', 'us'] : chosen);
        expect(bestExcerpt(text, set, lexicon)).toEqual(referenceBestExcerpt(text, set, lexicon));
      }),
      { numRuns: 600 },
    );
  });
});

/** bestExcerpt as it was before sentence statistics were gathered in one sweep (same limits). */
const MAX_EXCERPT = 600;
const SHORT_SENTENCE = 90;
function referenceBestExcerpt(text: string, terms: ReadonlySet<string>, lexicon: Lexicon): ExcerptText {
  const sentences = splitSentences(text);
  const matches = matchSpans(text, terms, lexicon);
  if (sentences.length === 0) return { text, start: 0, end: text.length, highlights: [] };
  const inSentence = (s: [number, number]) => matches.filter((m) => m.start >= s[0] && m.end <= s[1]);
  const stats = sentences.map((s) => {
    const ms = inSentence(s);
    return { distinct: new Set(ms.map((m) => m.term)), count: ms.length };
  });
  // With no match in the text itself (the question matched a cited source), show the sentence
  // carrying the first footnote marker.
  const marker = matches.length === 0 ? /\[\d{1,4}\]/.exec(text) : null;
  let best = marker
    ? Math.max(
        0,
        sentences.findIndex((s) => marker.index >= s[0] && marker.index < s[1]),
      )
    : 0;
  for (let i = 1; i < sentences.length && !marker; i++) {
    const a = stats[i] as (typeof stats)[number];
    const b = stats[best] as (typeof stats)[number];
    if (a.distinct.size > b.distinct.size || (a.distinct.size === b.distinct.size && a.count > b.count)) best = i;
  }
  let [start, end] = sentences[best] as [number, number];
  const adds = (i: number): number => {
    const st = stats[i];
    if (!st) return 0;
    let n = 0;
    for (const t of st.distinct) if (!(stats[best] as (typeof stats)[number]).distinct.has(t)) n++;
    return n;
  };
  const next = sentences[best + 1];
  const prev = sentences[best - 1];
  const fits = (s: [number, number] | undefined): s is [number, number] =>
    !!s && Math.max(end, s[1]) - Math.min(start, s[0]) <= MAX_EXCERPT;
  if (fits(next) && adds(best + 1) > 0) end = next[1];
  else if (fits(prev) && adds(best - 1) > 0) start = prev[0];
  else if (end - start < SHORT_SENTENCE && fits(next)) end = next[1];
  else if (end - start < SHORT_SENTENCE && fits(prev)) start = prev[0];
  const highlights = mergeRanges(matches.filter((m) => m.start >= start && m.end <= end).map((m) => [m.start - start, m.end - start]));
  return { text: text.slice(start, end), start, end, highlights };
}
