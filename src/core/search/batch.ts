import { type Batch, type Group, type Slice, unscannedBound, type Walk } from './postings.ts';
import type { Scratch } from './score.ts';
import type { KBest } from './top-k.ts';
import { probe } from './walk.ts';

/**
 * Looking a batch of newly found documents up in the groups not scanned yet (see score.ts),
 * and choosing which lists to scan next.
 */

/** Dropped documents whose number is a multiple of this are scored in full, as a sample. */
export const SAMPLE_EVERY = 16;

/** The state of one scoring run that batches share. */
export interface Run {
  walk: Walk;
  scratch: Scratch;
  /** Groups in the order scores add up. */
  order: readonly Group[];
  total: number;
  /** Coverage from which a document is a good match whatever the best coverage. */
  sureBar: number;
  /** Whether documents may be dropped (large queries only). */
  mayStop: boolean;
  /** The k best final scores among documents sure to be good matches. */
  best: KBest;
  /** Best coverage seen (a lower bound of the best coverage). */
  bestCovered: number;
  dropped: number;
  sampled: number;
}

/**
 * Gives the batch `docs[from, to)` (found in `owner`'s scanned slices, scores in `own`) its
 * full scores, group by group in score order; on large queries, after each group, documents
 * that can no longer reach the k-th best are dropped. Returns the end of the batch once
 * dropped documents are removed.
 */
export function lookUpBatch(run: Run, owner: Group, from: number, to: number): number {
  const { order, scratch: sc } = run;
  const steps = order.filter((g) => g === owner || unscannedBound(g) > 0);
  // What the groups from step s on can still add (the owner's part is per document).
  const restBound = new Float64Array(steps.length + 1);
  const restWeight = new Float64Array(steps.length + 1);
  for (let s = steps.length - 1; s >= 0; s--) {
    const g = steps[s] as Group;
    restBound[s] = (restBound[s + 1] as number) + (g === owner ? 0 : unscannedBound(g));
    restWeight[s] = (restWeight[s + 1] as number) + (g === owner ? 0 : g.weight);
  }
  const ownerRest = unscannedBound(owner);
  const batch: Batch = { docs: sc.docs, live: sc.live, size: to - from, bits: sc.batch, place: sc.place, matched: sc.matched };
  for (let j = from; j < to; j++) sc.live[j - from] = j;
  let ownerDone = false;
  // The most coverage a batch document can have so far (the owner's weight, and the groups added).
  let reach = owner.weight;
  for (let s = 0; s < steps.length; s++) {
    const g = steps[s] as Group;
    if (g === owner) {
      addOwner(run, batch, g, ownerRest > 0);
      ownerDone = true;
    } else {
      addProbed(run, batch, g);
      reach += g.weight;
    }
    if (!run.mayStop || s === steps.length - 1) continue;
    // Partial scores help only once a document can be sure to be a good match.
    const theta = reach >= run.sureBar ? partialKth(run, batch, owner, ownerDone) : run.best.kth();
    if (theta > 0) drop(run, batch, theta, owner, ownerRest, ownerDone, restBound[s + 1] as number, restWeight[s + 1] as number);
  }
  if (run.mayStop) {
    const { acc, covered, status, boosts } = sc;
    for (let p = 0; p < batch.size; p++) {
      const j = sc.live[p] as number;
      const c = covered[j] as number;
      if (status[j] === 0 && c >= run.sureBar) run.best.add((acc[j] as number) * (0.5 + c / run.total) * (boosts[j] as number));
    }
  }
  return compact(run, batch, from);
}

/** Adds the owner's scores, improved by its lists not scanned yet when there are some. */
function addOwner(run: Run, batch: Batch, g: Group, probeRest: boolean): void {
  const { acc, covered, masks, own, found } = run.scratch;
  if (probeRest) {
    const m = probe(run.walk, g, batch, found);
    for (let i = 0; i < m; i++) {
      const j = batch.matched[i] as number;
      if ((found[j] as number) > (own[j] as number)) own[j] = found[j] as number;
      found[j] = 0;
    }
  }
  const bit = 1 << g.index;
  const { live, size } = batch;
  for (let p = 0; p < size; p++) {
    const j = live[p] as number;
    acc[j] = (acc[j] as number) + (own[j] as number);
    masks[j] = (masks[j] as number) | bit;
    covered[j] = (covered[j] as number) + g.weight;
  }
}

/** Looks a group up for the batch and adds its scores. */
function addProbed(run: Run, batch: Batch, g: Group): void {
  const { acc, covered, masks, found } = run.scratch;
  const m = probe(run.walk, g, batch, found);
  const bit = 1 << g.index;
  const matched = batch.matched;
  for (let i = 0; i < m; i++) {
    const j = matched[i] as number;
    acc[j] = (acc[j] as number) + (found[j] as number);
    found[j] = 0;
    masks[j] = (masks[j] as number) | bit;
    covered[j] = (covered[j] as number) + g.weight;
  }
}

