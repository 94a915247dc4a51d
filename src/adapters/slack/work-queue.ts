/**
 * Runs command work off the acknowledgement path. Jobs start one per event-loop turn
 * (setImmediate), so incoming requests are read and acknowledged between jobs even while the
 * search keeps the CPU busy; at most `concurrency` jobs are in progress (CPU-bound ones run one
 * after another anyway; ones waiting on I/O do not hold up the rest). The queue refuses new work
 * when the expected wait would exceed `maxWaitMs`, so an overload gets a clear "busy" answer
 * instead of an ever-growing backlog.
 */
export class WorkQueue {
  readonly #concurrency: number;
  readonly #maxWaitMs: number;
  readonly #waiting: (() => void)[] = [];
  #running = 0;
  #scheduled = false;
  #backlogged = false;
  /** Moving average of the time between job starts while jobs were waiting: the real service rate. */
  #intervalMs = 5;
  #lastStart: number | undefined;

  constructor(options: { concurrency?: number; maxWaitMs?: number } = {}) {
    this.#concurrency = options.concurrency ?? 4;
    this.#maxWaitMs = options.maxWaitMs ?? 10_000;
  }

  /** Jobs queued or running. */
  get load(): number {
    return this.#running + this.#waiting.length;
  }

  /** Expected wait for a job queued now, in milliseconds. */
  get expectedWaitMs(): number {
    return (this.#waiting.length + (this.#running ? 1 : 0)) * this.#intervalMs;
  }

  /** True when a new job should be refused. */
  get full(): boolean {
    return this.expectedWaitMs > this.#maxWaitMs;
  }

  /** Queues a job; it starts in a later macrotask. */
  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const done = () => {
        this.#running -= 1;
        this.#pump();
      };
      this.#waiting.push(() => {
        let started: Promise<T>;
        try {
          started = job();
        } catch (error) {
          started = Promise.reject(error);
        }
        started.then(
          (value) => {
            done();
            resolve(value);
          },
          (error: unknown) => {
            done();
            reject(error);
          },
        );
      });
      this.#pump();
    });
  }

  // One job starts per event-loop turn: the next start is scheduled from inside the previous
  // one, which puts it after the I/O poll of the next turn.
  #pump(): void {
    if (this.#scheduled || this.#running >= this.#concurrency || this.#waiting.length === 0) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      const next = this.#waiting.shift();
      const now = performance.now();
      // Only back-to-back starts measure how fast the queue drains.
      if (this.#lastStart !== undefined && this.#backlogged) this.#intervalMs = this.#intervalMs * 0.9 + (now - this.#lastStart) * 0.1;
      this.#lastStart = now;
      this.#backlogged = this.#waiting.length > 0;
      if (next) {
        this.#running += 1;
        next();
      }
      this.#pump();
    });
  }
}
