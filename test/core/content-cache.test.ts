import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus.ts';
import type { Article } from '../../src/core/article.ts';
import { exportMarkdown } from '../../src/core/import/export-markdown.ts';
import { storedArticle } from '../../src/core/lazy-article.ts';
import { Library } from '../../src/core/library.ts';
import { loadContentDir } from '../../src/core/load-content.ts';
import { articleHash } from '../../src/core/search/article-hash.ts';
import { PassageIndex } from '../../src/core/search/passage-index.ts';
import { BUNDLED, FIXTURES } from './import/helpers.ts';

/** The names, sizes and modification times of a folder's files. */
async function snapshotOf(dir: string): Promise<string[]> {
  const names = (await readdir(dir)).sort();
  return Promise.all(names.map(async (n) => `${n} ${(await stat(join(dir, n))).size} ${(await stat(join(dir, n))).mtimeMs}`));
}

/** An article as plain data (a lazy one read in full). */
const plain = (article: Article): unknown => JSON.parse(JSON.stringify(article));

describe('the content cache', () => {
  let root: string;
  let content: string;
  let cacheDir: string;
  const load = (fingerprint = 'code-v1') => loadContentDir(content, { cacheDir, cacheFingerprint: fingerprint });

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'content-cache-'));
    content = join(root, 'content');
    cacheDir = join(root, 'data', 'content-cache');
    await mkdir(content);
    await copyFile(BUNDLED, join(content, 'a-china.txt'));
    await copyFile(join(FIXTURES, 'second-briefing.md'), join(content, 'b-caucasus.md'));
    for (const [i, article] of generateCorpus({ articles: 4, seed: 2 }).entries()) {
      await writeFile(join(content, `c-${i}.md`), exportMarkdown(article));
    }
    await writeFile(join(content, 'd-empty.txt'), '\n\n');
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('parses every file on the first load, then none on a restart, with the same articles', async () => {
    const first = await load();
    expect(first.cache).toMatchObject({ reused: 0, saved: true });
    expect(first.cache?.parsed).toHaveLength(7);
    const again = await load();
    expect(again.cache).toMatchObject({ reused: 7, parsed: [], saved: false });
    expect(again.entries.map((e) => e.file)).toEqual(first.entries.map((e) => e.file));
    expect(again.entries.map((e) => plain(e.article))).toEqual(first.entries.map((e) => plain(e.article)));
    const fresh = await loadContentDir(content);
    expect(again.entries.map((e) => plain(e.article))).toEqual(fresh.entries.map((e) => plain(e.article)));
    expect(again.entries.map((e) => e.warnings)).toEqual(fresh.entries.map((e) => e.warnings));
    // A file that does not import is remembered as such, not parsed again.
    expect(again.problems).toEqual(fresh.problems);
    expect(again.problems.map((p) => p.errors[0]?.code)).toEqual(['empty']);
  });

  it('reads a content file changed between restarts again, and no other', async () => {
    await load();
    const changedFile = join(content, 'b-caucasus.md');
    const text = await readFile(changedFile, 'utf8');
    await writeFile(changedFile, text.replace('Since 2022, the European Union', 'Since 2021, the European Union'));
    const next = await load();
    expect(next.cache).toMatchObject({ reused: 6, parsed: [changedFile], saved: true });
    const changed = next.entries.find((e) => e.file === changedFile)?.article;
    expect(changed?.passages[0]?.text).toMatch(/^Since 2021, the European Union/);
    const after = await load();
    expect(after.cache).toMatchObject({ reused: 7, parsed: [] });
    expect(after.entries.find((e) => e.file === changedFile)?.article.passages[0]?.text).toMatch(/^Since 2021/);
  });

  it('does not even read the files it knows unchanged by their stamp, and reads one written since', async () => {
    // As on a restart a minute later: the files were written well before this load started.
    const later = () => Date.now() + 60_000;
    const first = await loadContentDir(content, { cacheDir, cacheFingerprint: 'code-v1', now: later });
    expect(first.cache).toMatchObject({ read: 7, reused: 0 });
    const again = await loadContentDir(content, { cacheDir, cacheFingerprint: 'code-v1', now: later });
    expect(again.cache).toMatchObject({ read: 0, reused: 7, parsed: [], saved: false });
    expect(again.entries.map((e) => plain(e.article))).toEqual(first.entries.map((e) => plain(e.article)));
    // Same size and modification time as before, other bytes: its change time gives it away.
    const file = join(content, 'c-1.md');
    const before = await stat(file);
    const text = await readFile(file, 'utf8');
    const swapped = text.replace(/Analysis/, 'Analyzes');
    expect(swapped).not.toBe(text);
    expect(Buffer.byteLength(swapped)).toBe(before.size);
    await writeFile(file, swapped);
    await utimes(file, before.atime, before.mtime);
    const next = await loadContentDir(content, { cacheDir, cacheFingerprint: 'code-v1', now: later });
    expect(next.cache).toMatchObject({ read: 1, reused: 6, parsed: [file] });
    expect(next.entries.find((e) => e.file === file)?.article.kicker).toBe('Analyzes');
  });

  it('is discarded when the code that parses articles changes', async () => {
    await load('code-v1');
    const next = await load('code-v2');
    expect(next.cache).toMatchObject({ discarded: 'options-changed', reused: 0, saved: true });
    expect(next.cache?.parsed).toHaveLength(7);
    expect((await load('code-v2')).cache).toMatchObject({ reused: 7, parsed: [] });
    // The old code's cache is gone: going back parses everything again.
    expect((await load('code-v1')).cache?.parsed).toHaveLength(7);
  });

  it('read only (doctor beside a running bot): uses what is cached, parses what is not, and changes nothing on disk', async () => {
    await load();
    const changedFile = join(content, 'b-caucasus.md');
    await writeFile(changedFile, (await readFile(changedFile, 'utf8')).replace('Since 2022', 'Since 2021'));
    const before = await snapshotOf(cacheDir);
    const readOnly = await loadContentDir(content, { cacheDir, cacheFingerprint: 'code-v1', cacheReadOnly: true });
    expect(readOnly.cache).toMatchObject({ reused: 6, parsed: [changedFile], saved: false });
    expect(readOnly.entries.find((e) => e.file === changedFile)?.article.passages[0]?.text).toMatch(/^Since 2021/);
    expect(readOnly.entries.map((e) => plain(e.article))).toEqual((await loadContentDir(content)).entries.map((e) => plain(e.article)));
    expect(await snapshotOf(cacheDir)).toEqual(before);
    // With another code fingerprint the cache is not discarded either.
    await loadContentDir(content, { cacheDir, cacheFingerprint: 'code-v2', cacheReadOnly: true });
    expect(await snapshotOf(cacheDir)).toEqual(before);
    expect((await load()).cache).toMatchObject({ parsed: [changedFile] });
  });

  it('sets an unreadable cache aside and parses the folder', async () => {
    await load();
    await writeFile(join(cacheDir, 'index.json'), '{"format": 1, "entr');
    const next = await load();
    expect(next.cache).toMatchObject({ discarded: 'unreadable', reused: 0, saved: true });
    expect(next.entries).toHaveLength(6);
    expect((await load()).cache).toMatchObject({ reused: 7 });
  });

  it('gives lazy articles that read their text on first use and fit the index and library as parsed ones do', async () => {
    await load();
    const { entries } = await load();
    const article = entries[0]?.article as Article;
    expect(storedArticle(article)).toBeDefined();
    const parsed = (await loadContentDir(content)).entries[0]?.article as Article;
    expect(articleHash(article)).toBe(articleHash(parsed));
    expect(Object.keys(article).sort()).toEqual(Object.keys(parsed).sort());
    const library = new Library(new PassageIndex());
    for (const e of entries) library.add(e.article, { addedAt: e.mtime, origin: 'content' });
    const hit = library.search('What did Japarov call for?').hits[0];
    expect(hit?.articleId).toBe(parsed.id);
    expect(library.passage(hit?.id as string)?.text).toBe(parsed.passages.find((p) => p.id === hit?.id)?.text);
    expect(library.passage(`${parsed.id}#p999`)).toBeUndefined();
  });

  it('merges body files when restarts pile them up, and articles from before stay readable', async () => {
    await load();
    const early = (await load()).entries;
    const file = join(content, 'c-0.md');
    const text = await readFile(file, 'utf8');
    for (let i = 0; i < 10; i++) {
      await writeFile(file, `${text.trimEnd()}\n\nEdit number ${i} of this briefing.\n`);
      const { cache } = await load();
      expect(cache?.parsed).toEqual([file]);
    }
    const bodies = (await readdir(cacheDir)).filter((n) => n.startsWith('bodies-'));
    expect(bodies.length).toBeLessThanOrEqual(8);
    const last = await load();
    expect(last.cache).toMatchObject({ reused: 7, parsed: [] });
    expect(last.entries.find((e) => e.file === file)?.article.passages.at(-1)?.text).toBe('Edit number 9 of this briefing.');
    // Articles handed out before the merges still read their (old) bodies.
    expect(early.map((e) => e.article.passages.length)).toEqual(
      last.entries.map((e) => e.article.passages.length - (e.file === file ? 1 : 0)),
    );
  });

  it('still loads everything when the cache cannot be written, and says so', async () => {
    await writeFile(join(root, 'data'), 'a file where the data folder should be');
    const result = await load();
    expect(result.entries).toHaveLength(6);
    expect(result.cache?.saveError?.message).toMatch(/ENOTDIR|EEXIST/);
    expect(storedArticle(result.entries[0]?.article as Article)).toBeUndefined();
    expect(result.entries[0]?.article.passages.length).toBeGreaterThan(0);
  });
});
