import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeSlack } from '../fakes/slack-api.ts';
import { signedPost, slashBody } from '../fakes/slack-requests.ts';
import { type BotProcess, freePort, pollUntil, startBot, textsOf } from './bot-process.ts';

/**
 * `npm start` with SLACK_CLIENT_ID and the other OAuth variables, as a child process against the
 * loopback Slack fake: a workspace installs through the browser flow, is answered with its own
 * token, and is still installed after the process restarts on the same data directory.
 */

const SIGNING_SECRET = 'e2e-oauth-signing-secret-7d2c';
const TOKEN = 'xoxb-e2e-oauth-9999-secretworkspacetoken';

let slack: FakeSlack;
let dataDir: string;
let base: string;
let env: Record<string, string>;
let bot: BotProcess | undefined;

async function start(extra: Record<string, string> = {}): Promise<BotProcess> {
  const child = startBot({ ...env, ...extra });
  await pollUntil('GET /readyz', async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined), {
    attempts: 800,
    intervalMs: 25,
    abort: () => (child.done() ? `the bot exited early:\n${child.stderr().slice(-3000)}` : undefined),
  });
  return child;
}

async function stop(child: BotProcess | undefined): Promise<void> {
  if (!child || child.done()) return;
  child.child.kill('SIGTERM');
  await child.exited;
}

beforeAll(async () => {
  slack = await FakeSlack.start();
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-e2e-oauth-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BRIEFING_DATA_DIR: dataDir,
    CONSOLE: 'off',
    SEARCH_WORKERS: '0',
    SLACK_CLIENT_ID: '1234.5678',
    SLACK_CLIENT_SECRET: 'e2e-client-secret-1f2e',
    SLACK_STATE_SECRET: 'e2e-state-secret-3c4d',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_TOKEN_ENCRYPTION_KEY: randomBytes(32).toString('base64'),
    SLACK_API_URL: slack.apiUrl,
    PORT: String(port),
    HOST: '127.0.0.1',
  };
  bot = await start();
}, 60_000);

afterAll(async () => {
  if (bot && !bot.done()) {
    bot.child.kill('SIGKILL');
    await bot.exited;
  }
  await slack?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

async function mention(ts: string): Promise<string | undefined> {
  const before = slack.callsTo('chat.postMessage').length;
  const body = {
    token: 'legacy',
    team_id: 'T0E2E',
    api_app_id: 'A0E2E',
    type: 'event_callback',
    event_id: `EvE2E${ts.replace('.', '')}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_mention', user: 'U0E2E', text: '<@UBOTE2E> source 6', ts, channel: 'C0E2E', event_ts: ts },
    authorizations: [{ team_id: 'T0E2E', user_id: 'UBOTE2E', is_bot: true, is_enterprise_install: false }],
  };
  const res = await signedPost(`${base}/slack/events`, SIGNING_SECRET, JSON.stringify(body), { contentType: 'application/json' });
  expect(res.status).toBe(200);
  await slack.until(() => slack.callsTo('chat.postMessage').length > before, 15_000);
  return slack.callsTo('chat.postMessage').at(-1)?.authorization;
}

describe('briefing-bot for many Slack workspaces, as a child process', () => {
  it('installs a workspace through /slack/install and /slack/oauth_redirect and answers it with its own token', async () => {
    const page = await fetch(`${base}/slack/install`);
    const cookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
    const state = new URL((/href="([^"]+)"/.exec(await page.text())?.[1] ?? '').replace(/&amp;/g, '&')).searchParams.get('state') ?? '';
    slack.identities.set(TOKEN, { team_id: 'T0E2E', team: 'E2E', user_id: 'UBOTE2E', bot_id: 'BE2E' });
    slack.oauthCodes.set('e2e-code', {
      ok: true,
      app_id: 'A0E2E',
      authed_user: { id: 'U0E2EADMIN' },
      scope: 'commands,chat:write',
      token_type: 'bot',
      access_token: TOKEN,
      bot_user_id: 'UBOTE2E',
      team: { id: 'T0E2E', name: 'E2E' },
      enterprise: null,
      is_enterprise_install: false,
    });
    const done = await fetch(`${base}/slack/oauth_redirect?code=e2e-code&state=${encodeURIComponent(state)}`, { headers: { cookie } });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Briefing Bot is now installed in the workspace E2E.');
    expect(await mention('1.1')).toBe(`Bearer ${TOKEN}`);
  });

  it('refuses a workspace that never installed, clearly', async () => {
    const body = slashBody({ command: '/source', text: '6', team_id: 'T0OTHER', response_url: slack.responseUrl('other') });
    const res = await signedPost(`${base}/slack/events`, SIGNING_SECRET, body);
    expect(res.status).toBe(200);
    expect(textsOf(res.json()).join(' ')).toContain('is not installed in this workspace');
  });

  it('keeps the installation across a restart', async () => {
    await stop(bot);
    bot = await start();
    expect(await mention('2.1')).toBe(`Bearer ${TOKEN}`);
    expect(bot.stderr()).not.toContain(TOKEN);
  }, 60_000);

  it('refuses to start without a data store, saying so', async () => {
    await stop(bot);
    bot = undefined;
    // STORE=off: a store that cannot be opened stops every start anyway, naming the database.
    const child = startBot({ ...env, STORE: 'off' });
    const { code } = await child.exited;
    expect(code).toBe(1);
    expect(child.stderr()).toContain(
      'Slack with SLACK_CLIENT_ID (many workspaces) keeps each installation in the data store, which is not open',
    );
  }, 60_000);

  it('refuses to start with a malformed SLACK_TOKEN_ENCRYPTION_KEY, naming it and the format', async () => {
    const child = startBot({ ...env, SLACK_TOKEN_ENCRYPTION_KEY: 'not-a-key' });
    const { code } = await child.exited;
    expect(code).toBe(2);
    expect(child.stderr()).toContain('SLACK_TOKEN_ENCRYPTION_KEY must be 32 random bytes as 64 hex digits or base64');
  }, 60_000);
});
