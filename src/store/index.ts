import { join } from 'node:path';
import { BotError } from '../core/errors.ts';
import { StoreFailure } from './sqlite-file.ts';
import { openSqliteStoreWaiting, type StoreLog } from './sqlite-store.ts';
import type { Store } from './types.ts';

export { installationKey } from './installation-key.ts';
export { MIGRATIONS, type Migration } from './migrations.ts';
export { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
export { DEFAULT_LOCK_TIMEOUT_MS, type StoreLog } from './sqlite-store.ts';
export type * from './types.ts';
export { StoreFailure };

/** The database file inside the data directory. */
export const DATABASE_FILE = 'briefing.db';

/**
 * Opens the bot's store, creating and migrating it: PostgreSQL when `databaseUrl` is given
 * (`DATABASE_URL`, shared by every bot process), otherwise SQLite at `<dataDir>/briefing.db`,
 * waiting up to `lockTimeoutMs` for another process's lock. Throws a BotError naming the URL
 * (without its password), or a StoreFailure naming the file and what to do when the database is
 * damaged, foreign, too new, lost or locked. `log` hears about failures the store recovers from.
 *
 * @example const store = await openStore({ dataDir: config.BRIEFING_DATA_DIR, databaseUrl: config.DATABASE_URL });
 */
export async function openStore(options: {
  dataDir: string;
  databaseUrl?: string | undefined;
  lockTimeoutMs?: number;
  log?: StoreLog;
}): Promise<Store> {
  const { log } = options;
  if (options.databaseUrl) {
    // Loaded only when asked for: a bot on SQLite never loads pg.
    const { openPostgresStore } = await import('./postgres-store.ts');
    return openPostgresStore({
      url: options.databaseUrl,
      ...(log
        ? {
            onConnectionError: (err: unknown) => log.warn({ err }, 'database connection lost; reconnecting'),
            onSilent: (err: Error) => log.warn({ err }, 'the database stopped answering; store calls fail at once until it answers again'),
            onAnswering: () => log.info({}, 'the database answers again'),
          }
        : {}),
    });
  }
  return openSqliteStoreWaiting({
    file: join(options.dataDir, DATABASE_FILE),
    ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}

/**
 * For a message to the operator (stderr at start, a CLI command): a store call that failed
 * because the store is unreachable carries the StoreFailure that names the file and what to do.
 */
export function operatorError(error: unknown): unknown {
  if (error instanceof BotError && error.code === 'store-unavailable' && error.cause instanceof StoreFailure) return error.cause;
  return error;
}

/**
 * For chat: why a store call or ping failed because the store is unreachable, as a phrase with
 * no file path or server address (`another process has held the database lock for more than
 * 10 s`); undefined for any other error.
 */
export function unreachableReason(error: unknown): string | undefined {
  if (!(error instanceof BotError) || error.code !== 'store-unavailable') return undefined;
  return error.cause instanceof StoreFailure ? error.cause.reason : 'its database is not answering';
}
