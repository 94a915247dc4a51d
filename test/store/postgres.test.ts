import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { openStore, POSTGRES_MIGRATIONS } from '../../src/store/index.ts';
import { openPostgresStore, redactUrl } from '../../src/store/postgres-store.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE } from '../helpers/library.ts';
import { freshDatabase, type PostgresProxy, startPostgresProxy, type TestDatabase, terminateListeners } from '../helpers/postgres.ts';
import { describeStoreContract } from './contract.ts';

const DATA_DIR = '/nonexistent/never-used-with-a-database-url';

// A linguistic default collation (where the server has ICU), so the contract shows nothing depends on it.
describeStoreContract('PostgreSQL', {
  migrations: POSTGRES_MIGRATIONS,
  async open() {
    const db = await freshDatabase({ icuLocale: 'en-US' });
    return {
      store: await openStore({ dataDir: DATA_DIR, databaseUrl: db.url }),
      another: () => openStore({ dataDir: DATA_DIR, databaseUrl: db.url }),
      cleanup: () => db.drop(),
    };
  },
});

const audit = (n: number) => ({ at: `2025-06-01T00:00:0${n}.000Z`, actor: `U${n}`, action: 'digest.subscribe' });

describe('the PostgreSQL store', () => {
  let db: TestDatabase;
  const opened: Store[] = [];
  const open = async (url = db.url, extra: Partial<Parameters<typeof openPostgresStore>[0]> = {}) => {
    const store = await openPostgresStore({ url, listenRetryDelayMs: () => 20, ...extra });
    opened.push(store);
    return store;
  };
  beforeEach(async () => {
    db = await freshDatabase();
  });
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
    await db.drop();
  });

  it('is chosen by a database URL, and names it without its password', async () => {
    const store = await openStore({ dataDir: DATA_DIR, databaseUrl: db.url });
    opened.push(store);
    const password = decodeURIComponent(new URL(db.url).password);
    expect(store.kind).toBe('postgres');
    expect(store.location).not.toContain(password);
    expect(store.location).toBe(redactUrl(db.url));
    expect(new URL(store.location).pathname).toBe(`/${db.name}`);
    expect(redactUrl('postgres://bot:s3cret@db:5432/briefing?sslmode=require&password=s3cret')).toBe(
      'postgres://bot@db:5432/briefing?sslmode=require',
    );
  });

  it('several processes opening a new database at once apply each migration exactly once', async () => {
    const stores = await Promise.all([1, 2, 3, 4].map(() => open()));
    for (const store of stores) expect(await store.schemaVersion()).toBe(POSTGRES_MIGRATIONS.length);
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    const { rows } = await client.query('SELECT version, name FROM schema_migrations ORDER BY version');
    await client.end();
    expect(rows).toEqual(POSTGRES_MIGRATIONS.map((m) => ({ version: m.version, name: m.name })));
  });

  it('refuses a database written by a newer version, naming both versions and DATABASE_URL', async () => {
    await (await open()).close();
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    await client.query("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')");
    await client.end();
    const refused = openPostgresStore({ url: db.url });
    await expect(refused).rejects.toThrow(BotError);
    await expect(openPostgresStore({ url: db.url })).rejects.toThrow(
      `store: the database is at schema version 99 but this version of briefing-bot knows up to ${POSTGRES_MIGRATIONS.length}; upgrade briefing-bot or use another DATABASE_URL`,
    );
  });

  it('a server that cannot be reached at start is a clear error naming host:port and never the password', async () => {
    const proxy = await startPostgresProxy(db.url);
    proxy.cut();
    const failure = await openPostgresStore({ url: proxy.url }).catch((error: unknown) => error);
    await proxy.close();
    expect(failure).toBeInstanceOf(BotError);
    expect((failure as BotError).code).toBe('store-open');
    expect((failure as BotError).message).toMatch(
      new RegExp(
        `^store: cannot open postgres://postgres@127\\.0\\.0\\.1:${proxy.port}/${db.name}: the server at 127\\.0\\.0\\.1:${proxy.port} is not reachable \\(.+\\); check DATABASE_URL and that PostgreSQL is running$`,
      ),
    );
    expect((failure as BotError).message).not.toContain(decodeURIComponent(new URL(db.url).password));
  });

  it('a database that does not exist is named in the error', async () => {
    const url = new URL(db.url);
    url.pathname = '/no_such_database';
    await expect(openPostgresStore({ url: url.toString() })).rejects.toThrow(
      /store: cannot open .*\/no_such_database: .*does not exist; check DATABASE_URL/,
    );
  });

  it('a U+0000 in untrusted text (a file name, a display name) is stored as U+FFFD instead of failing the write', async () => {
    const store = await open();
    const article = articleFromFile(BUNDLED_FILE);
    const audit = { at: '2025-06-01T00:00:00.000Z', actor: 'U1', actorName: 'ev\u0000il', action: 'article.register' };
    const added = await store.articles.addRevision(
      {
        article: { ...article, title: 'A\u0000B' },
        rawSha256: 'h',
        sourceName: 'brief\u0000.txt',
        registeredBy: 'U1',
        registeredAt: audit.at,
      },
      audit,
    );
    expect(added.sourceName).toBe('brief\uFFFD.txt');
    expect(added.article.title).toBe('A\u0000B'); // inside the JSON document it is kept as written
    expect((await store.audit.list())[0]?.actorName).toBe('ev\uFFFDil');
  });

  it('watchChanges hears of registrations and audit entries committed by another process, and stops', async () => {
    const [listening, writer] = [await open(), await open()];
    const calls: number[] = [];
    const watch = await listening.watchChanges?.(() => calls.push(Date.now()));
    expect(watch).toBeDefined();
    await writer.audit.append(audit(1));
    await vi.waitFor(() => expect(calls).toHaveLength(1));
    const article = articleFromFile(BUNDLED_FILE);
    await writer.articles.addRevision({ article, rawSha256: 'h', registeredBy: 'U1', registeredAt: '2025-06-01T00:00:00.000Z' });
    await vi.waitFor(() => expect(calls.length).toBeGreaterThanOrEqual(2));
    await watch?.stop();
    const before = calls.length;
    await writer.articles.setHidden(article.id, true);
    await writer.audit.append(audit(2));
    // A round trip on the writer's connection after the commits: a live listener would have heard them by now.
    await listening.ping();
    expect(calls).toHaveLength(before);
  });

  it('watchChanges catches up after its connection is killed (pg_terminate_backend): the change made meanwhile is heard', async () => {
    let lost!: () => void;
    const connectionLost = new Promise<void>((resolve) => {
      lost = resolve;
    });
    const listening = await open(db.url, {
      listenRetryDelayMs: () => {
        lost();
        return 50;
      },
    });
    const writer = await open();
    let calls = 0;
    await listening.watchChanges?.(() => calls++);
    expect(await terminateListeners(db.url)).toBe(1);
    await connectionLost;
    await writer.audit.append(audit(1));
    await vi.waitFor(() => expect(calls).toBeGreaterThanOrEqual(1));
    expect((await listening.audit.list()).map((e) => e.actor)).toEqual(['U1']);
  });

  describe('through a link that can be cut (the database away for a while)', () => {
    let proxy: PostgresProxy;
    beforeEach(async () => {
      proxy = await startPostgresProxy(db.url);
    });
    afterEach(async () => {
      await proxy.close();
    });

    it('calls reject with store-unavailable naming host:port while it is away, and work again by themselves once it is back', async () => {
      const errors: unknown[] = [];
      const store = await open(proxy.url, { onConnectionError: (error) => errors.push(error) });
      const sub = await store.subscriptions.create({
        platform: 'slack',
        channelId: 'C1',
        schedule: 'daily 09:00',
        cron: '0 9 * * *',
        timeZone: 'UTC',
        createdBy: 'U1',
        createdAt: '2025-06-01T00:00:00.000Z',
      });
      proxy.cut();
      const calls = [
        store.ping(),
        store.subscriptions.get(sub.id),
        store.audit.append(audit(1)),
        store.keys.putIfAbsent('k', 'v', '2025-06-01T00:00:00.000Z', '2025-06-02T00:00:00.000Z'),
        store.subscriptions.cancel(sub.id, 'U1', '2025-06-01T00:00:00.000Z', audit(2)),
      ];
      for (const call of calls) {
        const error = await call.then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(error).toBeInstanceOf(BotError);
        expect((error as BotError).code).toBe('store-unavailable');
        expect(((error as BotError).cause as Error).message).toContain(
          `the PostgreSQL database at 127.0.0.1:${proxy.port} is not reachable`,
        );
        // Commands show the message in chat; a ping's is for /readyz and names the server itself.
        if (call === calls[0])
          expect((error as BotError).message).toMatch(/^store: the PostgreSQL database at 127\.0\.0\.1:\d+ is not reachable/);
        else expect((error as BotError).message).toContain('reconnects by itself');
      }
      proxy.restore();
      await store.ping();
      expect((await store.subscriptions.get(sub.id))?.status).toBe('active'); // the cancel was not half-done
      expect(await store.subscriptions.cancel(sub.id, 'U1', '2025-06-01T00:00:00.000Z', audit(2))).toBe(true);
      expect((await store.audit.list()).map((e) => e.actor)).toEqual(['U2']);
    });

    it('a connection lost in the middle of a transaction fails that call cleanly and stores none of it', async () => {
      const store = await open(proxy.url);
      await store.subscriptions.create({
        platform: 'slack',
        channelId: 'C1',
        schedule: 'daily 09:00',
        cron: '0 9 * * *',
        timeZone: 'UTC',
        createdBy: 'U1',
        createdAt: '2025-06-01T00:00:00.000Z',
      });
      const request = {
        key: '1@slot',
        subscriptionId: 1,
        platform: 'slack' as const,
        channelId: 'C1',
        kind: 'scheduled' as const,
        slot: '2025-06-02T06:00:00.000Z',
        late: false,
        owner: { id: 'a', host: 'h', pid: 1 },
        now: '2025-06-02T06:00:00.000Z',
        leaseUntil: '2025-06-02T06:05:00.000Z',
      };
      // choose() runs inside the claim transaction: the link goes down between its statements.
      const cutMidway = () => {
        proxy.cut();
        return { cutoff: '2025-06-02T06:00:00.000Z', articleIds: ['a'], omitted: 0, first: true };
      };
      await expect(store.deliveries.claim({ ...request, choose: cutMidway })).rejects.toMatchObject({ code: 'store-unavailable' });
      proxy.restore();
      expect(await store.deliveries.get('1@slot')).toBeUndefined();
      const claimed = await store.deliveries.claim({
        ...request,
        choose: () => ({ cutoff: 'c', articleIds: [], omitted: 0, first: true }),
      });
      expect(claimed.claimed).toBe(true);
    });

    it('watchChanges comes back with the database and calls the listener once to catch up on what it missed', async () => {
      const listening = await open(proxy.url);
      const writer = await open(db.url);
      let calls = 0;
      await listening.watchChanges?.(() => calls++);
      proxy.cut();
      await writer.audit.append(audit(1)); // notified while the listener is away: lost
      expect(calls).toBe(0);
      proxy.restore();
      await vi.waitFor(() => expect(calls).toBe(1)); // the catch-up after reconnecting
      expect((await listening.audit.list()).map((e) => e.actor)).toEqual(['U1']);
      await writer.audit.append(audit(2));
      await vi.waitFor(() => expect(calls).toBe(2)); // and live notifications again
    });

    it('close while the database is away ends every connection and reconnect attempt', async () => {
      let retries = 0;
      const store = await openPostgresStore({
        url: proxy.url,
        listenRetryDelayMs: () => {
          retries++;
          return 5;
        },
      });
      await store.watchChanges?.(() => undefined);
      proxy.cut();
      await expect(store.ping()).rejects.toThrow(BotError);
      await vi.waitFor(() => expect(retries).toBeGreaterThan(0));
      await store.close();
      const after = retries;
      proxy.restore();
      await expect(store.ping()).rejects.toMatchObject({ code: 'store-closed' });
      // Real work through the link, far longer than the 5 ms between attempts: a loop left running would reconnect meanwhile.
      const other = await open(proxy.url);
      await other.audit.append(audit(1));
      await other.close();
      expect(retries).toBe(after);
      await vi.waitFor(() => expect(proxy.connections).toBe(0)); // the other store's last connection closing
    });
  });
});
