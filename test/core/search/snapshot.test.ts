import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.ts';
import { benchQuestions } from '../../../bench/lib/queries.ts';
import type { Article } from '../../../src/core/article.ts';
import { Library } from '../../../src/core/library.ts';
import { PassageIndex } from '../../../src/core/search/passage-index.ts';
import { contentHash, loadOrBuild, loadSnapshot, saveSnapshot } from '../../../src/core/search/snapshot.ts';
import { bundled, indexOf, makeArticle, pid, topIds } from './fixtures.ts';

const dir = mkdtempSync(join(tmpdir(), 'briefing-snapshot-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const articles: Article[] = [bundled, ...generateCorpus({ articles: 40, seed: 3 })];
const questions = ['What did Japarov call for?', 'TV BRICS', 'Zhaparov', ...benchQuestions(40, 5)];
/** Results with scores rounded: a rebuilt index sums field lengths in another order. */
const answers = (index: PassageIndex) =>
  questions.map((q) => {
    const r = index.search(q, { limit: 5 });
    return { total: r.total, terms: r.terms, hits: r.hits.map((h) => [h.id, h.score.toFixed(9), h.terms]) };
  });

describe('index snapshots', () => {
  it('builds and saves when there is no snapshot, then loads it with identical answers', async () => {
    const path = join(dir, 'round-trip.bin');
    const built = await loadOrBuild({ articles, snapshotPath: path });
    expect(built).toMatchObject({ from: 'built', reason: 'missing' });
    const loaded = await PassageIndex.loadOrBuild({ articles, snapshotPath: path });
    expect(loaded.from).toBe('snapshot');
    expect(loaded.index.documentCount).toBe(built.index.documentCount);
    expect(answers(loaded.index)).toEqual(answers(built.index));
    expect(answers(loaded.index)).toEqual(answers(indexOf(...articles)));
  });

  it('adds an article changed since the snapshot on top of it, the rest read from the snapshot', async () => {
    const path = join(dir, 'changed.bin');
    await loadOrBuild({ articles, snapshotPath: path });
    const changed = [makeArticle(bundled.id, ['Japarov now talks about the Osh tunnel.']), ...articles.slice(1)];
    expect(contentHash(changed)).not.toBe(contentHash(articles));
    // A share large enough for one changed article in this small library (the default is 2%).
    const result = await loadOrBuild({ articles: changed, snapshotPath: path, refreshShare: 0.5 });
    const bundledDocs = bundled.passages.length + bundled.keyPoints.length + 1;
    expect(result).toMatchObject({ from: 'snapshot', added: 1, dropped: bundledDocs, saved: false });
    expect(result.index.documentCount).toBe(changed.reduce((n, a) => n + a.passages.length + a.keyPoints.length + 1, 0));
    expect(topIds(result.index, 'Osh tunnel', 1)).toEqual([`${bundled.id}#p1`]);
    expect(result.index.search('Bishkek Zhaparov').hits.filter((h) => h.articleId === bundled.id)).toEqual([]);
    // The other articles answer about as a fresh build would: the tombstoned documents still
    // count in term statistics until the snapshot is rewritten, which can swap near ties.
    const others = benchQuestions(40, 5);
    const fromOthers = (index: PassageIndex) =>
      others.flatMap((q, i) =>
        index
          .search(q, { limit: 5 })
          .hits.filter((h) => h.articleId !== bundled.id)
          .map((h) => `${i} ${h.id}`),
      );
    const loaded = fromOthers(result.index);
    const fresh = new Set(fromOthers(indexOf(...changed)));
    expect(loaded.length).toBeGreaterThan(40);
    expect(loaded.filter((hit) => fresh.has(hit)).length / loaded.length).toBeGreaterThan(0.9);
  });

  it('rewrites the snapshot once the changes since it pass the refresh share, and then needs nothing added', async () => {
    const path = join(dir, 'refresh.bin');
    await loadOrBuild({ articles, snapshotPath: path });
    const changed = [makeArticle(bundled.id, ['Japarov now talks about the Osh tunnel.']), ...articles.slice(1, -1)];
    const small = await loadOrBuild({ articles: changed, snapshotPath: path, refreshShare: 0.5 });
    expect(small).toMatchObject({ from: 'snapshot', added: 1, saved: false });
    const refreshed = await loadOrBuild({ articles: changed, snapshotPath: path, refreshShare: 0 });
    expect(refreshed).toMatchObject({ from: 'snapshot', added: 1, saved: true });
    expect(refreshed.index.isCompact).toBe(true);
    const again = await loadOrBuild({ articles: changed, snapshotPath: path });
    expect(again).toMatchObject({ from: 'snapshot', added: 0, dropped: 0, saved: false });
    expect(answers(again.index)).toEqual(answers(refreshed.index));
    expect(topIds(again.index, 'Osh tunnel', 1)).toEqual([`${bundled.id}#p1`]);
  });

  it('rebuilds when the snapshot was made with other index options', async () => {
    const path = join(dir, 'options.bin');
    await saveSnapshot(indexOf(...articles), path);
    const bytes = readFileSync(path);
    const text = bytes.toString('latin1');
    const at = text.indexOf('"optionsHash":"') + '"optionsHash":"'.length;
    bytes.write('0000000000', at, 'latin1');
    writeFileSync(path, bytes);
    expect(await loadSnapshot(path, articles)).toEqual({ miss: 'options-changed' });
    expect(await loadOrBuild({ articles, snapshotPath: path })).toMatchObject({ from: 'built', reason: 'options-changed' });
  });

  it('rebuilds over a file that is not a snapshot', async () => {
    const path = join(dir, 'garbage.bin');
    writeFileSync(path, 'not an index at all');
    expect(await loadOrBuild({ articles, snapshotPath: path })).toMatchObject({ from: 'built', reason: 'unreadable' });
    expect((await loadOrBuild({ articles, snapshotPath: path })).from).toBe('snapshot');
  });

  it('serves a Library from a loaded snapshot and still adds and removes articles live', async () => {
    const path = join(dir, 'library.bin');
    await loadOrBuild({ articles, snapshotPath: path });
    const { index, from } = await loadOrBuild({ articles, snapshotPath: path });
    expect(from).toBe('snapshot');
    const library = new Library(index);
    for (const a of articles) library.add(a, { addedAt: '2025-01-01T00:00:00.000Z', origin: 'content' });
    expect(index.documentCount).toBe(articles.reduce((n, a) => n + a.passages.length + a.keyPoints.length + 1, 0));
    expect(topIds(index, 'What did Japarov call for in Bishkek?', 1)).toEqual([pid(12)]);
    library.remove(bundled.id);
    expect(index.search('Bishkek Zhaparov').hits.some((h) => h.articleId === bundled.id)).toBe(false);
    library.add(makeArticle('late', ['Kyrgyz officials opened the Osh tunnel.']), {
      addedAt: '2025-02-01T00:00:00.000Z',
      origin: 'registered',
    });
    expect(topIds(index, 'Kyrgyzstan tunnel', 1)).toEqual(['late#p1']);
  });
});
