import type Database from 'better-sqlite3';
import type { Platform } from '../core/command.ts';
import type {
  ClaimOwner,
  ClaimRequest,
  ClaimResult,
  Delivery,
  DeliveryKind,
  DeliveryLedger,
  DeliveryStatus,
  Outcome,
  PreviousDigest,
  SkippedSlot,
  Timestamp,
} from './types.ts';

interface DeliveryRow {
  id: number;
  key: string;
  subscription_id: number | null;
  platform: string;
  channel_id: string;
  kind: string;
  slot: string;
  status: string;
  late: number;
  recovered: number;
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
  first: number;
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
    late: r.late === 1,
    recovered: r.recovered === 1,
    attempts: r.attempts,
    ...(r.owner_id !== null ? { owner: { id: r.owner_id, host: r.owner_host ?? '', pid: r.owner_pid ?? 0 } } : {}),
    ...(r.lease_until !== null ? { leaseUntil: r.lease_until } : {}),
    ...(r.claimed_at !== null ? { claimedAt: r.claimed_at } : {}),
    ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    ...(r.cutoff !== null ? { cutoff: r.cutoff } : {}),
    articleIds: JSON.parse(r.article_ids) as string[],
    omitted: r.omitted,
    first: r.first === 1,
    messageIds: JSON.parse(r.message_ids) as string[],
    ...(r.error !== null ? { error: r.error } : {}),
  };
}

const ALL_STATUSES: DeliveryStatus[] = ['claimed', 'delivered', 'empty', 'failed', 'skipped'];

