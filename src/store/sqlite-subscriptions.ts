import type Database from 'better-sqlite3';
import type { Platform } from '../core/command.ts';
import { appendAudit } from './sqlite-audit.ts';
import type { NewAuditEntry, NewSubscription, Subscription, SubscriptionRepository, SubscriptionStatus, Timestamp } from './types.ts';

interface SubscriptionRow {
  id: number;
  platform: string;
  channel_id: string;
  channel_name: string | null;
  workspace_id: string | null;
  schedule: string;
  cron: string;
  time_zone: string;
  status: string;
  paused_reason: string | null;
  paused_at: string | null;
  created_by: string;
  created_at: string;
  cancelled_by: string | null;
  cancelled_at: string | null;
  checked_until: string;
  next_due_at: string | null;
}

function toSubscription(r: SubscriptionRow): Subscription {
  return {
    id: r.id,
    platform: r.platform as Platform,
    channelId: r.channel_id,
    ...(r.channel_name !== null ? { channelName: r.channel_name } : {}),
    ...(r.workspace_id !== null ? { workspaceId: r.workspace_id } : {}),
    schedule: r.schedule,
    cron: r.cron,
    timeZone: r.time_zone,
    status: r.status as SubscriptionStatus,
    ...(r.paused_reason !== null ? { pausedReason: r.paused_reason } : {}),
    ...(r.paused_at !== null ? { pausedAt: r.paused_at } : {}),
    createdBy: r.created_by,
    createdAt: r.created_at,
    ...(r.cancelled_by !== null ? { cancelledBy: r.cancelled_by } : {}),
    ...(r.cancelled_at !== null ? { cancelledAt: r.cancelled_at } : {}),
    checkedUntil: r.checked_until,
    ...(r.next_due_at !== null ? { nextDueAt: r.next_due_at } : {}),
  };
}

/** Stored as `next_due_at` when a schedule has no further slot (NULL would mean "due now"). */
export const NEVER = '9999-12-31T23:59:59.999Z';

