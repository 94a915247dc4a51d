import type pg from 'pg';
import { BotError } from '../core/errors.ts';
import { storeClosed } from './errors.ts';
import { DEFAULT_TIMEOUTS, describeSilence, isSilence, type PostgresTimeouts } from './postgres-timeouts.ts';

/** What repositories run statements on: the pool, or the client of an open transaction. */
export interface Sql {
  /** Every row of one statement; `bulk` for a read that grows with the library (it gets `bulkMs`, not `statementMs`). */
  rows<R>(text: string, params?: readonly unknown[], options?: { bulk?: boolean }): Promise<R[]>;
  /** The first row, if any. */
  one<R>(text: string, params?: readonly unknown[]): Promise<R | undefined>;
  /** How many rows the statement changed. */
  run(text: string, params?: readonly unknown[]): Promise<number>;
}

/** The pool plus transactions; every failure that means "the database is not there" becomes one clear BotError. */
export interface Db extends Sql {
  /**
   * Runs `work` in one transaction (READ COMMITTED), committed when it resolves and rolled back
   * when it throws. A transaction that fails because the server went silent is rolled back by
   * the server (its connection is closed, or it idles past `idleInTransactionMs`); only a COMMIT
   * whose answer was lost leaves it unknown whether the whole transaction committed.
   */
  tx<T>(work: (sql: Sql) => Promise<T>): Promise<T>;
  /**
   * `SELECT 1`, always sent (also while calls fail fast); an operator-facing error naming the
   * server when it fails. Its success ends a silence at once.
   */
  ping(): Promise<void>;
  /** `host:port` of the server, for messages. */
  readonly address: string;
}

// Node socket errors and pg's own wording for a connection that went away.
const SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const LOST =
  /Connection terminated|connection timeout|timeout exceeded when trying to connect|Query read timeout|not queryable|Client was closed|ended unexpectedly/i;
// Sessions the server ended for idling (in a transaction, or at all) or a shutdown: the connection is gone.
const ENDED = new Set(['57P01', '57P02', '57P03', '57P05', '25P03', '53300']);

/**
 * True when an error says the server cannot be reached, is silent, or dropped the connection (as
 * opposed to a statement it refused): SQLSTATE class 08, an administrator or crash shutdown
 * (57P01-57P03), a session ended for idling (25P03, 57P05), too many connections (53300), a
 * socket error, or no answer within pg's timeouts.
 */
export function isConnectionError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') {
    if (SOCKET_CODES.has(code) || code.startsWith('08') || ENDED.has(code)) return true;
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

// The server answered, but could not do it in time: a lock held too long, a statement timeout.
const BUSY: Record<string, (t: PostgresTimeouts) => string> = {
  '55P03': (t) => `a lock another session holds was not released within ${t.lockMs} ms`,
  '57014': () => 'the server cancelled the statement (statement timeout)',
};

export interface DbOptions {
  /** Default: `DEFAULT_TIMEOUTS`. */
  timeouts?: PostgresTimeouts;
  /** The clock for `retryMs` (waits themselves are pg's, in real time). */
  now?: () => number;
  /** The database stopped answering: calls fail at once from now on, until it answers again. */
  onSilent?: (error: Error) => void;
  /** It answers again after a silence. */
  onAnswering?: () => void;
}

/**
 * Wraps a pool: statements and transactions whose connection failures read as `store-unavailable`.
 *
 * Every wait is bounded (see `PostgresTimeouts`). Once a statement or a connection got no answer in
 * time, the database counts as silent: calls then fail at once with the same error instead of each
 * waiting its full timeout (a Slack command that needs the store would otherwise spend one
 * timeout per statement), except one call every `retryMs`, and pings, which go through to find out
 * whether it is back. Any answer from the server ends the silence.
 */
