import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Library, SearchOffload } from '../core/library.ts';
import type { FrozenData } from '../core/search/frozen.ts';
import { type IndexState, PassageIndex } from '../core/search/passage-index.ts';
import type { SearchOptions, SearchResult } from '../core/search/types.ts';
import type { Logger } from '../logger.ts';
import type { FromWorker, ToWorker } from './search-worker.ts';
import { startWorker } from './start-worker.ts';

/**
 * Search workers: copies of the passage index on worker threads, so that `/ask` searches on a
 * large library run beside the thread that talks to Slack and Discord instead of on it. The
 * frozen postings (the bulk of the index) sit on a SharedArrayBuffer that every copy reads in
 * place; each worker holds its own article texts and live segment. Adds and removes reach the
 * workers in order before any later search. Until a worker is ready, after it crashes, and
 * once the pool is closed, searches run on this thread; a crashed worker is restarted.
 *
 * @example
 * const pool = SearchPool.start(library, { workers: 1, logger });
 * await askQuestion(library, 'What did Japarov call for?'); // searched on the worker
 * await pool.close();
 */

export interface SearchPoolOptions {
  /** Worker threads to start (at least 1). */
  workers: number;
  logger: Logger;
  /** First delay before restarting a crashed worker; doubles per crash in a row, up to a minute. */
  restartDelayMs?: number;
}

/** How many search workers `SEARCH_WORKERS=auto` starts for an index of `documents`. */
export function autoWorkerCount(documents: number, cores = availableParallelism()): number {
  // Below this searches are short enough that handing them over would cost about what it saves.
  if (documents < 20_000 || cores < 2) return 0;
  return Math.min(4, cores - 1);
}

interface Job {
  query: string;
  options: SearchOptions | undefined;
  resolve: (result: SearchResult) => void;
  reject: (error: unknown) => void;
}

interface Slot {
  n: number;
  worker: Worker;
  ready: boolean;
  pending: Map<number, Job>;
}

const ENTRY = new URL('./search-worker.ts', import.meta.url);
const MAX_RESTART_DELAY_MS = 60_000;

export class SearchPool implements SearchOffload {
  readonly #index: PassageIndex;
  readonly #logger: Logger;
  readonly #slots: Slot[] = [];
  readonly #restartDelayMs: number;
  readonly #detach: () => void;
  readonly #crashes: number[] = [];
  #nextId = 1;
  #closed = false;
  readonly #counts = { onWorkers: 0, onMainThread: 0, restarts: 0 };
  #readyWaiters: (() => void)[] = [];

