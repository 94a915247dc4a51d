import type { Article } from '../core/article.ts';
import type { Platform } from '../core/command.ts';

/**
 * The bot's own state behind a small, storage-neutral interface. SQLite (better-sqlite3) is the
 * default implementation (src/store/sqlite-store.ts); every method returns a Promise so that a
 * shared PostgreSQL can stand behind the same interface when several bot processes serve one
 * team. Each method that writes more than one row is one transaction.
 *
 * Timestamps are ISO-8601 UTC strings with milliseconds (`Date.prototype.toISOString()`), which
 * sort correctly as text.
 */
export interface Store {
  /** Digest subscriptions of channels (issue 5). */
  readonly subscriptions: SubscriptionRepository;
  /** The delivery ledger: one row per (subscription, slot) or manual post (issue 5). */
  readonly deliveries: DeliveryLedger;
  /** Registered briefings and their revisions (issue 6). */
  readonly articles: ArticleRepository;
  /** Who did what, newest first (issue 6 and digest changes). */
  readonly audit: AuditLog;
  /** Short-lived keys every process shares: retry de-duplication, share-once, button state. */
  readonly keys: KeyStore;
  /** Slack workspaces (and Enterprise Grid organisations) that installed the app through OAuth. */
  readonly installations: InstallationRepository;
  /** Which implementation this is. */
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for logs: a file path, or a database URL without its password. */
  readonly location: string;
  /** The highest migration applied. */
  schemaVersion(): Promise<number>;
  /** One cheap round trip to the database; rejects when it does not answer (what /readyz checks). */
  ping(): Promise<void>;
  /**
   * Calls `listener` soon after any process changes registered briefings or appends to the audit
   * log, and once more whenever a lost connection is back (changes may have been missed), so the
   * caller reads what is new. Absent where the database cannot notify (SQLite): callers poll.
   */
  watchChanges?(listener: () => void): Promise<{ stop(): Promise<void> }>;
  /** Closes the connection; the store is unusable afterwards. Safe to call twice. */
  close(): Promise<void>;
}

/** ISO-8601 UTC timestamp, e.g. `2025-06-01T09:00:00.000Z`. */
export type Timestamp = string;

// ---------------------------------------------------------------------------------------------
// Subscriptions

export type SubscriptionStatus = 'active' | 'paused' | 'cancelled';

/** A channel's standing request for scheduled digests. */
export interface Subscription {
  id: number;
  platform: Platform;
  channelId: string;
  channelName?: string;
  /** Discord guild or Slack team, when known. */
  workspaceId?: string;
  /** The schedule as the user gave it, normalised: `daily 09:00`, `weekly mon 09:00`, or a cron expression. */
  schedule: string;
  /** The 5-field cron expression the schedule stands for, evaluated in `timeZone`. */
  cron: string;
  /** IANA time zone, e.g. `Europe/Istanbul`. */
  timeZone: string;
  status: SubscriptionStatus;
  /** Why delivery stopped (channel gone, missing permission), shown by `/digest status`. */
  pausedReason?: string;
  pausedAt?: Timestamp;
  createdBy: string;
  createdAt: Timestamp;
  cancelledBy?: string;
  cancelledAt?: Timestamp;
  /** Every slot at or before this instant has been handled (claimed, skipped, or passed while paused). */
  checkedUntil: Timestamp;
  /** The next slot after `checkedUntil`, when known (the scheduler records it); unknown means due now. */
  nextDueAt?: Timestamp;
}

export interface NewSubscription {
  platform: Platform;
  channelId: string;
  channelName?: string;
  workspaceId?: string;
  schedule: string;
  cron: string;
  timeZone: string;
  createdBy: string;
  createdAt: Timestamp;
}

