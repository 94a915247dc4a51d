import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.ts';
import { PassageIndex } from '../../../src/core/search/passage-index.ts';
import { stem } from '../../../src/core/search/stem.ts';
import { writtenNeighbours } from '../../../src/core/search/typos.ts';
import { bundled, indexOf } from './fixtures.ts';

/**
 * Questions where one word matches thousands of passages and another matches none, on a
 * compacted index (the frozen segment, with early stopping from a few hundred postings on).
 */
describe('a partly unknown question on a large compacted index', () => {
  const corpus = generateCorpus({ articles: 150, seed: 5 });
  const index = new PassageIndex({ pruneFrom: 200 });
  for (const a of corpus) index.addArticle(a);
  index.compact();

  it('answers from the common word when the other is in no passage', () => {
    const china = index.search('China', { limit: 5 });
    expect(china.total).toBeGreaterThan(500);
    const result = index.search('China xylophone', { limit: 5 });
    expect(result.unmatched).toEqual(['xylophone']);
    expect(result.hits.map((h) => h.id)).toEqual(china.hits.map((h) => h.id));
    expect(result.total).toBeGreaterThan(0);
  });

  it('answers a typo in the stemmed-off end of a name next to a common word, best matches first', () => {
    const result = index.search('China beijin', { limit: 5 });
    expect(result.unmatched).toBeUndefined();
    expect(result.hits.length).toBe(5);
    // Passages naming Beijing (indexed as `beij`) come before those that only say China.
    expect(result.hits[0]?.terms).toContain('beij');
    // Every passage that says Beijing (the name, without its alias `china`).
    expect(index.search('beijin', { limit: 1 }).total).toBe(index.search('beij', { limit: 1 }).total);
    expect(index.search('beij', { limit: 1 }).total).toBeGreaterThan(100);
  });
});

describe('words no passage holds', () => {
  const index = indexOf(bundled);
  const known = ['Japarov', 'China', 'railway', 'ASEAN', 'energy cooperation', 'Anwar Ibrahim', 'Central Asia', 'Taiwan'];
  const nonsense = fc
    .array(fc.constantFrom(...'qxzjvkw'), { minLength: 5, maxLength: 9 })
    .map((letters) => letters.join(''))
    .filter((w) => index.search(w).total === 0);

  it('leave the answer to the other words as it was, and are named', () => {
    fc.assert(
      fc.property(fc.constantFrom(...known), nonsense, fc.boolean(), (question, word, before) => {
        const plain = index.search(question, { limit: 10 });
        const mixed = index.search(before ? `${word} ${question}` : `${question} ${word}`, { limit: 10 });
        expect(mixed.unmatched).toEqual([word]);
        expect(mixed.total).toBe(plain.total);
        expect(mixed.hits.map((h) => [h.id, h.score])).toEqual(plain.hits.map((h) => [h.id, h.score]));
      }),
      { numRuns: 60 },
    );
  });
});

describe('a one-letter typo anywhere in a name', () => {
  const index = indexOf(bundled);
  const ids = (q: string) => index.search(q, { limit: 20 }).hits.map((h) => h.id);

  it.each([
    ['eijing', 'Beijing', 'first letter left out'],
    ['Peijing', 'Beijing', 'first letter wrong, typed stem too short for a typo search'],
    ['Beiijng', 'Beijing', 'letters swapped where the stemmer cuts'],
    ['Bijing', 'Beijing', 'letter left out early'],
    ['Gaungxi', 'Guangxi', 'letters swapped early'],
    ['Jpaarov', 'Japarov', 'letters swapped after the first'],
    ['Wdephul', 'Wadephul', 'letter left out'],
  ])('"%s" finds the passages naming %s (%s)', (typed, meant) => {
    const found = index.search(typed, { limit: 20 });
    expect(found.unmatched).toBeUndefined();
    const named = index.search(meant, { limit: 20 }).hits.filter((h) => h.terms.some((t) => t !== 'china'));
    expect(named.length).toBeGreaterThan(0);
    expect(ids(typed)).toEqual(expect.arrayContaining(named.filter((h) => h.kind === 'passage').map((h) => h.id)));
  });

  it('a typo of a four-letter word is not guessed at: "Chna" is named as not found', () => {
    expect(index.search('Chna Japarov').unmatched).toEqual(['Chna']);
  });
});

describe('writtenNeighbours', () => {
  it('stems the spellings one edit from the word as typed', () => {
    expect(writtenNeighbours('beijin').has('beij')).toBe(true);
    expect(writtenNeighbours('beijng').has('beij')).toBe(true);
    expect(writtenNeighbours('bejing').has('beij')).toBe(true);
    expect(writtenNeighbours('agreemnt').has(stem('agreement'))).toBe(true);
  });

  it('edits anywhere in the word, or only where the stemmer reaches when not `full`', () => {
    expect(writtenNeighbours('eijing').has('beij')).toBe(true);
    expect(writtenNeighbours('gaungxi').has('guangxi')).toBe(true);
    expect(writtenNeighbours('eijing', false).has('beij')).toBe(false);
    expect(writtenNeighbours('beijin', false).has('beij')).toBe(true);
  });

  it('leaves out the word’s own stem, and finds nothing for words the stemmer does not read', () => {
    expect(writtenNeighbours('beijin').has('beijin')).toBe(false);
    expect(writtenNeighbours('türkiye').size).toBe(0);
    expect(writtenNeighbours('2025').size).toBe(0);
  });
});
