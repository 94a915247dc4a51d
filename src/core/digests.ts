import type { CommandChannel, CommandUser } from './command.ts';
import type { OkReply } from './reply.ts';
import type { CommandSyntax } from './syntax.ts';

/**
 * The digest service `/digest` talks to, found at `ctx.services.digests`. It is implemented by
 * the scheduler (src/scheduler/service.ts) and wired by src/main.ts; commands only see this
 * interface. User mistakes come back as `{ ok: false, code, message }` with a message fit to
 * show; real faults throw BotError.
 */
export interface DigestService {
  /** Subscribes the channel (or resumes a paused subscription with the same schedule). */
  subscribe(request: SubscribeRequest): Promise<DigestResult<{ subscription: SubscriptionView; resumed: boolean }>>;
  /** Cancels one subscription by id, or the channel's only one when no id is given. */
  unsubscribe(request: {
    channel: CommandChannel;
    user: CommandUser;
    id?: number;
    syntax?: CommandSyntax;
  }): Promise<DigestResult<{ removed: SubscriptionView }>>;
  /** The channel's subscriptions, their next runs and the last delivery. */
  status(channel: CommandChannel): Promise<ChannelDigestStatus>;
  /** What would be posted now, as a private reply (nothing is recorded); `syntax` writes its command hints. */
  preview(channel: CommandChannel, syntax?: CommandSyntax): Promise<OkReply>;
  /** Posts a digest now (recorded in the ledger like a scheduled one). */
  postNow(request: { channel: CommandChannel; user: CommandUser; syntax?: CommandSyntax }): Promise<DigestResult<PostNowResult>>;
}

export interface SubscribeRequest {
  channel: CommandChannel;
  user: CommandUser;
  /** `daily 09:00`, `weekdays 08:30`, `weekly mon 09:00` or a 5-field cron expression, optionally followed by a time zone. */
  when: string;
  /** IANA time zone; the configured default when absent. */
  timeZone?: string;
  /** How the asker types commands, for messages that name one (see syntax.ts). */
  syntax?: CommandSyntax;
}

export type DigestResult<T> = ({ ok: true } & T) | { ok: false; code: string; message: string };

/** A subscription as `/digest status` shows it; times are already formatted. */
export interface SubscriptionView {
  id: number;
  /** Normalised schedule, e.g. `daily 09:00`. */
  schedule: string;
  cron: string;
  timeZone: string;
  /** The schedule in words, e.g. `At 09:00, every day`. */
  description: string;
  status: 'active' | 'paused' | 'cancelled';
  pausedReason?: string;
  pausedAt?: string;
  /** The next slot, in the subscription's zone and in UTC (absent when paused). */
  nextRun?: { iso: string; local: string; utc: string };
  lastDelivery?: DeliveryView;
  createdBy: string;
}

export type DeliveryOutcome = 'sending' | 'delivered' | 'nothing-new' | 'failed' | 'skipped';

export interface DeliveryView {
  /** The scheduled time (or when `/digest now` ran), formatted in the subscription's zone. */
  slotLocal: string;
  slotIso: string;
  outcome: DeliveryOutcome;
  /** Posted by catch-up after the slot had passed. */
  late: boolean;
  /** Retried after the process sending it stopped. */
  recovered: boolean;
  attempts: number;
  articles: number;
  manual: boolean;
  /** Why it failed or was skipped. */
  detail?: string;
}

export interface ChannelDigestStatus {
  subscriptions: SubscriptionView[];
  /** The channel's latest delivery of any subscription or `/digest now`. */
  lastDelivery?: DeliveryView;
  defaultTimeZone: string;
  /**
   * Why the store cannot be written to right now although it could be read (another process
   * keeps its lock, say), fit to show in chat: scheduled digests wait until it is back.
   */
  storeProblem?: string;
}

export interface PostNowResult {
  outcome: 'delivered' | 'nothing-new' | 'failed' | 'sending';
  articles: number;
  detail?: string;
}

/** The digest service from a command context's services, when the wiring provides one. */
export function digestService(services: Record<string, unknown>): DigestService | undefined {
  const s = services.digests as Partial<DigestService> | undefined;
  return s && typeof s.subscribe === 'function' && typeof s.status === 'function' ? (s as DigestService) : undefined;
}
