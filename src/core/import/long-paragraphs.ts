import type { ImportIssue } from '../article.ts';
import { splitSentences } from '../search/sentences.ts';
import type { DraftParagraph } from './build.ts';

/**
 * Paragraphs far longer than any real one (a whole file pasted as one line, text with its
 * paragraph breaks lost) are split at sentence ends into passages of ordinary length, so each
 * passage can be found, excerpted and cited on its own. Text that runs that long without ending
 * a sentence, or a body that hardly ever ends one (a word list, a dump of keywords), is not an
 * article's text and is refused.
 */

/** A paragraph longer than this is far longer than any real one (the bundled briefing's longest is about 1,100). */
export const LONG_PARAGRAPH_CHARS = 5000;
/** Passages cut from a long paragraph are about this long: whole sentences up to it. */
export const SPLIT_PASSAGE_CHARS = 1500;

/** A body of at least this many words is checked for sentences as a whole. */
export const SENTENCE_CHECK_MIN_WORDS = 150;
/**
 * More words than this for each sentence ended is no sentence structure: prose ends one about
 * every 20-35 words (the bundled briefing: 33), and bullet points without full stops beside
 * some prose stay far below this.
 */
export const MAX_WORDS_PER_SENTENCE = 100;

export interface SplitParagraphs {
  paragraphs: DraftParagraph[];
  /** For each paragraph out, the index (in the paragraphs given) of the one it was cut from. */
  origin: number[];
  errors: ImportIssue[];
  warnings: ImportIssue[];
}

const count = (n: number): string => n.toLocaleString('en-US');

/**
 * Splits every paragraph over LONG_PARAGRAPH_CHARS at sentence ends into passages of whole
 * sentences, about SPLIT_PASSAGE_CHARS each (a `long-paragraph` warning each); a paragraph with a
 * single "sentence" over LONG_PARAGRAPH_CHARS is a `no-sentences` error.
 *
 * @example splitLongParagraphs([{ text: 'One. Two.', line: 3 }]).paragraphs // unchanged: short
 */
export function splitLongParagraphs(paragraphs: readonly DraftParagraph[]): SplitParagraphs {
  const out: SplitParagraphs = { paragraphs: [], origin: [], errors: [], warnings: [] };
  paragraphs.forEach((p, index) => {
    if (p.text.length <= LONG_PARAGRAPH_CHARS) {
      out.paragraphs.push(p);
      out.origin.push(index);
      return;
    }
    const sentences = splitSentences(p.text);
    const longest = sentences.reduce((max, [s, e]) => Math.max(max, e - s), 0);
    if (longest > LONG_PARAGRAPH_CHARS) {
      const start = p.text.slice(0, 40).trim();
      out.errors.push({
        code: 'no-sentences',
        line: p.line,
        message: `${count(longest)} characters run on without ending a sentence ("${start}…"): this does not read as an article. Paste the briefing's text with its sentences (ending in . ! or ?) and paragraphs`,
      });
      return;
    }
    let pieces = 0;
    let from = -1;
    let to = -1;
    const flush = (): void => {
      if (from < 0) return;
      out.paragraphs.push({ ...p, text: p.text.slice(from, to) });
      out.origin.push(index);
      pieces++;
      from = -1;
    };
    for (const [s, e] of sentences) {
      if (from >= 0 && e - from > SPLIT_PASSAGE_CHARS) flush();
      if (from < 0) from = s;
      to = e;
    }
    flush();
    out.warnings.push({
      code: 'long-paragraph',
      line: p.line,
      message: `a paragraph of ${count(p.text.length)} characters is far longer than any real one (over ${count(LONG_PARAGRAPH_CHARS)}): it was split at sentence ends into ${count(pieces)} passages. Check that the text kept its paragraph breaks`,
    });
  });
  const structure = out.errors.length === 0 ? sentenceStructure(paragraphs) : undefined;
  if (structure) out.errors.push(structure);
  return out;
}

const SENTENCE_END = /[.!?…]["”’')\]]*(?:\[\d{1,4}\])*$/u;

/**
 * A `no-sentences` error for a body of SENTENCE_CHECK_MIN_WORDS words or more that ends fewer
 * than one sentence every MAX_WORDS_PER_SENTENCE words, else undefined.
 */
export function sentenceStructure(paragraphs: readonly DraftParagraph[]): ImportIssue | undefined {
  let words = 0;
  let ends = 0;
  for (const p of paragraphs) {
    words += p.text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
    for (const [s, e] of splitSentences(p.text)) if (SENTENCE_END.test(p.text.slice(s, e))) ends++;
  }
  if (words < SENTENCE_CHECK_MIN_WORDS || words <= MAX_WORDS_PER_SENTENCE * ends) return undefined;
  const first = paragraphs[0];
  const start = first ? first.text.slice(0, 40).trim() : '';
  return {
    code: 'no-sentences',
    ...(first ? { line: first.line } : {}),
    message: `the text has no sentence structure: its ${count(words)} words end ${ends === 0 ? 'no sentence' : ends === 1 ? 'only 1 sentence' : `only ${count(ends)} sentences`} ("${start}…"), where an article ends one every 20-35 words: this does not read as an article. Paste the briefing's text with its sentences (ending in . ! or ?) and paragraphs`,
  };
}
