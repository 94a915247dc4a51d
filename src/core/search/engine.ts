import MiniSearch, { type Options } from 'minisearch';

/**
 * MiniSearch with read access to the parts of its index the passage search scores itself:
 * postings per term and field, field lengths, and live document ids. MiniSearch stays the
 * store (add, discard, vacuum, the radix tree for prefix and fuzzy lookups); scoring is done
 * here with typed arrays and a bounded top-k, because MiniSearch scores and sorts every
 * match (see PLATFORM.md).
 */

/** One indexed document: pre-analyzed terms, space-joined, per field. */
export interface IndexDoc {
  id: string;
  text: string;
  alias: string;
  sources: string;
  context: string;
}

/** Field names in id order; the snapshot stores postings by this order. */
export const FIELDS = ['text', 'alias', 'sources', 'context'] as const;
export type FieldName = (typeof FIELDS)[number];

/** term postings: field id -> (short doc id -> term frequency). */
export type FieldTermData = Map<number, Map<number, number>>;

const splitTerms = (text: string): string[] => (text ? text.split(' ') : []);

/** MiniSearch options for pre-analyzed documents (tokenize = split on single spaces). */
export function engineOptions(): Options<IndexDoc> {
  return {
    fields: [...FIELDS],
    idField: 'id',
    storeFields: [],
    tokenize: splitTerms,
    processTerm: (term) => term || null,
    autoVacuum: { minDirtCount: 200, minDirtFactor: 0.1, batchSize: 2000, batchWait: 5 },
  };
}

const NF = FIELDS.length;

/** The MiniSearch store behind a PassageIndex. */
export class Engine extends MiniSearch<IndexDoc> {
  /** 1 for live short ids: scoring reads this instead of MiniSearch's maps. */
  #live = new Uint8Array(1024);
  /** Field lengths by `shortId * FIELDS.length + fieldId`. */
  #lengths = new Float32Array(1024 * NF);

  constructor() {
    super(engineOptions());
  }

  override add(document: IndexDoc): void {
    super.add(document);
    const shortId = this._idToShortId.get(document.id) as number;
    this.#setDoc(shortId, this._fieldLength.get(shortId) ?? []);
  }

  override discard(id: string): void {
    const shortId = this._idToShortId.get(id);
    super.discard(id);
    if (shortId !== undefined) this.#live[shortId] = 0;
  }

  #setDoc(shortId: number, lengths: readonly number[]): void {
    if (shortId >= this.#live.length) {
      const size = Math.max(shortId + 1, this.#live.length * 2);
      const live = new Uint8Array(size);
      live.set(this.#live);
      this.#live = live;
      const lens = new Float32Array(size * NF);
      lens.set(this.#lengths);
      this.#lengths = lens;
    }
    this.#live[shortId] = 1;
    for (let f = 0; f < NF; f++) this.#lengths[shortId * NF + f] = lengths[f] ?? 0;
  }

  /** Live flags by short id (read only). */
  get liveFlags(): Uint8Array {
    return this.#live;
  }

  /** Field lengths by `shortId * FIELDS.length + fieldId` (read only). */
  get lengthTable(): Float32Array {
    return this.#lengths;
  }

  /** Postings of one exact term, or undefined. */
  postings(term: string): FieldTermData | undefined {
    return this._index.get(term) as FieldTermData | undefined;
  }

  /** Terms starting with `prefix` (the prefix itself included) and their postings. */
  withPrefix(prefix: string): Iterable<[string, FieldTermData]> {
    return this._index.atPrefix(prefix) as unknown as Iterable<[string, FieldTermData]>;
  }

  /** Terms within `distance` edits of `term`, with their postings and distance. */
  near(term: string, distance: number): Map<string, [FieldTermData, number]> {
    return this._index.fuzzyGet(term, distance) as Map<string, [FieldTermData, number]>;
  }

  /** Whether a short id is a live (not discarded) document. */
  isLive(shortId: number): boolean {
    return this.#live[shortId] === 1;
  }

  /** The external id of a live short id. */
  externalId(shortId: number): string | undefined {
    return this._documentIds.get(shortId) as string | undefined;
  }

  /** The short id of a live external id. */
  shortId(id: string): number | undefined {
    return this._idToShortId.get(id);
  }

  averageFieldLength(fieldId: number): number {
    return this._avgFieldLength[fieldId] ?? 0;
  }

  /** One more than the largest short id ever given out. */
  get nextShortId(): number {
    return this._nextId;
  }

  /** Every live `[shortId, externalId]`. */
  liveDocuments(): IterableIterator<[number, string]> {
    return this._documentIds.entries() as IterableIterator<[number, string]>;
  }

  /** Every `[term, postings]` in the index (discarded documents may still appear until vacuumed). */
  allTerms(): Iterable<[string, FieldTermData]> {
    return this._index as unknown as Iterable<[string, FieldTermData]>;
  }
}
