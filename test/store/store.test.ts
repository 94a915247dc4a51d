import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { installationKey, MIGRATIONS, openStore } from '../../src/store/index.ts';
import { memoryKeyStore } from '../../src/store/memory-keys.ts';
import { migrate } from '../../src/store/migrations.ts';
import type { ClaimOwner, ClaimRequest, Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE } from '../helpers/library.ts';
import { tempDataDir } from '../scheduler/helpers.ts';

const A: ClaimOwner = { id: 'owner-a', host: 'h', pid: 1 };
const B: ClaimOwner = { id: 'owner-b', host: 'h', pid: 2 };

function claimRequest(key: string, owner: ClaimOwner, extra: Partial<ClaimRequest> = {}): ClaimRequest {
  return {
    key,
    subscriptionId: 1,
    platform: 'slack',
    channelId: 'C1',
    kind: 'scheduled',
    slot: '2025-06-02T06:00:00.000Z',
    late: false,
    owner,
    now: '2025-06-02T06:00:00.000Z',
    leaseUntil: '2025-06-02T06:05:00.000Z',
    choose: () => ({ cutoff: '2025-06-02T06:00:00.000Z', articleIds: ['a'], omitted: 0, first: true }),
    ...extra,
  };
}

const seedSubscription = (store: Store) =>
  store.subscriptions.create({
    platform: 'slack',
    channelId: 'C1',
    schedule: 'daily 09:00',
    cron: '0 9 * * *',
    timeZone: 'UTC',
    createdBy: 'U1',
    createdAt: '2025-06-01T00:00:00.000Z',
  });

