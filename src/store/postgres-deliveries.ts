import type { Platform } from '../core/command.ts';
import type { Db, Sql } from './postgres-db.ts';
import type { ClaimOwner, Delivery, DeliveryKind, DeliveryLedger, DeliveryStatus, Outcome, PreviousDigest, Timestamp } from './types.ts';

interface DeliveryRow {
  id: number;
  key: string;
  subscription_id: number | null;
  platform: string;
  channel_id: string;
  kind: string;
  slot: string;
  status: string;
  late: boolean;
  recovered: boolean;
  attempts: number;
  owner_id: string | null;
  owner_host: string | null;
  owner_pid: number | null;
  lease_until: string | null;
  claimed_at: string | null;
  finished_at: string | null;
  cutoff: string | null;
  article_ids: string;
  omitted: number;
  first: boolean;
  message_ids: string;
  error: string | null;
}

function toDelivery(r: DeliveryRow): Delivery {
  return {
    id: r.id,
    key: r.key,
    ...(r.subscription_id !== null ? { subscriptionId: r.subscription_id } : {}),
    platform: r.platform as Platform,
    channelId: r.channel_id,
    kind: r.kind as DeliveryKind,
    slot: r.slot,
    status: r.status as DeliveryStatus,
    late: r.late,
    recovered: r.recovered,
    attempts: r.attempts,
    ...(r.owner_id !== null ? { owner: { id: r.owner_id, host: r.owner_host ?? '', pid: r.owner_pid ?? 0 } } : {}),
    ...(r.lease_until !== null ? { leaseUntil: r.lease_until } : {}),
    ...(r.claimed_at !== null ? { claimedAt: r.claimed_at } : {}),
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    ...(r.cutoff !== null ? { cutoff: r.cutoff } : {}),
    articleIds: JSON.parse(r.article_ids) as string[],
    omitted: r.omitted,
    first: r.first,
    messageIds: JSON.parse(r.message_ids) as string[],
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

const ALL_STATUSES: DeliveryStatus[] = ['claimed', 'delivered', 'empty', 'failed', 'skipped'];

// The channel's previous digest: the newest claim or delivery that fixed a cutoff.
const PREVIOUS = `SELECT cutoff, article_ids FROM deliveries
  WHERE platform = $1 AND channel_id = $2 AND status IN ('claimed', 'delivered', 'empty') AND cutoff IS NOT NULL
  ORDER BY cutoff DESC, id DESC LIMIT 1`;

async function previousOf(sql: Sql, platform: Platform, channelId: string): Promise<PreviousDigest | undefined> {
  const prev = await sql.one<{ cutoff: string; article_ids: string }>(PREVIOUS, [platform, channelId]);
  return prev ? { cutoff: prev.cutoff, articleIds: JSON.parse(prev.article_ids) as string[] } : undefined;
}

/**
 * The delivery ledger in PostgreSQL. The UNIQUE `key` makes each slot claimable once; a claim
 * first takes a transaction advisory lock on its channel, so two processes claiming for one
 * channel run `choose` one after the other, each seeing the other's committed digest.
 */
export function postgresDeliveries(db: Db): DeliveryLedger {
  const byKey = (sql: Sql, key: string) => sql.one<DeliveryRow>('SELECT * FROM deliveries WHERE key = $1', [key]);
  return {
    async claim(req) {
      return db.tx(async (sql) => {
        await sql.run("SELECT pg_advisory_xact_lock(hashtextextended('briefing-bot:channel:' || $1::text || ':' || $2::text, 0))", [
          req.platform,
          req.channelId,
        ]);
        const existing = await byKey(sql, req.key);
        if (existing) return { claimed: false as const, existing: toDelivery(existing) };
        const chosen = req.choose(await previousOf(sql, req.platform, req.channelId));
        const row = await sql.one<DeliveryRow>(
          `INSERT INTO deliveries
            (key, subscription_id, platform, channel_id, kind, slot, status, late, owner_id, owner_host, owner_pid, lease_until,
             claimed_at, cutoff, article_ids, omitted, first)
           VALUES ($1, $2, $3, $4, $5, $6, 'claimed', $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
           ON CONFLICT (key) DO NOTHING RETURNING *`,
          [
            req.key,
            req.subscriptionId ?? null,
            req.platform,
            req.channelId,
            req.kind,
            req.slot,
            req.late,
            req.owner.id,
            req.owner.host,
            req.owner.pid,
            req.leaseUntil,
            req.now,
            chosen.cutoff,
            JSON.stringify(chosen.articleIds),
            chosen.omitted,
            chosen.first,
          ],
        );
        if (row) return { claimed: true as const, delivery: toDelivery(row) };
        // The same key claimed for another channel meanwhile (the lock is per channel): that row wins.
        const winner = await byKey(sql, req.key);
        if (!winner) throw new Error(`deliveries.claim: key "${req.key}" conflicted but no row holds it`);
        return { claimed: false as const, existing: toDelivery(winner) };
      });
    },
    async listClaims() {
      return (await db.rows<DeliveryRow>("SELECT * FROM deliveries WHERE status = 'claimed' ORDER BY id")).map(toDelivery);
    },
    async reclaim(id: number, from: ClaimOwner | undefined, to: ClaimOwner, leaseUntil: Timestamp) {
      const row = await db.one<DeliveryRow>(
        `UPDATE deliveries SET owner_id = $1, owner_host = $2, owner_pid = $3, lease_until = $4, recovered = true
         WHERE id = $5 AND status = 'claimed' AND owner_id IS NOT DISTINCT FROM $6 RETURNING *`,
        [to.id, to.host, to.pid, leaseUntil, id, from?.id ?? null],
      );
      return row ? toDelivery(row) : undefined;
    },
    async renew(id, owner, leaseUntil, attempts) {
      const changed = await db.run(
        "UPDATE deliveries SET lease_until = $1, attempts = $2 WHERE id = $3 AND status = 'claimed' AND owner_id = $4",
        [leaseUntil, attempts, id, owner.id],
      );
      return changed === 1;
    },
    async finish(id, owner, outcome: Outcome) {
      const changed = await db.run(
        `UPDATE deliveries SET status = $1, attempts = $2, finished_at = $3, message_ids = $4, error = $5, lease_until = NULL
         WHERE id = $6 AND status = 'claimed' AND owner_id = $7`,
        [outcome.status, outcome.attempts, outcome.at, JSON.stringify(outcome.messageIds ?? []), outcome.error ?? null, id, owner.id],
      );
      return changed === 1;
    },
    async skip(slots, at) {
      if (!slots.length) return 0;
      return db.tx(async (sql) => {
        let added = 0;
        for (const s of slots)
          added += await sql.run(
            `INSERT INTO deliveries (key, subscription_id, platform, channel_id, kind, slot, status, finished_at, error)
             VALUES ($1, $2, $3, $4, 'scheduled', $5, 'skipped', $6, $7) ON CONFLICT (key) DO NOTHING`,
            [s.key, s.subscriptionId, s.platform, s.channelId, s.slot, at, s.reason],
          );
        return added;
      });
    },
    async get(key) {
      const row = await byKey(db, key);
      return row ? toDelivery(row) : undefined;
    },
    async previousDigest(platform, channelId) {
      return previousOf(db, platform, channelId);
    },
    async recentForSubscription(subscriptionId, limit) {
      const rows = await db.rows<DeliveryRow>('SELECT * FROM deliveries WHERE subscription_id = $1 ORDER BY slot DESC, id DESC LIMIT $2', [
        subscriptionId,
        limit,
      ]);
      return rows.map(toDelivery);
    },
    async recentForChannel(platform, channelId, limit) {
      const rows = await db.rows<DeliveryRow>(
        'SELECT * FROM deliveries WHERE platform = $1 AND channel_id = $2 ORDER BY id DESC LIMIT $3',
        [platform, channelId, limit],
      );
      return rows.map(toDelivery);
    },
    async countByStatus() {
      const out = Object.fromEntries(ALL_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
      for (const r of await db.rows<{ status: DeliveryStatus; n: number }>(
        'SELECT status, COUNT(*)::int AS n FROM deliveries GROUP BY status',
      ))
        out[r.status] = r.n;
      return out;
    },
  };
}
