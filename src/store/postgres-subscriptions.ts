import type { Platform } from '../core/command.ts';
import { appendAudit } from './postgres-audit.ts';
import type { Db } from './postgres-db.ts';
import { NEVER } from './sqlite-subscriptions.ts';
import type { Subscription, SubscriptionRepository, SubscriptionStatus } from './types.ts';

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

// Unknown next slot first (due now), then the earliest; the same order as SQLite's.
const DUE_ORDER = 'next_due_at IS NOT NULL, next_due_at, id';

/** Subscriptions in PostgreSQL; `takeDue` locks due rows with SKIP LOCKED, so processes never wait on or double-take one. */
export function postgresSubscriptions(db: Db): SubscriptionRepository {
  return {
    async create(input, audit) {
      return db.tx(async (sql) => {
        const row = (await sql.one<SubscriptionRow>(
          `INSERT INTO subscriptions (platform, channel_id, channel_name, workspace_id, schedule, cron, time_zone, created_by, created_at, checked_until)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $9) RETURNING *`,
          [
            input.platform,
            input.channelId,
            input.channelName ?? null,
            input.workspaceId ?? null,
            input.schedule,
            input.cron,
            input.timeZone,
            input.createdBy,
            input.createdAt,
          ],
        )) as SubscriptionRow;
        if (audit) await appendAudit(sql, { ...audit, target: audit.target ?? `subscription:${row.id}` });
        return toSubscription(row);
      });
    },
    async get(id) {
      const row = await db.one<SubscriptionRow>('SELECT * FROM subscriptions WHERE id = $1', [id]);
      return row ? toSubscription(row) : undefined;
    },
    async listForChannel(platform, channelId, options) {
      const text = options?.includeCancelled
        ? 'SELECT * FROM subscriptions WHERE platform = $1 AND channel_id = $2 ORDER BY id'
        : "SELECT * FROM subscriptions WHERE platform = $1 AND channel_id = $2 AND status != 'cancelled' ORDER BY id";
      return (await db.rows<SubscriptionRow>(text, [platform, channelId])).map(toSubscription);
    },
    async listLive() {
      return (await db.rows<SubscriptionRow>("SELECT * FROM subscriptions WHERE status != 'cancelled' ORDER BY id")).map(toSubscription);
    },
    async cancel(id, by, at, audit) {
      return db.tx(async (sql) => {
        const changed =
          (await sql.run(
            "UPDATE subscriptions SET status = 'cancelled', cancelled_by = $1, cancelled_at = $2 WHERE id = $3 AND status != 'cancelled'",
            [by, at, id],
          )) === 1;
        if (changed && audit) await appendAudit(sql, audit);
        return changed;
      });
    },
    async pauseChannel(platform, channelId, reason, at, workspaceId) {
      return db.run(
        "UPDATE subscriptions SET status = 'paused', paused_reason = $1, paused_at = $2 WHERE platform = $3 AND channel_id = $4 AND status = 'active' AND ($5::text IS NULL OR workspace_id = $5)",
        [reason, at, platform, channelId, workspaceId ?? null],
      );
    },
    async pauseWorkspace(platform, workspaceId, reason, at, audit) {
      return db.tx(async (sql) => {
        const changed = await sql.run(
          "UPDATE subscriptions SET status = 'paused', paused_reason = $1, paused_at = $2 WHERE platform = $3 AND workspace_id = $4 AND status = 'active'",
          [reason, at, platform, workspaceId],
        );
        if (audit) await appendAudit(sql, audit);
        return changed;
      });
    },
    async takeDue({ owner, now, leaseUntil, limit, platforms }) {
      if (platforms.length === 0 || limit <= 0) return [];
      // The lease columns keep a taken row from others until it is released or runs out;
      // SKIP LOCKED keeps two processes from waiting on (or both taking) rows being leased right now.
      const rows = await db.rows<SubscriptionRow>(
        `WITH due AS (
           SELECT id FROM subscriptions
           WHERE status = 'active' AND platform = ANY($1::text[])
             AND (next_due_at IS NULL OR next_due_at <= $2)
             AND (sweep_lease_until IS NULL OR sweep_lease_until < $2)
           ORDER BY ${DUE_ORDER} LIMIT $3
           FOR UPDATE SKIP LOCKED
         ), taken AS (
           UPDATE subscriptions s SET sweep_owner = $4, sweep_lease_until = $5 FROM due WHERE s.id = due.id RETURNING s.*
         )
         SELECT * FROM taken ORDER BY ${DUE_ORDER}`,
        [platforms, now, limit, owner, leaseUntil],
      );
      return rows.map(toSubscription);
    },
    async release(id, owner, update) {
      const changed = await db.run(
        `UPDATE subscriptions
         SET checked_until = GREATEST(checked_until, $1), next_due_at = $2, sweep_owner = NULL, sweep_lease_until = NULL
         WHERE id = $3 AND sweep_owner = $4`,
        [update.checkedUntil, update.nextDueAt ?? NEVER, id, owner],
      );
      return changed === 1;
    },
    async resume(id, at, audit) {
      return db.tx(async (sql) => {
        const changed =
          (await sql.run(
            `UPDATE subscriptions SET status = 'active', paused_reason = NULL, paused_at = NULL, next_due_at = NULL,
               checked_until = GREATEST(checked_until, $1) WHERE id = $2 AND status = 'paused'`,
            [at, id],
          )) === 1;
        if (changed && audit) await appendAudit(sql, audit);
        return changed;
      });
    },
    async advance(id, checkedUntil) {
      await db.run('UPDATE subscriptions SET checked_until = $1 WHERE id = $2 AND checked_until < $1', [checkedUntil, id]);
    },
  };
}
