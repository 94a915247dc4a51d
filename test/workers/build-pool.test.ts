import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus.ts';
import type { Article } from '../../src/core/article.ts';
import { parseContent } from '../../src/core/content-cache.ts';
import { exportMarkdown } from '../../src/core/import/export-markdown.ts';
import { loadContentDir } from '../../src/core/load-content.ts';
import { buildFrozen } from '../../src/core/search/bulk-build.ts';
import type { FrozenData } from '../../src/core/search/frozen.ts';
import { BuildPool, buildWorkerCount } from '../../src/workers/build-pool.ts';

const dir = mkdtempSync(join(tmpdir(), 'briefing-build-pool-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const logger = pino({ level: 'silent' });
const pools: BuildPool[] = [];
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});
const pool = (workers = 2): BuildPool => {
  const p = new BuildPool({ workers, logger });
  pools.push(p);
  return p;
};

const corpus: Article[] = generateCorpus({ articles: 240, seed: 13 });
const plainData = (data: FrozenData) => ({
  docIds: data.docIds,
  terms: data.terms,
  lengths: [...data.lengths],
  ptr: [...data.ptr],
  docs: [...data.docs],
  tfs: [...data.tfs],
});
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

/** A content folder of `n` generated briefings. */
function contentFolder(name: string, n: number): string {
  const folder = join(dir, name);
  mkdirSync(folder, { recursive: true });
  for (const a of corpus.slice(0, n)) writeFileSync(join(folder, `${a.id}.md`), exportMarkdown(a));
  return folder;
}

describe('build workers', () => {
  it('parse a large content folder into the cache as the main thread would', async () => {
    const folder = contentFolder('parse', 100);
    const here = await loadContentDir(folder, { cacheDir: join(dir, 'parse-here'), cacheFingerprint: 't' });
    const there = await loadContentDir(folder, {
      cacheDir: join(dir, 'parse-there'),
      cacheFingerprint: 't',
      parseFiles: pool().parseFiles,
    });
    expect(there.cache?.parsed).toHaveLength(100);
    expect(there.entries.map((e) => plain(e.article))).toEqual(here.entries.map((e) => plain(e.article)));
    expect(there.entries.map((e) => e.warnings)).toEqual(here.entries.map((e) => e.warnings));
  });

  it('build the frozen arrays in parts that merge into exactly those of one build, from lazy and plain articles', async () => {
    const folder = contentFolder('build', 150);
    const cacheDir = join(dir, 'build-cache');
    await loadContentDir(folder, { cacheDir, cacheFingerprint: 't' });
    const lazy = (await loadContentDir(folder, { cacheDir, cacheFingerprint: 't' })).entries.map((e) => e.article);
    const articles = [...lazy, ...corpus.slice(150)];
    const built = await pool(3).build(articles);
    const here = await buildFrozen(articles);
    expect(plainData(built.data)).toEqual(plainData(here.data));
    expect(built.articles.map((b) => [b.article, b.hash, b.acronyms])).toEqual(here.articles.map((b) => [b.article, b.hash, b.acronyms]));
  });

  it('leave work to the main thread when their threads stop, and lose nothing', async () => {
    const logged: string[] = [];
    const p = new BuildPool({ workers: 2, logger: pino({ level: 'warn' }, { write: (line: string) => logged.push(line) }) });
    pools.push(p);
    const building = p.build(corpus);
    await p.stopThreads();
    expect(plainData((await building).data)).toEqual(plainData((await buildFrozen(corpus)).data));
    expect(logged.map((l) => JSON.parse(l).msg)).toEqual([
      'a build worker failed to index articles; indexing them here',
      'a build worker failed to index articles; indexing them here',
    ]);
    await p.close();
    const file = { name: 'x.md', bytes: Buffer.from(exportMarkdown(corpus[0] as Article)) };
    expect(await p.parseFiles([file])).toEqual([parseContent(file.name, file.bytes)]);
  });

  it('are one per core up to four, and none on a single core', () => {
    expect([1, 2, 3, 8].map((cores) => buildWorkerCount(cores))).toEqual([0, 2, 3, 4]);
    expect(() => new BuildPool({ workers: 0, logger })).toThrow('Build workers: expected a whole number of at least 1, got 0.');
  });
});
