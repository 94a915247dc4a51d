import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/** Value at quantile q (0..1) of already sorted numbers. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

/** Milliseconds taken by `fn`, and its result. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ ms: number; value: T }> {
  const start = performance.now();
  const value = await fn();
  return { ms: performance.now() - start, value };
}

let gcFn: (() => void) | undefined;

/** Runs a full garbage collection (exposing `gc` on demand), so heap figures are comparable. */
export function collectGarbage(): void {
  if (!gcFn) {
    const global = globalThis as { gc?: () => void };
    if (global.gc) gcFn = global.gc;
    else {
      setFlagsFromString('--expose-gc');
      gcFn = runInNewContext('gc') as () => void;
    }
  }
  gcFn();
  gcFn();
}

/** Heap used after a full collection, in MB. */
export function heapUsedMb(): number {
  collectGarbage();
  return process.memoryUsage().heapUsed / 1024 / 1024;
}

export const fmt = (n: number, digits = 1): string => n.toFixed(digits);
