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

/** The MiniSearch store behind a PassageIndex. */
export class Engine extends MiniSearch<IndexDoc> {
  constructor() {
    super(engineOptions());
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
    return this._documentIds.has(shortId);
  }

  /** The external id of a live short id. */
  externalId(shortId: number): string | undefined {
    return this._documentIds.get(shortId) as string | undefined;
  }

  /** The short id of a live external id. */
  shortId(id: string): number | undefined {
    return this._idToShortId.get(id);
  }

  /** Unique-term length of a field for a document (0 when absent). */
  fieldLength(shortId: number, fieldId: number): number {
    return this._fieldLength.get(shortId)?.[fieldId] ?? 0;
  }

  fieldLengths(shortId: number): number[] | undefined {
    return this._fieldLength.get(shortId);
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

  /**
   * Rebuilds the internal state from a snapshot's parts, without re-analyzing any text.
   * `terms` must come sorted or not; SearchableMap accepts any order.
   */
  static restore(state: RestoreState): Engine {
    const engine = new Engine();
    engine._documentCount = state.documentIds.size;
    engine._nextId = state.nextId;
    engine._documentIds = state.documentIds;
    engine._idToShortId = new Map();
    for (const [shortId, id] of state.documentIds) engine._idToShortId.set(id, shortId);
    engine._fieldLength = state.fieldLength;
    engine._avgFieldLength = state.averageFieldLength;
    engine._dirtCount = 0;
    for (const [term, data] of state.terms) engine._index.set(term, data);
    return engine;
  }
}

/** What `Engine.restore` needs. */
export interface RestoreState {
  nextId: number;
  documentIds: Map<number, string>;
  fieldLength: Map<number, number[]>;
  averageFieldLength: number[];
  terms: Iterable<[string, FieldTermData]>;
}
