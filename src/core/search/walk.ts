import { FIELDS } from './engine.ts';
import { type Batch, D, type Group, K, K1B, lowerBound, type Slice, type Walk } from './postings.ts';

/**
 * The loops over postings lists: a full scan that finds new documents, lookups of documents
 * already found, and a scan of sample windows.
 */

const NF = FIELDS.length;

const has = (bits: Int32Array, doc: number): boolean => ((bits[doc >>> 5] as number) & (1 << (doc & 31))) !== 0;

/**
 * Scans every posting of some slices (of one group) for documents no earlier batch found,
 * appending each once to `batch.docs` from place `at` on (best score among the slices in
 * `own`, place in `batch.place`, bits set in `walk.seen` and `batch.bits`). Returns the new
 * end. The slices are then marked scanned.
 */
export function scanNew(walk: Walk, slices: readonly Slice[], batch: Batch, own: Float64Array, at: number): number {
  const { frozen, base, allLive, eLive, eLens, seen, filter } = walk;
  const { docs, bits, place } = batch;
  const fDocs = frozen.docs;
  const fTfs = frozen.tfs;
  const fLive = frozen.live;
  let x = at;
  for (const sl of slices) {
    const { w, kAvg, start, end, lens } = sl;
    for (let i = start; i < end; i++) {
      const doc = fDocs[i] as number;
      const word = doc >>> 5;
      const bit = 1 << (doc & 31);
      const known = ((seen[word] as number) & bit) !== 0;
      if (known && ((bits[word] as number) & bit) === 0) continue;
      if (!known && ((!allLive && fLive[doc] !== 1) || (filter && filter.docArticle[doc] !== filter.article))) continue;
      const tf = fTfs[i] as number;
      const s = w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (lens[doc] as number)));
      if (known) {
        const j = place[doc] as number;
        if (s > (own[j] as number)) own[j] = s;
        continue;
      }
      seen[word] = (seen[word] as number) | bit;
      bits[word] = (bits[word] as number) | bit;
      place[doc] = x;
      docs[x] = doc;
      own[x++] = s;
    }
    if (sl.live && sl.live.size > 0) {
      for (const [sid, tf] of sl.live) {
        const doc = base + sid;
        const inBatch = has(bits, doc);
        if (eLive[sid] !== 1 || (!inBatch && has(seen, doc))) continue;
        if (filter && filter.docArticle[doc] !== filter.article) continue;
        const s = w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (eLens[sid * NF + sl.field] as number)));
        if (inBatch) {
          const j = place[doc] as number;
          if (s > (own[j] as number)) own[j] = s;
          continue;
        }
        seen[doc >>> 5] = (seen[doc >>> 5] as number) | (1 << (doc & 31));
        bits[doc >>> 5] = (bits[doc >>> 5] as number) | (1 << (doc & 31));
        place[doc] = x;
        docs[x] = doc;
        own[x++] = s;
      }
    }
  }
  for (const sl of slices) sl.scanned = true;
  return x;
}

/**
 * Looks the group's slices not scanned yet up for a batch (frozen documents by a galloping
 * merge when the batch is small next to a list, else by one pass over the list against the
 * batch's bits; live documents in the engine's maps). The best score of the document at place
 * j goes to `scores[j]` (which must start at 0). Returns how many places were matched.
 */
