import type Database from 'better-sqlite3';
import type { Platform } from '../core/command.ts';
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

const statements = new WeakMap<Database.Database, Database.Statement>();

/** Appends an entry inside whatever transaction is open (repositories use it for atomic audit rows). */
export function appendAudit(db: Database.Database, e: NewAuditEntry): AuditEntry {
  let insert = statements.get(db);
  if (!insert) {
    insert = db.prepare(`INSERT INTO audit (at, actor, actor_name, platform, workspace_id, channel_id, action, target, detail)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    statements.set(db, insert);
  }
  const info = insert.run(
    e.at,
    e.actor,
    e.actorName ?? null,
    e.platform ?? null,
    e.workspaceId ?? null,
    e.channelId ?? null,
    e.action,
    e.target ?? null,
    e.detail === undefined ? null : JSON.stringify(e.detail),
  );
  return { ...e, id: Number(info.lastInsertRowid) };
}

/** The audit log in SQLite. */
export function sqliteAudit(db: Database.Database): AuditLog {
  return {
    async append(entry) {
      return appendAudit(db, entry);
    },
    async list(filter = {}) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (filter.actor !== undefined) {
        where.push('actor = ?');
        params.push(filter.actor);
      }
      if (filter.workspaceId !== undefined) {
        where.push('workspace_id = ?');
        params.push(filter.workspaceId);
      }
      if (filter.action !== undefined) {
        where.push('action = ?');
        params.push(filter.action);
      }
      if (filter.target !== undefined) {
        where.push('target = ?');
        params.push(filter.target);
      }
      if (filter.beforeId !== undefined) {
        where.push('id < ?');
        params.push(filter.beforeId);
      }
      if (filter.visibleTo) {
        const { platform, workspaceId, sharedPrefix } = filter.visibleTo;
        // substr, not LIKE: `_` and `%` in a prefix must not be wildcards.
        where.push('(substr(action, 1, ?) = ? OR (platform = ? AND workspace_id = ?))');
        params.push(sharedPrefix.length, sharedPrefix, platform, workspaceId ?? null);
      }
      const limit = Math.min(Math.max(1, filter.limit ?? 50), 1000);
      const sql = `SELECT * FROM audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit}`;
      return (db.prepare(sql).all(...params) as AuditRow[]).map(toEntry);
    },
  };
}
