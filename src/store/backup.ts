import { existsSync, linkSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { BotError } from '../core/errors.ts';
import { checkOwnership } from './sqlite-connect.ts';
import { checkHeader, classifySqliteError, readMarker, statDatabase, storeFailure } from './sqlite-file.ts';
import { DEFAULT_LOCK_TIMEOUT_MS } from './sqlite-handle.ts';

/** What a backup wrote. */
export interface BackupResult {
  target: string;
  bytes: number;
  schemaVersion: number;
  briefings: number;
  pages: number;
}

/**
 * Copies the database to `target` with SQLite's online backup (better-sqlite3 `db.backup()`):
 * consistent even while the bot and other processes write, since it copies a few pages at a time
 * and starts over when another connection changes what was copied. The copy is written beside the
 * target and renamed into place only once it passed SQLite's quick check, so a failed backup
 * leaves no half-written file; an existing target is replaced only with `force`.
 */
export async function backupDatabase(
  file: string,
  target: string,
  options: { force?: boolean; lockTimeoutMs?: number } = {},
): Promise<BackupResult> {
  const to = resolve(target);
  if (to === resolve(file)) throw new BotError('backup-target', `backup: ${target} is the database itself: give another file name`);
  if (existsSync(to) && !options.force)
    throw new BotError('backup-exists', `backup: ${target} already exists: choose a new file name, or pass --force to replace it`);
  if (!existsSync(dirname(to))) throw new BotError('backup-target', `backup: the folder ${dirname(to)} does not exist: create it first`);
  const stats = statDatabase(file);
  if (!stats || stats.size === 0) {
    if (readMarker(file))
      throw storeFailure('store-lost', file, `the database is ${stats ? 'empty' : 'missing'}: there is nothing left to back up`);
    throw new BotError('backup-nothing', `backup: ${file} ${stats ? 'is empty' : 'does not exist'}: nothing has been stored yet`);
  }
  let db: Database.Database;
  try {
    const header = checkHeader(file);
    if (!header.ok) throw storeFailure('store-not-database', file, header.reason);
    db = new Database(file, { fileMustExist: true });
  } catch (error) {
    throw classifySqliteError(error, file) ?? error;
  }
  const partial = join(dirname(to), `.${basename(to)}.${process.pid}.partial`);
  try {
    // A CLI run: SQLite's own busy handler may wait the whole time.
    db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.lockTimeoutMs ?? DEFAULT_LOCK_TIMEOUT_MS))}`);
    checkOwnership(db, file);
    rmSync(partial, { force: true });
    await db.backup(partial);
  } catch (error) {
    rmSync(partial, { force: true });
    throw classifySqliteError(error, file) ?? error;
  } finally {
    db.close();
  }
  let result: BackupResult;
  const copy = new Database(partial, { fileMustExist: true });
  // The copy holds the database's pages as they are: a copy that fails the check means the database is damaged.
  const damaged = (what: string) =>
    new BotError(
      'backup-check',
      `backup: the copy of ${file} failed SQLite's quick check (${what}), so ${file} itself is damaged; nothing was written to ${target}. Keep your older backups; run \`npx briefing-bot doctor\` to see the damage.`,
    );
  try {
    let check: unknown;
    try {
      check = copy.pragma('quick_check', { simple: true });
    } catch (error) {
      throw damaged(error instanceof Error ? error.message : String(error));
    }
    if (check !== 'ok') throw damaged(String(check));
    result = {
      target: to,
      bytes: statSync(partial).size,
      schemaVersion: (copy.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0,
      briefings: (copy.prepare('SELECT COUNT(DISTINCT id) AS n FROM articles').get() as { n: number }).n,
      pages: copy.pragma('page_count', { simple: true }) as number,
    };
  } catch (error) {
    copy.close();
    rmSync(partial, { force: true });
    throw error;
  }
  copy.close();
  try {
    if (options.force) renameSync(partial, to);
    else {
      // link fails if the target appeared meanwhile: never overwrite without --force.
      linkSync(partial, to);
      rmSync(partial, { force: true });
    }
  } catch (error) {
    rmSync(partial, { force: true });
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      throw new BotError('backup-exists', `backup: ${target} already exists: choose a new file name, or pass --force to replace it`);
    throw error;
  }
  return result;
}
