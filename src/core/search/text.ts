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

const THOUSANDS = /^\d{1,3}(?:,\d{3})+(?:\.\d+)?$/;
const ASCII = /^[\x00-\x7f]*$/;
const UPPER_ACRONYM = /^(?=(?:[^\p{Lu}]*\p{Lu}){2})[\p{Lu}\d]+s?$/u;
const POSSESSIVE = /['’]s$/;

// Tokens are found by a hand-written scanner over char codes. It finds exactly the matches of
// the regex it replaced (kept in the tests as the reference), which with its Unicode classes
// and match objects cost most of the tokenizing time:
//   /\[\d{1,4}\]|(?:\p{Lu}\.){2,}|[$€£¥]?\d+(?:[.,]\d+)*%?(?![\p{L}\p{M}\p{N}])|[\p{L}\p{M}\p{N}]+(?:['’][\p{L}\p{M}]+)*/gu
// That is, trying each in turn: footnote markers (skipped), dotted acronyms (`U.S.`), numbers
// with an optional currency sign, decimals, thousands separators and percent sign (`$234`,
// `3.0`, `5.4%`, `1,000`), then words of any script with inner apostrophes (`China’s`). Like
// the regex it works by code point, so a letter outside the BMP is one letter; `\d` is 0-9 only.

/** Class bits of a code point: letter, mark or number; letter or mark; upper-case letter. */
const LMN = 1;
const LM = 2;
const LU = 4;
/** Set on every looked-up entry, so 0 means "not classified yet". */
const KNOWN = 8;
/** The code point is a surrogate pair (two UTF-16 units). */
const WIDE = 16;

// Non-ASCII code points are classed by the same Unicode tables the regex used.
const LMN_RE = /^[\p{L}\p{M}\p{N}]$/u;
const LM_RE = /^[\p{L}\p{M}]$/u;
const LU_RE = /^\p{Lu}$/u;

function classify(ch: string): number {
  return KNOWN | (LMN_RE.test(ch) ? LMN : 0) | (LM_RE.test(ch) ? LM : 0) | (LU_RE.test(ch) ? LU : 0);
}

/** Classes of the BMP code units, filled on first use; non-ASCII text is rare, so most stay 0. */
const bmpClass = new Uint8Array(0x10000);
for (let c = 0; c < 128; c++) bmpClass[c] = classify(String.fromCharCode(c));
/** Classes of the code points past the BMP seen lately (emoji, math letters); kept small. */
const astralClass = new Map<number, number>();

/** Class bits of the code point at `i`, with WIDE for a surrogate pair; 0 past the end. */
function classAt(text: string, i: number): number {
  if (i >= text.length) return 0;
  const c = text.charCodeAt(i);
  if (c >= 0xd800 && c <= 0xdbff) {
    const d = text.charCodeAt(i + 1);
    if (d >= 0xdc00 && d <= 0xdfff) {
      const cp = (c - 0xd800) * 0x400 + (d - 0xdc00) + 0x10000;
      let k = astralClass.get(cp);
      if (k === undefined) {
        k = classify(String.fromCodePoint(cp)) | WIDE;
        if (astralClass.size >= 1024) astralClass.clear();
        astralClass.set(cp, k);
      }
      return k;
    }
  }
  let k = bmpClass[c] as number;
  if (k === 0) {
    k = classify(String.fromCharCode(c));
    bmpClass[c] = k;
  }
  return k;
}

const isDigit = (c: number): boolean => c >= 48 && c <= 57;

/** End of the digit run starting at `i` (`i` itself if there is none). */
function digitsEnd(text: string, i: number): number {
  while (isDigit(text.charCodeAt(i))) i++;
  return i;
}

/** End of a footnote marker `[1]`..`[9999]` starting at `i`, or -1. */
function footnoteEnd(text: string, i: number): number {
  let j = i + 1;
  while (j <= i + 4 && isDigit(text.charCodeAt(j))) j++;
  return j > i + 1 && text.charCodeAt(j) === 93 /* ] */ ? j + 1 : -1;
}

/** End of two or more upper-case letters each followed by a dot (`U.S.`) from `i`, or -1. */
function dottedEnd(text: string, i: number): number {
  let pairs = 0;
  for (;;) {
    const k = classAt(text, i);
    if (!(k & LU)) break;
    const dot = i + (k & WIDE ? 2 : 1);
    if (text.charCodeAt(dot) !== 46 /* . */) break;
    i = dot + 1;
    pairs++;
  }
  return pairs >= 2 ? i : -1;
}

/**
 * End of a number whose digits start at `i`, or -1. Like the regex, it must not run into a
 * letter, mark or digit: `5.4%` whole, `1,234a` only `1`, `5%a` only `5`, `3rd` none (the
 * word rule takes it).
 */
function numberEnd(text: string, i: number): number {
  let end = digitsEnd(text, i);
  if (end === i) return -1;
  // `.5` or `,000` groups, as many as there are; `prev` is where the last one starts.
  let prev = -1;
  for (;;) {
    const c = text.charCodeAt(end);
    if ((c !== 46 && c !== 44) || !isDigit(text.charCodeAt(end + 1))) break;
    prev = end;
    end = digitsEnd(text, end + 1);
  }
  // The regex backtracks: first without the `%`, then without the last group, before the
  // separator, which is never a letter or digit. Ending inside a digit run never helps.
  if (text.charCodeAt(end) === 37 /* % */) return classAt(text, end + 1) & LMN ? end : end + 1;
  if (!(classAt(text, end) & LMN)) return end;
  return prev;
}

/** ASCII characters in words: 1 for a lower-case letter or digit, 2 for a capital. */
const ASCII_WORD = new Uint8Array(128);
for (let c = 0; c < 128; c++) ASCII_WORD[c] = c >= 65 && c <= 90 ? 2 : ((bmpClass[c] as number) & LMN) !== 0 ? 1 : 0;

/**
 * Set by `wordEnd`: the word was lower-case ASCII letters and digits only, so it is already
 * in normal form. Most words are, and skipping `normalizeWord` for them saves a cache lookup
 * (which hashes the string); `toLowerCase` would be no cheaper, and slow on two-byte text.
 */
let lowerWord = false;

/** End of a word (letters, marks and digits, with `'s`-style apostrophe parts) from `i`. */
function wordEnd(text: string, i: number): number {
  lowerWord = true;
  for (;;) {
    const c = text.charCodeAt(i);
    if (c < 128) {
      const w = ASCII_WORD[c] as number;
      if (w === 0) break;
      if (w === 2) lowerWord = false;
      i++;
      continue;
    }
    // Non-ASCII, or NaN past the end (classed 0).
    const k = classAt(text, i);
    if (!(k & LMN)) break;
    lowerWord = false;
    i += k & WIDE ? 2 : 1;
  }
  for (;;) {
    const c = text.charCodeAt(i);
    if (c !== 39 && c !== 0x2019) return i;
    let k = classAt(text, i + 1);
    if (!(k & LM)) return i;
    lowerWord = false;
    i++;
    do {
      i += k & WIDE ? 2 : 1;
      k = classAt(text, i);
    } while (k & LM);
  }
}

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
  // Plain digits and decimals, most numbers, have no sign, percent or thousands commas to drop.
  const last = raw.charCodeAt(raw.length - 1);
  if (isDigit(raw.charCodeAt(0)) && last !== 37 /* % */ && !raw.includes(',')) return raw;
  let n = raw.replace(/^[$€£¥]/, '').replace(/%$/, '');
  if (THOUSANDS.test(n)) n = n.replace(/,/g, '');
  return n;
}

