import { installationKey } from './installation-key.ts';
import { appendAudit } from './postgres-audit.ts';
import type { Db } from './postgres-db.ts';
import type { InstallationRepository, StoredInstallation } from './types.ts';

interface InstallationRow {
  key: string;
  team_id: string | null;
  enterprise_id: string | null;
  enterprise_install: boolean;
  payload: string;
  installed_at: string;
  updated_at: string;
}

const toInstallation = (r: InstallationRow): StoredInstallation => ({
  ...(r.team_id !== null ? { teamId: r.team_id } : {}),
  ...(r.enterprise_id !== null ? { enterpriseId: r.enterprise_id } : {}),
  enterpriseInstall: r.enterprise_install,
  payload: r.payload,
  installedAt: r.installed_at,
  updatedAt: r.updated_at,
});

/** Slack installations in PostgreSQL, one row per workspace or organisation (see `installationKey`). */
export function postgresInstallations(db: Db): InstallationRepository {
  return {
    async save(input, audit) {
      const key = installationKey(input);
      return db.tx(async (sql) => {
        const row = await sql.one<InstallationRow>(
          `INSERT INTO installations (key, team_id, enterprise_id, enterprise_install, payload, installed_at, updated_at)
           VALUES ($1, $2, $3, $4, $5, $6, $6)
           ON CONFLICT (key) DO UPDATE SET team_id = excluded.team_id, enterprise_id = excluded.enterprise_id,
             payload = excluded.payload, updated_at = excluded.updated_at
           RETURNING *`,
          [key, input.teamId ?? null, input.enterpriseId ?? null, input.enterpriseInstall, input.payload, input.at],
        );
        if (audit) await appendAudit(sql, audit);
        return toInstallation(row as InstallationRow);
      });
    },
    async find(query) {
      const row = await db.one<InstallationRow>('SELECT * FROM installations WHERE key = $1', [installationKey(query)]);
      return row ? toInstallation(row) : undefined;
    },
    async delete(query, audit) {
      const key = installationKey(query);
      return db.tx(async (sql) => {
        const removed = (await sql.run('DELETE FROM installations WHERE key = $1', [key])) === 1;
        if (removed && audit) await appendAudit(sql, audit);
        return removed;
      });
    },
    async list() {
      return (await db.rows<InstallationRow>('SELECT * FROM installations ORDER BY installed_at, key')).map(toInstallation);
    },
  };
}
