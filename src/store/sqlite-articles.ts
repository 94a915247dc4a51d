import type Database from 'better-sqlite3';
import type { Article } from '../core/article.ts';
import { appendAudit } from './sqlite-audit.ts';
import type { ArticleRepository, ArticleRevision, NewAuditEntry, NewRevision } from './types.ts';

interface ArticleRow {
  id: string;
  revision: number;
  article: string;
  format: string;
  raw_sha256: string;
  source_name: string | null;
  registered_by: string;
  registered_at: string;
  hidden: number;
}

function toRevision(r: ArticleRow): ArticleRevision {
  return {
    id: r.id,
    revision: r.revision,
    article: JSON.parse(r.article) as Article,
    format: r.format as Article['format'],
    rawSha256: r.raw_sha256,
    ...(r.source_name !== null ? { sourceName: r.source_name } : {}),
    registeredBy: r.registered_by,
    registeredAt: r.registered_at,
    hidden: r.hidden === 1,
  };
}

/** Registered briefings in SQLite: every registration is a new revision row; nothing is deleted. */
export function sqliteArticles(db: Database.Database): ArticleRepository {
  const maxRevision = db.prepare('SELECT MAX(revision) AS r FROM articles WHERE id = ?');
  const insert = db.prepare(`INSERT INTO articles (id, revision, article, format, raw_sha256, source_name, registered_by, registered_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?)`);
  const one = db.prepare('SELECT * FROM articles WHERE id = ? AND revision = ?');
  const latestAny = db.prepare('SELECT * FROM articles WHERE id = ? ORDER BY revision DESC LIMIT 1');
  const all = db.prepare('SELECT * FROM articles WHERE id = ? ORDER BY revision DESC');
  const latestEach = db.prepare(`SELECT a.* FROM articles a
    JOIN (SELECT id, MAX(revision) AS revision FROM articles GROUP BY id) m ON a.id = m.id AND a.revision = m.revision
    ORDER BY a.registered_at, a.id`);
  const byHash = db.prepare('SELECT * FROM articles WHERE raw_sha256 = ? ORDER BY registered_at DESC, id, revision DESC');
  const hideAll = db.prepare('UPDATE articles SET hidden = ? WHERE id = ? AND hidden != ?');
  const hideOne = db.prepare('UPDATE articles SET hidden = ? WHERE id = ? AND revision = ? AND hidden != ?');

  const add = db.transaction((input: NewRevision, audit?: NewAuditEntry): ArticleRevision => {
    const id = input.article.id;
    const revision = ((maxRevision.get(id) as { r: number | null }).r ?? 0) + 1;
    insert.run(
      id,
      revision,
      JSON.stringify(input.article),
      input.article.format,
      input.rawSha256,
      input.sourceName ?? null,
      input.registeredBy,
      input.registeredAt,
    );
    if (audit) appendAudit(db, { ...audit, target: audit.target ?? id, detail: { revision, ...audit.detail } });
    return toRevision(one.get(id, revision) as ArticleRow);
  });
  const setHidden = db.transaction((id: string, hidden: boolean, revision: number | undefined, audit?: NewAuditEntry): number => {
    const flag = hidden ? 1 : 0;
    const changed = revision === undefined ? hideAll.run(flag, id, flag).changes : hideOne.run(flag, id, revision, flag).changes;
    if (changed > 0 && audit) appendAudit(db, { ...audit, target: audit.target ?? id });
    return changed;
  });

  return {
    async addRevision(input, audit) {
      return add.immediate(input, audit);
    },
    async latest(id, options) {
      const row = latestAny.get(id) as ArticleRow | undefined;
      if (!row || (row.hidden === 1 && !options?.includeHidden)) return undefined;
      return toRevision(row);
    },
    async revision(id, revision) {
      const row = one.get(id, revision) as ArticleRow | undefined;
      return row ? toRevision(row) : undefined;
    },
    async revisions(id) {
      return (all.all(id) as ArticleRow[]).map(toRevision);
    },
    async listLatest(options) {
      const rows = latestEach.all() as ArticleRow[];
      return rows.filter((r) => options?.includeHidden || r.hidden === 0).map(toRevision);
    },
    async findByHash(rawSha256) {
      return (byHash.all(rawSha256) as ArticleRow[]).map(toRevision);
    },
    async setHidden(id, hidden, options) {
      return setHidden.immediate(id, hidden, options?.revision, options?.audit);
    },
  };
}
