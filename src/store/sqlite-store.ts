import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import { type Connection, connect, type Repositories } from './sqlite-connect.ts';
import { storeFailure } from './sqlite-file.ts';
import { BUSY_SLICE_MS, DEFAULT_LOCK_TIMEOUT_MS, SqliteHandle, type SqliteOptions } from './sqlite-handle.ts';
import type { Store } from './types.ts';

export { DEFAULT_LOCK_TIMEOUT_MS, type SqliteOptions, type StoreLog } from './sqlite-handle.ts';

/** Writes that put data in the folder that cannot be rebuilt: the marker is written before the first. */
const KEEPS: Record<string, string> = {
  'articles.addRevision': 'article.register',
  'subscriptions.create': 'digest.subscribe',
  'installations.save': 'slack.install',
};

/**
 * How long a shared-key call (retry de-duplication, button state, shares) waits for another
 * process's lock at most: they sit in the path of Slack's and Discord's 3-second deadline to
 * acknowledge, and their callers carry on without them, so an answer never waits the full
 * STORE_LOCK_TIMEOUT_MS for one.
 */
export const KEYS_LOCK_WAIT_MS = 500;

/** A repository whose every method runs through the handle (on whatever connection is current). */
function guarded<K extends keyof Repositories>(handle: SqliteHandle, name: K, shape: Repositories[K]): Repositories[K] {
  const out: Record<string, (...args: unknown[]) => Promise<unknown>> = {};
  for (const method of Object.keys(shape)) {
    const keeps = KEEPS[`${name}.${method}`];
    const options = { ...(keeps ? { keeps } : {}), ...(name === 'keys' ? { lockWaitMs: KEYS_LOCK_WAIT_MS } : {}) };
    out[method] = (...args) =>
      handle.run((c) => (c.repositories[name] as unknown as Record<string, (...a: unknown[]) => unknown>)[method]?.(...args), options);
  }
  return out as unknown as Repositories[K];
}

function storeOf(handle: SqliteHandle, conn: Connection): Store {
  const r = conn.repositories;
  return {
    subscriptions: guarded(handle, 'subscriptions', r.subscriptions),
    deliveries: guarded(handle, 'deliveries', r.deliveries),
    articles: guarded(handle, 'articles', r.articles),
    audit: guarded(handle, 'audit', r.audit),
    keys: guarded(handle, 'keys', r.keys),
    installations: guarded(handle, 'installations', r.installations),
    kind: 'sqlite',
    location: handle.file,
    schemaVersion: () =>
      handle.run((c) => (c.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0),
    ping: () => handle.ping(),
    close: () => handle.close(),
  };
}

/**
 * Opens (and migrates) a SQLite store in one attempt, waiting for a lock inside SQLite up to the
 * lock timeout. Throws a {@link StoreFailure} naming the file and what to do. WAL lets readers
 * and one writer work at once across processes; writes use IMMEDIATE transactions so they never
 * deadlock upgrading a read lock.
 */
export function openSqliteStore(options: SqliteOptions): Store {
  const conn = connect(options.file, {
    busyTimeoutMs: options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS,
    ...(options.now ? { now: options.now } : {}),
  });
  return storeOf(new SqliteHandle(conn, options), conn);
}

/**
 * Opens a SQLite store, waiting for another process's lock with backoff (without blocking the
 * event loop for long) up to `lockTimeoutMs`, then failing with the same clear error.
 */
export async function openSqliteStoreWaiting(options: SqliteOptions): Promise<Store> {
  const timeout = Math.max(0, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
  const deadline = performance.now() + timeout;
  let pause = 50;
  let warned = false;
  for (;;) {
    const left = deadline - performance.now();
    try {
      const conn = connect(options.file, {
        busyTimeoutMs: Math.max(0, Math.min(left, BUSY_SLICE_MS)),
        ...(options.now ? { now: options.now } : {}),
      });
      return storeOf(new SqliteHandle(conn, options), conn);
    } catch (error) {
      if ((error as { code?: unknown }).code !== 'store-locked') throw error;
      if (deadline - performance.now() <= 0)
        throw storeFailure(
          'store-locked',
          options.file,
          `another process held the database lock for more than ${Math.round(timeout / 100) / 10} s`,
          error,
        );
      if (!warned) options.log?.warn({ store: options.file, timeoutMs: timeout }, 'waiting for the database lock another process holds');
      warned = true;
      await delay(Math.min(pause, Math.max(0, deadline - performance.now())));
      pause = Math.min(pause * 2, 1000);
    }
  }
}
