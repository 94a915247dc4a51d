import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { BotError } from '../core/errors.ts';
import { migrate } from './migrations.ts';
import { sqliteArticles } from './sqlite-articles.ts';
import { sqliteAudit } from './sqlite-audit.ts';
import { sqliteDeliveries } from './sqlite-deliveries.ts';
import { sqliteInstallations } from './sqlite-installations.ts';
import { sqliteKeys } from './sqlite-keys.ts';
import { sqliteSubscriptions } from './sqlite-subscriptions.ts';
import type { Store } from './types.ts';

export interface SqliteOptions {
  /** Database file; created with its directory when missing. */
  file: string;
  /** How long a write waits for another process's lock before failing (default 5000 ms). */
  busyTimeoutMs?: number;
}

/**
 * Opens (and migrates) a SQLite store. WAL lets readers and one writer work at once across
 * processes; `busy_timeout` makes a second process wait for the write lock instead of failing;
 * writes use IMMEDIATE transactions so they never deadlock upgrading a read lock.
 */
export function openSqliteStore(options: SqliteOptions): Store {
  let db: Database.Database;
  try {
    mkdirSync(dirname(options.file), { recursive: true });
    db = new Database(options.file);
  } catch (cause) {
    throw new BotError('store-open', `store: cannot open ${options.file}: ${(cause as Error).message}; check BRIEFING_DATA_DIR`, { cause });
  }
  try {
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? 5000))}`);
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db);
  } catch (cause) {
    db.close();
    if (cause instanceof BotError) throw cause;
    throw new BotError('store-open', `store: cannot prepare ${options.file}: ${(cause as Error).message}`, { cause });
  }
  let closed = false;
  return {
    subscriptions: sqliteSubscriptions(db),
    deliveries: sqliteDeliveries(db),
    articles: sqliteArticles(db),
    audit: sqliteAudit(db),
    keys: sqliteKeys(db),
    installations: sqliteInstallations(db),
    kind: 'sqlite',
    location: options.file,
    async schemaVersion() {
      return (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
    },
    async ping() {
      db.prepare('SELECT 1').get();
    },
    async close() {
      if (closed) return;
      closed = true;
      db.close();
    },
  };
}
