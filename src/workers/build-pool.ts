import { availableParallelism } from 'node:os';
import type { Worker } from 'node:worker_threads';
import type { Article } from '../core/article.ts';
import { type ParsedContent, parseContent } from '../core/content-cache.ts';
import { storedArticle } from '../core/lazy-article.ts';
import type { ParseFiles } from '../core/load-content.ts';
import { type BuildFrozen, type BuiltArticle, buildFrozen, lastOfEachId, mergeFrozen } from '../core/search/bulk-build.ts';
import type { FrozenData } from '../core/search/frozen.ts';
import type { Logger } from '../logger.ts';
import type { FromBuildWorker, ToBuildWorker } from './build-worker.ts';
import { startWorker } from './start-worker.ts';

/**
 * Worker threads for a start that has much to do: parsing content files the content cache
 * lacks, and building the frozen index from scratch, side by side on every core instead of
 * one after another on the main thread. Threads start on first use (a start with a warm cache
 * starts none) and stop with `close()`. Whatever a worker fails to do is done on the main
 * thread instead, so a failing worker costs time, never briefings.
 *
 * @example
 * const pool = new BuildPool({ workers: buildWorkerCount(), logger });
 * const content = await loadContentDir(dir, { cacheDir, parseFiles: pool.parseFiles });
 * const built = await loadOrBuild({ articles, snapshotPath, build: pool.build });
 * await pool.close();
 */

const ENTRY = new URL('./build-worker.ts', import.meta.url);
/**
 * A small young generation: the workers make mostly short-lived strings, and a large nursery
 * only adds to the peak memory of a first start (about 100 MB less at 10,000 briefings).
 */
const LIMITS = { maxYoungGenerationSizeMb: 4 };
/** Fewer articles than this are built on the main thread (threads take time to start). */
const PARALLEL_FROM = 200;

/** Threads for a large start: one per core, at most 4; none on a single core. */
export function buildWorkerCount(cores = availableParallelism()): number {
  return cores < 2 ? 0 : Math.min(4, cores);
}

export interface BuildPoolOptions {
  workers: number;
  logger: Logger;
}

interface Slot {
  worker: Worker;
  dead: boolean;
  pending: Map<number, { resolve: (reply: FromBuildWorker) => void; reject: (error: Error) => void }>;
}

export class BuildPool {
  readonly #size: number;
  readonly #logger: Logger;
  #slots: Slot[] | undefined;
  #nextId = 1;
  #closed = false;

  constructor(options: BuildPoolOptions) {
    if (!Number.isInteger(options.workers) || options.workers < 1)
      throw new RangeError(`Build workers: expected a whole number of at least 1, got ${options.workers}.`);
    this.#size = options.workers;
    this.#logger = options.logger;
  }

  /** Parses files on the least busy worker, in order (see `loadContentDir`'s `parseFiles`). */
  readonly parseFiles: ParseFiles = async (files) => {
    // Copied, not transferred: should the worker fail, the files are parsed here from the same bytes.
    const reply = await this.#run({ type: 'parse', id: 0, files: [...files] }).catch((err: unknown) => {
      this.#logger.warn({ err, files: files.length }, 'a build worker failed to parse files; parsing them here');
      return undefined;
    });
    if (reply?.type === 'parsed') return reply.results;
    return files.map((f): ParsedContent => parseContent(f.name, f.bytes));
  };

  /** Builds the frozen arrays in one part per worker and merges them (see `loadOrBuild`'s `build`). */
  readonly build: BuildFrozen = async (input) => {
    const articles = lastOfEachId(input);
    if (articles.length < PARALLEL_FROM) return buildFrozen(articles);
    const size = Math.ceil(articles.length / this.#size);
    const chunks: Article[][] = [];
    for (let i = 0; i < articles.length; i += size) chunks.push(articles.slice(i, i + size));
    const parts = await Promise.all(chunks.map((chunk) => this.#buildPart(chunk)));
    // The threads' memory goes before the parts are merged (it would only add to the peak).
    await this.stopThreads();
    return { data: mergeFrozen(parts.map((p) => p.data)), articles: parts.flatMap((p) => p.articles) };
  };

  async #buildPart(chunk: Article[]): Promise<{ data: FrozenData; articles: BuiltArticle[] }> {
    const message: ToBuildWorker = {
      type: 'build',
      id: 0,
      articles: chunk.map((article) => {
        const stored = storedArticle(article);
        return stored ? { stored } : { article };
      }),
    };
    try {
      const reply = await this.#run(message);
      if (reply.type !== 'built') throw new Error(`unexpected reply ${reply.type}`);
      return {
        data: reply.data,
        articles: reply.articles.map((b, i) => ({ article: chunk[i] as Article, hash: b.hash, acronyms: b.acronyms })),
      };
    } catch (err) {
      this.#logger.warn({ err, articles: chunk.length }, 'a build worker failed to index articles; indexing them here');
      return buildFrozen(chunk);
    }
  }

  #run(message: ToBuildWorker): Promise<FromBuildWorker> {
    if (this.#closed) return Promise.reject(new Error('the build pool is closed'));
    let slot: Slot | undefined;
    for (const s of this.#start()) if (!s.dead && (!slot || s.pending.size < slot.pending.size)) slot = s;
    if (!slot) return Promise.reject(new Error('no build worker is running'));
    const chosen = slot;
    const id = this.#nextId++;
    return new Promise<FromBuildWorker>((resolve, reject) => {
      chosen.pending.set(id, { resolve, reject });
      chosen.worker.postMessage({ ...message, id });
    });
  }

  #start(): Slot[] {
    if (this.#slots) return this.#slots;
    this.#slots = Array.from({ length: this.#size }, () => {
      const slot: Slot = { worker: startWorker(ENTRY, LIMITS), dead: false, pending: new Map() };
      const failAll = (error: Error): void => {
        for (const p of slot.pending.values()) p.reject(error);
        slot.pending.clear();
      };
      slot.worker.on('message', (reply: FromBuildWorker) => {
        const p = slot.pending.get(reply.id);
        if (!p) return;
        slot.pending.delete(reply.id);
        if (reply.type === 'failed') p.reject(new Error(reply.message));
        else p.resolve(reply);
      });
      slot.worker.on('error', (err) => failAll(err));
      slot.worker.on('exit', (code) => {
        slot.dead = true;
        failAll(new Error(`the build worker stopped (exit code ${code})`));
      });
      return slot;
    });
    this.#logger.info({ workers: this.#size }, 'build workers started');
    return this.#slots;
  }

  /** Stops the threads, giving their memory back; the next job starts new ones. */
  async stopThreads(): Promise<void> {
    const slots = this.#slots ?? [];
    this.#slots = undefined;
    await Promise.all(slots.map((s) => s.worker.terminate()));
  }

  /** Stops the threads for good (work still pending is done on the main thread by its callers). */
  async close(): Promise<void> {
    this.#closed = true;
    await this.stopThreads();
  }
}
