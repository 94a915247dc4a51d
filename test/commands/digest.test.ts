import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import digest from '../../commands/digest.ts';
import { commands } from '../../commands/index.ts';
import { renderText } from '../../src/adapters/console/render.ts';
import { consoleContext } from '../../src/adapters/console/session.ts';
import type { CommandContext, Platform } from '../../src/core/command.ts';
import { runCommand, runLine } from '../../src/core/dispatch.ts';
import type { Library } from '../../src/core/library.ts';
import type { Reply } from '../../src/core/reply.ts';
import { createConsoleSender } from '../../src/scheduler/console-sender.ts';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.ts';
import { DATABASE_FILE } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { sqliteStoreIn } from '../helpers/store.ts';
import { channelContext, DIGEST_CONFIG, RecordingSender, silentLog, tempDataDir } from '../scheduler/helpers.ts';
import { holdLock } from '../store/processes.ts';

const message = (r: Reply) =>
  r.ok
    ? `${r.title}\n${r.text ?? ''}\n${(r.items ?? []).map((i) => `${i.label}: ${i.text}`).join('\n')}\n${r.footer ?? ''}`
    : r.error.message;

describe('/digest', () => {
  let data: ReturnType<typeof tempDataDir>;
  let library: Library;
  let store: Store;
  let scheduler: Scheduler;
  let slack: RecordingSender;
  let terminal: PassThrough;

  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-06-02T05:00:00Z')); // Monday 08:00 in Istanbul
    data = tempDataDir();
    library = libraryOf(articleFromFile(BUNDLED_FILE));
    store = sqliteStoreIn(data.dir);
    slack = new RecordingSender('slack');
    terminal = new PassThrough();
    scheduler = createScheduler({
      store,
      library,
      senders: new Map<Platform, RecordingSender | ReturnType<typeof createConsoleSender>>([
        ['slack', slack],
        ['console', createConsoleSender({ output: terminal, render: (r) => renderText(r) })],
      ]),
      config: DIGEST_CONFIG,
      logger: silentLog,
    });
  });
  afterEach(async () => {
    vi.useRealTimers();
    await scheduler.stop();
    await store.close();
    data.cleanup();
  });

  const ctx = (options: { moderator?: boolean; channelId?: string } = {}): CommandContext =>
    channelContext(library, { digests: scheduler.digests }, options);
  const run = (line: string, options: { moderator?: boolean; channelId?: string } = {}) => runLine(commands, line, ctx(options));

  it('subscribe answers with the schedule in words and the next run in the zone and in UTC', async () => {
    const reply = await run('/digest subscribe daily 09:00 Europe/Istanbul');
    expect(reply).toMatchObject({
      ok: true,
      title: 'Digest subscription 1 added',
      text: 'daily 09:00 Europe/Istanbul — At 09:00, every day. Next digest: Mon 2 Jun 2025, 09:00 (Europe/Istanbul) · Mon 2 Jun 2025, 06:00 UTC.',
      visibility: 'private',
    });
    expect(await store.audit.list()).toMatchObject([
      {
        actor: 'U-mod',
        action: 'digest.subscribe',
        target: 'subscription:1',
        detail: { schedule: 'daily 09:00', timeZone: 'Europe/Istanbul' },
      },
    ]);
  });

  it('subscribe takes weekdays, weekly and cron forms, and the default zone when none is given', async () => {
    expect(message(await run('/digest subscribe weekdays 8:30'))).toContain(
      'weekdays 08:30 Europe/Istanbul — At 08:30, Monday through Friday',
    );
    expect(message(await run('/digest subscribe weekly Monday 09:00 America/New_York'))).toContain(
      'weekly mon 09:00 America/New_York — At 09:00, only on Monday. Next digest: Mon 2 Jun 2025, 09:00 (America/New_York) · Mon 2 Jun 2025, 13:00 UTC.',
    );
    expect(message(await run('/digest subscribe "30 8 * * 1-5" utc'))).toContain('30 8 * * 1-5 UTC — At 08:30, Monday through Friday');
  });

  it('a subscription in UTC names its next run once, and /digest status too', async () => {
    expect(message(await run('/digest subscribe daily 09:00 UTC'))).toContain(
      'daily 09:00 UTC — At 09:00, every day. Next digest: Mon 2 Jun 2025, 09:00 UTC.\n',
    );
    expect(message(await run('/digest status'))).toContain('Next: Mon 2 Jun 2025, 09:00 UTC\nLast: none yet');
  });

  it('Discord-style structured options work the same', async () => {
    const reply = await runCommand(digest, { subcommand: 'subscribe', when: 'daily 09:00', timezone: 'Asia/Tokyo' }, ctx());
    expect(message(reply)).toContain('daily 09:00 Asia/Tokyo');
  });

  it('the time zone option suggests matching IANA names', () => {
    const option = digest.subcommands?.find((s) => s.name === 'subscribe')?.options.find((o) => o.name === 'timezone');
    expect(option?.autocomplete?.(ctx(), 'istan', {})).toEqual([{ name: 'Europe/Istanbul', value: 'Europe/Istanbul' }]);
    expect(option?.autocomplete?.(ctx(), 'new york', {}).map((c) => c.value)).toContain('America/New_York');
    expect(option?.autocomplete?.(ctx(), '', {})[0]).toEqual({ name: 'Europe/Istanbul', value: 'Europe/Istanbul' });
  });

  it('a time zone that does not exist is refused with examples of real ones', async () => {
    const reply = await run('/digest subscribe daily 09:00 Europe/Istambul');
    expect(reply).toMatchObject({ ok: false, error: { code: 'invalid-timezone' } });
    expect(message(reply)).toBe(
      '"Europe/Istambul" is not a time zone I know. Use an IANA time zone such as Europe/Istanbul, America/New_York or UTC.',
    );
  });

  it('a schedule it cannot read is refused, naming it and the forms that work', async () => {
    expect(message(await run('/digest subscribe hourly'))).toBe(
      '"hourly" is not a schedule. Use daily 09:00, weekdays 08:30, weekly mon 09:00, or a 5-field cron expression such as "30 8 * * 1-5".',
    );
    expect(message(await run('/digest subscribe daily 9am'))).toContain('"daily 9am": give the time as HH:MM, e.g. daily 09:00');
    expect(message(await run('/digest subscribe'))).toContain('Say when to post, e.g. /digest subscribe daily 09:00 Europe/Istanbul');
  });

  it('subscribe, unsubscribe and now are for moderators; status and preview for everyone', async () => {
    for (const sub of ['subscribe daily 09:00', 'unsubscribe 1', 'now']) {
      const reply = await run(`/digest ${sub}`, { moderator: false });
      expect(reply).toMatchObject({
        ok: false,
        error: { code: 'forbidden', message: `/digest ${sub.split(' ')[0]} is for moderators only; ask a moderator of this workspace.` },
      });
    }
    expect((await run('/digest status', { moderator: false })).ok).toBe(true);
    expect((await run('/digest preview', { moderator: false })).ok).toBe(true);
    expect((await run('/digest', { moderator: false })).ok && (await run('/digest', { moderator: false }))).toMatchObject({
      title: 'No digest subscriptions here',
    });
  });

  it('a channel holds several subscriptions, each with an id in status; the same one twice is refused', async () => {
    await run('/digest subscribe daily 09:00 Europe/Istanbul');
    await run('/digest subscribe weekly fri 17:00 Europe/Istanbul');
    expect(message(await run('/digest subscribe daily 09:00 Europe/Istanbul'))).toBe(
      'This channel already gets "daily 09:00" digests in Europe/Istanbul (subscription 1). See /digest status.',
    );
    const status = message(await run('/digest status', { moderator: false }));
    expect(status).toContain('Digest subscriptions here: 2');
    expect(status).toContain(
      'Subscription 1: daily 09:00 Europe/Istanbul — At 09:00, every day\nNext: Mon 2 Jun 2025, 09:00 (Europe/Istanbul) · Mon 2 Jun 2025, 06:00 UTC\nLast: none yet',
    );
    expect(status).toContain(
      'Subscription 2: weekly fri 17:00 Europe/Istanbul — At 17:00, only on Friday\nNext: Fri 6 Jun 2025, 17:00 (Europe/Istanbul) · Fri 6 Jun 2025, 14:00 UTC',
    );
    // Other channels are separate.
    expect(message(await run('/digest status', { channelId: 'C-other' }))).toContain('No digest subscriptions here');
  });

  it('unsubscribe needs an id when there are several, and names the ones there are', async () => {
    await run('/digest subscribe daily 09:00');
    await run('/digest subscribe daily 18:00');
    expect(message(await run('/digest unsubscribe'))).toBe(
      'This channel has 2 digest subscriptions: 1 (daily 09:00 Europe/Istanbul), 2 (daily 18:00 Europe/Istanbul). Say which one: /digest unsubscribe 1',
    );
    expect(message(await run('/digest unsubscribe 7'))).toBe(
      'There is no digest subscription 7 in this channel; it has 1 (daily 09:00 Europe/Istanbul), 2 (daily 18:00 Europe/Istanbul).',
    );
    expect(message(await run('/digest unsubscribe two'))).toContain('/digest: id "two": must be a subscription id such as 2');
    expect(await run('/digest unsubscribe 2')).toMatchObject({ ok: true, title: 'Digest subscription 2 removed' });
    expect(await run('/digest unsubscribe')).toMatchObject({ ok: true, title: 'Digest subscription 1 removed' });
    expect(message(await run('/digest unsubscribe'))).toBe('This channel has no digest subscription.');
  });

  it('preview shows privately what would be posted, and nothing is recorded', async () => {
    const reply = await run('/digest preview', { moderator: false });
    expect(reply).toMatchObject({ ok: true, visibility: 'private', title: 'Preview — Briefing digest: the latest briefing' });
    expect(reply.ok && reply.excerpts[0]?.text).toContain(library.list()[0]!.article.keyPoints[0]);
    expect(await store.deliveries.countByStatus()).toMatchObject({ delivered: 0, claimed: 0 });
  });

  it('now posts the digest in the channel and records it; a second now has nothing new', async () => {
    const reply = await run('/digest now');
    expect(reply).toMatchObject({ ok: true, title: 'Digest posted', text: 'Posted a digest of 1 briefing in this channel.' });
    expect(slack.delivered).toHaveLength(1);
    expect(slack.delivered[0]!.reply.visibility).toBe('public');
    expect(message(await run('/digest now'))).toContain('Nothing new since the last digest, so nothing was posted');
    expect(message(await run('/digest preview'))).toContain('Right now nothing would be posted (DIGEST_EMPTY=skip).');
    expect(message(await run('/digest status'))).toContain(
      'Last digest: nothing new, not posted — /digest now at Mon 2 Jun 2025, 08:00 (Europe/Istanbul)',
    );
  });

  it('the terminal is a channel of its own: a digest posted there is written to the chat output', async () => {
    const consoleDeps = { library, commands, services: { digests: scheduler.digests } };
    const reply = await runLine(commands, '/digest now', consoleContext(consoleDeps, 'console'));
    expect(reply).toMatchObject({ ok: true, title: 'Digest posted' });
    const written = String(terminal.read()).replace(/\s+/g, ' ');
    expect(written).toContain('Briefing digest: the latest briefing');
    expect(written).toContain(library.list()[0]!.article.keyPoints[0]);
    expect((await store.deliveries.recentForChannel('console', 'terminal', 1))[0]).toMatchObject({ status: 'delivered', kind: 'manual' });
  });

  it('a piped terminal has no terminal channel to post in: now says so and points to preview, and records nothing', async () => {
    // As main.ts wires it for piped input: no terminal sender.
    const piped = createScheduler({ store, library, senders: new Map([['slack', slack]]), config: DIGEST_CONFIG, logger: silentLog });
    try {
      const consoleDeps = { library, commands, services: { digests: piped.digests } };
      const reply = await runLine(commands, '/digest now', consoleContext(consoleDeps, 'console'));
      expect(reply).toEqual({
        ok: false,
        command: 'digest',
        error: {
          code: 'no-sender',
          message:
            'Digests are posted in the terminal only while the chat runs in an interactive terminal (npm start at a prompt); with piped input or briefing-bot exec there is nowhere to post one. /digest preview shows what would be posted.',
        },
      });
      expect(await store.deliveries.recentForChannel('console', 'terminal', 1)).toEqual([]);
      expect(await runLine(commands, '/digest preview', consoleContext(consoleDeps, 'console'))).toMatchObject({ ok: true });
    } finally {
      await piped.stop();
    }
  });

  it('a platform this process is not connected to is named when a digest cannot be posted there', async () => {
    const reply = await runLine(commands, '/digest now', channelContext(library, { digests: scheduler.digests }, { platform: 'discord' }));
    expect(reply).toMatchObject({
      ok: false,
      error: {
        code: 'no-sender',
        message:
          'Digests cannot be posted to Discord from this bot process: it is not connected there. /digest preview shows what would be posted.',
      },
    });
  });

  it('status while the store is unreachable says so and what it means for scheduled digests; it works again once the file is back', async () => {
    await run('/digest subscribe daily 09:00');
    const db = join(data.dir, DATABASE_FILE);
    renameSync(db, `${db}.moved`);
    writeFileSync(db, 'not a database '.repeat(20));
    const reply = await run('/digest status', { moderator: false });
    expect(reply).toMatchObject({ ok: false, error: { code: 'store-unavailable' } });
    expect(message(reply)).toBe(
      "Digest status cannot be read: the bot's data store is unreachable right now (it is not a SQLite database (its header is wrong)), so this cannot be done; answers from the briefings still work. It reconnects by itself: try again in a minute. Scheduled digests wait until it is back; slots missed meanwhile are posted late, within the catch-up window.",
    );
    expect(message(await run('/digest subscribe weekdays 08:30'))).toMatch(
      /^The subscription was not added: the bot's data store is unreachable/,
    );
    renameSync(`${db}.moved`, db);
    await store.ping();
    expect(message(await run('/digest status'))).toContain('Digest subscriptions here: 1');
  });

  it('status while another process keeps the store locked past the lock timeout shows the subscriptions and says digests wait', async () => {
    await run('/digest subscribe daily 09:00');
    const holder = await holdLock(join(data.dir, DATABASE_FILE), 'write');
    try {
      expect(message(await run('/digest status'))).not.toContain('cannot be written');
      vi.setSystemTime(new Date('2025-06-02T05:00:11Z')); // the default STORE_LOCK_TIMEOUT_MS (10 s) later
      const status = await run('/digest status', { moderator: false });
      expect(status.ok).toBe(true);
      expect(message(status)).toContain('Digest subscriptions here: 1');
      expect(message(status)).toContain(
        "The bot's data store cannot be written to right now (another process has held the database lock for more than 10 s): scheduled digests wait until it is back; slots missed meanwhile are posted late, within the catch-up window.",
      );
      expect(message(status)).not.toContain(data.dir);
    } finally {
      await holder.release();
    }
    expect(message(await run('/digest status'))).not.toContain('cannot be written');
  });

  it('an unknown subcommand names the ones there are; without a digest service the command says so', async () => {
    expect(message(await run('/digest later'))).toContain(
      '/digest: subcommand "later": must be one of subscribe, unsubscribe, status, preview, now',
    );
    const bare = await runLine(commands, '/digest status', channelContext(library, {}));
    expect(bare).toMatchObject({ ok: false, error: { code: 'digests-unavailable' } });
  });
});
