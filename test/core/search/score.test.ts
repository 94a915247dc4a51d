import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.ts';
import { benchQuestions } from '../../../bench/lib/queries.ts';
import { answerQuestion } from '../../../src/core/answer.ts';
import type { Article } from '../../../src/core/article.ts';
import { Library } from '../../../src/core/library.ts';
import { FIELDS } from '../../../src/core/search/engine.ts';
import { PassageIndex } from '../../../src/core/search/passage-index.ts';
import { bundled, indexOf } from './fixtures.ts';

const corpus: Article[] = [bundled, ...generateCorpus({ articles: 240, seed: 11 })];
const questions = [
  'What did Japarov call for?',
  'China',
  'Central Asia railway',
  'xyzzy flurb',
  'American influence',
  ...benchQuestions(60, 21),
];

/** The same articles, scored in full (exact counts) and with early stops forced on every query. */
function pair(build: (index: PassageIndex) => void): { full: PassageIndex; pruned: PassageIndex } {
  const full = new PassageIndex({ pruneFrom: Number.POSITIVE_INFINITY });
  const pruned = new PassageIndex({ pruneFrom: 0 });
  build(full);
  build(pruned);
  return { full, pruned };
}

const compacted = pair((index) => {
  for (const a of corpus) index.addArticle(a);
  index.compact();
});

/** Hits as comparable rows: id, exact score, matched terms. */
const rows = (index: PassageIndex, q: string, limit: number, offset = 0) =>
  index.search(q, { limit, offset }).hits.map((h) => [h.id, h.score, h.terms, h.queryTerms]);

describe('scoring with early stops', () => {
  it('returns exactly the top hits of a full scoring, at every page size', () => {
    for (const q of questions) {
      for (const [limit, offset] of [
        [3, 0],
        [7, 0],
        [4, 3],
        [12, 0],
      ] as const) {
        expect(rows(compacted.pruned, q, limit, offset), `${q} (${limit}+${offset})`).toEqual(rows(compacted.full, q, limit, offset));
      }
    }
  });

  it('counts good matches exactly unless it says the count is estimated', () => {
    let estimated = 0;
    for (const q of questions) {
      const exact = compacted.full.search(q, { limit: 7 });
      const result = compacted.pruned.search(q, { limit: 7 });
      expect(exact.estimated).toBeUndefined();
      expect(result.total).toBeGreaterThanOrEqual(result.hits.length);
      if (!result.estimated) expect(result.total, q).toBe(exact.total);
      else {
        estimated++;
        expect(result.total, q).toBeGreaterThan(0);
        expect(Math.abs(result.total - exact.total), q).toBeLessThanOrEqual(Math.max(40, exact.total));
      }
    }
    expect(estimated).toBeGreaterThan(0);
  });

  it('keeps top hits exact with live articles and removals beside the frozen segment', () => {
    const mixed = pair((index) => {
      for (const a of corpus.slice(0, 180)) index.addArticle(a);
      index.compact();
      for (const a of corpus.slice(180)) index.addArticle(a);
      for (const a of corpus.slice(150, 200)) if (a.id !== bundled.id) index.removeArticle(a.id);
    });
    for (const q of questions) expect(rows(mixed.pruned, q, 7), q).toEqual(rows(mixed.full, q, 7));
  });

  it('scores one article from its own part of the lists only, with the same results', () => {
    const article = corpus[5] as Article;
    for (const q of questions.slice(0, 30)) {
      const filtered = compacted.pruned.search(q, { limit: 5, articleId: article.id });
      expect(filtered.hits.every((h) => h.articleId === article.id)).toBe(true);
      expect(filtered.hits.map((h) => [h.id, h.score])).toEqual(
        compacted.full.search(q, { limit: 5, articleId: article.id }).hits.map((h) => [h.id, h.score]),
      );
    }
  });

  it('passes an estimated count on to the answer', () => {
    const library = new Library(compacted.pruned);
    for (const a of corpus) library.add(a, { addedAt: '2025-01-01T00:00:00.000Z', origin: 'content' });
    const flagged = questions.map((q) => answerQuestion(library, q)).filter((a) => a.estimated);
    expect(flagged.length).toBeGreaterThan(0);
    for (const a of flagged) expect(a.total).toBeGreaterThanOrEqual(a.excerpts.length);
  });
});

/** Every one-edit spelling looked up, in the order near1 promises. */
function near1Reference(terms: ReadonlyMap<string, number>, term: string): [string, number][] {
  const out = new Map<string, number>();
  const probe = (candidate: string): void => {
    const ord = terms.get(candidate);
    if (candidate !== term && !out.has(candidate) && ord !== undefined) out.set(candidate, ord);
  };
  for (let i = 0; i <= term.length; i++) {
    const head = term.slice(0, i);
    const tail = term.slice(i);
    if (tail) probe(head + tail.slice(1));
    if (tail.length > 1) probe(head + (tail[1] as string) + (tail[0] as string) + tail.slice(2));
    for (const c of new Set(`abcdefghijklmnopqrstuvwxyz0123456789${term}`)) {
      probe(head + c + tail);
      if (tail) probe(head + c + tail.slice(1));
    }
  }
  return [...out];
}

describe('frozen segment lookups', () => {
  it('finds the same one-edit neighbours, in the same order, as looking every spelling up', () => {
    const frozen = compacted.full.frozen;
    const ords = new Map(frozen.terms.map((t, i) => [t, i]));
    const probes = [
      'japarov',
      'jaihankar',
      'xyzzy',
      'railwai',
      'chna',
      'centrl',
      'asean',
      'a',
      'kazakhstn',
      'b2b',
      ...frozen.terms.filter((_, i) => i % 97 === 0),
    ];
    for (const term of probes) {
      const mutated = term.length > 3 ? term.slice(0, 2) + term.slice(3) : `${term}x`;
      for (const t of [term, mutated]) expect(frozen.near1(t), t).toEqual(near1Reference(ords, t));
    }
  });

  it('bounds every score a list gives, whatever the average length', () => {
    const index = indexOf(...corpus.slice(0, 60));
    index.compact();
    const frozen = index.frozen;
    const K = 1.2;
    const B = 0.7;
    for (let term = 0; term < frozen.terms.length; term += 7) {
      for (let field = 0; field < FIELDS.length; field++) {
        const pairs = frozen.listFrontier(term, field);
        const lens = frozen.fieldLengths[field] as Uint16Array;
        for (const avg of [3, 17, 60]) {
          const kAvg = (K * B) / avg;
          const impact = (tf: number, len: number) => (tf * (K + 1)) / (tf + K * (1 - B) + kAvg * len);
          let bound = 0;
          for (let p = 0; p < pairs.length; p += 2) bound = Math.max(bound, impact(pairs[p] as number, pairs[p + 1] as number));
          for (let i = frozen.start(term, field); i < frozen.end(term, field); i++) {
            expect(impact(frozen.tfs[i] as number, lens[frozen.docs[i] as number] as number)).toBeLessThanOrEqual(bound);
          }
        }
      }
    }
  });
});
