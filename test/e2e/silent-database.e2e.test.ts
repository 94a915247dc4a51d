import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/adapters/slack/block-types.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { buttonPayload, interactiveBody, signedPost, slashBody } from '../fakes/slack-requests.ts';
import { SECOND_FILE } from '../helpers/library.ts';
import { freshDatabase, type PostgresProxy, startPostgresProxy, type TestDatabase } from '../helpers/postgres.ts';
import { type BotProcess, freePort, pollUntil, runCli, startBot, textsOf } from './bot-process.ts';

/**
 * The bot as a process (`npm start`) on PostgreSQL through a link that goes silent: nothing is
 * forwarded and nothing is closed, as in a network partition or a frozen database VM. Slack
 * commands are still acknowledged within Slack's 3 s (Bolt answers 404 to one that is not):
 * those that need only the index answer from it, those that need the store say it is
 * unreachable, /readyz says so too, and when the link is back everything works again, including
 * a briefing registered meanwhile by another process.
 */

const SECRET = 'silent-database-signing-secret-0001';
const MODERATOR = 'U0MODERATOR';
const NO_STACK = /\n\s+at /;

let database: TestDatabase;
let link: PostgresProxy;
let slack: FakeSlack;
let bot: BotProcess;
let url: string;
let dataDir: string;
let counter = 0;

type Message = { text?: string; blocks?: SlackBlock[] };

/** A signed request; the acknowledgement, and the answer whether it came on it or through response_url. */
async function send(body: (responseUrl: string) => string): Promise<{ status: number; ack: Message; answer: string }> {
  const id = `silent-${++counter}`;
  const res = await signedPost(`${url}/slack/events`, SECRET, body(slack.responseUrl(id)));
  const ack = (res.text.startsWith('{') ? res.json() : {}) as Message;
  if (res.status === 200 && !ack.blocks?.length) await slack.until(() => slack.responsesTo(id).length > 0, 10_000);
  const later = slack.responsesTo(id).map((r) => textsOf(r.body).join('\n'));
  return { status: res.status, ack, answer: [textsOf(ack).join('\n'), ...later].join('\n') };
}
const slash = (command: string, text: string, user = 'U0ALICE') =>
  send((responseUrl) => slashBody({ command, text, user_id: user, response_url: responseUrl }));

function shareButton(message: Message): { action_id: string; value: string } {
  const button = (message.blocks ?? [])
    .flatMap((b) => (b.type === 'actions' ? b.elements : []))
    .find((e) => e.text.text === 'Share in channel') as { action_id: string; value: string } | undefined;
  if (!button) throw new Error(`no Share button in ${JSON.stringify(message)}`);
  return button;
}

beforeAll(async () => {
  database = await freshDatabase();
  link = await startPostgresProxy(database.url);
  slack = await FakeSlack.start();
  slack.now = () => Date.now();
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-silent-db-'));
  const port = await freePort();
  url = `http://127.0.0.1:${port}`;
  bot = startBot({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: link.url,
    BRIEFING_DATA_DIR: dataDir,
    CONSOLE: 'off',
    SLACK_BOT_TOKEN: 'xoxb-silent-0000-secretbottoken',
    SLACK_SIGNING_SECRET: SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_MODERATORS: MODERATOR,
    PORT: String(port),
    HOST: '127.0.0.1',
    SEARCH_WORKERS: '0',
  });
  await pollUntil('the bot ready', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), {
    attempts: 2400,
    intervalMs: 25,
    abort: () => (bot.done() ? `the bot exited:\n${bot.stderr().slice(-4000)}` : undefined),
  });
}, 90_000);

afterAll(async () => {
  link?.restore();
  if (bot && !bot.done()) {
    bot.child.kill('SIGTERM');
    await bot.exited;
  }
  await slack?.close();
  await link?.close();
  await database?.drop();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('a bot whose PostgreSQL goes silent', () => {
  it('acknowledges every Slack request in time while it is silent, and works again by itself once it answers', async () => {
    const share = shareButton((await slash('/ask', 'railway to ASEAN')).ack);
    link.stall();

    // All at once, as users would: none waits on the silent database past Slack's deadline.
    const [ask, status, subscribe, clicked] = await Promise.all([
      slash('/ask', 'Black Sea submarine cable'),
      slash('/digest', 'status'),
      slash('/digest', 'subscribe daily 09:00', MODERATOR),
      send((responseUrl) =>
        interactiveBody(buttonPayload({ actionId: share.action_id, value: share.value, responseUrl, channelId: 'C0GENERAL' })),
      ),
    ]);
    for (const r of [ask, status, subscribe, clicked]) expect(r.status).toBe(200);
    expect(ask.answer).toMatch(/\[\d+\]/); // cited passages, from the index
    expect(status.answer).toContain("the bot's data store is unreachable right now");
    expect(subscribe.answer).toContain("The subscription was not added: the bot's data store is unreachable right now");
    for (const r of [status, subscribe]) expect(r.answer).not.toMatch(NO_STACK);
    // The shared answer went to the channel (without the store, a second click could share it again).
    await slack.until(() => slack.callsTo('chat.postMessage').some((c) => c.body.channel === 'C0GENERAL'), 10_000);

    const probe = await fetch(`${url}/readyz`);
    expect(probe.status).toBe(503);
    expect(JSON.stringify(await probe.json())).toMatch(
      new RegExp(`the PostgreSQL database at 127\\.0\\.0\\.1:${link.port} is not reachable \\((silent for|no answer|no connection)`),
    );

    // Another process, not behind the silent link, registers a briefing meanwhile.
    const file = join(dataDir, 'registered-meanwhile.md');
    writeFileSync(
      file,
      readFileSync(SECOND_FILE, 'utf8')
        .replace(/^id: .*$/m, 'id: registered-meanwhile')
        .replace(/^title: .*$/m, 'title: Registered while the database was silent'),
    );
    const cli = await runCli(['register', file, '--yes'], {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: database.url,
      BRIEFING_DATA_DIR: join(dataDir, 'cli'),
    });
    expect(cli.code, cli.stderr).toBe(0);

    link.restore();
    await pollUntil('/readyz 200 again', async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), {
      attempts: 400,
      intervalMs: 25,
    });
    await pollUntil(
      'the briefing registered meanwhile, searchable',
      async () => ((await slash('/articles', '')).answer.includes('registered-meanwhile') ? true : undefined),
      { attempts: 100, intervalMs: 100 },
    );
    expect((await slash('/digest', 'subscribe daily 09:00', MODERATOR)).answer).toMatch(/09:00/);
    expect(bot.done()).toBe(false);
    // Every request was answered in time: Bolt never gave up on one, and no reply came too late to send.
    expect(bot.stderr()).not.toMatch(/not acknowledged within 3 seconds|Cannot write headers after they are sent/);
  }, 90_000);

  it('told to stop while its database is silent, it closes its connections without waiting for the server and exits 0', async () => {
    await slash('/digest', 'status'); // connections in the pool, for closing to wait on
    link.stall();
    await slash('/digest', 'status');
    bot.child.kill('SIGTERM');
    expect(await bot.exited).toEqual({ code: 0, signal: null });
    await pollUntil('the connections closed', async () => (link.openClients === 0 ? true : undefined), { attempts: 200, intervalMs: 25 });
  }, 60_000);
});
