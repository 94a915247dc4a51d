import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../bench/corpus.ts';
import { benchQuestions } from '../../bench/lib/queries.ts';
import { articleSchema } from '../../src/core/article.ts';

describe('generateCorpus', () => {
  const corpus = generateCorpus({ articles: 30, seed: 11 });

  it('is deterministic for a seed and differs between seeds', () => {
    expect(generateCorpus({ articles: 30, seed: 11 })).toEqual(corpus);
    expect(generateCorpus({ articles: 30, seed: 12 })[0]?.passages[0]?.text).not.toBe(corpus[0]?.passages[0]?.text);
  });

  it('produces valid articles of about twenty paragraphs with unique ids', () => {
    for (const a of corpus) {
      expect(articleSchema.safeParse(a).success, a.id).toBe(true);
      expect(a.passages.length).toBe(20);
      expect(a.keyPoints).toHaveLength(3);
      expect(a.scenarios.map((s) => s.ordinal)).toEqual([1, 2]);
    }
    expect(new Set(corpus.map((a) => a.id)).size).toBe(corpus.length);
  });

  it('cites only sources that exist, with a marker in the text for each citation', () => {
    for (const a of corpus) {
      const numbers = new Set(a.sources.map((s) => s.n));
      for (const p of a.passages) {
        for (const n of p.citations) {
          expect(numbers.has(n)).toBe(true);
          expect(p.text).toContain(`[${n}]`);
        }
      }
      for (const s of a.sources) expect(s.accessed).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
  });

  it('writes the names, places and figures briefings are full of', () => {
    const text = corpus.flatMap((a) => a.passages.map((p) => p.text)).join(' ');
    expect(text).toMatch(/\$\d+ (billion|million)/);
    expect(text).toMatch(/\d+\.\d%/);
    expect(text).toMatch(/\([A-Z]{2,5}\)/);
  });

  it('gives a fixed mix of 1-8 word questions', () => {
    const questions = benchQuestions(100);
    expect(benchQuestions(100)).toEqual(questions);
    for (const q of questions) {
      const words = q.split(/\s+/).length;
      expect(words).toBeGreaterThanOrEqual(1);
      expect(words).toBeLessThanOrEqual(16);
    }
  });
});
