import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, truncateSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/adapters/slack/block-types.ts';
import { DATABASE_FILE, openStore } from '../../src/store/index.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { signedPost, slashBody } from '../fakes/slack-requests.ts';
import { articleFromFile, SECOND_FILE } from '../helpers/library.ts';
import { holdLock } from '../store/processes.ts';
import { type BotProcess, freePort, pollUntil, ROOT, runCli, startBot, textsOf } from './bot-process.ts';

/**
 * The bot and its CLI as child processes on real database files that cannot be used: they stop
 * with exit 1 and say which file and what to do; and a running bot whose database goes away
 * keeps answering from its index, says so on /readyz and /digest, and recovers by itself.
 */

const AT = '2025-06-01T00:00:00.000Z';
const SECOND = articleFromFile(SECOND_FILE);
const NO_STACK = /\n\s+at /;

let dataDir: string;
let db: string;
const baseEnv = () => ({ PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', BRIEFING_DATA_DIR: dataDir });

/** A data folder holding one registered briefing (and so the marker). */
async function registerOne(): Promise<void> {
  const store = await openStore({ dataDir });
  await store.articles.addRevision(
    { article: SECOND, rawSha256: 'second', registeredBy: 'test', registeredAt: AT },
    { at: AT, actor: 'test', action: 'article.register', target: SECOND.id },
  );
  await store.close();
}

/** Runs `npm start` (the terminal chat, stdin closed) to its end. */
async function startToEnd(env: Record<string, string> = {}): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const bot = startBot({ ...baseEnv(), ...env });
  const { code } = await bot.exited;
  return { code, stderr: bot.stderr(), stdout: bot.stdout() };
}

beforeEach(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-store-e2e-'));
  db = join(dataDir, DATABASE_FILE);
});
afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

