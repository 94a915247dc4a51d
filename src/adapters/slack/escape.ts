/**
 * Escaping for text we did not write (article text, titles, user input echoed back).
 *
 * Slack parses `<…>` in mrkdwn and in a message's `text` as mentions (`<!channel>`, `<@U123>`,
 * `<#C1>`) and links (`<https://x|label>`). Escaping `&`, `<` and `>` as entities makes any such
 * sequence in untrusted text literal. Slack's mrkdwn has no escape for `*`, `_`, `~` and `` ` ``,
 * so in untrusted text they are replaced by look-alike characters that cannot pair up with our
 * own bold markers or open a code span.
 */

const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };

/** Replaces `&`, `<`, `>` with Slack's entities. */
export function escapeEntities(text: string): string {
  return text.replace(/[&<>]/g, (c) => ENTITY[c] as string);
}

const LOOK_ALIKE: Record<string, string> = {
  '*': '\u2217', // ∗ asterisk operator
  _: '\u02cd', // ˍ modifier letter low macron
  '~': '\u223c', // ∼ tilde operator
  '`': '\u02cb', // ˋ modifier letter grave accent
};

/** Replaces mrkdwn formatting characters with look-alikes that Slack does not interpret. */
export function neutralizeMrkdwn(text: string): string {
  return text.replace(/[*_~`]/g, (c) => LOOK_ALIKE[c] as string);
}

/**
 * Makes untrusted text safe to place in a mrkdwn field or a message's `text`: no mentions,
 * no links of its own making, no formatting that could swallow ours.
 *
 * @example mrkdwnText('<!channel> *now*') // '&lt;!channel&gt; ∗now∗'
 */
export function mrkdwnText(text: string): string {
  return escapeEntities(neutralizeMrkdwn(stripControls(text)));
}

/**
 * The bot's own command line as an inline code span, so it can be copied as it is: Slack does
 * not format inside code, so `*` and `_` stay (no look-alikes). A backtick, which would end the
 * span, becomes a look-alike; `&`, `<`, `>` are entities as everywhere; cut to `max` characters.
 *
 * @example codeSpan('/digest subscribe 30 8 * * 1-5 America/New_York', 100) // '`/digest subscribe 30 8 * * 1-5 America/New_York`'
 */
export function codeSpan(text: string, max: number): string {
  const inner = truncate(oneLine(stripControls(text)).replace(/`/g, LOOK_ALIKE['`'] as string), Math.max(1, max - 2));
  return `\`${escapeEntities(inner)}\``;
}

/**
 * Text for `plain_text` objects (headers, button labels). Slack does not parse them, but angle
 * brackets are still swapped for look-alikes so no rendering of ours ever contains `<!…>`.
 */
export function plainText(text: string, max: number): string {
  return truncate(stripControls(text).replace(/</g, '\u2039').replace(/>/g, '\u203a'), max);
}

/** Drops C0/C1 controls other than newline and tab, and bidi overrides that can disguise text. */
export function stripControls(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/g, '');
}

/**
 * A URL safe to place inside `<url|label>`, or undefined when it is not http(s). Characters that
 * would end the link early (`|`, `>`, whitespace) are percent-encoded and `&` becomes `&amp;`.
 */
export function linkUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  const trimmed = url.trim();
  if (!/^https?:\/\//i.test(trimmed) || !URL.canParse(trimmed) || trimmed.length > 1500) return undefined;
  const encoded = trimmed.replace(/[\s|<>"]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return encoded.replace(/&/g, '&amp;');
}

/** `<url|label>` when the URL is usable, otherwise the escaped label alone. */
export function link(url: string | undefined, label: string): string {
  const safeLabel = mrkdwnText(label).replace(/\|/g, '\u2223');
  const safeUrl = linkUrl(url);
  return safeUrl ? `<${safeUrl}|${safeLabel}>` : safeLabel;
}

/**
 * What a user typed, from the text Slack delivers: Slack sends every message and slash command
 * with `&`, `<` and `>` as entities, and links and channels it detected as `<url|as typed>` and
 * `<#C123|name>`. Without this, `/ask R&D` searched for a word "amp" and
 * `/register https://x/?a=1&b=2` fetched `…&amp;b=2`. Other `<…>` forms (mentions) stay as sent.
 *
 * @example slackInputText('R&amp;D &lt;grids&gt; <https://x.org/?a=1&amp;b=2|x.org>') // 'R&D <grids> https://x.org/?a=1&b=2'
 */
export function slackInputText(text: string): string {
  return text
    .replace(/<((?:https?|mailto):[^|<>]*)(?:\|[^<>]*)?>/gi, '$1')
    .replace(/<#[A-Z0-9]+\|([^<>]*)>/g, '#$1')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&amp;/g, '&');
}

/** Collapses all whitespace (newlines included) to single spaces: for labels, titles and names. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Cuts text to at most `max` UTF-16 units without splitting a surrogate pair, adding `…` when cut. */
export function truncate(text: string, max: number): string {
  if (text.length <= max) return text;
  let cut = max - 1;
  const code = text.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut)}…`;
}

/** Cuts already-escaped mrkdwn without leaving half an entity (`&am`) at the end. */
export function truncateEscaped(text: string, max: number): string {
  if (text.length <= max) return text;
  let out = truncate(text, max);
  out = out.replace(/&[a-z]{0,4}…$/, '…');
  return out;
}

/** A Slack user id as a mention, only when it looks like one (so no input can forge `<!…>`). */
export function userMention(userId: string): string {
  return /^[UW][A-Z0-9]{2,20}$/.test(userId) ? `<@${userId}>` : mrkdwnText(userId);
}
