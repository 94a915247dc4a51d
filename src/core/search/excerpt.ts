import { forEachAnalyzed, type Lexicon } from './analyze.ts';
import { splitSentences } from './sentences.ts';

/**
 * Picks the best sentence or two of a passage for a query and marks the matched words.
 */

/** The chosen excerpt of a passage: its text, where it sits in the passage, and highlights. */
export interface ExcerptText {
  text: string;
  start: number;
  end: number;
  /** `[start, end)` ranges in `text` of the words that matched the query. */
  highlights: [number, number][];
}

/** Excerpts are at most this long unless a single sentence is longer. */
const MAX_EXCERPT = 600;
/** A best sentence shorter than this takes its neighbour along for context. */
const SHORT_SENTENCE = 90;

interface Match {
  start: number;
  end: number;
  term: string;
}

/**
 * Every span of `text` whose index term (or alias) is one of `terms`. Tokens are looked at as
 * they are analyzed and only matches are kept: an excerpt allocates little, which keeps the
 * garbage collector's pauses short on a busy bot.
 */
export function matchSpans(text: string, terms: ReadonlySet<string>, lexicon: Lexicon): Match[] {
  const out: Match[] = [];
  forEachAnalyzed(text, lexicon, 'index', (start, end, term, aliases) => {
    if (term !== null && terms.has(term)) out.push({ start, end, term });
    else if (aliases.length > 0) {
      for (const alias of aliases) {
        if (terms.has(alias)) {
          out.push({ start, end, term: alias });
          break;
        }
      }
    }
  });
  return out;
}

/** Sorted, merged `[start, end)` ranges. */
export function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  const out: [number, number][] = [];
  for (const r of sorted) {
    const last = out.at(-1);
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else out.push([r[0], r[1]]);
  }
  return out;
}

interface SentenceStats {
  /** The distinct terms matched in the sentence. */
  distinct: ReadonlySet<string>;
  count: number;
}

const NONE: ReadonlySet<string> = new Set();

/**
 * The matches wholly inside each sentence. Matches come in text order and sentences do not
 * overlap, so one sweep assigns them; sentences without a match share an empty set.
 */
function sentenceStats(sentences: readonly [number, number][], matches: readonly Match[]): SentenceStats[] {
  const stats: SentenceStats[] = sentences.map(() => ({ distinct: NONE, count: 0 }));
  let p = 0;
  for (const m of matches) {
    while (p < sentences.length && (sentences[p] as [number, number])[1] <= m.start) p++;
    const s = sentences[p];
    if (!s || m.start < s[0] || m.end > s[1]) continue;
    const st = stats[p] as SentenceStats;
    if (st.distinct === NONE) st.distinct = new Set([m.term]);
    else (st.distinct as Set<string>).add(m.term);
    st.count++;
  }
  return stats;
}

/**
 * The best one or two consecutive sentences of `text` for the matched `terms`: most distinct
 * matched terms first, then most matches, then earliest. A short best sentence, or a
 * neighbour that matches further terms, is joined to it.
 *
 * @example bestExcerpt(passage.text, new Set(['japarov', 'call']), lexicon).text
 * // 'Calling for partnership in areas such as transportation, …'
 */
export function bestExcerpt(text: string, terms: ReadonlySet<string>, lexicon: Lexicon): ExcerptText {
  const sentences = splitSentences(text);
  const matches = matchSpans(text, terms, lexicon);
  if (sentences.length === 0) return { text, start: 0, end: text.length, highlights: [] };
  const stats = sentenceStats(sentences, matches);
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
    const a = stats[i] as SentenceStats;
    const b = stats[best] as SentenceStats;
    if (a.distinct.size > b.distinct.size || (a.distinct.size === b.distinct.size && a.count > b.count)) best = i;
  }
  let [start, end] = sentences[best] as [number, number];
  const adds = (i: number): number => {
    const st = stats[i];
    if (!st) return 0;
    let n = 0;
    for (const t of st.distinct) if (!(stats[best] as SentenceStats).distinct.has(t)) n++;
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
