import type { APIEmbed, APIEmbedField } from 'discord.js';
import { cut } from './escape.ts';
import { type DiscordMessage, LIMITS } from './limits.ts';

/**
 * Packs rendered blocks into embeds and messages within every Discord limit. A block is one
 * unit that must not be split: an excerpt with its footnote numbers, plus the source fields it
 * cites. Each message carries the fields of the sources its excerpts cite, so no excerpt is
 * ever separated from its footnotes.
 */

/** One unsplittable piece of an answer. `text` is markdown, already escaped and within limits. */
export interface Block {
  text: string;
  /** Separator placed before `text` when it follows another block in the same embed. */
  separator: string;
  /** Source fields this block needs in the same message; `key` de-duplicates them. */
  fields: KeyedField[];
}

export interface KeyedField extends APIEmbedField {
  key: string;
}

export interface PackOptions {
  /** Escaped title for the first embed of every message; continuations get ` (2/3)`. */
  title: string;
  /** Plain footer for the last embed of every message. */
  footer?: string;
  color?: number;
}

/** Room kept for a ` (10/12)` suffix on continuation titles. */
const SUFFIX_ROOM = 10;
/** Room kept in each message for its title and footer. */
export function reservedLength(options: PackOptions): number {
  return Math.min(options.title.length, LIMITS.title - SUFFIX_ROOM) + SUFFIX_ROOM + (options.footer?.length ?? 0);
}

/** The largest block a single empty message can take (callers shorten text to fit). */
export function maxBlockLength(options: PackOptions): number {
  return LIMITS.embedTotal - reservedLength(options);
}

interface Draft {
  embeds: { parts: string[]; length: number; fields: KeyedField[] }[];
  fieldKeys: Set<string>;
  total: number;
}

/** Returns the messages carrying `blocks` in order; every message is within Discord's limits. */
export function packBlocks(blocks: readonly Block[], options: PackOptions): DiscordMessage[] {
  const budget = LIMITS.embedTotal - reservedLength(options);
  const drafts: Draft[] = [];
  let draft = newDraft();
  for (const block of blocks) {
    const placed = tryPlace(draft, block, budget);
    if (placed) continue;
    if (!isEmpty(draft)) drafts.push(draft);
    draft = newDraft();
    if (!tryPlace(draft, block, budget)) placeForced(draft, block);
  }
  if (!isEmpty(draft) || drafts.length === 0) drafts.push(draft);
  return drafts.map((d, i) => toMessage(d, i, drafts.length, options));
}

function newDraft(): Draft {
  return { embeds: [], fieldKeys: new Set(), total: 0 };
}

function isEmpty(d: Draft): boolean {
  return d.embeds.length === 0;
}

function tryPlace(draft: Draft, block: Block, budget: number): boolean {
  const newFields = uniqueNew(block.fields, draft.fieldKeys);
  const fieldLength = newFields.reduce((n, f) => n + f.name.length + f.value.length, 0);
  const current = draft.embeds.at(-1);
  if (current) {
    const textLength = block.text ? (current.parts.length ? block.separator.length : 0) + block.text.length : 0;
    const fits =
      current.length + textLength <= LIMITS.description &&
      current.fields.length + newFields.length <= LIMITS.fields &&
      draft.total + textLength + fieldLength <= budget;
    if (fits) {
      if (block.text) current.parts.push(current.parts.length ? block.separator + block.text : block.text);
      current.length += textLength;
      addFields(draft, current.fields, newFields, textLength + fieldLength);
      return true;
    }
  }
  const fitsNew =
    draft.embeds.length < LIMITS.embeds &&
    block.text.length <= LIMITS.description &&
    newFields.length <= LIMITS.fields &&
    draft.total + block.text.length + fieldLength <= budget;
  if (!fitsNew) return false;
  const embed = { parts: block.text ? [block.text] : [], length: block.text.length, fields: [] as KeyedField[] };
  draft.embeds.push(embed);
  addFields(draft, embed.fields, newFields, block.text.length + fieldLength);
  return true;
}

/** A block too large even for an empty message (callers prevent this): keep what fits. */
function placeForced(draft: Draft, block: Block): void {
  const fields = uniqueNew(block.fields, draft.fieldKeys).slice(0, LIMITS.fields);
  const text = cut(block.text, LIMITS.description);
  draft.embeds.push({ parts: text ? [text] : [], length: text.length, fields: [] });
  addFields(draft, (draft.embeds.at(-1) as Draft['embeds'][number]).fields, fields, text.length);
}

function uniqueNew(fields: readonly KeyedField[], seen: ReadonlySet<string>): KeyedField[] {
  const out: KeyedField[] = [];
  const keys = new Set<string>();
  for (const f of fields) {
    if (seen.has(f.key) || keys.has(f.key)) continue;
    keys.add(f.key);
    out.push(f);
  }
  return out;
}

function addFields(draft: Draft, target: KeyedField[], fields: KeyedField[], added: number): void {
  for (const f of fields) {
    target.push(f);
    draft.fieldKeys.add(f.key);
  }
  draft.total += added;
}

function toMessage(draft: Draft, index: number, count: number, options: PackOptions): DiscordMessage {
  const suffix = count > 1 && index > 0 ? ` (${index + 1}/${count})` : '';
  const title = cut(options.title, LIMITS.title - suffix.length) + suffix;
  const embeds: APIEmbed[] = draft.embeds.map((e) => {
    const embed: APIEmbed = {};
    if (options.color !== undefined) embed.color = options.color;
    if (e.parts.length) embed.description = e.parts.join('');
    if (e.fields.length) embed.fields = e.fields.map(({ name, value, inline }) => ({ name, value, ...(inline ? { inline } : {}) }));
    return embed;
  });
  if (embeds.length === 0) embeds.push(options.color !== undefined ? { color: options.color } : {});
  const first = embeds[0] as APIEmbed;
  if (title) first.title = title;
  else if (!first.description && !first.fields) first.description = '\u200b';
  const last = embeds.at(-1) as APIEmbed;
  if (options.footer) last.footer = { text: options.footer };
  return { embeds };
}
