import { afterEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../commands/index.ts';
import { runLine } from '../../src/core/dispatch.ts';
import { type CronSpec, nextSlot, parseCronSpec, slotsBetween } from '../../src/scheduler/cron.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { instantOf } from '../../src/scheduler/zone.ts';
import { openStore } from '../../src/store/index.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { channelContext, DIGEST_CONFIG, RecordingSender, silentLog, tempDataDir } from './helpers.ts';

function spec(expression: string): CronSpec {
  const parsed = parseCronSpec(expression);
  if (!parsed.ok) throw new Error(parsed.message);
  return parsed.spec;
}
const iso = (dates: Date[]) => dates.map((d) => d.toISOString());
const between = (expr: string, zone: string, from: string, to: string) => iso(slotsBetween(spec(expr), zone, new Date(from), new Date(to)));

describe('slots across daylight saving time', () => {
  it('Europe/Berlin spring forward: 02:30 does not exist on 30 March 2025 and is moved to 03:30 CEST', () => {
    expect(between('30 2 * * *', 'Europe/Berlin', '2025-03-29T00:00Z', '2025-04-01T00:00Z')).toEqual([
      '2025-03-29T01:30:00.000Z', // 02:30 CET
      '2025-03-30T01:30:00.000Z', // 03:30 CEST, moved by the one-hour gap
      '2025-03-31T00:30:00.000Z', // 02:30 CEST
    ]);
  });

  it('Europe/Berlin fall back: 02:30 happens twice on 26 October 2025 and counts once, at its first occurrence', () => {
    expect(between('30 2 * * *', 'Europe/Berlin', '2025-10-25T00:00Z', '2025-10-28T00:00Z')).toEqual([
      '2025-10-25T00:30:00.000Z',
      '2025-10-26T00:30:00.000Z', // 02:30 CEST, not again at 02:30 CET (01:30Z)
      '2025-10-27T01:30:00.000Z',
    ]);
  });

  it('America/New_York spring forward: half-hourly slots in the missing hour merge into the hour after', () => {
    expect(between('*/30 1-3 * * *', 'America/New_York', '2025-03-09T04:00Z', '2025-03-09T09:00Z')).toEqual([
      '2025-03-09T06:00:00.000Z', // 01:00 EST
      '2025-03-09T06:30:00.000Z', // 01:30 EST
      '2025-03-09T07:00:00.000Z', // 03:00 EDT (02:00 moved here too)
      '2025-03-09T07:30:00.000Z', // 03:30 EDT (02:30 moved here too)
    ]);
  });

  it('America/New_York fall back: the repeated 01:00-01:59 hour posts once', () => {
    expect(between('*/30 1-2 * * *', 'America/New_York', '2025-11-02T04:00Z', '2025-11-02T09:00Z')).toEqual([
      '2025-11-02T05:00:00.000Z', // 01:00 EDT
      '2025-11-02T05:30:00.000Z', // 01:30 EDT
      '2025-11-02T07:00:00.000Z', // 02:00 EST
      '2025-11-02T07:30:00.000Z', // 02:30 EST
    ]);
  });

  it('wall times map to instants by the documented rule', () => {
    expect(new Date(instantOf({ year: 2025, month: 3, day: 30, hour: 2, minute: 30 }, 'Europe/Berlin')).toISOString()).toBe(
      '2025-03-30T01:30:00.000Z',
    );
    expect(new Date(instantOf({ year: 2025, month: 10, day: 26, hour: 2, minute: 30 }, 'Europe/Berlin')).toISOString()).toBe(
      '2025-10-26T00:30:00.000Z',
    );
    expect(new Date(instantOf({ year: 2025, month: 6, day: 2, hour: 9, minute: 0 }, 'Europe/Istanbul')).toISOString()).toBe(
      '2025-06-02T06:00:00.000Z',
    );
  });

  it('a day matches when either restricted day field does (POSIX cron), and nextSlot looks years ahead', () => {
    expect(between('0 9 1 * mon', 'UTC', '2025-06-01T00:00Z', '2025-06-10T00:00Z')).toEqual([
      '2025-06-01T09:00:00.000Z',
      '2025-06-02T09:00:00.000Z',
      '2025-06-09T09:00:00.000Z',
    ]);
    expect(nextSlot(spec('0 9 29 2 *'), 'UTC', new Date('2025-03-01T00:00Z'))?.toISOString()).toBe('2028-02-29T09:00:00.000Z');
    expect(parseCronSpec('0 9 31 2 *')).toMatchObject({ ok: false, message: '"0 9 31 2 *" is not a valid cron expression' });
  });
});

describe('live digests across daylight saving time (fake clock)', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    vi.useRealTimers();
    for (const c of cleanups.splice(0).reverse()) await c();
  });

  async function liveRun(schedule: string, from: string, days: number): Promise<string[]> {
    vi.useFakeTimers();
    vi.setSystemTime(new Date(from));
    const data = tempDataDir();
    const store = await openStore({ dataDir: data.dir });
    const library = libraryOf(articleFromFile(BUNDLED_FILE));
    const sender = new RecordingSender('discord');
    const scheduler = createScheduler({
      store,
      library,
      senders: new Map([['discord', sender]]),
      config: { ...DIGEST_CONFIG, DIGEST_EMPTY: 'post' },
      logger: silentLog,
    });
    cleanups.push(
      data.cleanup,
      () => store.close(),
      () => scheduler.stop(),
    );
    await scheduler.start();
    const reply = await runLine(
      commands,
      `/digest subscribe ${schedule}`,
      channelContext(library, { digests: scheduler.digests }, { platform: 'discord' }),
    );
    expect(reply.ok).toBe(true);
    for (let h = 0; h < days * 24; h++) await vi.advanceTimersByTimeAsync(3_600_000);
    await scheduler.idle();
    return sender.delivered.map((d) => d.at);
  }

  it('daily 02:30 Europe/Berlin posts at 03:30 CEST on the spring-forward day', async () => {
    expect(await liveRun('daily 02:30 Europe/Berlin', '2025-03-29T00:00:00Z', 3)).toEqual([
      '2025-03-29T01:30:00.000Z',
      '2025-03-30T01:30:00.000Z',
      '2025-03-31T00:30:00.000Z',
    ]);
  });

  it('daily 02:30 Europe/Berlin posts once on the fall-back day', async () => {
    expect(await liveRun('daily 02:30 Europe/Berlin', '2025-10-25T00:00:00Z', 3)).toEqual([
      '2025-10-25T00:30:00.000Z',
      '2025-10-26T00:30:00.000Z',
      '2025-10-27T01:30:00.000Z',
    ]);
  });

  it('daily 01:30 America/New_York posts once on the fall-back day and at 02:30 EDT→03:30 on the spring one', async () => {
    expect(await liveRun('daily 01:30 America/New_York', '2025-11-01T12:00:00Z', 2)).toEqual([
      '2025-11-02T05:30:00.000Z',
      '2025-11-03T06:30:00.000Z',
    ]);
    vi.useRealTimers();
    expect(await liveRun('daily 02:30 America/New_York', '2025-03-08T12:00:00Z', 2)).toEqual([
      '2025-03-09T07:30:00.000Z',
      '2025-03-10T06:30:00.000Z',
    ]);
  });
});
