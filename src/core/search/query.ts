import { analyze, type Lexicon } from './analyze.ts';
import { normalizeWord } from './text.ts';

/**
 * A question turned into term groups. Each group is one word of the question: its literal
 * term plus the alias terms that stand for the same thing (a demonym's country, the acronym
 * of a long form in the question). A passage covers a group when it matches any of them.
 */

/** Most distinct query words searched; longer questions keep the most specific ones. */
export const MAX_QUERY_TERMS = 32;

/** Hard bound on words analyzed before picking, so a huge paste stays cheap. */
const MAX_ANALYZED_GROUPS = 400;

export interface QueryGroup {
  /** The literal (stemmed) term of the question's word. */
  term: string;
  /** The word as typed, for messages and suggestions. */
  word: string;
  /** The word as typed, normalized but not stemmed (`beijin`): typos are also looked for here. */
  norm: string;
  /** Alias terms, matched exactly and weighted lower. */
  aliases: string[];
  /** Whether the literal term may match longer index terms (`energ` -> `energet`). */
  prefix: boolean;
  /** Edit distance allowed for typos (0 for short words and numbers); used only when the exact term is unknown. */
  fuzzy: number;
}

export interface AnalyzedQuery {
  groups: QueryGroup[];
  /** True when the question had more distinct words than are searched. */
  capped: boolean;
}

/** Prefix matching from this many letters of the stem (shorter ones expand into too many words). */
export const PREFIX_MIN_LENGTH = 4;
/** One typo allowed from this many letters (and only for words the index does not know). */
export const FUZZY_MIN_LENGTH = 5;

const isNumber = (term: string): boolean => /^\d/.test(term);

/**
 * Analyzes a question. Stop words and question words vanish; repeated words count once.
 *
 * @example analyzeQuery('What did the Americans say?', lexicon).groups
 * // [{ term: 'american', aliases: ['us'], ... }, { term: 'sai', ... }]
 */
export function analyzeQuery(question: string, lexicon: Lexicon): AnalyzedQuery {
  const text = question.length > 20_000 ? question.slice(0, 20_000) : question;
  const tokens = analyze(text, lexicon, 'query');
  const groups: QueryGroup[] = [];
  const byTerm = new Map<string, QueryGroup>();
  let capped = false;
  // A long form's acronym applies to the groups of the words inside that phrase.
  const phrases: { start: number; end: number; aliases: string[] }[] = [];
  for (const t of tokens) {
    if (t.term === null) {
      if (t.aliases.length) phrases.push({ start: t.start, end: t.end, aliases: t.aliases });
      continue;
    }
    let group = byTerm.get(t.term);
    if (!group) {
      if (groups.length >= MAX_ANALYZED_GROUPS) {
        capped = true;
        break;
      }
      const numeric = isNumber(t.term);
      const word = text.slice(t.start, t.end);
      group = {
        term: t.term,
        word,
        norm: numeric ? t.term : normalizeWord(word),
        aliases: [],
        prefix: !numeric && t.term.length >= PREFIX_MIN_LENGTH,
        fuzzy: !numeric && t.term.length >= FUZZY_MIN_LENGTH ? 1 : 0,
      };
      byTerm.set(t.term, group);
      groups.push(group);
    }
    for (const a of t.aliases) if (!group.aliases.includes(a) && a !== group.term) group.aliases.push(a);
    for (const p of phrases) {
      if (t.start >= p.start && t.end <= p.end) for (const a of p.aliases) if (!group.aliases.includes(a)) group.aliases.push(a);
    }
  }
  return { groups, capped };
}
