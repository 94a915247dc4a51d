import type { ChannelSender } from '../core/channel.ts';
import type { Platform } from '../core/command.ts';
import type { DigestService } from '../core/digests.ts';
import type { Library } from '../core/library.ts';
import type { Observer } from '../core/observer.ts';
import type { ClaimOwner, Store } from '../store/types.ts';
import type { SchedulerLog } from './deliver.ts';
import type { PlatformLimits, Sleep } from './rate-limit.ts';

/** The configuration slice digests read (src/config.ts names). */
export interface DigestConfig {
  DIGEST_EMPTY: 'skip' | 'post';
  DIGEST_CATCHUP_HOURS: number;
  DEFAULT_TIMEZONE: string;
}

/** Knobs with sensible defaults; tests and the bench shorten them. */
export interface SchedulerTuning {
  /** A claim not renewed for this long may be taken over by another process (default 5 min). */
  leaseMs?: number;
  /** A slot posted more than this after its time is marked late (default 60 s). */
  lateAfterMs?: number;
  /** Waits between retries of transient failures (default 1 s, 5 s, 30 s, 2 min, 10 min). */
  backoffMs?: number[];
  /** 429s one delivery waits out before giving up (default 20). */
  maxRateLimitWaits?: number;
  /** Deliveries sent at once across all channels (default 32). */
  concurrency?: number;
  /** Per-platform posting limits (defaults in rate-limit.ts). */
  limits?: Partial<Record<Platform, PlatformLimits>>;
  /** Missed slots older than the catch-up window are recorded as skipped, at most this many per subscription (default 100). */
  maxSkippedRecorded?: number;
  /** How long `/digest now` waits for its post before answering "sending" (default 20 s). */
  postNowWaitMs?: number;
  /** How long a process holds the subscriptions it took for one sweep before others may take them (default 30 s). */
  sweepLeaseMs?: number;
  /** Subscriptions taken from the store at a time during a sweep (default 100). */
  sweepBatch?: number;
  /** How long `stop` waits for sends in flight; unfinished claims are retried by the next start (default 10 s). */
  stopTimeoutMs?: number;
}

export interface SchedulerDeps {
  store: Store;
  library: Library;
  /** One sender per platform this process serves; subscriptions of other platforms are left to other processes. */
  senders: ReadonlyMap<Platform, ChannelSender>;
  config: DigestConfig;
  logger: SchedulerLog;
  /** The clock (inject a fake in tests). */
  now?: () => Date;
  sleep?: Sleep;
  tuning?: SchedulerTuning;
  /** Where digest outcomes and rate-limit waits are reported (metrics). */
  observer?: Observer;
}

export interface SweepReport {
  /** Slots claimed for sending in this sweep (including catch-up). */
  claimed: number;
  /** Of those, posted late (catch-up). */
  late: number;
  /** Slots recorded as skipped (outside the catch-up window). */
  skipped: number;
  /** Claims of stopped processes taken over. */
  recovered: number;
}

export interface Scheduler {
  /** The service `/digest` uses (put it at `services.digests`). */
  readonly digests: DigestService;
  readonly owner: ClaimOwner;
  /** Recovers claims of stopped processes, catches up missed slots, then runs the minute tick (node-cron). */
  start(): Promise<SweepReport>;
  /** Stops the tick, releases unsent claims for other processes, and waits for sends in flight. */
  stop(): Promise<void>;
  /** One pass over every subscription: what `start` and each tick do. */
  sweep(): Promise<SweepReport>;
  /** Resolves when no delivery is queued or in flight. */
  idle(): Promise<void>;
}
