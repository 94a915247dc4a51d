import { createHash } from 'node:crypto';
import { DiscordAPIError, HTTPError, RateLimitError, type REST } from 'discord.js';
import { type ChannelSender, DeliveryError } from '../../core/channel.ts';
import type { OkReply } from '../../core/reply.ts';
import type { CommandSyntax } from '../../core/syntax.ts';
import { renderReply } from './render.ts';

/**
 * Scheduled posts (digests): `POST /channels/{id}/messages`, one message per part of a long
 * reply. Each part carries a nonce derived from the idempotency key with `enforce_nonce`, so
 * Discord drops a resend of the same part instead of posting it twice.
 */

/** Discord nonces are at most 25 characters. */
export function nonceFor(idempotencyKey: string, part: number): string {
  return createHash('sha256').update(`${idempotencyKey}\u0000${part}`).digest('base64url').slice(0, 25);
}

/** Maps a REST failure to the scheduler's delivery failure kinds. */
export function classifyDeliveryError(error: unknown, channelId: string): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof RateLimitError) {
    return new DeliveryError('rate-limited', `Discord rate limit on channel ${channelId}; retry in ${error.retryAfter} ms.`, {
      cause: error,
      retryAfterMs: error.retryAfter,
    });
  }
  if (error instanceof DiscordAPIError) {
    if (error.code === 10003) return new DeliveryError('channel-gone', `Discord channel ${channelId} no longer exists.`, { cause: error });
    if (error.code === 50001 || error.code === 50013) {
      return new DeliveryError('forbidden', `The bot may not post in Discord channel ${channelId} (${error.message}).`, { cause: error });
    }
    if (error.status === 429)
      return new DeliveryError('rate-limited', `Discord rate limit on channel ${channelId}.`, { cause: error, retryAfterMs: 1000 });
    return new DeliveryError('transient', `Discord refused the post to channel ${channelId}: ${error.message}`, { cause: error });
  }
  if (error instanceof HTTPError)
    return new DeliveryError('transient', `Discord answered HTTP ${error.status} for channel ${channelId}.`, { cause: error });
  return new DeliveryError('transient', `Could not reach Discord to post in channel ${channelId}.`, { cause: error });
}

/** A ChannelSender over discord.js REST (the client's, so rate-limit buckets are shared). */
export function createChannelSender(rest: REST, syntax?: CommandSyntax): ChannelSender {
  return {
    platform: 'discord',
    ...(syntax ? { syntax } : {}),
    async send(channelId: string, reply: OkReply, options: { idempotencyKey: string }) {
      const messages = renderReply({ ...reply, visibility: 'public' });
      const messageIds: string[] = [];
      for (const [part, message] of messages.entries()) {
        try {
          const posted = (await rest.post(`/channels/${channelId}/messages`, {
            body: { ...message, allowed_mentions: { parse: [] }, nonce: nonceFor(options.idempotencyKey, part), enforce_nonce: true },
          })) as { id: string };
          messageIds.push(posted.id);
        } catch (error) {
          throw classifyDeliveryError(error, channelId);
        }
      }
      return { messageIds };
    },
  };
}

/**
 * For the client's REST `rejectOnRateLimit`: channel posts waiting longer than `maxWaitMs`
 * fail fast as `rate-limited` so the scheduler decides; short waits are simply waited out.
 */
export function rejectLongChannelWaits(maxWaitMs: number) {
  return (data: { route: string; retryAfter: number; timeToReset: number }) =>
    /^\/channels\/[^/]+\/messages$/.test(data.route) && Math.max(data.retryAfter, data.timeToReset) > maxWaitMs;
}