export interface SubscriptionRepository {
  /** Adds an active subscription (its `checkedUntil` is `createdAt`), with an audit entry in the same transaction. */
  create(input: NewSubscription, audit?: NewAuditEntry): Promise<Subscription>;
  get(id: number): Promise<Subscription | undefined>;
  /** The channel's subscriptions, oldest first; cancelled ones only when asked. */
  listForChannel(platform: Platform, channelId: string, options?: { includeCancelled?: boolean }): Promise<Subscription[]>;
  /** Every subscription that is not cancelled (active and paused), by id. */
  listLive(): Promise<Subscription[]>;
  /**
   * Leases up to `limit` active subscriptions of the given platforms that are due (their
   * `nextDueAt` is unknown or not after `now`) and that no other process holds, so several
   * processes share the digest work instead of each doing all of it (PostgreSQL: `FOR UPDATE
   * SKIP LOCKED`). A lease ends with {@link release} or at `leaseUntil`.
   */
  takeDue(request: {
    owner: string;
    now: Timestamp;
    leaseUntil: Timestamp;
    limit: number;
    platforms: readonly Platform[];
  }): Promise<Subscription[]>;
  /**
   * Ends `owner`'s lease on a subscription taken with {@link takeDue}: moves `checkedUntil`
   * forward (never back) and records when it is next due (undefined: no further slot, so never until resumed).
   * False when the lease had passed to another process (nothing is changed then).
   */
  release(id: number, owner: string, update: { checkedUntil: Timestamp; nextDueAt: Timestamp | undefined }): Promise<boolean>;
  /** Cancels one subscription; false when it was already cancelled or does not exist. */
  cancel(id: number, by: string, at: Timestamp, audit?: NewAuditEntry): Promise<boolean>;
  /**
   * Pauses every active subscription of a channel with the reason; returns how many. With
   * `workspaceId`, only that workspace's (a Slack channel shared between workspaces has one id in
   * all of them, and what fails for one workspace's bot says nothing about another's).
   */
  pauseChannel(platform: Platform, channelId: string, reason: string, at: Timestamp, workspaceId?: string): Promise<number>;
  /** Pauses every active subscription of a workspace (a Slack team that uninstalled the app); returns how many. */
  pauseWorkspace(platform: Platform, workspaceId: string, reason: string, at: Timestamp, audit?: NewAuditEntry): Promise<number>;
  /** Resumes a paused subscription; slots that passed while paused are not replayed (`checkedUntil = at`). */
  resume(id: number, at: Timestamp, audit?: NewAuditEntry): Promise<boolean>;
  /** Moves the watermark forward (never back). */
  advance(id: number, checkedUntil: Timestamp): Promise<void>;
}

// ---------------------------------------------------------------------------------------------
// Delivery ledger

export type DeliveryKind = 'scheduled' | 'manual';

/**
 * - `claimed`: a process owns it and is sending (or died while sending: see `leaseUntil`).
 * - `delivered`: posted; `messageIds` says where.
 * - `empty`: nothing new and `DIGEST_EMPTY=skip`, so nothing was posted.
 * - `failed`: gave up (channel gone, forbidden, or retries exhausted); `error` says why.
 * - `skipped`: the slot passed while the bot was down, outside the catch-up window.
 */
export type DeliveryStatus = 'claimed' | 'delivered' | 'empty' | 'failed' | 'skipped';

/** Who holds a claim: a random id per running scheduler, plus where it runs. */
export interface ClaimOwner {
  id: string;
  host: string;
  pid: number;
}

export interface Delivery {
  id: number;
  /** Unique: `<subscriptionId>@<slot ISO>` for scheduled posts, `manual:<platform>:<channel>@<ISO>#<random>` for `/digest now`. */
  key: string;
  subscriptionId?: number;
  platform: Platform;
  channelId: string;
  kind: DeliveryKind;
  /** The scheduled instant (or the time `/digest now` was run). */
  slot: Timestamp;
  status: DeliveryStatus;
  /** Posted by catch-up after the slot had passed. */
  late: boolean;
  /** Taken over from a claim whose process died (or whose lease ran out) and retried. */
  recovered: boolean;
  /** Send attempts so far. */
  attempts: number;
  owner?: ClaimOwner;
  leaseUntil?: Timestamp;
  claimedAt?: Timestamp;
  finishedAt?: Timestamp;
  /** Briefings added up to this instant are covered; the channel's next digest starts after it. */
  cutoff?: Timestamp;
  /** The briefings this digest lists (chosen when claimed, so a retry posts the same digest). */
  articleIds: string[];
  /** New briefings left out of the list (too many for one digest). */
  omitted: number;
  /** The channel's first digest (it lists the newest few rather than what is new). */
  first: boolean;
  messageIds: string[];
  /** Why it failed or was skipped. */
  error?: string;
}

/** What the channel's previous digest covered (its latest claimed or delivered one). */
export interface PreviousDigest {
  cutoff: Timestamp;
  articleIds: string[];
}

