import { createHash } from 'node:crypto';
import type { KeyStore } from '../../store/types.ts';
import type { SlackMessage } from './block-types.ts';
import { escapeEntities, userMention } from './escape.ts';
import { keyPrefix } from './workspace.ts';

/**
 * "Share in channel" posts an answer once. The first click claims the answer in the shared key
 * store (atomic across bot processes, kept across restarts); a second click, by anyone, is told
 * who shared it and when. A claim whose post failed is released so the user can try again; one
 * left by a process that died while posting expires after two minutes.
 */

export interface ShareRecord {
  by: string;
  at: string;
  channel: string;
  state: 'sharing' | 'shared';
}

export type ShareClaim = { claimed: true; key: string } | { claimed: false; previous: ShareRecord } | { claimed: 'unknown' };

const SHARING_TTL_MS = 2 * 60_000;
const SHARED_TTL_MS = 7 * 24 * 3_600_000;

export class ShareLedger {
  readonly #keys: KeyStore;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;

  constructor(options: { keys: KeyStore; now?: () => number; onError?: (error: unknown) => void }) {
    this.#keys = options.keys;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Claims the share of one answer (a message and the button value on it). `unknown` when the
   * store cannot be reached: the caller shares anyway rather than refuse.
   */
  async claim(
    workspaceId: string | undefined,
    answer: { channel: string; messageTs: string; value: string },
    by: string,
  ): Promise<ShareClaim> {
    const digest = createHash('sha256').update(`${answer.channel}\n${answer.messageTs}\n${answer.value}`).digest('base64url').slice(0, 32);
    const key = `${keyPrefix(workspaceId)}share:${digest}`;
    const now = this.#now();
    const record: ShareRecord = { by, at: new Date(now).toISOString(), channel: answer.channel, state: 'sharing' };
    try {
      const result = await this.#keys.putIfAbsent(key, JSON.stringify(record), record.at, new Date(now + SHARING_TTL_MS).toISOString());
      if (result.created) return { claimed: true, key };
      return { claimed: false, previous: parseRecord(result.entry.value) ?? record };
    } catch (error) {
      this.#onError(error);
      return { claimed: 'unknown' };
    }
  }

  /** Records the share as done (kept for a week). */
  async shared(key: string, record: Omit<ShareRecord, 'state'>): Promise<void> {
    const now = this.#now();
    await this.#keys
      .put(key, JSON.stringify({ ...record, state: 'shared' }), new Date(now).toISOString(), new Date(now + SHARED_TTL_MS).toISOString())
      .catch(this.#onError);
  }

  /** Gives the claim up after a failed post, so another click can share. */
  async release(key: string): Promise<void> {
    await this.#keys.delete(key).then(() => undefined, this.#onError);
  }
}

function parseRecord(text: string): ShareRecord | undefined {
  try {
    const value = JSON.parse(text) as Partial<ShareRecord>;
    if (typeof value.by === 'string' && typeof value.at === 'string' && typeof value.channel === 'string') {
      return { by: value.by, at: value.at, channel: value.channel, state: value.state === 'shared' ? 'shared' : 'sharing' };
    }
  } catch {
    // fall through: an unreadable record still means "already shared"
  }
  return undefined;
}

/** "This answer was already shared in #channel by @user at 09:14 UTC" (Slack shows the time in the reader's zone). */
export function alreadySharedNotice(previous: ShareRecord): SlackMessage {
  const when = Date.parse(previous.at);
  const utc = Number.isFinite(when) ? `${new Date(when).toISOString().slice(0, 16).replace('T', ' ')} UTC` : 'earlier';
  const time = Number.isFinite(when) ? `<!date^${Math.floor(when / 1000)}^{date_short_pretty} at {time}|${utc}>` : 'earlier';
  const channel = /^[CGD][A-Z0-9]{2,20}$/.test(previous.channel) ? `<#${previous.channel}>` : 'this channel';
  const who = userMention(previous.by);
  const text =
    previous.state === 'sharing'
      ? `This answer is being shared in ${channel} by ${who} right now.`
      : `This answer was already shared in ${channel} by ${who} (${time}).`;
  return {
    text: escapeEntities(
      previous.state === 'sharing' ? 'This answer is being shared right now.' : `This answer was already shared (${utc}).`,
    ),
    blocks: [{ type: 'section', block_id: 'already-shared', text: { type: 'mrkdwn', text: `:information_source: ${text}` } }],
  };
}
