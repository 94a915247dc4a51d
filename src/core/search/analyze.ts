import { ACRONYM_STOP_WORDS, COMMON_ACRONYMS, DEMONYMS, STOP_WORDS } from './lexicon.ts';
import { stem } from './stem.ts';
import { normalizePhrase, type Token, tokenize } from './text.ts';

/**
 * Turns text into index terms: stop words dropped, words stemmed, and alias terms added so
 * that "American" also reaches `us`, and "Association of Southeast Asian Nations" reaches
 * `asean`. Index and query go through the same functions, so they always agree.
 */

/** The alias list of tokens without aliases (shared; never changed). */
const NO_ALIASES: string[] = [];

/** A token after analysis, or a whole long-form phrase carrying its acronym as an alias. */
export interface AnalyzedToken {
  start: number;
  end: number;
  /** The literal index term, or null for a stop word or a phrase entry. */
  term: string | null;
  /** Extra terms this text also stands for (a demonym's place, a long form's acronym); shared, read only. */
  aliases: string[];
}

interface PhraseEntry {
  words: string[];
  acronym: string;
  count: number;
}

/**
 * Long forms and their acronyms, matched word by word in running text. Layered: an article's
 * own definitions sit on top of the common ones; the query side uses all articles' together.
 */
export class Lexicon {
  readonly #byFirstWord = new Map<string, PhraseEntry[]>();
  readonly #longForms = new Map<string, string[]>();
  readonly #parent: Lexicon | undefined;

  constructor(parent?: Lexicon) {
    this.#parent = parent;
  }

