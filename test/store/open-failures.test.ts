import { existsSync, readdirSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DATABASE_FILE, openStore, StoreFailure } from '../../src/store/index.ts';
import { APPLICATION_ID } from '../../src/store/sqlite-file.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE } from '../helpers/library.ts';
import { tempDataDir } from '../scheduler/helpers.ts';
import { holdLock } from './processes.ts';

const AT = '2025-06-01T00:00:00.000Z';

/** A data folder whose database holds one registered briefing (and so its marker). */
async function folderWithBriefing(dir: string): Promise<void> {
  const store = await openStore({ dataDir: dir });
  await store.articles.addRevision(
    { article: articleFromFile(BUNDLED_FILE), rawSha256: 'a', registeredBy: 'test', registeredAt: AT },
    { at: AT, actor: 'test', action: 'article.register' },
  );
  await store.close();
}

/** The StoreFailure `openStore` rejects with. */
async function failure(dir: string, lockTimeoutMs?: number): Promise<StoreFailure> {
  const error = await openStore({ dataDir: dir, ...(lockTimeoutMs !== undefined ? { lockTimeoutMs } : {}) }).then(
    (store) => {
      void store.close();
      throw new Error('the store opened');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(StoreFailure);
  return error as StoreFailure;
}

describe('opening a data folder whose database cannot be used', () => {
  let data: ReturnType<typeof tempDataDir>;
  let db: string;
  beforeEach(() => {
    data = tempDataDir();
    db = join(data.dir, DATABASE_FILE);
  });
  afterEach(() => data.cleanup());

  it('a file that is not a database is refused, naming the file, a backup and doctor', async () => {
    writeFileSync(db, 'these are my notes, not a database\n'.repeat(20));
    const e = await failure(data.dir);
    expect(e.code).toBe('store-not-database');
    expect(e.message).toContain(`store: ${db}: it is not a SQLite database (its header is wrong).`);
    expect(e.message).toContain(`Restore it from a backup (stop the bot, copy the backup over ${db}, start again)`);
    expect(e.message).toContain('npx briefing-bot doctor');
    expect(e.message).toContain('STORE=off');
    expect(readFileSync(db, 'utf8')).toMatch(/^these are my notes/);
  });

  it('a truncated database is refused as damaged', async () => {
    await folderWithBriefing(data.dir);
    truncateSync(db, Math.floor(readFileSync(db).length / 2));
    const e = await failure(data.dir);
    expect(e.code).toBe('store-corrupt');
    expect(e.message).toContain(`store: ${db}: the database is damaged (SQLite: database disk image is malformed)`);
  });

  it('a database with garbled pages is refused as damaged at start, not when a page is first read', async () => {
    await folderWithBriefing(data.dir);
    const bytes = readFileSync(db);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xab, pageSize, bytes.length - pageSize);
    writeFileSync(db, bytes);
    const e = await failure(data.dir);
    expect(e.code).toBe('store-corrupt');
    expect(e.reason).toMatch(/^the database is damaged/);
  });

  it("another program's SQLite database is refused and left unchanged", async () => {
    const foreign = new Database(db);
    foreign.exec("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO users (name) VALUES ('ada')");
    foreign.close();
    const e = await failure(data.dir);
    expect(e.code).toBe('store-foreign');
    expect(e.message).toContain("it is a SQLite database but not briefing-bot's (its tables: users)");
    expect(e.message).toContain('Point BRIEFING_DATA_DIR at');
    const after = new Database(db, { readonly: true });
    expect(after.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all()).toEqual([{ name: 'users' }]);
    expect(after.pragma('application_id', { simple: true })).toBe(0);
    after.close();
  });

  it('a database marked with another application id is refused', async () => {
    const foreign = new Database(db);
    foreign.pragma('application_id = 1234');
    foreign.exec('CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT, applied_at TEXT)');
    foreign.close();
    const e = await failure(data.dir);
    expect(e.code).toBe('store-foreign');
    expect(e.reason).toBe("it is another program's SQLite database (application_id 0x4d2), not briefing-bot's");
  });

  it('a database written by a newer briefing-bot is refused, naming both schema versions', async () => {
    await folderWithBriefing(data.dir);
    const raw = new Database(db);
    raw.prepare("INSERT INTO schema_migrations VALUES (99, 'from the future', ?)").run(AT);
    raw.close();
    const e = await failure(data.dir);
    expect(e.code).toBe('store-too-new');
    expect(e.message).toContain('the database is at schema version 99 but this version of briefing-bot knows up to 3');
    expect(e.message).toContain('Upgrade briefing-bot, or restore a backup made by this version');
  });
});

describe('a missing or empty database', () => {
  let data: ReturnType<typeof tempDataDir>;
  let db: string;
  let marker: string;
  beforeEach(() => {
    data = tempDataDir();
    db = join(data.dir, DATABASE_FILE);
    marker = join(data.dir, '.briefing.db.keep');
  });
  afterEach(() => data.cleanup());

  it('is created when nothing was ever stored in the folder, and no marker is written until something is', async () => {
    writeFileSync(db, '');
    const store = await openStore({ dataDir: data.dir });
    expect(await store.schemaVersion()).toBe(3);
    await store.keys.put('k', 'v', AT, '2099-01-01T00:00:00.000Z');
    expect(existsSync(marker)).toBe(false);
    await store.subscriptions.create({
      platform: 'slack',
      channelId: 'C1',
      schedule: 'daily 09:00',
      cron: '0 9 * * *',
      timeZone: 'UTC',
      createdBy: 'U1',
      createdAt: AT,
    });
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ database: 'briefing.db', first: 'digest.subscribe' });
    await store.close();
  });

  it('is refused once briefings were registered there: deleted, naming the marker and how to restore or start afresh', async () => {
    await folderWithBriefing(data.dir);
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ first: 'article.register' });
    unlinkSync(db);
    const e = await failure(data.dir);
    expect(e.code).toBe('store-lost');
    expect(e.message).toContain(`the database is missing, but this folder held data (article.register, since `);
    expect(e.message).toContain(`Restore briefing.db from a backup into ${data.dir}`);
    expect(e.message).toContain('npx briefing-bot doctor --start-afresh');
    expect(existsSync(db)).toBe(false);
  });

  it('is refused once briefings were registered there: emptied to 0 bytes', async () => {
    await folderWithBriefing(data.dir);
    truncateSync(db, 0);
    const e = await failure(data.dir);
    expect(e.code).toBe('store-lost');
    expect(e.reason).toMatch(/^the database is empty \(0 bytes\), but this folder held data/);
    expect(readFileSync(db).length).toBe(0);
  });

  it('is refused once briefings were registered there: the database deleted with a glob that also takes its -wal and -shm', async () => {
    await folderWithBriefing(data.dir);
    // `rm data/briefing.db*`, or `rm data/*`: the marker is hidden and not named like the database.
    for (const name of readdirSync(data.dir)) if (name.startsWith('briefing.db') || !name.startsWith('.')) unlinkSync(join(data.dir, name));
    expect(readdirSync(data.dir)).toEqual(['.briefing.db.keep']);
    const e = await failure(data.dir);
    expect(e.code).toBe('store-lost');
    expect(e.message).toContain(`${marker} records that data was stored here.`);
    expect(existsSync(db)).toBe(false);
  });

  it('honours the marker an earlier version wrote (briefing.db.keep), and copies it to where it is looked for now', async () => {
    await folderWithBriefing(data.dir);
    const written = readFileSync(marker, 'utf8');
    writeFileSync(`${db}.keep`, written.replace(/"since": "[^"]*"/, '"since": "2025-01-01T00:00:00.000Z"'));
    unlinkSync(marker);
    const store = await openStore({ dataDir: data.dir });
    await store.close();
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ first: 'article.register', since: '2025-01-01T00:00:00.000Z' });
    unlinkSync(marker);
    unlinkSync(db);
    const e = await failure(data.dir);
    expect(e.code).toBe('store-lost');
    expect(e.message).toContain(`${db}.keep records that data was stored here.`);
  });

  it('a folder from before the marker existed gets one at its next start, from what the database holds', async () => {
    await folderWithBriefing(data.dir);
    unlinkSync(marker);
    const store = await openStore({ dataDir: data.dir });
    await store.close();
    expect(JSON.parse(readFileSync(marker, 'utf8'))).toMatchObject({ first: 'existing registered briefings' });
  });

  it('marks a database it creates as briefing-bot\'s (application id "brbt")', async () => {
    const store = await openStore({ dataDir: data.dir });
    await store.close();
    const raw = new Database(db, { readonly: true });
    expect(raw.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    raw.close();
  });
});

