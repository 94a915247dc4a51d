import pg from 'pg';
import { BotError } from '../core/errors.ts';
import { storeClosed } from './errors.ts';
import { postgresArticles } from './postgres-articles.ts';
import { postgresAudit } from './postgres-audit.ts';
import { createDb, isConnectionError } from './postgres-db.ts';
import { postgresDeliveries } from './postgres-deliveries.ts';
import { postgresInstallations } from './postgres-installations.ts';
import { postgresKeys } from './postgres-keys.ts';
import { createListener, LISTENER_APPLICATION, type Listener } from './postgres-listener.ts';
import { CHANGES_CHANNEL, migratePostgres } from './postgres-migrations.ts';
import { postgresSubscriptions } from './postgres-subscriptions.ts';
import type { Store } from './types.ts';

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` (`postgresql://` too; libpq parameters such as `sslmode` in the query). */
  url: string;
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /** How long to wait for a connection before a call fails as unavailable (default 5000 ms). */
  connectTimeoutMs?: number;
  /** Wait before the listening connection's reconnect attempt `n` (default 250 ms doubling up to 5 s). */
  listenRetryDelayMs?: (attempt: number) => number;
  /** How often the listening connection is checked (default 30 s). */
  listenHeartbeatMs?: number;
  /** Connection errors the store recovers from by itself (an idle pooled connection dropped, the listener lost), for logs. */
  onConnectionError?: (error: unknown) => void;
}

/** The URL without its password (user, host, port, database and parameters other than `password` kept), for logs. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    u.searchParams.delete('password');
    return u.toString();
  } catch {
    return 'postgres://(unparsable URL)';
  }
}

/** `host:port` of a connection URL, for messages. */
export function addressOf(url: string): string {
  try {
    const u = new URL(url);
    return `${u.hostname || 'localhost'}:${u.port || '5432'}`;
  } catch {
    return 'an unparsable DATABASE_URL';
  }
}

// bigint ids and counts as numbers: they stay far below 2^53 here.
const types = new pg.TypeOverrides();
types.setTypeParser(pg.types.builtins.INT8, (value: string) => Number(value));

/**
 * Opens a PostgreSQL store: a connection pool, the schema migrated (once, even when several
 * processes start together), and LISTEN/NOTIFY for `watchChanges`. Losing the database later
 * never crashes the process: dropped idle connections are discarded, calls reject with a
 * `store-unavailable` BotError naming host:port, and the pool and listeners reconnect by
 * themselves once it is back.
 *
 * @example const store = await openPostgresStore({ url: 'postgres://bot:secret@db:5432/briefing' });
 */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const address = addressOf(options.url);
  const location = redactUrl(options.url);
  let config: pg.ClientConfig;
  try {
    new URL(options.url);
    config = {
      connectionString: options.url,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      // TCP keepalive from 10 s of silence, so a connection to a vanished host is found dead.
      keepAlive: true,
      keepAliveInitialDelayMillis: 10_000,
      types,
      application_name: 'briefing-bot',
    };
  } catch (cause) {
    throw new BotError('store-open', `store: DATABASE_URL is not a URL: give one such as postgres://user:password@host:5432/briefing`, {
      cause,
    });
  }
  const pool = new pg.Pool({ ...config, max: options.maxConnections ?? 10 });
  // An idle pooled connection that dies (server restarted) emits here; without a handler it would
  // crash the process. The pool has already dropped it; the next call opens a new one.
  pool.on('error', (error) => options.onConnectionError?.(error));
  const db = createDb(pool, address);

  try {
    const client = await pool.connect();
    const ignore = () => undefined; // a connection lost while migrating fails the statement in flight
    client.on('error', ignore);
    try {
      await migratePostgres(client);
      client.removeListener('error', ignore);
      client.release();
    } catch (error) {
      client.removeListener('error', ignore);
      client.release(true);
      throw error;
    }
  } catch (cause) {
    await pool.end().catch(() => undefined);
    if (cause instanceof BotError) throw cause;
    if (isConnectionError(cause))
      throw new BotError(
        'store-open',
        `store: cannot open ${location}: the server at ${address} is not reachable (${(cause as Error).message}); check DATABASE_URL and that PostgreSQL is running`,
        { cause },
      );
    throw new BotError('store-open', `store: cannot open ${location}: ${(cause as Error).message}; check DATABASE_URL`, { cause });
  }

  const listeners = new Set<Listener>();
  let closed = false;
  return {
    subscriptions: postgresSubscriptions(db),
    deliveries: postgresDeliveries(db),
    articles: postgresArticles(db),
    audit: postgresAudit(db),
    keys: postgresKeys(db),
    installations: postgresInstallations(db),
    kind: 'postgres',
    location,
    async schemaVersion() {
      return (await db.one<{ v: number | null }>('SELECT MAX(version) AS v FROM schema_migrations'))?.v ?? 0;
    },
    async ping() {
      await db.run('SELECT 1');
    },
    async watchChanges(listener) {
      if (closed) throw storeClosed(location);
      const watcher = createListener({
        config: { ...config, application_name: LISTENER_APPLICATION, query_timeout: 10_000 },
        channel: CHANGES_CHANNEL,
        onChange: listener,
        ...(options.onConnectionError ? { onError: options.onConnectionError } : {}),
        ...(options.listenRetryDelayMs ? { retryDelayMs: options.listenRetryDelayMs } : {}),
        ...(options.listenHeartbeatMs !== undefined ? { heartbeatMs: options.listenHeartbeatMs } : {}),
      });
      listeners.add(watcher);
      await watcher.started;
      return {
        async stop() {
          listeners.delete(watcher);
          await watcher.stop();
        },
      };
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...listeners].map((l) => l.stop()));
      listeners.clear();
      await pool.end();
    },
  };
}
