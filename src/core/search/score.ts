import type { Engine, FieldTermData } from './engine.ts';
import type { QueryGroup } from './query.ts';

/**
 * BM25 scoring over the engine's postings with typed-array accumulators and a bounded top-k.
 * Within one query group (a word and its aliases, prefix and typo variants) a document keeps
 * its best single match, so "American" + alias `us` does not count twice; across groups the
 * scores add up, and a coverage factor favours passages that answer more of the question.
 */

export interface ScoreParams {
  /** Boost per field id (text, alias, sources, context). */
  fieldBoosts: readonly number[];
  aliasWeight: number;
  prefixWeight: number;
  fuzzyWeight: number;
  /** Per short id multiplier (key points slightly below passages); 1 when missing. */
  docBoost?: (shortId: number) => number;
  /** Restrict to documents for which this returns true. */
  accept?: (shortId: number) => boolean;
}

/** One scored document. */
export interface Scored {
  shortId: number;
  score: number;
  /** Share of the question's weight (IDF) this document covers, 0..1. */
  coverage: number;
  /** Bit i set when group i matched. */
  mask: number;
}

/** One way a group can match: a term and its weight. */
export interface Variant {
  group: number;
  term: string;
  data: FieldTermData;
  weight: number;
}

const K = 1.2;
const B = 0.7;
const D = 0.5;

export function idf(df: number, n: number): number {
  return Math.log(1 + (n - df + 0.5) / (df + 0.5));
}

/** Reusable per-document arrays, reset through touched lists rather than reallocated. */
export class Scratch {
  acc = new Float64Array(0);
  group = new Float64Array(0);
  mask = new Int32Array(0);

  ensure(size: number): void {
    if (this.acc.length >= size) return;
    const n = Math.max(size, Math.ceil(this.acc.length * 1.5), 1024);
    this.acc = new Float64Array(n);
    this.group = new Float64Array(n);
    this.mask = new Int32Array(n);
  }
}

/** Every term a group can match in the engine, with its weight. */
export function variantsOf(engine: Engine, groups: readonly QueryGroup[], params: ScoreParams): Variant[] {
  const out: Variant[] = [];
  groups.forEach((g, group) => {
    const seen = new Set<string>();
    const push = (term: string, data: FieldTermData | undefined, weight: number): void => {
      if (!data || seen.has(term)) return;
      seen.add(term);
      out.push({ group, term, data, weight });
    };
    push(g.term, engine.postings(g.term), 1);
    if (g.prefix) {
      for (const [term, data] of engine.withPrefix(g.term)) {
        const extra = term.length - g.term.length;
        if (extra > 0) push(term, data, (params.prefixWeight * term.length) / (term.length + 0.3 * extra));
      }
    }
    if (g.fuzzy > 0) {
      for (const [term, [data, distance]] of engine.near(g.term, g.fuzzy)) {
        if (distance > 0) push(term, data, (params.fuzzyWeight * term.length) / (term.length + distance));
      }
    }
    for (const a of g.aliases) push(a, engine.postings(a), params.aliasWeight);
  });
  return out;
}

/** IDF weight of each group: from its literal term's frequency, else its best variant, else as rare as can be. */
export function groupWeights(engine: Engine, groups: readonly QueryGroup[], variants: readonly Variant[]): number[] {
  const n = Math.max(engine.documentCount, 1);
  return groups.map((g, i) => {
    let df = 0;
    const literal = engine.postings(g.term);
    if (literal) for (const m of literal.values()) df = Math.max(df, m.size);
    if (df === 0) {
      let best = Number.POSITIVE_INFINITY;
      for (const v of variants) {
        if (v.group !== i) continue;
        let vdf = 0;
        for (const m of v.data.values()) vdf = Math.max(vdf, m.size);
        if (vdf > 0) best = Math.min(best, vdf);
      }
      df = Number.isFinite(best) ? best : 0.5;
    }
    return idf(Math.min(df, n), n);
  });
}

/**
 * Scores every document the variants touch. Returns the touched documents' scores through a
 * callback-free list (only those with a positive score), unsorted.
 */
export function scoreAll(engine: Engine, groupCount: number, variants: readonly Variant[], weights: readonly number[], params: ScoreParams, scratch: Scratch): Scored[] {
  scratch.ensure(engine.nextShortId + 1);
  const { acc, group: best, mask } = scratch;
  const n = Math.max(engine.documentCount, 1);
  const touched: number[] = [];
  const accept = params.accept;
  for (let gi = 0; gi < groupCount; gi++) {
    const groupTouched: number[] = [];
    for (const v of variants) {
      if (v.group !== gi) continue;
      for (const [fieldId, postings] of v.data) {
        const boost = params.fieldBoosts[fieldId] ?? 0;
        if (boost <= 0) continue;
        const w = v.weight * boost * idf(postings.size, n);
        const avg = engine.averageFieldLength(fieldId) || 1;
        for (const [doc, tf] of postings) {
          if (accept && !accept(doc)) continue;
          const lengths = engine.fieldLengths(doc);
          if (!lengths) continue; // discarded, not yet vacuumed
          const len = lengths[fieldId] ?? 0;
          const s = w * (D + (tf * (K + 1)) / (tf + K * (1 - B + (B * len) / avg)));
          const prev = best[doc] as number;
          if (prev === 0) groupTouched.push(doc);
          if (s > prev) best[doc] = s;
        }
      }
    }
    const bit = 1 << gi;
    for (const doc of groupTouched) {
      if (mask[doc] === 0) touched.push(doc);
      acc[doc] = (acc[doc] as number) + (best[doc] as number);
      mask[doc] = (mask[doc] as number) | bit;
      best[doc] = 0;
    }
  }
  let total = 0;
  for (const w of weights) total += w;
  const out: Scored[] = new Array(touched.length);
  for (let i = 0; i < touched.length; i++) {
    const doc = touched[i] as number;
    const m = mask[doc] as number;
    let covered = 0;
    for (let gi = 0; gi < groupCount; gi++) if (m & (1 << gi)) covered += weights[gi] as number;
    const coverage = total > 0 ? covered / total : 0;
    const boost = params.docBoost ? params.docBoost(doc) : 1;
    out[i] = { shortId: doc, score: (acc[doc] as number) * (0.5 + coverage) * boost, coverage, mask: m };
    acc[doc] = 0;
    mask[doc] = 0;
  }
  return out;
}

/** The `k` best of `items` by score (ties: lower short id first), sorted. */
export function topK(items: readonly Scored[], k: number): Scored[] {
  if (k <= 0) return [];
  const better = (a: Scored, b: Scored): boolean => a.score > b.score || (a.score === b.score && a.shortId < b.shortId);
  if (items.length <= k * 4) return [...items].sort((a, b) => (better(a, b) ? -1 : better(b, a) ? 1 : 0)).slice(0, k);
  const top: Scored[] = [];
  for (const item of items) {
    if (top.length === k && !better(item, top[k - 1] as Scored)) continue;
    let i = top.length === k ? k - 1 : top.length;
    while (i > 0 && better(item, top[i - 1] as Scored)) i--;
    top.splice(i, 0, item);
    if (top.length > k) top.pop();
  }
  return top;
}
