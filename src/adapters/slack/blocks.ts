import type { Invocation, OkReply, Reply, SourceRef } from '../../core/reply.ts';
import {
  ACTION_RUN_PREFIX,
  ACTION_SHARE,
  type ButtonElement,
  SLACK_LIMITS,
  type SlackBlock,
  type SlackLimits,
  type SlackMessage,
} from './block-types.ts';
import { codeSpan, escapeEntities, link, mrkdwnText, oneLine, plainText, truncate, truncateEscaped, userMention } from './escape.ts';
import { chunkRichText, footnoteSuffix, jsonLength, MIN_CHUNK } from './rich.ts';
import { blockSize, pack, sourceKey, type Unit } from './split.ts';

/**
 * Renders a Reply as Block Kit: a header, a section per excerpt (query terms in bold, footnote
 * numbers), a context block per cited source as `<url|title>` with outlet and access date, the
 * footer, and buttons; split into as many messages as Slack's limits require.
 */

export interface RenderOptions {
  /** Value for the "Share in channel" button, shown when the reply offers sharing. */
  shareValue?: string;
  /** Button value for a `run` action (re-runs that invocation); no button when it returns undefined. */
  encodeRun?: (invocation: Invocation) => string | undefined;
  /** Slack user id of whoever shared the answer publicly. */
  sharedBy?: string;
  limits?: SlackLimits;
  /** At most this many messages (a response_url takes five); the last one says what was cut. */
  maxMessages?: number;
}

const MAX_BUTTONS = 25;

/** The context line for one source: `[6] Author, <url|Title> · Outlet · accessed 2025-05-23`. */
export function sourceLine(source: SourceRef): string {
  const author = oneLine(source.author ?? '') ? `${truncateEscaped(mrkdwnText(oneLine(source.author ?? '')), 200)}, ` : '';
  const title = truncate(oneLine(source.title) || `Source ${source.n}`, 200);
  const parts = [`*[${source.n}]* ${author}${link(source.url, title)}`];
  if (oneLine(source.outlet)) parts.push(truncateEscaped(mrkdwnText(oneLine(source.outlet)), 200));
  if (source.accessed) parts.push(`accessed ${mrkdwnText(oneLine(source.accessed).slice(0, 20))}`);
  return parts.join(' · ');
}

function sourceBlock(source: SourceRef): SlackBlock {
  const blockId = `source-${source.articleId.slice(0, 100)}-${source.n}`;
  return { type: 'context', block_id: blockId, elements: [{ type: 'mrkdwn', text: sourceLine(source) }] };
}

function sections(idPrefix: string, chunks: string[]): SlackBlock[] {
  return chunks.map((text, i) => ({ type: 'section', block_id: `${idPrefix}-${i}`, text: { type: 'mrkdwn', text } }));
}

/** Section text budget for an excerpt so one piece and all its footnotes fit one message. */
function excerptBudget(limits: SlackLimits, footnoteChars: number, reserveChars: number): number {
  const room = limits.messageChars - reserveChars - footnoteChars - 400;
  return Math.max(MIN_CHUNK, Math.min(limits.sectionChars, room));
}

function excerptUnits(reply: OkReply, limits: SlackLimits, sourceBlocks: Map<string, SlackBlock>, reserveChars: number): Unit[] {
  return reply.excerpts.map((excerpt, i) => {
    const cited = [...new Set(excerpt.citations.map((n) => sourceKey(excerpt.articleId, n)))].filter((key) => sourceBlocks.has(key));
    const footnoteChars = cited.reduce((sum, key) => sum + blockSize(sourceBlocks.get(key) as SlackBlock) + 1, 0);
    const labelText = oneLine(excerpt.label ?? '');
    const label = labelText ? `*${truncateEscaped(mrkdwnText(labelText), 300)}*\n` : '';
    const suffix = footnoteSuffix(excerpt.text, excerpt.citations.slice(0, 20));
    const budget = excerptBudget(limits, footnoteChars, reserveChars) - jsonLength(label) - suffix.length;
    const chunks = chunkRichText(excerpt.text, excerpt.highlights, Math.max(MIN_CHUNK, budget));
    chunks[0] = `${label}${chunks[0]}`;
    chunks[chunks.length - 1] = `${chunks.at(-1)}${suffix}`;
    return { blocks: sections(`excerpt-${i}`, chunks), sources: cited };
  });
}

function itemUnits(reply: OkReply, limits: SlackLimits): Unit[] {
  const units: Unit[] = [];
  let lines: string[] = [];
  let size = 0;
  const flush = () => {
    if (lines.length) units.push({ blocks: sections(`items-${units.length}`, [lines.join('\n')]), sources: [] });
    lines = [];
    size = 0;
  };
  for (const item of reply.items ?? []) {
    const labelText = oneLine(item.label ?? '');
    const label = !labelText
      ? ''
      : item.literal === 'label'
        ? `${codeSpan(labelText, 300)} `
        : `*${truncateEscaped(mrkdwnText(labelText), 300)}* `;
    const room = Math.max(MIN_CHUNK, limits.sectionChars - jsonLength(label) - 10);
    const pieces = item.literal === 'text' ? [codeSpan(oneLine(item.text), room)] : chunkRichText(item.text, [], room);
    pieces.forEach((piece, k) => {
      const line = `${k === 0 ? `• ${label}` : ''}${piece}`;
      const cost = jsonLength(line) + 2;
      if (lines.length && (size + cost > limits.sectionChars || lines.length >= 10)) flush();
      lines.push(line);
      size += cost;
    });
  }
  flush();
  return units;
}

