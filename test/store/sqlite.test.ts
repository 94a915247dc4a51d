import { writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BotError } from '../../src/core/errors.ts';
import { MIGRATIONS, openStore } from '../../src/store/index.ts';
import { migrate } from '../../src/store/migrations.ts';
import type { Store } from '../../src/store/types.ts';
import { tempDataDir } from '../scheduler/helpers.ts';
import { describeStoreContract } from './contract.ts';

describeStoreContract('SQLite', {
  migrations: MIGRATIONS,
  async open() {
    const data = tempDataDir();
    const dataDir = `${data.dir}/nested/data`;
    return {
      store: await openStore({ dataDir }),
      another: () => openStore({ dataDir }),
      cleanup: async () => data.cleanup(),
    };
  },
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

  it('is the default without a database URL: briefing.db in the data directory, in WAL mode, every migration recorded once', async () => {
    expect(store.kind).toBe('sqlite');
    expect(store.location).toBe(`${data.dir}/nested/data/briefing.db`);
    expect(store.watchChanges).toBeUndefined();
    const raw = new Database(store.location, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()).toEqual(
      MIGRATIONS.map((m) => ({ version: m.version, name: m.name })),
    );
    raw.close();
  });

  it('a delivery must belong to an existing subscription (foreign keys are on)', async () => {
    await expect(
      store.deliveries.claim({
        key: '9@x',
        subscriptionId: 9,
        platform: 'slack',
        channelId: 'C1',
        kind: 'scheduled',
        slot: 'x',
        late: false,
        owner: { id: 'a', host: 'h', pid: 1 },
        now: 'x',
        leaseUntil: 'x',
        choose: () => ({ cutoff: 'x', articleIds: [], omitted: 0, first: true }),
      }),
    ).rejects.toThrow('FOREIGN KEY constraint failed');
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
});
