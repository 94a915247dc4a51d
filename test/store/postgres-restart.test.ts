import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { openPostgresStore } from '../../src/store/postgres-store.ts';
import { type StoppableDatabase, stoppableDatabase } from '../helpers/postgres.ts';

// A server of this file's own (stopping the run's shared one would break the files running beside
// it); with TEST_DATABASE_URL, a database there behind a link this test cuts.
describe('PostgreSQL stopped and started again under a running store', () => {
  let server: StoppableDatabase;
  let url: string;
  beforeAll(async () => {
    server = await stoppableDatabase();
    url = server.url;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('calls fail cleanly while it is down; the pool and the listener come back by themselves, with a catch-up call', async () => {
    const dropped: unknown[] = [];
    const store = await openPostgresStore({ url, listenRetryDelayMs: () => 25, onConnectionError: (error) => dropped.push(error) });
    try {
      let changes = 0;
      await store.watchChanges?.(() => changes++);
      await store.audit.append({ at: '2025-06-01T00:00:00.000Z', actor: 'U1', action: 'article.register', target: 'a' });
      await vi.waitFor(() => expect(changes).toBe(1));

      await server.stop();
      const failure = await store.audit.list().catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(BotError);
      expect(failure).toMatchObject({ code: 'store-unavailable' });
      expect((failure as BotError).message).not.toContain('127.0.0.1'); // shown in chat
      expect(((failure as BotError).cause as Error).message).toContain(`127.0.0.1:${server.port}`);
      await expect(store.ping()).rejects.toMatchObject({ code: 'store-unavailable' });
      // The idle pooled connections and the listener were cut by the shutdown: reported, not thrown.
      expect(dropped.length).toBeGreaterThan(0);

      await server.start();
      await vi.waitFor(() => store.ping(), { timeout: 10_000, interval: 50 });
      await vi.waitFor(() => expect(changes).toBe(2), { timeout: 10_000 }); // the catch-up
      await store.audit.append({ at: '2025-06-01T00:00:01.000Z', actor: 'U2', action: 'article.register', target: 'b' });
      expect((await store.audit.list()).map((e) => e.actor)).toEqual(['U2', 'U1']);
      await vi.waitFor(() => expect(changes).toBe(3));
    } finally {
      await store.close();
    }
  });
});
