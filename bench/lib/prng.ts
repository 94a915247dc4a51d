/** A small, fast, seeded PRNG (mulberry32) so generated corpora are identical run to run. */
export class Prng {
  #state: number;

  constructor(seed: number) {
    this.#state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.#state = (this.#state + 0x6d2b79f5) >>> 0;
    let t = this.#state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks with a Zipf-like skew towards the start of the list (a few very common items). */
  skewed<T>(items: readonly T[], skew = 1.6): T {
    return items[Math.floor(this.next() ** skew * items.length)] as T;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }
}
