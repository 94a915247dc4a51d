import { join } from 'node:path';
import Database from 'better-sqlite3';
import { type Article, articleSchema } from '../core/article.ts';
import { loadContentDir } from '../core/load-content.ts';
import { loadSnapshot } from '../core/search/snapshot.ts';
import { MIGRATIONS } from './migrations.ts';
import { sqliteArticles } from './sqlite-articles.ts';
import { checkOwnership } from './sqlite-connect.ts';
import {
  checkHeader,
  classifySqliteError,
  DOCTOR,
  markerShown,
  readMarker,
  type StoreFailure,
  statDatabase,
  storeFailure,
} from './sqlite-file.ts';

/**
 * `briefing-bot doctor`: what a data folder holds and whether the bot can use it. Each backend
 * has one function returning the same {@link StoreDiagnosis} (SQLite below, PostgreSQL in
 * doctor-postgres.ts).
 */

export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One finding: `fail` makes the folder unhealthy, `warn` is worth knowing but the bot starts. */
export interface DoctorCheck {
  name: string;
  status: CheckStatus;
  detail: string;
  /** What to do about a problem, when there is something to do. */
  advice?: string;
}

export interface DoctorCounts {
  briefings: number;
  unregistered: number;
  revisions: number;
  subscriptions: { active: number; paused: number; cancelled: number };
  deliveries: Record<string, number>;
  keys: { live: number; expired: number };
  installations: number;
  auditEntries: number;
}

/** What a backend's checks found, plus the registered briefings the snapshot check needs. */
export interface StoreDiagnosis {
  kind: 'sqlite' | 'postgres';
  location: string;
  checks: DoctorCheck[];
  counts?: DoctorCounts;
  /** The latest visible revision of every registered briefing, when they could be read. */
  registered?: Article[];
}

export interface DoctorReport extends Omit<StoreDiagnosis, 'registered'> {
  healthy: boolean;
  dataDir: string;
}

const KNOWN = MIGRATIONS.at(-1)?.version ?? 0;

