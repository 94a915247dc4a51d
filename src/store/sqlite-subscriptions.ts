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
  };
}

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
    "UPDATE subscriptions SET status = 'paused', paused_reason = ?, paused_at = ? WHERE platform = ? AND channel_id = ? AND status = 'active'",
  );
  const resumeOne = db.prepare(
    "UPDATE subscriptions SET status = 'active', paused_reason = NULL, paused_at = NULL, checked_until = MAX(checked_until, ?) WHERE id = ? AND status = 'paused'",
  );
  const advance = db.prepare('UPDATE subscriptions SET checked_until = ? WHERE id = ? AND checked_until < ?');

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
    async pauseChannel(platform, channelId, reason, at) {
      return pauseAll.run(reason, at, platform, channelId).changes;
    },
    async resume(id, at, audit) {
      return resume.immediate(id, at, audit);
    },
    async advance(id, checkedUntil) {
      advance.run(checkedUntil, id, checkedUntil);
    },
  };
}