  private constructor(library: Library, options: SearchPoolOptions) {
    if (!(library.index instanceof PassageIndex)) throw new TypeError('Search workers need the library to use a PassageIndex.');
    if (!Number.isInteger(options.workers) || options.workers < 1)
      throw new RangeError(`Search workers: expected a whole number of at least 1, got ${options.workers}.`);
    this.#index = library.index;
    this.#logger = options.logger;
    this.#restartDelayMs = options.restartDelayMs ?? 1_000;
    // Attached first, so a library that already has an offload starts no thread; the copies
    // are taken in the same turn, so no change can fall between the two.
    this.#detach = library.attachOffload(this);
    try {
      for (let n = 0; n < options.workers; n++) {
        this.#crashes.push(0);
        this.#slots.push(this.#spawn(n));
      }
    } catch (error) {
      this.#closed = true;
      this.#detach();
      for (const slot of this.#slots) void slot.worker.terminate();
      throw error;
    }
  }

  /** Starts `workers` workers with copies of the library's index and attaches them to it. */
  static start(library: Library, options: SearchPoolOptions): SearchPool {
    return new SearchPool(library, options);
  }

  /** Workers ready to search. */
  get readyCount(): number {
    return this.#slots.filter((s) => s.ready).length;
  }

  /** Workers, how many are ready, where searches ran, and restarts after crashes. */
  get stats(): { workers: number; ready: number; onWorkers: number; onMainThread: number; restarts: number } {
    return { workers: this.#slots.length, ready: this.readyCount, ...this.#counts };
  }

  /** The worker threads (for tests and diagnostics). */
  get threads(): readonly Worker[] {
    return this.#slots.map((s) => s.worker);
  }

  /** Resolves once every worker has loaded its copy (or the pool was closed). */
  async ready(): Promise<void> {
    while (!this.#closed && this.readyCount < this.#slots.length) {
      await new Promise<void>((resolve) => this.#readyWaiters.push(resolve));
    }
  }

  addArticle(article: Parameters<SearchOffload['addArticle']>[0]): void {
    this.#broadcast({ type: 'add', article });
  }

  removeArticle(articleId: string): void {
    this.#broadcast({ type: 'remove', articleId });
  }

  search(query: string, options?: SearchOptions): Promise<SearchResult> {
    let slot: Slot | undefined;
    for (const s of this.#slots) if (s.ready && (!slot || s.pending.size < slot.pending.size)) slot = s;
    if (!slot) return this.#searchHere(query, options);
    this.#counts.onWorkers++;
    const id = this.#nextId++;
    const chosen = slot;
    const promise = new Promise<SearchResult>((resolve, reject) => chosen.pending.set(id, { query, options, resolve, reject }));
    this.#post(slot, { type: 'search', id, query, ...(options ? { options } : {}) });
    return promise;
  }

  /** Stops the workers; searches still pending finish on this thread. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#detach();
    this.#wakeReadyWaiters();
    await Promise.all(this.#slots.map((s) => s.worker.terminate()));
  }

  #searchHere(query: string, options: SearchOptions | undefined): Promise<SearchResult> {
    this.#counts.onMainThread++;
    try {
      return Promise.resolve(this.#index.search(query, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #settleHere(job: Job): void {
    this.#searchHere(job.query, job.options).then(job.resolve, job.reject);
  }

  #broadcast(message: ToWorker): void {
    for (const slot of this.#slots) this.#post(slot, message);
  }

  #post(slot: Slot, message: ToWorker): void {
    try {
      slot.worker.postMessage(message);
    } catch (err) {
      // An article that cannot be cloned, say: this copy can no longer be trusted.
      this.#logger.error({ err, worker: slot.n }, 'search worker message failed; restarting the worker');
      void slot.worker.terminate();
    }
  }

  #spawn(n: number): Slot {
    const worker = startWorker(ENTRY);
    worker.unref();
    const slot: Slot = { n, worker, ready: false, pending: new Map() };
    const state = this.#state();
    worker.on('message', (message: FromWorker) => this.#onMessage(slot, message));
    worker.on('error', (err) => this.#logger.error({ err, worker: n }, 'search worker failed'));
    worker.on('exit', (code) => this.#onExit(slot, code));
    this.#post(slot, { type: 'init', state });
    return slot;
  }

  #onMessage(slot: Slot, message: FromWorker): void {
    if (message.type === 'ready') {
      slot.ready = true;
      this.#crashes[slot.n] = 0;
      this.#logger.debug({ worker: slot.n, documents: message.documents }, 'search worker ready');
      if (this.readyCount === this.#slots.length) this.#wakeReadyWaiters();
      return;
    }
    const job = slot.pending.get(message.id);
    if (!job) return;
    slot.pending.delete(message.id);
    if (message.type === 'result') job.resolve(message.result);
    // The same search here gives the same error with its stack (or, if the copy was at fault, the answer).
    else this.#settleHere(job);
  }

  #onExit(slot: Slot, code: number): void {
    slot.ready = false;
    for (const job of slot.pending.values()) this.#settleHere(job);
    slot.pending.clear();
    if (this.#closed) return;
    const crashes = (this.#crashes[slot.n] ?? 0) + 1;
    this.#crashes[slot.n] = crashes;
    const delay = Math.min(MAX_RESTART_DELAY_MS, this.#restartDelayMs * 2 ** (crashes - 1));
    this.#logger.error(
      { worker: slot.n, code, restartInMs: delay },
      'search worker stopped; searching on the main thread until it is back',
    );
    setTimeout(() => {
      if (this.#closed) return;
      this.#counts.restarts++;
      this.#slots[slot.n] = this.#spawn(slot.n);
    }, delay).unref();
  }

  #wakeReadyWaiters(): void {
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const wake of waiters) wake();
  }

  /** The index as it is now, its frozen arrays on shared memory. */
  #state(): IndexState {
    const state = this.#index.exportState();
    return { ...state, frozen: shared(state.frozen) };
  }
}

/** Shared copies of frozen arrays, by the arrays they copy (a built index compacts once). */
const sharedCopies = new WeakMap<Uint32Array, FrozenData>();

/** The frozen data with its typed arrays on one SharedArrayBuffer (as it is, when they already are). */
function shared(data: FrozenData): FrozenData {
  const arrays = [data.lengths, data.ptr, data.docs, data.tfs];
  if (arrays.every((a) => a.buffer instanceof SharedArrayBuffer)) return data;
  const known = sharedCopies.get(data.docs);
  if (known) return known;
  const align = (n: number) => Math.ceil(n / 8) * 8;
  const memory = new SharedArrayBuffer(arrays.reduce((n, a) => n + align(a.byteLength), 0));
  let at = 0;
  const copy = <T extends Float32Array | Uint32Array | Uint16Array>(
    from: T,
    make: (buffer: SharedArrayBuffer, at: number, length: number) => T,
  ): T => {
    const to = make(memory, at, from.length);
    to.set(from);
    at += align(from.byteLength);
    return to;
  };
  const copied: FrozenData = {
    docIds: data.docIds,
    terms: data.terms,
    lengths: copy(data.lengths, (b, o, l) => new Float32Array(b, o, l)),
    ptr: copy(data.ptr, (b, o, l) => new Uint32Array(b, o, l)),
    docs: copy(data.docs, (b, o, l) => new Uint32Array(b, o, l)),
    tfs: copy(data.tfs, (b, o, l) => new Uint16Array(b, o, l)),
    // Frontiers are worked out on shared memory already (or loaded onto it).
    ...(data.frontier ? { frontier: data.frontier } : {}),
  };
  sharedCopies.set(data.docs, copied);
  return copied;
}
