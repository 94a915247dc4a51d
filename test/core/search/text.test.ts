import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../../bench/corpus.ts';
import { normalizeWord, type Token, tokenize } from '../../../src/core/search/text.ts';

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

// The regex-based tokenizer that the hand-written scanner replaced, kept as the reference: the
// scanner must give exactly the same tokens for every input.
const TOKEN_RE = /\[\d{1,4}\]|(?:\p{Lu}\.){2,}|[$€£¥]?\d+(?:[.,]\d+)*%?(?![\p{L}\p{M}\p{N}])|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
const THOUSANDS = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const ASCII = /^[\x00-\x7f]*$/;
const UPPER_ACRONYM = /^(?=(?:[^\p{Lu}]*\p{Lu}){2})[\p{Lu}\d]+s?$/u;
const POSSESSIVE = /['’]s$/;

function referenceNormalizeWord(raw: string): string {
  let w = raw.replace(POSSESSIVE, '');
  if (ASCII.test(w)) w = w.toLowerCase();
  else w = w.replace(/ı/g, 'i').replace(/ß/g, 'ss').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return w.replace(/['’]/g, '');
}

function referenceNormalizeNumber(raw: string): string {
  let n = raw.replace(/^[$€£¥]/, '').replace(/%$/, '');
  if (THOUSANDS.test(n)) n = n.replace(/,/g, '');
  return n;
}

function referenceIsSentenceStart(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '"' || ch === '“' || ch === '‘' || ch === "'" || ch === '(') continue;
    return ch === '.' || ch === '!' || ch === '?' || ch === '\n' || ch === ':';
  }
  return true;
}

function referenceTokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const raw = m[0];
    const start = m.index;
    const first = raw.charCodeAt(0);
    if (first === 91 /* [ */) continue;
    const end = start + raw.length;
    const sentenceStart = referenceIsSentenceStart(text, start);
    if (raw.length > 2 && raw.endsWith('.') && /^(?:\p{Lu}\.)+$/u.test(raw)) {
      out.push({ norm: raw.replace(/\./g, '').toLowerCase(), start, end, kind: 'acronym', capitalized: true, sentenceStart });
      continue;
    }
    if ((first >= 48 && first <= 57) || first === 36 || first === 163 || first === 165 || first === 8364) {
      out.push({ norm: referenceNormalizeNumber(raw), start, end, kind: 'number', capitalized: false, sentenceStart });
      continue;
    }
    const second = raw.charCodeAt(1);
    const upper = raw.length >= 2 && !(second >= 97 && second <= 122) && UPPER_ACRONYM.test(raw);
    const capitalized = first >= 65 && first <= 90 ? true : first >= 97 && first <= 122 ? false : raw[0] !== raw[0]?.toLowerCase();
    out.push({ norm: referenceNormalizeWord(raw), start, end, kind: upper ? 'acronym' : 'word', capitalized, sentenceStart });
  }
  return out;
}

/** Characters where the scanner could part from the regex, digits and capitals weighted up. */
const TRICKY = [
  ...'0123456789012345',
  ...'abcxyzsABCUSZ',
  ...'.,.,%$€£¥[]',
  "'",
  '’',
  ' ',
  ' ',
  '\n',
  '\t',
  '“',
  '”',
  '‘',
  '"',
  '(',
  ')',
  ':',
  '!',
  '?',
  '-',
  'é',
  'É',
  'İ',
  'ı',
  'ß',
  '\u0301',
  'Ж',
  'ж',
  '中',
  '٣',
  '²',
  '𝐀',
  '𝐚',
  '😀',
  '\ud835',
  '\udc00',
];
/** Pieces that build the longer structures: multi-pair acronyms, footnotes, grouped numbers. */
const PIECES = ['U.', 'S.', 'É.', '𝐀.', '[1]', '[1234]', '[12345]', '1,234', '.5', ',000', '5%', "'s", '’s', 'China', 'ASEAN', '3rd'];
const tricky = fc.string({
  unit: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...TRICKY) }, fc.constantFrom(...PIECES)),
  maxLength: 40,
});

const sameAsReference = (text: string): void => {
  expect(tokenize(text)).toEqual(referenceTokenize(text));
};

describe('tokenize matches the regex tokenizer it replaced', () => {
  it('on the tricky cases of the regex', () => {
    const cases = [
      '1,234a',
      '1.2.3a',
      '5%a',
      '5%',
      '5.4%b',
      '$5',
      '$x',
      '$5a',
      '€1,000.50',
      '£3 ¥4',
      '3rd',
      '1’s',
      "it's2 o'",
      'U.S.',
      'U.S',
      'U.S.A.B',
      'É.Ü.',
      '𝐀.𝐁.',
      '[1] [9999] [12345] [] [a] [1',
      '٣ ٣a a٣',
      'x\u0301y',
      '𝐀𝐚😀b',
      '\ud835a\udc00',
      'China’s 2025',
    ];
    for (const c of cases) sameAsReference(c);
    const text = '1,234a 5%a U.S $x 3rd';
    expect(tokenize(text).map((t) => [text.slice(t.start, t.end), t.kind])).toEqual([
      ['1', 'number'],
      ['234a', 'number'],
      ['5', 'number'],
      ['a', 'word'],
      ['U', 'word'],
      ['S', 'word'],
      ['x', 'word'],
      ['3rd', 'number'],
    ]);
  });

  it('on random strings of tricky characters', () => {
    fc.assert(fc.property(tricky, sameAsReference), { numRuns: 5000 });
  });

  it('on arbitrary strings', () => {
    fc.assert(fc.property(fc.string({ maxLength: 80 }), sameAsReference), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 80 }), sameAsReference), { numRuns: 1000 });
    fc.assert(fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), sameAsReference), { numRuns: 500 });
  });

  it('on the bundled article', () => {
    const url = new URL('../../../content/china-counter-balancing-central-asia-southeast-asia.txt', import.meta.url);
    const lines = readFileSync(url, 'utf8').split('\n');
    for (const line of lines) sameAsReference(line);
  });

  it('on generated corpus passages', () => {
    const passages = generateCorpus({ articles: 40, seed: 3 }).flatMap((a) => a.passages.map((p) => p.text));
    expect(passages.length).toBeGreaterThan(300);
    for (const p of passages) sameAsReference(p);
  });
});
