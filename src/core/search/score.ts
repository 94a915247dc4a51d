import { lookUpBatch, nextToScan, type Run } from './batch.ts';
import { type Batch, boostOf, type DocBoost, type Group, groupsOf, maxBoostOf, unscannedBound, type Walk } from './postings.ts';
import { estimateUnseen, KBest, TopK } from './top-k.ts';
import type { Segments, Variant } from './variants.ts';
import { scanNew } from './walk.ts';

export type { DocBoost } from './postings.ts';
export type { Segments, Variant } from './variants.ts';
export { documentTotal, groupWeights, idf, variantDf, variantHas, variantsOf } from './variants.ts';

/**
 * BM25 scoring over the engine's postings with typed-array accumulators and a bounded top-k.
 *
 * - Within one query group (a word with its aliases, prefix and typo variants) a document
 *   keeps its best single match, so "American" plus its alias `us` does not count twice;
 *   across groups the scores add up (rarest group first), times `0.5 + coverage`, where
 *   coverage is the share of the question's IDF weight the document matches.
 * - A document is a good match when its coverage reaches `minCoverage` (and half the best
 *   coverage) and its score reaches `minRelativeScore` of the best good score.
 *
 * Groups are scanned shortest first, in batches: a group's postings are scanned for documents
 * no earlier group found, and that batch then looks up every group not scanned yet (a
 * galloping merge per list), so its documents get their full scores. Scanning stops when the
 * documents not found yet cannot matter: exactly, once the groups left weigh less than a good
 * match must cover; or, on large queries (see PRUNE_MIN_POSTINGS), MaxScore style, once the
 * most such a document can score (from per-list upper bounds) is below the k-th best score
 * among documents sure to be good matches. Within a batch, documents that can no longer reach
 * that k-th best are dropped from the lookups, all but one in SAMPLE_EVERY (by document
 * number), kept as a sample. The top k are always exactly those of a full scan; when anything
 * was skipped, the good count is the exact count among documents scored in full, plus the
 * dropped documents' share estimated from the sample, plus an estimate, from sample windows,
 * of the good matches among documents never found.
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
  /** Documents whose bit is set score `factor` times as much (key points slightly below passages). */
  docBoost?: DocBoost;
  /**
   * Only documents whose `docArticle` entry equals `article`; `range` is where that article's
   * documents sit in the frozen segment (`[lo, hi)`), so only that part of each list is read.
   */
  filter?: { docArticle: Int32Array; article: number; range?: [number, number] };
  /**
   * Queries whose lists hold at least this many postings may stop early and drop documents
   * (default PRUNE_MIN_POSTINGS); `Infinity` scores every document (exact good count).
   */
  pruneFrom?: number;
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

/** A query whose lists hold fewer postings than this is always scored in full (exact count). */
export const PRUNE_MIN_POSTINGS = 20_000;

/**
 * Reusable arrays: `best` and `seen` by document number, the rest by position in the list of
 * documents found (`docs`), so the passes over a batch read memory in order.
 */
export class Scratch {
  best = new Float64Array(0);
  /** One bit per document found so far: small enough to stay in cache. */
  seen = new Int32Array(0);
  docs = new Int32Array(0);
  acc = new Float64Array(0);
  covered = new Float64Array(0);
  masks = new Int32Array(0);
  /** Document boost (see ScoreParams.docBoost). */
  boosts = new Float64Array(0);
  /** The scanned group's score, until its turn to be added. */
  own = new Float64Array(0);
  /** The score in the group being looked up. */
  found = new Float64Array(0);
  /** Per place: 1 for a dropped document kept as a sample, 2 for one dropped. */
  status = new Uint8Array(0);
  /** Bit per document of the batch being looked up, and its place. */
  batch = new Int32Array(0);
  place = new Int32Array(0);
  /** Places of the batch still looked up, and those a lookup matched. */
  live = new Int32Array(0);
  matched = new Int32Array(0);
  /** Documents dropped from the lookups (to clear their bits). */
  dropped = new Int32Array(0);
  out = new Int32Array(0);
  finals = new Float64Array(0);
  /** Sums and coverage by document number for the estimate's sample (left at 0). */
  sampleAcc = new Float64Array(0);
  sampleCovered = new Float64Array(0);

  ensure(size: number): void {
    if (this.docs.length >= size) return;
    const n = Math.max(size, Math.ceil(this.docs.length * 1.5), 1024);
    this.best = new Float64Array(n);
    this.seen = new Int32Array((n >>> 5) + 1);
    this.docs = new Int32Array(n);
    this.acc = new Float64Array(n);
    this.covered = new Float64Array(n);
    this.masks = new Int32Array(n);
    this.own = new Float64Array(n);
    this.boosts = new Float64Array(n);
    this.found = new Float64Array(n);
    this.status = new Uint8Array(n);
    this.batch = new Int32Array((n >>> 5) + 1);
    this.place = new Int32Array(n);
    this.live = new Int32Array(n);
    this.matched = new Int32Array(n);
    this.dropped = new Int32Array(n);
    this.out = new Int32Array(n);
    this.finals = new Float64Array(n);
    this.sampleAcc = new Float64Array(n);
    this.sampleCovered = new Float64Array(n);
  }
}

