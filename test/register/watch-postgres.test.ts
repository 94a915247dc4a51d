import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Library } from '../../src/core/library.ts';
import type { Registry } from '../../src/core/registry.ts';
import { loadRegistered, type Watcher, watchRegistrations } from '../../src/register/index.ts';
import { createRegistry } from '../../src/register/service.ts';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { freshDatabaseUrl, startPostgresProxy, terminateListeners } from '../helpers/postgres.ts';
import { ada, SECOND_ID, SECOND_TEXT } from './setup.ts';

const second = { kind: 'text' as const, text: SECOND_TEXT, name: 'second-briefing.md' };
// Far longer than any wait below: a change seen here came through a notification (or its catch-up), not the poll.
const INTERVAL_MS = 600_000;

/** Two bot processes on one PostgreSQL database: one registers, the other only watches. */
describe('registrations reach another process on the same PostgreSQL database', () => {
  let url: string;
  let stores: Store[];
  let watchers: Watcher[];
  let publisher: { store: Store; registry: Registry };
  beforeEach(async () => {
    url = await freshDatabaseUrl();
    stores = [];
    watchers = [];
    const store = await openPostgresStore({ url });
    stores.push(store);
    const library = libraryOf(articleFromFile(BUNDLED_FILE));
    publisher = { store, registry: createRegistry({ store, library, maxBytes: 1_048_576, timeoutMs: 2000, allowPrivate: true }) };
  });
  afterEach(async () => {
    for (const watcher of watchers) watcher.stop();
    for (const store of stores) await store.close();
  });

  const watching = async (storeUrl: string, onLost?: () => void): Promise<Library> => {
    const store = await openPostgresStore({
      url: storeUrl,
      listenRetryDelayMs: () => {
        onLost?.();
        return 50;
      },
    });
    stores.push(store);
    const library = libraryOf(articleFromFile(BUNDLED_FILE));
    const report = await loadRegistered(store, library);
    const watcher = watchRegistrations(store, library, { since: report.auditId, intervalMs: INTERVAL_MS });
    watchers.push(watcher);
    expect(await watcher.notified).toBe(true);
    return library;
  };

  const publish = async () => {
    const prepared = await publisher.registry.prepare(second, ada);
    if (!prepared.ok) throw new Error(prepared.message);
    const published = await publisher.registry.publish(prepared.preview.pendingId, ada);
    if (!published.ok) throw new Error(published.message);
  };

  it('a published briefing is searchable in the other library within 1 s, and an unregistered one gone as fast', async () => {
    const library = await watching(url);
    await publish();
    await vi.waitFor(() => expect(library.get(SECOND_ID)?.meta.revision).toBe(1), { timeout: 1000, interval: 10 });
    expect(library.search('Black Sea submarine cable').hits[0]?.articleId).toBe(SECOND_ID);
    await publisher.registry.unregister(SECOND_ID, ada);
    await vi.waitFor(() => expect(library.get(SECOND_ID)).toBeUndefined(), { timeout: 1000, interval: 10 });
  });

  it('after its listening connection is killed, a briefing published meanwhile is still picked up', async () => {
    let lost!: () => void;
    const connectionLost = new Promise<void>((resolve) => {
      lost = resolve;
    });
    const library = await watching(url, () => lost());
    expect(await terminateListeners(url)).toBe(1);
    await connectionLost;
    await publish();
    await vi.waitFor(() => expect(library.get(SECOND_ID)?.meta.revision).toBe(1), { timeout: 5000, interval: 10 });
  });

  it('a briefing published while the watcher was cut off is applied by the catch-up when the link is back', async () => {
    const proxy = await startPostgresProxy(url);
    try {
      const library = await watching(proxy.url);
      proxy.cut();
      await publish(); // its notification is lost: the watcher is not connected
      expect(library.get(SECOND_ID)).toBeUndefined();
      proxy.restore();
      await vi.waitFor(() => expect(library.get(SECOND_ID)?.meta.revision).toBe(1), { timeout: 5000, interval: 10 });
    } finally {
      await proxy.close();
    }
  });
});