describe('npm start refuses a database it cannot use: exit 1, the file and what to do on stderr', () => {
  const cases: [string, () => void | Promise<void>, RegExp][] = [
    ['not a database', () => writeFileSync(db, 'meeting notes\n'.repeat(50)), /it is not a SQLite database \(its header is wrong\)/],
    [
      'truncated',
      () => truncateSync(db, Math.floor(readFileSync(db).length / 2)),
      /the database is damaged \(SQLite: database disk image is malformed\)/,
    ],
    [
      'garbled pages',
      () => {
        const bytes = readFileSync(db);
        bytes.fill(0x5a, 4096, bytes.length - 4096);
        writeFileSync(db, bytes);
      },
      /the database is damaged/,
    ],
    [
      "another program's database",
      () => {
        unlinkSync(db);
        unlinkSync(join(dataDir, '.briefing.db.keep'));
        const other = new Database(db);
        other.exec('CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)');
        other.close();
      },
      /it is a SQLite database but not briefing-bot's \(its tables: invoices\)/,
    ],
    [
      'a newer schema',
      () => {
        const raw = new Database(db);
        raw.prepare("INSERT INTO schema_migrations VALUES (42, 'later', ?)").run(AT);
        raw.close();
      },
      /the database is at schema version 42 but this version of briefing-bot knows up to 3/,
    ],
    [
      'deleted after briefings were registered',
      () => unlinkSync(db),
      /the database is missing, but this folder held data \(article\.register/,
    ],
  ];

  it.each(cases)(
    '%s',
    async (_name, damage, reason) => {
      await registerOne();
      await damage();
      const run = await startToEnd();
      expect(run.code).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^briefing-bot could not start: store: ${db}: `));
      expect(run.stderr).toMatch(reason);
      expect(run.stderr).toContain('npx briefing-bot doctor');
      expect(run.stderr).not.toMatch(NO_STACK);
      expect(run.stdout).toBe('');
    },
    60_000,
  );

  it('a lock another process holds past STORE_LOCK_TIMEOUT_MS', async () => {
    await registerOne();
    const holder = await holdLock(db, 'exclusive');
    try {
      const run = await startToEnd({ STORE_LOCK_TIMEOUT_MS: '500' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain(`store: ${db}: another process held the database lock for more than 0.5 s.`);
      expect(run.stderr).toContain('STORE_LOCK_TIMEOUT_MS');
      expect(run.stderr).not.toMatch(NO_STACK);
    } finally {
      await holder.release();
    }
  }, 60_000);

  it('a database the user running the bot may not read', async () => {
    await registerOne();
    // As root (who may read anything) the bot runs as nobody; otherwise the file is made unreadable.
    const root = process.getuid?.() === 0;
    const uid = root ? 65534 : (process.getuid?.() ?? 0);
    chmodSync(dataDir, 0o777);
    chmodSync(db, root ? 0o600 : 0o000);
    const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...baseEnv(), HOME: tmpdir() },
      ...(root ? { uid, gid: 65534 } : {}),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    const [code] = (await once(child, 'exit')) as [number | null];
    chmodSync(db, 0o600);
    expect(code).toBe(1);
    expect(stderr).toContain(`store: ${db}: the bot may not read and write it (EACCES).`);
    expect(stderr).toContain(`Let the user running the bot (uid ${uid}) read and write the file and its folder`);
    expect(stderr).not.toMatch(NO_STACK);
  }, 60_000);

  it('every CLI command stops the same way', async () => {
    await registerOne();
    writeFileSync(db, 'meeting notes\n'.repeat(50));
    const commands = [
      ['exec', '/source 6'],
      ['register', SECOND_FILE, '--yes'],
      ['unregister', SECOND.id],
      ['export', SECOND.id],
      ['audit'],
    ];
    // One at a time: the machine is shared with other test files starting processes too.
    for (const args of commands) {
      const run = await runCli(args, baseEnv());
      expect(run.code, args.join(' ')).toBe(1);
      expect(run.stderr).toMatch(new RegExp(`^briefing-bot: store: ${db}: it is not a SQLite database`));
      expect(run.stderr).toContain('npx briefing-bot doctor');
      expect(run.stderr).not.toMatch(NO_STACK);
      expect(run.stdout).toBe('');
    }
    const doctor = await runCli(['doctor'], baseEnv());
    expect(doctor.code).toBe(1);
    expect(doctor.stdout).toMatch(/✖ opens +it is not a SQLite database/);
  }, 90_000);

  it('STORE=off runs without the store, on purpose, and says so when registration or digests are used', async () => {
    writeFileSync(db, 'meeting notes\n'.repeat(50));
    const bot = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
      cwd: ROOT,
      env: { ...baseEnv(), STORE: 'off' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    bot.stdout.setEncoding('utf8').on('data', (c: string) => {
      stdout += c;
    });
    bot.stderr.setEncoding('utf8').on('data', (c: string) => {
      stderr += c;
    });
    bot.stdin.end('/source 6\n/digest status\n/register https://example.org/x\n');
    const [code] = (await once(bot, 'exit')) as [number | null];
    expect(code).toBe(0);
    expect(stdout).toContain('TV BRICS');
    expect(stdout).toContain('Digests are off: this bot runs without its data store (STORE=off).');
    expect(stdout).toContain('Registering briefings is not available: this bot runs without its data store (STORE=off).');
    expect(stderr).toContain('STORE=off: running without the data store');
    const register = await runCli(['register', SECOND_FILE, '--yes'], { ...baseEnv(), STORE: 'off' });
    expect(register.code).toBe(1);
    expect(register.stdout).toContain('(STORE=off)');
    // The index snapshot is kept as with the store, so a restart without it is as fast.
    const again = await runCli(['exec', '/source 6'], { ...baseEnv(), STORE: 'off', LOG_LEVEL: 'info' });
    expect(again.code).toBe(0);
    expect(again.stderr).toMatch(/"index":"snapshot".*"msg":"library loaded"/);
  }, 60_000);
});

describe('a running bot whose database goes away and comes back', () => {
  const SIGNING_SECRET = 'store-e2e-signing-secret-0123456789';
  let slack: FakeSlack;
  let bot: BotProcess;
  let base: string;
  let responses = 0;

  beforeAll(async () => {
    slack = await FakeSlack.start();
  });
  afterAll(async () => {
    await slack.close();
  });

  const exitedEarly = () => (bot?.done() ? `the bot exited:\n${bot.stderr().slice(-3000)}` : undefined);

  async function slash(command: string, text: string): Promise<string> {
    const id = `store-${++responses}`;
    const res = await signedPost(`${base}/slack/events`, SIGNING_SECRET, slashBody({ command, text, response_url: slack.responseUrl(id) }));
    expect(res.status, `${command} ${text}`).toBe(200);
    const ack = (res.text ? res.json() : {}) as { blocks?: SlackBlock[] };
    if (ack.blocks?.length) return textsOf(ack).join('\n');
    await slack.until(() => slack.responsesTo(id).length > 0, 15_000);
    return textsOf(slack.responsesTo(id)[0]?.body).join('\n');
  }

  async function readyz(): Promise<{ status: number; body: { ready: boolean; reasons?: string[] } }> {
    const res = await fetch(`${base}/readyz`);
    return { status: res.status, body: (await res.json()) as { ready: boolean; reasons?: string[] } };
  }

  /** Starts the bot with Slack on the fake, U0ALICE a moderator; resolves once /readyz is 200. */
  async function startSlackBot(env: Record<string, string> = {}): Promise<void> {
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    bot = startBot({
      ...baseEnv(),
      CONSOLE: 'off',
      SLACK_BOT_TOKEN: 'xoxb-store-e2e-token',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      SLACK_API_URL: slack.apiUrl,
      SLACK_MODERATORS: 'U0ALICE',
      PORT: String(port),
      HOST: '127.0.0.1',
      SEARCH_WORKERS: '0',
      ...env,
    });
    await pollUntil('/readyz 200 after start', async () => ((await readyz()).status === 200 ? true : undefined), poll);
  }

  const poll = { attempts: 600, intervalMs: 50, abort: exitedEarly };

  it('keeps answering from its index, reports the store unreachable on /readyz and /digest status, and recovers by itself', async () => {
    await registerOne();
    await startSlackBot();
    try {
      unlinkSync(db);
      const down = await pollUntil(
        '/readyz 503 once the file is gone',
        async () => {
          const r = await readyz();
          return r.status === 503 ? r : undefined;
        },
        poll,
      );
      expect(down.body.reasons?.[0]).toMatch(new RegExp(`^the store is unreachable \\(store: ${db}: its database file is missing`));

      // Questions are answered from the index, registered briefings included.
      expect(await slash('/sources', `--article ${SECOND.id}`)).toContain(SECOND.sources[0]?.title.slice(0, 20));
      const status = await slash('/digest', 'status');
      expect(status).toContain(
        "Digest status cannot be read: the bot's data store is unreachable right now (its database file is missing)",
      );
      expect(status).not.toContain(dataDir);

      // What the running bot still had open was saved beside it; putting it back brings the store back.
      const rescued = await pollUntil(
        'the rescued copy',
        async () => readdirSync(dataDir).find((f) => f.startsWith('briefing.db.rescued-')),
        poll,
      );
      renameSync(join(dataDir, rescued), db);
      await pollUntil('/readyz 200 once the file is back', async () => ((await readyz()).status === 200 ? true : undefined), poll);
      expect(await slash('/digest', 'status')).toContain('No digest subscriptions here');
      expect(bot.stderr()).toContain('the store is reachable again');
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
  }, 90_000);

  it('a write lock another process keeps: answers still come in time, /readyz and writes say so once it is held past STORE_LOCK_TIMEOUT_MS, and it recovers by itself', async () => {
    await registerOne();
    // Longer than Slack's 3 s to acknowledge: nothing on the way to an acknowledgement may wait this long.
    await startSlackBot({ STORE_LOCK_TIMEOUT_MS: '4000' });
    try {
      const holder = await holdLock(db, 'write');
      try {
        const locked = Date.now();
        // Retry de-duplication and button state give up on the lock quickly; the answer is not held up.
        expect(await slash('/sources', `--article ${SECOND.id}`)).toContain(SECOND.sources[0]?.title.slice(0, 20));
        const down = await pollUntil(
          '/readyz 503 once the lock is held past the timeout',
          async () => {
            const r = await readyz();
            return r.status === 503 ? r : undefined;
          },
          { ...poll, attempts: 400 },
        );
        expect(Date.now() - locked).toBeGreaterThanOrEqual(4000);
        expect(down.body.reasons?.[0]).toContain(`store: ${db}: another process has held the database lock for more than 4 s.`);
        expect(down.body.reasons?.[0]).toContain('wait longer with STORE_LOCK_TIMEOUT_MS');
        const subscribe = await slash('/digest', 'subscribe daily 09:00');
        expect(subscribe).toContain(
          "The subscription was not added: the bot's data store is unreachable right now (another process has held the database lock for more than 4 s)",
        );
        expect(subscribe).not.toContain(dataDir);
        expect(await slash('/ask', 'South Caucasus energy corridor')).toContain('South Caucasus');
      } finally {
        await holder.release();
      }
      await pollUntil('/readyz 200 once the lock is let go', async () => ((await readyz()).status === 200 ? true : undefined), poll);
      expect(await slash('/digest', 'subscribe daily 09:00')).toContain('Digest subscription 1 added');
      expect(bot.stderr()).toContain('the store is reachable again');
    } finally {
      bot.child.kill('SIGTERM');
      await bot.exited;
    }
  }, 90_000);
});