function actionBlock(reply: OkReply, options: RenderOptions): SlackBlock | undefined {
  const buttons: ButtonElement[] = [];
  const share = reply.actions?.find((a) => a.type === 'share');
  if (share && options.shareValue && reply.visibility === 'private') {
    const label = share.label || 'Share in channel';
    buttons.push({
      type: 'button',
      action_id: ACTION_SHARE,
      text: { type: 'plain_text', text: plainText(oneLine(label) || 'Share in channel', 75), emoji: true },
      value: options.shareValue,
      style: 'primary',
    });
  }
  for (const action of reply.actions ?? []) {
    if (action.type !== 'run' || buttons.length >= MAX_BUTTONS) continue;
    const value = options.encodeRun?.(action.invoke);
    if (value === undefined) continue;
    buttons.push({
      type: 'button',
      action_id: `${ACTION_RUN_PREFIX}${buttons.length}`,
      text: { type: 'plain_text', text: plainText(oneLine(action.label) || 'Open', 75), emoji: true },
      value,
    });
  }
  return buttons.length ? { type: 'actions', block_id: 'actions', elements: buttons } : undefined;
}

function fallbackText(reply: OkReply): string {
  const first = reply.text ?? reply.excerpts[0]?.text ?? reply.items?.[0]?.text ?? '';
  const summary = first ? `: ${truncate(first.replace(/\s+/g, ' '), 300)}` : '';
  return mrkdwnText(`${truncate(reply.title, 150)}${summary}`);
}

function partNote(part: number, total: number, cut: boolean): string {
  return cut
    ? `continued, ${part}/${total}; the remaining ${total - part} parts were cut: narrow the question`
    : `continued, ${part}/${total}`;
}

function continuedBlock(title: string, note: string): SlackBlock {
  return {
    type: 'context',
    block_id: 'continued',
    elements: [{ type: 'mrkdwn', text: `*${truncateEscaped(mrkdwnText(truncate(oneLine(title) || 'Answer', 150)), 800)}* (${note})` }],
  };
}

/**
 * Renders an error reply: one private section naming the problem. Messages may quote user
 * input, so they are escaped like article text unless `ours` says the text is the adapter's own
 * (entities are escaped either way).
 */
export function renderError(message: string, ours = false): SlackMessage {
  const text = truncate(message, 2500);
  const safe = ours ? escapeEntities(text) : mrkdwnText(text);
  return {
    text: safe,
    blocks: [{ type: 'section', block_id: 'error', text: { type: 'mrkdwn', text: `:warning: ${safe}` } }],
  };
}

/**
 * Renders any reply as one or more messages within `limits` (Slack's by default).
 *
 * @example renderReply(reply, { shareValue }).length // 1 for a short answer
 */
export function renderReply(reply: Reply, options: RenderOptions = {}): SlackMessage[] {
  if (!reply.ok) return [renderError(reply.error.message)];
  const limits = options.limits ?? SLACK_LIMITS;
  const reserveChars = blockSize(continuedBlock(reply.title, partNote(999, 999, true))) + 1;
  const sourceBlocks = new Map<string, SlackBlock>();
  for (const source of reply.sources) sourceBlocks.set(sourceKey(source.articleId, source.n), sourceBlock(source));

  const head: SlackBlock[] = [];
  if (options.sharedBy) {
    head.push({
      type: 'context',
      block_id: 'shared-by',
      elements: [{ type: 'mrkdwn', text: `Shared by ${userMention(options.sharedBy)}` }],
    });
  }
  head.push({
    type: 'header',
    block_id: 'title',
    text: { type: 'plain_text', text: plainText(oneLine(reply.title) || reply.command, 150), emoji: true },
  });

  const units: Unit[] = [];
  if (reply.text) units.push({ blocks: sections('lead', chunkRichText(reply.text, [], limits.sectionChars)), sources: [] });
  units.push(...excerptUnits(reply, limits, sourceBlocks, reserveChars));
  units.push(...itemUnits(reply, limits));
  const cited = new Set(reply.excerpts.flatMap((e) => e.citations.map((n) => sourceKey(e.articleId, n))));
  for (const key of sourceBlocks.keys()) if (!cited.has(key)) units.push({ blocks: [], sources: [key] });

  const tail: SlackBlock[] = [];
  if (reply.footer) {
    const footer = truncateEscaped(mrkdwnText(reply.footer), 2000);
    tail.push({ type: 'context', block_id: 'footer', elements: [{ type: 'mrkdwn', text: footer }] });
  }
  const actions = actionBlock(reply, options);
  if (actions) tail.push(actions);

  const packed = pack({ head, units, sourceBlocks, tail, limits, reserve: { blocks: 1, chars: reserveChars } });
  const kept = packed.slice(0, Math.max(1, options.maxMessages ?? packed.length));
  const text = fallbackText(reply);
  return kept.map((blocks, i) => {
    if (i === 0) return { text, blocks };
    const note = partNote(i + 1, packed.length, i === kept.length - 1 && kept.length < packed.length);
    return { text: mrkdwnText(`${truncate(reply.title, 150)} (${note})`), blocks: [continuedBlock(reply.title, note), ...blocks] };
  });
}
