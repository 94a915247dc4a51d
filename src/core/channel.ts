import type { Platform } from './command.ts';
import { BotError } from './errors.ts';
import type { OkReply } from './reply.ts';
import type { CommandSyntax } from './syntax.ts';

/**
 * Posts a reply to a channel without anyone asking (scheduled digests). Each adapter
 * implements it; the scheduler only sees this interface.
 */
export interface ChannelSender {
  readonly platform: Platform;
  /** How members of this platform type commands, for the hints in what is posted (see syntax.ts). */
  readonly syntax?: CommandSyntax;
  /**
   * Posts `reply` publicly in `channelId`. `idempotencyKey` is stable for one logical
   * delivery: a platform that can de-duplicate (Discord's `nonce` + `enforce_nonce`) uses it
   * so a resend cannot double-post. `workspaceId` is the subscription's workspace: a bot
   * installed in many Slack workspaces posts with that workspace's own token, and not at all
   * to a workspace that uninstalled it.
   */
  send(channelId: string, reply: OkReply, options: SendOptions): Promise<{ messageIds: string[] }>;
}

/** How one delivery is sent: see `ChannelSender.send`. */
export interface SendOptions {
  idempotencyKey: string;
  workspaceId?: string;
  /**
   * This delivery may have been attempted before (a retry, or a claim taken over from a process
   * that died): parts may already be in the channel. `false` only for a first attempt, which a
   * sender may then post without looking for earlier ones; absent means "unknown", treated as true.
   */
  resend?: boolean;
  /** When the delivery was first claimed (ISO): an earlier attempt cannot have posted before it. */
  since?: string;
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
