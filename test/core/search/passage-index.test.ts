import { describe, expect, it } from 'vitest';
import { PassageIndex } from '../../../src/core/search/passage-index.ts';
import { MAX_QUERY_TERMS } from '../../../src/core/search/query.ts';
import { articleFromFile, SECOND_FILE } from '../../helpers/library.ts';
import { bundled, indexOf, makeArticle, pid, topIds } from './fixtures.ts';

const index = indexOf(bundled);

describe('PassageIndex on the bundled briefing', () => {
  it('indexes every body passage and key point, and one document about the briefing', () => {
    expect(index.documentCount).toBe(bundled.passages.length + bundled.keyPoints.length + 1);
  });

  it('indexes and searches words that are names of Object properties', () => {
    const words = 'The constructor said toString, hasOwnProperty, valueOf and __proto__ mattered.';
    const own = indexOf(makeArticle('prototype-words', ['A first paragraph about ports.', words]));
    for (const q of ['constructor', 'toString', 'hasOwnProperty', 'valueOf', '__proto__']) {
      expect(own.search(q, { limit: 1 }).hits[0]?.id, q).toBe('prototype-words#p2');
    }
    // Not a word of the bundled briefing: at most its typo neighbour `construct` (as in "constructer").
    const hits = index.search('constructor', { limit: 50 }).hits;
    expect(hits.length).toBeGreaterThan(0);
    expect(new Set(hits.flatMap((h) => h.terms))).toEqual(new Set(['construct']));
  });

  it('finds the paragraph a question is about', () => {
    expect(topIds(index, 'What did Japarov call for?', 1)).toEqual([pid(12)]);
    expect(topIds(index, 'Who did Wang Yi meet on May 19, 2025?', 1)).toEqual([pid(5)]);
    expect(topIds(index, 'How much time does the new Guangxi freight service save?', 1)).toEqual([pid(9)]);
  });

  it('reaches a paragraph through the title and outlet of the sources it cites', () => {
    expect(topIds(index, 'Reuters', 1)).toEqual([pid(4)]);
    expect(topIds(index, 'Zhaparov', 1)).toEqual([pid(12)]);
    expect(new Set(topIds(index, 'TV BRICS', 2))).toEqual(new Set([pid(9), pid(10)]));
    expect(topIds(index, 'Xinhua', 1)).toEqual([pid(5)]);
  });

  it('tolerates a typo in a longer name', () => {
    expect(topIds(index, 'Japarv', 1)).toEqual([pid(12)]);
    expect(topIds(index, 'What did Anwar Ibrahm announce?', 1)).toEqual([pid(10)]);
  });

  it('lets the long form and the acronym the article defines reach each other', () => {
    // p9 only says "ASEAN"; p2 defines it.
    expect(topIds(index, 'Association of Southeast Asian Nations railway', 2)).toContain(pid(9));
    expect(topIds(index, 'Chinese Communist Party priorities', 1)).toEqual([pid(8)]);
    expect(topIds(index, 'United States semiconductor restrictions', 1)).toEqual([pid(6)]);
  });

  it('lets demonyms reach their country', () => {
    expect(topIds(index, 'Malaysia prime minister', 1)).toEqual([pid(10)]);
    expect(topIds(index, 'Kyrgyzstan prime minister', 1)).toEqual([pid(12)]);
    expect(topIds(index, 'Germany', 1)).toEqual([pid(5)]);
    const american = index.search('American influence', { limit: 3 }).hits;
    expect(american[0]?.terms).toContain('us');
  });

  it('finds nothing for a question made only of stop and question words', () => {
    const result = index.search('What is it and who did what?');
    expect(result).toMatchObject({ hits: [], total: 0, terms: [] });
  });

  it('returns no noise but suggestions for words it does not know', () => {
    const result = index.search('xyzzy Qiux');
    expect(result.hits).toEqual([]);
    expect(result.total).toBe(0);
    expect(result.suggestions).toContain('Qiu');
  });

  it('answers from the words it knows when one word is in no passage, and names that word', () => {
    const result = index.search('xyzzy China', { limit: 50 });
    expect(result.unmatched).toEqual(['xyzzy']);
    expect(result.total).toBe(index.search('China', { limit: 50 }).total);
    expect(result.hits.map((h) => h.id)).toEqual(index.search('China', { limit: 50 }).hits.map((h) => h.id));
    expect(result.terms).toEqual(['xyzzi', 'china']);
  });

  it('ranks the passages that match more of a partly unknown question first', () => {
    // p12 names both Japarov and China; every other China passage only one of the two.
    expect(topIds(index, 'Japarov China xylophone', 1)).toEqual([pid(12)]);
    expect(index.search('Japarov China xylophone').unmatched).toEqual(['xylophone']);
  });

  it('reports no unknown words when every word matches', () => {
    expect(index.search('Japarov China').unmatched).toBeUndefined();
  });

  it('tolerates a typo in the part of a word the stemmer cuts off (Beijing is indexed as beij)', () => {
    const beijing = new Set(topIds(index, 'Beijing', 20));
    for (const typo of ['beijin', 'Beijng', 'beijign', 'Bejing']) {
      const ids = topIds(index, typo, 20);
      expect(ids.length, typo).toBeGreaterThan(0);
      expect(
        ids.every((id) => beijing.has(id)),
        typo,
      ).toBe(true);
    }
    expect(index.search('beijin').hits[0]?.terms).toContain('beij');
  });

  it('caps a very long question to its most specific words and says so', () => {
    const words = Array.from({ length: 600 }, (_, i) => `word${i.toString(36)}`);
    const question = `What did Japarov call for? ${words.join(' ')}`.slice(0, 5000);
    const result = index.search(question);
    expect(result.capped).toBe(true);
    expect(result.terms).toHaveLength(MAX_QUERY_TERMS);
    expect(result.terms).toContain('japarov');
  });

  it('pages through good matches with limit and offset', () => {
    const all = index.search('Central Asia', { limit: 50 });
    const second = index.search('Central Asia', { limit: 2, offset: 2 });
    expect(all.total).toBeGreaterThan(4);
    expect(second.total).toBe(all.total);
    expect(second.hits.map((h) => h.id)).toEqual(all.hits.slice(2, 4).map((h) => h.id));
  });
});

