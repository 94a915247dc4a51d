import { stem } from './stem.ts';

/**
 * Typo tolerance on a word as written. The index holds stems, and a one-letter typo can put the
 * typed word's stem far from the stem meant: `Beijing` is indexed as `beij`, but `beijin` stems
 * to itself (two edits away), `eijing` to `eij` and `Beiijng` to `beiijng`. Stemming each
 * spelling one edit away from the typed word finds `beij` again (`beijing`), wherever the typo
 * is: the one-edit search on stems misses typos that change how the stemmer cuts the word,
 * swapped letters (two edits for it) and stems too short to search for typos at all.
 */

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const PLAIN = /^[a-z]+$/;

/**
 * How far into the word the stemmer reaches: suffixes it removes or rewrites start at most this
 * many letters before the end of the stem it leaves (`-ational` -> `-ate`, `-y` -> `-i`). The
 * cheap search (`full: false`) edits only from there on.
 */
const STEM_REACH = 3;

/** Longest word searched with every edit (about 54 spellings a letter, each stemmed). */
export const FULL_TYPO_MAX_LENGTH = 24;

/**
 * Stems of the spellings one edit (deletion, swap of neighbours, insertion, substitution) away
 * from `word`; `word` itself and its own stem are left out. With `full` (the default) the edit
 * may fall anywhere; without it only in the reach of the stemmer (a bounded amount of work for
 * words past the first few unknown ones of a question). Only plain a-z words have stems to find;
 * others give nothing.
 *
 * @example writtenNeighbours('beijin').has('beij') // true: `beijing`
 * @example writtenNeighbours('eijing').has('beij') // true: `beijing`
 */
export function writtenNeighbours(word: string, full = true): Set<string> {
  const out = new Set<string>();
  if (!PLAIN.test(word)) return out;
  const own = stem(word);
  const from = full && word.length <= FULL_TYPO_MAX_LENGTH ? 0 : Math.max(1, own.length - STEM_REACH);
  const add = (spelling: string): void => {
    if (spelling === word) return;
    const s = stem(spelling);
    if (s !== own) out.add(s);
  };
  for (let i = from; i <= word.length; i++) {
    const head = word.slice(0, i);
    const tail = word.slice(i);
    if (tail) add(head + tail.slice(1));
    if (tail.length > 1) add(head + (tail[1] as string) + (tail[0] as string) + tail.slice(2));
    for (const c of LETTERS) {
      add(head + c + tail);
      if (tail && c !== tail[0]) add(head + c + tail.slice(1));
    }
  }
  return out;
}