function size(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  return bytes < 1024 * 1024 ? `${(bytes / 1024).toFixed(1)} KB` : `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function counts(db: Database.Database, now: Date): DoctorCounts {
  const n = (sql: string, ...args: unknown[]) => (db.prepare(sql).get(...args) as { n: number }).n;
  const byStatus = (table: string) =>
    Object.fromEntries(
      (db.prepare(`SELECT status, COUNT(*) AS n FROM ${table} GROUP BY status`).all() as { status: string; n: number }[]).map((r) => [
        r.status,
        r.n,
      ]),
    );
  const subs = byStatus('subscriptions');
  const at = now.toISOString();
  return {
    briefings: n('SELECT COUNT(DISTINCT id) AS n FROM articles'),
    unregistered: n(
      `SELECT COUNT(*) AS n FROM articles a WHERE revision = (SELECT MAX(revision) FROM articles b WHERE b.id = a.id) AND hidden = 1`,
    ),
    revisions: n('SELECT COUNT(*) AS n FROM articles'),
    subscriptions: { active: subs.active ?? 0, paused: subs.paused ?? 0, cancelled: subs.cancelled ?? 0 },
    deliveries: byStatus('deliveries'),
    keys: {
      live: n('SELECT COUNT(*) AS n FROM keys WHERE expires_at > ?', at),
      expired: n('SELECT COUNT(*) AS n FROM keys WHERE expires_at <= ?', at),
    },
    installations: n('SELECT COUNT(*) AS n FROM installations'),
    auditEntries: n('SELECT COUNT(*) AS n FROM audit'),
  };
}

/** A failure's advice without the sentence that sends the reader to doctor. */
function adviceOf(failure: StoreFailure): string {
  return failure.advice.replace(DOCTOR, '').replace(/\s+/g, ' ').trim();
}

/** How long the lock check waits for a write another process is making (a running bot's writes take milliseconds). */
const LOCK_CHECK_MS = 1_000;

/**
 * Whether another process keeps the write lock: a write transaction begun and rolled back,
 * nothing written. A bot starting now would wait for it up to STORE_LOCK_TIMEOUT_MS and then stop.
 */
function writeLock(db: Database.Database, file: string): DoctorCheck {
  try {
    db.pragma(`busy_timeout = ${LOCK_CHECK_MS}`);
    db.exec('BEGIN IMMEDIATE');
    db.exec('ROLLBACK');
    return { name: 'write lock', status: 'ok', detail: 'free' };
  } catch (error) {
    const failure = classifySqliteError(error, file);
    if (failure?.code !== 'store-locked') throw error;
    return {
      name: 'write lock',
      status: 'warn',
      detail: `another process has held it for over ${LOCK_CHECK_MS / 1000} s: a bot starting now waits for it up to STORE_LOCK_TIMEOUT_MS, then stops; a running one cannot write`,
      advice: adviceOf(failure),
    };
  }
}

/** Checks a SQLite database file without changing it: file, marker, ownership, schema version, integrity, lock, counts. */
export async function diagnoseSqlite(file: string, now: Date = new Date()): Promise<StoreDiagnosis> {
  const checks: DoctorCheck[] = [];
  const out: StoreDiagnosis = { kind: 'sqlite', location: file, checks };
  const fail = (name: string, error: unknown) => {
    const failure = classifySqliteError(error, file);
    const advice = failure ? adviceOf(failure) : undefined;
    checks.push({
      name,
      status: 'fail',
      detail: failure?.reason ?? (error instanceof Error ? error.message : String(error)),
      ...(advice ? { advice } : {}),
    });
    return out;
  };
  let stats: ReturnType<typeof statDatabase>;
  try {
    stats = statDatabase(file);
  } catch (error) {
    return fail('database file', error);
  }
  const marker = readMarker(file);
  if (!stats || stats.size === 0) {
    const what = stats ? 'is empty (0 bytes)' : 'does not exist';
    checks.push(
      marker
        ? {
            name: 'database file',
            status: 'fail',
            detail: `${what}, but ${markerShown(file)} says this folder held data (${marker.first}, since ${marker.since}): restore briefing.db from a backup, or start afresh with \`npx briefing-bot doctor --start-afresh\``,
          }
        : {
            name: 'database file',
            status: 'ok',
            detail: `${what} yet: nothing was ever stored here; the bot creates it at its first start`,
          },
    );
    return out;
  }
  checks.push({ name: 'database file', status: 'ok', detail: `${size(stats.size)}, modified ${stats.mtime.toISOString()}` });
  let db: Database.Database;
  try {
    const header = checkHeader(file);
    if (!header.ok) return fail('opens', storeFailure('store-not-database', file, header.reason));
    // Read-write (a read-only connection cannot open a WAL database whose -shm is gone), but nothing is written.
    db = new Database(file, { fileMustExist: true });
    db.pragma('busy_timeout = 2000');
    checkOwnership(db, file);
  } catch (error) {
    return fail('opens', error);
  }
  try {
    checks.push({ name: 'opens', status: 'ok', detail: "a SQLite database of briefing-bot's" });
    const tracked = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations'").get() !== undefined;
    const version = tracked ? ((db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0) : 0;
    if (version > KNOWN)
      checks.push({
        name: 'schema version',
        status: 'fail',
        detail: `${version}, newer than this briefing-bot knows (${KNOWN}): upgrade briefing-bot, or restore a backup made by this version`,
      });
    else
      checks.push({
        name: 'schema version',
        status: version === KNOWN ? 'ok' : 'warn',
        detail: version === KNOWN ? `${version}, as this briefing-bot expects` : `${version}; the next start migrates it to ${KNOWN}`,
      });
    const problems = (db.pragma('integrity_check(20)') as { integrity_check: string }[]).map((r) => r.integrity_check);
    const sound = problems.length === 1 && problems[0] === 'ok';
    checks.push({
      name: 'integrity',
      status: sound ? 'ok' : 'fail',
      detail: sound ? 'SQLite integrity check passed' : `damaged: ${problems.slice(0, 5).join('; ')}: restore briefing.db from a backup`,
    });
    checks.push(writeLock(db, file));
    if (version !== KNOWN) return out;
    out.counts = counts(db, now);
    const held = out.counts.revisions + out.counts.subscriptions.active + out.counts.subscriptions.paused + out.counts.installations > 0;
    checks.push(
      marker
        ? { name: 'marker', status: 'ok', detail: `${markerShown(file)}: data stored here since ${marker.since} (${marker.first})` }
        : {
            name: 'marker',
            status: held ? 'warn' : 'ok',
            detail: held
              ? `${markerShown(file)} is missing although the database holds data; the next start writes it`
              : 'none yet: written before the first briefing, subscription or installation is stored',
          },
    );
    const registered: Article[] = [];
    for (const revision of await sqliteArticles(db).listLatest()) {
      const checked = articleSchema.safeParse(revision.article);
      if (checked.success) registered.push(checked.data);
    }
    out.registered = registered;
    return out;
  } catch (error) {
    return fail('reading', error);
  } finally {
    db.close();
  }
}

