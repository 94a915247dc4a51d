import { accessSync, constants, renameSync, rmSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type Database from 'better-sqlite3';
import { BotError } from '../core/errors.ts';
import { storeClosed } from './errors.ts';
import { type Connection, connect } from './sqlite-connect.ts';
import {
  classifySqliteError,
  type FileIdentity,
  type StoreFailure,
  type StoreFailureCode,
  storeFailure,
  truncation,
  writeMarker,
} from './sqlite-file.ts';

/** Where the store reports that it became unreachable, is waiting for a lock, or is back. */
export interface StoreLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  info(obj: Record<string, unknown>, msg: string): void;
}

export interface SqliteOptions {
  /** Database file; created with its directory when missing (and when the folder never held data). */
  file: string;
  /** How long to wait for another process's lock, when opening and for each operation (default 10 s). */
  lockTimeoutMs?: number;
  log?: StoreLog;
  /**
   * The clock for reconnection backoff and for how long a lock has been held (a single call's
   * wait for a lock is real time: SQLite waits in real time too).
   */
  now?: () => Date;
  /** Pauses between reconnection attempts while unreachable (default 1 s, 2 s, 5 s, 10 s, then every 30 s). */
  retryMs?: readonly number[];
}

export const DEFAULT_LOCK_TIMEOUT_MS = 10_000;
/** Longest SQLite's own busy handler blocks the event loop at a time; beyond it we wait asynchronously. */
export const BUSY_SLICE_MS = 200;
const RETRY_MS = [1000, 2000, 5000, 10_000, 30_000];
/** A file found shorter than its header is looked at again this much later (another process may be checkpointing). */
const TRUNCATION_RECHECK_MS = 50;

interface Down {
  failure: StoreFailure;
  since: Date;
  /** Only the write lock is missing (the connection is fine). */
  lock: boolean;
}

/**
 * One database file behind a connection that is checked on every use: a file that is deleted,
 * emptied, replaced or made unreadable, a disk error, damage or a lock held past the timeout
 * makes the store unreachable (calls fail with a `store-unavailable` BotError that says so, and
 * `ping` rejects), and it reconnects by itself once a usable file is back.
 */
export class SqliteHandle {
  readonly file: string;
  #conn: Connection | undefined;
  #down: Down | undefined;
  #closed = false;
  #attempt = 0;
  #nextTryAt = 0;
  #timer: NodeJS.Timeout | undefined;
  /** Saving what a deleted file held, from the connection that still has it open. */
  #rescuing: Promise<void> | undefined;
  #rescued: string | undefined;
  readonly #lockTimeoutMs: number;
  /** How long SQLite's own busy handler may block the event loop at a time. */
  readonly #busySliceMs: number;
  /** When another process's write lock was first met and not seen free since (ms, by `now`). */
  #lockSince: number | undefined;
  readonly #log: StoreLog | undefined;
  readonly #now: () => Date;
  readonly #retryMs: readonly number[];

  constructor(conn: Connection, options: SqliteOptions) {
    this.file = options.file;
    this.#conn = conn;
    this.#lockTimeoutMs = Math.max(0, options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS);
    this.#log = options.log;
    this.#now = options.now ?? (() => new Date());
    this.#retryMs = options.retryMs?.length ? options.retryMs : RETRY_MS;
    this.#busySliceMs = Math.min(this.#lockTimeoutMs, BUSY_SLICE_MS);
    conn.db.pragma(`busy_timeout = ${this.#busySliceMs}`);
  }

