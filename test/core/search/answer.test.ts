import { describe, expect, it } from 'vitest';
import { answerQuestion, topicSuggestions } from '../../../src/core/answer.ts';
import { articleFromFile, SECOND_FILE } from '../../helpers/library.ts';
import { bundled, libraryWith, pid } from './fixtures.ts';

const library = libraryWith(bundled);

describe('answerQuestion', () => {
  it('answers with the best excerpt, its footnotes and the resolved source', () => {
    const answer = answerQuestion(library, 'What did Japarov call for?');
    const [first] = answer.excerpts;
    expect(first?.passageId).toBe(pid(12));
    expect(first?.citations).toEqual([9]);
    expect(first?.passageText).toBe(bundled.passages[11]?.text);
    expect(first?.highlights.map(([s, t]) => first.text.slice(s, t))).toEqual(expect.arrayContaining(['Calling', 'Japarov']));
    expect(answer.sources[0]).toMatchObject({ articleId: bundled.id, n: 9, outlet: 'EADaily', accessed: '2025-05-23' });
    expect(answer.terms).toEqual(['japarov', 'call']);
    expect(answer.suggestions).toEqual([]);
  });

  it('lists each cited source once, in the order the excerpts cite them', () => {
    const answer = answerQuestion(library, 'TV BRICS');
    expect(answer.excerpts.map((e) => e.citations)).toEqual([[6], [7]]);
    expect(answer.sources.map((s) => [s.n, s.outlet])).toEqual([
      [6, 'TV BRICS'],
      [7, 'TV BRICS'],
    ]);
  });

  it('labels scenario passages and key points', () => {
    const scenario = answerQuestion(library, 'What is the first scenario?').excerpts[0];
    expect(scenario?.label).toBe('First scenario: ASEAN');
    const keyPoint = answerQuestion(library, 'American influence').excerpts.find((e) => e.passageId.includes('#k'));
    expect(keyPoint?.label).toBe('Key point');
    expect(keyPoint?.citations).toEqual([]);
  });

  it('pages without repeating excerpts', () => {
    const first = answerQuestion(library, 'Central Asia', { perPage: 2, page: 1 });
    const second = answerQuestion(library, 'Central Asia', { perPage: 2, page: 2 });
    expect(first.excerpts).toHaveLength(2);
    expect(second.total).toBe(first.total);
    const ids = [...first.excerpts, ...second.excerpts].map((e) => e.passageId);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives no excerpts but suggestions for a question of stop words only', () => {
    const answer = answerQuestion(library, 'what is it?');
    expect(answer).toMatchObject({ excerpts: [], sources: [], total: 0, terms: [] });
    expect(answer.suggestions.length).toBeGreaterThan(0);
  });

  it('gives no noise for nonsense, and suggests topics of the briefing', () => {
    const answer = answerQuestion(library, 'xyzzy flurb');
    expect(answer.excerpts).toEqual([]);
    expect(answer.suggestions).toEqual(expect.arrayContaining(['Central Asia', 'Southeast Asia']));
  });

  it('answers a 5,000-character question and reports that it was capped', () => {
    const filler = Array.from({ length: 800 }, (_, i) => `w${i}x`).join(' ');
    const question = `What did Japarov call for in Bishkek? ${filler}`.slice(0, 5000);
    const answer = answerQuestion(library, question);
    expect(answer.capped).toBe(true);
    expect(answer.terms.length).toBeLessThanOrEqual(32);
  });

  it('searches one article when given its id', () => {
    const second = articleFromFile(SECOND_FILE);
    const both = libraryWith(bundled, second);
    const answer = answerQuestion(both, 'Central Asia', { articleId: second.id, perPage: 5 });
    expect(answer.excerpts.length).toBeGreaterThan(0);
    expect(answer.excerpts.every((e) => e.articleId === second.id)).toBe(true);
    expect(topicSuggestions(both, second.id).length).toBeGreaterThan(0);
  });
});
