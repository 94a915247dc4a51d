import type { Platform } from './command.ts';
import { BotError } from './errors.ts';
import type { OkReply } from './reply.ts';

/**
 * Posts a reply to a channel without anyone asking (scheduled digests). Each adapter
 * implements it; the scheduler only sees this interface.
 */
export interface ChannelSender {
  readonly platform: Platform;
  /**
   * Posts `reply` publicly in `channelId`. `idempotencyKey` is stable for one logical
   * delivery: a platform that can de-duplicate (Discord's `nonce` + `enforce_nonce`) uses it
   * so a resend cannot double-post. `workspaceId` is the subscription's workspace: a bot
   * installed in many Slack workspaces posts with that workspace's own token, and not at all
   * to a workspace that uninstalled it.
   */
  send(channelId: string, reply: OkReply, options: { idempotencyKey: string; workspaceId?: string }): Promise<{ messageIds: string[] }>;
}

export type DeliveryFailure = 'channel-gone' | 'forbidden' | 'rate-limited' | 'transient';

/** Why a send failed, classified so the scheduler can pause, wait or retry. */
export class DeliveryError extends BotError {
  readonly kind: DeliveryFailure;
  readonly retryAfterMs: number | undefined;
  constructor(kind: DeliveryFailure, message: string, options?: { cause?: unknown; retryAfterMs?: number }) {
    super(`delivery-${kind}`, message, options);
    this.name = 'DeliveryError';
    this.kind = kind;
    this.retryAfterMs = options?.retryAfterMs;
  }
}
