import { randomBytes } from 'node:crypto';
import type { Invocation, OkReply } from '../../core/reply.ts';
import type { KeyStore } from '../../store/types.ts';
import { cut, plainSafe } from './escape.ts';
import { type ActionRow, type Button, LIMITS } from './limits.ts';

/**
 * Buttons under an answer and the invocations they carry. A button's custom_id holds the
 * invocation itself when it fits in Discord's 100 characters (`r:{json}`), otherwise a key
 * into the store's shared keys (`r#key`), which lives as long as an interaction token
 * (15 minutes): a click reaching another replica, or arriving after a restart, still works.
 */

export type ButtonKind = 'share' | 'run';
const PREFIX: Record<ButtonKind, string> = { share: 's', run: 'r' };

/** A button press decoded: what to run, and whether to post it publicly. */
export type DecodedButton = { kind: ButtonKind; invocation: Invocation } | { kind: ButtonKind; expired: true } | undefined;

/** Keeps invocations too long for a custom_id, for one guild (or direct messages). */
export interface InvocationStash {
  /** Stores the invocation; resolves with the key a custom_id carries. */
  put(invocation: Invocation): Promise<string>;
  /** The invocation stored under `key`, or undefined when it expired or never existed. */
  get(key: string): Promise<Invocation | undefined>;
}

/** Who shared an answer first, and when (ISO time). */
export interface ShareRecord {
  by: string;
  at: string;
}

/** The outcome of claiming a share: the first click posts, later ones learn who did. */
export type ShareClaim = { first: true } | { first: false; shared: ShareRecord };

/** How long an invocation behind a button lives: an interaction token's life. */
export const INVOCATION_TTL_MS = 15 * 60_000;
/**
 * How long "already shared" is remembered. Buttons on a private answer stay clickable as long as
 * the user's client shows the message (until it reloads), so well beyond a token's 15 minutes.
 */
export const SHARE_TTL_MS = 24 * 60 * 60_000;

function isInvocation(value: unknown): value is Invocation {
  if (!value || typeof value !== 'object') return false;
  const v = value as { command?: unknown; options?: unknown };
  return typeof v.command === 'string' && typeof v.options === 'object' && v.options !== null && !Array.isArray(v.options);
}

/**
 * Button state in the store's shared keys, namespaced `discord:<guild or dm>:inv:<key>` and
 * `discord:<guild or dm>:share:<message>`, so every replica (and a restarted bot) sees it.
 */
export class ButtonState {
  readonly #keys: KeyStore;
  readonly #now: () => Date;
  readonly #invocationTtlMs: number;
  readonly #shareTtlMs: number;

  constructor(keys: KeyStore, options: { now?: () => Date; invocationTtlMs?: number; shareTtlMs?: number } = {}) {
    this.#keys = keys;
    this.#now = options.now ?? (() => new Date());
    this.#invocationTtlMs = options.invocationTtlMs ?? INVOCATION_TTL_MS;
    this.#shareTtlMs = options.shareTtlMs ?? SHARE_TTL_MS;
  }

  /** The stash of one guild; `undefined` stands for direct messages. */
  stash(guildId: string | undefined): InvocationStash {
    const prefix = `discord:${guildId ?? 'dm'}:inv:`;
    return {
      put: async (invocation) => {
        const key = randomBytes(9).toString('base64url');
        const now = this.#now();
        await this.#keys.put(prefix + key, JSON.stringify(invocation), now.toISOString(), this.#expires(now, this.#invocationTtlMs));
        return key;
      },
      get: async (key) => {
        const entry = await this.#keys.get(prefix + key, this.#now().toISOString());
        if (!entry) return undefined;
        try {
          const value: unknown = JSON.parse(entry.value);
          return isInvocation(value) ? value : undefined;
        } catch {
          return undefined;
        }
      },
    };
  }

  /**
   * Claims the share of the answer in message `messageId`: atomic across processes, so of two
   * clicks (on one replica or two) exactly one gets `first: true`.
   */
  async claimShare(guildId: string | undefined, messageId: string, userId: string): Promise<ShareClaim> {
    const now = this.#now();
    const record: ShareRecord = { by: userId, at: now.toISOString() };
    const { created, entry } = await this.#keys.putIfAbsent(
      this.#shareKey(guildId, messageId),
      JSON.stringify(record),
      record.at,
      this.#expires(now, this.#shareTtlMs),
    );
    if (created) return { first: true };
    try {
      const shared = JSON.parse(entry.value) as Partial<ShareRecord>;
      return { first: false, shared: { by: String(shared.by ?? ''), at: String(shared.at ?? entry.createdAt) } };
    } catch {
      return { first: false, shared: { by: '', at: entry.createdAt } };
    }
  }

  /** Gives a claim back when nothing was posted, so the user can try again. */
  async releaseShare(guildId: string | undefined, messageId: string): Promise<void> {
    await this.#keys.delete(this.#shareKey(guildId, messageId));
  }

  #shareKey(guildId: string | undefined, messageId: string): string {
    return `discord:${guildId ?? 'dm'}:share:${messageId}`;
  }

  #expires(now: Date, ttlMs: number): string {
    return new Date(now.getTime() + ttlMs).toISOString();
  }
}

