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
});
