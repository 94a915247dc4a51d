import { FIELDS } from './engine.ts';

/**
 * An immutable, compact inverted index: sorted terms and, per term and field, a slice of
 * document numbers (ascending) with their term frequencies, all in typed arrays. It holds the
 * bulk of a large library (loaded from a snapshot without parsing, or compacted from the
 * MiniSearch engine after a build); documents can only be tombstoned. Typed arrays keep the
 * heap small and let queries walk postings without hash lookups or garbage.
 */

const NF = FIELDS.length;

/** The arrays a frozen segment is made of (also the snapshot's payload). */
export interface FrozenData {
  /** External document ids by document number. */
  docIds: string[];
  /** Unique-term field lengths by `doc * FIELDS.length + field`. */
  lengths: Float32Array;
  /** Index terms, sorted by code unit. */
  terms: string[];
  /** Postings start by `term * FIELDS.length + field`; one extra entry closes the last slice. */
  ptr: Uint32Array;
  docs: Uint32Array;
  tfs: Uint16Array;
  /**
   * The per-list bounds behind `listFrontier`, when worked out before (snapshots store them,
   * and search workers share them): worked out from the postings otherwise.
   */
  frontier?: Frontier;
}

/** Per list (`term * FIELDS.length + field`): shortest field length per term frequency, and the largest frequency. */
export interface Frontier {
  minLen: Float32Array;
  maxTf: Uint16Array;
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
/** Term frequencies from this one up share one pair in `listFrontier`. */
const FRONTIER_TF = 8;

export class FrozenSegment {
  readonly docIds: string[];
  readonly lengths: Float32Array;
  readonly terms: string[];
  readonly ptr: Uint32Array;
  readonly docs: Uint32Array;
  readonly tfs: Uint16Array;
  /** 1 while a document is live; removal only clears it. */
  readonly live: Uint8Array;
  /**
   * Field lengths again, one contiguous array per field (`fieldLengths[field][doc]`), so a
   * walk over one field's postings reads a quarter of the memory; 16-bit when every length
   * fits (they are word counts), else 32-bit floats.
   */
  readonly fieldLengths: readonly (Uint16Array | Float32Array)[];
  readonly #termIndex = new Map<string, number>();
  /**
   * Per list (`term * FIELDS.length + field`): the shortest field length among its documents
   * with each term frequency from 1 to FRONTIER_TF (that one standing for all higher ones),
   * Infinity when none, and the largest frequency (see `listFrontier`).
   */
  readonly #minLen: Float32Array;
  readonly #maxTf: Uint16Array;
  #idIndex: Map<string, number> | undefined;
  #liveCount: number;
  #avg: number[];

  constructor(data: FrozenData) {
    this.docIds = data.docIds;
    this.lengths = data.lengths;
    this.terms = data.terms;
    this.ptr = data.ptr;
    this.docs = data.docs;
    this.tfs = data.tfs;
    this.live = new Uint8Array(data.docIds.length).fill(1);
    this.#liveCount = data.docIds.length;
    for (let i = 0; i < data.terms.length; i++) this.#termIndex.set(data.terms[i] as string, i);
    this.fieldLengths = splitLengths(data.lengths, data.docIds.length);
    const known = data.frontier;
    const fits = known && known.minLen.length === data.terms.length * NF * FRONTIER_TF && known.maxTf.length === data.terms.length * NF;
    ({ minLen: this.#minLen, maxTf: this.#maxTf } = fits ? known : frontiers(this, data.terms.length));
    this.#avg = FIELDS.map((_, f) => {
      let sum = 0;
      for (let d = 0; d < this.docIds.length; d++) sum += this.lengths[d * NF + f] as number;
      return this.docIds.length ? sum / this.docIds.length : 0;
    });
  }

  static empty(): FrozenSegment {
    return new FrozenSegment({
      docIds: [],
      lengths: new Float32Array(0),
      terms: [],
      ptr: new Uint32Array(1),
      docs: new Uint32Array(0),
      tfs: new Uint16Array(0),
    });
  }

