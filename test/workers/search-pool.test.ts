import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus.ts';
import { benchQuestions } from '../../bench/lib/queries.ts';
import { answerQuestion, askQuestion } from '../../src/core/answer.ts';
import type { Article } from '../../src/core/article.ts';
import { exportMarkdown } from '../../src/core/import/export-markdown.ts';
import { Library } from '../../src/core/library.ts';
import { loadContentDir } from '../../src/core/load-content.ts';
import { PassageIndex } from '../../src/core/search/passage-index.ts';
import { loadOrBuild } from '../../src/core/search/snapshot.ts';
import { autoWorkerCount, SearchPool } from '../../src/workers/search-pool.ts';
import { articleFromFile, BUNDLED_FILE, SECOND_FILE } from '../helpers/library.ts';

const bundled = articleFromFile(BUNDLED_FILE);
const second = articleFromFile(SECOND_FILE);
const corpus: Article[] = generateCorpus({ articles: 60, seed: 5 });
const extra = JSON.parse(readFileSync(new URL('../fixtures/eval/extra-questions.json', import.meta.url), 'utf8')) as {
  items: { q: string }[];
};
const questions = [
  'What did Japarov call for?',
  'Central Asia railway',
  'American influence',
  'xyzzy flurb',
  ...extra.items.map((i) => i.q),
];

