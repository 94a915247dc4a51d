import type { ImportIssue, Source } from '../article.ts';
import type { Draft, DraftParagraph } from './build.ts';
import { endsWithAccessDate, FOOTNOTE_LINE, parseDate, parseSourceText } from './sources.ts';
import { blockParagraphs, type Line, nameCase, toBlocks, toLines } from './text.ts';

const SHARE = /^(?:paylaş|share|share this(?: post| article)?|share on)\s*:?$/iu;
const LANGUAGES = /^this (?:post|article|page|analysis) is also available in\s*:?\s*(.*)$/iu;
const TRAILER = /^(?:similar|related)\s+(?:posts|articles|content|analyses)\s*:?$/iu;
const KICKERS =
  /^(?:analysis|commentary|opinion|report|interview|news|brief|briefing|perspective|column|review|policy brief|expert opinion|analiz|yorum)$/iu;
const ENDS_SENTENCE = /[.!?…:;"”’»)\]]$/u;

/** "Ergün MAMEDOV": two to five capitalized words, at least one written in capitals. */
function isNameLine(text: string, strict = true): boolean {
  if (text.length > 60 || /[\d!?:;,"“”«»[\]()@<>|*_~`&#/\\]/u.test(text)) return false;
  const words = text.split(' ');
  if (words.length < 2 || words.length > 5) return false;
  if (!words.every((w) => /^\p{Lu}[\p{L}'’.-]*$/u.test(w))) return false;
  return !strict || words.some((w) => w.replace(/[^\p{L}]/gu, '').length >= 2 && w === w.toUpperCase());
}

function isKicker(lines: Line[]): boolean {
  const [first, second] = lines;
  if (!first || !second) return false;
  if (KICKERS.test(first.text)) return true;
  return (
    first.text.length <= 30 &&
    first.text.split(' ').length <= 3 &&
    !ENDS_SENTENCE.test(first.text) &&
    !ENDS_SENTENCE.test(second.text) &&
    second.text.length > first.text.length
  );
}

/**
 * A line with markup and mentions taken out, as a name line would read: `**Ergün MAMEDOV**`,
 * `<b>Ergün Mamedov</b> <!channel>`, `@here Ergün MAMEDOV`, `## Ergün MAMEDOV` and
 * `[Ergün MAMEDOV](https://…)` all read `Ergün …`.
 */
function plainLine(text: string): string {
  return text
    .replace(/^#{1,6}\s+/, '')
    .replace(/!?\[([^[\]]*)\]\([^()\s]*\)/g, '$1')
    .replace(/<[^<>]*>/g, ' ')
    .replace(/(^|\s)@\S*/gu, ' ')
    .replace(/[*_~`]+/g, '')
    .replace(/\s+/g, ' ')
    .trim();
}

/**
 * Looks for the author block from `from` on by its shape: a name line, often printed twice,
 * then the bio, which usually opens with the name. Markup and mentions on the name line do not
 * hide it (see {@link plainLine}).
 */
function findAuthor(lines: Line[], from: number, to: number, requireFollow: boolean): number {
  for (let a = from; a < to; a++) {
    const name = plainLine((lines[a] as Line).text);
    const next = lines[a + 1];
    const repeated = next !== undefined && plainLine(next.text).toLowerCase() === name.toLowerCase();
    const first = nameCase(name).split(' ')[0] ?? '';
    const bioFollows = next !== undefined && first !== '' && plainLine(next.text).startsWith(`${first} `);
    if (!(isNameLine(name) || ((repeated || bioFollows) && isNameLine(name, false)))) continue;
    if (!requireFollow || repeated || bioFollows || a === to - 1) return a;
  }
  return -1;
}

/**
 * Reads the pasted web format: kicker, title, key points up to the share line, the "also
 * available in" line, body paragraphs, a `[n] …` footnote list, the author block and a
 * trailing "Similar Posts".
 */
export function readWeb(text: string): Draft {
  const warnings: ImportIssue[] = [];
  const draft: Draft = { format: 'web', keyPoints: [], otherLanguages: [], paragraphs: [], sources: [], errors: [], warnings };
  let lines = toLines(text);
  const trailer = lines.findLastIndex((l) => TRAILER.test(l.text));
  if (trailer > 1) lines = lines.slice(0, trailer);
  if (lines.length === 0) return draft;

  let i = 0;
  if (isKicker(lines)) draft.kicker = lines[i++]?.text;
  draft.title = lines[i++]?.text;
  const titleIndex = i - 1;

  const window = lines.slice(i, i + 20);
  const share = window.findIndex((l) => SHARE.test(l.text));
  const langs = window.findIndex((l) => LANGUAGES.test(l.text));
  let bodyStart = i;
  const header: Line[] = [];
  if (share >= 0 || langs >= 0) {
    bodyStart = i + Math.max(share, langs) + 1;
    const stop = i + Math.min(...[share, langs].filter((x) => x >= 0));
    header.push(...lines.slice(i, stop));
    const langLine = langs >= 0 ? lines[i + langs] : undefined;
    const printed = langLine ? (LANGUAGES.exec(langLine.text)?.[1] ?? '') : '';
    draft.otherLanguages = printed
      .split(printed.includes(',') ? /\s*,\s*/ : /\s+/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  } else {
    let k = i;
    while (k < lines.length && (k === i || !(lines[k] as Line).afterBlank)) k++;
    const block = lines.slice(i, k);
    const looksLikePoints =
      block.length >= 2 &&
      block.length <= 7 &&
      k < lines.length &&
      block.every((l) => ENDS_SENTENCE.test(l.text) && l.text.length <= 400 && !/\[\d+\]/.test(l.text));
    if (looksLikePoints && titleIndex >= 0) {
      header.push(...block);
      bodyStart = k;
    }
  }
  for (const l of header) {
    const date = parseDate(l.text);
    if (date && !draft.date) draft.date = date;
    else draft.keyPoints.push(l.text);
  }

  let footStart = lines.findIndex((l, k) => k >= bodyStart && FOOTNOTE_LINE.test(l.text));
  if (footStart < 0) footStart = lines.length;
  let bodyEnd = footStart;
  let authorAt = -1;
  if (footStart < lines.length) authorAt = findAuthor(lines, footStart, lines.length, false);
  else {
    authorAt = findAuthor(lines, Math.max(bodyStart + 1, lines.length - 3), lines.length, true);
    if (authorAt >= 0) bodyEnd = authorAt;
  }

  for (const block of toBlocks(lines.slice(bodyStart, bodyEnd))) {
    for (const p of blockParagraphs(block)) draft.paragraphs.push({ text: p.text, line: p.line } satisfies DraftParagraph);
  }
  draft.sources = readFootnotes(lines.slice(footStart, authorAt >= 0 && authorAt >= footStart ? authorAt : lines.length), warnings);
  if (authorAt >= 0) {
    const printed = plainLine((lines[authorAt] as Line).text);
    const name = nameCase(printed);
    const rest = lines.slice(authorAt + 1).filter((l) => plainLine(l.text).toLowerCase() !== printed.toLowerCase());
    const bio = rest.map((l) => l.text).join(' ');
    draft.author = bio ? { name, bio } : { name };
  }
  return draft;
}

function readFootnotes(lines: Line[], warnings: ImportIssue[]): Source[] {
  const raw: { n: number; text: string; line: number }[] = [];
  for (const l of lines) {
    const m = FOOTNOTE_LINE.exec(l.text);
    const last = raw.at(-1);
    if (m) raw.push({ n: Number.parseInt(m[1] ?? '0', 10), text: m[2] ?? '', line: l.line });
    // A source ends at its access date: what follows is not part of it.
    else if (last && !l.afterBlank && !endsWithAccessDate(last.text)) last.text = `${last.text} ${l.text}`;
    else
      warnings.push({
        code: 'ignored-text',
        line: l.line,
        message: `line ${l.line} is neither a source nor the author block: "${l.text.slice(0, 60)}" was left out`,
      });
  }
  return raw.filter((r) => r.n >= 1).map((r) => parseSourceText(r.n, r.text, r.line, warnings));
}
