import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../commands/index.ts';
import { DeliveryError } from '../../src/core/channel.ts';
import type { Platform } from '../../src/core/command.ts';
import { runLine } from '../../src/core/dispatch.ts';
import type { Library } from '../../src/core/library.ts';
import type { Reply } from '../../src/core/reply.ts';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { channelContext, DIGEST_CONFIG, memoryLog, RecordingSender, tempDataDir } from './helpers.ts';

const text = (reply: Reply) =>
  reply.ok ? [reply.title, reply.text, ...(reply.items ?? []).map((i) => `${i.label}: ${i.text}`)].join('\n') : reply.error.message;

describe('digest delivery failures', () => {
  let data: ReturnType<typeof tempDataDir>;
  let library: Library;
  let store: Store;
  let scheduler: Scheduler;
  let log: ReturnType<typeof memoryLog>;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    data = tempDataDir();
    library = libraryOf(articleFromFile(BUNDLED_FILE));
    log = memoryLog();
  });
  afterEach(async () => {
    vi.useRealTimers();
    await scheduler.stop();
    await store.close();
    data.cleanup();
  });

  async function boot(sender: RecordingSender, empty: 'skip' | 'post' = 'skip') {
    store = await openStore({ dataDir: data.dir });
    scheduler = createScheduler({
      store,
      library,
      senders: new Map([[sender.platform, sender]]),
      config: { ...DIGEST_CONFIG, DIGEST_EMPTY: empty },
      logger: log,
    });
    await scheduler.start();
  }
  const run = (line: string, platform: Platform, channelId = 'C-digest', moderator = true) =>
    runLine(commands, line, channelContext(library, { digests: scheduler.digests }, { platform, channelId, moderator }));

  it('a channel that is gone pauses its subscriptions, and /digest status shows why', async () => {
    const discord = new RecordingSender('discord', () => {
      throw new DeliveryError('channel-gone', 'Unknown Channel (10003)');
    });
    await boot(discord, 'post');
    await run('/digest subscribe daily 09:00 Europe/Istanbul', 'discord');
    await run('/digest subscribe weekly mon 12:00 Europe/Istanbul', 'discord');
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.idle();
    expect(discord.attempts).toHaveLength(1);
    const status = text(await run('/digest status', 'discord'));
    expect(status).toContain('Subscription 1 (paused)');
    expect(status).toContain('Subscription 2 (paused)');
    expect(status).toContain('the channel no longer exists or the bot was removed from it (Unknown Channel (10003))');
    expect(status).toContain('Once that is fixed, run /digest subscribe daily 09:00 Europe/Istanbul to resume.');
    expect(status).toContain('Last: failed — Mon 2 Jun 2025, 09:00 (Europe/Istanbul)');

    // Paused: the next slots are not attempted.
    await vi.advanceTimersByTimeAsync(2 * 24 * 3_600_000);
    expect(discord.attempts).toHaveLength(1);

    // Subscribing again with the same schedule resumes; passed slots are not replayed.
    discord.behaviour = undefined;
    const resumed = await run('/digest subscribe daily 09:00 Europe/Istanbul', 'discord');
    expect(resumed.ok && resumed.title).toBe('Digest subscription 1 resumed');
    await vi.advanceTimersByTimeAsync(24 * 3_600_000);
    await scheduler.idle();
    expect(discord.delivered).toHaveLength(1);
    expect(discord.delivered[0]!.at).toBe('2025-06-05T06:00:00.000Z');
  });

  it('a missing permission pauses the subscription with that reason', async () => {
    const slack = new RecordingSender('slack', () => {
      throw new DeliveryError('forbidden', 'not_in_channel');
    });
    vi.setSystemTime(new Date('2025-06-02T05:29:00Z'));
    await boot(slack);
    await run('/digest subscribe weekdays 08:30 Europe/Istanbul', 'slack');
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.idle();
    const status = text(await run('/digest status', 'slack'));
    expect(status).toContain(
      'Paused since Mon 2 Jun 2025, 08:30 (Europe/Istanbul): the bot is not allowed to post in this channel (missing permission) (not_in_channel).',
    );
  });

  it('a 429 waits the time the platform asked and then posts once', async () => {
    const slack = new RecordingSender('slack', (_call, attempt) => {
      if (attempt === 1) throw new DeliveryError('rate-limited', 'ratelimited', { retryAfterMs: 7000 });
      return { messageIds: ['1718000000.000100'] };
    });
    await boot(slack);
    await run('/digest subscribe daily 09:00 Europe/Istanbul', 'slack');
    await vi.advanceTimersByTimeAsync(60_000);
    expect(slack.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(6900);
    expect(slack.attempts).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(100);
    await scheduler.idle();
    expect(slack.delivered).toHaveLength(1);
    expect(slack.attempts.map((a) => a.at)).toEqual(['2025-06-02T06:00:00.000Z', '2025-06-02T06:00:07.000Z']);
    const [row] = await store.deliveries.recentForChannel('slack', 'C-digest', 1);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2, messageIds: ['1718000000.000100'] });
  });

  it('transient errors are retried with backoff (1 s, then 5 s, each kept 1 s + margin after the last post to the channel) until the post goes through', async () => {
    const slack = new RecordingSender('slack', (_call, attempt) => {
      if (attempt < 3) throw new DeliveryError('transient', 'socket hang up');
      return { messageIds: ['m'] };
    });
    await boot(slack);
    await run('/digest subscribe daily 09:00 Europe/Istanbul', 'slack');
    await vi.advanceTimersByTimeAsync(60_000 + 7000);
    await scheduler.idle();
    expect(slack.attempts.map((a) => a.at)).toEqual(['2025-06-02T06:00:00.000Z', '2025-06-02T06:00:01.050Z', '2025-06-02T06:00:06.050Z']);
    expect(slack.delivered).toHaveLength(1);
  });

  it('when retries run out the failure is recorded, logged and shown, not dropped', async () => {
    const slack = new RecordingSender('slack', () => {
      throw new Error('ECONNRESET');
    });
    await boot(slack);
    await run('/digest subscribe daily 09:00 Europe/Istanbul', 'slack');
    await vi.advanceTimersByTimeAsync(60_000 + 15 * 60_000);
    await scheduler.idle();
    expect(slack.attempts).toHaveLength(6);
    const [row] = await store.deliveries.recentForChannel('slack', 'C-digest', 1);
    expect(row).toMatchObject({ status: 'failed', attempts: 6, error: 'gave up after 6 attempts: ECONNRESET' });
    expect(log.entries.some((e) => e.level === 'error' && e.msg === 'digest not delivered; giving up')).toBe(true);
    expect(text(await run('/digest status', 'slack'))).toContain(
      'Last: failed — Mon 2 Jun 2025, 09:00 (Europe/Istanbul), gave up after 6 attempts: ECONNRESET',
    );
    // Not paused: a transient outage does not stop tomorrow's digest.
    expect(text(await run('/digest status', 'slack'))).toContain(
      'Next: Tue 3 Jun 2025, 09:00 (Europe/Istanbul) · Tue 3 Jun 2025, 06:00 UTC',
    );
  });

  it('many subscriptions due at once in one Slack channel are posted at most one per second', async () => {
    const slack = new RecordingSender('slack');
    await boot(slack, 'post');
    for (const c of ['C1', 'C2', 'C3']) await run('/digest subscribe 0 9 * * * Europe/Istanbul', 'slack', c);
    for (let i = 0; i < 5; i++) await run(`/digest subscribe ${i} 9 * * * Europe/Istanbul`, 'slack', 'C-busy');
    vi.setSystemTime(new Date('2025-06-02T06:10:00Z')); // all five slots caught up at once
    await scheduler.sweep();
    await vi.advanceTimersByTimeAsync(10_000);
    await scheduler.idle();
    const busy = slack.delivered.filter((d) => d.channelId === 'C-busy').map((d) => Date.parse(d.at));
    expect(busy).toHaveLength(5);
    for (let i = 1; i < busy.length; i++) expect(busy[i]! - busy[i - 1]!).toBeGreaterThanOrEqual(1000);
  });

  it('Discord sends stay within 50 per second across channels', async () => {
    const discord = new RecordingSender('discord');
    await boot(discord, 'post');
    for (let i = 0; i < 120; i++) await run('/digest subscribe daily 09:00 Europe/Istanbul', 'discord', `G${i}`);
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(5000);
    await scheduler.idle();
    const times = discord.delivered.map((d) => Date.parse(d.at)).sort((a, b) => a - b);
    expect(times).toHaveLength(120);
    for (let i = 50; i < times.length; i++) expect(times[i]! - times[i - 50]!).toBeGreaterThanOrEqual(1000);
  });

  it('a store that fails the first sweep does not fail the start: the next minute sweeps again and posts the slot', async () => {
    const slack = new RecordingSender('slack');
    store = await openStore({ dataDir: data.dir });
    const sub = await store.subscriptions.create({
      platform: 'slack',
      channelId: 'C-digest',
      schedule: 'daily 05:58',
      cron: '58 5 * * *',
      timeZone: 'UTC',
      createdBy: 'U1',
      createdAt: '2025-06-01T00:00:00.000Z',
    });
    const takeDue = store.subscriptions.takeDue.bind(store.subscriptions);
    let failures = 1;
    store.subscriptions.takeDue = async (request) => {
      if (failures-- > 0) throw Object.assign(new Error("The bot's data store is unreachable right now"), { code: 'store-unavailable' });
      return takeDue(request);
    };
    scheduler = createScheduler({
      store,
      library,
      senders: new Map([['slack', slack]]),
      config: { ...DIGEST_CONFIG, DIGEST_EMPTY: 'post' },
      logger: log,
    });
    await expect(scheduler.start()).resolves.toEqual({ claimed: 0, late: 0, skipped: 0, recovered: 0 });
    expect(log.entries.some((e) => e.level === 'error' && e.msg.includes('the first digest sweep failed'))).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.idle();
    expect(slack.delivered).toHaveLength(1);
    expect((await store.deliveries.recentForChannel('slack', 'C-digest', 5))[0]).toMatchObject({
      subscriptionId: sub.id,
      status: 'delivered',
    });
  });
});
