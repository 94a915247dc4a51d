import type { webApi } from '@slack/bolt';
import { type ChannelSender, DeliveryError } from '../../core/channel.ts';
import type { OkReply } from '../../core/reply.ts';
import type { SlackMessage } from './block-types.ts';
import { renderReply } from './blocks.ts';

/**
 * Scheduled posts (digests) to a Slack channel: chat.postMessage for each part of the rendered
 * reply, link previews off, failures classified for the scheduler.
 */

/** Posts one message; `workspaceId` says with whose token (OAuth mode: the workspace's own). */
type PostMessage = (args: webApi.ChatPostMessageArguments, workspaceId: string | undefined) => Promise<webApi.ChatPostMessageResponse>;

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
 * A ChannelSender over chat.postMessage. Parts already posted for an idempotency key are
 * remembered, so a retry after a partial failure does not post them twice.
 */
export function slackChannelSender(postMessage: PostMessage, options: { memory?: number } = {}): ChannelSender {
  const posted = new Map<string, string[]>();
  const memory = options.memory ?? 1000;
  return {
    platform: 'slack',
    async send(channelId, reply: OkReply, { idempotencyKey, workspaceId }) {
      const messages = renderReply({ ...reply, visibility: 'public' });
      const done = posted.get(idempotencyKey) ?? [];
      for (let i = done.length; i < messages.length; i++) {
        let result: webApi.ChatPostMessageResponse;
        try {
          result = await postMessage(postArgs(channelId, messages[i] as SlackMessage), workspaceId);
        } catch (error) {
          if (error instanceof DeliveryError) throw error;
          throw classifySlackError(error, channelId);
        }
        done.push(result.ts ?? '');
        posted.set(idempotencyKey, done);
        if (posted.size > memory) posted.delete(posted.keys().next().value as string);
      }
      return { messageIds: [...done] };
    },
  };
}
