import type { webApi } from '@slack/bolt';
import { type ChannelSender, DeliveryError, type SendOptions } from '../../core/channel.ts';
import type { OkReply } from '../../core/reply.ts';
import type { CommandSyntax } from '../../core/syntax.ts';
import { memoryKeyStore } from '../../store/memory-keys.ts';
import type { KeyStore } from '../../store/types.ts';
import type { SlackMessage } from './block-types.ts';
import { renderReply } from './blocks.ts';
import { findPostedParts, type LookBackOptions, PostedParts, partMetadata } from './digest-parts.ts';

/**
 * Scheduled posts (digests) to a Slack channel: chat.postMessage for each part of the rendered
 * reply, link previews off, each part tagged with message metadata, failures classified for the
 * scheduler. A resend posts only the parts not already in the channel (see digest-parts.ts).
 */

/**
 * The Web API client to post with for a subscription's workspace (OAuth mode: the workspace's own
 * token). May throw a DeliveryError (e.g. the workspace uninstalled the app).
 */
export type SlackClientFor = (workspaceId: string | undefined, channelId: string) => webApi.WebClient | Promise<webApi.WebClient>;

export interface SlackSenderOptions {
  /** Shared keys recording the parts posted: the store's, so other processes and restarts see them. Default: this process's memory. */
  keys?: KeyStore;
  /** How far and how deep a resend looks back in the channel. */
  lookBack?: LookBackOptions;
  /** Warnings worth an operator's attention (a check that could not be made). */
  warn?: (obj: Record<string, unknown>, msg: string) => void;
  now?: () => number;
  /** How the workspace's members type commands, for the digest's hints (the bot's slash commands). */
  syntax?: CommandSyntax;
}

const GONE = new Set(['channel_not_found', 'is_archived', 'channel_is_archived']);
const FORBIDDEN = new Set([
  'not_in_channel',
  'missing_scope',
  'restricted_action',
  'restricted_action_read_only_channel',
  'restricted_action_thread_only_channel',
  'restricted_action_non_threadable_channel',
  'cannot_post',
  'ekm_access_denied',
  'invalid_auth',
  'not_authed',
  'account_inactive',
  'token_revoked',
]);

/** Maps a Web API failure to a DeliveryError kind. */
export function classifySlackError(error: unknown, channelId: string): DeliveryError {
  const e = error as { code?: string; data?: { error?: string; response_metadata?: { retryAfter?: number } }; retryAfter?: number };
  if (e?.code === 'slack_webapi_rate_limited_error') {
    const retryAfterMs = (e.retryAfter ?? 1) * 1000;
    return new DeliveryError('rate-limited', `Slack rate-limited posts to ${channelId}; retry in ${retryAfterMs} ms`, {
      cause: error,
      retryAfterMs,
    });
  }
  const code = e?.code === 'slack_webapi_platform_error' ? e.data?.error : undefined;
  if (code === 'ratelimited' || code === 'rate_limited') {
    const retryAfterMs = (e.data?.response_metadata?.retryAfter ?? 1) * 1000;
    return new DeliveryError('rate-limited', `Slack rate-limited posts to ${channelId} (${code})`, { cause: error, retryAfterMs });
  }
  if (code && GONE.has(code)) return new DeliveryError('channel-gone', `Slack channel ${channelId} is gone (${code})`, { cause: error });
  if (code && FORBIDDEN.has(code))
    return new DeliveryError('forbidden', `The bot may not post in Slack channel ${channelId} (${code})`, { cause: error });
  const what = code ?? (error instanceof Error ? error.message : String(error));
  return new DeliveryError('transient', `Posting to Slack channel ${channelId} failed (${what})`, { cause: error });
}

/** Arguments for chat.postMessage of one rendered message. */
export function postArgs(channel: string, message: SlackMessage, threadTs?: string): webApi.ChatPostMessageArguments {
  return {
    channel,
    text: message.text,
    blocks: message.blocks,
    unfurl_links: false,
    unfurl_media: false,
    ...(threadTs ? { thread_ts: threadTs } : {}),
  } as webApi.ChatPostMessageArguments;
}