/** Subscriptions in SQLite; every write is one IMMEDIATE transaction. */
export function sqliteSubscriptions(db: Database.Database): SubscriptionRepository {
  const insert = db.prepare(`INSERT INTO subscriptions
    (platform, channel_id, channel_name, workspace_id, schedule, cron, time_zone, created_by, created_at, checked_until)
    VALUES (@platform, @channelId, @channelName, @workspaceId, @schedule, @cron, @timeZone, @createdBy, @createdAt, @createdAt)`);
  const byId = db.prepare('SELECT * FROM subscriptions WHERE id = ?');
  const forChannel = db.prepare("SELECT * FROM subscriptions WHERE platform = ? AND channel_id = ? AND status != 'cancelled' ORDER BY id");
  const forChannelAll = db.prepare('SELECT * FROM subscriptions WHERE platform = ? AND channel_id = ? ORDER BY id');
  const live = db.prepare("SELECT * FROM subscriptions WHERE status != 'cancelled' ORDER BY id");
  const cancelOne = db.prepare(
    "UPDATE subscriptions SET status = 'cancelled', cancelled_by = ?, cancelled_at = ? WHERE id = ? AND status != 'cancelled'",
  );
  const pauseAll = db.prepare(
    "UPDATE subscriptions SET status = 'paused', paused_reason = ?, paused_at = ? WHERE platform = ? AND channel_id = ? AND status = 'active' AND (? IS NULL OR workspace_id = ?)",
  );
  const resumeOne = db.prepare(
    "UPDATE subscriptions SET status = 'active', paused_reason = NULL, paused_at = NULL, next_due_at = NULL, checked_until = MAX(checked_until, ?) WHERE id = ? AND status = 'paused'",
  );
  const pauseTeam = db.prepare(
    "UPDATE subscriptions SET status = 'paused', paused_reason = ?, paused_at = ? WHERE platform = ? AND workspace_id = ? AND status = 'active'",
  );
  const advance = db.prepare('UPDATE subscriptions SET checked_until = ? WHERE id = ? AND checked_until < ?');
  const due = (platforms: number) =>
    db.prepare(`SELECT id FROM subscriptions
      WHERE status = 'active' AND platform IN (${Array(platforms).fill('?').join(', ')})
        AND (next_due_at IS NULL OR next_due_at <= ?)
        AND (sweep_lease_until IS NULL OR sweep_lease_until < ?)
      ORDER BY next_due_at IS NOT NULL, next_due_at, id LIMIT ?`);
  const lease = db.prepare('UPDATE subscriptions SET sweep_owner = ?, sweep_lease_until = ? WHERE id = ?');
  const releaseOne = db.prepare(`UPDATE subscriptions
    SET checked_until = MAX(checked_until, @checkedUntil), next_due_at = @nextDueAt, sweep_owner = NULL, sweep_lease_until = NULL
    WHERE id = @id AND sweep_owner = @owner`);

  const create = db.transaction((input: NewSubscription, audit?: NewAuditEntry): Subscription => {
    const info = insert.run({ channelName: null, workspaceId: null, ...input });
    const row = byId.get(info.lastInsertRowid) as SubscriptionRow;
    if (audit) appendAudit(db, { ...audit, target: audit.target ?? `subscription:${row.id}` });
    return toSubscription(row);
  });
  const cancel = db.transaction((id: number, by: string, at: Timestamp, audit?: NewAuditEntry): boolean => {
    const changed = cancelOne.run(by, at, id).changes === 1;
    if (changed && audit) appendAudit(db, audit);
    return changed;
  });
  const takeDue = db.transaction((owner: string, now: Timestamp, leaseUntil: Timestamp, limit: number, platforms: readonly Platform[]) => {
    const ids = (due(platforms.length).all(...platforms, now, now, limit) as { id: number }[]).map((r) => r.id);
    for (const id of ids) lease.run(owner, leaseUntil, id);
    return ids.map((id) => toSubscription(byId.get(id) as SubscriptionRow));
  });
  const pauseWorkspace = db.transaction((platform: Platform, workspaceId: string, reason: string, at: Timestamp, audit?: NewAuditEntry) => {
    const changed = pauseTeam.run(reason, at, platform, workspaceId).changes;
    if (audit) appendAudit(db, audit);
    return changed;
  });
  const resume = db.transaction((id: number, at: Timestamp, audit?: NewAuditEntry): boolean => {
    const changed = resumeOne.run(at, id).changes === 1;
    if (changed && audit) appendAudit(db, audit);
    return changed;
  });

  return {
    async create(input, audit) {
      return create.immediate(input, audit);
    },
    async get(id) {
      const row = byId.get(id) as SubscriptionRow | undefined;
      return row ? toSubscription(row) : undefined;
    },
    async listForChannel(platform, channelId, options) {
      const stmt = options?.includeCancelled ? forChannelAll : forChannel;
      return (stmt.all(platform, channelId) as SubscriptionRow[]).map(toSubscription);
    },
    async listLive() {
      return (live.all() as SubscriptionRow[]).map(toSubscription);
    },
    async cancel(id, by, at, audit) {
      return cancel.immediate(id, by, at, audit);
    },
    async pauseChannel(platform, channelId, reason, at, workspaceId) {
      return pauseAll.run(reason, at, platform, channelId, workspaceId ?? null, workspaceId ?? null).changes;
    },
    async pauseWorkspace(platform, workspaceId, reason, at, audit) {
      return pauseWorkspace.immediate(platform, workspaceId, reason, at, audit);
    },
    async takeDue({ owner, now, leaseUntil, limit, platforms }) {
      if (platforms.length === 0 || limit <= 0) return [];
      return takeDue.immediate(owner, now, leaseUntil, limit, platforms);
    },
    async release(id, owner, update) {
      return releaseOne.run({ id, owner, checkedUntil: update.checkedUntil, nextDueAt: update.nextDueAt ?? NEVER }).changes === 1;
    },
    async resume(id, at, audit) {
      return resume.immediate(id, at, audit);
    },
    async advance(id, checkedUntil) {
      advance.run(checkedUntil, id, checkedUntil);
    },
  };
}
