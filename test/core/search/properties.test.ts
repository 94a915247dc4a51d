import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { COMMON_LEXICON } from '../../../src/core/search/analyze.ts';
import { bestExcerpt } from '../../../src/core/search/excerpt.ts';
import { splitSentences } from '../../../src/core/search/sentences.ts';
import { tokenize } from '../../../src/core/search/text.ts';
import { indexOf, makeArticle } from './fixtures.ts';

const text = fc.oneof(
  fc.string({ maxLength: 300 }),
  fc
    .array(
      fc.constantFrom('U.S.', 'No. 3', '$234', '5.4%', '[1]', 'ASEAN', 'China’s', '“quote.”', 'İ', '. ', '! ', '\n', 'word', 'May', '19,'),
      {
        maxLength: 60,
      },
    )
    .map((parts) => parts.join(' ')),
);

describe('search text handling on arbitrary input', () => {
  it('tokens and sentences stay inside the text, in order', () => {
    fc.assert(
      fc.property(text, (t) => {
        let last = 0;
        for (const token of tokenize(t)) {
          expect(token.start).toBeGreaterThanOrEqual(last);
          expect(token.end).toBeLessThanOrEqual(t.length);
          last = token.end;
        }
        last = 0;
        for (const [s, e] of splitSentences(t)) {
          expect(s).toBeGreaterThanOrEqual(last);
          expect(e).toBeGreaterThan(s);
          expect(e).toBeLessThanOrEqual(t.length);
          last = e;
        }
      }),
      { numRuns: 300 },
    );
  });

  it('excerpts are slices of the passage with highlights inside them', () => {
    fc.assert(
      fc.property(text, fc.array(fc.constantFrom('us', 'china', 'asean', '234', '5.4', 'word', 'mai'), { maxLength: 4 }), (t, terms) => {
        const e = bestExcerpt(t, new Set(terms), COMMON_LEXICON);
        expect(t.slice(e.start, e.end)).toBe(e.text);
        for (const [s, end] of e.highlights) {
          expect(s).toBeGreaterThanOrEqual(0);
          expect(end).toBeLessThanOrEqual(e.text.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any question gets an answer or suggestions, never an error', () => {
    const index = indexOf(
      makeArticle('prop', ['The U.S. and ASEAN signed a $234 billion deal in May 2025.[1]', 'Growth was 5.4% in China’s first quarter.']),
    );
    fc.assert(
      fc.property(text, (q) => {
        const result = index.search(q, { limit: 3 });
        expect(result.hits.length).toBeLessThanOrEqual(3);
        expect(result.total).toBeGreaterThanOrEqual(result.hits.length);
      }),
      { numRuns: 300 },
    );
  });
});
