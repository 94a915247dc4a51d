import { type Engine, FIELDS, type FieldTermData } from './engine.ts';
import type { FrozenSegment } from './frozen.ts';
import { FUZZY_MIN_LENGTH, type QueryGroup } from './query.ts';
import type { ScoreParams } from './score.ts';
import { writtenNeighbours } from './typos.ts';

/**
 * The terms a question's groups match in the index: the literal term, longer terms it is a
 * prefix of, one-typo neighbours of unknown words (of their stems and of the words as typed),
 * and alias terms, each with its weight.
 */

const NF = FIELDS.length;

/** Prefix expansion only for words in at most this share of the documents. */
const PREFIX_MAX_SHARE = 0.01;

/**
 * Unknown words of a question searched for a typo anywhere in them (see `writtenNeighbours`);
 * later ones only near their ends, so a question of many made-up words stays cheap.
 */
const FULL_TYPO_WORDS = 8;

/** BM25 inverse document frequency (as MiniSearch computes it). */
export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/**
 * The two parts of the index: the frozen segment (document numbers `0..frozen.size-1`) and
 * the live MiniSearch engine (document number `frozen.size + shortId`).
 */
export interface Segments {
  frozen: FrozenSegment;
  engine: Engine;
}

/** One way a group can match: a term (in either segment) and its weight. */
export interface Variant {
  group: number;
  term: string;
  /** Term ordinal in the frozen segment. */
  ford: number | undefined;
  /** Postings in the engine. */
  live: FieldTermData | undefined;
  weight: number;
}

/** Live documents in both segments. */
export function documentTotal(seg: Segments): number {
  return seg.frozen.liveCount + seg.engine.documentCount;
}

/** Documents holding a variant's term in its most frequent field. */
export function variantDf(seg: Segments, v: Pick<Variant, 'ford' | 'live'>): number {
  let df = 0;
  for (let f = 0; f < NF; f++) {
    const n = (v.ford === undefined ? 0 : seg.frozen.end(v.ford, f) - seg.frozen.start(v.ford, f)) + (v.live?.get(f)?.size ?? 0);
    if (n > df) df = n;
  }
  return df;
}

/** Whether document `doc` (global number) holds the variant's term in any field. */
export function variantHas(seg: Segments, v: Variant, doc: number): boolean {
  const base = seg.frozen.size;
  if (doc < base) {
    if (v.ford === undefined) return false;
    for (let f = 0; f < NF; f++) if (seg.frozen.tfOf(v.ford, f, doc) > 0) return true;
    return false;
  }
  if (!v.live) return false;
  for (const m of v.live.values()) if (m.has(doc - base)) return true;
  return false;
}

/** Every term a group can match in either segment, with its weight. */
export function variantsOf(seg: Segments, groups: readonly QueryGroup[], params: ScoreParams): Variant[] {
  const out: Variant[] = [];
  const { frozen, engine } = seg;
  let fullTypoWords = FULL_TYPO_WORDS;
  groups.forEach((g, group) => {
    const found = new Map<string, Variant>();
    const push = (term: string, weight: number, ford: number | undefined, live: FieldTermData | undefined): void => {
      if (ford === undefined && !live) return;
      const known = found.get(term);
      if (known) {
        known.ford ??= ford;
        known.live ??= live;
        return;
      }
      const v: Variant = { group, term, ford, live, weight };
      found.set(term, v);
      out.push(v);
    };
    const exactFrozen = frozen.term(g.term);
    const exactLive = engine.postings(g.term);
    push(g.term, 1, exactFrozen, exactLive);
    // Longer words starting with this one ("agre" -> "agreement") help when the word itself
    // is rare or unknown; for a word found in over 1% of documents they only add work.
    const exactDf = variantDf(seg, { ford: exactFrozen, live: exactLive });
    if (g.prefix && exactDf <= PREFIX_MAX_SHARE * documentTotal(seg)) {
      const weight = (term: string): number => (params.prefixWeight * term.length) / (term.length + 0.3 * (term.length - g.term.length));
      for (const [term, ord] of frozen.prefixed(g.term)) if (term !== g.term) push(term, weight(term), ord, undefined);
      for (const [term, data] of engine.withPrefix(g.term)) if (term !== g.term) push(term, weight(term), undefined, data);
    }
    // A word the index knows is taken as written: typo matches would only add noise
    // (`reuters` is not a misspelt `reiterate`), and skipping them keeps queries fast.
    if (exactFrozen === undefined && !exactLive) {
      const weight = (term: string): number => (params.fuzzyWeight * term.length) / (term.length + 1);
      if (g.fuzzy > 0) {
        for (const [term, ord] of frozen.near1(g.term)) push(term, weight(term), ord, undefined);
        for (const [term, [data, distance]] of engine.near(g.term, 1)) if (distance > 0) push(term, weight(term), undefined, data);
      }
      // The word as typed, one edit away, then stemmed (`beijin` -> `beijing` -> `beij`): also
      // for words whose stem is too short for the search above (`bejing` stems to `bej`, `eijing`
      // to `eij`) and for swapped letters (`Gaungxi`).
      if (g.norm.length >= FUZZY_MIN_LENGTH) {
        const full = fullTypoWords-- > 0;
        for (const term of writtenNeighbours(g.norm, full)) push(term, weight(term), frozen.term(term), engine.postings(term));
      }
    }
    for (const a of g.aliases) push(a, params.aliasWeight, frozen.term(a), engine.postings(a));
  });
  return out;
}

/**
 * IDF weight of each group: from its literal term's frequency, else its best variant's. A word
 * the index does not know at all weighs as much as the known words on average, and at least
 * half as much as the rarest possible word: a question's unknown words lower its coverage
 * (so nonsense finds nothing), without sinking questions phrased in other words.
 */
export function groupWeights(seg: Segments, groups: readonly QueryGroup[], variants: readonly Variant[]): number[] {
  const n = Math.max(documentTotal(seg), 1);
  const known = groups.map((g, i) => {
    let df = variantDf(seg, { ford: seg.frozen.term(g.term), live: seg.engine.postings(g.term) });
    if (df === 0) {
      for (const v of variants) {
        if (v.group !== i) continue;
        const vdf = variantDf(seg, v);
        if (vdf > 0) df = df === 0 ? vdf : Math.min(df, vdf);
      }
    }
    return df === 0 ? undefined : idf(Math.min(df, n), n);
  });
  const values = known.filter((w): w is number => w !== undefined);
  const mean = values.length ? values.reduce((a, b) => a + b, 0) / values.length : 0;
  const unknown = Math.max(mean, idf(1, n) / 2);
  return known.map((w) => w ?? unknown);
}
