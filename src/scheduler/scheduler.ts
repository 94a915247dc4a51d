import { randomBytes } from 'node:crypto';
import { setMaxListeners } from 'node:events';
import { setImmediate as yieldToIo } from 'node:timers/promises';
import cron, { type ScheduledTask } from 'node-cron';
import { chooseDigest } from '../core/digest.ts';
import type { LibraryEntry } from '../core/library.ts';
import type { Delivery, SkippedSlot, Subscription } from '../store/types.ts';
import { type CronSpec, nextSlot, parseCronSpec, slotsBetween } from './cron.ts';
import { type DeliverContext, type DeliveryResult, deliver } from './deliver.ts';
import { markLive, newOwner, ownerIsGone } from './owner.ts';
import { DeliveryQueue } from './queue.ts';
import { RateLimiter, timerSleep } from './rate-limit.ts';
import { createDigestService } from './service.ts';
import type { Scheduler, SchedulerDeps, SweepReport } from './types.ts';

export type { DigestConfig, Scheduler, SchedulerDeps, SchedulerTuning, SweepReport } from './types.ts';

const DEFAULT_BACKOFF = [1000, 5000, 30_000, 120_000, 600_000];

/** Aborted by `stop`; every waiting delivery listens to it, so there is no listener limit. */
function stopSignal(): AbortController {
  const controller = new AbortController();
  setMaxListeners(0, controller.signal);
  return controller;
}

/**
 * Builds the digest scheduler. node-cron fires a tick every minute; each tick (and `start`)
 * enumerates every active subscription's slots since its watermark, claims each slot in the
 * ledger (a UNIQUE key, so any number of processes post it once), and delivers the claims,
 * one at a time per channel, within the platforms' rate limits.
 */
