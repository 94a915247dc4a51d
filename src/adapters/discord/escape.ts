import { mergeRanges } from '../../core/reply.ts';

/**
 * Escaping of untrusted text (article passages, titles, user input echoed back) for Discord
 * markdown, so it renders literally: no bold or code, no headings, quotes, lists or spoilers,
 * no masked links, and no mentions (`@everyone`, `<@123>`, `<@&456>`, `<#789>`) or timestamps.
 * Mentions are also disarmed by `allowedMentions: { parse: [] }` on the client; escaping makes
 * them display as plain text as well.
 */

/** Bare links are left intact (Discord shows their real target) so they stay clickable. */
const URL_PATTERN = /https?:\/\/[^\s<>\\|*~`[\]()]*[^\s<>\\|*~`[\]().,:;"'_]/g;
/** Characters that start markdown anywhere in a line. */
const INLINE_SPECIAL = /[\\*_~`|[\]()<>#]/g;
/** Bidirectional overrides and isolates can disguise text; zero-width joiners are kept. */
const BIDI_CONTROLS = /[\u202a-\u202e\u2066-\u2069]/g;
/** Fast path: most prose has none of these, and is returned as it is. */
const NEEDS_ESCAPING = /[\\*_~`|[\]()<>#@:\r\u202a-\u202e\u2066-\u2069]|^[ \t]*(?:[-+]|\d+\.\s)/m;

function escapeInline(text: string): string {
  return text.replace(INLINE_SPECIAL, '\\$&').replace(/@(everyone|here)/gi, '@\u200b$1');
}

/**
 * Returns `text` escaped for Discord markdown.
 *
 * @example escapeMarkdown('**hi** <@&456> @everyone') // '\\*\\*hi\\*\\* \\<@&456\\> @\u200beveryone'
 */
export function escapeMarkdown(text: string): string {
  if (!NEEDS_ESCAPING.test(text)) return text;
  const clean = text.replace(/\r\n?/g, '\n').replace(BIDI_CONTROLS, '');
  let out = '';
  let last = 0;
  for (const match of clean.matchAll(URL_PATTERN)) {
    out += escapeInline(clean.slice(last, match.index));
    out += match[0].replace(/@(everyone|here)/gi, '@\u200b$1');
    last = match.index + match[0].length;
  }
  out += escapeInline(clean.slice(last));
  // Line-start markers: lists (`- `, `+ `, `1. `), subtext (`-# `), already-escaped `#` and `>`.
  return out.replace(/^([ \t]*)([-+])/gm, '$1\\$2').replace(/^([ \t]*\d+)\.(?=\s)/gm, '$1\\.');
}

/** Cuts `text` to at most `max` UTF-16 units without splitting a surrogate pair. */
export function cut(text: string, max: number): string {
  if (text.length <= max) return text;
  let end = Math.max(0, max);
  const code = text.charCodeAt(end - 1);
  if (code >= 0xd800 && code <= 0xdbff) end -= 1;
  return text.slice(0, end);
}

/**
 * Shortens plain `text` so that `render(shortened)` fits in `max` characters, cutting at a word
 * boundary when one is near and marking the cut with an ellipsis. `render` is applied to the
 * plain text (escaping, highlighting), so no escape sequence or markup is ever cut in half.
 */
export function fitRendered(text: string, max: number, render: (plain: string, cutAt: number) => string): string {
  const whole = render(text, text.length);
  if (whole.length <= max) return whole;
  let lo = 0;
  let hi = text.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (render(`${cut(text, mid)}…`, mid).length <= max) lo = mid;
    else hi = mid - 1;
  }
  let keep = cut(text, lo);
  const space = keep.lastIndexOf(' ');
  if (space > keep.length * 0.8) keep = keep.slice(0, space);
  keep = keep.trimEnd();
  const shortened = render(`${keep}…`, keep.length);
  return shortened.length <= max ? shortened : '';
}

/** `text` escaped and cut to `max` characters. */
export function escapeFit(text: string, max: number): string {
  return fitRendered(text, max, (plain) => escapeMarkdown(plain));
}

/**
 * Escapes `text` and wraps the `[start, end)` ranges in bold. Ranges are clipped, sorted and
 * merged first; a range that touches only whitespace is dropped.
 */
export function escapeWithHighlights(text: string, highlights: readonly [number, number][]): string {
  const ranges = mergeRanges(highlights, text.length);
  let out = '';
  let pos = 0;
  for (const [start, end] of ranges) {
    out += escapeMarkdown(text.slice(pos, start));
    const inner = text.slice(start, end);
    // Bold markers must hug non-space text to render; keep surrounding spaces outside.
    const lead = inner.length - inner.trimStart().length;
    const core = inner.trim();
    out += inner.slice(0, lead);
    out += core ? `**${escapeMarkdown(core)}**` : '';
    out += inner.slice(lead + core.length);
    pos = end;
  }
  return out + escapeMarkdown(text.slice(pos));
}

/**
 * The bot's own command line as inline code, shown (and copied) exactly as written: Discord does
 * not format inside code, so nothing needs a backslash. A backtick, which would end the span,
 * becomes a look-alike; line breaks become spaces; cut to `max` characters with the ticks.
 *
 * @example inlineCode('/digest subscribe when:30 8 * * 1-5', 100) // '`/digest subscribe when:30 8 * * 1-5`'
 */
export function inlineCode(text: string, max: number): string {
  const inner = text.replace(BIDI_CONTROLS, '').replace(/`/g, '\u02cb').replace(/\s+/g, ' ').trim();
  return `\`${cut(inner, Math.max(1, max - 2)) || ' '}\``;
}

/**
 * For places Discord shows as plain text (embed footers, button labels, autocomplete choices):
 * no markdown is rendered there, so only mention-like syntax is broken up, with a zero-width
 * space, so it can never display as (or be copied as) a ping.
 */
export function plainSafe(text: string): string {
  return text
    .replace(BIDI_CONTROLS, '')
    .replace(/@(everyone|here)/gi, '@\u200b$1')
    .replace(/<(?=[@#!:/]|a:|t:)/g, '<\u200b');
}
