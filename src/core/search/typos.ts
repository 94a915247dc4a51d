import { stem } from './stem.ts';

/**
 * Typo tolerance on a word as written. The index holds stems, and a one-letter typo in the
 * part of a word the stemmer would have cut off can put the typed word's stem far from the
 * stem meant: `Beijing` is indexed as `beij`, but `beijin` stems to itself, two edits away.
 * Stemming each spelling one edit away from the typed word finds `beij` again (`beijing`).
 */

const LETTERS = 'abcdefghijklmnopqrstuvwxyz';
const PLAIN = /^[a-z]+$/;

/**
 * How far into the word the stemmer reaches: suffixes it removes or rewrites start at most this
 * many letters before the end of the stem it leaves (`-ational` -> `-ate`, `-y` -> `-i`). A typo
 * before that point changes the stem in the same place, which the one-edit search on stems
 * already covers.
 */
const STEM_REACH = 3;

/**
 * Stems of the spellings one edit (deletion, swap of neighbours, insertion, substitution) away
 * from `word` where the edit falls in the reach of the stemmer; `word` itself and its own stem
 * are left out. Only plain a-z words have stems to find; others give nothing.
 *
 * @example writtenNeighbours('beijin').has('beij') // true: `beijing`
 */
export function writtenNeighbours(word: string): Set<string> {
  const out = new Set<string>();
  if (!PLAIN.test(word)) return out;
  const own = stem(word);
  const from = Math.max(1, own.length - STEM_REACH);
  const add = (spelling: string): void => {
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
