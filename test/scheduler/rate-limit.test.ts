import { describe, expect, it } from 'vitest';
import { RateLimiter } from '../../src/scheduler/rate-limit.ts';

/** A limiter on a virtual clock whose sleeps move the clock: no timers at all. */
function virtual(limits: ConstructorParameters<typeof RateLimiter>[0]['limits'], marginMs = 0) {
  const clock = { t: 0 };
  const limiter = new RateLimiter({
    limits,
    now: () => clock.t,
    sleep: async (ms) => {
      clock.t += ms;
    },
    marginMs,
  });
  return { limiter, clock };
}

describe('the posting rate limiter', () => {
  it('allows a burst up to the window count, then spaces sends so no window holds more', async () => {
    const { limiter, clock } = virtual({ discord: { global: { count: 3, windowMs: 1000 } } });
    const times: number[] = [];
    for (let i = 0; i < 7; i++) {
      await limiter.acquire('discord', `G${i}`);
      times.push(clock.t);
    }
    expect(times).toEqual([0, 0, 0, 1000, 1000, 1000, 2000]);
  });

  it('keeps per-channel, per-workspace and global windows apart, and adds the margin', async () => {
    const { limiter, clock } = virtual(
      { slack: { perChannel: { count: 1, windowMs: 1000 }, perWorkspace: { count: 2, windowMs: 10_000 } } },
      50,
    );
    await limiter.acquire('slack', 'C1', 'T1');
    await limiter.acquire('slack', 'C2', 'T2');
    expect(clock.t).toBe(0);
    await limiter.acquire('slack', 'C1', 'T1');
    expect(clock.t).toBe(1050);
    await limiter.acquire('slack', 'C3', 'T1'); // T1's third post in ten seconds
    expect(clock.t).toBe(10_050);
  });

  it('after a 429 nothing goes to that channel until the wait is over; other channels carry on', async () => {
    const { limiter, clock } = virtual({});
    limiter.block('slack', 'C1', 5000);
    await limiter.acquire('slack', 'C2');
    expect(clock.t).toBe(0);
    await limiter.acquire('slack', 'C1');
    expect(clock.t).toBe(5000);
  });

  it('an aborted wait returns at once', async () => {
    const { limiter } = virtual({});
    limiter.block('discord', 'G1', 60_000);
    const controller = new AbortController();
    controller.abort();
    await expect(limiter.acquire('discord', 'G1', undefined, controller.signal)).resolves.toBeUndefined();
  });
});
