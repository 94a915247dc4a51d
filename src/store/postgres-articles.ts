import type { Article } from '../core/article.ts';
import { appendAudit } from './postgres-audit.ts';
import type { Db } from './postgres-db.ts';
import type { ArticleRepository, ArticleRevision } from './types.ts';

interface ArticleRow {
  id: string;
  revision: number;
  article: string;
  format: string;
  raw_sha256: string;
  source_name: string | null;
  registered_by: string;
  registered_at: string;
  hidden: boolean;
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
    hidden: r.hidden,
  };
}

/**
 * Registered briefings in PostgreSQL: every registration is a new revision row; nothing is
 * deleted. Two processes registering the same id at once are serialised on an advisory lock of
 * that id, so they get revisions n and n+1 instead of one failing on the primary key.
 */
export function postgresArticles(db: Db): ArticleRepository {
  return {
    async addRevision(input, audit) {
      const id = input.article.id;
      return db.tx(async (sql) => {
        await sql.run("SELECT pg_advisory_xact_lock(hashtextextended('briefing-bot:article:' || $1::text, 0))", [id]);
        const max = await sql.one<{ r: number | null }>('SELECT MAX(revision) AS r FROM articles WHERE id = $1', [id]);
        const revision = (max?.r ?? 0) + 1;
        const row = await sql.one<ArticleRow>(
          `INSERT INTO articles (id, revision, article, format, raw_sha256, source_name, registered_by, registered_at)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING *`,
          [
            id,
            revision,
            JSON.stringify(input.article),
            input.article.format,
            input.rawSha256,
            input.sourceName ?? null,
            input.registeredBy,
            input.registeredAt,
          ],
        );
        if (audit) await appendAudit(sql, { ...audit, target: audit.target ?? id, detail: { revision, ...audit.detail } });
        return toRevision(row as ArticleRow);
      });
    },
    async latest(id, options) {
      const row = await db.one<ArticleRow>('SELECT * FROM articles WHERE id = $1 ORDER BY revision DESC LIMIT 1', [id]);
      if (!row || (row.hidden && !options?.includeHidden)) return undefined;
      return toRevision(row);
    },
    async revision(id, revision) {
      const row = await db.one<ArticleRow>('SELECT * FROM articles WHERE id = $1 AND revision = $2', [id, revision]);
      return row ? toRevision(row) : undefined;
    },
    async revisions(id) {
      return (await db.rows<ArticleRow>('SELECT * FROM articles WHERE id = $1 ORDER BY revision DESC', [id])).map(toRevision);
    },
    async listLatest(options) {
      const rows = await db.rows<ArticleRow>(
        'SELECT * FROM (SELECT DISTINCT ON (id) * FROM articles ORDER BY id, revision DESC) latest ORDER BY registered_at, id',
        [],
        { bulk: true },
      );
      return rows.filter((r) => options?.includeHidden || !r.hidden).map(toRevision);
    },
    async findByHash(rawSha256) {
      const rows = await db.rows<ArticleRow>(
        'SELECT * FROM articles WHERE raw_sha256 = $1 ORDER BY registered_at DESC, id, revision DESC',
        [rawSha256],
      );
      return rows.map(toRevision);
    },
    async setHidden(id, hidden, options) {
      return db.tx(async (sql) => {
        const changed =
          options?.revision === undefined
            ? await sql.run('UPDATE articles SET hidden = $1 WHERE id = $2 AND hidden != $1', [hidden, id])
            : await sql.run('UPDATE articles SET hidden = $1 WHERE id = $2 AND revision = $3 AND hidden != $1', [
                hidden,
                id,
                options.revision,
              ]);
        if (changed > 0 && options?.audit) await appendAudit(sql, { ...options.audit, target: options.audit.target ?? id });
        return changed;
      });
    },
  };
}
