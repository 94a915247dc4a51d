import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus.ts';
import { benchQuestions } from '../../bench/lib/queries.ts';
import type { Article } from '../../src/core/article.ts';
import { exportMarkdown } from '../../src/core/import/export-markdown.ts';
import { storedArticle } from '../../src/core/lazy-article.ts';
import { loadContentDir } from '../../src/core/load-content.ts';
import type { PassageIndex } from '../../src/core/search/passage-index.ts';
import { buildIndex, loadOrBuild } from '../../src/core/search/snapshot.ts';
import type { SearchResult } from '../../src/core/search/types.ts';
import { BuildPool } from '../../src/workers/build-pool.ts';
import { bundled, indexOf, makeArticle } from '../core/search/fixtures.ts';

/**
 * The first build a starting bot does (content cache, build workers, frozen arrays, snapshot)
 * must answer as the plain path does: every article added to MiniSearch one by one. Exactly as
 * MiniSearch then compacted (what a start did before the direct build), and with the same hits,
 * order and totals as MiniSearch never compacted, for exact, prefix and one-typo lookups,
 * before and after the same live additions, replacements and removals.
 */

const dir = mkdtempSync(join(tmpdir(), 'briefing-build-equivalence-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// More than the pool's PARALLEL_FROM (200), so the build is shared out to the workers.
const generated: Article[] = generateCorpus({ articles: 260, seed: 21 });

const questions = [
  ...benchQuestions(120, 5),
  // Exact words, prefixes of longer ones, and one-typo neighbours of known words.
  'What did Japarov call for?',
  'TV BRICS',
  'Japar',
  'Kyrgyz railw',
  'Japarv BRICS',
  'Kyrgyzstn',
  'infrastructure investmen',
  'xyzzy flurb',
];

/** Every answer an index gives to the questions, whole (hits with scores, totals, suggestions). */
function answers(index: PassageIndex, scopedTo: readonly string[]): unknown[] {
  const out: unknown[] = [];
  for (const q of questions) {
    out.push(index.search(q, { limit: 7 }));
    out.push(index.search(q, { limit: 3, offset: 2 }));
  }
  for (const articleId of scopedTo) for (const q of questions.slice(-8)) out.push(index.search(q, { limit: 5, articleId }));
  return out;
}

/** The same live changes, as registrations and edited content make them after the start. */
function changeLive(index: PassageIndex, articles: readonly Article[]): void {
  index.addArticle(makeArticle('late', ['Kyrgyz officials opened the railway to Osh after BRICS talks.'], { keyPoints: ['Osh railway'] }));
  const edited = articles[40] as Article;
  index.addArticle({
    ...edited,
    passages: edited.passages.map((p, i) => (i === 0 ? { ...p, text: `${p.text} Japarov welcomed the railway.` } : p)),
  });
  index.removeArticle((articles[7] as Article).id);
  index.removeArticle(bundled.id);
}

/** The search results without suggestions and scores (and totals, unless `totals`). */
function shape(results: unknown[], totals = true): unknown[] {
  return (results as SearchResult[]).map(({ suggestions: _, hits, total, ...rest }) => ({
    ...rest,
    ...(totals ? { total } : {}),
    hits: hits.map(({ score: _s, ...h }) => h),
  }));
}

/**
 * Answers of a compacted index beside those of one never compacted: the same hits in the same
 * order, scores equal but for rounding (field-length averages are summed in another order).
 * Suggestions differ: MiniSearch's live maps offer words two typos away, the frozen segment
 * one. After removals (`totals: false`), a tombstoned document still counts in the frozen
 * segment's term statistics until the next compaction, so scores move by a fraction of a
 * percent: totals may differ by a borderline document, and so may a hit whose score ties, within
 * that, with the one in its place.
 */
function expectSameAsLive(compacted: unknown[], live: unknown[], name: string, totals = true): void {
  if (!totals) {
    const [c, l] = [compacted as SearchResult[], live as SearchResult[]];
    expect(c.length, name).toBe(l.length);
    c.forEach((result, i) => {
      const other = l[i] as SearchResult;
      expect(result.hits.length, `${name} ${i}`).toBe(other.hits.length);
      result.hits.forEach((hit, j) => {
        const twin = other.hits[j] as SearchResult['hits'][number];
        if (hit.id === twin.id) expect({ ...hit, score: 0 }, `${name} ${i}`).toEqual({ ...twin, score: 0 });
        else expect(Math.abs(hit.score - twin.score), `${name} ${i}: ${hit.id} in place of ${twin.id}`).toBeLessThan(0.005 * twin.score);
      });
    });
    return;
  }
  expect(shape(compacted, totals), name).toEqual(shape(live, totals));
  const scores = (results: unknown[]) => (results as SearchResult[]).flatMap((r) => r.hits.map((h) => h.score));
  const [a, b] = [scores(compacted), scores(live)];
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++)
    expect(Math.abs((a[i] as number) - (b[i] as number)), name).toBeLessThan(1e-9 * Math.max(1, b[i] as number));
}

describe('the first build at start', () => {
  it('answers as articles added one by one to MiniSearch do, on workers and from the content cache', async () => {
    // A content folder as the bot reads it; the second load hands out lazy articles from the cache.
    const content = join(dir, 'content');
    mkdirSync(content);
    for (const a of generated) writeFileSync(join(content, `${a.id}.md`), exportMarkdown(a));
    const cacheDir = join(dir, 'data', 'content-cache');
    const parsed = (await loadContentDir(content, { cacheDir, cacheFingerprint: 't' })).entries.map((e) => e.article);
    const lazy = (await loadContentDir(content, { cacheDir, cacheFingerprint: 't' })).entries.map((e) => e.article);
    expect(lazy.every((a) => storedArticle(a) !== undefined)).toBe(true);
    const articles = [bundled, ...lazy];
    const scopedTo = [bundled.id, (parsed[3] as Article).id, (parsed[40] as Article).id];

    const incremental = indexOf(bundled, ...parsed);
    expect(incremental.isCompact).toBe(false);
    const compacted = indexOf(bundled, ...parsed);
    compacted.compact();
    const live = answers(incremental, scopedTo);
    const expected = answers(compacted, scopedTo);
    expectSameAsLive(expected, live, 'compacted');
    // The questions reach hits, prefix and typo variants, and suggestions.
    const results = expected.slice(0, questions.length * 2) as SearchResult[];
    expect(results.filter((r) => r.hits.length > 0).length).toBeGreaterThan(questions.length);
    expect(results.some((r) => r.hits.some((h) => h.terms.some((t) => !h.queryTerms.includes(t))))).toBe(true);
    expect(results.some((r) => r.hits.length === 0 && r.suggestions.length > 0)).toBe(true);

    const direct = await buildIndex(articles);
    const pool = new BuildPool({ workers: 2, logger: pino({ level: 'silent' }) });
    const snapshotPath = join(dir, 'data', 'index.snapshot');
    let parallel: PassageIndex;
    try {
      const built = await loadOrBuild({ articles, snapshotPath, build: pool.build });
      expect(built).toMatchObject({ from: 'built', saved: true });
      parallel = built.index;
    } finally {
      await pool.close();
    }
    const reloaded = await loadOrBuild({ articles, snapshotPath });
    expect(reloaded).toMatchObject({ from: 'snapshot', added: 0, dropped: 0 });

    const indexes = { direct, parallel, reloaded: reloaded.index };
    for (const [name, index] of Object.entries(indexes)) {
      expect(index.isCompact, name).toBe(true);
      expect(index.documentCount, name).toBe(incremental.documentCount);
      expect(index.articleIds.sort(), name).toEqual(incremental.articleIds.sort());
      expect(answers(index, scopedTo), name).toEqual(expected);
    }

    // MiniSearch stays the way in after the start: the same live changes give the same answers.
    changeLive(incremental, parsed);
    changeLive(compacted, parsed);
    const liveChanged = answers(incremental, scopedTo);
    const changed = answers(compacted, scopedTo);
    expect(shape(changed)).not.toEqual(shape(expected));
    expectSameAsLive(changed, liveChanged, 'compacted, changed', false);
    for (const [name, index] of Object.entries(indexes)) {
      changeLive(index, parsed);
      expect(index.documentCount, name).toBe(incremental.documentCount);
      expect(answers(index, scopedTo), name).toEqual(changed);
    }
  });
});
