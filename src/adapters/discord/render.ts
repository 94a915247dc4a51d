import type { Excerpt, OkReply, Reply, SourceRef } from '../../core/reply.ts';
import { cut, escapeFit, escapeWithHighlights, fitRendered, inlineCode, plainSafe } from './escape.ts';
import { type DiscordMessage, LIMITS } from './limits.ts';
import { type Block, type KeyedField, maxBlockLength, type PackOptions, packBlocks } from './split.ts';

/**
 * Renders a core Reply as Discord messages: embeds with the title, excerpts (query terms in
 * bold, footnote numbers), sources as fields with masked links, and the footer. Every string
 * from the reply is treated as plain text and escaped; only this file adds markdown.
 */

export const EMBED_COLOR = 0x2f6f9f;
const ERROR_PREFIX = '⚠️ ';
const FOOTER_MAX = 400;
/** Fields for one excerpt may use at most this much, so the excerpt itself keeps room. */
const FIELDS_PER_BLOCK = 3000;
const FIELD_VALUE_MAX = 400;
const FIELD_NAME_MAX = 70;

/** Renders `reply` to one or more messages (no buttons; see components.ts). */
export function renderReply(reply: Reply): DiscordMessage[] {
  if (!reply.ok) return [{ content: renderError(reply.error.message), embeds: [] }];
  return renderOk(reply);
}

/** An error or notice as message content: escaped and within the content limit. */
export function renderError(message: string): string {
  return ERROR_PREFIX + escapeFit(message, LIMITS.content - ERROR_PREFIX.length);
}

function renderOk(reply: OkReply): DiscordMessage[] {
  const options: PackOptions = {
    title: escapeFit(reply.title || reply.command, LIMITS.title - 10),
    color: EMBED_COLOR,
  };
  if (reply.footer) options.footer = cut(plainSafe(reply.footer.replace(/\s+/g, ' ').trim()), FOOTER_MAX);
  const maxBlock = maxBlockLength(options);
  const sources = new Map(reply.sources.map((s) => [sourceKey(s), s]));
  const blocks: Block[] = [];
  const cited = new Set<string>();

  if (reply.text) {
    for (const para of reply.text.split(/\n{2,}/)) {
      if (para.trim()) blocks.push({ text: escapeFit(para.trim(), LIMITS.description), separator: '\n\n', fields: [] });
    }
  }
  for (const excerpt of reply.excerpts) {
    const fields = fieldsFor(excerpt, reply.sources);
    for (const f of fields) cited.add(f.key);
    const fieldLength = fields.reduce((n, f) => n + f.name.length + f.value.length, 0);
    const room = Math.min(LIMITS.description, maxBlock - fieldLength);
    blocks.push({ text: renderExcerpt(excerpt, room), separator: '\n\n', fields });
  }
  for (const item of reply.items ?? []) {
    const label = !item.label ? '• ' : item.literal === 'label' ? `${inlineCode(item.label, 200)} ` : `**${escapeFit(item.label, 200)}** `;
    const room = LIMITS.description - label.length;
    const text = item.literal === 'text' ? inlineCode(item.text, room) : escapeFit(item.text, room);
    blocks.push({ text: label + text, separator: '\n', fields: [] });
  }
  for (const [key, source] of sources) {
    if (!cited.has(key)) blocks.push({ text: '', separator: '', fields: [sourceField(source)] });
  }
  return packBlocks(blocks, options);
}

function sourceKey(s: SourceRef): string {
  return `${s.articleId}#${s.n}`;
}

/**
 * The fields for the sources an excerpt cites, in citation order. All of them are kept (up to
 * Discord's 25): the more there are, the shorter each field is written.
 */
function fieldsFor(excerpt: Excerpt, sources: readonly SourceRef[]): KeyedField[] {
  const cited: SourceRef[] = [];
  for (const n of excerpt.citations) {
    const source = sources.find((s) => s.n === n && s.articleId === excerpt.articleId);
    if (source && !cited.includes(source)) cited.push(source);
  }
  const kept = cited.slice(0, LIMITS.fields);
  const each = Math.floor(FIELDS_PER_BLOCK / Math.max(1, kept.length));
  return kept.map((s) =>
    sourceField(
      s,
      Math.min(FIELD_NAME_MAX, Math.floor(each / 3)),
      Math.min(FIELD_VALUE_MAX, each - Math.min(FIELD_NAME_MAX, Math.floor(each / 3))),
    ),
  );
}

/**
 * The excerpt as markdown: its label in bold on its own line, the text with highlights in bold,
 * then the footnote numbers it cites (unless the text already prints them).
 */
export function renderExcerpt(excerpt: Excerpt, max: number): string {
  const label = excerpt.label ? `**${escapeFit(excerpt.label, 200)}**\n` : '';
  const text = excerpt.text.trim();
  const markers = excerpt.citations
    .filter((n) => !text.includes(`[${n}]`))
    .map((n) => `\\[${n}\\]`)
    .join('');
  const tail = markers ? ` ${markers}` : '';
  const room = Math.max(0, max - label.length - tail.length);
  const body = fitRendered(text, room, (plain, cutAt) => escapeWithHighlights(plain, clip(excerpt.highlights, cutAt)));
  return label + body + tail;
}

function clip(ranges: readonly [number, number][], end: number): [number, number][] {
  return ranges.filter(([s]) => s < end).map(([s, e]) => [s, Math.min(e, end)] as [number, number]);
}

/**
 * A source as an embed field: `[6] TV BRICS` over the title as a masked link to its URL, the
 * author and the access date, shortened step by step to fit `maxValue`. A title that itself
 * looks like a link is not masked, so the visible text never pretends to be another address.
 */
export function sourceField(source: SourceRef, maxName = FIELD_NAME_MAX, maxValue = FIELD_VALUE_MAX): KeyedField {
  const number = `\\[${source.n}\\]`;
  const outlet = source.outlet ? ` ${escapeFit(source.outlet, Math.max(0, maxName - number.length - 1))}` : '';
  const name = cut(outlet.trim() ? number + outlet : number, LIMITS.fieldName);
  const url = safeUrl(source.url);
  const bare = source.title.replace(/^["“”]+|["“”]+$/g, '');
  const looksLikeLink = /https?:|www\.|\.[a-z]{2,}\//i.test(bare);
  const meta = [source.author ? escapeFit(source.author, 80) : '', source.accessed ? `accessed ${escapeFit(source.accessed, 20)}` : '']
    .filter(Boolean)
    .join(' · ');
  const quoted = `“${bare}”`;
  const linked = (titleMax: number) => {
    const title = escapeFit(quoted, titleMax);
    if (!url || !title) return title;
    return looksLikeLink ? `${title}\n${url}` : `[${title}](${url})`;
  };
  const linkRoom = url ? url.length + 4 : 0;
  const candidates = [`${linked(200)}${meta ? `\n${meta}` : ''}`, linked(200), linked(maxValue - linkRoom), escapeFit(quoted, maxValue)];
  const value = candidates.find((v) => v.length > 0 && v.length <= maxValue) ?? '';
  return { key: sourceKey(source), name, value: value || '\u200b' };
}

/** Only http(s) links, percent-encoding what would end a markdown link early. */
export function safeUrl(raw: string | undefined): string | undefined {
  if (!raw || !URL.canParse(raw)) return undefined;
  const url = new URL(raw);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  const href = url.href.replace(/[()<>\s\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
  return href.length <= 300 ? href : undefined;
}
