import type { Socket } from 'node:net';
import type pg from 'pg';

/**
 * How long the PostgreSQL store waits for the database. A server that goes silent (a network
 * partition, a frozen VM, a blackholed route) sends no error and closes nothing: without these
 * bounds a statement waits until TCP gives up, which takes minutes.
 */
export interface PostgresTimeouts {
  /** Longest wait for a connection: a new one (TCP, TLS, authentication) or a free one of the pool. */
  connectMs: number;
  /** Longest wait for the answer to one statement (client side, pg's `query_timeout`). */
  statementMs: number;
  /** The same for reads that grow with the library (every registered briefing at start) and for migrations. */
  bulkMs: number;
  /** Longest a statement waits for a lock held by another session (server side, `lock_timeout`). */
  lockMs: number;
  /** How long the server keeps a session that sits idle inside a transaction (`idle_in_transaction_session_timeout`). */
  idleInTransactionMs: number;
  /** While the database is silent, calls fail at once; one call at most this often goes through to find out whether it is back. */
  retryMs: number;
}

/**
 * The defaults, and why:
 *
 * - `statementMs` 1 s and `connectMs` 1 s: Slack wants an acknowledgement within 3 s and Discord
 *   a first answer within 3 s. Before a Slack command runs, its retry de-duplication key is written
 *   (one statement); then the command may wait up to 2 s for its answer before acknowledging
 *   "working on it". So the first statement to meet a silent database must give up within about
 *   1 s, after which the store fails further calls at once (`retryMs`). Every statement of the bot
 *   touches a handful of rows by key and takes milliseconds, and a connection needs a few round
 *   trips, so 1 s is far above what a healthy database needs.
 * - `bulkMs` 60 s: reading every registered briefing (at start, or when the audit log went
 *   backwards) moves megabytes; it is not on a chat command's path. Also the server's
 *   `statement_timeout`, so no statement the bot gave up on keeps running there longer than that.
 * - `lockMs` 500 ms: the bot's locks (an article id, a channel's digest claim, the audit log's
 *   order) are held for one short transaction. A longer wait means the holder is stuck (its
 *   client went silent mid-transaction); the server then cancels the wait itself, below
 *   `statementMs`, so the waiting connection stays usable and the call fails with a clear error.
 * - `idleInTransactionMs` 5 s: the bot never waits on anything outside the database inside a
 *   transaction, so a session idle in one for 5 s has lost its client (partition, frozen or killed
 *   process). The server then ends it and rolls it back, releasing its locks, instead of keeping
 *   them until its TCP keepalive notices (two hours by default). 5 s leaves room for a busy event
 *   loop between two statements.
 * - `retryMs` 1 s: after the database comes back, calls work again within a second, or at once
 *   when /readyz pings it (pings always go through).
 *
 * The server-side ones are sent as startup parameters; a `statement_timeout`, `lock_timeout` or
 * `idle_in_transaction_session_timeout` in DATABASE_URL's query overrides them.
 */
export const DEFAULT_TIMEOUTS: Readonly<PostgresTimeouts> = {
  connectMs: 1_000,
  statementMs: 1_000,
  bulkMs: 60_000,
  lockMs: 500,
  idleInTransactionMs: 5_000,
  retryMs: 1_000,
};

/** pg settings for the pool's connections (what a query or transaction of the bot runs on). */
export function poolSettings(t: PostgresTimeouts): Partial<pg.ClientConfig> {
  return {
    connectionTimeoutMillis: t.connectMs,
    query_timeout: t.statementMs,
    statement_timeout: t.bulkMs,
    lock_timeout: t.lockMs,
    idle_in_transaction_session_timeout: t.idleInTransactionMs,
  };
}

/**
 * pg settings for the migrating connection: it waits for another process's migration (a session
 * lock, held while that one migrates), so no lock timeout, and statements get the bulk bound.
 */
export function migrationSettings(t: PostgresTimeouts): Partial<pg.ClientConfig> {
  return { connectionTimeoutMillis: t.connectMs, query_timeout: t.bulkMs, idle_in_transaction_session_timeout: t.idleInTransactionMs };
}

/** Did this error come from waiting too long for the server (as opposed to the server answering with an error)? */
export function isSilence(error: unknown): boolean {
  return error instanceof Error && SILENCE.test(error.message);
}

// pg's wording: a statement whose answer did not come within query_timeout; a connection (new, or a
// free one of the pool) not had within connectionTimeoutMillis.
const SILENCE = /^Query read timeout$|timeout exceeded when trying to connect|Connection terminated due to connection timeout/;

/** What a silence error means, in words for logs and /readyz. */
export function describeSilence(error: unknown, t: PostgresTimeouts, waitedMs = t.statementMs): Error {
  const message = (error as Error).message;
  return new Error(/^Query read timeout$/.test(message) ? `no answer within ${waitedMs} ms` : `no connection within ${t.connectMs} ms`, {
    cause: error,
  });
}

/**
 * Ends a client, waiting at most `graceMs` for the server to acknowledge: a connection to a
 * silent server never does, and its socket would stay open until TCP gives up. It is destroyed then.
 */
export async function endClient(client: pg.Client, graceMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const ended = await Promise.race([
    client.end().then(
      () => true,
      () => true,
    ),
    new Promise<false>((resolve) => {
      timer = setTimeout(() => resolve(false), graceMs);
    }),
  ]);
  clearTimeout(timer);
  if (!ended) destroyClient(client);
}

/** Closes a client's socket at once (pg does the same to a client whose query is stuck when it is ended). */
export function destroyClient(client: pg.ClientBase): void {
  (client as unknown as { connection?: { stream?: Socket } }).connection?.stream?.destroy();
}