function isSentenceStart(text: string, start: number): boolean {
  for (let i = start - 1; i >= 0; i--) {
    const c = text.charCodeAt(i);
    // Space, tab, ", “, ‘, ' and (.
    if (c === 32 || c === 9 || c === 34 || c === 0x201c || c === 0x2018 || c === 39 || c === 40) continue;
    // . ! ? newline and :.
    return c === 46 || c === 33 || c === 63 || c === 10 || c === 58;
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
  const n = text.length;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    let end = -1;
    let dotted = false;
    if (c < 128) {
      // ASCII, nearly all of an English text: decided by char code alone.
      if (c >= 97 && c <= 122) end = wordEnd(text, i);
      else if (c >= 65 && c <= 90) {
        if (text.charCodeAt(i + 1) === 46 /* . */) end = dottedEnd(text, i);
        dotted = end >= 0;
        if (!dotted) end = wordEnd(text, i);
      } else if (c >= 48 && c <= 57) {
        end = numberEnd(text, i);
        if (end < 0) end = wordEnd(text, i);
      } else if (c === 91 /* [ */) {
        // A footnote marker is skipped whole; a bare `[` is just passed over.
        const f = footnoteEnd(text, i);
        i = f < 0 ? i + 1 : f;
        continue;
      } else if (c === 36 /* $ */) {
        end = numberEnd(text, i + 1);
        if (end < 0) {
          i++;
          continue;
        }
      } else {
        i++;
        continue;
      }
    } else if (c === 163 /* £ */ || c === 165 /* ¥ */ || c === 8364 /* € */) {
      end = numberEnd(text, i + 1);
      if (end < 0) {
        i++;
        continue;
      }
    } else {
      const k = classAt(text, i);
      if (!(k & LMN)) {
        i += k & WIDE ? 2 : 1;
        continue;
      }
      if (k & LU) end = dottedEnd(text, i);
      dotted = end >= 0;
      if (!dotted) end = wordEnd(text, i);
    }
    const start = i;
    i = end;
    const raw = text.slice(start, end);
    const first = c;
    const sentenceStart = isSentenceStart(text, start);
    // Only the dotted-acronym rule gives a token ending in a dot.
    if (dotted) {
      out.push({ norm: raw.replace(/\./g, '').toLowerCase(), start, end, kind: 'acronym', capitalized: true, sentenceStart });
      continue;
    }
    // A digit, or a currency sign ($ £ ¥ €), starts a number.
    if ((first >= 48 && first <= 57) || first === 36 || first === 163 || first === 165 || first === 8364) {
      out.push({ norm: normalizeNumber(raw), start, end, kind: 'number', capitalized: false, sentenceStart });
      continue;
    }
    // An acronym is capitals and digits (and a plural s): a lower-case second letter rules it out.
    const second = text.charCodeAt(start + 1);
    const upper = !lowerWord && end - start >= 2 && !(second >= 97 && second <= 122) && UPPER_ACRONYM.test(raw);
    // ASCII letters without a string; anything else as before (the first UTF-16 unit lower-cased).
    const capitalized = first >= 65 && first <= 90 ? true : first >= 97 && first <= 122 ? false : raw[0] !== raw[0]?.toLowerCase();
    out.push({ norm: lowerWord ? raw : normalizeWord(raw), start, end, kind: upper ? 'acronym' : 'word', capitalized, sentenceStart });
  }
  return out;
}

/** Words of a phrase in normalized form (`People’s Republic` -> `['people', 'republic']`). */
export function normalizePhrase(phrase: string): string[] {
  return tokenize(phrase).map((t) => t.norm);
}
