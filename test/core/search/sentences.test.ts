import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { splitSentences } from '../../../src/core/search/sentences.ts';

const split = (text: string) => splitSentences(text).map(([s, e]) => text.slice(s, e));

describe('splitSentences', () => {
  it('splits at full stops followed by a capital', () => {
    expect(split('One thing. Two things! Three? Four')).toEqual(['One thing.', 'Two things!', 'Three?', 'Four']);
  });

  it('survives U.S., No. 3, Dr., money, decimals and percentages', () => {
    const text =
      'The U.S. Treasury and Dr. Kang met. It was No. 3 on the list of $234 billion deals, up 5.4% from version 3.0 last year. Done.';
    expect(split(text)).toEqual([
      'The U.S. Treasury and Dr. Kang met.',
      'It was No. 3 on the list of $234 billion deals, up 5.4% from version 3.0 last year.',
      'Done.',
    ]);
  });

  it('keeps a footnote marker and closing quote with the sentence they follow', () => {
    expect(split('against the influence of the US.[1] In this parallel, “win-win.” Then')).toEqual([
      'against the influence of the US.[1]',
      'In this parallel, “win-win.”',
      'Then',
    ]);
  });

  it('does not split before a lowercase word or inside initials', () => {
    expect(split('See p. 4 of the report by J. Smith. Next one.')).toEqual(['See p. 4 of the report by J. Smith.', 'Next one.']);
  });

  it('returns ranges that cover every sentence without surrounding spaces', () => {
    const text = '  First.   Second.  ';
    expect(splitSentences(text)).toEqual([
      [2, 8],
      [11, 18],
    ]);
  });

  it('splits exactly as the regex-and-slice version did, on tricky text', () => {
    const pieces = [
      '. ',
      '.',
      '! ',
      '? ',
      '… ',
      'U.S. ',
      'Dr. ',
      'No. 3 ',
      'J. Smith ',
      '[12] ',
      '.[3] ',
      '"',
      '” ',
      ')',
      '\n',
      '  ',
      'a',
      'B',
      'é',
      'É',
      'Ж',
      '中',
      '𝐀',
      '😀',
      '5.4%',
      'word',
      'Next',
      'etc. ',
      'e.g. ',
      'x.y.z',
      '\u00a0',
    ];
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 40 }), (parts) => {
        const text = parts.join('');
        expect(splitSentences(text)).toEqual(referenceSplit(text));
      }),
      { numRuns: 3000 },
    );
  });
});

/** splitSentences before the boundary check stopped slicing the rest of the text (the reference). */
const ABBREVIATIONS = new Set(
  'mr mrs ms dr prof st sr jr gen col lt sgt capt cmdr adm gov sen rep pres amb no nos vs etc al eg ie cf approx dept est fig inc ltd corp co jan feb mar apr jun jul aug sep sept oct nov dec mt ft op vol pp ed eds rev hon'.split(
    ' ',
  ),
);

/** End punctuation, then closing quotes/brackets and footnote markers that belong to the sentence. */
const END_RE = /[.!?…]+["”’')\]]*(?:\[\d{1,4}\])*(?=\s|$)/g;
const WORD_BEFORE_RE = /([\p{L}.]+)$/u;

/** `[start, end)` of each sentence in `text`, trimmed of surrounding spaces. */
function referenceSplit(text: string): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (const m of text.matchAll(END_RE)) {
    const end = m.index + m[0].length;
    if (!referenceIsBoundary(text, m.index, m[0], end)) continue;
    referencePush(out, text, start, end);
    start = end;
  }
  referencePush(out, text, start, text.length);
  return out;
}

function referencePush(out: [number, number][], text: string, start: number, end: number): void {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s] as string)) s++;
  while (e > s && /\s/.test(text[e - 1] as string)) e--;
  if (e > s) out.push([s, e]);
}

function referenceIsBoundary(text: string, at: number, punct: string, end: number): boolean {
  const rest = text.slice(end).trimStart();
  if (!rest) return true;
  const next = rest[0] as string;
  // A sentence starts with a capital, a digit, a quote or a bracket; a lowercase word continues.
  if (/[\p{Ll}]/u.test(next)) return false;
  if (!punct.startsWith('.')) return true;
  const word = WORD_BEFORE_RE.exec(text.slice(Math.max(0, at - 30), at))?.[1] ?? '';
  if (!word) return true;
  const bare = word.replace(/\./g, '').toLowerCase();
  if (ABBREVIATIONS.has(bare)) return false;
  // Initials and dotted acronyms: "J. Smith", "U.S. officials".
  if (/^\p{L}$/u.test(word)) return false;
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return false;
  return true;
}