export interface ClaimRequest {
  key: string;
  subscriptionId?: number;
  platform: Platform;
  channelId: string;
  kind: DeliveryKind;
  slot: Timestamp;
  late: boolean;
  owner: ClaimOwner;
  now: Timestamp;
  leaseUntil: Timestamp;
  /**
   * Runs inside the claim transaction with the channel's previous digest (none for the first)
   * and returns what this one covers. Two processes claiming for one channel are serialised,
   * so they never list the same briefings twice. Must be synchronous and must not throw.
   */
  choose(previous: PreviousDigest | undefined): { cutoff: Timestamp; articleIds: string[]; omitted: number; first: boolean };
}

export type ClaimResult = { claimed: true; delivery: Delivery } | { claimed: false; existing: Delivery };

export interface Outcome {
  status: 'delivered' | 'empty' | 'failed';
  attempts: number;
  at: Timestamp;
  messageIds?: string[];
  error?: string;
}

export interface SkippedSlot {
  key: string;
  subscriptionId: number;
  platform: Platform;
  channelId: string;
  slot: Timestamp;
  reason: string;
}

export interface DeliveryLedger {
  /** Inserts a claim unless the key exists; the existing row otherwise. */
  claim(request: ClaimRequest): Promise<ClaimResult>;
  /** Every row still `claimed` (live sends and claims whose process died), oldest first. */
  listClaims(): Promise<Delivery[]>;
  /**
   * Takes over a claim still held by `from` (compare-and-set), marking it recovered.
   * Undefined when someone else finished or took it first.
   */
  reclaim(id: number, from: ClaimOwner | undefined, to: ClaimOwner, leaseUntil: Timestamp): Promise<Delivery | undefined>;
  /** Extends the owner's lease while it waits (rate limits, backoff); false when it lost the claim. */
  renew(id: number, owner: ClaimOwner, leaseUntil: Timestamp, attempts: number): Promise<boolean>;
  /** Records the outcome if `owner` still holds the claim; false otherwise. */
  finish(id: number, owner: ClaimOwner, outcome: Outcome): Promise<boolean>;
  /** Records slots missed outside the catch-up window; existing keys are left alone. Returns rows added. */
  skip(slots: SkippedSlot[], at: Timestamp): Promise<number>;
  get(key: string): Promise<Delivery | undefined>;
  /** What the channel's latest claimed, delivered or empty digest covered (what `claim` passes to `choose`). */
  previousDigest(platform: Platform, channelId: string): Promise<PreviousDigest | undefined>;
  /** The latest rows of a subscription, newest slot first. */
  recentForSubscription(subscriptionId: number, limit: number): Promise<Delivery[]>;
  /** The latest rows of a channel (all its subscriptions and manual posts), newest first. */
  recentForChannel(platform: Platform, channelId: string, limit: number): Promise<Delivery[]>;
  /** Row counts by status, for a quick health view and tests. */
  countByStatus(): Promise<Record<DeliveryStatus, number>>;
}

// ---------------------------------------------------------------------------------------------
// Registered briefings (issue 6)

export interface ArticleRevision {
  /** The article id (slug). */
  id: string;
  /** 1 for the first registration, then 2, 3, … */
  revision: number;
  article: Article;
  format: Article['format'];
  /** sha256 (hex) of the raw text that was registered, to spot re-registrations. */
  rawSha256: string;
  /** Where it came from: a file name or URL, when known. */
  sourceName?: string;
  registeredBy: string;
  registeredAt: Timestamp;
  /** Hidden revisions are kept for the audit trail but not loaded (unregistered). */
  hidden: boolean;
}

export interface NewRevision {
  article: Article;
  rawSha256: string;
  sourceName?: string;
  registeredBy: string;
  registeredAt: Timestamp;
}

