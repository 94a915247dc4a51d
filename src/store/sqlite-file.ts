import {
  closeSync,
  constants,
  existsSync,
  fstatSync,
  openSync,
  readFileSync,
  readSync,
  renameSync,
  type Stats,
  statSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BotError } from '../core/errors.ts';

/**
 * What a data folder's database file looks like from the outside, the marker that says the
 * folder ever held data, and the errors that say what is wrong with the file and what to do.
 */

/** `PRAGMA application_id` of briefing-bot databases ("brbt"), so a foreign SQLite file is told apart. */
export const APPLICATION_ID = 0x62726274;

/**
 * The marker beside the database (`.briefing.db.keep`): written before the first registered
 * briefing, subscription or installation is stored. Hidden and not named like the database, so
 * neither `rm data/*` nor `rm data/briefing.db*` (the database with its -wal and -shm) takes it too.
 */
export function markerPath(file: string): string {
  return join(dirname(file), `.${basename(file)}.keep`);
}

/** Where earlier versions wrote the marker (`briefing.db.keep`): still honoured, and copied to {@link markerPath}. */
export function legacyMarkerPath(file: string): string {
  return `${file}.keep`;
}

/** The marker file there is, for messages: {@link markerPath}, or the one an earlier version wrote. */
export function markerShown(file: string): string {
  const path = markerPath(file);
  return !existsSync(path) && existsSync(legacyMarkerPath(file)) ? legacyMarkerPath(file) : path;
}

const SQLITE_MAGIC = 'SQLite format 3\u0000';

/** Why the store cannot be used, as a code scripts can test. */
export type StoreFailureCode =
  | 'store-lost'
  | 'store-not-database'
  | 'store-corrupt'
  | 'store-foreign'
  | 'store-too-new'
  | 'store-permission'
  | 'store-locked'
  | 'store-io'
  | 'store-open';

/**
 * The database cannot be opened or used. `message` is for the operator (names the file and what
 * to do); `reason` is a short phrase without paths, safe to show in chat.
 */
export class StoreFailure extends BotError {
  readonly file: string;
  readonly reason: string;
  /** What to do about it. */
  readonly advice: string;
  constructor(code: StoreFailureCode, file: string, reason: string, advice: string, options?: { cause?: unknown }) {
    super(code, `store: ${file}: ${reason}.\n${advice}`, options);
    this.name = 'StoreFailure';
    this.file = file;
    this.reason = reason;
    this.advice = advice;
  }
}

/** The sentence every failure's advice carries (doctor leaves it out of its own report). */
export const DOCTOR = 'Run `npx briefing-bot doctor` for a full check of the data folder.';
const RESTORE = (file: string) =>
  `Restore it from a backup (stop the bot, copy the backup over ${file}, start again), or move it aside to look into it. ${DOCTOR}`;
const STORE_OFF = 'To run without the store (no registered briefings, registration or digests), set STORE=off.';

/** The failure for `code`, with the advice that goes with it. */
export function storeFailure(code: StoreFailureCode, file: string, reason: string, cause?: unknown): StoreFailure {
  const advice: Record<StoreFailureCode, string> = {
    'store-lost': `${markerShown(file)} records that data was stored here. Restore ${basename(file)} from a backup into ${dirname(file)}; or, to start afresh with an empty database (what it held is gone), run \`npx briefing-bot doctor --start-afresh\`. ${DOCTOR}`,
    'store-not-database': `${RESTORE(file)} ${STORE_OFF}`,
    'store-corrupt': `${RESTORE(file)} ${STORE_OFF}`,
    'store-foreign': `Point BRIEFING_DATA_DIR at briefing-bot's data folder, or move this file away. ${DOCTOR}`,
    'store-too-new': `Upgrade briefing-bot, or restore a backup made by this version. ${DOCTOR}`,
    'store-permission': `Let the user running the bot (uid ${process.getuid?.() ?? '?'}) read and write the file and its folder, e.g. with chown. ${DOCTOR} ${STORE_OFF}`,
    'store-locked': `Another process keeps the database locked (another briefing-bot migrating, or a sqlite3 shell with an open transaction): let it finish or stop it, or wait longer with STORE_LOCK_TIMEOUT_MS. ${DOCTOR}`,
    'store-io': `Check the disk and the file system. ${DOCTOR} ${STORE_OFF}`,
    'store-open': `${DOCTOR} ${STORE_OFF}`,
  };
  return new StoreFailure(code, file, reason, advice[code], cause === undefined ? undefined : { cause });
}

/** An error from better-sqlite3 (or the file system) as a store failure, or undefined when it is something else. */
export function classifySqliteError(error: unknown, file: string): StoreFailure | undefined {
  if (error instanceof StoreFailure) return error;
  const code = String((error as { code?: unknown } | null)?.code ?? '');
  const text = error instanceof Error ? error.message : String(error);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED'))
    return storeFailure('store-locked', file, 'another process holds the database lock', error);
  if (code === 'SQLITE_NOTADB') return storeFailure('store-not-database', file, 'it is not a SQLite database', error);
  if (code.startsWith('SQLITE_CORRUPT')) return storeFailure('store-corrupt', file, `the database is damaged (SQLite: ${text})`, error);
  if (code.startsWith('SQLITE_IOERR') || code === 'SQLITE_PROTOCOL')
    return storeFailure('store-io', file, `a disk error (SQLite: ${text})`, error);
  if (code === 'SQLITE_FULL') return storeFailure('store-io', file, 'the disk is full', error);
  if (code.startsWith('SQLITE_READONLY') || code === 'SQLITE_PERM' || code === 'EACCES' || code === 'EPERM' || code === 'EROFS')
    return storeFailure('store-permission', file, `the bot may not read and write it (${code.startsWith('SQLITE') ? text : code})`, error);
  if (code.startsWith('SQLITE_CANTOPEN')) return storeFailure('store-open', file, `it cannot be opened (SQLite: ${text})`, error);
  if (code === 'ENOTDIR')
    return storeFailure('store-open', file, 'a part of its path is a file, not a folder (ENOTDIR); check BRIEFING_DATA_DIR', error);
  return undefined;
}

