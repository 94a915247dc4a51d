/**
 * The Porter (1980) English suffix stemmer, with the two later revisions of its author
 * (`bli` -> `ble`, `logi` -> `log`). Applied to lowercase ASCII words at index and query
 * time, so "founded", "founding" and "founds" all become `found`.
 *
 * @example stem('connections') // 'connect'
 * @example stem('transportation') // 'transport'
 */

const STEP2: Record<string, string> = {
  ational: 'ate',
  tional: 'tion',
  enci: 'ence',
  anci: 'ance',
  izer: 'ize',
  bli: 'ble',
  alli: 'al',
  entli: 'ent',
  eli: 'e',
  ousli: 'ous',
  ization: 'ize',
  ation: 'ate',
  ator: 'ate',
  alism: 'al',
  iveness: 'ive',
  fulness: 'ful',
  ousness: 'ous',
  aliti: 'al',
  iviti: 'ive',
  biliti: 'ble',
  logi: 'log',
};

const STEP3: Record<string, string> = {
  icate: 'ic',
  ative: '',
  alize: 'al',
  iciti: 'ic',
  ical: 'ic',
  ful: '',
  ness: '',
};

const c = '[^aeiou]';
const v = '[aeiouy]';
const C = `${c}[^aeiouy]*`;
const V = `${v}[aeiou]*`;
/** measure > 0 */
const MGR0 = new RegExp(`^(${C})?${V}${C}`);
/** measure == 1 */
const MEQ1 = new RegExp(`^(${C})?${V}${C}(${V})?$`);
/** measure > 1 */
const MGR1 = new RegExp(`^(${C})?${V}${C}${V}${C}`);
/** the stem contains a vowel */
const HAS_VOWEL = new RegExp(`^(${C})?${v}`);
/** ends consonant-vowel-consonant, the last not w, x or y */
const CVC = new RegExp(`^${C}${v}[^aeiouwxy]$`);

const STEP1A_SSES = /^(.+?)(ss|i)es$/;
const STEP1A_S = /^(.+?)([^s])s$/;
const STEP1B_EED = /^(.+?)eed$/;
const STEP1B_ED = /^(.+?)(ed|ing)$/;
const STEP1B_FIX = /(at|bl|iz)$/;
const DOUBLE = /([^aeiouylsz])\1$/;
const STEP1C = /^(.+?)y$/;
const STEP2_RE =
  /^(.+?)(ational|tional|enci|anci|izer|bli|alli|entli|eli|ousli|ization|ation|ator|alism|iveness|fulness|ousness|aliti|iviti|biliti|logi)$/;
const STEP3_RE = /^(.+?)(icate|ative|alize|iciti|ical|ful|ness)$/;
const STEP4_RE = /^(.+?)(al|ance|ence|er|ic|able|ible|ant|ement|ment|ent|ou|ism|ate|iti|ous|ive|ize)$/;
const STEP4_ION = /^(.+?)(s|t)(ion)$/;
const STEP5_E = /^(.+?)e$/;
const ASCII_WORD = /^[a-z]+$/;

/** Stems one lowercase word; words that are not plain a-z (numbers, other scripts) pass unchanged. */
export function stem(word: string): string {
  if (word.length < 3 || !ASCII_WORD.test(word)) return word;
  let w = word;
  const startsWithY = w[0] === 'y';
  if (startsWithY) w = `Y${w.slice(1)}`;

  // Step 1a: plurals.
  if (STEP1A_SSES.test(w)) w = w.replace(STEP1A_SSES, '$1$2');
  else if (STEP1A_S.test(w)) w = w.replace(STEP1A_S, '$1$2');

  // Step 1b: -eed, -ed, -ing.
  let m = STEP1B_EED.exec(w);
  if (m) {
    if (MGR0.test(m[1] as string)) w = w.slice(0, -1);
  } else {
    m = STEP1B_ED.exec(w);
    if (m && HAS_VOWEL.test(m[1] as string)) {
      w = m[1] as string;
      if (STEP1B_FIX.test(w)) w += 'e';
      else if (DOUBLE.test(w)) w = w.slice(0, -1);
      else if (CVC.test(w)) w += 'e';
    }
  }

  // Step 1c: y -> i after a vowel-bearing stem.
  m = STEP1C.exec(w);
  if (m && HAS_VOWEL.test(m[1] as string)) w = `${m[1]}i`;

  // Step 2: double suffixes to single ones.
  m = STEP2_RE.exec(w);
  if (m && MGR0.test(m[1] as string)) w = (m[1] as string) + STEP2[m[2] as string];

  // Step 3: -ic-, -full, -ness etc.
  m = STEP3_RE.exec(w);
  if (m && MGR0.test(m[1] as string)) w = (m[1] as string) + STEP3[m[2] as string];

  // Step 4: drop -ant, -ence etc. when the stem is long enough.
  m = STEP4_RE.exec(w);
  if (m) {
    if (MGR1.test(m[1] as string)) w = m[1] as string;
  } else {
    m = STEP4_ION.exec(w);
    if (m) {
      const s = (m[1] as string) + (m[2] as string);
      if (MGR1.test(s)) w = s;
    }
  }

  // Step 5: tidy a final -e and -ll.
  m = STEP5_E.exec(w);
  if (m) {
    const s = m[1] as string;
    if (MGR1.test(s) || (MEQ1.test(s) && !CVC.test(s))) w = s;
  }
  if (w.endsWith('ll') && MGR1.test(w)) w = w.slice(0, -1);

  if (startsWithY) w = `y${w.slice(1)}`;
  return w;
}