describe('the SQLite store', () => {
  let data: ReturnType<typeof tempDataDir>;
  let store: Store;
  beforeEach(async () => {
    data = tempDataDir();
    store = await openStore({ dataDir: `${data.dir}/nested/data` });
  });
  afterEach(async () => {
    await store.close();
    data.cleanup();
  });

  it('creates briefing.db in the data directory, in WAL mode, with every migration applied once', async () => {
    expect(store.location).toBe(`${data.dir}/nested/data/briefing.db`);
    expect(await store.schemaVersion()).toBe(MIGRATIONS.at(-1)?.version);
    const raw = new Database(store.location, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    raw.close();
    // Opening again (a restart, or a second process) applies nothing twice.
    const again = await openStore({ dataDir: `${data.dir}/nested/data` });
    expect(await again.schemaVersion()).toBe(MIGRATIONS.at(-1)?.version);
    await again.close();
  });

  it('a delivery must belong to an existing subscription (foreign keys are on)', async () => {
    await expect(store.deliveries.claim(claimRequest('9@x', A, { subscriptionId: 9 }))).rejects.toThrow('FOREIGN KEY constraint failed');
  });

  it('migration versions run 1, 2, 3… without gaps', () => {
    expect(MIGRATIONS.map((m) => m.version)).toEqual(MIGRATIONS.map((_, i) => i + 1));
  });

  it('refuses a database written by a newer version, naming both versions', () => {
    const raw = new Database(':memory:');
    migrate(raw);
    raw.prepare("INSERT INTO schema_migrations VALUES (99, 'future', '2030-01-01')").run();
    expect(() => migrate(raw)).toThrow(BotError);
    expect(() => migrate(raw)).toThrow(
      `the database is at schema version 99 but this version of briefing-bot knows up to ${MIGRATIONS.length}`,
    );
    raw.close();
  });

  it('a data directory that cannot be created is a clear error naming it', async () => {
    writeFileSync(`${data.dir}/a-file`, '');
    await expect(openStore({ dataDir: `${data.dir}/a-file/data` })).rejects.toThrow(
      /store: .*\/a-file\/data\/briefing.db: its folder cannot be created .*; check BRIEFING_DATA_DIR/,
    );
  });

  it('subscriptions: create with an audit entry, list per channel, pause by channel, resume, cancel', async () => {
    const base = {
      platform: 'slack' as const,
      channelId: 'C1',
      schedule: 'daily 09:00',
      cron: '0 9 * * *',
      timeZone: 'Europe/Istanbul',
      createdBy: 'U1',
      createdAt: '2025-06-01T00:00:00.000Z',
    };
    const one = await store.subscriptions.create(base, { at: base.createdAt, actor: 'U1', action: 'digest.subscribe' });
    const two = await store.subscriptions.create({ ...base, cron: '0 10 * * *', workspaceId: 'T1' });
    await store.subscriptions.create({ ...base, channelId: 'C2' });
    expect(one).toMatchObject({ id: 1, status: 'active', checkedUntil: base.createdAt });
    expect(two.workspaceId).toBe('T1');
    expect((await store.subscriptions.listForChannel('slack', 'C1')).map((s) => s.id)).toEqual([1, 2]);
    expect(await store.audit.list()).toMatchObject([{ actor: 'U1', action: 'digest.subscribe', target: 'subscription:1' }]);

    expect(await store.subscriptions.pauseChannel('slack', 'C1', 'channel gone', '2025-06-02T00:00:00.000Z')).toBe(2);
    expect(await store.subscriptions.get(1)).toMatchObject({ status: 'paused', pausedReason: 'channel gone' });
    expect(await store.subscriptions.resume(1, '2025-06-03T00:00:00.000Z')).toBe(true);
    expect(await store.subscriptions.get(1)).toMatchObject({ status: 'active', checkedUntil: '2025-06-03T00:00:00.000Z' });
    expect((await store.subscriptions.get(1))?.pausedReason).toBeUndefined();

    await store.subscriptions.advance(1, '2025-06-04T00:00:00.000Z');
    await store.subscriptions.advance(1, '2025-06-01T00:00:00.000Z'); // never backwards
    expect((await store.subscriptions.get(1))?.checkedUntil).toBe('2025-06-04T00:00:00.000Z');

    expect(await store.subscriptions.cancel(2, 'U2', '2025-06-05T00:00:00.000Z')).toBe(true);
    expect(await store.subscriptions.cancel(2, 'U2', '2025-06-05T00:00:00.000Z')).toBe(false);
    expect((await store.subscriptions.listForChannel('slack', 'C1')).map((s) => s.id)).toEqual([1]);
    expect((await store.subscriptions.listForChannel('slack', 'C1', { includeCancelled: true })).map((s) => s.status)).toEqual([
      'active',
      'cancelled',
    ]);
    expect((await store.subscriptions.listLive()).map((s) => s.id)).toEqual([1, 3]);
  });

  it('the ledger claims a key once: a second claim, from this or another connection, gets the existing row', async () => {
    await seedSubscription(store);
    const other = await openStore({ dataDir: `${data.dir}/nested/data` });
    const first = await store.deliveries.claim(claimRequest('1@slot', A));
    const second = await other.deliveries.claim(claimRequest('1@slot', B));
    expect(first).toMatchObject({ claimed: true, delivery: { status: 'claimed', owner: A, articleIds: ['a'], first: true } });
    expect(second).toMatchObject({ claimed: false, existing: { owner: A } });
    await other.close();
  });

  it('the claim transaction passes the channel previous digest to choose, ignoring failed ones', async () => {
    await seedSubscription(store);
    const seen: unknown[] = [];
    const choose = (cutoff: string, ids: string[]) => (previous: unknown) => {
      seen.push(previous);
      return { cutoff, articleIds: ids, omitted: 0, first: previous === undefined };
    };
    const d1 = await store.deliveries.claim(claimRequest('k1', A, { choose: choose('2025-06-01T00:00:00.000Z', ['x']) }));
    if (!d1.claimed) throw new Error('not claimed');
    await store.deliveries.finish(d1.delivery.id, A, {
      status: 'delivered',
      attempts: 1,
      at: '2025-06-01T00:00:01.000Z',
      messageIds: ['m1'],
    });
    const d2 = await store.deliveries.claim(claimRequest('k2', A, { choose: choose('2025-06-02T00:00:00.000Z', ['y']) }));
    if (!d2.claimed) throw new Error('not claimed');
    await store.deliveries.finish(d2.delivery.id, A, { status: 'failed', attempts: 1, at: '2025-06-02T00:00:01.000Z', error: 'gone' });
    await store.deliveries.claim(claimRequest('k3', A, { choose: choose('2025-06-03T00:00:00.000Z', []) }));
    expect(seen).toEqual([
      undefined,
      { cutoff: '2025-06-01T00:00:00.000Z', articleIds: ['x'] },
      { cutoff: '2025-06-01T00:00:00.000Z', articleIds: ['x'] },
    ]);
    expect(await store.deliveries.previousDigest('slack', 'C1')).toEqual({ cutoff: '2025-06-03T00:00:00.000Z', articleIds: [] });
  });

  it('only the owner finishes or renews a claim; reclaim is a compare-and-set that marks the row recovered', async () => {
    await seedSubscription(store);
    const c = await store.deliveries.claim(claimRequest('k', A));
    if (!c.claimed) throw new Error('not claimed');
    const id = c.delivery.id;
    expect(await store.deliveries.finish(id, B, { status: 'delivered', attempts: 1, at: 'x' })).toBe(false);
    expect(await store.deliveries.renew(id, A, '2025-06-02T06:10:00.000Z', 1)).toBe(true);
    expect(await store.deliveries.reclaim(id, B, B, '2025-06-02T06:20:00.000Z')).toBeUndefined(); // B is not the holder
    const taken = await store.deliveries.reclaim(id, A, B, '2025-06-02T06:20:00.000Z');
    expect(taken).toMatchObject({ owner: B, recovered: true, attempts: 1, leaseUntil: '2025-06-02T06:20:00.000Z' });
    expect(await store.deliveries.renew(id, A, 'later', 2)).toBe(false);
    expect(
      await store.deliveries.finish(id, B, { status: 'delivered', attempts: 2, at: '2025-06-02T06:11:00.000Z', messageIds: ['m'] }),
    ).toBe(true);
    expect(await store.deliveries.listClaims()).toEqual([]);
    expect(await store.deliveries.get('k')).toMatchObject({
      status: 'delivered',
      messageIds: ['m'],
      finishedAt: '2025-06-02T06:11:00.000Z',
    });
    expect((await store.deliveries.get('k'))?.leaseUntil).toBeUndefined();
  });

  it('skipped slots are recorded once and counted', async () => {
    await seedSubscription(store);
    const slot = { subscriptionId: 1, platform: 'slack' as const, channelId: 'C1', reason: 'missed' };
    expect(
      await store.deliveries.skip(
        [
          { ...slot, key: 's1', slot: 'a' },
          { ...slot, key: 's2', slot: 'b' },
        ],
        'now',
      ),
    ).toBe(2);
    expect(await store.deliveries.skip([{ ...slot, key: 's2', slot: 'b' }], 'now')).toBe(0);
    expect(await store.deliveries.countByStatus()).toEqual({ claimed: 0, delivered: 0, empty: 0, failed: 0, skipped: 2 });
    expect((await store.deliveries.recentForSubscription(1, 5)).map((d) => d.key)).toEqual(['s2', 's1']);
  });

  it('articles: each registration is a new revision; hide and show; latest per article; find by hash', async () => {
    const article = articleFromFile(BUNDLED_FILE);
    const audit = { at: '2025-06-01T00:00:00.000Z', actor: 'U1', action: 'article.register' };
    const r1 = await store.articles.addRevision(
      { article, rawSha256: 'h1', sourceName: 'a.txt', registeredBy: 'U1', registeredAt: '2025-06-01T00:00:00.000Z' },
      audit,
    );
    const r2 = await store.articles.addRevision({
      article: { ...article, title: 'Revised' },
      rawSha256: 'h2',
      registeredBy: 'U2',
      registeredAt: '2025-06-02T00:00:00.000Z',
    });
    expect(r1).toMatchObject({ id: article.id, revision: 1, hidden: false, sourceName: 'a.txt', format: article.format });
    expect(r2.revision).toBe(2);
    expect(r1.article).toEqual(article);
    expect((await store.articles.latest(article.id))?.article.title).toBe('Revised');
    expect((await store.articles.revisions(article.id)).map((r) => r.revision)).toEqual([2, 1]);
    expect((await store.articles.findByHash('h1')).map((r) => r.revision)).toEqual([1]);
    expect(await store.audit.list({ target: article.id })).toMatchObject([{ action: 'article.register', detail: { revision: 1 } }]);

    expect(await store.articles.setHidden(article.id, true, { audit: { at: 'x', actor: 'U3', action: 'article.unregister' } })).toBe(2);
    expect(await store.articles.latest(article.id)).toBeUndefined();
    expect((await store.articles.latest(article.id, { includeHidden: true }))?.hidden).toBe(true);
    expect(await store.articles.listLatest()).toEqual([]);
    expect(await store.articles.listLatest({ includeHidden: true })).toHaveLength(1);
    expect(await store.articles.setHidden(article.id, false, { revision: 1 })).toBe(1);
    expect(await store.articles.latest(article.id)).toBeUndefined(); // revision 2 is still hidden
    expect((await store.articles.revision(article.id, 1))?.hidden).toBe(false);
    expect((await store.audit.list({ action: 'article.unregister' })).map((e) => e.actor)).toEqual(['U3']);
  });

  it('the audit log pages newest first and filters', async () => {
    for (let i = 1; i <= 5; i++)
      await store.audit.append({ at: `2025-06-0${i}`, actor: i % 2 ? 'U1' : 'U2', action: 'x', target: `t${i}`, detail: { i } });
    expect((await store.audit.list({ limit: 2 })).map((e) => e.id)).toEqual([5, 4]);
    expect((await store.audit.list({ beforeId: 4, limit: 2 })).map((e) => e.id)).toEqual([3, 2]);
    expect((await store.audit.list({ actor: 'U2' })).map((e) => e.detail)).toEqual([{ i: 4 }, { i: 2 }]);
  });

  it('the audit log filters by workspace', async () => {
    await store.audit.append({ at: '2025-06-01', actor: 'U1', workspaceId: 'T1', action: 'x' });
    await store.audit.append({ at: '2025-06-02', actor: 'U2', workspaceId: 'T2', action: 'x' });
    await store.audit.append({ at: '2025-06-03', actor: 'U3', action: 'x' });
    expect((await store.audit.list({ workspaceId: 'T2' })).map((e) => [e.actor, e.workspaceId])).toEqual([['U2', 'T2']]);
    expect((await store.audit.list()).map((e) => e.workspaceId)).toEqual([undefined, 'T2', 'T1']);
  });

  it('keys: putIfAbsent lets exactly one caller win until the entry expires, across connections', async () => {
    const other = await openStore({ dataDir: `${data.dir}/nested/data` });
    const at = '2025-06-01T09:00:00.000Z';
    const until = '2025-06-01T09:15:00.000Z';
    const first = await store.keys.putIfAbsent('slack:T1:event:Ev1', 'a', at, until);
    const second = await other.keys.putIfAbsent('slack:T1:event:Ev1', 'b', '2025-06-01T09:01:00.000Z', until);
    expect(first).toEqual({ created: true, entry: { key: 'slack:T1:event:Ev1', value: 'a', createdAt: at, expiresAt: until } });
    expect(second).toMatchObject({ created: false, entry: { value: 'a', createdAt: at } });
    expect((await other.keys.get('slack:T1:event:Ev1', '2025-06-01T09:14:59.999Z'))?.value).toBe('a');
    expect(await other.keys.get('slack:T1:event:Ev1', until)).toBeUndefined(); // expired at expiresAt
    const again = await other.keys.putIfAbsent('slack:T1:event:Ev1', 'c', until, '2025-06-01T09:30:00.000Z');
    expect(again).toMatchObject({ created: true, entry: { value: 'c', createdAt: until } });
    await other.close();
  });

  it('keys: put replaces, delete and deletePrefix remove (prefix taken literally), purgeExpired removes only expired ones', async () => {
    const at = '2025-06-01T09:00:00.000Z';
    await store.keys.put('k', 'one', at, '2025-06-01T10:00:00.000Z');
    await store.keys.put('k', 'two', at, '2025-06-01T10:00:00.000Z');
    expect((await store.keys.get('k', at))?.value).toBe('two');
    await store.keys.put('slack:T_1:a', 'x', at, '2025-06-01T10:00:00.000Z');
    await store.keys.put('slack:T_1:b', 'x', at, '2025-06-01T10:00:00.000Z');
    await store.keys.put('slack:TX1:c', 'x', at, '2025-06-01T10:00:00.000Z'); // `_` must not match X
    expect(await store.keys.deletePrefix('slack:T_1:')).toBe(2);
    expect(await store.keys.get('slack:TX1:c', at)).toBeDefined();
    expect(await store.keys.delete('k')).toBe(true);
    expect(await store.keys.delete('k')).toBe(false);
    await store.keys.put('old', 'x', at, '2025-06-01T09:30:00.000Z');
    expect(await store.keys.purgeExpired('2025-06-01T09:45:00.000Z')).toBe(1);
    expect(await store.keys.get('slack:TX1:c', at)).toBeDefined();
  });

  it('installations: saved by workspace or organisation, replaced on reinstall keeping installedAt, deleted with an audit entry', async () => {
    const team = { teamId: 'T1', enterpriseInstall: false };
    const org = { enterpriseId: 'E1', enterpriseInstall: true };
    await store.installations.save({ ...team, payload: 'p1', at: '2025-06-01T00:00:00.000Z' });
    await store.installations.save({ ...org, teamId: 'T9', payload: 'p2', at: '2025-06-02T00:00:00.000Z' });
    const re = await store.installations.save({ ...team, payload: 'p3', at: '2025-06-03T00:00:00.000Z' });
    expect(re).toEqual({ ...team, payload: 'p3', installedAt: '2025-06-01T00:00:00.000Z', updatedAt: '2025-06-03T00:00:00.000Z' });
    expect((await store.installations.find(org))?.payload).toBe('p2');
    expect(await store.installations.find({ teamId: 'T2', enterpriseInstall: false })).toBeUndefined();
    expect((await store.installations.list()).map((i) => i.payload)).toEqual(['p3', 'p2']);
    const audit = { at: '2025-06-04T00:00:00.000Z', actor: 'slack', workspaceId: 'T1', action: 'slack.uninstall' };
    expect(await store.installations.delete(team, audit)).toBe(true);
    expect(await store.installations.delete(team, audit)).toBe(false);
    expect(await store.audit.list({ action: 'slack.uninstall' })).toHaveLength(1);
    expect(() => installationKey({ enterpriseInstall: false })).toThrow(/needs teamId/);
  });

  it('subscriptions: pauseWorkspace pauses only that workspace, with an audit entry', async () => {
    const base = {
      platform: 'slack' as const,
      schedule: 'daily 09:00',
      cron: '0 9 * * *',
      timeZone: 'UTC',
      createdBy: 'U1',
      createdAt: '2025-06-01T00:00:00.000Z',
    };
    await store.subscriptions.create({ ...base, channelId: 'C1', workspaceId: 'T1' });
    await store.subscriptions.create({ ...base, channelId: 'C2', workspaceId: 'T2' });
    const audit = { at: '2025-06-02T00:00:00.000Z', actor: 'slack', workspaceId: 'T1', action: 'slack.uninstall' };
    expect(await store.subscriptions.pauseWorkspace('slack', 'T1', 'the app was uninstalled', '2025-06-02T00:00:00.000Z', audit)).toBe(1);
    expect((await store.subscriptions.listLive()).map((s) => [s.channelId, s.status, s.pausedReason])).toEqual([
      ['C1', 'paused', 'the app was uninstalled'],
      ['C2', 'active', undefined],
    ]);
    expect(await store.audit.list({ workspaceId: 'T1' })).toHaveLength(1);
  });

  it('subscriptions: takeDue leases due ones to one owner at a time; release records the next slot and ends the lease', async () => {
    const base = { schedule: 'daily 09:00', cron: '0 9 * * *', timeZone: 'UTC', createdBy: 'U1', createdAt: '2025-06-01T00:00:00.000Z' };
    await store.subscriptions.create({ ...base, platform: 'slack', channelId: 'C1' });
    await store.subscriptions.create({ ...base, platform: 'slack', channelId: 'C2' });
    await store.subscriptions.create({ ...base, platform: 'discord', channelId: 'D1' });
    const other = await openStore({ dataDir: `${data.dir}/nested/data` });
    const now = '2025-06-01T09:00:00.000Z';
    const lease = { now, leaseUntil: '2025-06-01T09:01:00.000Z', platforms: ['slack', 'discord'] as const };
    const a = await store.subscriptions.takeDue({ ...lease, owner: 'a', limit: 2 });
    const b = await other.subscriptions.takeDue({ ...lease, owner: 'b', limit: 10 });
    expect(a.map((s) => s.id)).toEqual([1, 2]);
    expect(b.map((s) => s.id)).toEqual([3]); // the others are leased to a
    expect(await other.subscriptions.takeDue({ ...lease, owner: 'b', limit: 10 })).toEqual([]);
    expect(await store.subscriptions.takeDue({ ...lease, owner: 'a', limit: 10, platforms: [] })).toEqual([]);

    expect(await other.subscriptions.release(1, 'b', { checkedUntil: now, nextDueAt: '2025-06-02T09:00:00.000Z' })).toBe(false);
    expect(await store.subscriptions.release(1, 'a', { checkedUntil: now, nextDueAt: '2025-06-02T09:00:00.000Z' })).toBe(true);
    expect(await store.subscriptions.get(1)).toMatchObject({ checkedUntil: now, nextDueAt: '2025-06-02T09:00:00.000Z' });
    // Not due again before its next slot; subscription 2's lease runs out and another owner takes it.
    const later = { ...lease, now: '2025-06-01T09:02:00.000Z', leaseUntil: '2025-06-01T09:03:00.000Z' };
    expect((await other.subscriptions.takeDue({ ...later, owner: 'b', limit: 10, platforms: ['slack'] })).map((s) => s.id)).toEqual([2]);
    expect(await store.subscriptions.release(2, 'a', { checkedUntil: now, nextDueAt: undefined })).toBe(false);
    expect(await other.subscriptions.release(2, 'b', { checkedUntil: now, nextDueAt: undefined })).toBe(true);
    expect(
      await other.subscriptions.takeDue({ ...later, now: '2030-01-01T00:00:00.000Z', owner: 'b', limit: 10, platforms: ['slack'] }),
    ).toMatchObject([{ id: 1 }]);
    // A resumed subscription is due at once (its next slot is worked out again).
    await store.subscriptions.pauseChannel('slack', 'C2', 'gone', now);
    await store.subscriptions.resume(2, '2025-06-01T09:05:00.000Z');
    expect((await store.subscriptions.get(2))?.nextDueAt).toBeUndefined();
    await other.close();
  });

  it('close is safe to call twice', async () => {
    await store.close();
    await expect(store.close()).resolves.toBeUndefined();
    store = await openStore({ dataDir: `${data.dir}/nested/data` });
  });
});

describe('the in-memory key store', () => {
  it('has the same putIfAbsent, expiry, prefix and purge semantics as the database ones', async () => {
    const keys = memoryKeyStore({ capacity: 3 });
    const at = '2025-06-01T09:00:00.000Z';
    expect((await keys.putIfAbsent('a:1', 'x', at, '2025-06-01T09:10:00.000Z')).created).toBe(true);
    expect(await keys.putIfAbsent('a:1', 'y', at, '2025-06-01T09:10:00.000Z')).toMatchObject({ created: false, entry: { value: 'x' } });
    expect(await keys.get('a:1', '2025-06-01T09:10:00.000Z')).toBeUndefined();
    expect((await keys.putIfAbsent('a:1', 'z', '2025-06-01T09:10:00.000Z', '2025-06-01T09:20:00.000Z')).created).toBe(true);
    await keys.put('a:2', 'x', at, '2025-06-01T09:05:00.000Z');
    await keys.put('b:1', 'x', at, '2025-06-01T09:30:00.000Z');
    expect(await keys.purgeExpired('2025-06-01T09:06:00.000Z')).toBe(1);
    expect(await keys.deletePrefix('a:')).toBe(1);
    for (const k of ['c', 'd', 'e']) await keys.put(k, 'x', at, '2025-06-01T10:00:00.000Z');
    expect(await keys.get('b:1', at)).toBeUndefined(); // past capacity, the oldest went first
    expect(await keys.delete('e')).toBe(true);
  });
});