  /** The arrays this segment was made from (tombstones are not part of them). */
  get data(): FrozenData {
    return {
      docIds: this.docIds,
      lengths: this.lengths,
      terms: this.terms,
      ptr: this.ptr,
      docs: this.docs,
      tfs: this.tfs,
      frontier: { minLen: this.#minLen, maxTf: this.#maxTf },
    };
  }

  /** Number of document numbers (live or not). */
  get size(): number {
    return this.docIds.length;
  }

  get liveCount(): number {
    return this.#liveCount;
  }

  /** Average field length over the segment's documents. */
  averageFieldLength(field: number): number {
    return this.#avg[field] ?? 0;
  }

  /** Ordinal of an exact term, or undefined. */
  term(term: string): number | undefined {
    return this.#termIndex.get(term);
  }

  /** `[start, end)` of a term's postings in one field. */
  start(term: number, field: number): number {
    return this.ptr[term * NF + field] as number;
  }

  end(term: number, field: number): number {
    return this.ptr[term * NF + field + 1] as number;
  }

  /** Documents (live or not) holding the term in its most frequent field. */
  df(term: number): number {
    let df = 0;
    for (let f = 0; f < NF; f++) df = Math.max(df, this.end(term, f) - this.start(term, f));
    return df;
  }

  /**
   * The shortest field length per term frequency in one postings list, as `[tf, length, …]`
   * pairs (worked out for every list on load). BM25 grows with the frequency and shrinks with
   * the length, so the best of these pairs is the list's highest score whatever the average
   * length. Frequencies from FRONTIER_TF up share one pair (the largest frequency, the shortest
   * length among them), which can only overstate. Tombstones only remove documents, so the
   * pairs stay an upper bound.
   */
  listFrontier(term: number, field: number): number[] {
    const at = term * NF + field;
    const out: number[] = [];
    for (let t = 1; t <= FRONTIER_TF; t++) {
      const len = this.#minLen[at * FRONTIER_TF + t - 1] as number;
      if (len !== Number.POSITIVE_INFINITY) out.push(t === FRONTIER_TF ? (this.#maxTf[at] as number) : t, len);
    }
    return out;
  }

  /** Whether `doc` holds the term in `field` (binary search). Returns the tf, or 0. */
  tfOf(term: number, field: number, doc: number): number {
    let lo = this.start(term, field);
    let hi = this.end(term, field) - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const d = this.docs[mid] as number;
      if (d === doc) return this.tfs[mid] as number;
      if (d < doc) lo = mid + 1;
      else hi = mid - 1;
    }
    return 0;
  }

  /** Terms that start with `prefix` (itself included), as `[term, ordinal]`, at most `max`. */
  *prefixed(prefix: string, max = 2000): Generator<[string, number]> {
    let lo = 0;
    let hi = this.terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((this.terms[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    for (let i = lo, n = 0; i < this.terms.length && n < max; i++, n++) {
      const t = this.terms[i] as string;
      if (!t.startsWith(prefix)) return;
      yield [t, i];
    }
  }

  /**
   * Terms exactly one edit (insert, delete, substitute, swap) away from `term`, in a fixed
   * order (by position, then deletion, swap, and per letter insertion then substitution).
   * Where few index terms share the letters before the edit, those are compared directly
   * instead of looking every candidate spelling up.
   */
  near1(term: string): [string, number][] {
    const out = new Map<string, number>();
    const chars = [...new Set(ALPHABET + term)];
    const probe = (candidate: string): void => {
      if (candidate === term || out.has(candidate)) return;
      const ord = this.#termIndex.get(candidate);
      if (ord !== undefined) out.set(candidate, ord);
    };
    let rank: Map<string, number> | undefined;
    for (let i = 0; i <= term.length; i++) {
      const head = term.slice(0, i);
      const tail = term.slice(i);
      if (tail) probe(head + tail.slice(1));
      if (tail.length > 1) probe(head + (tail[1] as string) + (tail[0] as string) + tail.slice(2));
      const [lo, hi] = this.#prefixRange(head);
      if (hi - lo > 4 * chars.length) {
        for (const c of chars) {
          probe(head + c + tail);
          if (tail) probe(head + c + tail.slice(1));
        }
        continue;
      }
      // Terms starting with `head`, one letter longer ending in `tail` (insertions) or as long
      // ending in the rest of `tail` (substitutions), by the letter at `i`.
      rank ??= new Map(chars.map((c, r) => [c, r]));
      const inserted: (string | undefined)[] = [];
      const substituted: (string | undefined)[] = [];
      const rest = tail.slice(1);
      for (let k = lo; k < hi; k++) {
        const t = this.terms[k] as string;
        const r = rank.get(t[i] as string);
        if (r === undefined) continue;
        if (t.length === term.length + 1 && t.endsWith(tail)) inserted[r] = t;
        else if (tail && t.length === term.length && t.endsWith(rest)) substituted[r] = t;
      }
      for (let r = 0; r < chars.length; r++) {
        const ins = inserted[r];
        if (ins !== undefined) probe(ins);
        const sub = substituted[r];
        if (sub !== undefined) probe(sub);
      }
    }
    return [...out];
  }

  /** `[lo, hi)` of the sorted terms that start with `prefix`. */
  #prefixRange(prefix: string): [number, number] {
    const terms = this.terms;
    let lo = 0;
    let hi = terms.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((terms[mid] as string) < prefix) lo = mid + 1;
      else hi = mid;
    }
    let a = lo;
    let b = terms.length;
    while (a < b) {
      const mid = (a + b) >>> 1;
      if ((terms[mid] as string).startsWith(prefix)) a = mid + 1;
      else b = mid;
    }
    return [lo, a];
  }

  /** Document number of an external id, or undefined. */
  localId(id: string): number | undefined {
    if (!this.#idIndex) {
      this.#idIndex = new Map();
      for (let i = 0; i < this.docIds.length; i++) this.#idIndex.set(this.docIds[i] as string, i);
    }
    return this.#idIndex.get(id);
  }

  /** Tombstones a document. */
  kill(doc: number): void {
    if (this.live[doc] !== 1) return;
    this.live[doc] = 0;
    this.#liveCount--;
  }
}

/** Per-field copies of interleaved field lengths (16-bit when all are small whole numbers). */
function splitLengths(lengths: Float32Array, docs: number): (Uint16Array | Float32Array)[] {
  let small = true;
  for (let i = 0; i < docs * NF && small; i++) {
    const l = lengths[i] as number;
    if (!(l >= 0 && l < 65536 && Math.floor(l) === l)) small = false;
  }
  return FIELDS.map((_, f) => {
    const out = small ? new Uint16Array(docs) : new Float32Array(docs);
    for (let d = 0; d < docs; d++) out[d] = lengths[d * NF + f] as number;
    return out;
  });
}

/** The arrays behind `listFrontier`, in one pass over the postings (on shared memory, for search workers). */
function frontiers(seg: FrozenSegment, terms: number): Frontier {
  const minLen = new Float32Array(new SharedArrayBuffer(terms * NF * FRONTIER_TF * 4)).fill(Number.POSITIVE_INFINITY);
  const maxTf = new Uint16Array(new SharedArrayBuffer(terms * NF * 2));
  const { docs, tfs } = seg;
  for (let f = 0; f < NF; f++) {
    const lens = seg.fieldLengths[f] as Uint16Array;
    for (let t = 0; t < terms; t++) {
      const at = t * NF + f;
      const slots = at * FRONTIER_TF - 1;
      let top = 0;
      for (let i = seg.start(t, f), end = seg.end(t, f); i < end; i++) {
        const tf = tfs[i] as number;
        if (tf > top) top = tf;
        const slot = slots + Math.min(tf, FRONTIER_TF);
        const len = lens[docs[i] as number] as number;
        if (len < (minLen[slot] as number)) minLen[slot] = len;
      }
      maxTf[at] = top;
    }
  }
  return { minLen, maxTf };
}