/** The outcome of scoring: the requested page of good matches and how many there are. */
export interface ScoreResult {
  top: Scored[];
  /** Number of good matches (partly estimated when `estimated`). */
  good: number;
  bestCoverage: number;
  /** True when documents were left unscored and `good` is partly an estimate. */
  estimated?: boolean;
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
  const span = frozen.size + engine.nextShortId;
  scratch.ensure(span + 1);
  const { docs, acc, covered, masks, own, status, dropped, finals, boosts } = scratch;
  const walk: Walk = {
    frozen,
    base: frozen.size,
    allLive: frozen.liveCount === frozen.size,
    eLive: engine.liveFlags,
    eLens: engine.lengthTable,
    best: scratch.best,
    seen: scratch.seen,
    out: scratch.out,
    filter: params.filter,
  };
  const groups = groupsOf(seg, groupCount, variants, weights, params.fieldBoosts, params.filter?.range);
  let total = 0;
  for (const w of weights) total += w;
  // Scores add up in this order (rarest first), whatever order the lists are scanned in.
  const order = [...groups].sort((a, b) => b.weight - a.weight || a.index - b.index);
  let postings = 0;
  for (const g of groups) postings += postingsOf(g);
  const docBoost = params.docBoost;
  const maxBoost = maxBoostOf(docBoost);
  const run: Run = {
    walk,
    scratch,
    order,
    total,
    // Documents covering half the question are good matches whatever the best coverage is.
    sureBar: Math.max(params.minCoverage * total, total / 2) - 1e-9,
    mayStop: !params.filter && k > 0 && postings >= (params.pruneFrom ?? PRUNE_MIN_POSTINGS),
    best: new KBest(k),
    bestCovered: 0,
    dropped: 0,
    sampled: 0,
  };
  let count = 0;
  let stoppedEarly = false;
  for (;;) {
    const unit = nextToScan(order, total);
    if (!unit) break;
    const from = count;
    const batch: Batch = { docs, live: scratch.live, size: 0, bits: scratch.batch, place: scratch.place, matched: scratch.matched };
    count = scanNew(walk, unit.slices, batch, own, from);
    for (let j = from; j < count; j++) {
      acc[j] = 0;
      covered[j] = 0;
      masks[j] = 0;
      status[j] = 0;
      boosts[j] = boostOf(docBoost, docs[j] as number);
    }
    // The new documents are in no list scanned before: look the others up.
    if (count > from) count = lookUpBatch(run, unit.group, from, count);
    const left = order.filter((g) => unscannedBound(g) > 0);
    if (left.length === 0) break;
    let leftWeight = 0;
    let leftBound = 0;
    for (const g of left) {
      leftWeight += g.weight;
      leftBound += unscannedBound(g);
    }
    // Documents not found yet cover at most `leftWeight`: below the bar a good match must
    // reach (the absolute minimum, or half the best coverage), none of them can be good.
    if (leftWeight < Math.max(params.minCoverage * total, run.bestCovered / 2)) break;
    if (!run.mayStop || run.bestCovered < params.noMatchCoverage * total) continue;
    // MaxScore: no document found later can reach the k-th best.
    if (leftBound * (0.5 + leftWeight / total) * maxBoost * (1 + 1e-9) < run.best.kth()) {
      stoppedEarly = true;
      break;
    }
  }
  const { bestCovered, dropped: droppedCount, sampled, sureBar, best } = run;
  const estimated = stoppedEarly || droppedCount > 0;
  // Coverage and final scores; the best good score sets the relative bar. With documents left
  // unscored the best coverage may be higher than seen: a document whose good-match status
  // hinges on it must not be able to reach the top (else score everything).
  const bestCoverage = total > 0 ? bestCovered / total : 0;
  const minCovered = Math.max(params.minCoverage, bestCoverage / 2) * total;
  let bestScore = 0;
  let unsure = 0;
  for (let j = 0; j < count; j++) {
    const c = covered[j] as number;
    const f = c >= minCovered - 1e-9 ? (acc[j] as number) * (0.5 + c / total) * (boosts[j] as number) : -1;
    finals[j] = f;
    if (status[j] === 1) continue;
    if (f > bestScore) bestScore = f;
    if (c < sureBar && f > unsure) unsure = f;
  }
  if (estimated && unsure >= best.kth()) {
    clearSeen(walk.seen, docs, count, dropped, droppedCount);
    return score(seg, groupCount, variants, weights, { ...params, pruneFrom: Number.POSITIVE_INFINITY }, scratch, k);
  }
  const heap = new TopK(k);
  let good = 0;
  let sampleGood = 0;
  const ranked = bestCoverage >= params.noMatchCoverage;
  const bar = bestScore * params.minRelativeScore;
  if (ranked) {
    let floor = heap.floor;
    for (let j = 0; j < count; j++) {
      const f = finals[j] as number;
      if (f < 0 || f < bar) continue;
      if (status[j] === 1) {
        sampleGood++;
        continue;
      }
      good++;
      if (f < floor) continue;
      heap.offer(docs[j] as number, f, masks[j] as number, (covered[j] as number) / total);
      floor = heap.floor;
    }
    if (sampled > 0) good += Math.round((sampleGood * droppedCount) / sampled);
    if (stoppedEarly) good += estimateUnseen(walk, order, scratch, span, total, minCovered, bar, docBoost);
  }
  clearSeen(walk.seen, docs, count, dropped, droppedCount);
  return { top: heap.sorted(), good, bestCoverage, ...(estimated ? { estimated } : {}) };
}

function postingsOf(g: Group): number {
  let n = 0;
  for (const sl of g.slices) n += sl.size;
  return n;
}

/** Clears the `seen` words of the documents scored and dropped, ready for the next query. */
function clearSeen(seen: Int32Array, docs: Int32Array, count: number, dropped: Int32Array, droppedCount: number): void {
  for (let j = 0; j < count; j++) seen[(docs[j] as number) >>> 5] = 0;
  for (let j = 0; j < droppedCount; j++) seen[(dropped[j] as number) >>> 5] = 0;
}
