import type Database from 'better-sqlite3';
import { installationKey } from './installation-key.ts';
import { appendAudit } from './sqlite-audit.ts';
import type { InstallationQuery, InstallationRepository, NewAuditEntry, StoredInstallation } from './types.ts';

interface InstallationRow {
  key: string;
  team_id: string | null;
  enterprise_id: string | null;
  enterprise_install: number;
  payload: string;
  installed_at: string;
  updated_at: string;
}

const toInstallation = (r: InstallationRow): StoredInstallation => ({
  ...(r.team_id !== null ? { teamId: r.team_id } : {}),
  ...(r.enterprise_id !== null ? { enterpriseId: r.enterprise_id } : {}),
  enterpriseInstall: r.enterprise_install === 1,
  payload: r.payload,
  installedAt: r.installed_at,
  updatedAt: r.updated_at,
});

/** Slack installations in SQLite, one row per workspace or organisation (see `installationKey`). */
export function sqliteInstallations(db: Database.Database): InstallationRepository {
  const upsert = db.prepare(`INSERT INTO installations (key, team_id, enterprise_id, enterprise_install, payload, installed_at, updated_at)
    VALUES (@key, @teamId, @enterpriseId, @enterpriseInstall, @payload, @at, @at)
    ON CONFLICT (key) DO UPDATE SET team_id = excluded.team_id, enterprise_id = excluded.enterprise_id,
      payload = excluded.payload, updated_at = excluded.updated_at`);
  const one = db.prepare('SELECT * FROM installations WHERE key = ?');
  const all = db.prepare('SELECT * FROM installations ORDER BY installed_at, key');
  const remove = db.prepare('DELETE FROM installations WHERE key = ?');

  const save = db.transaction((input: InstallationQuery & { payload: string; at: string }, audit?: NewAuditEntry) => {
    const key = installationKey(input);
    upsert.run({
      key,
      teamId: input.teamId ?? null,
      enterpriseId: input.enterpriseId ?? null,
      enterpriseInstall: input.enterpriseInstall ? 1 : 0,
      payload: input.payload,
      at: input.at,
    });
    if (audit) appendAudit(db, audit);
    return toInstallation(one.get(key) as InstallationRow);
  });
  const drop = db.transaction((query: InstallationQuery, audit?: NewAuditEntry) => {
    const removed = remove.run(installationKey(query)).changes === 1;
    if (removed && audit) appendAudit(db, audit);
    return removed;
  });

  return {
    async save(input, audit) {
      return save.immediate(input, audit);
    },
    async find(query) {
      const row = one.get(installationKey(query)) as InstallationRow | undefined;
      return row ? toInstallation(row) : undefined;
    },
    async delete(query, audit) {
      return drop.immediate(query, audit);
    },
    async list() {
      return (all.all() as InstallationRow[]).map(toInstallation);
    },
  };
}
