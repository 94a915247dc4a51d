/**
 * Tokenizing and normalizing text for the passage index, with character offsets so the
 * same tokens can be highlighted in excerpts.
 */

/** One word, number or acronym in a text, with its `[start, end)` range in that text. */
export interface Token {
  /** Lowercase, diacritics removed, apostrophes and a possessive `'s` dropped. */
  norm: string;
  start: number;
  end: number;
  kind: 'word' | 'number' | 'acronym';
  /** First letter is upper case (`May`, `Beijing`). */
  capitalized: boolean;
  /** Nothing but spaces or quotes between this token and the start of its sentence. */
  sentenceStart: boolean;
}

/**
 * Footnote markers (skipped), dotted acronyms (`U.S.`), numbers with an optional currency
 * sign, decimals, thousands separators and percent sign (`$234`, `3.0`, `5.4%`, `1,000`),
 * then words of any script with inner apostrophes (`China’s`).
 */
const TOKEN_RE = /\[\d{1,4}\]|(?:\p{Lu}\.){2,}|[$€£¥]?\d+(?:[.,]\d+)*%?(?![\p{L}\p{M}\p{N}])|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu;
const THOUSANDS = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const ASCII = /^[\x00-\x7f]*$/;
const UPPER_ACRONYM = /^(?=(?:[^\p{Lu}]*\p{Lu}){2})[\p{Lu}\d]+s?$/u;
const POSSESSIVE = /['’]s$/;

const normCache = new Map<string, string>();

/**
 * Lowercases, strips diacritics (`İnnovatsii` -> `innovatsii`, `Türkçe` -> `turkce`), drops a
 * possessive `'s` and inner apostrophes.
 */
export function normalizeWord(raw: string): string {
  const cached = normCache.get(raw);
  if (cached !== undefined) return cached;
  let w = raw.replace(POSSESSIVE, '');
  if (ASCII.test(w)) w = w.toLowerCase();
  else w = w.replace(/ı/g, 'i').replace(/ß/g, 'ss').normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  w = w.replace(/['’]/g, '');
  if (normCache.size > 200_000) normCache.clear();
  normCache.set(raw, w);
  return w;
}

function normalizeNumber(raw: string): string {
  let n = raw.replace(/^[$€£¥]/, '').replace(/%$/, '');
  if (THOUSANDS.test(n)) n = n.replace(/,/g, '');
  return n;
}

function isSentenceStart(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const ch = text[i] as string;
    if (ch === ' ' || ch === '\t' || ch === '"' || ch === '“' || ch === '‘' || ch === "'" || ch === '(') continue;
    return ch === '.' || ch === '!' || ch === '?' || ch === '\n' || ch === ':';
  }
  return true;
}

/**
 * Splits text into tokens with offsets. Footnote markers such as `[6]` are skipped.
 *
 * @example tokenize('The $234 billion, U.S.')
 * // norms: ['the', '234', 'billion', 'us'], the number's range covers `$234`
 */
export function tokenize(text: string): Token[] {
  const out: Token[] = [];
  for (const m of text.matchAll(TOKEN_RE)) {
    const raw = m[0];
    const start = m.index;
    const first = raw.charCodeAt(0);
    if (first === 91 /* [ */) continue;
    const end = start + raw.length;
    const sentenceStart = isSentenceStart(text, start);
    if (raw.length > 2 && raw.endsWith('.') && /^(?:\p{Lu}\.)+$/u.test(raw)) {
      out.push({ norm: raw.replace(/\./g, '').toLowerCase(), start, end, kind: 'acronym', capitalized: true, sentenceStart });
      continue;
    }
    // A digit, or a currency sign ($ £ ¥ €), starts a number.
    if ((first >= 48 && first <= 57) || first === 36 || first === 163 || first === 165 || first === 8364) {
      out.push({ norm: normalizeNumber(raw), start, end, kind: 'number', capitalized: false, sentenceStart });
      continue;
    }
    // An acronym is capitals and digits (and a plural s): a lower-case second letter rules it out.
    const second = raw.charCodeAt(1);
    const upper = raw.length >= 2 && !(second >= 97 && second <= 122) && UPPER_ACRONYM.test(raw);
    // ASCII letters without a string; anything else as before (the first UTF-16 unit lower-cased).
    const capitalized = first >= 65 && first <= 90 ? true : first >= 97 && first <= 122 ? false : raw[0] !== raw[0]?.toLowerCase();
    out.push({ norm: normalizeWord(raw), start, end, kind: upper ? 'acronym' : 'word', capitalized, sentenceStart });
  }
  return out;
}

/** Words of a phrase in normalized form (`People’s Republic` -> `['people', 'republic']`). */
export function normalizePhrase(phrase: string): string[] {
  return tokenize(phrase).map((t) => t.norm);
}