/** The delivery ledger in SQLite: the UNIQUE `key` makes each slot claimable once across processes. */
export function sqliteDeliveries(db: Database.Database): DeliveryLedger {
  const byKey = db.prepare('SELECT * FROM deliveries WHERE key = ?');
  const byId = db.prepare('SELECT * FROM deliveries WHERE id = ?');
  // The channel's previous digest: the newest claim or delivery that fixed a cutoff.
  const previous = db.prepare(
    `SELECT cutoff, article_ids FROM deliveries
     WHERE platform = ? AND channel_id = ? AND status IN ('claimed', 'delivered', 'empty') AND cutoff IS NOT NULL
     ORDER BY cutoff DESC, id DESC LIMIT 1`,
  );
  const insertClaim = db.prepare(`INSERT INTO deliveries
    (key, subscription_id, platform, channel_id, kind, slot, status, late, owner_id, owner_host, owner_pid, lease_until, claimed_at, cutoff, article_ids, omitted, first)
    VALUES (@key, @subscriptionId, @platform, @channelId, @kind, @slot, 'claimed', @late, @ownerId, @ownerHost, @ownerPid, @leaseUntil, @now, @cutoff, @articleIds, @omitted, @first)
    ON CONFLICT (key) DO NOTHING`);
  const claims = db.prepare("SELECT * FROM deliveries WHERE status = 'claimed' ORDER BY id");
  const takeOver = db.prepare(`UPDATE deliveries
    SET owner_id = @toId, owner_host = @toHost, owner_pid = @toPid, lease_until = @leaseUntil, recovered = 1
    WHERE id = @id AND status = 'claimed' AND owner_id IS @fromId`);
  const renew = db.prepare("UPDATE deliveries SET lease_until = ?, attempts = ? WHERE id = ? AND status = 'claimed' AND owner_id = ?");
  const finish = db.prepare(`UPDATE deliveries
    SET status = @status, attempts = @attempts, finished_at = @at, message_ids = @messageIds, error = @error, lease_until = NULL
    WHERE id = @id AND status = 'claimed' AND owner_id = @ownerId`);
  const insertSkip = db.prepare(`INSERT INTO deliveries (key, subscription_id, platform, channel_id, kind, slot, status, finished_at, error)
    VALUES (?, ?, ?, ?, 'scheduled', ?, 'skipped', ?, ?) ON CONFLICT (key) DO NOTHING`);
  const recentSub = db.prepare('SELECT * FROM deliveries WHERE subscription_id = ? ORDER BY slot DESC, id DESC LIMIT ?');
  const recentChannel = db.prepare('SELECT * FROM deliveries WHERE platform = ? AND channel_id = ? ORDER BY id DESC LIMIT ?');
  const counts = db.prepare('SELECT status, COUNT(*) AS n FROM deliveries GROUP BY status');

  const previousOf = (platform: Platform, channelId: string): PreviousDigest | undefined => {
    const prev = previous.get(platform, channelId) as { cutoff: string; article_ids: string } | undefined;
    return prev ? { cutoff: prev.cutoff, articleIds: JSON.parse(prev.article_ids) as string[] } : undefined;
  };

  const claim = db.transaction((req: ClaimRequest): ClaimResult => {
    const existing = byKey.get(req.key) as DeliveryRow | undefined;
    if (existing) return { claimed: false, existing: toDelivery(existing) };
    const chosen = req.choose(previousOf(req.platform, req.channelId));
    const info = insertClaim.run({
      key: req.key,
      subscriptionId: req.subscriptionId ?? null,
      platform: req.platform,
      channelId: req.channelId,
      kind: req.kind,
      slot: req.slot,
      late: req.late ? 1 : 0,
      ownerId: req.owner.id,
      ownerHost: req.owner.host,
      ownerPid: req.owner.pid,
      leaseUntil: req.leaseUntil,
      now: req.now,
      cutoff: chosen.cutoff,
      articleIds: JSON.stringify(chosen.articleIds),
      omitted: chosen.omitted,
      first: chosen.first ? 1 : 0,
    });
    return { claimed: true, delivery: toDelivery(byId.get(info.lastInsertRowid) as DeliveryRow) };
  });
  const skip = db.transaction((slots: SkippedSlot[], at: Timestamp): number => {
    let added = 0;
    for (const s of slots) added += insertSkip.run(s.key, s.subscriptionId, s.platform, s.channelId, s.slot, at, s.reason).changes;
    return added;
  });

  return {
    async claim(request) {
      return claim.immediate(request);
    },
    async listClaims() {
      return (claims.all() as DeliveryRow[]).map(toDelivery);
    },
    async reclaim(id: number, from: ClaimOwner | undefined, to: ClaimOwner, leaseUntil: Timestamp) {
      const changed = takeOver.run({ id, fromId: from?.id ?? null, toId: to.id, toHost: to.host, toPid: to.pid, leaseUntil }).changes;
      return changed === 1 ? toDelivery(byId.get(id) as DeliveryRow) : undefined;
    },
    async renew(id, owner, leaseUntil, attempts) {
      return renew.run(leaseUntil, attempts, id, owner.id).changes === 1;
    },
    async finish(id, owner, outcome: Outcome) {
      const changed = finish.run({
        id,
        ownerId: owner.id,
        status: outcome.status,
        attempts: outcome.attempts,
        at: outcome.at,
        messageIds: JSON.stringify(outcome.messageIds ?? []),
        error: outcome.error ?? null,
      }).changes;
      return changed === 1;
    },
    async skip(slots, at) {
      return slots.length ? skip.immediate(slots, at) : 0;
    },
    async get(key) {
      const row = byKey.get(key) as DeliveryRow | undefined;
      return row ? toDelivery(row) : undefined;
    },
    async previousDigest(platform, channelId) {
      return previousOf(platform, channelId);
    },
    async recentForSubscription(subscriptionId, limit) {
      return (recentSub.all(subscriptionId, limit) as DeliveryRow[]).map(toDelivery);
    },
    async recentForChannel(platform, channelId, limit) {
      return (recentChannel.all(platform, channelId, limit) as DeliveryRow[]).map(toDelivery);
    },
    async countByStatus() {
      const out = Object.fromEntries(ALL_STATUSES.map((s) => [s, 0])) as Record<DeliveryStatus, number>;
      for (const r of counts.all() as { status: DeliveryStatus; n: number }[]) out[r.status] = r.n;
      return out;
    },
  };
}
