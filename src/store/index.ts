import { join } from 'node:path';
import { openSqliteStoreWaiting, type StoreLog } from './sqlite-store.ts';
import type { Store } from './types.ts';

export { installationKey } from './installation-key.ts';
export { MIGRATIONS, type Migration } from './migrations.ts';
export { StoreFailure } from './sqlite-file.ts';
export { DEFAULT_LOCK_TIMEOUT_MS, type StoreLog } from './sqlite-store.ts';
export type * from './types.ts';

/** The database file inside the data directory. */
export const DATABASE_FILE = 'briefing.db';

/**
 * Opens the bot's store at `<dataDir>/briefing.db` (SQLite), creating and migrating it, waiting
 * up to `lockTimeoutMs` for another process's lock. Throws a StoreFailure (a BotError) naming
 * the file and what to do when the database is damaged, foreign, too new, lost or locked.
 *
 * @example const store = await openStore({ dataDir: config.BRIEFING_DATA_DIR });
 */
export async function openStore(options: { dataDir: string; lockTimeoutMs?: number; log?: StoreLog }): Promise<Store> {
  return openSqliteStoreWaiting({
    file: join(options.dataDir, DATABASE_FILE),
    ...(options.lockTimeoutMs !== undefined ? { lockTimeoutMs: options.lockTimeoutMs } : {}),
    ...(options.log ? { log: options.log } : {}),
  });
}
