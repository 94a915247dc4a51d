import { boostOf, type DocBoost, type Group, type Walk } from './postings.ts';
import type { Scored, Scratch } from './score.ts';
import { scanWindows } from './walk.ts';

/** Share of the document numbers the estimate of never-found good matches samples. */
const SAMPLE_SHARE = 1 / 32;
/** Windows that sample is spread over (each a few articles' documents). */
const SAMPLE_WINDOWS = 32;

/** The k largest numbers seen, for the k-th best score (0 until there are k). */
export class KBest {
  readonly #k: number;
  /** Ascending. */
  #values: Float64Array;
  #size = 0;

  constructor(k: number, values?: Float64Array, size = 0) {
    this.#k = Math.max(0, k);
    this.#values = values ?? new Float64Array(this.#k);
    this.#size = size;
  }

  add(value: number): void {
    const k = this.#k;
    const v = this.#values;
    if (k === 0) return;
    if (this.#size < k) {
      let i = this.#size++;
      while (i > 0 && (v[i - 1] as number) > value) {
        v[i] = v[i - 1] as number;
        i--;
      }
      v[i] = value;
      return;
    }
    if (value <= (v[0] as number)) return;
    let i = 1;
    while (i < k && (v[i] as number) < value) {
      v[i - 1] = v[i] as number;
      i++;
    }
    v[i - 1] = value;
  }

  /** The k-th largest value, or 0 while fewer than k were added. */
  kth(): number {
    return this.#size < this.#k || this.#k === 0 ? 0 : (this.#values[0] as number);
  }

  copy(): KBest {
    return new KBest(this.#k, this.#values.slice(), this.#size);
  }
}

/** Keeps the k best (score desc, then short id asc) in a small sorted array. */
export class TopK {
  readonly #k: number;
  readonly #items: Scored[] = [];

  constructor(k: number) {
    this.#k = k;
  }

  /** Scores below this cannot enter. */
  get floor(): number {
    const items = this.#items;
    if (this.#k <= 0) return Number.POSITIVE_INFINITY;
    return items.length < this.#k ? Number.NEGATIVE_INFINITY : (items[items.length - 1] as Scored).score;
  }

  offer(doc: number, score: number, mask: number, coverage: number): void {
    const items = this.#items;
    if (this.#k <= 0) return;
    if (items.length === this.#k) {
      const last = items[items.length - 1] as Scored;
      if (score < last.score || (score === last.score && doc > last.shortId)) return;
    }
    const item: Scored = { shortId: doc, score, coverage, mask };
    let i = items.length;
    while (i > 0) {
      const prev = items[i - 1] as Scored;
      if (prev.score > score || (prev.score === score && prev.shortId < doc)) break;
      i--;
    }
    items.splice(i, 0, item);
    if (items.length > this.#k) items.pop();
  }

  sorted(): Scored[] {
    return this.#items;
  }
}

/**
 * Estimates how many good matches there are among the documents an early stop never found:
 * they can only match the groups' slices not scanned, so those are scanned over evenly
 * spread windows of document numbers (SAMPLE_SHARE of them), the good ones counted with the
 * final bars, and the count scaled up. Leaves the scratch arrays it uses cleared.
 */
export function estimateUnseen(
  walk: Walk,
  order: readonly Group[],
  scratch: Scratch,
  span: number,
  total: number,
  minCovered: number,
  bar: number,
  docBoost: DocBoost | undefined,
): number {
  const { out, best } = walk;
  const acc = scratch.sampleAcc;
  const covered = scratch.sampleCovered;
  const list = scratch.masks;
  const windows = Math.max(1, Math.min(SAMPLE_WINDOWS, Math.floor(span * SAMPLE_SHARE)));
  const width = Math.max(1, Math.floor((span * SAMPLE_SHARE) / windows));
  const starts = new Int32Array(windows);
  let sampled = 0;
  for (let w = 0; w < windows; w++) {
    starts[w] = Math.floor((w * span) / windows);
    sampled += Math.min(width, span - (starts[w] as number));
  }
  let found = 0;
  for (const g of order) {
    const x = scanWindows(walk, g, starts, width);
    for (let i = 0; i < x; i++) {
      const doc = out[i] as number;
      if (covered[doc] === 0) list[found++] = doc;
      acc[doc] = (acc[doc] as number) + (best[doc] as number);
      best[doc] = 0;
      covered[doc] = (covered[doc] as number) + g.weight;
    }
  }
  let good = 0;
  for (let i = 0; i < found; i++) {
    const doc = list[i] as number;
    const c = covered[doc] as number;
    if (c >= minCovered - 1e-9 && (acc[doc] as number) * (0.5 + c / total) * boostOf(docBoost, doc) >= bar) good++;
    acc[doc] = 0;
    covered[doc] = 0;
  }
  return sampled > 0 ? Math.round((good * span) / sampled) : 0;
}