/**
 * A ChannelSender over chat.postMessage. Each part carries message metadata naming the
 * delivery's idempotency key, and is recorded in the shared keys once posted. A resend (told by
 * `resend`, or not told at all) first takes the parts recorded in the keys, then looks for the
 * others in the channel's recent history (conversations.history, from shortly before `since`),
 * and posts only those found nowhere, in order. A first attempt posts without looking.
 *
 * When the history cannot be read (no `channels:history`/`groups:history` scope, the bot not in
 * the channel) the missing parts are posted anyway, with a warning: a digest possibly posted twice
 * is better than none. A rate-limited lookup is a rate-limited delivery (the scheduler waits).
 */
export function slackChannelSender(clientFor: SlackClientFor, options: SlackSenderOptions = {}): ChannelSender {
  const now = options.now ?? Date.now;
  const parts = new PostedParts({ keys: options.keys ?? memoryKeyStore({ capacity: 10_000 }), now });
  const warn = options.warn ?? (() => {});

  /** Parts (1-based) already in the channel, by number. */
  async function alreadyPosted(
    client: webApi.WebClient,
    channelId: string,
    count: number,
    { idempotencyKey, workspaceId, since }: SendOptions,
  ): Promise<Map<number, string>> {
    const log = { channel: channelId, key: idempotencyKey, workspace: workspaceId };
    let known = new Map<number, string>();
    try {
      known = await parts.recorded(workspaceId, idempotencyKey, count);
    } catch (error) {
      warn({ ...log, err: error }, 'could not read which digest parts were posted from the shared keys; looking in the channel');
    }
    const wanted = new Set<number>();
    for (let part = 1; part <= count; part++) if (!known.has(part)) wanted.add(part);
    if (wanted.size === 0) return known;
    const sinceMs = since ? Date.parse(since) : Number.NaN;
    try {
      const { found, complete } = await findPostedParts(
        (args) => client.conversations.history(args),
        channelId,
        idempotencyKey,
        wanted,
        Number.isFinite(sinceMs) ? sinceMs : now() - 24 * 60 * 60_000,
        options.lookBack,
      );
      if (!complete && found.size < wanted.size) warn({ ...log }, 'digest parts not found in the recent history read; posting them');
      for (const [part, ts] of found) {
        known.set(part, ts);
        await parts
          .record(workspaceId, idempotencyKey, part, ts)
          .catch((err: unknown) => warn({ ...log, err }, 'could not record a digest part'));
      }
    } catch (error) {
      const failure = classifySlackError(error, channelId);
      if (failure.kind === 'rate-limited') {
        throw new DeliveryError('rate-limited', `Slack rate-limited reading the history of channel ${channelId}; retry later`, {
          cause: error,
          ...(failure.retryAfterMs !== undefined ? { retryAfterMs: failure.retryAfterMs } : {}),
        });
      }
      const e = error as { data?: { error?: string } };
      warn(
        { ...log, reason: e?.data?.error ?? (error instanceof Error ? error.message : String(error)) },
        'could not read the channel history to check for digest parts already posted (needs channels:history or groups:history, and the bot in the channel); posting the missing parts, possibly twice',
      );
    }
    return known;
  }

  return {
    platform: 'slack',
    ...(options.syntax ? { syntax: options.syntax } : {}),
    async send(channelId, reply: OkReply, sendOptions) {
      const { idempotencyKey, workspaceId } = sendOptions;
      const messages = renderReply({ ...reply, visibility: 'public' });
      let client: webApi.WebClient;
      try {
        client = await clientFor(workspaceId, channelId);
      } catch (error) {
        if (error instanceof DeliveryError) throw error;
        throw classifySlackError(error, channelId);
      }
      const done =
        sendOptions.resend === false ? new Map<number, string>() : await alreadyPosted(client, channelId, messages.length, sendOptions);
      for (let part = 1; part <= messages.length; part++) {
        if (done.has(part)) continue;
        let result: webApi.ChatPostMessageResponse;
        try {
          result = await client.chat.postMessage({
            ...postArgs(channelId, messages[part - 1] as SlackMessage),
            metadata: partMetadata(idempotencyKey, part, messages.length),
          } as webApi.ChatPostMessageArguments);
        } catch (error) {
          throw classifySlackError(error, channelId);
        }
        const ts = result.ts ?? '';
        done.set(part, ts);
        // Not recorded is not lost: the part's metadata is found in the channel on a resend.
        await parts
          .record(workspaceId, idempotencyKey, part, ts)
          .catch((err: unknown) => warn({ channel: channelId, key: idempotencyKey, part, err }, 'could not record a posted digest part'));
      }
      return { messageIds: messages.map((_, i) => done.get(i + 1) ?? '') };
    },
  };
}
