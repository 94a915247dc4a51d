import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Services } from '../../src/core/command.ts';
import type { Library } from '../../src/core/library.ts';
import { type Registry, registryOf } from '../../src/core/registry.ts';
import { createMetrics } from '../../src/http/metrics.ts';
import { loadRegistered, setupRegistry, watchRegistrations } from '../../src/register/index.ts';
import { backupDatabase } from '../../src/store/backup.ts';
import { openStore } from '../../src/store/index.ts';
import { observeStore } from '../../src/store/observed.ts';
import type { Store } from '../../src/store/types.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { ada, bob, registryOn, SECOND_ID, SECOND_TEXT, tempDataDir } from './setup.ts';

const second = { kind: 'text' as const, text: SECOND_TEXT, name: 'second-briefing.md' };

let data: ReturnType<typeof tempDataDir>;
let library: Library;
let store: Store;
let registry: Registry;
let clock: Date;

beforeEach(() => {
  data = tempDataDir();
  clock = new Date('2025-06-20T10:00:00.000Z');
  ({ library, store, registry } = registryOn(data.dir, { now: () => clock }));
});
afterEach(async () => {
  await store.close();
  data.remove();
});

async function register(source = second, actor = ada) {
  const prepared = await registry.prepare(source, actor);
  if (!prepared.ok) throw new Error(prepared.message);
  const published = await registry.publish(prepared.preview.pendingId, actor);
  if (!published.ok) throw new Error(published.message);
  return { preview: prepared.preview, published: published.published };
}

