import pg from 'pg';
import { endClient } from './postgres-timeouts.ts';

/** The `application_name` of listening connections (what `pg_stat_activity` shows for them). */
export const LISTENER_APPLICATION = 'briefing-bot listen';

export interface ListenerOptions {
  /** Connection settings (the store's, with its own application name). */
  config: pg.ClientConfig;
  channel: string;
  /** A notification arrived, or the connection is back after a loss (changes may have been missed). */
  onChange: () => void;
  /** A connection was lost or could not be made; the listener retries by itself. */
  onError?: (error: unknown) => void;
  /** Wait before reconnect attempt `n` (1, 2, …). Default: 250 ms doubling up to 5 s. */
  retryDelayMs?: (attempt: number) => number;
  /** How often an idle connection is checked with a trivial query (default 30 s; 0: never). */
  heartbeatMs?: number;
  /** How long closing a connection waits for the server before cutting it (default 1 s; a silent server never answers). */
  endGraceMs?: number;
}

export interface Listener {
  /** Resolves once the first attempt to connect and LISTEN is over (successful or not: it keeps trying). */
  readonly started: Promise<void>;
  /** True while a connection is listening. */
  readonly listening: boolean;
  /**
   * Checks the connection now instead of at the next heartbeat (the database answers again after
   * a silence: this one may have died meanwhile), or reconnects now when it is waiting to retry.
   */
  check(): void;
  stop(): Promise<void>;
}

const defaultDelay = (attempt: number) => Math.min(5_000, 250 * 2 ** (attempt - 1));

/**
 * One dedicated connection that LISTENs on a channel and comes back by itself: on any error or
 * end it reconnects with backoff, LISTENs again and calls `onChange` once (the catch-up, since
 * notifications sent while it was away are lost). A heartbeat query finds connections that died
 * silently (a half-open TCP connection never errors by itself).
 *
 * Written here rather than taken from `pg-listen` 1.7: that library either gives up after its
 * retry timeout (3 s by default, after which the listener is dead for good) or, with the timeout
 * off, keeps a reconnect loop running after `close()`, which holds the process open while the
 * database is away.
 */
export function createListener(options: ListenerOptions): Listener {
  const delay = options.retryDelayMs ?? defaultDelay;
  const heartbeatMs = options.heartbeatMs ?? 30_000;
  const endGraceMs = options.endGraceMs ?? 1_000;
  let client: pg.Client | undefined;
  let stopped = false;
  let listening = false;
  let attempt = 0;
  let retryTimer: NodeJS.Timeout | undefined;
  let heartbeat: NodeJS.Timeout | undefined;

  const drop = (c: pg.Client): Promise<void> => {
    c.removeAllListeners();
    // Errors from a connection already given up on must not crash the process.
    c.on('error', () => undefined);
    return endClient(c, endGraceMs);
  };

  const lost = (c: pg.Client, error: unknown) => {
    if (client !== c) return;
    client = undefined;
    listening = false;
    if (heartbeat) clearInterval(heartbeat);
    void drop(c);
    if (stopped) return;
    options.onError?.(error);
    schedule();
  };

  const schedule = () => {
    attempt++;
    retryTimer = setTimeout(() => {
      retryTimer = undefined;
      void connect(true);
    }, delay(attempt));
    retryTimer.unref();
  };

  const connect = async (isReconnect: boolean): Promise<void> => {
    if (stopped) return;
    const c = new pg.Client(options.config);
    client = c;
    c.on('error', (error) => lost(c, error));
    c.on('end', () => lost(c, new Error('the listening connection ended')));
    c.on('notification', (n) => {
      if (n.channel === options.channel) options.onChange();
    });
    try {
      await c.connect();
      await c.query(`LISTEN ${pg.escapeIdentifier(options.channel)}`);
    } catch (error) {
      lost(c, error);
      return;
    }
    if (client !== c || stopped) return;
    listening = true;
    attempt = 0;
    if (heartbeatMs > 0) {
      heartbeat = setInterval(() => {
        c.query('SELECT 1').catch((error: unknown) => lost(c, error));
      }, heartbeatMs);
      heartbeat.unref();
    }
    if (isReconnect) options.onChange();
  };

  const started = connect(false);
  return {
    started,
    get listening() {
      return listening;
    },
    check() {
      if (stopped) return;
      const c = client;
      if (c && listening) c.query('SELECT 1').catch((error: unknown) => lost(c, error));
      else if (retryTimer) {
        clearTimeout(retryTimer);
        retryTimer = undefined;
        void connect(true);
      }
    },
    async stop() {
      if (stopped) return;
      stopped = true;
      if (retryTimer) clearTimeout(retryTimer);
      if (heartbeat) clearInterval(heartbeat);
      const c = client;
      client = undefined;
      listening = false;
      if (c) await drop(c);
    },
  };
}
