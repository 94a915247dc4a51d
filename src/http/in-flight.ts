/**
 * Work that goes on after its HTTP response: a Slack answer sent through `response_url` after an
 * empty acknowledgement, a deferred Discord reply edited later. A replica told to stop (SIGTERM
 * during a deploy) closes its server first, so no new request arrives, then waits here for the
 * answers still on their way before it closes the store and exits.
 *
 * @example
 * const work = new InFlight();
 * void work.track(answer(request));      // the response went out already
 * const left = await work.settled(8_000); // on shutdown: 0 when everything finished in time
 */
export class InFlight {
  readonly #pending = new Set<Promise<unknown>>();

  /** How many tracked promises have not settled yet. */
  get size(): number {
    return this.#pending.size;
  }

  /** Tracks `work` until it settles (fulfilled or rejected) and returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending.add(work);
    const done = () => {
      this.#pending.delete(work);
    };
    work.then(done, done);
    return work;
  }

  /**
   * Resolves once every tracked promise has settled, including ones tracked meanwhile, or after
   * `timeoutMs`, whichever comes first, with how many were still unsettled.
   */
  async settled(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    while (this.#pending.size > 0) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, left);
      });
      const all = Promise.allSettled([...this.#pending]).then(() => undefined);
      await Promise.race([all, timeout]);
      clearTimeout(timer);
    }
    return this.#pending.size;
  }
}
