import { readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { autoWorkerCount } from '../src/workers/search-pool.ts';
import { ensureContentDir } from './content-dir.ts';
import { type BotRun, runBot } from './lib/bot-process.ts';
import { fmt } from './lib/stats.ts';

/**
 * `npm run bench:start [-- sizes…] [--large] [--runs n] [--root dir]` (and the first half of
 * `npm run bench`): the whole bot process (this checkout's, or the one `--root` names, to
 * compare), started as `npm start` is, on a content folder of generated Markdown briefings
 * (1,000 and 10,000; 50,000 with `--large`). For each size: a cold start (empty data folder: everything is read, parsed
 * and indexed), warm restarts (content and data folders unchanged), and a restart after one
 * content file changed. Each figure is spawn-to-first-answer and the process's peak RSS from
 * the kernel, search workers included (as many as `SEARCH_WORKERS=auto` would start).
 */

const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));
const QUESTION = '/ask What did the ASEAN meeting focus on?';
/** Documents per generated briefing: 20 passages and 3 key points. */
const DOCS_PER_ARTICLE = 23;

interface Row {
  articles: number;
  workers: number;
  cold: BotRun;
  warm: BotRun[];
  changed: BotRun;
  snapshotMb: number;
  dataMb: number;
}

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

async function folderMb(dir: string): Promise<number> {
  let bytes = 0;
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) bytes += (await stat(join(entry.parentPath, entry.name))).size;
  }
  return bytes / 1024 / 1024;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] as number;
};

const describe = (run: BotRun): string =>
  `first answer ${fmt(run.firstAnswerMs / 1000, 2)} s, peak RSS ${fmt(run.peakRssMb, 0)} MB, index ${run.index ?? '?'}${run.reason ? ` (${run.reason})` : ''}${run.workersReadyMs === undefined ? '' : `, workers ready ${fmt(run.workersReadyMs / 1000, 2)} s`}`;

async function benchSize(articles: number, runs: number, root: string | undefined): Promise<Row> {
  const content = await ensureContentDir(CACHE, { articles });
  log(`  ${articles} briefings: ${content.written ? 'wrote' : 'reusing'} ${content.dir}`);
  // Another checkout gets its own data folder (its snapshot and cache formats may differ).
  const dataDir = join(CACHE, root ? `data-${articles}-other` : `data-${articles}`);
  const workers = autoWorkerCount(articles * DOCS_PER_ARTICLE);
  const run = (): Promise<BotRun> => runBot({ contentDir: content.dir, dataDir, question: QUESTION, workers, ...(root ? { root } : {}) });

  await rm(dataDir, { recursive: true, force: true });
  const cold = await run();
  log(`  cold start: ${describe(cold)}`);
  const warm: BotRun[] = [];
  for (let i = 0; i < runs; i++) {
    warm.push(await run());
    log(`  warm restart ${i + 1}: ${describe(warm.at(-1) as BotRun)}`);
  }
  const snapshotMb = (await stat(join(dataDir, 'index.snapshot'))).size / 1024 / 1024;
  const dataMb = await folderMb(dataDir);

  // One briefing edited between restarts (a sentence added to its last paragraph), then put back.
  const file = join(content.dir, content.files[Math.floor(content.files.length / 2)] as string);
  const original = await readFile(file, 'utf8');
  await writeFile(file, `${original.trimEnd()} The outlook was revised after the bench edited this briefing.\n`);
  let changed: BotRun;
  try {
    changed = await run();
  } finally {
    await writeFile(file, original);
  }
  log(`  one file changed: ${describe(changed)}`);
  return { articles, workers, cold, warm, changed, snapshotMb, dataMb };
}

function table(rows: Row[]): string {
  const lines = [
    '| briefings | search workers | cold start: first answer / peak RSS | warm restart: first answer (median) / peak RSS | one file changed: first answer / peak RSS | snapshot | data folder |',
    '|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const warmMs = median(r.warm.map((w) => w.firstAnswerMs));
    const warmRss = Math.max(...r.warm.map((w) => w.peakRssMb));
    lines.push(
      `| ${r.articles.toLocaleString('en-US')} | ${r.workers} | ${fmt(r.cold.firstAnswerMs / 1000, 2)} s / ${fmt(r.cold.peakRssMb, 0)} MB | ${fmt(warmMs / 1000, 2)} s / ${fmt(warmRss, 0)} MB | ${fmt(r.changed.firstAnswerMs / 1000, 2)} s / ${fmt(r.changed.peakRssMb, 0)} MB | ${fmt(r.snapshotMb)} MB | ${fmt(r.dataMb)} MB |`,
    );
  }
  return lines.join('\n');
}

/** Runs the start benchmark at each size; returns its table (progress goes to stderr). */
export async function benchStart(sizes: readonly number[], runs: number, root?: string): Promise<string> {
  log(
    `whole-process start benchmark (node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')})`,
  );
  const rows: Row[] = [];
  if (root) log(`running the bot in ${root}`);
  for (const size of sizes) rows.push(await benchSize(size, runs, root));
  return table(rows);
}

/** Sizes and options shared by `npm run bench` and `npm run bench:start`. */
export function benchArgs(argv: string[]): { sizes: number[]; runs: number; root?: string } {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { large: { type: 'boolean', default: false }, runs: { type: 'string', default: '3' }, root: { type: 'string' } },
    allowPositionals: true,
  });
  const sizes = positionals.length ? positionals.map((a) => Number.parseInt(a, 10)).filter((n) => n > 0) : [1000, 10000];
  if (values.large && !sizes.includes(50000)) sizes.push(50000);
  return { sizes, runs: Math.max(1, Number.parseInt(values.runs, 10) || 1), ...(values.root ? { root: resolve(values.root) } : {}) };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { sizes, runs, root } = benchArgs(process.argv.slice(2));
  process.stdout.write(`${await benchStart(sizes, runs, root)}\n`);
}