export function createDb(pool: pg.Pool, address: string, options: DbOptions = {}): Db {
  const t = options.timeouts ?? DEFAULT_TIMEOUTS;
  const now = options.now ?? Date.now;
  let silence: { cause: Error; since: number; retryAt: number; probing: boolean } | undefined;

  const translate = (error: unknown, waitedMs?: number): unknown => {
    const closing = pool.ending || pool.ended;
    if (isSilence(error)) return closing ? closedError(address) : unavailable(address, describeSilence(error, t, waitedMs));
    if (isConnectionError(error)) return closing ? closedError(address) : unavailable(address, error);
    const busy = BUSY[(error as { code?: string } | null)?.code ?? ''];
    if (busy) return unavailable(address, new Error(busy(t), { cause: error }));
    // pg-pool's "Cannot use a pool after calling end on the pool".
    return closing && error instanceof Error && /after calling end/.test(error.message) ? closedError(address) : error;
  };

  /** Runs one call under the silence rule; `always` (pings) skips the fail-fast. */
  const guarded = async <T>(call: () => Promise<T>, always = false, waitedMs?: number): Promise<T> => {
    let probe = false;
    if (silence && !always) {
      if (silence.probing || now() < silence.retryAt) {
        const silentFor = ((now() - silence.since) / 1000).toFixed(1);
        throw unavailable(address, new Error(`silent for ${silentFor} s: ${silence.cause.message}`, { cause: silence.cause.cause }));
      }
      silence.probing = probe = true;
    }
    try {
      const result = await call();
      answered();
      return result;
    } catch (error) {
      if (isSilence(error)) {
        const cause = describeSilence(error, t, waitedMs);
        if (!silence) {
          silence = { cause, since: now(), retryAt: 0, probing: false };
          options.onSilent?.(cause);
        }
        silence.cause = cause;
        silence.retryAt = now() + t.retryMs;
      } else if (!isConnectionError(error) && !(error instanceof BotError)) answered();
      throw translate(error, waitedMs);
    } finally {
      if (probe && silence) silence.probing = false;
    }
  };
  const answered = () => {
    if (!silence) return;
    silence = undefined;
    options.onAnswering?.();
  };

  const on = (run: (text: string, params?: readonly unknown[], bulk?: boolean) => Promise<pg.QueryResult>): Sql => ({
    async rows<R>(text: string, params?: readonly unknown[], options?: { bulk?: boolean }) {
      return (await run(text, params, options?.bulk)).rows as R[];
    },
    async one<R>(text: string, params?: readonly unknown[]) {
      return (await run(text, params)).rows[0] as R | undefined;
    },
    async run(text: string, params?: readonly unknown[]) {
      return (await run(text, params)).rowCount ?? 0;
    },
  });
  // pg's per-statement query_timeout (not in its types): the bulk bound for reads that grow with the library.
  const statement = (text: string, params: readonly unknown[] | undefined, bulk?: boolean) =>
    ({ text, values: storable(params), query_timeout: bulk ? t.bulkMs : t.statementMs }) as pg.QueryConfig;
  const viaPool = on((text, params, bulk) =>
    guarded(() => pool.query(statement(text, params, bulk)), false, bulk ? t.bulkMs : t.statementMs),
  );

  return {
    ...viaPool,
    address,
    async ping() {
      try {
        await guarded(() => pool.query('SELECT 1'), true);
      } catch (error) {
        // For operators (/readyz, logs): the server and the reason, not the chat wording.
        if (error instanceof BotError && error.code === 'store-unavailable' && error.cause instanceof Error)
          throw new BotError('store-unavailable', `store: ${error.cause.message}`, { cause: error.cause });
        throw error;
      }
    },
    tx<T>(work: (sql: Sql) => Promise<T>): Promise<T> {
      return guarded(async () => {
        const client = await pool.connect();
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
        const sql = on((text, params, bulk) => client.query(statement(text, params, bulk)));
        try {
          await client.query('BEGIN');
          const result = await work(sql);
          await client.query('COMMIT');
          release(false);
          return result;
        } catch (error) {
          // A client whose statement got no answer is still waiting for it: a ROLLBACK would queue
          // behind it and wait as long again. It is destroyed instead (release with an error closes
          // its socket, since a statement is in flight), and the server rolls the transaction back when
          // it sees the connection close, or when it has idled past idle_in_transaction_session_timeout.
          const dead = lost !== undefined || isSilence(error) || isConnectionError(error);
          const rolledBack =
            !dead &&
            (await client.query('ROLLBACK').then(
              () => true,
              () => false,
            ));
          release(!rolledBack);
          throw lost ?? error;
        }
      });
    },
  };
}
