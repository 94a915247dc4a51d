import type { KeyEntry, KeyStore } from './types.ts';

/**
 * A KeyStore in this process's memory, for a bot running without a store (STORE=off) and for
 * tests: the same semantics as the database ones, but seen by this process only. Bounded: past
 * `capacity` entries the oldest go first.
 */
export function memoryKeyStore(options: { capacity?: number } = {}): KeyStore {
  const capacity = options.capacity ?? 100_000;
  const entries = new Map<string, KeyEntry>();
  const live = (key: string, at: string) => {
    const entry = entries.get(key);
    return entry && entry.expiresAt > at ? entry : undefined;
  };
  const set = (entry: KeyEntry) => {
    entries.delete(entry.key);
    entries.set(entry.key, entry);
    while (entries.size > capacity) entries.delete(entries.keys().next().value as string);
  };
  return {
    async putIfAbsent(key, value, at, expiresAt) {
      const existing = live(key, at);
      if (existing) return { created: false, entry: { ...existing } };
      const entry = { key, value, createdAt: at, expiresAt };
      set(entry);
      return { created: true, entry: { ...entry } };
    },
    async put(key, value, at, expiresAt) {
      set({ key, value, createdAt: at, expiresAt });
    },
    async get(key, at) {
      const entry = live(key, at);
      return entry ? { ...entry } : undefined;
    },
    async delete(key) {
      return entries.delete(key);
    },
    async deletePrefix(prefix) {
      let removed = 0;
      for (const key of [...entries.keys()]) if (key.startsWith(prefix) && entries.delete(key)) removed++;
      return removed;
    },
    async purgeExpired(at, limit = 10_000) {
      let removed = 0;
      for (const [key, entry] of entries) {
        if (removed >= limit) break;
        if (entry.expiresAt <= at && entries.delete(key)) removed++;
      }
      return removed;
    },
  };
}
