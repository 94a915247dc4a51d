import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { commands } from '../../commands/index.ts';
import { runLine } from '../../src/core/dispatch.ts';
import type { Library } from '../../src/core/library.ts';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { sqliteStoreIn } from '../helpers/store.ts';
import { channelContext, DIGEST_CONFIG, RecordingSender, renamed, silentLog, tempDataDir } from './helpers.ts';

describe('digest scheduler on a fake clock', () => {
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
    for (const s of schedulers.splice(0)) await s.stop();
    for (const s of stores.splice(0)) await s.close();
    vi.useRealTimers();
    data.cleanup();
  });

  function boot(sender: RecordingSender, config: Partial<typeof DIGEST_CONFIG> = {}) {
    const store = sqliteStoreIn(data.dir);
    stores.push(store);
    const scheduler = createScheduler({
      store,
      library,
      senders: new Map([[sender.platform, sender]]),
      config: { ...DIGEST_CONFIG, ...config },
      logger: silentLog,
    });
    schedulers.push(scheduler);
    return { store, scheduler };
  }

  it('a channel subscribed to daily 09:00 Europe/Istanbul gets one digest at 09:00 Istanbul time with the key points, and a restart at 09:00:30 does not post it again', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:50:00Z')); // 08:50 in Istanbul (UTC+3)
    const slack = new RecordingSender('slack');
    const first = boot(slack);
    await first.scheduler.start();
    const reply = await runLine(
      commands,
      '/digest subscribe daily 09:00 Europe/Istanbul',
      channelContext(library, { digests: first.scheduler.digests }),
    );
    expect(reply.ok).toBe(true);

    await vi.advanceTimersByTimeAsync(9 * 60_000 + 59_000); // 08:59:59
    expect(slack.delivered).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1000); // 09:00:00
    await first.scheduler.idle();
    expect(slack.delivered).toHaveLength(1);
    const sent = slack.delivered[0]!;
    expect(sent.at).toBe('2025-06-02T06:00:00.000Z');
    expect(sent.channelId).toBe('C-digest');
    expect(sent.reply.visibility).toBe('public');
    const text = sent.reply.excerpts.map((e) => e.text).join('\n');
    for (const point of library.list()[0]!.article.keyPoints) expect(text).toContain(point);
    expect(text).toContain(`/brief ${library.list()[0]!.article.id}`);

    // Restart at 09:00:30: a new process on the same database file.
    await first.scheduler.stop();
    vi.setSystemTime(new Date('2025-06-02T06:00:30Z'));
    const second = boot(slack);
    const report = await second.scheduler.start();
    await second.scheduler.idle();
    expect(report.claimed).toBe(0);
    expect(slack.delivered).toHaveLength(1);
  });

  it('a restart that finds the watermark behind still does not re-post, because the ledger already holds the slot', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const slack = new RecordingSender('slack');
    const first = boot(slack);
    await first.scheduler.start();
    await runLine(commands, '/digest subscribe daily 09:00 Europe/Istanbul', channelContext(library, { digests: first.scheduler.digests }));
    await vi.advanceTimersByTimeAsync(60_000);
    await first.scheduler.idle();
    await first.scheduler.stop();
    expect(slack.delivered).toHaveLength(1);

    // As if the process died after posting and recording, but before moving the watermark.
    const raw = new Database(`${data.dir}/briefing.db`);
    raw.prepare("UPDATE subscriptions SET checked_until = '2025-06-02T05:59:00.000Z'").run();
    raw.close();

    vi.setSystemTime(new Date('2025-06-02T06:00:30Z'));
    const second = boot(slack);
    await second.scheduler.start();
    await second.scheduler.idle();
    expect(slack.delivered).toHaveLength(1);
  });

  it('the next day posts only briefings added since the previous digest, and skips the day nothing was added', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const slack = new RecordingSender('slack');
    const { scheduler, store } = boot(slack);
    await scheduler.start();
    await runLine(commands, '/digest subscribe daily 09:00 Europe/Istanbul', channelContext(library, { digests: scheduler.digests }));
    await vi.advanceTimersByTimeAsync(60_000);
    await scheduler.idle();
    expect(slack.delivered).toHaveLength(1);

    await vi.advanceTimersByTimeAsync(24 * 3_600_000); // next 09:00: nothing new
    await scheduler.idle();
    expect(slack.delivered).toHaveLength(1);
    const rows = await store.deliveries.recentForChannel('slack', 'C-digest', 5);
    expect(rows.map((r) => r.status)).toEqual(['empty', 'delivered']);

    await vi.advanceTimersByTimeAsync(3_600_000);
    library.add(renamed(articleFromFile(BUNDLED_FILE), 'a-newer-briefing', 'A newer briefing'), {
      addedAt: new Date().toISOString(),
      origin: 'registered',
    });
    await vi.advanceTimersByTimeAsync(23 * 3_600_000);
    await scheduler.idle();
    expect(slack.delivered).toHaveLength(2);
    expect(slack.delivered[1]!.reply.excerpts.map((e) => e.articleId)).toEqual(['a-newer-briefing']);
  });

  it('with DIGEST_EMPTY=post a day with nothing new posts a short note', async () => {
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const slack = new RecordingSender('slack');
    const { scheduler } = boot(slack, { DIGEST_EMPTY: 'post' });
    await scheduler.start();
    await runLine(commands, '/digest subscribe daily 09:00 Europe/Istanbul', channelContext(library, { digests: scheduler.digests }));
    await vi.advanceTimersByTimeAsync(60_000 + 24 * 3_600_000);
    await scheduler.idle();
    expect(slack.delivered.map((d) => d.reply.title)).toEqual(['Briefing digest: the latest briefing', 'Briefing digest: nothing new']);
  });
});
