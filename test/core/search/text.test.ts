import { describe, expect, it } from 'vitest';
import { normalizeWord, tokenize } from '../../../src/core/search/text.ts';

const norms = (text: string) => tokenize(text).map((t) => t.norm);

describe('tokenize', () => {
  it('keeps money, decimals, percentages and thousands as single number tokens', () => {
    const text = 'It reached $234 billion, version 3.0, growth of 5.4% and 1,000 trains in 26 hours.';
    const tokens = tokenize(text);
    const numbers = tokens.filter((t) => t.kind === 'number');
    expect(numbers.map((t) => t.norm)).toEqual(['234', '3.0', '5.4', '1000', '26']);
    expect(numbers.map((t) => text.slice(t.start, t.end))).toEqual(['$234', '3.0', '5.4%', '1,000', '26']);
  });

  it('skips footnote markers and reads dotted acronyms as one word', () => {
    expect(norms('against the U.S. influence.[1] Next')).toEqual(['against', 'the', 'us', 'influence', 'next']);
    expect(tokenize('the U.S. said')[1]?.kind).toBe('acronym');
  });

  it('drops possessives and diacritics and splits hyphenated words', () => {
    expect(norms('China’s Kyung-wha İnnovatsii Türkçe Hacı')).toEqual(['china', 'kyung', 'wha', 'innovatsii', 'turkce', 'haci']);
  });

  it('marks capitalised words, acronyms and sentence starts', () => {
    const tokens = tokenize('May talks. In May the ASEAN met');
    expect(tokens.map((t) => t.sentenceStart)).toEqual([true, false, true, false, false, false, false]);
    expect(tokens.map((t) => t.capitalized)).toEqual([true, false, true, true, false, true, false]);
    expect(tokens.map((t) => t.kind)).toEqual(['word', 'word', 'word', 'word', 'word', 'acronym', 'word']);
  });

  it('gives offsets that slice back to the original words', () => {
    const text = '“Central Asia-China” meeting held in Bishkek';
    for (const t of tokenize(text)) expect(normalizeWord(text.slice(t.start, t.end))).toBe(t.norm);
  });

  it('handles text in other scripts', () => {
    expect(norms('Центральная Азия важна')).toEqual(['центральная', 'азия', 'важна']);
  });
});
