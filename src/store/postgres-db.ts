import type pg from 'pg';
import { BotError } from '../core/errors.ts';
import { storeClosed } from './errors.ts';

/** What repositories run statements on: the pool, or the client of an open transaction. */
export interface Sql {
  /** Every row of one statement. */
  rows<R>(text: string, params?: readonly unknown[]): Promise<R[]>;
  /** The first row, if any. */
  one<R>(text: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** How many rows the statement changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

/** The pool plus transactions; every failure that means "the database is not there" becomes one clear BotError. */
export interface Db extends Sql {
  /** Runs `work` in one transaction (READ COMMITTED), committed when it resolves and rolled back when it throws. */
  tx<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /** `host:port` of the server, for messages. */
  readonly address: string;
}

// Node socket errors and pg's own wording for a connection that went away.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const LOST =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|not queryable|Client was closed|ended unexpectedly/i;

/**
 * True when an error says the server cannot be reached or dropped the connection (as opposed to
 * a statement it refused): SQLSTATE class 08, an administrator or crash shutdown (57P01-57P03),
 * too many connections (53300), or a socket error.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || code === '53300')
      return true;
  }
  if (error instanceof AggregateError) return error.errors.some(isConnectionError);
  return LOST.test(error.message);
}

/**
 * The BotError callers get while the database is away. Its message is for chat (users see it
 * through commands such as /digest, so it names no server); `cause` names the server and the
 * failure, for /readyz and the logs.
 */
export function unavailable(address: string, cause: unknown): BotError {
  const reason = cause instanceof Error ? cause.message || (cause as { code?: string }).code || cause.name : String(cause);
  return new BotError(
    'store-unavailable',
    "The bot's data store is unreachable right now (its PostgreSQL database is not answering), so this cannot be done; answers from the briefings still work. It reconnects by itself: try again in a minute.",
    { cause: new Error(`the PostgreSQL database at ${address} is not reachable (${reason})`, { cause }) },
  );
}

const closedError = (address: string) => storeClosed(`the connection pool to the PostgreSQL database at ${address}`);

/**
 * PostgreSQL text cannot hold U+0000 (SQLite can): an untrusted value carrying one (a file name,
 * a display name) would fail the whole write. It is stored as U+FFFD instead. JSON documents are
 * unaffected: JSON.stringify escapes it.
 */
function storable(params: readonly unknown[] | undefined): unknown[] | undefined {
  if (!params) return undefined;
  const clean = (v: unknown): unknown =>
    typeof v === 'string' ? (v.includes('\0') ? v.replaceAll('\0', '\uFFFD') : v) : Array.isArray(v) ? v.map(clean) : v;
  return params.map(clean);
}

/** Wraps a pool: statements and transactions whose connection failures read as `store-unavailable`. */
export function createDb(pool: pg.Pool, address: string): Db {
  const translate = (error: unknown): unknown => {
    const closing = pool.ending || pool.ended;
    if (isConnectionError(error)) return closing ? closedError(address) : unavailable(address, error);
    // pg-pool's "Cannot use a pool after calling end on the pool".
    return closing && error instanceof Error && /after calling end/.test(error.message) ? closedError(address) : error;
  };
  const on = (run: (text: string, params?: readonly unknown[]) => Promise<pg.QueryResult>): Sql => ({
    async rows<R>(text: string, params?: readonly unknown[]) {
      return (await run(text, params)).rows as R[];
    },
    async one<R>(text: string, params?: readonly unknown[]) {
      return (await run(text, params)).rows[0] as R | undefined;
    },
    async run(text: string, params?: readonly unknown[]) {
      return (await run(text, params)).rowCount ?? 0;
    },
  });
  const viaPool = on(async (text, params) => {
    try {
      return await pool.query(text, storable(params));
    } catch (error) {
      throw translate(error);
    }
  });
  return {
    ...viaPool,
    address,
    async tx<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw translate(error);
      }
      // A checked-out client has no error listener of the pool's: a connection lost mid-transaction
      // would emit an unhandled 'error' and end the process. The statement in flight rejects anyway.
      let lost: unknown;
      const onError = (error: unknown) => {
        lost ??= error;
      };
      client.on('error', onError);
      const release = (destroy: boolean) => {
        client.removeListener('error', onError);
        client.release(destroy || lost !== undefined ? true : undefined);
      };
      const sql = on((text, params) => client.query(text, storable(params)));
      try {
        await client.query('BEGIN');
        const result = await work(sql);
        await client.query('COMMIT');
        release(false);
        return result;
      } catch (error) {
        // A client whose rollback fails (its connection is gone) is destroyed, not returned to the pool.
        const rolledBack =
          lost === undefined &&
          (await client.query('ROLLBACK').then(
            () => true,
            () => false,
          ));
        release(!rolledBack);
        throw translate(lost ?? error);
      }
    },
  };
}
