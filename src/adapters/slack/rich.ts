import { mergeRanges } from '../../core/reply.ts';
import { escapeEntities, neutralizeMrkdwn, stripControls } from './escape.ts';

/**
 * Untrusted text with highlighted ranges rendered as mrkdwn (`*bold*` for the query terms),
 * and cut into pieces that each fit a section.
 */

interface Token {
  text: string;
  bold: boolean;
}

/** Longest token in code points: 64 points escape to at most 384 JSON characters. */
const TOKEN_POINTS = 64;
/** Smallest piece size chunkRichText accepts (one token plus bold markers always fits). */
export const MIN_CHUNK = 400;

const WORD = /[\p{L}\p{N}\p{M}]/u;

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/**
 * Normalises highlight ranges: clamps them to the text, widens them to whole words (Slack does
 * not bold part of a word), drops surrounding whitespace and merges overlaps.
 */
export function normalizeHighlights(text: string, highlights: readonly (readonly [number, number])[]): [number, number][] {
  const ranges: [number, number][] = [];
  for (const [rawStart, rawEnd] of highlights) {
    let start = Math.max(0, Math.min(text.length, Math.floor(rawStart)));
    let end = Math.max(0, Math.min(text.length, Math.floor(rawEnd)));
    if (!(end > start)) continue;
    if (start > 0 && isLowSurrogate(text.charCodeAt(start))) start -= 1;
    if (end < text.length && isLowSurrogate(text.charCodeAt(end))) end += 1;
    while (start < end && /\s/.test(text[start] as string)) start += 1;
    while (end > start && /\s/.test(text[end - 1] as string)) end -= 1;
    if (!(end > start)) continue;
    while (start > 0 && WORD.test(text[start - 1] as string)) start -= 1;
    while (end < text.length && WORD.test(text[end] as string)) end += 1;
    ranges.push([start, end]);
  }
  return mergeRanges(ranges);
}

function tokensOf(text: string, highlights: readonly (readonly [number, number])[]): Token[] {
  const clean = stripControls(text);
  const ranges = normalizeHighlights(clean, clean === text ? highlights : []);
  const pieces: Token[] = [];
  let at = 0;
  for (const [s, e] of ranges) {
    if (s > at) pieces.push({ text: clean.slice(at, s), bold: false });
    pieces.push({ text: clean.slice(s, e), bold: true });
    at = e;
  }
  if (at < clean.length) pieces.push({ text: clean.slice(at), bold: false });
  const tokens: Token[] = [];
  for (const piece of pieces) {
    for (const word of piece.text.match(/\s+|\S+/g) ?? []) {
      if (word.length <= TOKEN_POINTS) {
        tokens.push({ text: word, bold: piece.bold });
        continue;
      }
      // Very long words are cut (by code point) so every token fits any section.
      const points = Array.from(word);
      for (let i = 0; i < points.length; i += TOKEN_POINTS)
        tokens.push({ text: points.slice(i, i + TOKEN_POINTS).join(''), bold: piece.bold });
    }
  }
  return tokens;
}

function escaped(text: string): string {
  return escapeEntities(neutralizeMrkdwn(text));
}

/** Length of text once serialised inside a JSON string (what the message size limit counts). */
export function jsonLength(text: string): number {
  return JSON.stringify(text).length - 2;
}

function render(tokens: readonly Token[]): string {
  let out = '';
  let i = 0;
  while (i < tokens.length) {
    const token = tokens[i] as Token;
    if (!token.bold) {
      out += escaped(token.text);
      i += 1;
      continue;
    }
    let run = '';
    while (i < tokens.length && (tokens[i] as Token).bold) {
      run += (tokens[i] as Token).text;
      i += 1;
    }
    const m = /^(\s*)([\s\S]*?)(\s*)$/.exec(run) as RegExpExecArray;
    const [, lead = '', core = '', trail = ''] = m;
    out += core ? `${lead}*${escaped(core)}*${trail}` : run;
  }
  return out;
}

/** Renders text with its highlights as one mrkdwn string. */
export function richText(text: string, highlights: readonly (readonly [number, number])[] = []): string {
  return render(tokensOf(text, highlights));
}

/**
 * Renders text with highlights as mrkdwn pieces whose JSON-serialised length is at most `max`
 * each (so the mrkdwn itself is at most `max` too), cut between words where possible and never
 * inside an entity or a bold run's markers. Returns at least one piece ('' for empty text).
 */
export function chunkRichText(text: string, highlights: readonly (readonly [number, number])[], max: number): string[] {
  if (max < MIN_CHUNK) throw new RangeError(`chunkRichText: max ${max} is too small; use at least ${MIN_CHUNK}`);
  const tokens = tokensOf(text, highlights);
  const chunks: string[] = [];
  let current: Token[] = [];
  let estimate = 0;
  for (const token of tokens) {
    const size = jsonLength(escaped(token.text));
    const prev = current.at(-1);
    if (current.length && estimate + size + (token.bold && !prev?.bold ? 2 : 0) > max) {
      chunks.push(render(current).trim());
      current = [];
      estimate = 0;
    }
    if (current.length === 0 && /^\s+$/.test(token.text)) continue;
    const opensRun = token.bold && !current.at(-1)?.bold;
    current.push(token);
    estimate += size + (opensRun ? 2 : 0);
  }
  if (current.length) chunks.push(render(current).trim());
  const nonEmpty = chunks.filter((c) => c.length > 0);
  return nonEmpty.length ? nonEmpty : [''];
}

/**
 * Footnote markers for citations the text does not already show, e.g. ` [6][7]`.
 */
export function footnoteSuffix(text: string, citations: readonly number[]): string {
  const missing = [...new Set(citations)].filter((n) => !text.includes(`[${n}]`));
  return missing.length ? ` ${missing.map((n) => `[${n}]`).join('')}` : '';
}
