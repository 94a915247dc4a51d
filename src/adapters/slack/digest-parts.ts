import type { webApi } from '@slack/bolt';
import type { KeyStore } from '../../store/types.ts';
import { keyPrefix } from './workspace.ts';

/**
 * What is already in the channel of a digest delivery, part by part, so that a resend (a retry,
 * a restarted process, another replica that took the claim over) posts only what is missing.
 *
 * Two records, each enough on its own:
 * - the shared key store (`slack:T123:digest:<idempotency key>:<part>` → message ts), written
 *   right after each part is posted; every process with the same store sees it;
 * - the message metadata each part carries (`briefing_digest` with the key and the part),
 *   found with conversations.history when the key store does not know a part: a process that
 *   died between the post and the record, or a store that was unreachable then.
 */

/** The metadata event type of digest parts. */
export const DIGEST_EVENT_TYPE = 'briefing_digest';

/** The message metadata a digest part is posted with (`part` counts from 1). */
export function partMetadata(key: string, part: number, parts: number): webApi.ChatPostMessageArguments['metadata'] {
  return { event_type: DIGEST_EVENT_TYPE, event_payload: { key, part, parts } };
}

/** Reads one page of a channel's history (conversations.history). */
export type ReadHistory = (args: webApi.ConversationsHistoryArguments) => Promise<webApi.ConversationsHistoryResponse>;

export interface LookBackOptions {
  /** How far before the delivery's first claim to look (clock skew between hosts and Slack). Default 10 minutes. */
  marginMs?: number;
  /** Messages a page (default 100; Slack allows up to 999 but recommends 200 at most). */
  pageSize?: number;
  /** Pages read at most (default 5): a bounded window even in a busy channel. */
  maxPages?: number;
}

/**
 * Finds the parts of delivery `key` posted in the channel since `sinceMs` (minus the margin),
 * newest first, stopping once every wanted part is found or the window is read. Returns the
 * message ts by part number and whether the whole window was read (false: the page limit ended
 * the search, so a part not found may still be there, older than what was read).
 */
export async function findPostedParts(
  read: ReadHistory,
  channel: string,
  key: string,
  wanted: ReadonlySet<number>,
  sinceMs: number,
  options: LookBackOptions = {},
): Promise<{ found: Map<number, string>; complete: boolean }> {
  const found = new Map<number, string>();
  const oldest = Math.max(0, sinceMs - (options.marginMs ?? 10 * 60_000)) / 1000;
  const maxPages = options.maxPages ?? 5;
  let cursor: string | undefined;
  for (let page = 0; page < maxPages; page++) {
    const result = await read({
      channel,
      oldest: oldest.toFixed(6),
      limit: options.pageSize ?? 100,
      include_all_metadata: true,
      ...(cursor ? { cursor } : {}),
    });
    for (const message of result.messages ?? []) {
      const metadata = message.metadata as { event_type?: string; event_payload?: { key?: unknown; part?: unknown } } | undefined;
      if (metadata?.event_type !== DIGEST_EVENT_TYPE || metadata.event_payload?.key !== key || !message.ts) continue;
      const part = Number(metadata.event_payload.part);
      if (wanted.has(part) && !found.has(part)) found.set(part, message.ts);
    }
    if (found.size === wanted.size) return { found, complete: true };
    cursor = result.response_metadata?.next_cursor || undefined;
    if (!result.has_more || !cursor) return { found, complete: true };
  }
  return { found, complete: false };
}

/** The shared keys recording which parts of a delivery are posted (message ts by part). */
export class PostedParts {
  readonly #keys: KeyStore;
  readonly #ttlMs: number;
  readonly #now: () => number;

  constructor(options: { keys: KeyStore; ttlMs?: number; now?: () => number }) {
    this.#keys = options.keys;
    // Longer than any delivery is retried (catch-up covers hours, not days).
    this.#ttlMs = options.ttlMs ?? 3 * 24 * 60 * 60_000;
    this.#now = options.now ?? Date.now;
  }

  #key(workspaceId: string | undefined, key: string, part: number): string {
    return `${keyPrefix(workspaceId)}digest:${key}:${part}`;
  }

  /** The ts of each recorded part among `1..parts`. Rejects when the store cannot be read. */
  async recorded(workspaceId: string | undefined, key: string, parts: number): Promise<Map<number, string>> {
    const at = new Date(this.#now()).toISOString();
    const out = new Map<number, string>();
    for (let part = 1; part <= parts; part++) {
      const entry = await this.#keys.get(this.#key(workspaceId, key, part), at);
      if (entry) out.set(part, entry.value);
    }
    return out;
  }

  /** Records a posted part. Rejects when the store cannot be written. */
  async record(workspaceId: string | undefined, key: string, part: number, ts: string): Promise<void> {
    const now = this.#now();
    await this.#keys.put(this.#key(workspaceId, key, part), ts, new Date(now).toISOString(), new Date(now + this.#ttlMs).toISOString());
  }
}
