import pg from 'pg';
import { type Article, articleSchema } from '../core/article.ts';
import type { DoctorCheck, DoctorCounts, StoreDiagnosis } from './doctor.ts';
import { postgresArticles } from './postgres-articles.ts';
import { createDb, isConnectionError } from './postgres-db.ts';
import { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
import { addressOf, redactUrl } from './postgres-store.ts';
import { DEFAULT_TIMEOUTS } from './postgres-timeouts.ts';

/**
 * `briefing-bot doctor` with `DATABASE_URL`: the same findings as for a SQLite file, read from
 * PostgreSQL without changing anything (no migration, no write): whether the server answers,
 * the schema version, and the counts. There is no file, marker or integrity check to make.
 */

const KNOWN = POSTGRES_MIGRATIONS.at(-1)?.version ?? 0;
const CONNECT_TIMEOUT_MS = 5_000;

async function counts(pool: pg.Pool, now: Date): Promise<DoctorCounts> {
  const n = async (sql: string, params: unknown[] = []) => (await pool.query<{ n: number }>(sql, params)).rows[0]?.n ?? 0;
  const byStatus = async (table: 'subscriptions' | 'deliveries') =>
    Object.fromEntries(
      (await pool.query<{ status: string; n: number }>(`SELECT status, COUNT(*)::int AS n FROM ${table} GROUP BY status`)).rows.map((r) => [
        r.status,
        r.n,
      ]),
    );
  const subs = await byStatus('subscriptions');
  const at = now.toISOString();
  return {
    briefings: await n('SELECT COUNT(DISTINCT id)::int AS n FROM articles'),
    unregistered: await n(
      'SELECT COUNT(*)::int AS n FROM articles a WHERE revision = (SELECT MAX(revision) FROM articles b WHERE b.id = a.id) AND hidden',
    ),
    revisions: await n('SELECT COUNT(*)::int AS n FROM articles'),
    subscriptions: { active: subs.active ?? 0, paused: subs.paused ?? 0, cancelled: subs.cancelled ?? 0 },
    deliveries: await byStatus('deliveries'),
    keys: {
      live: await n('SELECT COUNT(*)::int AS n FROM keys WHERE expires_at > $1', [at]),
      expired: await n('SELECT COUNT(*)::int AS n FROM keys WHERE expires_at <= $1', [at]),
    },
    installations: await n('SELECT COUNT(*)::int AS n FROM installations'),
    auditEntries: await n('SELECT COUNT(*)::int AS n FROM audit'),
  };
}

/** Checks the PostgreSQL database at `url` without changing it: reachable, schema version, counts. */
export async function diagnosePostgres(url: string, now: Date = new Date()): Promise<StoreDiagnosis> {
  const checks: DoctorCheck[] = [];
  const out: StoreDiagnosis = { kind: 'postgres', location: redactUrl(url), checks };
  const address = addressOf(url);
  try {
    new URL(url);
  } catch {
    checks.push({
      name: 'database',
      status: 'fail',
      detail: 'DATABASE_URL is not a URL',
      advice: 'Give one such as postgres://user:password@host:5432/briefing.',
    });
    return out;
  }
  const pool = new pg.Pool({
    connectionString: url,
    max: 1,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
    // A server that stops answering mid-check fails the check instead of hanging doctor: the
    // bulk bound, since doctor reads every registered briefing.
    query_timeout: DEFAULT_TIMEOUTS.bulkMs,
    application_name: 'briefing-bot doctor',
  });
  // A connection that drops while idle must not crash the command; the next query reports it.
  pool.on('error', () => undefined);
  try {
    let server: string;
    try {
      server = (await pool.query<{ server_version: string }>('SHOW server_version')).rows[0]?.server_version ?? 'unknown';
    } catch (error) {
      const message = error instanceof Error ? error.message || (error as { code?: string }).code || error.name : String(error);
      checks.push({
        name: 'database',
        status: 'fail',
        detail: isConnectionError(error)
          ? `the server at ${address} is not reachable (${message})`
          : `it refused the connection (${message})`,
        advice:
          'Check DATABASE_URL (host, port, user, password, database) and that PostgreSQL is running: the bot and every CLI command stop until it answers.',
      });
      return out;
    }
    checks.push({ name: 'database', status: 'ok', detail: `PostgreSQL ${server} at ${address}` });
    const tracked = (await pool.query<{ t: boolean }>("SELECT to_regclass('schema_migrations') IS NOT NULL AS t")).rows[0]?.t;
    const version = tracked
      ? ((await pool.query<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations')).rows[0]?.v ?? 0)
      : 0;
    if (version > KNOWN) {
      checks.push({
        name: 'schema version',
        status: 'fail',
        detail: `${version}, newer than this briefing-bot knows (${KNOWN})`,
        advice: 'Upgrade briefing-bot, or point DATABASE_URL at a database this version made.',
      });
      return out;
    }
    checks.push({
      name: 'schema version',
      status: version === KNOWN ? 'ok' : 'warn',
      detail:
        version === KNOWN
          ? `${version}, as this briefing-bot expects`
          : version === 0
            ? 'no tables yet: the next start creates them'
            : `${version}; the next start migrates it to ${KNOWN}`,
    });
    if (version !== KNOWN) return out;
    out.counts = await counts(pool, now);
    const registered: Article[] = [];
    for (const revision of await postgresArticles(createDb(pool, address)).listLatest()) {
      const checked = articleSchema.safeParse(revision.article);
      if (checked.success) registered.push(checked.data);
    }
    out.registered = registered;
    return out;
  } catch (error) {
    checks.push({ name: 'reading', status: 'fail', detail: error instanceof Error ? error.message : String(error) });
    return out;
  } finally {
    await pool.end().catch(() => undefined);
  }
}