export function probe(walk: Walk, group: Group, batch: Batch, scores: Float64Array): number {
  const { frozen, base, eLens } = walk;
  const { docs, live: places, size, bits, place, matched } = batch;
  const fDocs = frozen.docs;
  const fTfs = frozen.tfs;
  let m = 0;
  for (const sl of group.slices) {
    if (sl.scanned) continue;
    const { w, kAvg, start, end, lens } = sl;
    if (end > start && size * 16 < end - start) {
      // A smaller document number than the last starts a new run: back to the list's head.
      let i = start;
      let last = -1;
      for (let p = 0; p < size; p++) {
        const j = places[p] as number;
        const doc = docs[j] as number;
        if (doc >= base) continue;
        if (doc < last) i = start;
        last = doc;
        if (i >= end) continue;
        if ((fDocs[i] as number) < doc) {
          let lo = i;
          let step = 1;
          while (lo + step < end && (fDocs[lo + step] as number) < doc) {
            lo += step;
            step *= 2;
          }
          i = lowerBound(fDocs, lo + 1, Math.min(lo + step, end), doc);
          if (i >= end) continue;
        }
        if (fDocs[i] === doc) {
          const tf = fTfs[i] as number;
          const s = w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (lens[doc] as number)));
          const prev = scores[j] as number;
          if (prev === 0) matched[m++] = j;
          if (s > prev) scores[j] = s;
        }
      }
    } else {
      for (let i = start; i < end; i++) {
        const doc = fDocs[i] as number;
        if (((bits[doc >>> 5] as number) & (1 << (doc & 31))) === 0) continue;
        const j = place[doc] as number;
        const tf = fTfs[i] as number;
        const s = w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (lens[doc] as number)));
        const prev = scores[j] as number;
        if (prev === 0) matched[m++] = j;
        if (s > prev) scores[j] = s;
      }
    }
    const liveList = sl.live;
    if (liveList && liveList.size > 0) {
      for (let p = 0; p < size; p++) {
        const j = places[p] as number;
        const doc = docs[j] as number;
        const tf = doc >= base ? liveList.get(doc - base) : undefined;
        if (tf === undefined) continue;
        const s = w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (eLens[(doc - base) * NF + sl.field] as number)));
        const prev = scores[j] as number;
        if (prev === 0) matched[m++] = j;
        if (s > prev) scores[j] = s;
      }
    }
  }
  return m;
}

/**
 * Scans a group's slices not scanned yet for the documents not found yet in the windows
 * `[starts[i], starts[i] + width)` (ascending, not overlapping): a sample of the documents
 * an early stop left unscored. Matched documents go to `walk.out`, scores to `walk.best`.
 */
export function scanWindows(walk: Walk, group: Group, starts: Int32Array, width: number): number {
  const { frozen, base, allLive, eLive, eLens, best, seen, out } = walk;
  const fDocs = frozen.docs;
  const fTfs = frozen.tfs;
  const fLive = frozen.live;
  let x = 0;
  for (const sl of group.slices) {
    if (sl.scanned) continue;
    const { w, kAvg, end, lens } = sl;
    let i = sl.start;
    for (let win = 0; win < starts.length && i < end; win++) {
      const lo = starts[win] as number;
      if (lo >= base) break;
      const hi = lo + width;
      if ((fDocs[i] as number) < lo) {
        let a = i;
        let step = 1;
        while (a + step < end && (fDocs[a + step] as number) < lo) {
          a += step;
          step *= 2;
        }
        i = lowerBound(fDocs, a + 1, Math.min(a + step, end), lo);
      }
      for (; i < end; i++) {
        const doc = fDocs[i] as number;
        if (doc >= hi) break;
        if (has(seen, doc) || (!allLive && fLive[doc] !== 1)) continue;
        const tf = fTfs[i] as number;
        x = visit(best, out, x, doc, w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (lens[doc] as number))));
      }
    }
    if (sl.live && sl.live.size > 0) {
      for (const [sid, tf] of sl.live) {
        const doc = base + sid;
        if (eLive[sid] !== 1 || has(seen, doc)) continue;
        // The last window starting at or before `doc`.
        let a = 0;
        let b = starts.length;
        while (a < b) {
          const m = (a + b) >>> 1;
          if ((starts[m] as number) <= doc) a = m + 1;
          else b = m;
        }
        if (a === 0 || doc >= (starts[a - 1] as number) + width) continue;
        x = visit(best, out, x, doc, w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (eLens[sid * NF + sl.field] as number))));
      }
    }
  }
  return x;
}

/** Records a match of `doc` scoring `s` in the current group; returns the new match count. */
function visit(best: Float64Array, out: Int32Array, x: number, doc: number, s: number): number {
  const prev = best[doc] as number;
  if (s > prev) best[doc] = s;
  if (prev !== 0) return x;
  out[x] = doc;
  return x + 1;
}