  /**
   * Runs `work` on the current connection, waiting out another process's lock up to the lock
   * timeout (or `lockWaitMs`, when shorter). Once a lock has been held past the timeout, nothing
   * waits for it any more: reads go on, writes fail at once, until it is seen free again.
   */
  async run<T>(work: (c: Connection) => T | Promise<T>, options: { keeps?: string; lockWaitMs?: number } = {}): Promise<T> {
    const started = performance.now();
    const deadline = started + Math.min(this.#lockTimeoutMs, options.lockWaitMs ?? Number.POSITIVE_INFINITY);
    let pause = 25;
    for (;;) {
      const conn = this.#connection();
      const expired = this.#lockHeldTooLong(conn, false);
      if (expired) conn.db.pragma('busy_timeout = 0');
      try {
        if (options.keeps) writeMarker(this.file, options.keeps, this.#now());
        return await work(conn);
      } catch (error) {
        const failure = classifySqliteError(error, this.file);
        if (!failure) throw error;
        if (failure.code !== 'store-locked') {
          this.#fail(failure, false);
          throw this.#unavailable();
        }
        const now = this.#now().getTime();
        // Held at least since this call started waiting for it (inside SQLite at first).
        this.#lockSince = Math.min(this.#lockSince ?? now, now - (performance.now() - started));
        const left = Math.min(deadline - performance.now(), this.#lockSince + this.#lockTimeoutMs - now);
        if (!expired && left > 0) {
          await delay(Math.min(pause, left));
          pause = Math.min(pause * 2, 500);
          continue;
        }
        if (now - this.#lockSince < this.#lockTimeoutMs)
          throw this.#unavailable(storeFailure('store-locked', this.file, 'another process holds the database lock', failure));
        this.#fail(this.#lockFailure(failure), true);
        throw this.#unavailable();
      } finally {
        if (expired && conn.db.open) conn.db.pragma(`busy_timeout = ${this.#busySliceMs}`);
      }
    }
  }

  /** Checks the file and reads the database; rejects with what is wrong (the file named) when unreachable. */
  async ping(): Promise<void> {
    if (this.#closed) throw storeClosed(this.file);
    if (this.#down && !this.#down.lock) this.#recover();
    if (!this.#down || this.#down.lock) this.#verify();
    const conn = this.#conn;
    if ((this.#down && !this.#down.lock) || !conn) throw this.#pingError();
    // A write lock another process keeps is looked for here too, so /readyz tells of it even
    // while nothing is being written.
    if (this.#lockHeldTooLong(conn, true)) throw this.#pingError();
    try {
      // A file cut short in place (the same file, so #verify cannot tell) is found here, not only once a call reads past its end.
      if (truncation(this.file) !== undefined) {
        await delay(TRUNCATION_RECHECK_MS);
        const cut = truncation(this.file);
        if (cut) throw storeFailure('store-corrupt', this.file, cut);
      }
      conn.db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get();
      conn.db.prepare('SELECT COUNT(*) FROM sqlite_master').get();
    } catch (error) {
      const failure = classifySqliteError(error, this.file);
      if (!failure) throw error;
      // A read waiting on a lock only happens when another process locks readers out entirely.
      this.#fail(failure.code === 'store-locked' ? this.#lockFailure(failure) : failure, failure.code === 'store-locked');
      throw this.#pingError();
    }
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    this.#conn?.db.close();
    this.#conn = undefined;
    await this.#rescuing;
  }

  #connection(): Connection {
    if (this.#closed) throw storeClosed(this.file);
    if (this.#down && this.#now().getTime() >= this.#nextTryAt) this.#recover();
    if (!this.#down || this.#down.lock) this.#verify();
    if (!this.#conn || (this.#down && !this.#down.lock)) throw this.#unavailable();
    return this.#conn;
  }

  /** Notices a file deleted, emptied, replaced or made unreadable under the open connection. */
  #verify(): void {
    const conn = this.#conn;
    if (!conn) return;
    const stats = statSync(this.file, { throwIfNoEntry: false });
    let problem: [StoreFailureCode, string, 'missing' | 'emptied' | 'replaced' | 'permission'] | undefined;
    if (!stats) problem = ['store-lost', 'its database file is missing', 'missing'];
    else if (stats.size === 0) problem = ['store-lost', 'its database file was emptied (0 bytes)', 'emptied'];
    else if (stats.ino !== conn.identity.ino || stats.dev !== conn.identity.dev)
      problem = ['store-open', 'its database file was replaced', 'replaced'];
    else {
      try {
        accessSync(this.file, constants.R_OK | constants.W_OK);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code ?? 'error';
        problem = ['store-permission', `the bot may no longer read and write its database file (${code})`, 'permission'];
      }
    }
    if (!problem) return;
    // Nothing more goes through it: writes would land in a file nobody reads any more.
    this.#conn = undefined;
    this.#retire(conn, problem[2]);
    this.#fail(storeFailure(problem[0], this.file, problem[1]), false, false);
    // A restored backup (or a folder that never held data) is usable at once; otherwise backoff starts here.
    this.#recover();
  }

  /**
   * Lets go of a connection whose file is not at the path any more. First its write-ahead log is
   * checkpointed into the file it has open (a moved file keeps everything; a deleted one is then
   * copied to `briefing.db.rescued-<time>` from this connection). Then the log is taken away from
   * the path: SQLite would replay it into whatever database appears there next, as it does not
   * check that a log belongs to its database. A log that could not be emptied is kept aside.
   */
  #retire(conn: Connection, kind: 'missing' | 'emptied' | 'replaced' | 'permission'): void {
    const stamp = this.#now().toISOString().replace(/[:.]/g, '-');
    const ours = (path: string, identity: FileIdentity | undefined) => {
      const stats = statSync(path, { throwIfNoEntry: false });
      return identity !== undefined && stats !== undefined && stats.ino === identity.ino && stats.dev === identity.dev;
    };
    const close = () => {
      try {
        conn.db.close();
      } catch {
        // a connection whose file is gone may fail to close cleanly; it is dropped either way
      }
    };
    if (kind !== 'permission') {
      try {
        // Not into an emptied file: that would bring back part of what someone emptied on purpose.
        if (kind !== 'emptied') conn.db.pragma('wal_checkpoint(TRUNCATE)');
      } catch (error) {
        this.#log?.warn({ store: this.file, err: error }, 'could not checkpoint the write-ahead log of the old database file');
      }
      try {
        const wal = `${this.file}-wal`;
        if (ours(wal, conn.wal)) {
          if (statSync(wal).size === 0) rmSync(wal, { force: true });
          else renameSync(wal, `${wal}.stale-${stamp}`);
        }
        if (ours(`${this.file}-shm`, conn.shm)) rmSync(`${this.file}-shm`, { force: true });
      } catch (error) {
        this.#log?.warn({ store: this.file, err: error }, 'could not take the old write-ahead log away');
      }
    }
    if (kind !== 'missing' || this.#rescuing) {
      close();
      return;
    }
    const rescue = `${this.file}.rescued-${stamp}`;
    this.#rescuing = conn.db.backup(rescue).then(
      () => {
        this.#rescued = rescue;
        this.#log?.warn(
          { store: this.file, rescue },
          'the database file was deleted while the bot had it open; what it held was saved: rename the copy to briefing.db to restore it',
        );
      },
      (error: unknown) => this.#log?.warn({ store: this.file, err: error }, 'the deleted database could not be saved'),
    );
    void this.#rescuing.finally(close);
  }

  /** One reconnection attempt (or, when only the lock was missing, one lock probe). */
  #recover(): void {
    const down = this.#down;
    if (!down || this.#closed) return;
    if (down.lock && this.#conn) {
      const state = this.#probeLock(this.#conn.db);
      if (state === 'free') this.#lockReleased();
      else if (state === 'held') this.#later();
      else this.#fail(state, false);
      return;
    }
    try {
      const conn = connect(this.file, { busyTimeoutMs: this.#busySliceMs, now: this.#now });
      this.#conn = conn;
      this.#lockSince = undefined;
      this.#back();
    } catch (error) {
      const failure = classifySqliteError(error, this.file) ?? storeFailure('store-open', this.file, (error as Error).message, error);
      this.#fail(failure, false);
    }
  }

  /**
   * Whether another process holds the write lock, found without waiting (SQLite's busy handler
   * would block the event loop): a write transaction begun and rolled back at once, nothing written.
   */
  #probeLock(db: Database.Database): 'free' | 'held' | StoreFailure {
    if (db.inTransaction) return 'free';
    try {
      db.pragma('busy_timeout = 0');
      db.exec('BEGIN IMMEDIATE');
      db.exec('ROLLBACK');
      return 'free';
    } catch (error) {
      const failure = classifySqliteError(error, this.file);
      if (!failure) throw error;
      return failure.code === 'store-locked' ? 'held' : failure;
    } finally {
      if (db.open) db.pragma(`busy_timeout = ${this.#busySliceMs}`);
    }
  }

  /**
   * True when another process has held the write lock for longer than the lock timeout. Looks
   * only while a lock was met and not seen free since, unless `look`; a lock seen free ends it.
   */
  #lockHeldTooLong(conn: Connection, look: boolean): boolean {
    if (this.#lockSince === undefined && !look) return false;
    const state = this.#probeLock(conn.db);
    if (state === 'free') {
      this.#lockReleased();
      return false;
    }
    if (state !== 'held') {
      this.#fail(state, false);
      throw this.#unavailable();
    }
    const now = this.#now().getTime();
    this.#lockSince ??= now;
    if (now - this.#lockSince < this.#lockTimeoutMs) return false;
    if (!this.#down) this.#fail(this.#lockFailure(), true);
    return true;
  }

  #lockReleased(): void {
    this.#lockSince = undefined;
    if (this.#down?.lock) this.#back();
  }

  #fail(failure: StoreFailure, lock: boolean, schedule = true): void {
    const was = this.#down;
    if (!lock && this.#conn) {
      try {
        this.#conn.db.close();
      } catch {
        // closing a connection whose file is gone can fail; it is dropped either way
      }
      this.#conn = undefined;
    }
    // A reconnection that fails the same way keeps the first, more specific, reason.
    const kept = was && !was.lock && !lock && was.failure.code === failure.code ? was.failure : failure;
    this.#down = { failure: kept, since: was?.since ?? this.#now(), lock };
    if (!was || was.failure.reason !== kept.reason)
      this.#log?.warn(
        { store: this.file, code: kept.code, reason: kept.reason },
        'the store is unreachable: registration, digests and the audit log fail until it is back; retrying',
      );
    if (schedule) this.#later();
  }

  #back(): void {
    const was = this.#down;
    this.#down = undefined;
    this.#attempt = 0;
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (was)
      this.#log?.info({ store: this.file, unreachableForMs: this.#now().getTime() - was.since.getTime() }, 'the store is reachable again');
  }

  /** Schedules the next attempt with backoff; calls in between fail at once. */
  #later(): void {
    const wait = this.#retryMs[Math.min(this.#attempt, this.#retryMs.length - 1)] as number;
    this.#attempt += 1;
    this.#nextTryAt = this.#now().getTime() + wait;
    clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      if (this.#down && !this.#closed) this.#recover();
    }, wait);
    this.#timer.unref();
  }

  #lockFailure(cause?: StoreFailure): StoreFailure {
    return storeFailure(
      'store-locked',
      this.file,
      `another process has held the database lock for more than ${Math.round(this.#lockTimeoutMs / 100) / 10} s`,
      cause,
    );
  }

  /** For chat: says what is wrong without a path. */
  #unavailable(failure: StoreFailure | undefined = this.#down?.failure): BotError {
    const reason = failure?.reason ?? 'unknown';
    return new BotError(
      'store-unavailable',
      `The bot's data store is unreachable right now (${reason}), so this cannot be done; answers from the briefings still work. It reconnects by itself: try again in a minute.`,
      { cause: failure },
    );
  }

  /** For /readyz and logs: the file, what is wrong and what to do (the failure's own message, so it is not repeated). */
  #pingError(): BotError {
    const failure = this.#down?.failure;
    if (!failure) return new BotError('store-unavailable', `store: ${this.file}: not open`);
    const rescued = this.#rescued
      ? `\nWhat it held was saved as ${this.#rescued}: rename that file to ${basename(this.file)} and the bot picks it up.`
      : '';
    return new BotError('store-unavailable', `${failure.message}${rescued}`, { cause: failure });
  }
}
