import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  askThroughCommand,
  DEFAULT_QUESTIONS,
  evaluate,
  formatReport,
  questionFiles,
  REPOSITORY_QUESTIONS,
  rankOf,
  readQuestionSet,
} from '../src/eval.ts';
import { bundledLibrary } from './helpers/library.ts';

const EXTRA = fileURLToPath(new URL('./fixtures/eval/extra-questions.json', import.meta.url));
const excerpt = (text: string, passageText = text) => ({ text, passageText });

describe('eval', () => {
  it('ranks the first excerpt whose text or paragraph holds an expected phrase, ignoring case', () => {
    const excerpts = [excerpt('nothing here'), excerpt('short', 'the whole Paragraph about JAPAROV'), excerpt('Japarov again')];
    expect(rankOf(excerpts, ['japarov'])).toBe(2);
    expect(rankOf(excerpts, ['Wadephul', 'again'])).toBe(3);
    expect(rankOf(excerpts, ['absent'])).toBeUndefined();
  });

  it('computes recall@3 and MRR@5 and lists the misses', async () => {
    const set = {
      items: [
        { q: 'a', expect: ['x'] },
        { q: 'b', expect: ['y'] },
        { q: 'c', expect: ['z'] },
      ],
    };
    const answers: Record<string, string[]> = { a: ['x'], b: ['n', 'n', 'n', 'y'], c: ['n'] };
    const report = await evaluate(set, async (q) => (answers[q] ?? []).map((t) => excerpt(t)));
    expect(report.recallAt3).toBe(1);
    expect(report.mrrAt5).toBeCloseTo((1 + 1 / 4) / 3, 6);
    const printed = formatReport(report, 'set');
    expect(printed).toContain('set: recall@3 1/3, MRR@5 0.417');
    expect(printed).toContain('miss (rank 4): b');
    expect(printed).toContain('miss: c');
  });

  it('scores the shared set by default, the repository’s own when the shared one is not beside it, or the files named', () => {
    expect(questionFiles([], () => true)).toEqual([DEFAULT_QUESTIONS]);
    expect(questionFiles([], () => false)).toEqual([REPOSITORY_QUESTIONS]);
    expect(questionFiles(['a.json', 'b.json'], () => true)).toEqual(['a.json', 'b.json']);
    expect(REPOSITORY_QUESTIONS).toBe(EXTRA);
  });

  it('finds every question of the extra relevance set in the top three through /ask', async () => {
    const report = await evaluate(await readQuestionSet(EXTRA), askThroughCommand(await bundledLibrary()));
    expect(formatReport(report, 'extra')).toBe(
      `extra: recall@3 ${report.items.length}/${report.items.length}, MRR@5 ${report.mrrAt5.toFixed(3)}`,
    );
    expect(report.items.length).toBeGreaterThanOrEqual(20);
  });
});