describe('the registry', () => {
  it('previews a briefing without storing anything or touching the library', async () => {
    const prepared = await registry.prepare(second, ada);
    expect(prepared.ok).toBe(true);
    if (!prepared.ok) return;
    expect(prepared.preview).toMatchObject({
      sourceLabel: 'second-briefing.md',
      format: 'markdown',
      linesOf: 'file',
      warnings: [],
      expiresAt: '2025-06-20T10:30:00.000Z',
    });
    expect(prepared.preview.article.id).toBe(SECOND_ID);
    expect(prepared.preview.existing).toBeUndefined();
    expect(await store.articles.latest(SECOND_ID)).toBeUndefined();
    expect(library.get(SECOND_ID)).toBeUndefined();
  });

  it('publishes a revision with who and when, an audit entry, and a searchable library entry', async () => {
    const { published } = await register();
    expect(published).toMatchObject({
      articleId: SECOND_ID,
      revision: 1,
      registeredAt: '2025-06-20T10:00:00.000Z',
      passages: 8,
      sources: 5,
      replaced: false,
    });
    const stored = await store.articles.latest(SECOND_ID);
    expect(stored).toMatchObject({
      revision: 1,
      registeredBy: 'slack:U-ada',
      registeredAt: '2025-06-20T10:00:00.000Z',
      sourceName: 'second-briefing.md',
      hidden: false,
    });
    expect(await store.audit.list()).toMatchObject([
      {
        actor: 'U-ada',
        actorName: 'ada',
        platform: 'slack',
        channelId: 'C1',
        action: 'article.register',
        target: SECOND_ID,
        detail: { revision: 1 },
      },
    ]);
    expect(library.get(SECOND_ID)?.meta).toEqual({ addedAt: '2025-06-20T10:00:00.000Z', origin: 'registered', revision: 1 });
    expect(library.search('Black Sea submarine cable').hits[0]?.articleId).toBe(SECOND_ID);
  });

  it('makes a new revision, not a duplicate, when the same briefing is registered again', async () => {
    await register();
    clock = new Date('2025-06-21T10:00:00.000Z');
    const prepared = await registry.prepare(second, bob);
    expect(prepared.ok && prepared.preview.existing).toMatchObject({
      articleId: SECOND_ID,
      revision: 1,
      matchedBy: 'id',
      identical: true,
      origin: 'registered',
    });
    if (!prepared.ok) return;
    const published = await registry.publish(prepared.preview.pendingId, bob);
    expect(published).toMatchObject({ ok: true, published: { revision: 2, replaced: true } });
    expect(library.size).toBe(2);
    expect(library.get(SECOND_ID)?.meta.revision).toBe(2);
    expect((await store.articles.revisions(SECOND_ID)).map((r) => [r.revision, r.registeredBy])).toEqual([
      [2, 'discord:U-bob'],
      [1, 'slack:U-ada'],
    ]);
  });

  it('treats the same title and author under another id as the same briefing', async () => {
    await register();
    const renamed = {
      kind: 'text' as const,
      text: SECOND_TEXT.replace(`id: ${SECOND_ID}`, 'id: energy-corridor-v2').replace('12.9 billion', '13.1 billion'),
      name: 'v2.md',
    };
    const prepared = await registry.prepare(renamed, ada);
    expect(prepared.ok && prepared.preview.existing).toMatchObject({ articleId: SECOND_ID, matchedBy: 'title-author', identical: false });
    if (!prepared.ok) return;
    expect(prepared.preview.article.id).toBe(SECOND_ID);
    expect(prepared.preview.article.passages[0]?.id).toBe(`${SECOND_ID}#p1`);
    await registry.publish(prepared.preview.pendingId, ada);
    expect(library.get('energy-corridor-v2')).toBeUndefined();
    expect(library.passage(`${SECOND_ID}#p2`)?.text).toContain('13.1 billion');
  });

  it('replaces a shipped briefing with the same id by registered revision 1', async () => {
    const bundledId = articleFromFile(BUNDLED_FILE).id;
    const { readFileSync } = await import('node:fs');
    const prepared = await registry.prepare({ kind: 'text', text: readFileSync(BUNDLED_FILE, 'utf8'), name: 'bundled.txt' }, ada);
    expect(prepared.ok && prepared.preview.existing).toMatchObject({ articleId: bundledId, origin: 'content', revision: 0 });
    if (!prepared.ok) return;
    await registry.publish(prepared.preview.pendingId, ada);
    expect(library.get(bundledId)?.meta).toMatchObject({ origin: 'registered', revision: 1 });
    expect(library.size).toBe(1);
  });

  it('forgets a cancelled registration and stores nothing', async () => {
    const prepared = await registry.prepare(second, ada);
    if (!prepared.ok) throw new Error(prepared.message);
    expect(await registry.cancel(prepared.preview.pendingId, ada)).toEqual({
      ok: true,
      articleId: SECOND_ID,
      title: prepared.preview.article.title,
    });
    clock = new Date('2025-06-20T10:05:00.000Z');
    expect(await registry.publish(prepared.preview.pendingId, bob)).toEqual({
      ok: false,
      code: 'cancelled',
      message: `This registration of “${SECOND_ID}” was cancelled by ada (slack) at 2025-06-20 10:00 UTC: nothing was stored. Run /register again to publish it.`,
    });
    expect(await registry.cancel(prepared.preview.pendingId, ada)).toEqual({
      ok: false,
      code: 'cancelled',
      message: `This registration of “${SECOND_ID}” was already cancelled by ada (slack) at 2025-06-20 10:00 UTC: nothing was stored.`,
    });
    expect(await store.articles.latest(SECOND_ID)).toBeUndefined();
    expect(await store.audit.list()).toEqual([]);
  });

  it('still says "expired or unknown" of a registration nobody cancelled', async () => {
    expect(await registry.publish('never-made', ada)).toEqual({
      ok: false,
      code: 'expired',
      message: 'Registration "never-made" has expired or is unknown (previews last 30 minutes): run /register again.',
    });
  });

  it('lets a preview expire after thirty minutes', async () => {
    const prepared = await registry.prepare(second, ada);
    if (!prepared.ok) throw new Error(prepared.message);
    clock = new Date(clock.getTime() + 30 * 60_000);
    const result = await registry.publish(prepared.preview.pendingId, ada);
    expect(result).toMatchObject({ ok: false, code: 'expired', message: expect.stringContaining('run /register again') });
    expect(library.get(SECOND_ID)).toBeUndefined();
  });

  it('lets only the moderator who started a registration publish it, and only once', async () => {
    const prepared = await registry.prepare(second, ada);
    if (!prepared.ok) throw new Error(prepared.message);
    expect(await registry.publish(prepared.preview.pendingId, bob)).toMatchObject({ ok: false, code: 'not-yours' });
    expect(await registry.publish(prepared.preview.pendingId, ada)).toMatchObject({ ok: true });
    expect(await registry.publish(prepared.preview.pendingId, ada)).toMatchObject({
      ok: false,
      code: 'already-published',
      message: expect.stringContaining('revision 1'),
    });
    expect((await store.articles.revisions(SECOND_ID)).length).toBe(1);
  });

  it('hides an unregistered briefing, keeps its history, and restores it when registered again', async () => {
    await register();
    const result = await registry.unregister(SECOND_ID, bob);
    expect(result).toEqual({ ok: true, articleId: SECOND_ID, title: expect.any(String), revisions: 1 });
    expect(library.get(SECOND_ID)).toBeUndefined();
    expect(library.search('Black Sea submarine cable').hits.some((h) => h.articleId === SECOND_ID)).toBe(false);
    expect(await store.articles.revisions(SECOND_ID)).toHaveLength(1);
    expect((await registry.audit()).map((e) => [e.action, e.actor])).toEqual([
      ['article.unregister', 'U-bob'],
      ['article.register', 'U-ada'],
    ]);
    expect(await registry.unregister(SECOND_ID, bob)).toMatchObject({ ok: false, code: 'already-unregistered' });
    const again = await register();
    expect(again.preview.existing).toMatchObject({ hidden: true, revision: 1 });
    expect(again.published.revision).toBe(2);
    expect(library.get(SECOND_ID)?.meta.revision).toBe(2);
  });

  it('refuses to unregister a shipped briefing or an unknown id, naming it', async () => {
    const bundledId = articleFromFile(BUNDLED_FILE).id;
    expect(await registry.unregister(bundledId, ada)).toMatchObject({
      ok: false,
      code: 'shipped',
      message: expect.stringContaining(`"${bundledId}" ships with the bot`),
    });
    expect(await registry.unregister('nope', ada)).toEqual({
      ok: false,
      code: 'unknown-article',
      message: 'No registered briefing with id "nope". None is registered yet.',
    });
  });

  it('lands two registrations made at once, each intact', async () => {
    const other = {
      kind: 'text' as const,
      text: SECOND_TEXT.replace(`id: ${SECOND_ID}`, 'id: other-briefing').replace(/^title: .*$/m, 'title: Another Corridor'),
      name: 'other.md',
    };
    const [a, b, c] = await Promise.all([register(second, ada), register(other, bob), register(second, bob)]);
    expect([a.published.revision, c.published.revision].sort()).toEqual([1, 2]);
    expect(b.published).toMatchObject({ articleId: 'other-briefing', revision: 1 });
    expect(library.get(SECOND_ID)?.meta.revision).toBe(2);
    expect(library.get('other-briefing')?.article.passages).toHaveLength(8);
    expect(library.size).toBe(3);
    expect((await store.audit.list()).length).toBe(3);
  });

  it('leaves the previous revision whole when storing fails half-way', async () => {
    await register();
    const before = library.get(SECOND_ID);
    const failing = {
      ...store,
      articles: {
        ...store.articles,
        // The audit detail cannot be serialised: the revision row is written, then the transaction aborts.
        addRevision: (input: Parameters<Store['articles']['addRevision']>[0], audit?: Parameters<Store['articles']['addRevision']>[1]) =>
          store.articles.addRevision(input, audit && { ...audit, detail: { broken: 10n } }),
      },
    } as Store;
    const { createRegistry } = await import('../../src/register/service.ts');
    const broken = createRegistry({ store: failing, library, maxBytes: 1_048_576, timeoutMs: 1000, allowPrivate: true });
    const changed = { kind: 'text' as const, text: SECOND_TEXT.replace('12.9 billion', '99 billion'), name: 'changed.md' };
    const prepared = await broken.prepare(changed, ada);
    if (!prepared.ok) throw new Error(prepared.message);
    await expect(broken.publish(prepared.preview.pendingId, ada)).rejects.toThrow();
    expect((await store.articles.revisions(SECOND_ID)).map((r) => r.revision)).toEqual([1]);
    expect(await store.audit.list()).toHaveLength(1);
    expect(library.get(SECOND_ID)).toBe(before);
    expect(library.passage(`${SECOND_ID}#p2`)?.text).toContain('12.9 billion');
  });

  it('finds a registered briefing after a restart, and keeps an unregistered one out', async () => {
    await register();
    const other = {
      kind: 'text' as const,
      text: SECOND_TEXT.replace(`id: ${SECOND_ID}`, 'id: gone-briefing').replace(/^title: .*$/m, 'title: Gone'),
      name: 'gone.md',
    };
    await register(other);
    await registry.unregister('gone-briefing', ada);
    await store.close();

    const restarted = libraryOf(articleFromFile(BUNDLED_FILE));
    const services: Record<string, unknown> = {};
    const setup = await setupRegistry({
      config: {
        BRIEFING_DATA_DIR: data.dir,
        REGISTER_MAX_BYTES: 1_048_576,
        REGISTER_URL_TIMEOUT_MS: 1000,
        REGISTER_ALLOW_PRIVATE_URLS: false,
      },
      library: restarted,
      services,
    });
    try {
      expect(setup.report).toMatchObject({ loaded: 1, hidden: 1, problems: [] });
      expect(services.registry).toBe(setup.registry);
      expect(restarted.get(SECOND_ID)?.meta).toMatchObject({ origin: 'registered', revision: 1 });
      expect(restarted.get('gone-briefing')).toBeUndefined();
      const hit = restarted.search('Black Sea submarine cable').hits[0];
      expect(hit?.articleId).toBe(SECOND_ID);
      expect(restarted.passage(hit?.id ?? '')?.citations.length).toBeGreaterThan(0);
    } finally {
      await setup.close();
      store = await openStore({ dataDir: data.dir });
    }
  });

  it('counts a registration refused for its input, a published one and an unregistered one for the metrics', async () => {
    const metrics = createMetrics({ defaults: false });
    const services: Services = { observer: metrics.observer };
    const setup = await setupRegistry({
      config: {
        BRIEFING_DATA_DIR: data.dir,
        REGISTER_MAX_BYTES: 1_048_576,
        REGISTER_URL_TIMEOUT_MS: 1000,
        REGISTER_ALLOW_PRIVATE_URLS: false,
      },
      library,
      services,
      store: observeStore(store, metrics.observer),
    });
    const counted = registryOf(services);
    try {
      const refused = await counted?.prepare({ kind: 'text', text: '', name: 'empty.md' }, ada);
      expect(refused).toMatchObject({ ok: false });
      const preview = await counted?.prepare({ kind: 'text', text: SECOND_TEXT, name: 'second.md' }, ada);
      if (!preview?.ok) throw new Error(`no preview: ${JSON.stringify(preview)}`);
      expect(await counted?.publish(preview.preview.pendingId, ada)).toMatchObject({ ok: true });
      expect(await counted?.unregister(SECOND_ID, ada)).toMatchObject({ ok: true });
      const lines = (await metrics.registry.metrics()).split('\n');
      for (const outcome of ['refused', 'published', 'unregistered'])
        expect(lines).toContain(`briefing_registrations_total{outcome="${outcome}"} 1`);
    } finally {
      await setup.close();
    }
  });

  it('picks up what another process registered and unregistered', async () => {
    const report = await loadRegistered(store, library);
    const watcher = watchRegistrations(store, library, { since: report.auditId, intervalMs: 60_000 });
    const other = registryOn(data.dir);
    try {
      const prepared = await other.registry.prepare(second, bob);
      if (!prepared.ok) throw new Error(prepared.message);
      await other.registry.publish(prepared.preview.pendingId, bob);
      expect(library.get(SECOND_ID)).toBeUndefined();
      expect(await watcher.poll()).toBe(1);
      expect(library.get(SECOND_ID)?.meta.revision).toBe(1);
      expect(await watcher.poll()).toBe(0);
      await other.registry.unregister(SECOND_ID, bob);
      expect(await watcher.poll()).toBe(1);
      expect(library.get(SECOND_ID)).toBeUndefined();
    } finally {
      watcher.stop();
      await other.store.close();
    }
  });

  it('a poll asked for while one runs waits for it and checks once more, so a change announced meanwhile is not missed', async () => {
    const report = await loadRegistered(store, library);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => {
      release = resolve;
    });
    let holdNext = true;
    // The first check reads the audit log, then is held until the other process has published.
    const held: Store = {
      ...store,
      audit: {
        ...store.audit,
        list: async (filter) => {
          const entries = await store.audit.list(filter);
          if (holdNext) {
            holdNext = false;
            await gate;
          }
          return entries;
        },
      },
    };
    const watcher = watchRegistrations(held, library, { since: report.auditId, intervalMs: 60_000 });
    const other = registryOn(data.dir);
    try {
      const first = watcher.poll();
      const prepared = await other.registry.prepare(second, bob);
      if (!prepared.ok) throw new Error(prepared.message);
      await other.registry.publish(prepared.preview.pendingId, bob);
      const [again, andAgain] = [watcher.poll(), watcher.poll()];
      expect(andAgain).toBe(again); // one more check for every call made meanwhile
      release();
      expect(await first).toBe(0);
      expect(await again).toBe(1);
      expect(library.get(SECOND_ID)?.meta.revision).toBe(1);
      expect(await watcher.notified).toBe(false); // SQLite: polling only
    } finally {
      watcher.stop();
      await other.store.close();
    }
  });

  it('follows a database restored from an older backup under it (the audit log went backwards)', async () => {
    const report = await loadRegistered(store, library);
    const watcher = watchRegistrations(store, library, { since: report.auditId, intervalMs: 60_000 });
    const backup = join(data.dir, 'before-unregister.db');
    const other = registryOn(data.dir);
    try {
      const prepared = await other.registry.prepare(second, bob);
      if (!prepared.ok) throw new Error(prepared.message);
      await other.registry.publish(prepared.preview.pendingId, bob);
      expect(await watcher.poll()).toBe(1);
      await backupDatabase(store.location, backup);
      await other.registry.unregister(SECOND_ID, bob);
      expect(await watcher.poll()).toBe(1);
      expect(library.get(SECOND_ID)).toBeUndefined();
    } finally {
      await other.store.close();
    }
    renameSync(backup, store.location);
    // The restored database still has the briefing registered, and an older, shorter audit log.
    expect(await watcher.poll()).toBe(1);
    expect(library.get(SECOND_ID)?.meta.revision).toBe(1);
    const again = registryOn(data.dir);
    try {
      await again.registry.unregister(SECOND_ID, bob);
      expect(await watcher.poll()).toBe(1);
      expect(library.get(SECOND_ID)).toBeUndefined();
    } finally {
      watcher.stop();
      await again.store.close();
    }
  });
});

