import { existsSync, readdirSync, readFileSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrBuild } from '../../src/core/search/snapshot.ts';
import { storeCli } from '../../src/store/cli.ts';
import type { DoctorReport } from '../../src/store/doctor.ts';
import { DATABASE_FILE, openStore } from '../../src/store/index.ts';
import { articleFromFile, BUNDLED_FILE, SECOND_FILE } from '../helpers/library.ts';
import { tempDataDir } from '../scheduler/helpers.ts';
import { holdLock, startWriter } from './processes.ts';

const AT = '2025-06-01T00:00:00.000Z';
const CONTENT_DIR = dirname(BUNDLED_FILE);

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

describe('briefing-bot doctor and backup', () => {
  let data: ReturnType<typeof tempDataDir>;
  let db: string;
  let out: Sink;
  let err: Sink;
  let cli: ReturnType<typeof storeCli>;
  beforeEach(() => {
    data = tempDataDir();
    db = join(data.dir, DATABASE_FILE);
    out = new Sink();
    err = new Sink();
    cli = storeCli(() => ({ BRIEFING_DATA_DIR: data.dir, BRIEFING_CONTENT_DIR: CONTENT_DIR }), { stdout: out, stderr: err });
  });
  afterEach(() => data.cleanup());

  async function seed(): Promise<void> {
    const store = await openStore({ dataDir: data.dir });
    await store.articles.addRevision(
      { article: articleFromFile(BUNDLED_FILE), rawSha256: 'a', registeredBy: 'test', registeredAt: AT },
      { at: AT, actor: 'test', action: 'article.register' },
    );
    await store.subscriptions.create({
      platform: 'slack',
      channelId: 'C1',
      schedule: 'daily 09:00',
      cron: '0 9 * * *',
      timeZone: 'UTC',
      createdBy: 'U1',
      createdAt: AT,
    });
    await store.keys.put('live', 'v', AT, '2099-01-01T00:00:00.000Z');
    await store.keys.put('old', 'v', AT, '2025-06-01T00:00:01.000Z');
    await store.close();
  }

  async function doctor(...args: string[]): Promise<{ code: number; report: DoctorReport }> {
    const code = await cli.doctor?.(['--json', ...args]);
    return { code: code as number, report: JSON.parse(out.text) as DoctorReport };
  }

  it('a healthy folder: exit 0, every check ok, and the counts', async () => {
    await seed();
    const { code, report } = await doctor();
    expect(code).toBe(0);
    expect(report.healthy).toBe(true);
    const status = Object.fromEntries(report.checks.map((c) => [c.name, c.status]));
    expect(status).toMatchObject({
      'database file': 'ok',
      opens: 'ok',
      'schema version': 'ok',
      integrity: 'ok',
      'write lock': 'ok',
      marker: 'ok',
    });
    // Written by nobody yet: the next start builds it.
    expect(report.checks.find((c) => c.name === 'index snapshot')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^none yet/),
    });
    expect(report.counts).toMatchObject({
      briefings: 1,
      unregistered: 0,
      revisions: 1,
      subscriptions: { active: 1, paused: 0, cancelled: 0 },
      keys: { live: 1, expired: 1 },
      installations: 0,
      auditEntries: 1,
    });
  });

  it('the index snapshot is fresh when it matches the content and the registered briefings, stale after a registration', async () => {
    await seed();
    await loadOrBuild({ articles: [articleFromFile(BUNDLED_FILE)], snapshotPath: join(data.dir, 'index.snapshot') });
    expect((await doctor()).report.checks.find((c) => c.name === 'index snapshot')).toMatchObject({
      status: 'ok',
      detail: 'fresh: matches the 1 briefing the next start loads',
    });
    const store = await openStore({ dataDir: data.dir });
    await store.articles.addRevision({ article: articleFromFile(SECOND_FILE), rawSha256: 'b', registeredBy: 'test', registeredAt: AT });
    await store.close();
    out.text = '';
    const { code, report } = await doctor();
    expect(code).toBe(0);
    expect(report.checks.find((c) => c.name === 'index snapshot')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^stale/),
    });
  });

  it('prints the report as text, naming the folder and each check', async () => {
    await seed();
    expect(await cli.doctor?.([])).toBe(0);
    expect(out.text).toContain(`briefing-bot doctor: ${data.dir} (sqlite ${db})`);
    expect(out.text).toMatch(/✔ integrity +SQLite integrity check passed/);
    expect(out.text).toMatch(/briefings +1 \(0 unregistered\), 1 revisions/);
    // The index snapshot is not written yet: worth knowing, not a problem.
    expect(out.text.trim().endsWith('Healthy (1 note, ! above).')).toBe(true);
  });

  it('a folder that never held anything is healthy: the database is created at the first start', async () => {
    const { code, report } = await doctor();
    expect(code).toBe(0);
    expect(report.checks[0]).toMatchObject({ name: 'database file', status: 'ok', detail: expect.stringContaining('does not exist yet') });
  });

  it('a damaged database: exit 1, integrity names the damage', async () => {
    await seed();
    const bytes = readFileSync(db);
    const pageSize = bytes.readUInt16BE(16);
    bytes.fill(0xab, 2 * pageSize, 4 * pageSize);
    writeFileSync(db, bytes);
    const { code, report } = await doctor();
    expect(code).toBe(1);
    expect(report.healthy).toBe(false);
    expect(report.checks.some((c) => c.status === 'fail' && /damaged|malformed/.test(c.detail))).toBe(true);
  });

  it('a file that cannot be used: the failing check says what to do, in the text report too', async () => {
    await seed();
    writeFileSync(db, 'meeting notes\n'.repeat(50));
    const { code, report } = await doctor();
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.status === 'fail')).toEqual({
      name: 'opens',
      status: 'fail',
      detail: 'it is not a SQLite database (its header is wrong)',
      advice: `Restore it from a backup (stop the bot, copy the backup over ${db}, start again), or move it aside to look into it. To run without the store (no registered briefings, registration or digests), set STORE=off.`,
    });
    out.text = '';
    expect(await cli.doctor?.([])).toBe(1);
    expect(out.text).toMatch(/✖ opens +it is not a SQLite database \(its header is wrong\)\n +→ Restore it from a backup/);
  });

  it('a write lock another process keeps is a note saying what a start would do and what to do', async () => {
    await seed();
    const holder = await holdLock(db, 'write');
    try {
      const { code, report } = await doctor();
      expect(code).toBe(0);
      expect(report.checks.find((c) => c.name === 'write lock')).toEqual({
        name: 'write lock',
        status: 'warn',
        detail:
          'another process has held it for over 1 s: a bot starting now waits for it up to STORE_LOCK_TIMEOUT_MS, then stops; a running one cannot write',
        advice: expect.stringMatching(/^Another process keeps the database locked .*: let it finish or stop it/),
      });
    } finally {
      await holder.release();
    }
  });

  it('a newer schema is a failure naming both versions', async () => {
    await seed();
    const raw = new Database(db);
    raw.prepare("INSERT INTO schema_migrations VALUES (9, 'future', ?)").run(AT);
    raw.close();
    const { code, report } = await doctor();
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.name === 'schema version')).toMatchObject({
      status: 'fail',
      detail: '9, newer than this briefing-bot knows (3): upgrade briefing-bot, or restore a backup made by this version',
    });
  });

  it('a lost database is a failure; --start-afresh keeps the records aside and lets the next start create an empty one', async () => {
    await seed();
    truncateSync(db, 0);
    const lost = await doctor();
    expect(lost.code).toBe(1);
    expect(lost.report.checks[0]?.detail).toMatch(/^is empty \(0 bytes\), but .*\/\.briefing\.db\.keep says this folder held data/);
    await expect(openStore({ dataDir: data.dir })).rejects.toMatchObject({ code: 'store-lost' });

    out.text = '';
    expect(await cli.doctor?.(['--start-afresh'])).toBe(0);
    expect(out.text).toContain('Starting afresh');
    expect(existsSync(db)).toBe(false);
    expect(readdirSync(data.dir).some((f) => /^\.briefing\.db\.keep\.lost-/.test(f))).toBe(true);
    const store = await openStore({ dataDir: data.dir });
    expect(await store.articles.listLatest()).toEqual([]);
    await store.close();
  });

  it('--start-afresh refuses while the database is there', async () => {
    await seed();
    await expect(cli.doctor?.(['--start-afresh'])).rejects.toThrow(/is there .*nothing to start afresh from/);
    expect(existsSync(join(data.dir, '.briefing.db.keep'))).toBe(true);
  });

  it('backup while another process writes: the copy opens, passes the integrity check and holds whole transactions', async () => {
    await seed();
    const writer = await startWriter(db);
    let pairs: number;
    try {
      expect(await cli.backup?.([join(data.dir, 'copy.db')])).toBe(0);
    } finally {
      pairs = await writer.stop();
    }
    expect(out.text).toMatch(
      /^Backed up .*briefing\.db to .*copy\.db: \d+ bytes, schema version 3, 1 registered briefing, quick check ok\.\n$/,
    );
    const copy = new Database(join(data.dir, 'copy.db'), { readonly: true });
    expect(copy.pragma('integrity_check', { simple: true })).toBe('ok');
    const keys = (copy.prepare("SELECT key FROM keys WHERE key LIKE 'pair:%'").all() as { key: string }[]).map((k) => k.key);
    const halves = new Map<string, number>();
    for (const key of keys) halves.set(key.slice(0, -2), (halves.get(key.slice(0, -2)) ?? 0) + 1);
    expect([...halves.values()].every((n) => n === 2)).toBe(true);
    expect(halves.size).toBeGreaterThanOrEqual(50);
    expect(halves.size).toBeLessThanOrEqual(pairs);
    expect((copy.prepare('SELECT COUNT(*) AS n FROM articles').get() as { n: number }).n).toBe(1);
    copy.close();
  });

  it('backup refuses to overwrite a file unless --force, and leaves nothing half-written', async () => {
    await seed();
    const target = join(data.dir, 'copy.db');
    writeFileSync(target, 'precious');
    await expect(cli.backup?.([target])).rejects.toThrow(
      `backup: ${target} already exists: choose a new file name, or pass --force to replace it`,
    );
    expect(readFileSync(target, 'utf8')).toBe('precious');
    expect(await cli.backup?.([target, '--force'])).toBe(0);
    const copy = new Database(target, { readonly: true });
    expect((copy.prepare('SELECT COUNT(*) AS n FROM subscriptions').get() as { n: number }).n).toBe(1);
    copy.close();
    expect(readdirSync(data.dir).filter((f) => f.includes('partial'))).toEqual([]);
  });

  it('backup of a lost or damaged database fails with the store message', async () => {
    await seed();
    unlinkSync(db);
    await expect(cli.backup?.([join(data.dir, 'copy.db')])).rejects.toMatchObject({ code: 'store-lost' });
    writeFileSync(db, 'no database here '.repeat(20));
    await expect(cli.backup?.([join(data.dir, 'copy.db')])).rejects.toMatchObject({ code: 'store-not-database' });
    expect(existsSync(join(data.dir, 'copy.db'))).toBe(false);
  });

  it('backup of a database with damaged pages names the file and what to do, and writes nothing', async () => {
    await seed();
    const bytes = readFileSync(db);
    bytes.fill(0x5a, 4096, bytes.length - 4096);
    writeFileSync(db, bytes);
    const target = join(data.dir, 'copy.db');
    const error = await cli.backup?.([target]).then(
      () => undefined,
      (e: unknown) => e as Error & { code: string },
    );
    expect(error?.code).toBe('backup-check');
    expect(error?.message).toBe(
      `backup: the copy of ${db} failed SQLite's quick check (database disk image is malformed), so ${db} itself is damaged; nothing was written to ${target}. Keep your older backups; run \`npx briefing-bot doctor\` to see the damage.`,
    );
    expect(readdirSync(data.dir).filter((f) => f.includes('copy'))).toEqual([]);
  });

  it('backup waits for a lock another process holds up to STORE_LOCK_TIMEOUT_MS, then names the lock and writes nothing', async () => {
    await seed();
    const holder = await holdLock(db, 'exclusive');
    try {
      const locked = storeCli(() => ({ BRIEFING_DATA_DIR: data.dir, BRIEFING_CONTENT_DIR: CONTENT_DIR, STORE_LOCK_TIMEOUT_MS: 200 }), {
        stdout: out,
        stderr: err,
      });
      const error = await locked.backup?.([join(data.dir, 'copy.db')]).then(
        () => undefined,
        (e: unknown) => e as Error & { code: string },
      );
      expect(error?.code).toBe('store-locked');
      expect(error?.message).toContain(`store: ${db}: another process holds the database lock.`);
      expect(error?.message).toContain('wait longer with STORE_LOCK_TIMEOUT_MS');
    } finally {
      await holder.release();
    }
    expect(readdirSync(data.dir).filter((f) => f.includes('copy'))).toEqual([]);
    expect(await cli.backup?.([join(data.dir, 'copy.db')])).toBe(0);
  });

  it('a BRIEFING_DATA_DIR that runs through a file: doctor, backup and --start-afresh name the file and the variable', async () => {
    writeFileSync(join(data.dir, 'a-file'), '');
    const dataDir = join(data.dir, 'a-file', 'data');
    const file = join(dataDir, DATABASE_FILE);
    const through = storeCli(() => ({ BRIEFING_DATA_DIR: dataDir, BRIEFING_CONTENT_DIR: CONTENT_DIR }), { stdout: out, stderr: err });
    expect(await through.doctor?.([])).toBe(1);
    expect(out.text).toContain('✖ database file  a part of its path is a file, not a folder (ENOTDIR); check BRIEFING_DATA_DIR');
    const reason = `store: ${file}: a part of its path is a file, not a folder (ENOTDIR); check BRIEFING_DATA_DIR.`;
    await expect(through.backup?.([join(data.dir, 'copy.db')])).rejects.toThrow(reason);
    await expect(through.doctor?.(['--start-afresh'])).rejects.toThrow(reason);
  });

  it('backup needs exactly one file name', async () => {
    expect(await cli.backup?.([])).toBe(2);
    expect(err.text).toContain('backup needs the file to write');
  });
});