/**
 * The k-th best score so far, counting the batch's partial scores of documents sure to be good
 * matches: a lower bound of the final k-th best.
 */
function partialKth(run: Run, batch: Batch, owner: Group, ownerDone: boolean): number {
  const { acc, covered, own, status, boosts } = run.scratch;
  const kth = run.best.copy();
  const { live, size } = batch;
  const ownerWeight = ownerDone ? 0 : owner.weight;
  for (let p = 0; p < size; p++) {
    const j = live[p] as number;
    const c = (covered[j] as number) + ownerWeight;
    if (c < run.sureBar || status[j] !== 0) continue;
    const a = (acc[j] as number) + (ownerDone ? 0 : (own[j] as number));
    kth.add(a * (0.5 + c / run.total) * (boosts[j] as number));
  }
  return kth.kth();
}

/**
 * Drops the batch's documents whose score cannot reach `theta` (with `rb` and `rw` the bound
 * and weight of the groups still to add), all but the SAMPLE_EVERY-th, kept as a sample.
 */
function drop(run: Run, batch: Batch, theta: number, owner: Group, ownerRest: number, ownerDone: boolean, rb: number, rw: number): void {
  const { docs, acc, covered, own, status, boosts } = run.scratch;
  const { live, bits } = batch;
  const inv = 1 / run.total;
  const ownerWeight = ownerDone ? 0 : owner.weight;
  // With margin: the bound is worked out in another order than the scores.
  const bar = theta / (1 + 1e-9);
  let kept = 0;
  for (let p = 0; p < batch.size; p++) {
    const j = live[p] as number;
    if (status[j] === 0) {
      const a = (acc[j] as number) + (ownerDone ? 0 : Math.max(own[j] as number, ownerRest));
      const c = (covered[j] as number) + ownerWeight;
      if ((a + rb) * (0.5 + (c + rw) * inv) * (boosts[j] as number) < bar) {
        const doc = docs[j] as number;
        if (c > run.bestCovered) run.bestCovered = c;
        run.scratch.dropped[run.dropped++] = doc;
        if (doc % SAMPLE_EVERY === 0) {
          status[j] = 1;
          run.sampled++;
        } else {
          status[j] = 2;
          bits[doc >>> 5] = (bits[doc >>> 5] as number) & ~(1 << (doc & 31));
          continue;
        }
      }
    }
    live[kept++] = j;
  }
  batch.size = kept;
}

/** Moves the batch's remaining documents (in order) to `from` on, clears its bits; returns the new end. */
function compact(run: Run, batch: Batch, from: number): number {
  const { docs, acc, covered, masks, status, boosts, batch: bits } = run.scratch;
  const { live, size } = batch;
  let kept = from;
  for (let p = 0; p < size; p++) {
    const j = live[p] as number;
    const doc = docs[j] as number;
    bits[doc >>> 5] = 0;
    const c = covered[j] as number;
    if (c > run.bestCovered) run.bestCovered = c;
    if (kept !== j) {
      docs[kept] = doc;
      acc[kept] = acc[j] as number;
      covered[kept] = c;
      masks[kept] = masks[j] as number;
      status[kept] = status[j] as number;
      boosts[kept] = boosts[j] as number;
    }
    kept++;
  }
  return kept;
}

/**
 * What to scan next: the group, or a group's highest-bound slices alone, that lowers the most
 * an unseen document's score bound (and the question weight left) per posting it costs, so
 * that few, short lists end the search.
 */
export function nextToScan(order: readonly Group[], total: number): { group: Group; slices: Slice[] } | undefined {
  let leftBound = 0;
  let leftWeight = 0;
  for (const g of order) {
    const ub = unscannedBound(g);
    if (ub === 0) continue;
    leftBound += ub;
    leftWeight += g.weight;
  }
  const before = leftBound * (0.5 + leftWeight / total);
  let pick: { group: Group; slices: Slice[] } | undefined;
  let pickGain = -1;
  for (const g of order) {
    const ub = unscannedBound(g);
    if (ub === 0) continue;
    // A group's highest-bound lists alone (an acronym without its long form's common alias,
    // say) may lower the bound almost as much as the whole group, at a fraction of the cost.
    const slices = g.slices.filter((sl) => !sl.scanned).sort((a, b) => b.ub - a.ub);
    let cost = 0;
    for (let n = 1; n <= slices.length; n++) {
      cost += (slices[n - 1] as Slice).size;
      const all = n === slices.length;
      const rest = all ? 0 : (slices[n] as Slice).ub;
      const after = (leftBound - ub + rest) * (0.5 + (leftWeight - (all ? g.weight : 0)) / total);
      const gain = (before - after) / Math.max(1, cost);
      if (gain > pickGain) {
        pick = { group: g, slices: slices.slice(0, n) };
        pickGain = gain;
      }
    }
  }
  return pick;
}
