import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.ts';
import { benchQuestions } from '../../../bench/lib/queries.ts';
import type { Article } from '../../../src/core/article.ts';
import { buildFrozen, mergeFrozen } from '../../../src/core/search/bulk-build.ts';
import type { FrozenData } from '../../../src/core/search/frozen.ts';
import { PassageIndex } from '../../../src/core/search/passage-index.ts';
import { bundled, indexOf, makeArticle } from './fixtures.ts';

const articles: Article[] = [bundled, ...generateCorpus({ articles: 60, seed: 9 })];

/** The frozen arrays an index gets by adding every article to MiniSearch and compacting. */
function throughMiniSearch(list: readonly Article[]): FrozenData {
  const index = indexOf(...list);
  index.compact();
  return index.frozen.data;
}

const plain = (data: FrozenData) => ({
  docIds: data.docIds,
  terms: data.terms,
  lengths: [...data.lengths],
  ptr: [...data.ptr],
  docs: [...data.docs],
  tfs: [...data.tfs],
});

describe('buildFrozen', () => {
  it('gives exactly the arrays that MiniSearch plus compaction gives', async () => {
    const { data, articles: built } = await buildFrozen(articles);
    expect(plain(data)).toEqual(plain(throughMiniSearch(articles)));
    expect(built.map((b) => b.article.id)).toEqual(articles.map((a) => a.id));
  });

  it('answers every question as an index built through MiniSearch and compacted does', async () => {
    const { data, articles: built } = await buildFrozen(articles);
    const bulk = PassageIndex.fromFrozen(data, built);
    const live = indexOf(...articles);
    live.compact();
    for (const q of ['What did Japarov call for?', 'TV BRICS', 'Zhaparov', ...benchQuestions(60, 3)]) {
      expect(bulk.search(q, { limit: 7 }), q).toEqual(live.search(q, { limit: 7 }));
    }
  });

  it('keeps the last version of an article given twice, in the place of the last', async () => {
    const first = makeArticle('twice', ['Old text about tunnels.']);
    const last = makeArticle('twice', ['New text about bridges.']);
    const other = makeArticle('other', ['Other text about ports.']);
    const { data, articles: built } = await buildFrozen([first, other, last]);
    expect(data.docIds).toEqual(['other#p1', 'other#a', 'twice#p1', 'twice#a']);
    expect(built.map((b) => b.article)).toEqual([other, last]);
    expect(data.terms).not.toContain('tunnel');
  });

  it('refuses a document id used twice, as MiniSearch does', async () => {
    const a = makeArticle('dup', ['One.', 'Two.']);
    const broken = { ...a, passages: a.passages.map((p) => ({ ...p, id: 'dup#p1' })) };
    await expect(buildFrozen([broken])).rejects.toThrow('MiniSearch: duplicate ID dup#p1');
  });
});

describe('mergeFrozen', () => {
  it('merges parts built over consecutive runs of articles into the arrays of one build', async () => {
    const whole = await buildFrozen(articles);
    const parts = [articles.slice(0, 7), articles.slice(7, 30), articles.slice(30)];
    const built = await Promise.all(parts.map((p) => buildFrozen(p)));
    const merged = mergeFrozen(built.map((b) => b.data));
    expect(plain(merged)).toEqual(plain(whole.data));
    expect(merged.docs.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(mergeFrozen([whole.data])).toBe(whole.data);
  });
});