describe('a registration previewed in one process', () => {
  it('is published by a click that reaches another process on the same store, once, and the first process knows it', async () => {
    const other = registryOn(data.dir, { now: () => clock });
    try {
      const prepared = await registry.prepare(second, ada);
      if (!prepared.ok) throw new Error(prepared.message);
      const { pendingId } = prepared.preview;
      const [a, b] = await Promise.all([other.registry.publish(pendingId, ada), registry.publish(pendingId, ada)]);
      const won = [a, b].filter((r) => r.ok);
      expect(won).toHaveLength(1);
      expect(won[0]).toMatchObject({ ok: true, published: { articleId: SECOND_ID, revision: 1 } });
      expect([a, b].find((r) => !r.ok)).toMatchObject({ ok: false });
      expect(await store.articles.revisions(SECOND_ID)).toHaveLength(1);
      // Either process, asked again, says it was published and as what.
      expect(await registry.publish(pendingId, ada)).toMatchObject({
        ok: false,
        code: 'already-published',
        message: `This registration was already published as revision 1 of ${SECOND_ID}.`,
      });
      expect(await other.registry.cancel(pendingId, ada)).toMatchObject({ ok: false, code: 'already-published' });
    } finally {
      await other.store.close();
    }
  });

  it('is cancelled from another process (only by whoever started it), and then cannot be published anywhere', async () => {
    const other = registryOn(data.dir, { now: () => clock });
    try {
      const prepared = await registry.prepare(second, ada);
      if (!prepared.ok) throw new Error(prepared.message);
      const { pendingId } = prepared.preview;
      expect(await other.registry.cancel(pendingId, bob)).toMatchObject({ ok: false, code: 'not-yours' });
      expect(await other.registry.cancel(pendingId, ada)).toMatchObject({ ok: true, articleId: SECOND_ID });
      // The process that previewed it still holds the preview in memory: it must say it was cancelled too.
      expect(await registry.publish(pendingId, ada)).toMatchObject({ ok: false, code: 'cancelled' });
      expect(await other.registry.publish(pendingId, ada)).toMatchObject({
        ok: false,
        code: 'cancelled',
        message: expect.stringContaining('was cancelled by ada (slack)'),
      });
      expect(await store.articles.latest(SECOND_ID)).toBeUndefined();
    } finally {
      await other.store.close();
    }
  });

  it('survives a restart of the process that previewed it, until the preview expires', async () => {
    const prepared = await registry.prepare(second, ada);
    if (!prepared.ok) throw new Error(prepared.message);
    await store.close();
    ({ library, store, registry } = registryOn(data.dir, { now: () => clock }));
    clock = new Date(clock.getTime() + 31 * 60_000);
    expect(await registry.publish(prepared.preview.pendingId, ada)).toMatchObject({ ok: false, code: 'expired' });
    clock = new Date(clock.getTime() - 2 * 60_000);
    expect(await registry.publish(prepared.preview.pendingId, ada)).toMatchObject({ ok: true, published: { articleId: SECOND_ID } });
    expect(library.get(SECOND_ID)?.meta.revision).toBe(1);
  });
});