describe('PassageIndex on hand-made articles', () => {
  const article = makeArticle('hand', [
    'The Shanghai Cooperation Organisation (SCO) met in Astana to discuss water.',
    'The SCO summit discussed railways and customs.',
    'Kyrgyz officials welcomed the railway through Osh.',
    'Malaysian exports of palm oil rose sharply.',
    'Officials in Washington and American diplomats responded with caution.',
  ]);
  const hand = indexOf(article);

  it('reaches a passage that only uses the acronym from the long form, and back', () => {
    expect(topIds(hand, 'Shanghai Cooperation Organisation', 5)).toContain('hand#p2');
    expect(topIds(hand, 'SCO water', 1)).toEqual(['hand#p1']);
  });

  it('reaches demonym passages from the country name and back', () => {
    expect(topIds(hand, 'Kyrgyzstan railway', 1)).toEqual(['hand#p3']);
    expect(topIds(hand, 'Malaysia exports', 1)).toEqual(['hand#p4']);
    expect(topIds(hand, 'What did the US diplomats say?', 1)).toEqual(['hand#p5']);
  });

  it('takes a word only other briefings hold as unknown when searching one article', () => {
    const both = indexOf(bundled, article);
    const result = both.search('Japarov railway', { articleId: 'hand', limit: 5 });
    expect(result.unmatched).toEqual(['Japarov']);
    expect(new Set(result.hits.map((h) => h.id))).toEqual(new Set(['hand#p2', 'hand#p3']));
  });

  it('searches one article when asked to', () => {
    const both = indexOf(bundled, article);
    const ids = topIds(both, 'railway', 10, 'hand');
    expect(ids.length).toBeGreaterThan(0);
    expect(ids.every((id) => id.startsWith('hand#'))).toBe(true);
    expect(topIds(both, 'railway', 10, bundled.id).every((id) => id.startsWith(`${bundled.id}#`))).toBe(true);
  });
});

describe('PassageIndex live updates', () => {
  it('adds and removes whole articles while searching', () => {
    const live = new PassageIndex();
    live.addArticle(bundled);
    const second = articleFromFile(SECOND_FILE);
    expect(live.search('Southern Gas Corridor').hits).toEqual([]);
    live.addArticle(second);
    expect(live.search('Southern Gas Corridor').hits[0]?.articleId).toBe(second.id);
    live.removeArticle(second.id);
    expect(live.search('Southern Gas Corridor').hits).toEqual([]);
    expect(topIds(live, 'Japarov', 1)).toEqual([pid(12)]);
    expect(live.documentCount).toBe(bundled.passages.length + bundled.keyPoints.length + 1);
  });

  it('replaces the documents of an article added again with changed text', () => {
    const live = indexOf(makeArticle('news', ['The pipeline to Ankara opened.']));
    live.addArticle(makeArticle('news', ['The railway to Tbilisi opened.']));
    expect(live.search('pipeline Ankara').hits).toEqual([]);
    expect(topIds(live, 'railway Tbilisi', 1)).toEqual(['news#p1']);
    expect(live.documentCount).toBe(2);
  });

  it('keeps answers and live updates working after compaction', () => {
    const live = indexOf(bundled, makeArticle('hand', ['Kyrgyz officials welcomed the railway through Osh.']));
    const before = ['What did Japarov call for?', 'TV BRICS', 'Kyrgyzstan railway'].map((q) => live.search(q, { limit: 5 }));
    live.compact();
    expect(live.isCompact).toBe(true);
    const after = ['What did Japarov call for?', 'TV BRICS', 'Kyrgyzstan railway'].map((q) => live.search(q, { limit: 5 }));
    expect(after).toEqual(before);
    live.removeArticle('hand');
    expect(live.search('Osh railway').hits.some((h) => h.articleId === 'hand')).toBe(false);
    live.addArticle(makeArticle('hand', ['Uzbek engineers finished the Osh tunnel.']));
    expect(topIds(live, 'Osh tunnel', 1)).toEqual(['hand#p1']);
    expect(live.documentCount).toBe(bundled.passages.length + bundled.keyPoints.length + 1 + 2);
  });
});
