import { randomBytes } from 'node:crypto';
import type { Invocation, OkReply } from '../../core/reply.ts';
import { cut, plainSafe } from './escape.ts';
import { type ActionRow, type Button, LIMITS } from './limits.ts';

/**
 * Buttons under an answer and the invocations they carry. A button's custom_id holds the
 * invocation itself when it fits in Discord's 100 characters (`r:{json}`), otherwise a key
 * into a short-lived cache (`r#key`), which lives as long as an interaction token (15 min).
 */

export type ButtonKind = 'share' | 'run';
const PREFIX: Record<ButtonKind, string> = { share: 's', run: 'r' };

/** A button press decoded: what to run, and whether to post it publicly. */
export type DecodedButton = { kind: ButtonKind; invocation: Invocation } | { kind: ButtonKind; expired: true } | undefined;

/** Remembers invocations too long for a custom_id. Bounded and expiring. */
export class InvocationCache {
  readonly #entries = new Map<string, { invocation: Invocation; expires: number }>();
  readonly #ttlMs: number;
  readonly #max: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; max?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#max = options.max ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  put(invocation: Invocation): string {
    const key = randomBytes(9).toString('base64url');
    if (this.#entries.size >= this.#max) {
      const oldest = this.#entries.keys().next().value;
      if (oldest !== undefined) this.#entries.delete(oldest);
    }
    this.#entries.set(key, { invocation, expires: this.#now() + this.#ttlMs });
    return key;
  }

  get(key: string): Invocation | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    if (entry.expires < this.#now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry.invocation;
  }

  get size(): number {
    return this.#entries.size;
  }
}

const escapePart = (text: string) => text.replace(/[%|=#!]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * Encodes a button's custom_id: `r:source|n#6|article=central-asia` (`=` string, `#` number,
 * `!` boolean), or `r#<key>` into the cache when that is longer than Discord allows.
 */
export function encodeButton(kind: ButtonKind, invocation: Invocation, cache: InvocationCache): string {
  const parts = [escapePart(invocation.command)];
  for (const [key, value] of Object.entries(invocation.options)) {
    const sep = typeof value === 'number' ? '#' : typeof value === 'boolean' ? '!' : '=';
    parts.push(`${escapePart(key)}${sep}${escapePart(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}`);
  }
  const inline = `${PREFIX[kind]}:${parts.join('|')}`;
  if (inline.length <= LIMITS.customId) return inline;
  return `${PREFIX[kind]}#${cache.put(invocation)}`;
}

/** Decodes a custom_id made by `encodeButton`; undefined for anything else. */
export function decodeButton(customId: string, cache: InvocationCache): DecodedButton {
  const kind = customId[0] === 's' ? 'share' : customId[0] === 'r' ? 'run' : undefined;
  if (!kind) return undefined;
  if (customId[1] === '#') {
    const invocation = cache.get(customId.slice(2));
    return invocation ? { kind, invocation } : { kind, expired: true };
  }
  if (customId[1] !== ':') return undefined;
  try {
    const [command, ...parts] = customId.slice(2).split('|');
    if (!command) return undefined;
    const options: Invocation['options'] = {};
    for (const part of parts) {
      const m = /^([^=#!]+)([=#!])(.*)$/s.exec(part);
      if (!m) return undefined;
      const key = decodeURIComponent(m[1] as string);
      const raw = decodeURIComponent(m[3] as string);
      options[key] = m[2] === '#' ? Number(raw) : m[2] === '!' ? raw === '1' : raw;
    }
    return { kind, invocation: { command: decodeURIComponent(command), options } };
  } catch {
    return undefined;
  }
}

export interface ButtonOptions {
  /** The invocation that produced the reply; enables "Share in channel". */
  invocation?: Invocation;
  /** Leave out the share button (the message is already public). */
  shareable: boolean;
  cache: InvocationCache;
}

/** The action rows for a reply's actions (run buttons) plus "Share in channel". */
export function replyButtons(reply: OkReply, options: ButtonOptions): ActionRow[] {
  const buttons: Button[] = [];
  const ids = new Set<string>();
  const add = (button: Button) => {
    if (ids.has(button.custom_id) || buttons.length >= LIMITS.rows * LIMITS.buttonsPerRow) return;
    ids.add(button.custom_id);
    buttons.push(button);
  };
  let shareLabel = 'Share in channel';
  for (const action of reply.actions ?? []) {
    if (action.type === 'share') shareLabel = action.label || shareLabel;
  }
  if (options.shareable && options.invocation && reply.visibility === 'private') {
    add({
      type: 2,
      style: 1,
      label: cut(plainSafe(shareLabel), LIMITS.buttonLabel),
      custom_id: encodeButton('share', options.invocation, options.cache),
    });
  }
  for (const action of reply.actions ?? []) {
    if (action.type !== 'run') continue;
    add({
      type: 2,
      style: 2,
      label: cut(plainSafe(action.label || `/${action.invoke.command}`), LIMITS.buttonLabel),
      custom_id: encodeButton('run', action.invoke, options.cache),
    });
  }
  const rows: ActionRow[] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
    rows.push({ type: 1, components: buttons.slice(i, i + LIMITS.buttonsPerRow) });
  }
  return rows;
}
