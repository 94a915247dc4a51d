import type { Article } from '../article.ts';

/** A long form an article defines for an acronym: "Association of Southeast Asian Nations (ASEAN)". */
export interface AcronymDefinition {
  longForm: string;
  acronym: string;
}

const DEFINITION_RE = /\(((?=(?:[^)\p{Lu}]*\p{Lu}){2})[\p{L}\d&.-]{2,10})\)/gu;
const IS_ALNUM = /[\p{L}\p{N}]/u;

/**
 * Schwartz & Hearst (2003): walk the acronym's letters right to left through the candidate
 * text; every letter must be found in order and the first one must start a word. Returns the
 * shortest tail of `candidate` that explains the acronym, or undefined.
 */
export function bestLongForm(acronym: string, candidate: string): string | undefined {
  const short = acronym.toLowerCase();
  const long = candidate.toLowerCase();
  let s = short.length - 1;
  let l = long.length - 1;
  while (s >= 0) {
    const ch = short[s] as string;
    if (!IS_ALNUM.test(ch)) {
      s--;
      continue;
    }
    while (l >= 0 && (long[l] !== ch || (s === 0 && l > 0 && IS_ALNUM.test(long[l - 1] as string)))) l--;
    if (l < 0) return undefined;
    l--;
    s--;
  }
  const start = long.lastIndexOf(' ', l) + 1;
  return candidate.slice(start).trim();
}

/**
 * Finds the acronyms a text defines in the form `Long Form (LF)`.
 *
 * @example findAcronymDefinitions('with the United States (US)')
 * // [{ longForm: 'United States', acronym: 'US' }]
 */
export function findAcronymDefinitions(text: string): AcronymDefinition[] {
  const out: AcronymDefinition[] = [];
  for (const m of text.matchAll(DEFINITION_RE)) {
    const acronym = (m[1] as string).replace(/\./g, '');
    if (acronym.length < 2) continue;
    const before = text.slice(Math.max(0, m.index - 200), m.index).trimEnd();
    const words = before.split(/\s+/).filter(Boolean);
    const maxWords = Math.min(acronym.length + 5, acronym.length * 2);
    const candidate = words.slice(-maxWords).join(' ');
    const longForm = bestLongForm(acronym, candidate)?.replace(/^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu, '');
    if (!longForm || longForm.split(/\s+/).length < 2) continue;
    if (longForm.length <= acronym.length) continue;
    if (!out.some((d) => d.acronym === acronym && d.longForm === longForm)) out.push({ longForm, acronym });
  }
  return out;
}

/** Every acronym definition in an article's key points and passages, first one per pair. */
export function articleAcronyms(article: Article): AcronymDefinition[] {
  const out: AcronymDefinition[] = [];
  const texts = [...article.keyPoints, ...article.passages.map((p) => p.text)];
  for (const text of texts) {
    if (!text.includes('(')) continue;
    for (const d of findAcronymDefinitions(text)) {
      if (!out.some((o) => o.acronym === d.acronym && o.longForm === d.longForm)) out.push(d);
    }
  }
  return out;
}
