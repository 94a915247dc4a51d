import { createHash } from 'node:crypto';
import type { Article } from '../core/article.ts';
import { type ChannelSender, DeliveryError } from '../core/channel.ts';
import { composeDigest, emptyDigest } from '../core/digest.ts';
import type { Library } from '../core/library.ts';
import type { Observer } from '../core/observer.ts';
import type { ClaimOwner, Delivery, Store, Timestamp } from '../store/types.ts';
import type { RateLimiter, Sleep } from './rate-limit.ts';

/** Minimal structured logger (pino fits). */
export interface SchedulerLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
  debug(obj: Record<string, unknown>, msg: string): void;
}

export interface DeliverContext {
  store: Store;
  library: Library;
  senders: ReadonlyMap<string, ChannelSender>;
  limiter: RateLimiter;
  sleep: Sleep;
  now: () => Date;
  owner: ClaimOwner;
  logger: SchedulerLog;
  empty: 'skip' | 'post';
  leaseMs: number;
  /** Waits between transient failures; their count is the number of retries. */
  backoffMs: readonly number[];
  /** How many 429s one delivery waits out before giving up. */
  maxRateLimitWaits: number;
  /** Aborted when the scheduler stops: waits end and the claim is released for another process. */
  signal: AbortSignal;
  observer?: Observer;
}

export type DeliveryResult = 'delivered' | 'empty' | 'failed' | 'released' | 'lost';

/**
 * The idempotency key a sender gets: stable for one ledger row, 25 characters (Discord's nonce
 * limit), so a resend after a crash is recognised by Discord.
 */
export function idempotencyKey(deliveryKey: string): string {
  return `dg-${createHash('sha256').update(deliveryKey).digest('base64url').slice(0, 22)}`;
}

const REASONS = {
  'channel-gone': 'the channel no longer exists or the bot was removed from it',
  forbidden: 'the bot is not allowed to post in this channel (missing permission)',
} as const;

const iso = (d: Date): Timestamp => d.toISOString();

/**
 * Sends one claimed delivery and records its outcome: pauses the channel's subscriptions when
 * the channel is gone or forbidden, waits out 429s, retries transient errors with backoff, and
 * records a failure rather than dropping anything.
 */
export async function deliver(ctx: DeliverContext, delivery: Delivery, workspaceId?: string): Promise<DeliveryResult> {
  const { store, owner } = ctx;
  const log = { delivery: delivery.key, platform: delivery.platform, channel: delivery.channelId };
  const finish = async (
    status: 'delivered' | 'empty' | 'failed',
    attempts: number,
    extra: { messageIds?: string[]; error?: string } = {},
  ) => {
    const ok = await store.deliveries.finish(delivery.id, owner, { status, attempts, at: iso(ctx.now()), ...extra });
    if (!ok) ctx.logger.warn(log, 'digest outcome not recorded: another process took the claim over');
    else
      ctx.observer?.digest?.({ platform: delivery.platform, outcome: status === 'delivered' && delivery.late ? 'delivered-late' : status });
    return ok ? status : 'lost';
  };

  if (delivery.subscriptionId !== undefined) {
    const sub = await store.subscriptions.get(delivery.subscriptionId);
    if (sub?.status !== 'active') {
      const why =
        sub?.status === 'paused'
          ? `subscription paused: ${sub.pausedReason ?? 'no reason given'}`
          : 'subscription cancelled before sending';
      return finish('failed', delivery.attempts, { error: why });
    }
  }
  const articles = delivery.articleIds.map((id) => ctx.library.get(id)?.article).filter((a): a is Article => a !== undefined);
  if (articles.length === 0 && ctx.empty === 'skip') return finish('empty', delivery.attempts);
  const sender = ctx.senders.get(delivery.platform);
  if (!sender) return finish('failed', delivery.attempts, { error: `no ${delivery.platform} connection is running in this process` });
  const syntax = sender.syntax ? { syntax: sender.syntax } : {};
  const reply = articles.length
    ? composeDigest({ articles, omitted: delivery.omitted, first: delivery.first, ...syntax })
    : emptyDigest(undefined, 'public', sender.syntax);

  let attempts = delivery.attempts;
  let rateLimitWaits = 0;
  let retries = 0;
  const key = idempotencyKey(delivery.key);
  for (;;) {
    if (ctx.signal.aborted) {
      // Stopping: expire the lease so another process (or the next start) sends it.
      await store.deliveries.renew(delivery.id, owner, iso(ctx.now()), attempts);
      return 'released';
    }
    await ctx.limiter.acquire(delivery.platform, delivery.channelId, workspaceId, ctx.signal);
    if (ctx.signal.aborted) continue;
    // Record the attempt and confirm the claim is still ours right before sending: a process
    // that lost its lease (another took over) must not send. Any earlier recorded attempt (here,
    // or by a process that died after posting) may have reached the channel: the sender is told.
    const resend = attempts > 0;
    attempts += 1;
    if (!(await store.deliveries.renew(delivery.id, owner, iso(new Date(ctx.now().getTime() + ctx.leaseMs)), attempts))) {
      ctx.logger.warn(log, 'digest claim taken over by another process; not sending');
      return 'lost';
    }
    try {
      const { messageIds } = await sender.send(delivery.channelId, reply, {
        idempotencyKey: key,
        resend,
        ...(delivery.claimedAt ? { since: delivery.claimedAt } : {}),
        ...(workspaceId ? { workspaceId } : {}),
      });
      const result = await finish('delivered', attempts, { messageIds });
      ctx.logger.info(
        { ...log, attempts, articles: articles.length, late: delivery.late, recovered: delivery.recovered },
        'digest delivered',
      );
      return result;
    } catch (error) {
      const kind = error instanceof DeliveryError ? error.kind : 'transient';
      const message = error instanceof Error ? error.message : String(error);
      if (kind === 'channel-gone' || kind === 'forbidden') {
        const reason = `${REASONS[kind]} (${message.slice(0, 200)})`;
        const result = await finish('failed', attempts, { error: reason });
        const paused = await store.subscriptions.pauseChannel(delivery.platform, delivery.channelId, reason, iso(ctx.now()), workspaceId);
        ctx.logger.warn({ ...log, kind, paused }, 'digest channel unusable; its subscriptions are paused');
        return result;
      }
      let wait: number | undefined;
      if (kind === 'rate-limited' && rateLimitWaits < ctx.maxRateLimitWaits) {
        rateLimitWaits += 1;
        wait = Math.max(1, (error as DeliveryError).retryAfterMs ?? 1000);
        ctx.limiter.block(delivery.platform, delivery.channelId, wait);
        ctx.observer?.rateLimitWait?.({ platform: delivery.platform, seconds: wait / 1000 });
      } else if (kind !== 'rate-limited' && retries < ctx.backoffMs.length) {
        wait = ctx.backoffMs[retries] as number;
        retries += 1;
      }
      if (wait === undefined) {
        ctx.logger.error({ ...log, attempts, err: error }, 'digest not delivered; giving up');
        return finish('failed', attempts, { error: `gave up after ${attempts} attempts: ${message.slice(0, 300)}` });
      }
      ctx.logger.warn({ ...log, attempts, kind, waitMs: wait, err: message }, 'digest send failed; retrying');
      await store.deliveries.renew(delivery.id, owner, iso(new Date(ctx.now().getTime() + wait + ctx.leaseMs)), attempts);
      await ctx.sleep(wait, ctx.signal);
    }
  }
}