export interface ArticleRepository {
  /** Stores the next revision of `article.id` (1 when new), visible, with an optional audit entry, in one transaction. */
  addRevision(input: NewRevision, audit?: NewAuditEntry): Promise<ArticleRevision>;
  /** The highest revision of an article; hidden ones only when asked. */
  latest(id: string, options?: { includeHidden?: boolean }): Promise<ArticleRevision | undefined>;
  revision(id: string, revision: number): Promise<ArticleRevision | undefined>;
  /** All revisions of an article, newest first. */
  revisions(id: string): Promise<ArticleRevision[]>;
  /** The latest revision of every article whose latest revision is visible (what to load at start). */
  listLatest(options?: { includeHidden?: boolean }): Promise<ArticleRevision[]>;
  /** Revisions registered from exactly this raw text. */
  findByHash(rawSha256: string): Promise<ArticleRevision[]>;
  /**
   * Hides or shows an article (every revision, or just `revision`), with an optional audit
   * entry, in one transaction. Returns the number of revisions changed.
   */
  setHidden(id: string, hidden: boolean, options?: { revision?: number; audit?: NewAuditEntry }): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Audit log

export interface AuditEntry {
  id: number;
  at: Timestamp;
  /** The acting user's platform id, e.g. `U123` or `local:ada`. */
  actor: string;
  actorName?: string;
  platform?: Platform;
  /** Discord guild or Slack team the action happened in, when known. */
  workspaceId?: string;
  channelId?: string;
  /** Dotted verb: `article.register`, `article.unregister`, `digest.subscribe`, … */
  action: string;
  /** What it acted on: an article id, `subscription:3`, … */
  target?: string;
  detail?: Record<string, unknown>;
}

export type NewAuditEntry = Omit<AuditEntry, 'id'>;

export interface AuditFilter {
  actor?: string;
  /** Only entries of this workspace (a Slack team or Discord guild). */
  workspaceId?: string;
  action?: string;
  target?: string;
  /** Only entries with a smaller id (paging backwards). */
  beforeId?: number;
  /**
   * Only what one workspace may see: its own entries (this platform and workspace) and the
   * entries whose action starts with `sharedPrefix` (changes to what every workspace shares,
   * e.g. `article.` for registered briefings). Without `workspaceId`, only the shared ones.
   */
  visibleTo?: { platform: Platform; workspaceId?: string; sharedPrefix: string };
  /** Default 50, at most 1000. */
  limit?: number;
}

export interface AuditLog {
  append(entry: NewAuditEntry): Promise<AuditEntry>;
  /** Matching entries, newest first. */
  list(filter?: AuditFilter): Promise<AuditEntry[]>;
}

// ---------------------------------------------------------------------------------------------
// Short-lived keys

/** One key with its value and lifetime. */
export interface KeyEntry {
  key: string;
  value: string;
  createdAt: Timestamp;
  expiresAt: Timestamp;
}

/**
 * Small expiring entries every process sees at once: delivery keys of Slack retries, shares
 * already posted, invocations too long for a button. Keys are namespaced by a prefix, e.g.
 * `slack:T123:event:Ev1`. An expired entry counts as missing.
 */
export interface KeyStore {
  /**
   * Stores `value` under `key` unless a live entry is there: atomic across processes, so exactly
   * one caller gets `created: true`. Otherwise returns the live entry unchanged.
   */
  putIfAbsent(key: string, value: string, at: Timestamp, expiresAt: Timestamp): Promise<{ created: boolean; entry: KeyEntry }>;
  /** Stores or replaces an entry. */
  put(key: string, value: string, at: Timestamp, expiresAt: Timestamp): Promise<void>;
  /** The live entry, or undefined when missing or expired at `at`. */
  get(key: string, at: Timestamp): Promise<KeyEntry | undefined>;
  /** Removes one entry; false when there was none. */
  delete(key: string): Promise<boolean>;
  /** Removes every entry whose key starts with `prefix` (e.g. a workspace that uninstalled); returns how many. */
  deletePrefix(prefix: string): Promise<number>;
  /** Removes entries expired at `at`, at most `limit` (default 10,000); returns how many. */
  purgeExpired(at: Timestamp, limit?: number): Promise<number>;
}

// ---------------------------------------------------------------------------------------------
// Slack installations

/** Which installation a request belongs to: an organisation-wide one by enterprise, otherwise by team. */
export interface InstallationQuery {
  teamId?: string;
  enterpriseId?: string;
  enterpriseInstall: boolean;
}

export interface StoredInstallation extends InstallationQuery {
  /** The platform's installation record, serialised and encrypted by the adapter (it holds tokens). */
  payload: string;
  installedAt: Timestamp;
  updatedAt: Timestamp;
}

export interface InstallationRepository {
  /** Adds or replaces the installation (a reinstall keeps `installedAt`), with an optional audit entry, in one transaction. */
  save(installation: InstallationQuery & { payload: string; at: Timestamp }, audit?: NewAuditEntry): Promise<StoredInstallation>;
  find(query: InstallationQuery): Promise<StoredInstallation | undefined>;
  /** Deletes it, with an optional audit entry, in one transaction; false when there was none. */
  delete(query: InstallationQuery, audit?: NewAuditEntry): Promise<boolean>;
  /** Every installation, oldest first. */
  list(): Promise<StoredInstallation[]>;
}
