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
import { DEFAULT_TIMEOUTS, destroyClient, endClient, migrationSettings, type PostgresTimeouts, poolSettings } from './postgres-timeouts.ts';
import type { Store } from './types.ts';

export interface PostgresOptions {
  /** `postgres://user:password@host:port/database` (`postgresql://` too; libpq parameters such as `sslmode` in the query). */
  url: string;
  /** Most connections the pool opens (default 10). */
  maxConnections?: number;
  /** Bounds on every wait for the database (defaults and their reasons: `DEFAULT_TIMEOUTS`). */
  timeouts?: Partial<PostgresTimeouts>;
  /** Wait before the listening connection's reconnect attempt `n` (default 250 ms doubling up to 5 s). */
  listenRetryDelayMs?: (attempt: number) => number;
  /** How often the listening connection is checked (default 30 s). */
  listenHeartbeatMs?: number;
  /**
   * Connection errors the store recovers from by itself (an idle pooled connection dropped, the
   * listener lost), for logs.
   */
  onConnectionError?: (error: unknown) => void;
  /** The database stopped answering (no error, no answer): calls fail at once until it answers again; for logs. */
  onSilent?: (error: Error) => void;
  /** It answers again after a silence, for logs. */
  onAnswering?: () => void;
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
 * themselves once it is back. A database that goes silent (nothing answers, nothing is closed)
 * is the same: every wait is bounded (`timeouts`), and once it is seen silent calls fail at once
 * until it answers again.
 *
 * @example const store = await openPostgresStore({ url: 'postgres://bot:secret@db:5432/briefing' });
 */
export async function openPostgresStore(options: PostgresOptions): Promise<Store> {
  const address = addressOf(options.url);
  const location = redactUrl(options.url);
  const timeouts: PostgresTimeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  let config: pg.ClientConfig;
  try {
    new URL(options.url);
    config = {
      connectionString: options.url,
      // TCP keepalive from 10 s of silence, so an idle connection to a vanished host is found dead
      // (a connection with a statement in flight is covered by the statement timeout instead).
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
  const pool = new pg.Pool({ ...config, ...poolSettings(timeouts), max: options.maxConnections ?? 10 });
  // An idle pooled connection that dies (server restarted) emits here; without a handler it would
  // crash the process. The pool has already dropped it; the next call opens a new one.
  pool.on('error', (error) => options.onConnectionError?.(error));
  // The pool's clients, so that closing can cut the sockets of those a silent server never lets end.
  const clients = new Set<pg.PoolClient>();
  pool.on('connect', (client) => clients.add(client));
  pool.on('remove', (client) => clients.delete(client));
  const listeners = new Set<Listener>();
  const db = createDb(pool, address, {
    timeouts,
    onSilent: (error) => options.onSilent?.(error),
    onAnswering: () => {
      options.onAnswering?.();
      // A listening connection may have died unnoticed meanwhile: check it now, not at the next heartbeat.
      for (const l of listeners) l.check();
    },
  });

  try {
    // Its own connection, with no lock timeout: it may wait for another process's migration.
    const client = new pg.Client({ ...config, ...migrationSettings(timeouts) });
    const ignore = () => undefined; // a connection lost while migrating fails the statement in flight
    client.on('error', ignore);
    try {
      await client.connect();
      await migratePostgres(client);
    } finally {
      await endClient(client, timeouts.connectMs);
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
    ping: () => db.ping(),
    async watchChanges(listener) {
      if (closed) throw storeClosed(location);
      const watcher = createListener({
        config: {
          ...config,
          application_name: LISTENER_APPLICATION,
          connectionTimeoutMillis: timeouts.connectMs,
          query_timeout: timeouts.statementMs,
        },
        endGraceMs: timeouts.connectMs,
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
      // Ending waits for the server to acknowledge each connection; a silent one never does.
      const ended = pool.end();
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<'late'>((resolve) => {
        timer = setTimeout(() => resolve('late'), timeouts.connectMs);
      });
      if ((await Promise.race([ended, late])) === 'late') for (const client of clients) destroyClient(client);
      clearTimeout(timer);
      await ended;
    },
  };
}
