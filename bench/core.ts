import { rm, stat } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { answerQuestion } from '../src/core/answer.ts';
import { Library } from '../src/core/library.ts';
import type { PassageIndex } from '../src/core/search/passage-index.ts';
import { buildIndex, loadOrBuild, saveSnapshot } from '../src/core/search/snapshot.ts';
import { generateCorpus } from './corpus.ts';
import { benchQuestions } from './lib/queries.ts';
import { collectGarbage, fmt, heapUsedMb, quantile, timed } from './lib/stats.ts';

/**
 * `npm run bench:index [-- sizes…]` (and the second half of `npm run bench`): the passage index
 * on the synthetic corpus, in this process: the first build on one thread, snapshot save and
 * load, heap, articles added live (MiniSearch), and query latency (index search alone, and the
 * whole /ask answer with excerpts: p50, p99 and mean) over a fixed question mix, and how many
 * of its totals were estimated rather than counted.
 */

const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));
/** Articles added live after the load (MiniSearch). */
const LIVE_ADDS = 100;

interface Row {
  articles: number;
  passages: number;
  generateMs: number;
  buildMs: number;
  /** Per article added live (MiniSearch) to the loaded index. */
  liveAddMs: number;
  saveMs: number;
  snapshotMb: number;
  loadMs: number;
  heapCorpusMb: number;
  heapBuiltMb: number;
  heapLoadedMb: number;
  search: Latency;
  answer: Latency;
  /** Share of the questions whose total was estimated (long lists, see score.ts). */
  estimatedShare: number;
}

interface Latency {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

function latencies(run: (q: string) => void, questions: readonly string[]): Latency {
  for (const q of questions.slice(0, 40)) run(q);
  const times: number[] = [];
  for (const q of questions) {
    const start = performance.now();
    run(q);
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const mean = times.reduce((a, b) => a + b, 0) / Math.max(1, times.length);
  return { p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times.at(-1) ?? 0, mean };
}

async function benchSize(articles: number, log: (line: string) => void): Promise<Row> {
  const questions = benchQuestions(400);
  const gen = await timed(() => generateCorpus({ articles, seed: 7 }));
  const corpus = gen.value;
  const passages = corpus.reduce((n, a) => n + a.passages.length + a.keyPoints.length, 0);
  const heapCorpusMb = heapUsedMb();
  log(`  ${articles} articles: generated ${passages} documents in ${fmt(gen.ms, 0)} ms`);

  // The first build, on this thread (a starting bot shares it out to build workers: see bench/start.ts).
  let built: PassageIndex | undefined;
  const build = await timed(async () => {
    built = await buildIndex(corpus);
  });
  const heapBuiltMb = heapUsedMb();
  log(`  built in ${fmt(build.ms / 1000, 2)} s, heap ${fmt(heapBuiltMb, 0)} MB`);

  const path = `${CACHE}index-${articles}.bin`;
  const save = await timed(() => saveSnapshot(built as PassageIndex, path));
  const snapshotMb = (await stat(path)).size / 1024 / 1024;
  log(`  snapshot saved in ${fmt(save.ms, 0)} ms (${fmt(snapshotMb)} MB)`);

  built = undefined;
  collectGarbage();
  const load = await timed(() => loadOrBuild({ articles: corpus, snapshotPath: path, save: false }));
  if (load.value.from !== 'snapshot') throw new Error(`snapshot was not used: ${load.value.reason}`);
  const index = load.value.index;
  const heapLoadedMb = heapUsedMb();
  log(`  loaded from snapshot in ${fmt(load.ms, 0)} ms, heap ${fmt(heapLoadedMb, 0)} MB`);

  const library = new Library(index);
  for (const a of corpus) library.add(a, { addedAt: '2025-01-01T00:00:00.000Z', origin: 'content' });
  // Live additions go through MiniSearch, as registrations do.
  const extra = generateCorpus({ articles: LIVE_ADDS, seed: 8 }).map((a) => {
    const id = `live-${a.id}`;
    return { ...a, id, passages: a.passages.map((p) => ({ ...p, id: `${id}#p${p.index}`, articleId: id })) };
  });
  const live = await timed(() => {
    for (const a of extra) library.add(a, { addedAt: '2025-02-01T00:00:00.000Z', origin: 'registered' });
  });
  log(`  ${LIVE_ADDS} articles added live in ${fmt(live.ms, 0)} ms`);
  const search = latencies((q) => index.search(q, { limit: 5 }), questions);
  const answer = latencies((q) => answerQuestion(library, q, { perPage: 3 }), questions);
  const estimatedShare = questions.filter((q) => index.search(q, { limit: 7 }).estimated).length / questions.length;
  log(
    `  search p50 ${fmt(search.p50, 2)} ms p99 ${fmt(search.p99, 2)} ms mean ${fmt(search.mean, 2)} ms; answer p50 ${fmt(answer.p50, 2)} ms p99 ${fmt(answer.p99, 2)} ms mean ${fmt(answer.mean, 2)} ms; totals estimated for ${fmt(estimatedShare * 100, 0)}% of questions`,
  );
  await rm(path, { force: true });
  return {
    articles,
    passages,
    generateMs: gen.ms,
    buildMs: build.ms,
    liveAddMs: live.ms / LIVE_ADDS,
    saveMs: save.ms,
    snapshotMb,
    loadMs: load.ms,
    heapCorpusMb,
    heapBuiltMb,
    heapLoadedMb,
    search,
    answer,
    estimatedShare,
  };
}

function table(rows: Row[]): string {
  const lines = [
    '| articles | documents | first build (one thread) | live add | snapshot save | snapshot size | snapshot load | heap after load (corpus alone) | heap after build | search p50 / p99 / mean | /ask answer p50 / p99 / mean | totals estimated |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.articles.toLocaleString('en-US')} | ${r.passages.toLocaleString('en-US')} | ${fmt(r.buildMs / 1000)} s | ${fmt(r.liveAddMs, 1)} ms | ${fmt(r.saveMs / 1000, 2)} s | ${fmt(r.snapshotMb)} MB | ${fmt(r.loadMs / 1000, 2)} s | ${fmt(r.heapLoadedMb, 0)} MB (${fmt(r.heapCorpusMb, 0)} MB) | ${fmt(r.heapBuiltMb, 0)} MB | ${fmt(r.search.p50, 2)} / ${fmt(r.search.p99, 2)} / ${fmt(r.search.mean, 2)} ms | ${fmt(r.answer.p50, 2)} / ${fmt(r.answer.p99, 2)} / ${fmt(r.answer.mean, 2)} ms | ${fmt(r.estimatedShare * 100, 0)}% |`,
    );
  }
  return lines.join('\n');
}

/** Runs the index benchmark at each size; returns its table (progress goes to `log`). */
export async function benchIndex(sizes: readonly number[], log: (line: string) => void): Promise<string> {
  log(
    `passage index benchmark (node ${process.version}, ${cpus().length} CPUs, load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')}, ${benchQuestions(400).length} questions)`,
  );
  const rows: Row[] = [];
  for (const size of sizes) rows.push(await benchSize(size, log));
  return table(rows);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const sizes = args.map((a) => Number.parseInt(a, 10)).filter((n) => n > 0);
  const log = (line: string): void => {
    process.stderr.write(`${line}\n`);
  };
  process.stdout.write(`${await benchIndex(sizes.length ? sizes : [1000, 10000], log)}\n`);
}
