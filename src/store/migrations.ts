import type Database from 'better-sqlite3';
import { BotError } from '../core/errors.ts';

/** One schema step. Versions are consecutive from 1; a released migration is never edited, only followed. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'subscriptions and delivery ledger',
    sql: `
      CREATE TABLE subscriptions (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        channel_name TEXT,
        workspace_id TEXT,
        schedule TEXT NOT NULL,
        cron TEXT NOT NULL,
        time_zone TEXT NOT NULL,
        status TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'paused', 'cancelled')),
        paused_reason TEXT,
        paused_at TEXT,
        created_by TEXT NOT NULL,
        created_at TEXT NOT NULL,
        cancelled_by TEXT,
        cancelled_at TEXT,
        checked_until TEXT NOT NULL
      );
      CREATE INDEX subscriptions_channel ON subscriptions (platform, channel_id);
      CREATE INDEX subscriptions_status ON subscriptions (status);

      CREATE TABLE deliveries (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        key TEXT NOT NULL UNIQUE,
        subscription_id INTEGER REFERENCES subscriptions (id),
        platform TEXT NOT NULL,
        channel_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('scheduled', 'manual')),
        slot TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('claimed', 'delivered', 'empty', 'failed', 'skipped')),
        late INTEGER NOT NULL DEFAULT 0,
        recovered INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        owner_id TEXT,
        owner_host TEXT,
        owner_pid INTEGER,
        lease_until TEXT,
        claimed_at TEXT,
        finished_at TEXT,
        cutoff TEXT,
        article_ids TEXT NOT NULL DEFAULT '[]',
        omitted INTEGER NOT NULL DEFAULT 0,
        first INTEGER NOT NULL DEFAULT 0,
        message_ids TEXT NOT NULL DEFAULT '[]',
        error TEXT
      );
      CREATE INDEX deliveries_channel ON deliveries (platform, channel_id, id);
      CREATE INDEX deliveries_subscription ON deliveries (subscription_id, slot);
      CREATE INDEX deliveries_claimed ON deliveries (status) WHERE status = 'claimed';
    `,
  },
  {
    version: 2,
    name: 'registered briefings and audit log',
    sql: `
      CREATE TABLE articles (
        id TEXT NOT NULL,
        revision INTEGER NOT NULL CHECK (revision >= 1),
        article TEXT NOT NULL,
        format TEXT NOT NULL,
        raw_sha256 TEXT NOT NULL,
        source_name TEXT,
        registered_by TEXT NOT NULL,
        registered_at TEXT NOT NULL,
        hidden INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (id, revision)
      );
      CREATE INDEX articles_hash ON articles (raw_sha256);

      CREATE TABLE audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        at TEXT NOT NULL,
        actor TEXT NOT NULL,
        actor_name TEXT,
        platform TEXT,
        channel_id TEXT,
        action TEXT NOT NULL,
        target TEXT,
        detail TEXT
      );
      CREATE INDEX audit_target ON audit (target, id);
      CREATE INDEX audit_actor ON audit (actor, id);
    `,
  },
  {
    version: 3,
    name: 'shared keys, installations, digest work sharing, audit workspaces',
    sql: `
      CREATE TABLE keys (
        key TEXT PRIMARY KEY,
        value TEXT NOT NULL,
        created_at TEXT NOT NULL,
        expires_at TEXT NOT NULL
      );
      CREATE INDEX keys_expiry ON keys (expires_at);

      CREATE TABLE installations (
        key TEXT PRIMARY KEY,
        team_id TEXT,
        enterprise_id TEXT,
        enterprise_install INTEGER NOT NULL,
        payload TEXT NOT NULL,
        installed_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      ALTER TABLE subscriptions ADD COLUMN next_due_at TEXT;
      ALTER TABLE subscriptions ADD COLUMN sweep_owner TEXT;
      ALTER TABLE subscriptions ADD COLUMN sweep_lease_until TEXT;
      CREATE INDEX subscriptions_due ON subscriptions (status, next_due_at);

      ALTER TABLE audit ADD COLUMN workspace_id TEXT;
      CREATE INDEX audit_workspace ON audit (workspace_id, id);
    `,
  },
];

/**
 * Applies every pending migration, each in its own IMMEDIATE transaction together with its
 * `schema_migrations` row, so two processes starting at once apply each step exactly once.
 * Refuses a database written by a newer version of the bot.
 *
 * @returns the schema version after migrating.
 */
export function migrate(db: Database.Database, migrations: readonly Migration[] = MIGRATIONS, now: () => Date = () => new Date()): number {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
  const current = () => (db.prepare('SELECT MAX(version) AS v FROM schema_migrations').get() as { v: number | null }).v ?? 0;
  const known = migrations.at(-1)?.version ?? 0;
  const found = current();
  if (found > known) {
    throw new BotError(
      'store-too-new',
      `store: the database is at schema version ${found} but this version of briefing-bot knows up to ${known}; upgrade briefing-bot or use another BRIEFING_DATA_DIR`,
    );
  }
  for (const m of migrations) {
    const apply = db.transaction(() => {
      if (current() >= m.version) return;
      db.exec(m.sql);
      db.prepare('INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(m.version, m.name, now().toISOString());
    });
    apply.immediate();
  }
  return current();
}