export function createScheduler(deps: SchedulerDeps): Scheduler {
  const now = deps.now ?? (() => new Date());
  const sleep = deps.sleep ?? timerSleep;
  const t = deps.tuning ?? {};
  const owner = newOwner();
  const leaseMs = t.leaseMs ?? 300_000;
  const lateAfterMs = t.lateAfterMs ?? 60_000;
  const catchupMs = deps.config.DIGEST_CATCHUP_HOURS * 3_600_000;
  const maxSkipped = t.maxSkippedRecorded ?? 100;
  const { store, logger } = deps;
  let abort = stopSignal();
  const limiter = new RateLimiter({ ...(t.limits ? { limits: t.limits } : {}), now: () => now().getTime(), sleep });
  const specs = new Map<string, CronSpec | null>();
  // The library newest first, sorted once per change rather than once per claim.
  let sorted: LibraryEntry[] | undefined;
  deps.library.onChange(() => {
    sorted = undefined;
  });
  const entries = () => {
    sorted ??= deps.library.list();
    return sorted;
  };
  const sweepLeaseMs = t.sweepLeaseMs ?? 30_000;
  const sweepBatch = t.sweepBatch ?? 100;
  const queue = new DeliveryQueue(t.concurrency ?? 32);
  /** Ledger rows queued or being sent by this scheduler (its other claims are fair game for recovery). */
  const active = new Set<number>();
  let task: ScheduledTask | undefined;
  let sweeping: Promise<SweepReport> | undefined;
  let started = false;

  const deliverCtx = (): DeliverContext => ({
    store,
    library: deps.library,
    senders: deps.senders,
    limiter,
    sleep,
    now,
    owner,
    logger,
    empty: deps.config.DIGEST_EMPTY,
    leaseMs,
    backoffMs: t.backoffMs ?? DEFAULT_BACKOFF,
    maxRateLimitWaits: t.maxRateLimitWaits ?? 20,
    signal: abort.signal,
    ...(deps.observer ? { observer: deps.observer } : {}),
  });

  function specOf(sub: Subscription): CronSpec | undefined {
    let spec = specs.get(sub.cron);
    if (spec === undefined) {
      const parsed = parseCronSpec(sub.cron);
      spec = parsed.ok ? parsed.spec : null;
      if (!parsed.ok) logger.error({ subscription: sub.id, cron: sub.cron }, `stored schedule is not valid: ${parsed.message}`);
      specs.set(sub.cron, spec);
    }
    return spec ?? undefined;
  }

  /** Queues a claimed delivery behind the channel's earlier ones. */
  function enqueue(delivery: Delivery, workspaceId?: string): Promise<DeliveryResult> {
    const ctx = deliverCtx();
    active.add(delivery.id);
    const job = queue.add(
      `${delivery.platform}:${delivery.channelId}`,
      () => deliver(ctx, delivery, workspaceId),
      (err): DeliveryResult => {
        logger.error({ err, delivery: delivery.key }, 'digest delivery crashed; the claim will be retried when its lease runs out');
        return 'released';
      },
    );
    void job.finally(() => active.delete(delivery.id));
    return job;
  }

  /** Claims one slot (choosing its briefings in the claim transaction) and queues it when won. */
  async function claimAndQueue(sub: Subscription, slot: Date, late: boolean): Promise<boolean> {
    const at = now();
    const result = await store.deliveries.claim({
      key: `${sub.id}@${slot.toISOString()}`,
      subscriptionId: sub.id,
      platform: sub.platform,
      channelId: sub.channelId,
      kind: 'scheduled',
      slot: slot.toISOString(),
      late,
      owner,
      now: at.toISOString(),
      leaseUntil: new Date(at.getTime() + leaseMs).toISOString(),
      choose: (previous) => chooseDigest(entries(), previous, at),
    });
    if (!result.claimed) return false;
    void enqueue(result.delivery, sub.workspaceId);
    return true;
  }

  /** Takes over claims whose process stopped (or whose lease ran out) and retries them. */
  async function recover(report: SweepReport): Promise<void> {
    const at = now();
    for (const claim of await store.deliveries.listClaims()) {
      if (active.has(claim.id) || !deps.senders.has(claim.platform)) continue;
      const expired = !claim.leaseUntil || claim.leaseUntil < at.toISOString();
      if (!expired && !(claim.owner && ownerIsGone(claim.owner))) continue;
      const taken = await store.deliveries.reclaim(claim.id, claim.owner, owner, new Date(at.getTime() + leaseMs).toISOString());
      if (!taken) continue;
      report.recovered += 1;
      logger.warn({ delivery: taken.key, previousOwner: claim.owner }, 'retrying a digest whose process stopped before recording it');
      if (at.getTime() - Date.parse(taken.slot) > catchupMs) {
        await store.deliveries.finish(taken.id, owner, {
          status: 'failed',
          attempts: taken.attempts,
          at: at.toISOString(),
          error: 'not posted: the process sending it stopped, and the slot is older than DIGEST_CATCHUP_HOURS',
        });
        continue;
      }
      const sub = taken.subscriptionId === undefined ? undefined : await store.subscriptions.get(taken.subscriptionId);
      void enqueue({ ...taken, late: taken.late || at.getTime() - Date.parse(taken.slot) > lateAfterMs }, sub?.workspaceId);
    }
  }

  /** Handles one subscription leased by `takeDue`: records missed slots, claims due ones, ends the lease. */
  async function sweepSubscription(sub: Subscription, at: Date, report: SweepReport, claims: { count: number }): Promise<void> {
    const atMs = at.getTime();
    const atIso = at.toISOString();
    const spec = specOf(sub);
    if (!spec) {
      // Never due again: a stored schedule that does not parse is logged by specOf once.
      await store.subscriptions.release(sub.id, owner.id, { checkedUntil: atIso, nextDueAt: undefined });
      return;
    }
    // Slots at most DIGEST_CATCHUP_HOURS old are posted; older ones are recorded as skipped.
    const windowStart = atMs - catchupMs - 1;
    const since = new Date(sub.checkedUntil);
    if (since.getTime() < windowStart) {
      const old = slotsBetween(spec, sub.timeZone, since, new Date(windowStart));
      const keep = old.slice(-maxSkipped);
      if (old.length > keep.length)
        logger.warn({ subscription: sub.id, missed: old.length }, 'many digest slots were missed; recording the latest');
      const rows: SkippedSlot[] = keep.map((slot) => ({
        key: `${sub.id}@${slot.toISOString()}`,
        subscriptionId: sub.id,
        platform: sub.platform,
        channelId: sub.channelId,
        slot: slot.toISOString(),
        reason: `missed while the bot was not running; older than the ${deps.config.DIGEST_CATCHUP_HOURS} h catch-up window`,
      }));
      const skipped = await store.deliveries.skip(rows, atIso);
      report.skipped += skipped;
      for (let i = 0; i < skipped; i++) deps.observer?.digest?.({ platform: sub.platform, outcome: 'skipped' });
    }
    const from = new Date(Math.max(since.getTime(), windowStart));
    for (const slot of slotsBetween(spec, sub.timeZone, from, at)) {
      const late = atMs - slot.getTime() > lateAfterMs;
      if (await claimAndQueue(sub, slot, late)) {
        report.claimed += 1;
        if (late) report.late += 1;
        // Let queued deliveries start while a big sweep is still claiming.
        if (++claims.count % 100 === 0) await yieldToIo();
      }
    }
    const next = nextSlot(spec, sub.timeZone, at);
    if (!(await store.subscriptions.release(sub.id, owner.id, { checkedUntil: atIso, nextDueAt: next?.toISOString() })))
      logger.warn({ subscription: sub.id }, 'digest sweep lease ran out before the subscription was handled; another process took it over');
  }

  /**
   * Takes the subscriptions that are due (and that no other process is handling) in batches from
   * the store, so several processes share the work, and handles each.
   */
  async function sweepOnce(until?: Date): Promise<SweepReport> {
    const report: SweepReport = { claimed: 0, late: 0, skipped: 0, recovered: 0 };
    await recover(report);
    const at = until && until > now() ? until : now();
    const platforms = [...deps.senders.keys()];
    const claims = { count: 0 };
    for (;;) {
      const batch = await store.subscriptions.takeDue({
        owner: owner.id,
        now: at.toISOString(),
        leaseUntil: new Date(now().getTime() + sweepLeaseMs).toISOString(),
        limit: sweepBatch,
        platforms,
      });
      for (const sub of batch) await sweepSubscription(sub, at, report, claims);
      if (batch.length < sweepBatch) break;
    }
    if (report.claimed || report.skipped || report.recovered) logger.info({ ...report }, 'digest sweep');
    return report;
  }

  let again: { until: Date | undefined } | undefined;
  function sweep(until?: Date): Promise<SweepReport> {
    // One sweep at a time per process; a tick during a sweep runs right after it.
    if (sweeping) {
      again = { until };
      return sweeping;
    }
    const run = async (): Promise<SweepReport> => {
      try {
        return await sweepOnce(until);
      } finally {
        sweeping = undefined;
        if (again) {
          const next = again;
          again = undefined;
          void sweep(next.until).catch((err: unknown) => logger.error({ err }, 'digest sweep failed'));
        }
      }
    };
    sweeping = run();
    return sweeping;
  }

  async function idle(): Promise<void> {
    while (queue.size || sweeping) {
      await Promise.allSettled([queue.idle(), ...(sweeping ? [sweeping] : [])]);
    }
  }

  const scheduler: Scheduler = {
    owner,
    digests: createDigestService({
      store,
      library: deps.library,
      senders: deps.senders,
      config: deps.config,
      now,
      sleep,
      postNowWaitMs: t.postNowWaitMs ?? 20_000,
      specOf,
      postNow: async (request) => {
        const at = now();
        const result = await store.deliveries.claim({
          key: `manual:${request.channel.platform}:${request.channel.id}@${at.toISOString()}#${randomBytes(4).toString('hex')}`,
          platform: request.channel.platform,
          channelId: request.channel.id,
          kind: 'manual',
          slot: at.toISOString(),
          late: false,
          owner,
          now: at.toISOString(),
          leaseUntil: new Date(at.getTime() + leaseMs).toISOString(),
          choose: (previous) => chooseDigest(entries(), previous, at),
        });
        if (!result.claimed) return { delivery: result.existing, done: Promise.resolve('lost' as DeliveryResult) };
        return { delivery: result.delivery, done: enqueue(result.delivery, request.channel.workspaceId) };
      },
    }),
    async start() {
      if (started) throw new Error('scheduler already started');
      started = true;
      abort = stopSignal();
      markLive(owner, true);
      // A store that fails now (the database went away while the bot started) must not stop the
      // bot: the schedule starts all the same and the next minute's sweep does this one's work.
      let report: SweepReport;
      try {
        report = await sweep();
      } catch (err) {
        logger.error({ err }, "the first digest sweep failed; the next minute's sweep tries again");
        report = { claimed: 0, late: 0, skipped: 0, recovered: 0 };
      }
      task = cron.schedule(
        '* * * * *',
        (context) => {
          void sweep(context.date).catch((err: unknown) => logger.error({ err }, 'digest sweep failed'));
        },
        { name: `digests-${owner.id}`, noOverlap: false },
      );
      // node-cron drops a tick it fires late (a blocked event loop); the next sweep covers it anyway.
      task.on('execution:missed', () => {
        void sweep().catch((err: unknown) => logger.error({ err }, 'digest sweep failed'));
      });
      logger.info({ owner: owner.id, ...report }, 'digest scheduler started');
      return report;
    },
    async stop() {
      if (!started) return;
      await task?.destroy();
      task = undefined;
      abort.abort();
      const timeout = new AbortController();
      await Promise.race([idle(), sleep(t.stopTimeoutMs ?? 10_000, timeout.signal)]);
      timeout.abort();
      markLive(owner, false);
      started = false;
    },
    sweep: () => sweep(),
    idle,
  };
  return scheduler;
}
