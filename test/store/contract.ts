import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { installationKey } from '../../src/store/index.ts';
import type { Migration } from '../../src/store/migrations.ts';
import type { ClaimOwner, ClaimRequest, Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE } from '../helpers/library.ts';

/** One store implementation under the contract. */
export interface StoreHarness {
  /** The store on a fresh, empty database. */
  store: Store;
  /** Another connection (SQLite) or pool (PostgreSQL) to the same database, as a second process would open it. */
  another(): Promise<Store>;
  /** Closes what `another` opened and removes the database. */
  cleanup(): Promise<void>;
}

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

const seedSubscription = (store: Store, channelId = 'C1') =>
  store.subscriptions.create({
    platform: 'slack',
    channelId,
    schedule: 'daily 09:00',
    cron: '0 9 * * *',
    timeZone: 'UTC',
    createdBy: 'U1',
    createdAt: '2025-06-01T00:00:00.000Z',
  });

/**
 * The behaviour every `Store` implementation shares, run against SQLite (test/store/sqlite.test.ts)
 * and PostgreSQL (test/store/postgres.test.ts). `open` gives a fresh database for each test.
 */
export function describeStoreContract(name: string, options: { open: () => Promise<StoreHarness>; migrations: readonly Migration[] }) {
  describe(`${name}: the store contract`, () => {
    let harness: StoreHarness;
    let store: Store;
    const others: Store[] = [];
    const another = async () => {
      const other = await harness.another();
      others.push(other);
      return other;
    };
    beforeEach(async () => {
      harness = await options.open();
      store = harness.store;
    });
    afterEach(async () => {
      for (const other of others.splice(0)) await other.close();
      await store.close();
      await harness.cleanup();
    });

    it('applies every migration once, and opening the database again applies nothing twice', async () => {
      expect(await store.schemaVersion()).toBe(options.migrations.at(-1)?.version);
      expect(options.migrations.map((m) => m.version)).toEqual(options.migrations.map((_, i) => i + 1));
      const again = await another();
      expect(await again.schemaVersion()).toBe(options.migrations.at(-1)?.version);
      await expect(store.ping()).resolves.toBeUndefined();
    });

    it('a delivery must belong to an existing subscription (foreign key), and nothing is stored', async () => {
      await expect(store.deliveries.claim(claimRequest('9@x', A, { subscriptionId: 9 }))).rejects.toThrow(/foreign key/i);
      expect(await store.deliveries.get('9@x')).toBeUndefined();
    });

    it('a multi-row write that fails part-way stores none of its rows', async () => {
      await seedSubscription(store);
      const slot = { platform: 'slack' as const, channelId: 'C1', reason: 'missed' };
      await expect(
        store.deliveries.skip(
          [
            { ...slot, subscriptionId: 1, key: 'ok', slot: 'a' },
            { ...slot, subscriptionId: 99, key: 'bad', slot: 'b' },
          ],
          'now',
        ),
      ).rejects.toThrow(/foreign key/i);
      expect(await store.deliveries.get('ok')).toBeUndefined();
      expect(await store.deliveries.countByStatus()).toEqual({ claimed: 0, delivered: 0, empty: 0, failed: 0, skipped: 0 });
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
      const other = await another();
      const first = await store.deliveries.claim(claimRequest('1@slot', A));
      const second = await other.deliveries.claim(claimRequest('1@slot', B));
      expect(first).toMatchObject({ claimed: true, delivery: { status: 'claimed', owner: A, articleIds: ['a'], first: true } });
      expect(second).toMatchObject({ claimed: false, existing: { owner: A } });
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
      const other = await another();
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

    it("audit: visibleTo keeps a workspace's own entries and the shared ones, never another workspace's", async () => {
      const at = '2025-06-01T00:00:00.000Z';
      const entry = (platform: 'slack' | 'discord' | 'cli', workspaceId: string | undefined, action: string) =>
        store.audit.append({
          at,
          actor: 'U1',
          platform,
          ...(workspaceId ? { workspaceId } : {}),
          action,
          target: `${action}:${workspaceId}`,
        });
      await entry('slack', 'T1', 'slack.install');
      await entry('slack', 'T2', 'slack.install');
      await entry('slack', 'T1', 'article.register');
      await entry('slack', 'T2', 'article.register');
      await entry('cli', undefined, 'article.unregister');
      await entry('discord', 'T1', 'digest.subscribe'); // a guild whose id happens to equal a Slack team's
      await entry('slack', 'T1', 'articleXregister'); // `.` in the prefix is not a wildcard
      const seen = async (visibleTo: { platform: 'slack' | 'discord'; workspaceId?: string }) =>
        (await store.audit.list({ visibleTo: { ...visibleTo, sharedPrefix: 'article.' } })).map((e) => e.target);
      expect(await seen({ platform: 'slack', workspaceId: 'T1' })).toEqual([
        'articleXregister:T1',
        'article.unregister:undefined',
        'article.register:T2',
        'article.register:T1',
        'slack.install:T1',
      ]);
      expect(await seen({ platform: 'slack', workspaceId: 'T2' })).toEqual([
        'article.unregister:undefined',
        'article.register:T2',
        'article.register:T1',
        'slack.install:T2',
      ]);
      expect(await seen({ platform: 'discord' })).toEqual(['article.unregister:undefined', 'article.register:T2', 'article.register:T1']);
      const page = await store.audit.list({ visibleTo: { platform: 'slack', workspaceId: 'T2', sharedPrefix: 'article.' }, limit: 2 });
      expect(page.map((e) => e.target)).toEqual(['article.unregister:undefined', 'article.register:T2']);
      expect(
        (
          await store.audit.list({ visibleTo: { platform: 'slack', workspaceId: 'T2', sharedPrefix: 'article.' }, beforeId: page[1]?.id })
        ).map((e) => e.target),
      ).toEqual(['article.register:T1', 'slack.install:T2']);
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

    it("subscriptions: pauseChannel with a workspace pauses only that workspace's subscriptions in a shared channel", async () => {
      const base = {
        platform: 'slack' as const,
        channelId: 'C-SHARED',
        schedule: 'daily 09:00',
        cron: '0 9 * * *',
        timeZone: 'UTC',
        createdBy: 'U1',
        createdAt: '2025-06-01T00:00:00.000Z',
      };
      await store.subscriptions.create({ ...base, workspaceId: 'T1' });
      await store.subscriptions.create({ ...base, workspaceId: 'T2' });
      expect(await store.subscriptions.pauseChannel('slack', 'C-SHARED', 'not_in_channel', '2025-06-02T00:00:00.000Z', 'T1')).toBe(1);
      expect((await store.subscriptions.listLive()).map((s) => [s.workspaceId, s.status])).toEqual([
        ['T1', 'paused'],
        ['T2', 'active'],
      ]);
      expect(await store.subscriptions.pauseChannel('slack', 'C-SHARED', 'gone', '2025-06-02T00:00:00.000Z')).toBe(1);
      expect((await store.subscriptions.listLive()).map((s) => s.status)).toEqual(['paused', 'paused']);
    });

    it('subscriptions: takeDue leases due ones to one owner at a time; release records the next slot and ends the lease', async () => {
      const base = { schedule: 'daily 09:00', cron: '0 9 * * *', timeZone: 'UTC', createdBy: 'U1', createdAt: '2025-06-01T00:00:00.000Z' };
      await store.subscriptions.create({ ...base, platform: 'slack', channelId: 'C1' });
      await store.subscriptions.create({ ...base, platform: 'slack', channelId: 'C2' });
      await store.subscriptions.create({ ...base, platform: 'discord', channelId: 'D1' });
      const other = await another();
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
    });

    it('timestamps and ids order and compare byte by byte, whatever the database locale', async () => {
      const article = articleFromFile(BUNDLED_FILE);
      const at = '2025-06-01T00:00:00.000Z';
      // Byte order puts "B" before "a" and "a-c" before "ab"; a linguistic collation would not.
      for (const id of ['ab', 'a-c', 'a', 'B'])
        await store.articles.addRevision({ article: { ...article, id }, rawSha256: id, registeredBy: 'U1', registeredAt: at });
      expect((await store.articles.listLatest()).map((r) => r.id)).toEqual(['B', 'a', 'a-c', 'ab']);
      // An instant without milliseconds sorts after one with them ("." < "Z"), as text.
      await store.keys.put('k', 'v', at, '2025-06-01T09:00:00Z');
      expect(await store.keys.get('k', '2025-06-01T09:00:00.500Z')).toBeDefined();
      expect(await store.keys.purgeExpired('2025-06-01T09:00:00Z')).toBe(1);
    });

    it('racing claims for one key from two connections: exactly one wins, every other gets its row', async () => {
      await seedSubscription(store);
      const other = await another();
      const results = await Promise.all(
        Array.from({ length: 8 }, (_, i) => (i % 2 ? other : store).deliveries.claim(claimRequest('1@race', i % 2 ? B : A))),
      );
      const winners = results.filter((r) => r.claimed);
      expect(winners).toHaveLength(1);
      const winner = winners[0]?.claimed ? winners[0].delivery : undefined;
      for (const r of results) if (!r.claimed) expect(r.existing.id).toBe(winner?.id);
      expect(await store.deliveries.countByStatus()).toMatchObject({ claimed: 1 });
    });

    it('racing claims of different slots for one channel run choose one after the other', async () => {
      await seedSubscription(store);
      const other = await another();
      const seen: (string | undefined)[] = [];
      // Each digest starts where the previous one ended: a chain only if every choose saw the one before.
      const next = (cutoff: string | undefined) =>
        `2025-06-${String(cutoff ? Number(cutoff.slice(8, 10)) + 1 : 1).padStart(2, '0')}T00:00:00.000Z`;
      const claim = (s: Store, key: string) =>
        s.deliveries.claim(
          claimRequest(key, A, {
            choose: (previous) => {
              seen.push(previous?.cutoff);
              return { cutoff: next(previous?.cutoff), articleIds: [key], omitted: 0, first: previous === undefined };
            },
          }),
        );
      await Promise.all(['k1', 'k2', 'k3', 'k4', 'k5', 'k6'].map((key, i) => claim(i % 2 ? other : store, key)));
      expect(seen).toEqual([undefined, ...[1, 2, 3, 4, 5].map((d) => `2025-06-0${d}T00:00:00.000Z`)]);
      expect((await store.deliveries.previousDigest('slack', 'C1'))?.cutoff).toBe('2025-06-06T00:00:00.000Z');
    });

    it('racing putIfAbsent for one key from two connections: exactly one caller creates it', async () => {
      const other = await another();
      const at = '2025-06-01T09:00:00.000Z';
      const until = '2025-06-01T09:15:00.000Z';
      const results = await Promise.all(
        Array.from({ length: 10 }, (_, i) => (i % 2 ? other : store).keys.putIfAbsent('slack:T1:event:Ev9', `v${i}`, at, until)),
      );
      expect(results.filter((r) => r.created)).toHaveLength(1);
      const value = results.find((r) => r.created)?.entry.value;
      for (const r of results) expect(r.entry.value).toBe(value);
    });

    it('racing takeDue from two connections shares the due subscriptions: none taken twice, none left out', async () => {
      for (let i = 1; i <= 6; i++) await seedSubscription(store, `C${i}`);
      const other = await another();
      const lease = { now: '2025-06-01T09:00:00.000Z', leaseUntil: '2025-06-01T09:01:00.000Z', platforms: ['slack'] as const, limit: 4 };
      const [a, b] = await Promise.all([
        store.subscriptions.takeDue({ ...lease, owner: 'a' }),
        other.subscriptions.takeDue({ ...lease, owner: 'b' }),
      ]);
      const ids = [...(a ?? []), ...(b ?? [])].map((s) => s.id).sort((x, y) => x - y);
      expect(ids).toEqual([1, 2, 3, 4, 5, 6]);
    });

    it('racing registrations of one briefing from two connections get consecutive revisions', async () => {
      const article = articleFromFile(BUNDLED_FILE);
      const other = await another();
      const input = (n: number) => ({ article, rawSha256: `h${n}`, registeredBy: `U${n}`, registeredAt: '2025-06-01T00:00:00.000Z' });
      const audit = { at: '2025-06-01T00:00:00.000Z', actor: 'U1', action: 'article.register' };
      const added = await Promise.all([1, 2, 3, 4].map((n) => (n % 2 ? other : store).articles.addRevision(input(n), audit)));
      expect(added.map((r) => r.revision).sort()).toEqual([1, 2, 3, 4]);
      expect((await store.audit.list({ target: article.id })).map((e) => e.detail?.revision)).toEqual([4, 3, 2, 1]);
    });

    it('close is safe to call twice', async () => {
      await store.close();
      await expect(store.close()).resolves.toBeUndefined();
    });

    it('a call after close says the bot is shutting down, without naming the database (it can reach chat)', async () => {
      const location = store.location;
      await store.close();
      const refused = store.keys.get('k', '2025-06-01T00:00:00.000Z');
      await expect(refused).rejects.toMatchObject({
        code: 'store-closed',
        message: 'briefing-bot is shutting down, so this cannot be done now: try again in a moment.',
      });
      const error = await refused.catch((e: Error) => e);
      expect(String((error as Error).cause)).toContain('is closed');
      expect((error as Error).message).not.toContain(location);
    });
  });
}
