import { afterEach, describe, expect, it, vi } from 'vitest';
import { InFlight } from '../../src/http/in-flight.ts';

function deferred<T = void>() {
  let resolve: (value: T) => void = () => {};
  let reject: (error: unknown) => void = () => {};
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('InFlight', () => {
  it('settled waits for every tracked answer, also one tracked while it waits, and one that fails', async () => {
    const work = new InFlight();
    const a = deferred<string>();
    const b = deferred();
    expect(await work.track(Promise.resolve('at once'))).toBe('at once');
    void work.track(a.promise);
    work.track(b.promise).catch(() => undefined);
    expect(work.size).toBe(2);
    let left: number | undefined;
    const settled = work.settled(60_000).then((n) => {
      left = n;
    });
    a.resolve('answered');
    const c = deferred();
    void work.track(c.promise);
    b.reject(new Error('the answer failed'));
    await Promise.resolve();
    expect(left).toBeUndefined();
    c.resolve();
    await settled;
    expect(left).toBe(0);
    expect(work.size).toBe(0);
  });

  it('settled gives up after its time and says how many answers were still under way', async () => {
    vi.useFakeTimers();
    const work = new InFlight();
    void work.track(new Promise(() => {}));
    void work.track(Promise.resolve());
    const settled = work.settled(8_000);
    await vi.advanceTimersByTimeAsync(8_000);
    expect(await settled).toBe(1);
  });
});
