/**
 * Runs delivery jobs one at a time per channel (so a channel's digests go out in order and each
 * sees the one before it) and at most `concurrency` at once overall.
 */
export class DeliveryQueue {
  readonly #concurrency: number;
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #inflight = new Set<Promise<unknown>>();
  readonly #waiting: (() => void)[] = [];
  #running = 0;

  constructor(concurrency: number) {
    this.#concurrency = Math.max(1, concurrency);
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.#inflight.size;
  }

  /** Queues `job` behind the channel's earlier jobs; a job that throws resolves to `onError(error)`. */
  add<T>(channel: string, job: () => Promise<T>, onError: (error: unknown) => T): Promise<T> {
    const run = (this.#tails.get(channel) ?? Promise.resolve()).then(() => this.#withSlot(job)).catch(onError);
    this.#tails.set(channel, run);
    this.#inflight.add(run);
    void run.finally(() => {
      this.#inflight.delete(run);
      if (this.#tails.get(channel) === run) this.#tails.delete(channel);
    });
    return run;
  }

  /** Resolves when every job queued so far (and any queued meanwhile) has finished. */
  async idle(): Promise<void> {
    while (this.#inflight.size) await Promise.allSettled([...this.#inflight]);
  }

  async #withSlot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.#running >= this.#concurrency) await new Promise<void>((resolve) => this.#waiting.push(resolve));
    this.#running += 1;
    try {
      return await fn();
    } finally {
      this.#running -= 1;
      this.#waiting.shift()?.();
    }
  }
}