/**
 * Whether the index snapshot matches the shipped content plus the registered briefings (what
 * the next start loads): derived data, so a stale one only makes the next start slower.
 */
export async function checkSnapshot(dataDir: string, contentDir: string, registered: readonly Article[]): Promise<DoctorCheck> {
  const path = join(dataDir, 'index.snapshot');
  // Through the content cache the bot keeps (read only): a large folder is not parsed again.
  const { entries } = await loadContentDir(contentDir, { cacheDir: join(dataDir, 'content-cache'), cacheReadOnly: true });
  const byId = new Map<string, Article>();
  for (const article of [...entries.map((e) => e.article), ...registered]) byId.set(article.id, article);
  const loaded = await loadSnapshot(path, [...byId.values()]);
  // A snapshot is reused article by article: it is stale when briefings were added, changed or removed since.
  if ('index' in loaded && loaded.missing.length === 0 && loaded.dropped === 0)
    return {
      name: 'index snapshot',
      status: 'ok',
      detail: `fresh: matches the ${byId.size} ${byId.size === 1 ? 'briefing' : 'briefings'} the next start loads`,
    };
  if ('index' in loaded)
    return {
      name: 'index snapshot',
      status: 'warn',
      detail: `stale: ${loaded.missing.length} ${loaded.missing.length === 1 ? 'briefing was' : 'briefings were'} added or changed and ${loaded.dropped} documents removed since it was written; the next start indexes those on top of it`,
    };
  const why = {
    missing: 'none yet: the next start builds the index and writes it',
    unreadable: 'unreadable: the next start rebuilds it',
    'options-changed': 'written by another version of the search code: the next start rebuilds it',
  } as const;
  return { name: 'index snapshot', status: 'warn', detail: why[loaded.miss] };
}

/** Runs every check on a data folder and its database (SQLite, or PostgreSQL with `databaseUrl`); healthy when nothing failed. */
export async function runDoctor(options: {
  dataDir: string;
  contentDir: string;
  file: string;
  /** `DATABASE_URL`: the state is in PostgreSQL, not in the file. */
  databaseUrl?: string | undefined;
  now?: Date;
}): Promise<DoctorReport> {
  const { registered, ...diagnosis } = options.databaseUrl
    ? // Loaded only when asked for, as by openStore: a SQLite folder never loads pg.
      await (await import('./doctor-postgres.ts')).diagnosePostgres(options.databaseUrl, options.now)
    : await diagnoseSqlite(options.file, options.now);
  const healthy = !diagnosis.checks.some((c) => c.status === 'fail');
  if (registered || (healthy && !diagnosis.counts))
    diagnosis.checks.push(await checkSnapshot(options.dataDir, options.contentDir, registered ?? []));
  return { healthy, dataDir: options.dataDir, ...diagnosis };
}

const MARKS: Record<CheckStatus, string> = { ok: '✔', warn: '!', fail: '✖' };

/** The report as terminal text. */
export function formatDoctorReport(report: DoctorReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = [`briefing-bot doctor: ${report.dataDir} (${report.kind} ${report.location})`];
  for (const c of report.checks) {
    lines.push(`  ${MARKS[c.status]} ${c.name.padEnd(width)}  ${c.detail}`);
    if (c.advice) lines.push(`    ${' '.repeat(width)}  → ${c.advice}`);
  }
  const c = report.counts;
  if (c) {
    const deliveries =
      Object.entries(c.deliveries)
        .map(([status, n]) => `${n} ${status}`)
        .join(', ') || 'none';
    lines.push(
      '',
      `  briefings      ${c.briefings} (${c.unregistered} unregistered), ${c.revisions} revisions`,
      `  subscriptions  ${c.subscriptions.active} active, ${c.subscriptions.paused} paused, ${c.subscriptions.cancelled} cancelled`,
      `  deliveries     ${deliveries}`,
      `  keys           ${c.keys.live} live, ${c.keys.expired} expired`,
      `  installations  ${c.installations}`,
      `  audit entries  ${c.auditEntries}`,
    );
  }
  const failed = report.checks.filter((x) => x.status === 'fail').length;
  const warned = report.checks.filter((x) => x.status === 'warn').length;
  const notes = warned ? ` (${warned} ${warned === 1 ? 'note' : 'notes'}, ! above)` : '';
  lines.push('', report.healthy ? `Healthy${notes}.` : `Not healthy: ${failed} ${failed === 1 ? 'problem' : 'problems'} (✖ above).`);
  return `${lines.join('\n')}\n`;
}
