import type { Db } from './postgres-db.ts';
import { likePrefix } from './sqlite-keys.ts';
import type { KeyEntry, KeyStore } from './types.ts';

interface KeyRow {
  key: string;
  value: string;
  created_at: string;
  expires_at: string;
}

const toEntry = (r: KeyRow): KeyEntry => ({ key: r.key, value: r.value, createdAt: r.created_at, expiresAt: r.expires_at });

/**
 * Short-lived keys in PostgreSQL. `putIfAbsent` is one upsert that replaces only an expired row:
 * of two processes inserting one key at once, the second waits on the first's row and then finds
 * it live, so exactly one gets `created: true`.
 */
export function postgresKeys(db: Db): KeyStore {
  return {
    async putIfAbsent(key, value, at, expiresAt) {
      for (;;) {
        const won = await db.one<KeyRow>(
          `INSERT INTO keys (key, value, created_at, expires_at) VALUES ($1, $2, $3, $4)
           ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at
           WHERE keys.expires_at <= excluded.created_at
           RETURNING *`,
          [key, value, at, expiresAt],
        );
        if (won) return { created: true, entry: toEntry(won) };
        // A live entry is there; read it in a new statement (a new snapshot, so it sees the winner's commit).
        const live = await db.one<KeyRow>('SELECT * FROM keys WHERE key = $1', [key]);
        if (live) return { created: false, entry: toEntry(live) };
        // Deleted between the two statements: try again.
      }
    },
    async put(key, value, at, expiresAt) {
      await db.run(
        `INSERT INTO keys (key, value, created_at, expires_at) VALUES ($1, $2, $3, $4)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at`,
        [key, value, at, expiresAt],
      );
    },
    async get(key, at) {
      const row = await db.one<KeyRow>('SELECT * FROM keys WHERE key = $1 AND expires_at > $2', [key, at]);
      return row ? toEntry(row) : undefined;
    },
    async delete(key) {
      return (await db.run('DELETE FROM keys WHERE key = $1', [key])) === 1;
    },
    async deletePrefix(prefix) {
      return db.run("DELETE FROM keys WHERE key LIKE $1 ESCAPE '\\'", [likePrefix(prefix)]);
    },
    async purgeExpired(at, limit = 10_000) {
      return db.run('DELETE FROM keys WHERE key IN (SELECT key FROM keys WHERE expires_at <= $1 LIMIT $2)', [at, limit]);
    },
  };
}