const escapePart = (text: string) => text.replace(/[%|=#!]/g, (c) => `%${c.charCodeAt(0).toString(16).padStart(2, '0')}`);

/**
 * Encodes a button's custom_id: `r:source|n#6|article=central-asia` (`=` string, `#` number,
 * `!` boolean), or `r#<key>` into the stash when that is longer than Discord allows.
 */
export async function encodeButton(kind: ButtonKind, invocation: Invocation, stash: InvocationStash): Promise<string> {
  const parts = [escapePart(invocation.command)];
  for (const [key, value] of Object.entries(invocation.options)) {
    const sep = typeof value === 'number' ? '#' : typeof value === 'boolean' ? '!' : '=';
    parts.push(`${escapePart(key)}${sep}${escapePart(typeof value === 'boolean' ? (value ? '1' : '0') : String(value))}`);
  }
  const inline = `${PREFIX[kind]}:${parts.join('|')}`;
  if (inline.length <= LIMITS.customId) return inline;
  return `${PREFIX[kind]}#${await stash.put(invocation)}`;
}

/** Decodes a custom_id made by `encodeButton`; undefined for anything else. */
export async function decodeButton(customId: string, stash: InvocationStash): Promise<DecodedButton> {
  const kind = customId[0] === 's' ? 'share' : customId[0] === 'r' ? 'run' : undefined;
  if (!kind) return undefined;
  if (customId[1] === '#') {
    const invocation = await stash.get(customId.slice(2));
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
  /** The invocation that produced the reply; with a `share` action in the reply, enables "Share in channel". */
  invocation?: Invocation;
  /** Leave out the share button (the message is already public). */
  shareable: boolean;
  stash: InvocationStash;
  /** A button whose invocation could not be stashed is left out, and this hears why. */
  onError?: (err: unknown) => void;
}

/**
 * The action rows for a reply's actions (run buttons) plus "Share in channel" when the reply
 * offers it (a `share` action) and the message is private. An invocation
 * that must be stashed is stored before this resolves, so no click can arrive before it.
 */
export async function replyButtons(reply: OkReply, options: ButtonOptions): Promise<ActionRow[]> {
  const buttons: Button[] = [];
  const ids = new Set<string>();
  const add = (button: Omit<Button, 'custom_id'> & { custom_id: string | undefined }) => {
    const id = button.custom_id;
    if (id === undefined || ids.has(id) || buttons.length >= LIMITS.rows * LIMITS.buttonsPerRow) return;
    ids.add(id);
    buttons.push({ ...button, custom_id: id });
  };
  const encode = (kind: ButtonKind, invocation: Invocation) =>
    encodeButton(kind, invocation, options.stash).catch((err: unknown) => {
      options.onError?.(err);
      return undefined;
    });
  // Share only where the command offers it, as on Slack: a share runs the invocation again, and
  // commands that change something (/digest now, /unregister) or show moderators' records do not offer it.
  const share = reply.actions?.find((a) => a.type === 'share');
  if (share && options.shareable && options.invocation && reply.visibility === 'private') {
    add({
      type: 2,
      style: 1,
      label: cut(plainSafe(share.label || 'Share in channel'), LIMITS.buttonLabel),
      custom_id: await encode('share', options.invocation),
    });
  }
  for (const action of reply.actions ?? []) {
    if (action.type !== 'run') continue;
    if (buttons.length >= LIMITS.rows * LIMITS.buttonsPerRow) break;
    add({
      type: 2,
      style: 2,
      label: cut(plainSafe(action.label || `/${action.invoke.command}`), LIMITS.buttonLabel),
      custom_id: await encode('run', action.invoke),
    });
  }
  const rows: ActionRow[] = [];
  for (let i = 0; i < buttons.length; i += LIMITS.buttonsPerRow) {
    rows.push({ type: 1, components: buttons.slice(i, i + LIMITS.buttonsPerRow) });
  }
  return rows;
}
