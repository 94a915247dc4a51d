import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../commands/index.ts';
import { runLine } from '../../src/core/dispatch.ts';
import type { Library } from '../../src/core/library.ts';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.ts';
import type { SchedulerTuning } from '../../src/scheduler/types.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { sqliteStoreIn } from '../helpers/store.ts';
import { channelContext, DIGEST_CONFIG, RecordingSender, silentLog, tempDataDir } from './helpers.ts';

describe('exactly once: catch-up, restarts and two processes', () => {
  let data: ReturnType<typeof tempDataDir>;
  let library: Library;
  const stores: Store[] = [];
  const schedulers: Scheduler[] = [];

  beforeEach(() => {
    vi.useFakeTimers();
    data = tempDataDir();
    library = libraryOf(articleFromFile(BUNDLED_FILE));
  });
  afterEach(async () => {
    vi.useRealTimers();
    for (const s of schedulers.splice(0)) await s.stop();
    for (const s of stores.splice(0)) await s.close();
    data.cleanup();
  });

  function boot(senders: RecordingSender[], tuning: SchedulerTuning = {}) {
    const store = sqliteStoreIn(data.dir);
    stores.push(store);
    const scheduler = createScheduler({
      store,
      library,
      senders: new Map(senders.map((s) => [s.platform, s])),
      config: { ...DIGEST_CONFIG, DIGEST_EMPTY: 'post' },
      logger: silentLog,
      tuning,
    });
    schedulers.push(scheduler);
    return { store, scheduler };
  }

  async function subscribe(scheduler: Scheduler, line: string, channelId = 'C-digest', platform: 'slack' | 'discord' = 'slack') {
    const reply = await runLine(commands, line, channelContext(library, { digests: scheduler.digests }, { channelId, platform }));
    if (!reply.ok) throw new Error(reply.error.message);
  }

  it('a slot missed while the bot was down is posted once on start within DIGEST_CATCHUP_HOURS, and marked late', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:00:00Z'));
    const slack = new RecordingSender('slack');
    const first = boot([slack]);
    await subscribe(first.scheduler, '/digest subscribe daily 09:00 Europe/Istanbul');
    await first.store.close();
    stores.pop();

    vi.setSystemTime(new Date('2025-06-02T10:00:00Z')); // 13:00 Istanbul: four hours after the slot
    const second = boot([slack]);
    const report = await second.scheduler.start();
    await second.scheduler.idle();
    expect(report).toMatchObject({ claimed: 1, late: 1, skipped: 0 });
    expect(slack.delivered).toHaveLength(1);
    const [row] = await second.store.deliveries.recentForChannel('slack', 'C-digest', 1);
    expect(row).toMatchObject({ slot: '2025-06-02T06:00:00.000Z', status: 'delivered', late: true });

    const status = await runLine(commands, '/digest status', channelContext(library, { digests: second.scheduler.digests }));
    expect(status.ok && status.items?.[0]?.text).toContain('late (caught up after a restart)');

    // A second restart posts nothing more.
    await second.scheduler.stop();
    const third = boot([slack]);
    expect(await third.scheduler.start()).toMatchObject({ claimed: 0 });
    expect(slack.delivered).toHaveLength(1);
  });

  it('slots missed longer ago than DIGEST_CATCHUP_HOURS are recorded as skipped, not posted', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:00:00Z'));
    const slack = new RecordingSender('slack');
    const first = boot([slack]);
    await subscribe(first.scheduler, '/digest subscribe daily 09:00 Europe/Istanbul');

    vi.setSystemTime(new Date('2025-06-04T13:00:00Z')); // slots on the 2nd, 3rd and 4th passed; the 4th is 7 h old
    const second = boot([slack]);
    const report = await second.scheduler.start();
    await second.scheduler.idle();
    expect(report).toMatchObject({ claimed: 0, skipped: 3 });
    expect(slack.delivered).toHaveLength(0);
    const rows = await second.store.deliveries.recentForChannel('slack', 'C-digest', 10);
    expect(rows.map((r) => [r.slot, r.status])).toEqual([
      ['2025-06-04T06:00:00.000Z', 'skipped'],
      ['2025-06-03T06:00:00.000Z', 'skipped'],
      ['2025-06-02T06:00:00.000Z', 'skipped'],
    ]);
    expect(rows[0]?.error).toContain('catch-up window');
    const status = await runLine(commands, '/digest status', channelContext(library, { digests: second.scheduler.digests }));
    expect(status.ok && status.items?.[0]?.text).toContain(
      'Last: skipped — Wed 4 Jun 2025, 09:00 (Europe/Istanbul), missed while the bot was not running',
    );
  });

  it('a slot exactly at the edge of the window is still caught up; one minute beyond is skipped', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:00:00Z'));
    const slack = new RecordingSender('slack');
    const first = boot([slack]);
    await subscribe(first.scheduler, '/digest subscribe daily 09:00 Europe/Istanbul', 'C-a');
    await subscribe(first.scheduler, '/digest subscribe daily 08:59 Europe/Istanbul', 'C-b');

    vi.setSystemTime(new Date('2025-06-02T12:00:00Z')); // 6 h after 09:00, 6 h 1 min after 08:59
    const second = boot([slack]);
    expect(await second.scheduler.start()).toMatchObject({ claimed: 1, skipped: 1 });
    await second.scheduler.idle();
    expect(slack.delivered.map((d) => d.channelId)).toEqual(['C-a']);
  });

  it('two schedulers on one database file post each slot once', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:50:00Z'));
    const slackA = new RecordingSender('slack');
    const slackB = new RecordingSender('slack');
    const discordA = new RecordingSender('discord');
    const discordB = new RecordingSender('discord');
    const a = boot([slackA, discordA]);
    const b = boot([slackB, discordB]);
    await a.scheduler.start();
    await b.scheduler.start();
    for (let i = 0; i < 20; i++) {
      await subscribe(
        i % 2 ? a.scheduler : b.scheduler,
        '/digest subscribe daily 09:00 Europe/Istanbul',
        `C${i}`,
        i % 3 ? 'slack' : 'discord',
      );
      await subscribe(a.scheduler, '/digest subscribe */5 * * * * UTC', `C${i}`, i % 3 ? 'slack' : 'discord');
    }
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    await a.scheduler.idle();
    await b.scheduler.idle();

    const all = [...slackA.delivered, ...slackB.delivered, ...discordA.delivered, ...discordB.delivered];
    const keys = all.map((d) => d.idempotencyKey);
    expect(new Set(keys).size).toBe(keys.length);
    // Each channel: the 09:00 Istanbul digest once, plus six five-minute slots (05:55 … 06:20) noting nothing new.
    const counts = await a.store.deliveries.countByStatus();
    expect(counts.delivered).toBe(20 * 7);
    expect(all).toHaveLength(20 * 7);
    for (let i = 0; i < 20; i++) {
      const got = all.filter((d) => d.channelId === `C${i}`);
      expect(got.filter((d) => d.reply.excerpts.length > 0)).toHaveLength(1);
    }
  });

  it('two schedulers share the work: each due subscription is swept by one of them, and no slot is claimed twice', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:58:30Z'));
    const slackA = new RecordingSender('slack');
    const slackB = new RecordingSender('slack');
    const a = boot([slackA], { sweepBatch: 3 });
    const b = boot([slackB], { sweepBatch: 3 });
    const attempts = { a: 0, b: 0 };
    for (const [name, store] of [
      ['a', a.store],
      ['b', b.store],
    ] as const) {
      const claim = store.deliveries.claim.bind(store.deliveries);
      store.deliveries.claim = (request) => {
        attempts[name] += 1;
        return claim(request);
      };
    }
    for (let i = 0; i < 30; i++) await subscribe(a.scheduler, '/digest subscribe daily 09:00 Europe/Istanbul', `C${i}`);
    await a.scheduler.start(); // records each subscription's next slot, 06:00 UTC
    await b.scheduler.start();
    expect(attempts).toEqual({ a: 0, b: 0 });
    // Both processes sweep at once when the slot is due (the clock moves, the minute ticks do not fire).
    vi.setSystemTime(new Date('2025-06-02T06:00:20Z'));
    await Promise.all([a.scheduler.sweep(), b.scheduler.sweep()]);
    await a.scheduler.idle();
    await b.scheduler.idle();
    // 30 slots at 06:00 UTC: 30 claim attempts in all, split between the two processes.
    expect(attempts.a + attempts.b).toBe(30);
    expect(attempts.a).toBeGreaterThan(0);
    expect(attempts.b).toBeGreaterThan(0);
    expect(slackA.delivered.length + slackB.delivered.length).toBe(30);
    expect((await a.store.subscriptions.listLive()).map((s) => s.nextDueAt)).toEqual(Array(30).fill('2025-06-03T06:00:00.000Z'));
  });

  it('a claim left by a stopped scheduler in the same process is retried on the next start, with the same idempotency key, and marked so', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const stuck = new RecordingSender('discord', () => new Promise(() => {}));
    const first = boot([stuck], { stopTimeoutMs: 1000 });
    await first.scheduler.start();
    await subscribe(first.scheduler, '/digest subscribe daily 09:00 Europe/Istanbul', 'G-chan', 'discord');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stuck.attempts).toHaveLength(1);
    const stopping = first.scheduler.stop();
    await vi.advanceTimersByTimeAsync(1000);
    await stopping;

    vi.setSystemTime(new Date('2025-06-02T06:00:30Z'));
    const discord = new RecordingSender('discord');
    const second = boot([discord]);
    const report = await second.scheduler.start();
    await second.scheduler.idle();
    expect(report.recovered).toBe(1);
    expect(discord.delivered).toHaveLength(1);
    expect(discord.delivered[0]!.idempotencyKey).toBe(stuck.attempts[0]!.idempotencyKey);
    expect(discord.delivered[0]!.idempotencyKey).toHaveLength(25);
    const [row] = await second.store.deliveries.recentForChannel('discord', 'G-chan', 1);
    expect(row).toMatchObject({ status: 'delivered', recovered: true, attempts: 2 });
  });

  it('a delivery waiting to retry when the scheduler stops is released, and sent once after it starts again', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const slack = new RecordingSender('slack', (_call, attempt) => {
      if (attempt === 1) throw new Error('socket hang up');
      return { messageIds: ['m'] };
    });
    const { scheduler, store } = boot([slack]);
    await scheduler.start();
    await subscribe(scheduler, '/digest subscribe daily 09:00 Europe/Istanbul');
    await vi.advanceTimersByTimeAsync(60_000); // first attempt fails; a retry waits 1 s
    await scheduler.stop();
    expect(slack.attempts).toHaveLength(1);
    expect((await store.deliveries.listClaims())[0]).toMatchObject({ status: 'claimed', attempts: 1 });

    await vi.advanceTimersByTimeAsync(10);
    expect(await scheduler.start()).toMatchObject({ recovered: 1 });
    await vi.advanceTimersByTimeAsync(2000); // the channel's one-post-a-second window
    await scheduler.idle();
    expect(slack.delivered).toHaveLength(1);
    expect((await store.deliveries.recentForChannel('slack', 'C-digest', 1))[0]).toMatchObject({
      status: 'delivered',
      recovered: true,
      attempts: 2,
    });
  });

  it("another live process's claim is left alone until its lease runs out, then taken over", async () => {
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const stuck = new RecordingSender('slack', () => new Promise(() => {}));
    const a = boot([stuck], { leaseMs: 120_000, stopTimeoutMs: 10 });
    const slack = new RecordingSender('slack');
    const b = boot([slack], { leaseMs: 120_000 });
    await a.scheduler.start();
    await subscribe(a.scheduler, '/digest subscribe daily 09:00 Europe/Istanbul');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(stuck.attempts).toHaveLength(1);

    await b.scheduler.start();
    await b.scheduler.idle();
    expect(slack.attempts).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(121_000);
    await b.scheduler.sweep();
    await b.scheduler.idle();
    expect(slack.delivered).toHaveLength(1);
    const [row] = await b.store.deliveries.recentForChannel('slack', 'C-digest', 1);
    expect(row).toMatchObject({ status: 'delivered', recovered: true, owner: b.scheduler.owner });
  });
});
