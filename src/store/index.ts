import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.ts';
import type { Store } from './types.ts';

export { installationKey } from './installation-key.ts';
export { MIGRATIONS, type Migration } from './migrations.ts';
export type * from './types.ts';

/** The database file inside the data directory. */
export const DATABASE_FILE = 'briefing.db';

/**
 * Opens the bot's store at `<dataDir>/briefing.db` (SQLite), creating and migrating it.
 * Throws a BotError naming the path when it cannot.
 *
 * @example const store = await openStore({ dataDir: config.BRIEFING_DATA_DIR });
 */
export async function openStore(options: { dataDir: string; busyTimeoutMs?: number }): Promise<Store> {
  return openSqliteStore({
    file: join(options.dataDir, DATABASE_FILE),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
  });
}
