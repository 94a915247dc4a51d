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
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export class FrozenSegment {
  readonly docIds: string[];
  readonly lengths: Float32Array;
  readonly terms: string[];
  readonly ptr: Uint32Array;
  readonly docs: Uint32Array;
  readonly tfs: Uint16Array;
  /** 1 while a document is live; removal only clears it. */
  readonly live: Uint8Array;
  readonly #termIndex = new Map<string, number>();
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

  /** Terms exactly one edit (insert, delete, substitute, swap) away from `term`. */
  near1(term: string): [string, number][] {
    const out = new Map<string, number>();
    const chars = new Set(ALPHABET + term);
    const probe = (candidate: string): void => {
      if (candidate === term || out.has(candidate)) return;
      const ord = this.#termIndex.get(candidate);
      if (ord !== undefined) out.set(candidate, ord);
    };
    for (let i = 0; i <= term.length; i++) {
      const head = term.slice(0, i);
      const tail = term.slice(i);
      if (tail) probe(head + tail.slice(1));
      if (tail.length > 1) probe(head + (tail[1] as string) + (tail[0] as string) + tail.slice(2));
      for (const c of chars) {
        probe(head + c + tail);
        if (tail) probe(head + c + tail.slice(1));
      }
    }
    return [...out];
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