const dir = mkdtempSync(join(tmpdir(), 'briefing-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const logger = pino({ level: 'silent' });
const pools: SearchPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function libraryWith(index: PassageIndex, articles: readonly Article[]): Library {
  const library = new Library(index);
  for (const a of articles) library.add(a, { addedAt: '2025-05-23T12:00:00.000Z', origin: 'content' });
  return library;
}

async function started(library: Library, options: { restartDelayMs?: number } = {}): Promise<SearchPool> {
  const pool = SearchPool.start(library, { workers: 1, logger, ...options });
  pools.push(pool);
  await pool.ready();
  return pool;
}

const hitIds = (r: { hits: { id: string; score: number }[] }) => r.hits.map((h) => [h.id, h.score]);

describe('search workers', () => {
  it('answer every question exactly as the main thread does, from a snapshot on shared memory', async () => {
    const articles = [bundled, ...corpus];
    await loadOrBuild({ articles, snapshotPath: join(dir, 'index.snapshot') });
    const { index, from } = await loadOrBuild({ articles, snapshotPath: join(dir, 'index.snapshot') });
    expect(from).toBe('snapshot');
    expect(index.exportState().frozen.docs.buffer).toBeInstanceOf(SharedArrayBuffer);
    const library = libraryWith(index, articles);
    const pool = await started(library);
    for (const q of questions) {
      const here = library.search(q, { limit: 7 });
      expect(await library.searchAsync(q, { limit: 7 }), q).toEqual(here);
      expect(await askQuestion(library, q), q).toEqual(answerQuestion(library, q));
    }
    expect(pool.stats).toMatchObject({ workers: 1, ready: 1, onWorkers: questions.length * 2, onMainThread: 0 });
  });

  it('get lazily loaded articles in their stored form, read only what they need, and answer the same', async () => {
    const content = join(dir, 'lazy-content');
    mkdirSync(content, { recursive: true });
    for (const a of corpus.slice(0, 30)) writeFileSync(join(content, `${a.id}.md`), exportMarkdown(a));
    const cacheDir = join(dir, 'lazy-cache');
    await loadContentDir(content, { cacheDir, cacheFingerprint: 'test' });
    const { entries, cache } = await loadContentDir(content, { cacheDir, cacheFingerprint: 'test' });
    expect(cache).toMatchObject({ reused: 30, parsed: [] });
    const articles = entries.map((e) => e.article);
    const { index } = await loadOrBuild({ articles, snapshotPath: join(dir, 'lazy.snapshot') });
    const state = index.exportState();
    expect(state.frozenArticles).toHaveLength(30);
    expect(state.frozenArticles.every((e) => 'stored' in e && !('article' in e))).toBe(true);
    const library = libraryWith(index, articles);
    await started(library);
    for (const q of [...questions, ...benchQuestions(30, 8)]) {
      expect(await library.searchAsync(q, { limit: 7 }), q).toEqual(library.search(q, { limit: 7 }));
    }
  });

  it('see articles added, replaced and removed before any later search', async () => {
    // Built in memory (not from a snapshot): the pool puts a copy of the frozen arrays on shared memory.
    const index = new PassageIndex();
    for (const a of [bundled, ...corpus]) index.addArticle(a);
    index.compact();
    const library = libraryWith(index, [bundled, ...corpus]);
    await started(library);
    const word = 'Japarov';
    expect((await library.searchAsync('zorbulite quaxium')).total).toBe(0);

    library.add(second, { addedAt: '2025-06-01T00:00:00.000Z', origin: 'registered' });
    const found = await library.searchAsync(second.keyPoints[0] ?? second.title, { limit: 3 });
    expect(found.hits[0]?.articleId).toBe(second.id);
    expect(hitIds(found)).toEqual(hitIds(library.search(second.keyPoints[0] ?? second.title, { limit: 3 })));

    const revised: Article = {
      ...second,
      passages: second.passages.map((p, i) => (i === 0 ? { ...p, text: `${p.text} The zorbulite quaxium opened.` } : p)),
    };
    library.add(revised, { addedAt: '2025-06-02T00:00:00.000Z', origin: 'registered' });
    const revisedHits = await library.searchAsync('zorbulite quaxium');
    expect(revisedHits.hits[0]?.articleId).toBe(second.id);

    library.remove(second.id);
    expect((await library.searchAsync('zorbulite quaxium')).total).toBe(0);
    library.remove(bundled.id);
    expect((await library.searchAsync(word)).hits.some((h) => h.articleId === bundled.id)).toBe(false);
  });

  it('finish searches on the main thread when a worker dies, and restart it', async () => {
    const library = libraryWith(new PassageIndex(), [bundled, ...corpus]);
    const pool = await started(library, { restartDelayMs: 20 });
    const [thread] = pool.threads;
    const pending = Array.from({ length: 20 }, () => library.searchAsync('Central Asia railway', { limit: 3 }));
    await thread?.terminate();
    const expected = hitIds(library.search('Central Asia railway', { limit: 3 }));
    for (const r of await Promise.all(pending)) expect(hitIds(r)).toEqual(expected);

    await expect.poll(() => pool.stats.restarts, { timeout: 10_000 }).toBe(1);
    await pool.ready();
    expect(pool.threads[0]).not.toBe(thread);
    const before = pool.stats.onWorkers;
    expect(hitIds(await library.searchAsync('Central Asia railway', { limit: 3 }))).toEqual(expected);
    expect(pool.stats.onWorkers).toBe(before + 1);
  });

  it('restart after another process merged away the cache files their articles were read from', async () => {
    const content = join(dir, 'merged-content');
    mkdirSync(content, { recursive: true });
    for (const a of corpus.slice(0, 12)) writeFileSync(join(content, `${a.id}.md`), exportMarkdown(a));
    const cacheDir = join(dir, 'merged-cache');
    await loadContentDir(content, { cacheDir, cacheFingerprint: 'test' });
    const { entries } = await loadContentDir(content, { cacheDir, cacheFingerprint: 'test' });
    const articles = entries.map((e) => e.article);
    const { index } = await loadOrBuild({ articles, snapshotPath: join(dir, 'merged.snapshot') });
    const library = libraryWith(index, articles);
    const pool = await started(library, { restartDelayMs: 20 });
    // A CLI run that changed the content merged the body files into a new one and deleted these;
    // this process still reads its articles through the files it keeps open.
    for (const name of readdirSync(cacheDir)) if (name.startsWith('bodies-')) unlinkSync(join(cacheDir, name));
    await pool.threads[0]?.terminate();
    await expect.poll(() => pool.stats.restarts, { timeout: 10_000 }).toBe(1);
    await pool.ready();
    const before = pool.stats.onWorkers;
    const asked = benchQuestions(8, 6);
    for (const q of asked) expect(await library.searchAsync(q, { limit: 7 }), q).toEqual(library.search(q, { limit: 7 }));
    expect(pool.stats.onWorkers).toBe(before + asked.length);
  });

  it('search on the main thread once closed, and detach from the library', async () => {
    const library = libraryWith(new PassageIndex(), [bundled]);
    const pool = await started(library);
    const inFlight = library.searchAsync('Japarov', { limit: 3 });
    await pool.close();
    expect(hitIds(await inFlight)).toEqual(hitIds(library.search('Japarov', { limit: 3 })));
    expect(pool.stats.ready).toBe(0);
    // Detached: a new pool can attach, and searches no longer go through the closed one.
    const before = pool.stats.onWorkers + pool.stats.onMainThread;
    await library.searchAsync('Japarov');
    expect(pool.stats.onWorkers + pool.stats.onMainThread).toBe(before);
    const again = await started(library);
    await library.searchAsync('Japarov');
    expect(again.stats.onWorkers).toBe(1);
  });

  it('refuse a second pool on one library and a bad worker count, naming the value', async () => {
    const library = libraryWith(new PassageIndex(), [bundled]);
    await started(library);
    expect(() => SearchPool.start(library, { workers: 1, logger })).toThrow(/already attached/);
    expect(() => SearchPool.start(libraryWith(new PassageIndex(), [bundled]), { workers: 0, logger })).toThrow(/at least 1, got 0/);
  });

  it('are started automatically only for large indexes on machines with a spare core', () => {
    expect(autoWorkerCount(5_000, 8)).toBe(0);
    expect(autoWorkerCount(230_000, 1)).toBe(0);
    expect(autoWorkerCount(230_000, 2)).toBe(1);
    expect(autoWorkerCount(230_000, 16)).toBe(4);
  });
});
