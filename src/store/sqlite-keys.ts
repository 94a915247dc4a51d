import type Database from 'better-sqlite3';
import type { KeyEntry, KeyStore } from './types.ts';

interface KeyRow {
  key: string;
  value: string;
  created_at: string;
  expires_at: string;
}

const toEntry = (r: KeyRow): KeyEntry => ({ key: r.key, value: r.value, createdAt: r.created_at, expiresAt: r.expires_at });

/** `LIKE` pattern for keys starting with `prefix` (its own `%`, `_` and `\` taken literally). */
export const likePrefix = (prefix: string) => `${prefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/** Short-lived keys in SQLite. `putIfAbsent` is one statement, so concurrent processes never both win. */
export function sqliteKeys(db: Database.Database): KeyStore {
  // Replaces only an expired row: a live one makes the upsert a no-op and `changes` 0.
  const claim = db.prepare(`INSERT INTO keys (key, value, created_at, expires_at) VALUES (@key, @value, @at, @expiresAt)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at
    WHERE keys.expires_at <= excluded.created_at`);
  const upsert = db.prepare(`INSERT INTO keys (key, value, created_at, expires_at) VALUES (@key, @value, @at, @expiresAt)
    ON CONFLICT (key) DO UPDATE SET value = excluded.value, created_at = excluded.created_at, expires_at = excluded.expires_at`);
  const one = db.prepare('SELECT * FROM keys WHERE key = ?');
  const live = db.prepare('SELECT * FROM keys WHERE key = ? AND expires_at > ?');
  const remove = db.prepare('DELETE FROM keys WHERE key = ?');
  const removePrefix = db.prepare("DELETE FROM keys WHERE key LIKE ? ESCAPE '\\'");
  const purge = db.prepare('DELETE FROM keys WHERE key IN (SELECT key FROM keys WHERE expires_at <= ? LIMIT ?)');

  const putIfAbsent = db.transaction((key: string, value: string, at: string, expiresAt: string) => {
    const created = claim.run({ key, value, at, expiresAt }).changes === 1;
    return { created, entry: toEntry(one.get(key) as KeyRow) };
  });

  return {
    async putIfAbsent(key, value, at, expiresAt) {
      return putIfAbsent.immediate(key, value, at, expiresAt);
    },
    async put(key, value, at, expiresAt) {
      upsert.run({ key, value, at, expiresAt });
    },
    async get(key, at) {
      const row = live.get(key, at) as KeyRow | undefined;
      return row ? toEntry(row) : undefined;
    },
    async delete(key) {
      return remove.run(key).changes === 1;
    },
    async deletePrefix(prefix) {
      return removePrefix.run(likePrefix(prefix)).changes;
    },
    async purgeExpired(at, limit = 10_000) {
      return purge.run(at, limit).changes;
    },
  };
}
