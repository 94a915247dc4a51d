import type { Platform } from '../core/command.ts';
import type { Db, Sql } from './postgres-db.ts';
import { LOCKS } from './postgres-migrations.ts';
import type { AuditEntry, AuditLog, NewAuditEntry } from './types.ts';

interface AuditRow {
  id: number;
  at: string;
  actor: string;
  actor_name: string | null;
  platform: string | null;
  workspace_id: string | null;
  channel_id: string | null;
  action: string;
  target: string | null;
  detail: string | null;
}

function toEntry(r: AuditRow): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actor: r.actor,
    ...(r.actor_name !== null ? { actorName: r.actor_name } : {}),
    ...(r.platform !== null ? { platform: r.platform as Platform } : {}),
    ...(r.workspace_id !== null ? { workspaceId: r.workspace_id } : {}),
    ...(r.channel_id !== null ? { channelId: r.channel_id } : {}),
    action: r.action,
    ...(r.target !== null ? { target: r.target } : {}),
    ...(r.detail !== null ? { detail: JSON.parse(r.detail) as Record<string, unknown> } : {}),
  };
}

/**
 * Appends an entry inside the caller's transaction (repositories use it for atomic audit rows).
 * The advisory lock, held until that transaction ends, makes appends take their ids in commit
 * order: without it a reader paging by id (`watchRegistrations`) could see id 11 committed, move
 * past it, and never see id 10 committed a moment later.
 */
export async function appendAudit(sql: Sql, e: NewAuditEntry): Promise<AuditEntry> {
  await sql.run(`SELECT pg_advisory_xact_lock(${LOCKS.audit})`);
  const row = await sql.one<{ id: number }>(
    `INSERT INTO audit (at, actor, actor_name, platform, workspace_id, channel_id, action, target, detail)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id`,
    [
      e.at,
      e.actor,
      e.actorName ?? null,
      e.platform ?? null,
      e.workspaceId ?? null,
      e.channelId ?? null,
      e.action,
      e.target ?? null,
      e.detail === undefined ? null : JSON.stringify(e.detail),
    ],
  );
  return { ...e, id: row?.id ?? 0 };
}

/** The audit log in PostgreSQL. */
export function postgresAudit(db: Db): AuditLog {
  return {
    async append(entry) {
      return db.tx((sql) => appendAudit(sql, entry));
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (column: string, op: string, value: unknown) => {
        params.push(value);
        where.push(`${column} ${op} $${params.length}`);
      };
      if (filter.actor !== undefined) add('actor', '=', filter.actor);
      if (filter.workspaceId !== undefined) add('workspace_id', '=', filter.workspaceId);
      if (filter.action !== undefined) add('action', '=', filter.action);
      if (filter.target !== undefined) add('target', '=', filter.target);
      if (filter.beforeId !== undefined) add('id', '<', filter.beforeId);
      if (filter.visibleTo) {
        const { platform, workspaceId, sharedPrefix } = filter.visibleTo;
        params.push(sharedPrefix, platform, workspaceId ?? null);
        const n = params.length;
        // left(), not LIKE: `_` and `%` in a prefix must not be wildcards.
        where.push(`(left(action, char_length($${n - 2})) = $${n - 2} OR (platform = $${n - 1} AND workspace_id = $${n}))`);
      }
      const limit = Math.min(Math.max(1, Math.floor(filter.limit ?? 50)), 1000);
      const text = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
      return (await db.rows<AuditRow>(text, params)).map(toEntry);
    },
  };
}
