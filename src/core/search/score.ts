import { FIELDS } from './engine.ts';
import { documentTotal, idf, type Segments, type Variant } from './variants.ts';

export type { Segments, Variant } from './variants.ts';
export { documentTotal, groupWeights, idf, variantDf, variantHas, variantsOf } from './variants.ts';

/**
 * BM25 scoring over the engine's postings with typed-array accumulators and a bounded top-k.
 *
 * - Within one query group (a word with its aliases, prefix and typo variants) a document
 *   keeps its best single match, so "American" plus its alias `us` does not count twice;
 *   across groups the scores add up, times `0.5 + coverage`, where coverage is the share of
 *   the question's IDF weight the document matches.
 * - A document is a good match when its coverage reaches `minCoverage` (and half the best
 *   coverage) and its score reaches `minRelativeScore` of the best good score.
 * - Pruning: groups are taken rarest first; once the groups not yet scanned weigh less than
 *   `minCoverage` of the question, a document none of the scanned groups touched can no longer
 *   become good, so the remaining (common) groups only look up the documents already found
 *   instead of walking their long postings. The good set is the same as a full scan's.
 */

export interface ScoreParams {
  /** Boost per field id (text, alias, sources, context). */
  fieldBoosts: readonly number[];
  aliasWeight: number;
  prefixWeight: number;
  fuzzyWeight: number;
  minCoverage: number;
  minRelativeScore: number;
  /** Below this best coverage nothing is a good match. */
  noMatchCoverage: number;
  /** Per short id multiplier (key points slightly below passages); 1 when 0 or missing. */
  docBoost?: Float32Array;
  /** Only documents whose `docArticle` entry equals `article`. */
  filter?: { docArticle: Int32Array; article: number };
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

const K = 1.2;
const B = 0.7;
const D = 0.5;
const NF = FIELDS.length;

/** Reusable per-document arrays, reset through the touched list rather than reallocated. */
export class Scratch {
  acc = new Float64Array(0);
  best = new Float64Array(0);
  mask = new Int32Array(0);
  touched = new Int32Array(0);
  groupTouched = new Int32Array(0);
  finals = new Float64Array(0);
  /** Question weight covered so far, per document. */
  covered = new Float64Array(0);

