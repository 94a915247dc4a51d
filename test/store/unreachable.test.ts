import {
  copyFileSync,
  existsSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { backupDatabase } from '../../src/store/backup.ts';
import { DATABASE_FILE } from '../../src/store/index.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { NewRevision, Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, SECOND_FILE } from '../helpers/library.ts';
import { memoryLog, tempDataDir } from '../scheduler/helpers.ts';
import { holdLock } from './processes.ts';

const AT = '2025-06-01T00:00:00.000Z';
const revision = (file: string, by = 'test'): NewRevision => ({
  article: articleFromFile(file),
  rawSha256: file,
  registeredBy: by,
  registeredAt: AT,
});

async function rejection(promise: Promise<unknown>): Promise<BotError> {
  const error = await promise.then(
    () => new Error('it succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BotError);
  return error as BotError;
}

describe('a running store whose database becomes unreachable', () => {
  let data: ReturnType<typeof tempDataDir>;
  let db: string;
  let store: Store;
  let log: ReturnType<typeof memoryLog>;
  let clock: number;
  beforeEach(async () => {
    data = tempDataDir();
    db = join(data.dir, DATABASE_FILE);
    log = memoryLog();
    clock = Date.parse(AT);
    store = openSqliteStore({ file: db, log, lockTimeoutMs: 300, now: () => new Date(clock), retryMs: [1000, 5000] });
    await store.articles.addRevision(revision(BUNDLED_FILE), { at: AT, actor: 'test', action: 'article.register' });
  });
  afterEach(async () => {
    await store.close();
    data.cleanup();
  });

  it('deleted: calls fail saying the store is unreachable (no path), ping names the file, and nothing is recreated', async () => {
    unlinkSync(db);
    const write = await rejection(store.articles.addRevision(revision(SECOND_FILE)));
    expect(write.code).toBe('store-unavailable');
    expect(write.message).toBe(
      "The bot's data store is unreachable right now (its database file is missing), so this cannot be done; answers from the briefings still work. It reconnects by itself: try again in a minute.",
    );
    const read = await rejection(store.subscriptions.listLive());
    expect(read.code).toBe('store-unavailable');
    const ping = await rejection(store.ping());
    expect(ping.message).toMatch(new RegExp(`^store: ${db}: its database file is missing`));
    expect(existsSync(db)).toBe(false);
    expect(log.entries.filter((e) => e.level === 'warn').map((e) => e.obj.reason)).toContain('its database file is missing');
  });

  it('deleted: what the open connection still held is saved beside it, and that copy restores everything', async () => {
    unlinkSync(db);
    await rejection(store.articles.listLatest());
    await store.close(); // waits for the copy
    const rescued = readdirSync(data.dir).filter((f) => f.startsWith('briefing.db.rescued-'));
    expect(rescued).toHaveLength(1);
    expect(log.entries.find((e) => e.obj.rescue)?.obj.rescue).toBe(join(data.dir, rescued[0] as string));
    // The old write-ahead log was put aside, so it cannot be replayed into the restored file.
    expect(existsSync(`${db}-wal`)).toBe(false);
    renameSync(join(data.dir, rescued[0] as string), db);
    store = openSqliteStore({ file: db });
    expect((await store.articles.listLatest()).map((r) => r.id)).toEqual([articleFromFile(BUNDLED_FILE).id]);
    expect(await store.audit.list()).toHaveLength(1);
  });

  it('deleted: ping names the file, what to do, and where what it held was saved, each once', async () => {
    unlinkSync(db);
    await rejection(store.articles.listLatest());
    const rescued = await vi.waitFor(() => {
      const found = readdirSync(data.dir).find((f) => f.startsWith('briefing.db.rescued-'));
      if (!found) throw new Error('not saved yet');
      return join(data.dir, found);
    });
    const ping = await vi.waitFor(async () => {
      const message = (await rejection(store.ping())).message;
      if (!message.includes('saved as')) throw new Error('the copy is not finished');
      return message;
    });
    expect(ping).toMatch(new RegExp(`^store: ${db}: its database file is missing\\.\\n`));
    expect(ping).toContain(`What it held was saved as ${rescued}: rename that file to briefing.db and the bot picks it up.`);
    expect(ping.split(`store: ${db}:`)).toHaveLength(2);
  });

  it('deleted and then restored from a backup: it reconnects by itself and writes land in the restored file', async () => {
    const backup = join(data.dir, 'backup.db');
    await backupDatabase(db, backup);
    unlinkSync(db);
    await rejection(store.ping());
    copyFileSync(backup, db);
    // A call before the next retry is due fails at once; after it, the call itself reconnects.
    await rejection(store.articles.listLatest());
    clock += 1000;
    expect((await store.articles.listLatest()).map((r) => r.id)).toEqual([articleFromFile(BUNDLED_FILE).id]);
    await store.articles.addRevision(revision(SECOND_FILE));
    await store.ping();
    const raw = new Database(db, { readonly: true });
    expect((raw.prepare('SELECT COUNT(*) AS n FROM articles').get() as { n: number }).n).toBe(2);
    raw.close();
    expect(log.entries.map((e) => e.msg)).toContain('the store is reachable again');
  });

  it('moved away and back while running: unreachable meanwhile, nothing lost (its log went into the moved file first)', async () => {
    await store.audit.append({ at: AT, actor: 'test', action: 'note', detail: { n: 2 } });
    renameSync(db, `${db}.elsewhere`);
    await rejection(store.audit.list());
    expect(existsSync(`${db}-wal`)).toBe(false);
    renameSync(`${db}.elsewhere`, db);
    await store.ping();
    expect((await store.audit.list()).map((e) => e.action)).toEqual(['note', 'article.register']);
  });

  it('replaced by another good database (a backup moved into place): the next call uses it without failing', async () => {
    const other = join(data.dir, 'other.db');
    await backupDatabase(db, other);
    const raw = new Database(other);
    raw.prepare('UPDATE articles SET hidden = 1').run();
    raw.close();
    renameSync(other, db);
    expect(await store.articles.listLatest()).toEqual([]);
  });

  it('replaced by a file that is not a database: unreachable until a good one is back', async () => {
    const good = join(data.dir, 'good.db');
    await backupDatabase(db, good);
    const junk = join(data.dir, 'junk');
    writeFileSync(junk, 'not a database '.repeat(100));
    renameSync(junk, db);
    expect((await rejection(store.audit.list())).message).toContain('(it is not a SQLite database (its header is wrong))');
    renameSync(good, db);
    await store.ping();
    expect(await store.audit.list()).toHaveLength(1);
  });

  it("replaced by another program's SQLite database: unreachable, named as not briefing-bot's, and left unchanged", async () => {
    const good = join(data.dir, 'good.db');
    await backupDatabase(db, good);
    const other = join(data.dir, 'invoices.db');
    const raw = new Database(other);
    raw.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
    raw.close();
    renameSync(other, db);
    const call = await rejection(store.articles.listLatest());
    expect(call.message).toContain("(it is a SQLite database but not briefing-bot's (its tables: invoices))");
    expect((await rejection(store.ping())).message).toMatch(new RegExp(`^store: ${db}: it is a SQLite database but not briefing-bot's`));
    const after = new Database(db, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'invoices' }]);
    after.close();
    renameSync(good, db);
    await store.ping();
    expect(await store.audit.list()).toHaveLength(1);
  });

  const cuts: [string, (file: string) => void, string][] = [
    [
      'truncated',
      (file) => truncateSync(file, Math.floor(statSync(file).size / 2)),
      'it is \\d+ bytes long, shorter than its header says \\(\\d+ pages of 4096 bytes\\): truncated',
    ],
    [
      'garbled pages',
      (file) => {
        const bytes = readFileSync(file);
        bytes.fill(0x5a, 4096, bytes.length - 4096);
        writeFileSync(file, bytes);
      },
      'the database is damaged \\(SQLite: database disk image is malformed\\)',
    ],
  ];
  for (const [damage, harm, reason] of cuts) {
    it(`${damage} in place (the same file): unreachable as damaged, and back once a backup is moved in`, async () => {
      await store.subscriptions.create({
        platform: 'slack',
        channelId: 'C1',
        schedule: 'daily 09:00',
        cron: '0 9 * * *',
        timeZone: 'UTC',
        createdBy: 'U1',
        createdAt: AT,
      });
      const good = join(data.dir, 'good.db');
      await backupDatabase(db, good);
      // What the write-ahead log held goes into the file first, as SQLite does now and then by itself.
      const raw = new Database(db);
      raw.pragma('wal_checkpoint(TRUNCATE)');
      raw.close();
      const identity = statSync(db).ino;
      harm(db);
      expect(statSync(db).ino).toBe(identity);
      // /readyz finds it (reads of what is left may still work until one reaches past the end) ...
      expect((await rejection(store.ping())).message).toMatch(new RegExp(`^store: ${db}: ${reason}\\.\\nRestore it from a backup`));
      // ... and from then on calls say the store is unreachable.
      expect((await rejection(store.subscriptions.listLive())).message).toMatch(
        new RegExp(`^The bot's data store is unreachable right now \\(${reason}\\)`),
      );
      renameSync(good, db);
      await store.ping();
      expect(await store.subscriptions.listLive()).toHaveLength(1);
    });
  }

  it('emptied to 0 bytes: unreachable, and not recreated over the loss', async () => {
    // Everything in the main file first, so what is emptied is the whole database.
    const raw = new Database(db);
    raw.pragma('wal_checkpoint(TRUNCATE)');
    raw.close();
    truncateSync(db, 0);
    expect((await rejection(store.keys.get('k', AT))).message).toContain('(its database file was emptied (0 bytes))');
    await rejection(store.ping());
    clock += 10_000;
    await rejection(store.keys.get('k', AT));
    expect(statSync(db).size).toBe(0);
  });

  it('a lock another process holds: writes wait up to the lock timeout and then fail saying so; reads go on; ping recovers once it is released', async () => {
    const holder = await holdLock(db, 'write');
    try {
      const write = await rejection(store.articles.addRevision(revision(SECOND_FILE)));
      expect(write.message).toContain('(another process has held the database lock for more than 0.3 s)');
      expect(await store.articles.listLatest()).toHaveLength(1);
      const ping = (await rejection(store.ping())).message.split('\n');
      expect(ping[0]).toBe(`store: ${db}: another process has held the database lock for more than 0.3 s.`);
      expect(ping[1]).toMatch(/^Another process keeps the database locked .* wait longer with STORE_LOCK_TIMEOUT_MS/);
    } finally {
      await holder.release();
    }
    await store.ping();
    expect((await store.articles.addRevision(revision(SECOND_FILE))).revision).toBe(1);
  });

  it('a write waits for a lock released within the timeout and then succeeds', async () => {
    const holder = await holdLock(db, 'write');
    const writing = store.articles.addRevision(revision(SECOND_FILE));
    await holder.release();
    // 300 ms is plenty unless the machine is very busy; the store waits, then writes.
    expect((await writing).id).toBe(articleFromFile(SECOND_FILE).id);
  });
});

describe('a running store while another process keeps the write lock', () => {
  let data: ReturnType<typeof tempDataDir>;
  let db: string;
  let store: Store;
  let clock: number;
  beforeEach(async () => {
    data = tempDataDir();
    db = join(data.dir, DATABASE_FILE);
    clock = Date.parse(AT);
    // A minute, as an operator might set STORE_LOCK_TIMEOUT_MS: nothing below may wait that long.
    store = openSqliteStore({ file: db, lockTimeoutMs: 60_000, now: () => new Date(clock) });
    await store.articles.addRevision(revision(BUNDLED_FILE), { at: AT, actor: 'test', action: 'article.register' });
  });
  afterEach(async () => {
    await store.close();
    data.cleanup();
  });

  it('is reported by ping once held past the lock timeout, with nothing written meanwhile; then writes fail at once, reads go on', async () => {
    const holder = await holdLock(db, 'write');
    try {
      await store.ping();
      clock += 59_000;
      await store.ping();
      clock += 2_000;
      expect((await rejection(store.ping())).message).toMatch(
        new RegExp(`^store: ${db}: another process has held the database lock for more than 60 s\\.\\n`),
      );
      // Without waiting another minute for the lock (the test would time out).
      const write = await rejection(store.articles.addRevision(revision(SECOND_FILE)));
      expect(write.code).toBe('store-unavailable');
      expect(write.message).toContain('(another process has held the database lock for more than 60 s)');
      await rejection(store.keys.put('k', 'v', AT, '2099-01-01T00:00:00.000Z'));
      expect(await store.articles.listLatest()).toHaveLength(1);
    } finally {
      await holder.release();
    }
    // The first call after the lock is let go finds it free: no waiting for a retry.
    expect((await store.articles.addRevision(revision(SECOND_FILE))).revision).toBe(1);
    await store.ping();
  });

  it('shared keys (retry de-duplication, buttons) give up on a fresh lock long before the lock timeout, and work once it is gone', async () => {
    const holder = await holdLock(db, 'write');
    try {
      const put = await rejection(store.keys.putIfAbsent('slack:delivery:x', '1', AT, '2099-01-01T00:00:00.000Z'));
      expect(put.message).toContain('(another process holds the database lock)');
      // Not held long enough to count as unreachable: ping still answers.
      await store.ping();
    } finally {
      await holder.release();
    }
    expect((await store.keys.putIfAbsent('slack:delivery:x', '1', AT, '2099-01-01T00:00:00.000Z')).created).toBe(true);
  });
});

describe('a running store in a folder that never held data', () => {
  it('recreates a deleted database, as a first start would', async () => {
    const data = tempDataDir();
    const db = join(data.dir, DATABASE_FILE);
    const store = openSqliteStore({ file: db });
    await store.keys.put('k', 'v', AT, '2099-01-01T00:00:00.000Z');
    unlinkSync(db);
    await store.ping();
    expect(existsSync(db)).toBe(true);
    expect(await store.keys.get('k', AT)).toBeUndefined();
    await store.close();
    data.cleanup();
  });
});
