import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BotError } from '../core/errors.ts';
import { MIGRATIONS, migrate } from './migrations.ts';
import { sqliteArticles } from './sqlite-articles.ts';
import { sqliteAudit } from './sqlite-audit.ts';
import { sqliteDeliveries } from './sqlite-deliveries.ts';
import {
  APPLICATION_ID,
  checkHeader,
  classifySqliteError,
  type FileIdentity,
  identityOf,
  readMarker,
  statDatabase,
  storeFailure,
  writeMarker,
} from './sqlite-file.ts';
import { sqliteInstallations } from './sqlite-installations.ts';
import { sqliteKeys } from './sqlite-keys.ts';
import { sqliteSubscriptions } from './sqlite-subscriptions.ts';
import type { Store } from './types.ts';

/** The repositories of one open connection (rebuilt when the store reconnects). */
export type Repositories = Pick<Store, 'subscriptions' | 'deliveries' | 'articles' | 'audit' | 'keys' | 'installations'>;

/** One open, checked and migrated connection to the database file. */
export interface Connection {
  db: Database.Database;
  repositories: Repositories;
  /** The file this connection has open: a different one at the path means it was replaced. */
  identity: FileIdentity;
  /** Its write-ahead log and shared-memory index, so stale ones can be put aside when the file is replaced. */
  wal: FileIdentity | undefined;
  shm: FileIdentity | undefined;
}

export interface ConnectOptions {
  /** How long one statement waits for another process's lock inside SQLite (the caller retries beyond it). */
  busyTimeoutMs: number;
  now?: () => Date;
}

/** Tables briefing-bot keeps data in that cannot be rebuilt: losing any of them is a loss. */
const KEPT = [
  ['articles', 'existing registered briefings'],
  ['subscriptions', 'existing digest subscriptions'],
  ['installations', 'existing Slack installations'],
] as const;

/**
 * Decides whether a database that opened is briefing-bot's: our application id, an empty
 * database (new), or an older one of ours (a `schema_migrations` table whose names match).
 */
export function checkOwnership(db: Database.Database, file: string): void {
  const id = db.pragma('application_id', { simple: true }) as number;
  if (id === APPLICATION_ID) return;
  if (id !== 0)
    throw storeFailure(
      'store-foreign',
      file,
      `it is another program's SQLite database (application_id 0x${id.toString(16)}), not briefing-bot's`,
    );
  const tables = (
    db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as { name: string }[]
  ).map((t) => t.name);
  if (tables.length === 0) return;
  const shown = tables.slice(0, 5).join(', ') + (tables.length > 5 ? ', …' : '');
  if (!tables.includes('schema_migrations'))
    throw storeFailure('store-foreign', file, `it is a SQLite database but not briefing-bot's (its tables: ${shown})`);
  const names = new Map(MIGRATIONS.map((m) => [m.version, m.name]));
  const rows = db.prepare('SELECT version, name FROM schema_migrations').all() as { version: number; name: string }[];
  const foreign = rows.find((r) => names.has(r.version) && names.get(r.version) !== r.name);
  if (foreign)
    throw storeFailure(
      'store-foreign',
      file,
      `it is a SQLite database but not briefing-bot's (its migration ${foreign.version} is "${foreign.name}", briefing-bot's is "${names.get(foreign.version)}")`,
    );
}

/** Whether the database holds anything that cannot be rebuilt. */
export function heldData(db: Database.Database): string | undefined {
  for (const [table, what] of KEPT) if ((db.prepare(`SELECT EXISTS (SELECT 1 FROM ${table}) AS e`).get() as { e: number }).e) return what;
  return undefined;
}

/** The identities of the `-wal` and `-shm` files beside an open WAL database. */
function sidecars(file: string): { wal: FileIdentity | undefined; shm: FileIdentity | undefined } {
  const of = (path: string) => {
    const stats = statSync(path, { throwIfNoEntry: false });
    return stats ? identityOf(stats) : undefined;
  };
  return { wal: of(`${file}-wal`), shm: of(`${file}-shm`) };
}

/**
 * Checks the file at `file`, opens it, checks it is briefing-bot's, migrates it and reads it
 * once; throws a {@link StoreFailure} naming the file and what to do. A missing or empty file is
 * created only when its marker says the folder never held data; otherwise it is a loss.
 */
export function connect(file: string, options: ConnectOptions): Connection {
  const now = options.now ?? (() => new Date());
  try {
    mkdirSync(dirname(file), { recursive: true });
  } catch (cause) {
    throw storeFailure('store-open', file, `its folder cannot be created (${(cause as Error).message}); check BRIEFING_DATA_DIR`, cause);
  }
  const stats = statDatabase(file);
  const marker = readMarker(file);
  if (!stats || stats.size === 0) {
    if (marker)
      throw storeFailure(
        'store-lost',
        file,
        `the database is ${stats ? 'empty (0 bytes)' : 'missing'}, but this folder held data (${marker.first}, since ${marker.since}): it was lost`,
      );
  } else {
    if (!stats.isFile()) throw storeFailure('store-open', file, 'it is not a regular file');
    try {
      accessSync(file, constants.R_OK | constants.W_OK);
      accessSync(dirname(file), constants.W_OK);
      const header = checkHeader(file);
      if (!header.ok) throw storeFailure('store-not-database', file, header.reason);
    } catch (error) {
      throw classifySqliteError(error, file) ?? error;
    }
  }
  let db: Database.Database;
  try {
    db = new Database(file);
  } catch (cause) {
    throw classifySqliteError(cause, file) ?? storeFailure('store-open', file, `it cannot be opened (${(cause as Error).message})`, cause);
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs))}`);
    checkOwnership(db, file);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
    if ((db.pragma('application_id', { simple: true }) as number) !== APPLICATION_ID) db.pragma(`application_id = ${APPLICATION_ID}`);
    // Reads every table once, so damage in any of them stops the start instead of surfacing later.
    for (const table of ['schema_migrations', 'articles', 'audit', 'subscriptions', 'deliveries', 'keys', 'installations'])
      db.prepare(`SELECT COUNT(*) FROM ${table}`).get();
    const held = heldData(db);
    // Also where only an earlier version's marker is: it is copied to where it is looked for now.
    if (held) writeMarker(file, held, now());
    return {
      db,
      repositories: {
        subscriptions: sqliteSubscriptions(db),
        deliveries: sqliteDeliveries(db),
        articles: sqliteArticles(db),
        audit: sqliteAudit(db),
        keys: sqliteKeys(db),
        installations: sqliteInstallations(db),
      },
      identity: identityOf(statSync(file)),
      ...sidecars(file),
    };
  } catch (error) {
    db.close();
    if (error instanceof BotError && error.code === 'store-too-new')
      throw storeFailure('store-too-new', file, error.message.replace(/^store: /, '').replace(/;.*$/, ''), error);
    throw (
      classifySqliteError(error, file) ?? storeFailure('store-open', file, `it cannot be prepared (${(error as Error).message})`, error)
    );
  }
}