  ensure(size: number): void {
    if (this.acc.length >= size) return;
    const n = Math.max(size, Math.ceil(this.acc.length * 1.5), 1024);
    this.acc = new Float64Array(n);
    this.best = new Float64Array(n);
    this.mask = new Int32Array(n);
    this.touched = new Int32Array(n);
    this.groupTouched = new Int32Array(n);
    this.finals = new Float64Array(n);
    this.covered = new Float64Array(n);
  }
}

/** The outcome of scoring: the requested page of good matches and how many there are. */
export interface ScoreResult {
  top: Scored[];
  /** Number of good matches. */
  good: number;
  bestCoverage: number;
}

/** Scores the question and returns the best `k` good matches (sorted) and the good count. */
export function score(
  seg: Segments,
  groupCount: number,
  variants: readonly Variant[],
  weights: readonly number[],
  params: ScoreParams,
  scratch: Scratch,
  k: number,
): ScoreResult {
  const { frozen, engine } = seg;
  const base = frozen.size;
  scratch.ensure(base + engine.nextShortId + 1);
  const { acc, best, mask, touched, groupTouched, finals, covered } = scratch;
  const fLive = frozen.live;
  const fLens = frozen.lengths;
  const fDocs = frozen.docs;
  const fTfs = frozen.tfs;
  const eLive = engine.liveFlags;
  const eLens = engine.lengthTable;
  const n = Math.max(documentTotal(seg), 1);
  const avgLength = FIELDS.map(
    (_, f) => (frozen.averageFieldLength(f) * frozen.liveCount + engine.averageFieldLength(f) * engine.documentCount) / n || 1,
  );
  const filter = params.filter;
  let total = 0;
  for (const w of weights) total += w;
  const order = [...Array(groupCount).keys()].sort((a, b) => (weights[b] as number) - (weights[a] as number) || a - b);
  let remaining = total;
  let bestCovered = 0;
  let count = 0;
  let probeOnly = false;
  let w = 0;
  let kAvg = 0;
  let extra = 0;
  const visit = (tf: number, doc: number, len: number): void => {
    if (filter && filter.docArticle[doc] !== filter.article) return;
    const s = w * (D + (tf * (K + 1)) / (tf + K * (1 - B) + kAvg * len));
    const prev = best[doc] as number;
    if (prev === 0) {
      if (!probeOnly && mask[doc] === 0) touched[count++] = doc;
      else groupTouched[extra++] = doc;
    }
    if (s > prev) best[doc] = s;
  };
  for (const gi of order) {
    const groupStart = count;
    extra = 0;
    for (const v of variants) {
      if (v.group !== gi) continue;
      for (let f = 0; f < NF; f++) {
        const boost = params.fieldBoosts[f] ?? 0;
        const fStart = v.ford === undefined ? 0 : frozen.start(v.ford, f);
        const fEnd = v.ford === undefined ? 0 : frozen.end(v.ford, f);
        const postings = v.live?.get(f);
        const df = fEnd - fStart + (postings?.size ?? 0);
        if (boost <= 0 || df === 0) continue;
        w = v.weight * boost * idf(df, n);
        kAvg = (K * B) / (avgLength[f] as number);
        if (fEnd > fStart) {
          if (probeOnly && count * 18 < fEnd - fStart) {
            for (let i = 0; i < count; i++) {
              const doc = touched[i] as number;
              if (doc >= base) continue;
              const tf = frozen.tfOf(v.ford as number, f, doc);
              if (tf > 0) visit(tf, doc, fLens[doc * NF + f] as number);
            }
          } else if (probeOnly || filter) {
            for (let i = fStart; i < fEnd; i++) {
              const doc = fDocs[i] as number;
              if (fLive[doc] !== 1 || (probeOnly && mask[doc] === 0)) continue;
              visit(fTfs[i] as number, doc, fLens[doc * NF + f] as number);
            }
          } else {
            // The hot path (a full scan of a frozen posting list), written out with locals.
            let c = count;
            let x = extra;
            const base1 = K * (1 - B);
            for (let i = fStart; i < fEnd; i++) {
              const doc = fDocs[i] as number;
              if (fLive[doc] !== 1) continue;
              const tf = fTfs[i] as number;
              const sc = w * (D + (tf * (K + 1)) / (tf + base1 + kAvg * (fLens[doc * NF + f] as number)));
              const prev = best[doc] as number;
              if (prev === 0) {
                if (mask[doc] === 0) touched[c++] = doc;
                else groupTouched[x++] = doc;
              }
              if (sc > prev) best[doc] = sc;
            }
            count = c;
            extra = x;
          }
        }
        if (postings && postings.size > 0) {
          if (probeOnly && count < postings.size) {
            for (let i = 0; i < count; i++) {
              const doc = touched[i] as number;
              if (doc < base) continue;
              const tf = postings.get(doc - base);
              if (tf !== undefined && eLive[doc - base] === 1) visit(tf, doc, eLens[(doc - base) * NF + f] as number);
            }
          } else {
            postings.forEach((tf, sid) => {
              const doc = base + sid;
              if (eLive[sid] !== 1 || (probeOnly && mask[doc] === 0)) return;
              visit(tf, doc, eLens[sid * NF + f] as number);
            });
          }
        }
      }
    }
    const bit = 1 << gi;
    const gw = weights[gi] as number;
    const apply = (doc: number): void => {
      acc[doc] = (acc[doc] as number) + (best[doc] as number);
      mask[doc] = (mask[doc] as number) | bit;
      best[doc] = 0;
      const c = (covered[doc] as number) + gw;
      covered[doc] = c;
      if (c > bestCovered) bestCovered = c;
    };
    for (let i = groupStart; i < count; i++) apply(touched[i] as number);
    for (let i = 0; i < extra; i++) apply(groupTouched[i] as number);
    remaining -= gw;
    // Documents not found yet cover at most `remaining`: once that is below the bar a good
    // match must reach (the absolute minimum, or half the best coverage already seen), the
    // remaining groups only need to visit the documents found so far.
    if (!probeOnly && remaining < Math.max(params.minCoverage * total, bestCovered / 2)) probeOnly = true;
  }
  // Coverage and final scores; the best good score sets the relative bar.
  const bestCoverage = total > 0 ? bestCovered / total : 0;
  const minCovered = Math.max(params.minCoverage, bestCoverage / 2) * total;
  let bestScore = 0;
  for (let i = 0; i < count; i++) {
    const doc = touched[i] as number;
    const c = covered[doc] as number;
    const f = c >= minCovered - 1e-9 ? (acc[doc] as number) * (0.5 + c / total) * (params.docBoost?.[doc] || 1) : -1;
    finals[i] = f;
    if (f > bestScore) bestScore = f;
  }
  const heap = new TopK(k);
  let good = 0;
  if (bestCoverage >= params.noMatchCoverage) {
    const bar = bestScore * params.minRelativeScore;
    for (let i = 0; i < count; i++) {
      const f = finals[i] as number;
      if (f < 0 || f < bar) continue;
      good++;
      const doc = touched[i] as number;
      heap.offer(doc, f, mask[doc] as number, (covered[doc] as number) / total);
    }
  }
  for (let i = 0; i < count; i++) {
    const doc = touched[i] as number;
    acc[doc] = 0;
    mask[doc] = 0;
    covered[doc] = 0;
  }
  return { top: heap.sorted(), good, bestCoverage };
}

/** Keeps the k best (score desc, then short id asc) in a small sorted array. */
class TopK {
  readonly #k: number;
  readonly #items: Scored[] = [];

  constructor(k: number) {
    this.#k = k;
  }

  offer(doc: number, score: number, mask: number, coverage: number): void {
    const items = this.#items;
    if (this.#k <= 0) return;
    if (items.length === this.#k) {
      const last = items[items.length - 1] as Scored;
      if (score < last.score || (score === last.score && doc > last.shortId)) return;
    }
    const item: Scored = { shortId: doc, score, coverage, mask };
    let i = items.length;
    while (i > 0) {
      const prev = items[i - 1] as Scored;
      if (prev.score > score || (prev.score === score && prev.shortId < doc)) break;
      i--;
    }
    items.splice(i, 0, item);
    if (items.length > this.#k) items.pop();
  }

  sorted(): Scored[] {
    return this.#items;
  }
}