/** `statSync` of the database file: undefined when it does not exist, a {@link StoreFailure} when it cannot be looked at. */
export function statDatabase(file: string): Stats | undefined {
  try {
    return statSync(file, { throwIfNoEntry: false });
  } catch (error) {
    throw (
      classifySqliteError(error, file) ?? storeFailure('store-open', file, `it cannot be looked at (${(error as Error).message})`, error)
    );
  }
}

/** The file's identity, to notice it was deleted or replaced under an open connection. */
export interface FileIdentity {
  dev: number;
  ino: number;
}

export function identityOf(stats: Stats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino };
}

/** What the first 100 bytes (the SQLite header) say, without opening the database. */
export type HeaderCheck = { ok: true; pageSize: number } | { ok: false; reason: string };

export function checkHeader(file: string): HeaderCheck {
  const header = Buffer.alloc(100);
  let read: number;
  const fd = openSync(file, constants.O_RDONLY);
  try {
    read = readSync(fd, header, 0, 100, 0);
  } finally {
    closeSync(fd);
  }
  if (read < 100) return { ok: false, reason: `it is ${read} bytes long, shorter than a SQLite header: not a database, or truncated` };
  if (header.toString('latin1', 0, 16) !== SQLITE_MAGIC) return { ok: false, reason: 'it is not a SQLite database (its header is wrong)' };
  const raw = header.readUInt16BE(16);
  return { ok: true, pageSize: raw === 1 ? 65536 : raw };
}

/**
 * Why the file is shorter than its header says it is (cut short in place), or undefined. A
 * checkpoint in another process writes the header page before the pages after it, so a caller
 * should look twice before believing it.
 */
export function truncation(file: string): string | undefined {
  const header = Buffer.alloc(100);
  let size: number;
  try {
    const fd = openSync(file, constants.O_RDONLY);
    try {
      if (readSync(fd, header, 0, 100, 0) < 100) return undefined;
      size = fstatSync(fd).size;
    } finally {
      closeSync(fd);
    }
  } catch {
    return undefined; // gone or unreadable: the other checks say so
  }
  const raw = header.readUInt16BE(16);
  const pageSize = raw === 1 ? 65536 : raw;
  // The size in pages the header records, valid when written by the same change as the counter beside it.
  const pages = header.readUInt32BE(28);
  if (pages === 0 || header.readUInt32BE(92) !== header.readUInt32BE(24) || size >= pages * pageSize) return undefined;
  return `it is ${size} bytes long, shorter than its header says (${pages} pages of ${pageSize} bytes): truncated`;
}

/** What the marker beside the database records. */
export interface Marker {
  /** When data was first stored in this folder's database. */
  since: string;
  /** What was stored first: `article.register`, `digest.subscribe`, `slack.install`, or `existing data` (an older folder). */
  first: string;
}

/** The marker beside `file` (or where earlier versions wrote it), undefined when there is none; an unreadable marker still counts as one. */
export function readMarker(file: string): Marker | undefined {
  return readMarkerAt(markerPath(file)) ?? readMarkerAt(legacyMarkerPath(file));
}

function readMarkerAt(path: string): Marker | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    return { since: 'unknown', first: 'unknown' };
  }
  try {
    const parsed = JSON.parse(text) as Partial<Marker>;
    return { since: String(parsed.since ?? 'unknown'), first: String(parsed.first ?? 'unknown') };
  } catch {
    return { since: 'unknown', first: 'unknown' };
  }
}

/**
 * Writes the marker (atomically) unless it exists; one an earlier version wrote is copied, with
 * its date. It lives outside the database on purpose: it is what tells a lost database (refuse
 * to start) from a folder that never held anything.
 */
export function writeMarker(file: string, first: string, now: Date = new Date()): void {
  const path = markerPath(file);
  if (statSync(path, { throwIfNoEntry: false })) return;
  const earlier = readMarkerAt(legacyMarkerPath(file));
  const body = {
    about: `briefing-bot: ${basename(file)} beside this file holds registered briefings, digest subscriptions or Slack installations. If it is ever missing or empty, restore it from a backup (npx briefing-bot backup makes one); the bot will not start without it. To start afresh instead: npx briefing-bot doctor --start-afresh`,
    database: basename(file),
    since: earlier?.since ?? now.toISOString(),
    first: earlier?.first ?? first,
  };
  const tmp = join(dirname(path), `${basename(path)}.${process.pid}.tmp`);
  writeFileSync(tmp, `${JSON.stringify(body, null, 2)}\n`);
  renameSync(tmp, path);
}
