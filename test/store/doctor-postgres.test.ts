import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { Writable } from 'node:stream';
import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { storeCli } from '../../src/store/cli.ts';
import type { DoctorReport } from '../../src/store/doctor.ts';
import { DATABASE_FILE, openStore, POSTGRES_MIGRATIONS } from '../../src/store/index.ts';
import { articleFromFile, BUNDLED_FILE, SECOND_FILE } from '../helpers/library.ts';
import { freshDatabase, type TestDatabase } from '../helpers/postgres.ts';
import { tempDataDir } from '../scheduler/helpers.ts';

const AT = '2025-06-01T00:00:00.000Z';
const CONTENT_DIR = dirname(BUNDLED_FILE);
const KNOWN = POSTGRES_MIGRATIONS.at(-1)?.version;

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: string, done: () => void) {
    this.text += chunk.toString();
    done();
  }
}

describe('briefing-bot doctor and backup with DATABASE_URL (PostgreSQL)', () => {
  let data: ReturnType<typeof tempDataDir>;
  let db: TestDatabase;
  let out: Sink;
  let err: Sink;
  beforeEach(async () => {
    data = tempDataDir();
    db = await freshDatabase();
    out = new Sink();
    err = new Sink();
  });
  afterEach(async () => {
    await db.drop();
    data.cleanup();
  });

  const cli = (url: string) =>
    storeCli(() => ({ BRIEFING_DATA_DIR: data.dir, BRIEFING_CONTENT_DIR: CONTENT_DIR, DATABASE_URL: url }), { stdout: out, stderr: err });

  async function doctor(url = db.url): Promise<{ code: number; report: DoctorReport }> {
    out.text = '';
    const code = (await cli(url).doctor?.(['--json'])) as number;
    return { code, report: JSON.parse(out.text) as DoctorReport };
  }

  it('checks the database, not the SQLite file in the data folder, and changes nothing', async () => {
    // A file the bot does not use with DATABASE_URL set: doctor must not judge the folder by it.
    writeFileSync(join(data.dir, DATABASE_FILE), 'not a database '.repeat(20));
    const { code, report } = await doctor();
    expect(code).toBe(0);
    expect(report).toMatchObject({ healthy: true, kind: 'postgres' });
    const password = new URL(db.url).password;
    if (password) expect(JSON.stringify(report)).not.toContain(password);
    expect(report.location).toContain(`/${db.name}`);
    expect(report.checks.slice(0, 2)).toEqual([
      { name: 'database', status: 'ok', detail: expect.stringMatching(/^PostgreSQL \d+\.\d+.* at /) },
      { name: 'schema version', status: 'warn', detail: 'no tables yet: the next start creates them' },
    ]);
    // Nothing was created: doctor does not migrate.
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const tables = await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public'");
    await client.end();
    expect(tables.rows).toEqual([]);
  });

  it('a migrated database: schema version, counts and the index snapshot, as for SQLite', async () => {
    const store = await openStore({ dataDir: data.dir, databaseUrl: db.url });
    await store.articles.addRevision(
      { article: articleFromFile(SECOND_FILE), rawSha256: 'b', registeredBy: 'test', registeredAt: AT },
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
    await store.close();
    const { code, report } = await doctor();
    expect(code).toBe(0);
    expect(report.checks.find((c) => c.name === 'schema version')).toEqual({
      name: 'schema version',
      status: 'ok',
      detail: `${KNOWN}, as this briefing-bot expects`,
    });
    expect(report.counts).toMatchObject({
      briefings: 1,
      unregistered: 0,
      revisions: 1,
      subscriptions: { active: 1, paused: 0, cancelled: 0 },
      keys: { live: 1, expired: 0 },
      installations: 0,
      auditEntries: 1,
    });
    expect(report.checks.find((c) => c.name === 'index snapshot')).toMatchObject({
      status: 'warn',
      detail: expect.stringMatching(/^none yet/),
    });
  });

  it('a database migrated by a newer briefing-bot is a failure naming both versions', async () => {
    await (await openStore({ dataDir: data.dir, databaseUrl: db.url })).close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("INSERT INTO schema_migrations (version, name, applied_at) VALUES (42, 'later', $1)", [AT]);
    await client.end();
    const { code, report } = await doctor();
    expect(code).toBe(1);
    expect(report.checks.find((c) => c.status === 'fail')).toMatchObject({
      name: 'schema version',
      detail: `42, newer than this briefing-bot knows (${KNOWN})`,
      advice: expect.stringContaining('Upgrade briefing-bot'),
    });
  });

  it('a server that does not answer: exit 1, naming the server without the password, and what to do', async () => {
    const { code, report } = await doctor('postgres://bot:hunter2@127.0.0.1:1/briefing');
    expect(code).toBe(1);
    expect(JSON.stringify(report)).not.toContain('hunter2');
    expect(report.location).toBe('postgres://bot@127.0.0.1:1/briefing');
    expect(report.checks).toEqual([
      {
        name: 'database',
        status: 'fail',
        detail: expect.stringMatching(/^the server at 127\.0\.0\.1:1 is not reachable \(.*ECONNREFUSED/),
        advice: expect.stringContaining('Check DATABASE_URL'),
      },
    ]);
  });

  it('backup and --start-afresh say they are for the SQLite file and what to use instead, without the password', async () => {
    const url = 'postgres://bot:hunter2@db.example:5432/briefing';
    expect(await cli(url).backup?.(['copy.dump'])).toBe(2);
    expect(err.text).toContain('DATABASE_URL is set: the state is in PostgreSQL (postgres://bot@db.example:5432/briefing)');
    expect(err.text).toContain('pg_dump --format=custom --file copy.dump "$DATABASE_URL"');
    expect(await cli(url).doctor?.(['--start-afresh'])).toBe(2);
    expect(err.text).toContain('with DATABASE_URL the state is in PostgreSQL');
    expect(err.text).not.toContain('hunter2');
  });
});