  /** Adds (or counts once more) a long form such as `United States` for the acronym `US`. */
  add(longForm: string, acronym: string): void {
    const words = normalizePhrase(longForm);
    const acr = normalizePhrase(acronym).join('');
    if (words.length < 2 || !acr) return;
    const first = words[0] as string;
    const list = this.#byFirstWord.get(first) ?? [];
    const found = list.find((e) => e.acronym === acr && e.words.join(' ') === words.join(' '));
    if (found) found.count += 1;
    else {
      list.push({ words, acronym: acr, count: 1 });
      list.sort((a, b) => b.words.length - a.words.length);
      this.#byFirstWord.set(first, list);
      if (!this.#longForms.has(acr)) this.#longForms.set(acr, words);
    }
  }

  /** Undoes one `add` of the same pair. */
  delete(longForm: string, acronym: string): void {
    const words = normalizePhrase(longForm).join(' ');
    const acr = normalizePhrase(acronym).join('');
    const first = words.split(' ')[0] as string;
    const list = this.#byFirstWord.get(first);
    const i = list?.findIndex((e) => e.acronym === acr && e.words.join(' ') === words) ?? -1;
    if (!list || i < 0) return;
    const entry = list[i] as PhraseEntry;
    entry.count -= 1;
    if (entry.count > 0) return;
    list.splice(i, 1);
    if (list.length === 0) this.#byFirstWord.delete(first);
    if (this.#longForms.get(acr)?.join(' ') === words) {
      this.#longForms.delete(acr);
      for (const l of this.#byFirstWord.values()) for (const e of l) if (e.acronym === acr) this.#longForms.set(acr, e.words);
    }
  }

  /** The longest long form starting at `tokens[i]`: its length in tokens and its acronym. */
  matchAt(tokens: readonly Token[], i: number): { length: number; acronym: string } | undefined {
    const first = tokens[i]?.norm;
    if (first === undefined) return undefined;
    let best: { length: number; acronym: string } | undefined;
    const entries = this.#byFirstWord.get(first);
    if (entries) {
      for (const e of entries) {
        if (best && best.length >= e.words.length) break;
        if (wordsAt(tokens, i, e.words)) best = { length: e.words.length, acronym: e.acronym };
      }
    }
    const inherited = this.#parent?.matchAt(tokens, i);
    if (inherited && (!best || inherited.length > best.length)) best = inherited;
    return best;
  }

  /** The long form's words for an acronym (normalized), if known. */
  longForm(acronym: string): string[] | undefined {
    return this.#longForms.get(acronym) ?? this.#parent?.longForm(acronym);
  }

  /** Every `[longForm, acronym]` pair in this layer (not the parent's), for fingerprints. */
  pairs(): [string, string][] {
    const out: [string, string][] = [];
    for (const list of this.#byFirstWord.values()) for (const e of list) out.push([e.words.join(' '), e.acronym]);
    return out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  }
}

/** Whether `words` are the normalized tokens from `tokens[i]` on. */
function wordsAt(tokens: readonly Token[], i: number, words: readonly string[]): boolean {
  for (let k = 0; k < words.length; k++) if (tokens[i + k]?.norm !== words[k]) return false;
  return true;
}

/** The common acronyms every analysis starts from. */
export const COMMON_LEXICON = new Lexicon();
for (const [longForm, acronym] of Object.entries(COMMON_ACRONYMS)) COMMON_LEXICON.add(longForm, acronym);

const stemCache = new Map<string, string>();

/** The index term for a normalized word: stemmed words, numbers as written. */
export function termOf(norm: string): string {
  let t = stemCache.get(norm);
  if (t === undefined) {
    t = stem(norm);
    if (stemCache.size > 200_000) stemCache.clear();
    stemCache.set(norm, t);
  }
  return t;
}

const aliasCache = new Map<string, string[]>();

/** Terms of a canonical place word (`saudi arabia` -> `['saudi', 'arabia']`). */
function canonicalTerms(canonical: string): string[] {
  let terms = aliasCache.get(canonical);
  if (!terms) {
    terms = canonical.split(' ').map(termOf);
    aliasCache.set(canonical, terms);
  }
  return terms;
}

/**
 * Demonyms as a Map: a word such as `constructor` or `tostring` must not find an Object
 * property, and Map lookups of freshly sliced words are cheaper than property lookups.
 */
const DEMONYM_PLACES = new Map(Object.entries(DEMONYMS));

/** Alias terms for one normalized word (its demonym place, if any). */
export function demonymAliases(norm: string): string[] {
  const place = DEMONYM_PLACES.get(norm);
  return place ? canonicalTerms(place) : [];
}

function keepStopWord(tokens: readonly Token[], i: number, mode: 'index' | 'query'): boolean {
  const t = tokens[i] as Token;
  const prev = tokens[i - 1];
  const next = tokens[i + 1];
  if (t.norm === 'may') return prev?.kind === 'number' || next?.kind === 'number' || (t.capitalized && !t.sentenceStart);
  if (t.kind === 'acronym' && ACRONYM_STOP_WORDS.has(t.norm)) return !(prev?.kind === 'acronym' && next?.kind === 'acronym');
  if (mode === 'query' && t.norm === 'us' && prev?.norm === 'the') return true;
  return false;
}

/** Receives one analyzed token (see {@link AnalyzedToken}); `aliases` is shared, read only. */
export type AnalyzedVisitor = (start: number, end: number, term: string | null, aliases: string[]) => void;

/**
 * Analyzes text token by token. Stop words keep their place (as `term: null`) so phrases
 * can still be matched across them; a matched long form adds one extra entry covering the
 * whole phrase, whose alias is the acronym.
 */
export function analyze(text: string, lexicon: Lexicon, mode: 'index' | 'query' = 'index'): AnalyzedToken[] {
  const out: AnalyzedToken[] = [];
  forEachAnalyzed(text, lexicon, mode, (start, end, term, aliases) => {
    out.push({ start, end, term, aliases });
  });
  return out;
}

/** {@link analyze} without building the list: each token goes to `visit` as it is analyzed. */
export function forEachAnalyzed(text: string, lexicon: Lexicon, mode: 'index' | 'query', visit: AnalyzedVisitor): void {
  const tokens = tokenize(text);
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as Token;
    const phrase = t.kind === 'number' ? undefined : lexicon.matchAt(tokens, i);
    if (phrase) {
      const last = tokens[i + phrase.length - 1] as Token;
      visit(t.start, last.end, null, [phrase.acronym, ...demonymAliases(phrase.acronym)]);
    }
    if (t.kind === 'number') {
      visit(t.start, t.end, t.norm, NO_ALIASES);
      continue;
    }
    if (t.norm.length > 40 || (t.norm.length < 2 && t.kind !== 'acronym')) {
      visit(t.start, t.end, null, NO_ALIASES);
      continue;
    }
    const stop = STOP_WORDS.has(t.norm) && !keepStopWord(tokens, i, mode);
    if (stop) {
      visit(t.start, t.end, null, NO_ALIASES);
      continue;
    }
    let aliases = demonymAliases(t.norm);
    if (t.kind === 'acronym') {
      const longForm = lexicon.longForm(t.norm);
      if (longForm) {
        aliases = aliases.slice();
        for (const w of longForm) for (const a of demonymAliases(w)) if (!aliases.includes(a)) aliases.push(a);
      }
    }
    const term = termOf(t.norm);
    // Alias lists are shared (read-only): copied only when the term itself must go.
    if (aliases.length === 0) aliases = NO_ALIASES;
    else if (aliases.includes(term)) aliases = aliases.filter((a) => a !== term);
    visit(t.start, t.end, term, aliases);
  }
}

/** Index form of a text: literal terms and alias terms, each as a space-joined string. */
export function indexTerms(text: string, lexicon: Lexicon): { text: string; alias: string } {
  const literal: string[] = [];
  const alias: string[] = [];
  for (const a of analyze(text, lexicon, 'index')) {
    if (a.term !== null) literal.push(a.term);
    for (const x of a.aliases) alias.push(x);
  }
  return { text: literal.join(' '), alias: alias.join(' ') };
}
