import { existsSync, renameSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BotError } from '../core/errors.ts';
import { backupDatabase } from './backup.ts';
import { formatDoctorReport, runDoctor } from './doctor.ts';
import { legacyMarkerPath, markerPath, readMarker, statDatabase } from './sqlite-file.ts';

/** The `doctor` and `backup` subcommands of the `briefing-bot` binary. */

/** The configuration they read (a slice of src/config.ts `Config`). */
export interface StoreCliConfig {
  BRIEFING_DATA_DIR: string;
  BRIEFING_CONTENT_DIR: string;
  /** How long backup waits for a lock another process holds (default 10 s). */
  STORE_LOCK_TIMEOUT_MS?: number;
  /** Set: the state is in PostgreSQL, and doctor checks that instead of the SQLite file. */
  DATABASE_URL?: string | undefined;
}

export interface StoreCliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

type CliCommand = (args: string[]) => Promise<number>;

const DATABASE = 'briefing.db';

export const STORE_USAGE = `  briefing-bot doctor [--json]                   check the data folder: database, schema, integrity, snapshot, counts
  briefing-bot doctor --start-afresh             after the database was lost: let the next start create an empty one
  briefing-bot backup <file> [--force]           a consistent copy of the database, also while the bot runs`;

/**
 * Lets the next start create an empty database after a loss, without deleting anything: the
 * marker (and an empty file's leftovers) are renamed with a `.lost-<time>` suffix.
 */
export function startAfresh(file: string, now: Date = new Date()): string {
  const stats = statDatabase(file);
  const marker = readMarker(file);
  if (stats && stats.size > 0)
    throw new BotError(
      'afresh-refused',
      `doctor: ${file} is there (${stats.size} bytes): there is nothing to start afresh from. If it is damaged, restore a backup; to discard it, stop the bot and move it away yourself.`,
    );
  if (!marker) return `Nothing to do: no data was ever stored in this folder; the bot creates ${file} at its first start.\n`;
  const suffix = `.lost-${now.toISOString().replace(/[:.]/g, '-')}`;
  const moved: string[] = [];
  // A write-ahead log left from the lost database must not be replayed into the new one.
  for (const path of [markerPath(file), legacyMarkerPath(file), `${file}-wal`, `${file}-shm`]) {
    if (!existsSync(path)) continue;
    renameSync(path, `${path}${suffix}`);
    moved.push(`${path}${suffix}`);
  }
  if (stats) rmSync(file);
  return `Starting afresh: ${stats ? `removed the empty ${file}; ` : ''}kept the old records as ${moved.join(', ')}.
The next start creates an empty database. Briefings registered here, digest subscriptions and the audit log are gone unless you restore a backup.\n`;
}

export function storeCli(loadConfig: () => StoreCliConfig, io: StoreCliIo = process): Record<string, CliCommand> {
  const usage = (message: string): number => {
    io.stderr.write(`${message}\nUsage:\n${STORE_USAGE}\n`);
    return 2;
  };
  return {
    doctor: async (args) => {
      const { values, positionals } = parseArgs({
        args,
        options: { json: { type: 'boolean', default: false }, 'start-afresh': { type: 'boolean', default: false } },
        allowPositionals: true,
      });
      if (positionals.length) return usage(`doctor takes no file: it checks BRIEFING_DATA_DIR (got "${positionals[0]}")`);
      const config = loadConfig();
      const file = join(config.BRIEFING_DATA_DIR, DATABASE);
      if (values['start-afresh']) {
        if (config.DATABASE_URL)
          return usage(
            'doctor --start-afresh is for a lost SQLite database in BRIEFING_DATA_DIR; with DATABASE_URL the state is in PostgreSQL: restore it there (pg_restore)',
          );
        io.stdout.write(startAfresh(file));
        return 0;
      }
      const report = await runDoctor({
        dataDir: config.BRIEFING_DATA_DIR,
        contentDir: config.BRIEFING_CONTENT_DIR,
        file,
        databaseUrl: config.DATABASE_URL,
      });
      io.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatDoctorReport(report));
      return report.healthy ? 0 : 1;
    },
    backup: async (args) => {
      const { values, positionals } = parseArgs({ args, options: { force: { type: 'boolean', default: false } }, allowPositionals: true });
      if (positionals.length !== 1)
        return usage(
          positionals.length
            ? `backup takes one file name, got ${positionals.length}`
            : 'backup needs the file to write, e.g. backup briefing-2026-12-05.db',
        );
      const config = loadConfig();
      if (config.DATABASE_URL) {
        const { redactUrl } = await import('./postgres-store.ts');
        io.stderr.write(
          `backup copies the SQLite database in BRIEFING_DATA_DIR, but DATABASE_URL is set: the state is in PostgreSQL (${redactUrl(config.DATABASE_URL)}). Back it up with PostgreSQL's own tools, also while the bot runs, e.g.\n  pg_dump --format=custom --file ${positionals[0]} "$DATABASE_URL"\n`,
        );
        return 2;
      }
      const result = await backupDatabase(join(config.BRIEFING_DATA_DIR, DATABASE), positionals[0] as string, {
        force: values.force,
        ...(config.STORE_LOCK_TIMEOUT_MS !== undefined ? { lockTimeoutMs: config.STORE_LOCK_TIMEOUT_MS } : {}),
      });
      io.stdout.write(
        `Backed up ${join(config.BRIEFING_DATA_DIR, DATABASE)} to ${result.target}: ${result.bytes} bytes, schema version ${result.schemaVersion}, ${result.briefings} registered ${result.briefings === 1 ? 'briefing' : 'briefings'}, quick check ok.\n`,
      );
      return 0;
    },
  };
}
