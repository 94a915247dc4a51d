import { join } from 'node:path';
import { openSqliteStore } from './sqlite-store.ts';
import type { Store } from './types.ts';

export { installationKey } from './installation-key.ts';
export { MIGRATIONS, type Migration } from './migrations.ts';
export { POSTGRES_MIGRATIONS } from './postgres-migrations.ts';
export type * from './types.ts';

/** The database file inside the data directory. */
export const DATABASE_FILE = 'briefing.db';

/**
 * Opens the bot's store, creating and migrating it: PostgreSQL when `databaseUrl` is given
 * (`DATABASE_URL`, shared by every bot process), otherwise SQLite at `<dataDir>/briefing.db`.
 * Throws a BotError naming the file or the URL (without its password) when it cannot.
 *
 * @example const store = await openStore({ dataDir: config.BRIEFING_DATA_DIR, databaseUrl: config.DATABASE_URL });
 */
export async function openStore(options: {
  dataDir: string;
  databaseUrl?: string | undefined;
  busyTimeoutMs?: number;
  /** PostgreSQL: connections lost and recovered from by themselves (an idle one dropped, the listener cut), for logs. */
  onConnectionError?: (error: unknown) => void;
}): Promise<Store> {
  if (options.databaseUrl) {
    // Loaded only when asked for: a bot on SQLite never loads pg.
    const { openPostgresStore } = await import('./postgres-store.ts');
    return openPostgresStore({
      url: options.databaseUrl,
      ...(options.onConnectionError ? { onConnectionError: options.onConnectionError } : {}),
    });
  }
  return openSqliteStore({
    file: join(options.dataDir, DATABASE_FILE),
    ...(options.busyTimeoutMs !== undefined ? { busyTimeoutMs: options.busyTimeoutMs } : {}),
  });
}
