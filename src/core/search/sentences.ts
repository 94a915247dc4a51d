/**
 * Sentence splitting that survives the abbreviations and numbers briefings are full of:
 * "U.S.", "No. 3", "Dr. Kang", "$234 billion", "5.4%", "3.0", and footnote markers after the
 * full stop ("… of the US.[1] The next").
 */

/** Words that end with a full stop without ending the sentence (lowercase, no dot). */
const ABBREVIATIONS = new Set(
  'mr mrs ms dr prof st sr jr gen col lt sgt capt cmdr adm gov sen rep pres amb no nos vs etc al eg ie cf approx dept est fig inc ltd corp co jan feb mar apr jun jul aug sep sept oct nov dec mt ft op vol pp ed eds rev hon'.split(
    ' ',
  ),
);

/** End punctuation, then closing quotes/brackets and footnote markers that belong to the sentence. */
const END_RE = /[.!?…]+["”’')\]]*(?:\[\d{1,4}\])*(?=\s|$)/g;
const LETTER = /^\p{L}$/u;

/** `[start, end)` of each sentence in `text`, trimmed of surrounding spaces. */
export function splitSentences(text: string): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  for (const m of text.matchAll(END_RE)) {
    const end = m.index + m[0].length;
    if (!isBoundary(text, m.index, m[0], end)) continue;
    push(out, text, start, end);
    start = end;
  }
  push(out, text, start, text.length);
  return out;
}

function push(out: [number, number][], text: string, start: number, end: number): void {
  let s = start;
  let e = end;
  while (s < e && /\s/.test(text[s] as string)) s++;
  while (e > s && /\s/.test(text[e - 1] as string)) e--;
  if (e > s) out.push([s, e]);
}

/** The next character that is not white space (what `trimStart` would keep). */
const NOT_SPACE = /\S/g;

function isBoundary(text: string, at: number, punct: string, end: number): boolean {
  NOT_SPACE.lastIndex = end;
  const found = NOT_SPACE.exec(text);
  if (!found) return true;
  const next = found[0];
  // A sentence starts with a capital, a digit, a quote or a bracket; a lowercase word continues.
  if (/[\p{Ll}]/u.test(next)) return false;
  if (!punct.startsWith('.')) return true;
  const word = wordBefore(text, at);
  if (!word) return true;
  const bare = word.replace(/\./g, '').toLowerCase();
  if (ABBREVIATIONS.has(bare)) return false;
  // Initials and dotted acronyms: "J. Smith", "U.S. officials".
  if (/^\p{L}$/u.test(word)) return false;
  if (/^(?:\p{L}\.)+\p{L}$/u.test(word)) return false;
  return true;
}

/**
 * The letters and dots right before `at`, looking back at most 30 characters ("U.S", "Dr"). A
 * backwards scan: a regex anchored at the end would try every start in the window.
 */
function wordBefore(text: string, at: number): string {
  const floor = Math.max(0, at - 30);
  let i = at;
  while (i > floor) {
    const c = text.charCodeAt(i - 1);
    if (c === 46 /* . */ || (c >= 97 && c <= 122) || (c >= 65 && c <= 90)) i--;
    else if (c < 128) break;
    else if (c >= 0xdc00 && c <= 0xdfff && i - 2 >= floor && LETTER.test(text.slice(i - 2, i))) i -= 2;
    else if (LETTER.test(text[i - 1] as string)) i--;
    else break;
  }
  return text.slice(i, at);
}