describe('a database another process keeps locked at start', () => {
  let data: ReturnType<typeof tempDataDir>;
  let db: string;
  beforeEach(async () => {
    data = tempDataDir();
    db = join(data.dir, DATABASE_FILE);
    await folderWithBriefing(data.dir);
  });
  afterEach(() => data.cleanup());

  it('is waited for, and the store opens once the other process lets go', async () => {
    const holder = await holdLock(db, 'exclusive');
    let waiting: () => void = () => {};
    const warned = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const opening = openStore({ dataDir: data.dir, lockTimeoutMs: 60_000, log: { warn: () => waiting(), info: () => {} } });
    await warned;
    await holder.release();
    const store: Store = await opening;
    expect((await store.articles.listLatest()).map((r) => r.id)).toHaveLength(1);
    await store.close();
  });

  it('held past STORE_LOCK_TIMEOUT_MS fails with the same kind of clear message', async () => {
    const holder = await holdLock(db, 'write');
    try {
      const e = await failure(data.dir, 300);
      expect(e.code).toBe('store-locked');
      expect(e.message).toContain(`store: ${db}: another process held the database lock for more than 0.3 s.`);
      expect(e.message).toContain('STORE_LOCK_TIMEOUT_MS');
    } finally {
      await holder.release();
    }
  });
});
