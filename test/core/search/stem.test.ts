import { describe, expect, it } from 'vitest';
import { stem } from '../../../src/core/search/stem.ts';

describe('stem', () => {
  it('reduces the classic Porter examples to their published stems', () => {
    const cases: Record<string, string> = {
      caresses: 'caress',
      ponies: 'poni',
      cats: 'cat',
      agreed: 'agre',
      plastered: 'plaster',
      motoring: 'motor',
      hopping: 'hop',
      falling: 'fall',
      filing: 'file',
      happy: 'happi',
      relational: 'relat',
      conditional: 'condit',
      rational: 'ration',
      digitizer: 'digit',
      generalizations: 'gener',
      oscillators: 'oscil',
      transportation: 'transport',
      connection: 'connect',
      connections: 'connect',
      connecting: 'connect',
      hopeful: 'hope',
      goodness: 'good',
      adjustment: 'adjust',
      controlling: 'control',
    };
    for (const [word, expected] of Object.entries(cases)) expect(stem(word), word).toBe(expected);
  });

  it('conflates the forms a question and a briefing use for the same idea', () => {
    expect(stem('founded')).toBe(stem('founding'));
    expect(stem('announce')).toBe(stem('announcement'));
    expect(stem('relations')).toBe(stem('relation'));
    expect(stem('dollarization')).toBe(stem('dollar'));
  });

  it('leaves short words, numbers and non-Latin words unchanged', () => {
    expect(stem('us')).toBe('us');
    expect(stem('2025')).toBe('2025');
    expect(stem('5.4')).toBe('5.4');
    expect(stem('россия')).toBe('россия');
  });

  it('is idempotent enough that stemming a stem of a name keeps it', () => {
    for (const name of ['japarov', 'bishkek', 'wadephul', 'asean', 'guangxi']) expect(stem(stem(name))).toBe(stem(name));
  });
});
