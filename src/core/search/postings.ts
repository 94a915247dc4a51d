import { FIELDS } from './engine.ts';
import type { FrozenSegment } from './frozen.ts';
import { idf, type Segments, type Variant } from './variants.ts';

/**
 * The postings a query walks, grouped by query group, with upper bounds on what a list can
 * still add to a score; the loops that walk them are in walk.ts.
 */

export const K = 1.2;
export const B = 0.7;
export const D = 0.5;
const NF = FIELDS.length;
/** `K * (1 - B)`, the constant part of the BM25 length norm. */
export const K1B = K * (1 - B);

/**
 * A score multiplier by kind of document, for global document numbers: `bits` has a bit set for
 * each document scored other than 1, whose multiplier is `factors[classes[doc]]`. Most documents
 * are passages (factor 1): for them one bit is read, as when key points were the only kind.
 */
export interface DocBoost {
  bits: Int32Array;
  classes: Uint8Array;
  factors: Float64Array;
}

/** The multiplier of one document. */
export function boostOf(boost: DocBoost | undefined, doc: number): number {
  if (!boost || ((boost.bits[doc >>> 5] as number) & (1 << (doc & 31))) === 0) return 1;
  return boost.factors[boost.classes[doc] as number] as number;
}

/** The largest multiplier any document can have (at least 1). */
export function maxBoostOf(boost: DocBoost | undefined): number {
  let max = 1;
  if (boost) for (const f of boost.factors) if (f > max) max = f;
  return max;
}

/** One variant's postings in one field, with its BM25 weight. */
export interface Slice {
  /** `variant weight * field boost * idf`. */
  w: number;
  /** `K * B / average field length`. */
  kAvg: number;
  /** Frozen postings `[start, end)` (empty when the term is not frozen). */
  start: number;
  end: number;
  /** Frozen field lengths by document number. */
  lens: Uint16Array | Float32Array;
  /** Live postings (engine short id -> tf) and field lengths by `shortId * FIELDS.length + field`. */
  live: Map<number, number> | undefined;
  field: number;
  /** Upper bound on any score this slice gives. */
  ub: number;
  /** Postings in the slice. */
  size: number;
  /** Set once the slice has been scanned: every document in it has been found. */
  scanned: boolean;
}

/** A query group's postings and its question weight (IDF). */
export interface Group {
  index: number;
  weight: number;
  slices: Slice[];
}

/** The most a document none of the scanned slices holds can get from a group (0: nothing left). */
export function unscannedBound(group: Group): number {
  let ub = 0;
  for (const sl of group.slices) if (!sl.scanned && sl.ub > ub) ub = sl.ub;
  return ub;
}

/** What the loops read: the segments' arrays and the scratch arrays of this query. */
export interface Walk {
  frozen: FrozenSegment;
  base: number;
  allLive: boolean;
  eLive: Uint8Array;
  eLens: Float32Array;
  /** Best score in the group being scanned, by document number (0 when none; left at 0). */
  best: Float64Array;
  /** Bit per document found by any group so far. */
  seen: Int32Array;
  /** Where a scan lists the documents it matched (each once). */
  out: Int32Array;
  filter: { docArticle: Int32Array; article: number } | undefined;
}

/** First index in `docs[lo, hi)` holding a document number `>= doc`. */
export function lowerBound(docs: Uint32Array, lo: number, hi: number, doc: number): number {
  let a = lo;
  let b = hi;
  while (a < b) {
    const mid = (a + b) >>> 1;
    if ((docs[mid] as number) < doc) a = mid + 1;
    else b = mid;
  }
  return a;
}

/**
 * Whether a variant's term occurs in a live document the search may return: with a `filter`,
 * one of that article's (its frozen range, or its live documents); without, any.
 */
export function variantReaches(
  seg: Segments,
  v: Variant,
  filter: { docArticle: Int32Array; article: number; range?: [number, number] } | undefined,
): boolean {
  const { frozen, engine } = seg;
  if (v.ford !== undefined) {
    const allLive = frozen.liveCount === frozen.size;
    const [lo, hi] = filter ? (filter.range ?? [0, 0]) : [0, frozen.size];
    for (let f = 0; f < NF; f++) {
      const end = frozen.end(v.ford, f);
      for (let i = lowerBound(frozen.docs, frozen.start(v.ford, f), end, lo); i < end; i++) {
        const doc = frozen.docs[i] as number;
        if (doc >= hi) break;
        if (allLive || frozen.live[doc] === 1) return true;
      }
    }
  }
  if (v.live) {
    for (const list of v.live.values()) {
      for (const sid of list.keys()) {
        if (engine.isLive(sid) && (!filter || filter.docArticle[frozen.size + sid] === filter.article)) return true;
      }
    }
  }
  return false;
}

/**
 * Groups with their postings per variant and field. `range` limits frozen postings to
 * documents `[lo, hi)` (one article); weights still come from the whole lists.
 */
export function groupsOf(
  seg: Segments,
  groupCount: number,
  variants: readonly Variant[],
  weights: readonly number[],
  fieldBoosts: readonly number[],
  range: [number, number] | undefined,
): Group[] {
  const { frozen, engine } = seg;
  const n = Math.max(frozen.liveCount + engine.documentCount, 1);
  const avgLength = FIELDS.map(
    (_, f) => (frozen.averageFieldLength(f) * frozen.liveCount + engine.averageFieldLength(f) * engine.documentCount) / n || 1,
  );
  const groups: Group[] = Array.from({ length: groupCount }, (_, index) => ({
    index,
    weight: weights[index] as number,
    slices: [],
  }));
  for (const v of variants) {
    const group = groups[v.group] as Group;
    for (let f = 0; f < NF; f++) {
      const boost = fieldBoosts[f] ?? 0;
      let start = v.ford === undefined ? 0 : frozen.start(v.ford, f);
      let end = v.ford === undefined ? 0 : frozen.end(v.ford, f);
      const live = v.live?.get(f);
      const df = end - start + (live?.size ?? 0);
      if (boost <= 0 || df === 0) continue;
      const w = v.weight * boost * idf(df, n);
      const kAvg = (K * B) / (avgLength[f] as number);
      let ub = 0;
      if (end > start && v.ford !== undefined) {
        const pairs = frozen.listFrontier(v.ford, f);
        for (let p = 0; p < pairs.length; p += 2) {
          const tf = pairs[p] as number;
          ub = Math.max(ub, w * (D + (tf * (K + 1)) / (tf + K1B + kAvg * (pairs[p + 1] as number))));
        }
      }
      if (live && live.size > 0) ub = Math.max(ub, w * (D + K + 1));
      if (range) {
        start = lowerBound(frozen.docs, start, end, range[0]);
        end = lowerBound(frozen.docs, start, end, range[1]);
      }
      const size = end - start + (live?.size ?? 0);
      group.slices.push({ w, kAvg, start, end, lens: frozen.fieldLengths[f] as Uint16Array, live, field: f, ub, size, scanned: false });
    }
  }
  return groups;
}

/** The documents a group is looked up for: some places of the found list. */
export interface Batch {
  /** Document number by place. */
  docs: Int32Array;
  /** The places looked up, `live[0, size)`: runs of ascending document numbers. */
  live: Int32Array;
  size: number;
  /** Bit per document looked up, by document number. */
  bits: Int32Array;
  /** Place of each document looked up, by document number. */
  place: Int32Array;
  /** Where `probe` lists the places it found a match for (each once). */
  matched: Int32Array;
}
