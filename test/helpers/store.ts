import { join } from 'node:path';
import { DATABASE_FILE } from '../../src/store/index.ts';
import { openSqliteStore } from '../../src/store/sqlite-store.ts';
import type { Store } from '../../src/store/types.ts';

/** The SQLite store of a data directory, opened synchronously (for setup code that is not async). */
export function sqliteStoreIn(dataDir: string): Store {
  return openSqliteStore({ file: join(dataDir, DATABASE_FILE) });
}
