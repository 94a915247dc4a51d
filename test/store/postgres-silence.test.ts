import pg from 'pg';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { openPostgresStore, type PostgresOptions } from '../../src/store/postgres-store.ts';
import type { ClaimRequest, NewRevision, Store } from '../../src/store/types.ts';
import { articleFromFile, SECOND_FILE } from '../helpers/library.ts';
import { freshDatabase, type PostgresProxy, startPostgresProxy, type TestDatabase } from '../helpers/postgres.ts';

/**
 * A PostgreSQL server that goes silent under a running store: the link stops forwarding and
 * closes nothing (a network partition, a frozen VM), which no error reports. The bounds here are
 * small so the waits are short; the tests wait only for them.
 */

const TIMEOUTS = { statementMs: 500, connectMs: 500, lockMs: 250, idleInTransactionMs: 1_500, retryMs: 200, bulkMs: 5_000 };
const AT = '2025-06-01T00:00:00.000Z';

async function failure(promise: Promise<unknown>): Promise<BotError> {
  const error = await promise.then(
    () => new Error('it succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(BotError);
  return error as BotError;
}

const revision = (): NewRevision => ({ article: articleFromFile(SECOND_FILE), rawSha256: 'sha', registeredBy: 'U1', registeredAt: AT });
const registered = { at: AT, actor: 'U1', action: 'article.register' };

describe('a PostgreSQL server that goes silent under a running store', () => {
  let db: TestDatabase;
  let link: PostgresProxy;
  const opened: Store[] = [];
  const events: string[] = [];
  const open = async (url: string, extra: Partial<PostgresOptions> = {}) => {
    const store = await openPostgresStore({
      url,
      timeouts: TIMEOUTS,
      listenRetryDelayMs: () => 100,
      onConnectionError: (error) => events.push(`error: ${(error as Error).message}`),
      onSilent: (error) => events.push(`silent: ${error.message}`),
      onAnswering: () => events.push('answering'),
      ...extra,
    });
    opened.push(store);
    return store;
  };
  /** Sessions of the test database on the server, other than this query's own. */
  const sessions = async () => {
    const client = new pg.Client({ connectionString: db.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        'SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND pid != pg_backend_pid()',
      );
      return rows[0]?.n ?? 0;
    } finally {
      await client.end();
    }
  };
  beforeEach(async () => {
    db = await freshDatabase();
    link = await startPostgresProxy(db.url);
    events.length = 0;
  });
  afterEach(async () => {
    link.restore();
    for (const store of opened.splice(0)) await store.close();
    await link.close();
    await db.drop();
  });

  it('a statement gets store-unavailable after its timeout, its connection is closed, later calls fail at once, and all works again once it answers', async () => {
    const store = await open(link.url);
    await store.keys.put('k', 'v', AT, '2099-01-01T00:00:00.000Z');
    const clientsBefore = link.openClients;
    link.stall();

    const first = await failure(store.keys.get('k', AT));
    expect(first.code).toBe('store-unavailable');
    expect(first.message).toContain("The bot's data store is unreachable right now"); // the chat message
    expect((first.cause as Error).message).toBe(
      `the PostgreSQL database at 127.0.0.1:${link.port} is not reachable (no answer within 500 ms)`,
    );
    // The connection that waited was closed, not put back into the pool for the next call.
    await vi.waitFor(() => expect(link.openClients).toBe(clientsBefore - 1));
    expect(events).toEqual(['silent: no answer within 500 ms']);

    // Further calls do not wait: no connection is even tried.
    const accepted = link.accepted;
    const fast = await Promise.all([store.keys.get('k', AT), store.subscriptions.listLive(), store.audit.append(registered)].map(failure));
    for (const error of fast) {
      expect(error.code).toBe('store-unavailable');
      expect((error.cause as Error).message).toMatch(/is not reachable \(silent for \d+\.\d s: no answer within 500 ms\)$/);
    }
    expect(link.accepted).toBe(accepted);

    // A ping always asks the server, and names it for the operator.
    const ping = await failure(store.ping());
    expect(ping.message).toBe(`store: the PostgreSQL database at 127.0.0.1:${link.port} is not reachable (no connection within 500 ms)`);
    expect(link.accepted).toBe(accepted + 1);

    link.restore();
    await store.ping();
    expect(events.at(-1)).toBe('answering');
    expect((await store.keys.get('k', AT))?.value).toBe('v');
    // Nothing of the failed audit append was stored.
    expect(await store.audit.list()).toEqual([]);
    await store.close();
    await vi.waitFor(async () => expect(await sessions()).toBe(0));
    expect(link.connections).toBe(0);
  });

  it('without a ping, the first call after retryMs finds out that it answers again', async () => {
    const store = await open(link.url);
    link.stall();
    await failure(store.keys.get('k', AT));
    link.restore();
    await vi.waitFor(async () => expect(await store.keys.get('k', AT)).toBeUndefined(), { timeout: 5_000, interval: 50 });
    expect(events).toEqual([expect.stringMatching(/^silent: no (answer|connection) within 500 ms$/), 'answering']);
  });

  it('a registration cut off after it took the audit lock fails after one timeout, stores nothing, and the server ends it so others can write', async () => {
    const store = await open(link.url);
    const other = await open(db.url);
    link.stallAfter('INSERT INTO audit');
    const cut = await failure(store.articles.addRevision(revision(), registered));
    expect(cut.code).toBe('store-unavailable');
    expect((cut.cause as Error).message).toContain('(no answer within 500 ms)');
    // Its connection was closed rather than asked to ROLLBACK behind a statement that never returns.
    expect(link.heldUpstream()).not.toContain('ROLLBACK');

    // The server ends the orphaned transaction once it has idled past idle_in_transaction_session_timeout,
    // releasing the audit log's lock, while the link is still silent.
    await vi.waitFor(() => other.audit.append({ ...registered, actor: 'U3', action: 'digest.subscribe' }), {
      timeout: 10_000,
      interval: 100,
    });
    expect(await other.articles.revisions(revision().article.id)).toEqual([]);
    expect((await other.audit.list()).map((e) => e.actor)).toEqual(['U3']);

    link.restore();
    await store.ping();
    expect((await store.articles.addRevision(revision(), registered)).revision).toBe(1);
  });

  it('while a silent client holds a lock, other writes that need it fail quickly with a clear reason instead of queueing', async () => {
    // A long idle-in-transaction timeout: the orphaned transaction lives until its connection closes.
    const store = await open(link.url, { timeouts: { ...TIMEOUTS, idleInTransactionMs: 60_000 } });
    const other = await open(db.url);
    link.stallAfter('INSERT INTO audit');
    await failure(store.audit.append(registered));
    const refused = await failure(other.audit.append({ ...registered, actor: 'U2' }));
    expect(refused.code).toBe('store-unavailable');
    expect((refused.cause as Error).message).toBe(
      `the PostgreSQL database at ${new URL(db.url).host} is not reachable (a lock another session holds was not released within 250 ms)`,
    );
    // The link heals: the server sees the closed connection, rolls the orphan back, and the lock is free.
    link.restore();
    await vi.waitFor(() => other.audit.append({ ...registered, actor: 'U2' }), { timeout: 10_000, interval: 100 });
    expect((await other.audit.list()).map((e) => e.actor)).toEqual(['U2']);
  });

  it('a transaction whose COMMIT reached the server but whose answer was lost fails, and is whole: all of it or none of it', async () => {
    const store = await open(link.url);
    const other = await open(db.url);
    link.stallAfter('COMMIT');
    const cut = await failure(
      store.subscriptions.create(
        {
          platform: 'slack',
          channelId: 'C1',
          schedule: 'daily 09:00',
          cron: '0 9 * * *',
          timeZone: 'UTC',
          createdBy: 'U1',
          createdAt: AT,
        },
        { at: AT, actor: 'U1', action: 'digest.subscribe' },
      ),
    );
    expect(cut.code).toBe('store-unavailable');
    // The server had the COMMIT: the subscription and its audit entry are both there, although the
    // call failed. This is the one case a caller cannot tell apart from a write that did not happen.
    expect((await other.subscriptions.listLive()).map((s) => s.channelId)).toEqual(['C1']);
    expect((await other.audit.list()).map((e) => e.action)).toEqual(['digest.subscribe']);
  });

  it('a digest claim cut off by silence fails, and the slot is then claimed exactly once by another process', async () => {
    const store = await open(link.url);
    const other = await open(db.url);
    const claim = (owner: string): ClaimRequest => ({
      key: '1@2025-06-01T09:00:00.000Z',
      platform: 'slack',
      channelId: 'C1',
      kind: 'manual',
      slot: '2025-06-01T09:00:00.000Z',
      late: false,
      owner: { id: owner, host: 'h', pid: 1 },
      now: AT,
      leaseUntil: '2025-06-01T00:05:00.000Z',
      choose: () => ({ cutoff: AT, articleIds: ['a'], omitted: 0, first: true }),
    });
    link.stallAfter('INSERT INTO deliveries');
    expect((await failure(store.deliveries.claim(claim('silent')))).code).toBe('store-unavailable');
    // The other process waits out the orphaned claim (it holds the channel's lock) and wins the slot.
    const won = await vi.waitFor(() => other.deliveries.claim(claim('other')), { timeout: 10_000, interval: 100 });
    expect(won).toMatchObject({ claimed: true, delivery: { owner: { id: 'other' } } });

    link.restore();
    await store.ping();
    expect(await store.deliveries.claim(claim('silent'))).toMatchObject({ claimed: false, existing: { owner: { id: 'other' } } });
    expect(await other.deliveries.listClaims()).toHaveLength(1);
  });

  it('the LISTEN connection finds the silence by its heartbeat, reconnects once it answers, and catches up on what was committed meanwhile', async () => {
    const store = await open(link.url, { listenHeartbeatMs: 100 });
    const writer = await open(db.url);
    let changes = 0;
    await store.watchChanges?.(() => changes++);
    link.stall();
    // pg's own words for a heartbeat that got no answer within the statement timeout.
    await vi.waitFor(() => expect(events).toContain('error: Query read timeout'), { timeout: 5_000 });
    await writer.audit.append(registered); // notified to a connection that hears nothing
    expect(changes).toBe(0);
    link.restore();
    await vi.waitFor(() => expect(changes).toBeGreaterThanOrEqual(1), { timeout: 5_000 });
    // It listens again: the next change is heard as it happens.
    const before = changes;
    await writer.audit.append({ ...registered, actor: 'U2' });
    await vi.waitFor(() => expect(changes).toBeGreaterThan(before), { timeout: 5_000 });
  });

  it('closing the store while the server is silent ends every connection instead of waiting for the server', async () => {
    const store = await open(link.url, { listenHeartbeatMs: 0 });
    await store.watchChanges?.(() => undefined);
    await Promise.all([store.keys.get('a', AT), store.keys.get('b', AT), store.keys.get('c', AT)]);
    expect(link.openClients).toBeGreaterThanOrEqual(2);
    link.stall();
    await store.close();
    await vi.waitFor(() => expect(link.openClients).toBe(0));
    link.restore();
    await vi.waitFor(async () => expect(await sessions()).toBe(0));
  });
});
