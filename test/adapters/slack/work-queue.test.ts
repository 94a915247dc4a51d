import { describe, expect, it } from 'vitest';
import { WorkQueue } from '../../../src/adapters/slack/work-queue.ts';

describe('the command work queue', () => {
  it('runs jobs in order and returns their results', async () => {
    const queue = new WorkQueue({ concurrency: 1 });
    const order: number[] = [];
    const results = await Promise.all(
      [1, 2, 3].map((n) =>
        queue.run(async () => {
          order.push(n);
          return n * 10;
        }),
      ),
    );
    expect(results).toEqual([10, 20, 30]);
    expect(order).toEqual([1, 2, 3]);
    expect(queue.load).toBe(0);
  });

  it('starts one job per event-loop turn, so I/O callbacks run between CPU-bound jobs', async () => {
    const queue = new WorkQueue({ concurrency: 4 });
    const events: string[] = [];
    const jobs = [1, 2, 3].map((n) => queue.run(async () => events.push(`job ${n}`)));
    // Scheduled after the jobs were queued: runs between job starts, like a socket read would.
    setImmediate(() => events.push('io'));
    await Promise.all(jobs);
    expect(events.indexOf('io')).toBeGreaterThan(0);
    expect(events.indexOf('io')).toBeLessThan(events.length - 1);
  });

  it('does not let a job waiting on I/O hold up the others', async () => {
    const queue = new WorkQueue({ concurrency: 2 });
    let release: () => void = () => {};
    const slow = queue.run(() => new Promise<string>((resolve) => (release = () => resolve('slow'))));
    expect(await queue.run(async () => 'fast')).toBe('fast');
    release();
    expect(await slow).toBe('slow');
  });

  it('reports full when the expected wait exceeds the limit, and rejects nothing itself', async () => {
    const queue = new WorkQueue({ concurrency: 1, maxWaitMs: 0 });
    expect(queue.full).toBe(false);
    let release: () => void = () => {};
    const held = queue.run(() => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((r) => setImmediate(r));
    expect(queue.full).toBe(true);
    expect(queue.expectedWaitMs).toBeGreaterThan(0);
    release();
    await held;
    expect(queue.full).toBe(false);
  });

  it('passes a job failure to its caller only', async () => {
    const queue = new WorkQueue();
    await expect(queue.run(async () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await queue.run(async () => 'still works')).toBe('still works');
  });
});
