import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/adapters/slack/block-types.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { signedPost, slashBody } from '../fakes/slack-requests.ts';
import { SECOND_FILE } from '../helpers/library.ts';
import { withDatabase } from '../helpers/postgres.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../helpers/postgres-server.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { type BotProcess, freePort, pollUntil, startBot, textsOf } from './bot-process.ts';

/**
 * Three bot processes (`npm start`) on one PostgreSQL behind a round-robin load balancer, as a
 * team running replicas would deploy them, with Slack pointed at the loopback fake: commands
 * spread over the replicas and are answered once (an Events API retry that lands on another
 * replica too); a briefing registered through one replica is found through the others; ten
 * digest slots are posted exactly once although the replica posting them is SIGKILLed mid-post;
 * PostgreSQL is stopped and started again under the running replicas.
 */

const SIGNING_SECRET = 'replicas-signing-secret-8f14e45fceea167a';
const MODERATOR = 'U0MODERATOR';
const SECOND_ID = 'south-caucasus-energy-corridor';
const DIGEST_CHANNELS = Array.from({ length: 10 }, (_, i) => `C0DIGEST${String(i + 1).padStart(2, '0')}`);
/** How long the Slack Web API takes to answer a digest post: long enough to kill a replica in the middle of one. */
const DIGEST_POST_DELAY_MS = 2500;

type SlackMessage = { response_type?: string; text?: string; blocks?: SlackBlock[] };

interface Replica {
  port: number;
  url: string;
  dataDir: string;
  bot: BotProcess;
}

let postgres: EmbeddedServer;
let databaseUrl: string;
let slack: FakeSlack;
let slowSlack: Server;
let files: Server;
let lb: RoundRobinProxy;
const replicas: Replica[] = [];
let store: Store;
let storeDir: string;
let counter = 0;

/**
 * In front of the fake Slack Web API: digest posts (to the C0DIGEST channels) reach it at once
 * but are answered only after DIGEST_POST_DELAY_MS, so a process killed meanwhile has posted
 * without learning that it did.
 */
async function startSlowSlack(target: FakeSlack): Promise<Server> {
  const upstream = new URL(target.url);
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const slow = req.url === '/api/chat.postMessage' && body.toString('utf8').includes('C0DIGEST');
      const out = httpRequest(
        { hostname: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (c: Buffer) => parts.push(c));
          answer.on('end', () => {
            const reply = () => {
              res.writeHead(answer.statusCode ?? 502, answer.headers);
              res.end(Buffer.concat(parts));
            };
            if (slow) setTimeout(reply, DIGEST_POST_DELAY_MS).unref();
            else reply();
          });
        },
      );
      out.on('error', () => res.destroy());
      out.end(body);
    });
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
}

/** Serves the second briefing as a publisher's site would, for `/register <url>`. */
async function startFiles(): Promise<Server> {
  const text = readFileSync(SECOND_FILE, 'utf8');
  const server = createServer((req, res) => {
    if (req.url !== '/second-briefing.md') {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' }).end(text);
  });
  server.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return server;
}

const portOf = (server: Server) => (server.address() as AddressInfo).port;

function envFor(replica: { port: number; dataDir: string }): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    DATABASE_URL: databaseUrl,
    BRIEFING_DATA_DIR: replica.dataDir,
    CONSOLE: 'off',
    SLACK_BOT_TOKEN: 'xoxb-replicas-0000-secretbottoken',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: `http://127.0.0.1:${portOf(slowSlack)}/api/`,
    SLACK_MODERATORS: MODERATOR,
    REGISTER_ALLOW_PRIVATE_URLS: 'true',
    DIGEST_EMPTY: 'post',
    PORT: String(replica.port),
    HOST: '127.0.0.1',
    SEARCH_WORKERS: '0',
  };
}

/** Starts replica `i` again on its port and data folder (a replacement for a dead one). */
function restart(i: number): Replica {
  const { port, dataDir, url } = replicas[i] as Replica;
  const replica = { port, dataDir, url, bot: startBot(envFor({ port, dataDir })) };
  replicas[i] = replica;
  return replica;
}

async function ready(replica: Replica): Promise<void> {
  await pollUntil(`GET ${replica.url}/readyz`, async () => ((await fetch(`${replica.url}/readyz`)).status === 200 ? true : undefined), {
    attempts: 1200,
    intervalMs: 25,
    abort: () => (replica.bot.done() ? `the replica exited:\n${replica.bot.stderr().slice(-4000)}` : undefined),
  });
}

/** Sends a signed slash command to `url`; the answer on the ack, or through response_url when it came later. */
async function slash(url: string, command: string, text: string, userId = 'U0ALICE'): Promise<SlackMessage> {
  const id = `replicas-${++counter}`;
  const body = slashBody({ command, text, response_url: slack.responseUrl(id), user_id: userId });
  const res = await signedPost(`${url}/slack/events`, SIGNING_SECRET, body);
  expect(res.status, `${command} ${text}`).toBe(200);
  const ack = (res.text ? res.json() : {}) as SlackMessage;
  if (ack.blocks?.length) return ack;
  await slack.until(() => slack.responsesTo(id).length > 0, 20_000);
  return slack.responsesTo(id)[0]?.body as SlackMessage;
}

const text = (message: SlackMessage) => textsOf(message).join('\n');
const digestPosts = (channel?: string) =>
  slack.callsTo('chat.postMessage').filter((c) => (channel ? c.body.channel === channel : String(c.body.channel).startsWith('C0DIGEST')));

beforeAll(async () => {
  postgres = await startEmbeddedPostgres();
  const admin = new pg.Client({ connectionString: postgres.url });
  await admin.connect();
  await admin.query('CREATE DATABASE briefing');
  await admin.end();
  databaseUrl = withDatabase(postgres.url, 'briefing');
  slack = await FakeSlack.start();
  // Messages get timestamps from the real clock, as on Slack, so the replicas' history look-ups see them.
  slack.now = () => Date.now();
  [slowSlack, files] = await Promise.all([startSlowSlack(slack), startFiles()]);

  // Ten channels subscribed to a daily digest whose slot passed five minutes ago, while no bot
  // ran: the replicas post them as catch-up when they start, sharing the work.
  storeDir = mkdtempSync(join(tmpdir(), 'briefing-replicas-test-'));
  store = await openStore({ dataDir: storeDir, databaseUrl });
  const now = Date.now();
  const slot = new Date(Math.floor((now - 5 * 60_000) / 60_000) * 60_000);
  const hh = String(slot.getUTCHours()).padStart(2, '0');
  const mm = String(slot.getUTCMinutes()).padStart(2, '0');
  for (const channelId of DIGEST_CHANNELS)
    await store.subscriptions.create({
      platform: 'slack',
      channelId,
      workspaceId: 'T0FAKE',
      schedule: `daily ${hh}:${mm}`,
      cron: `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`,
      timeZone: 'UTC',
      createdBy: MODERATOR,
      createdAt: new Date(now - 10 * 60_000).toISOString(),
    });

  for (let i = 0; i < 3; i++) {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), `briefing-replica-${i}-`));
    replicas[i] = { port, dataDir, url: `http://127.0.0.1:${port}`, bot: startBot(envFor({ port, dataDir })) };
  }
  lb = await startRoundRobinProxy(replicas.map((r) => r.url));
}, 60_000);

afterAll(async () => {
  for (const r of replicas) if (r?.bot && !r.bot.done()) r.bot.child.kill('SIGKILL');
  await Promise.all(replicas.map((r) => r?.bot?.exited));
  await store?.close();
  await Promise.all([lb?.close(), slack?.close(), new Promise((r) => slowSlack?.close(r)), new Promise((r) => files?.close(r))]);
  await postgres?.close();
  for (const r of replicas) if (r?.dataDir) rmSync(r.dataDir, { recursive: true, force: true });
  if (storeDir) rmSync(storeDir, { recursive: true, force: true });
});

describe('three replicas on one PostgreSQL behind a load balancer', () => {
  it('posts ten missed digest slots exactly once, although the replica posting them is SIGKILLed mid-post', async () => {
    // A digest post has reached Slack and its answer is still on the way: kill the replica that sent it.
    await slack.until(() => digestPosts().length > 0, 60_000);
    const claims = (await store.deliveries.listClaims()).filter((d) => d.status === 'claimed' && d.owner);
    const owners = new Set(claims.map((d) => d.owner?.pid));
    const victim = replicas.findIndex((r) => owners.has(r.bot.child.pid as number));
    expect(victim, `claims held by ${[...owners].join(', ')}`).toBeGreaterThanOrEqual(0);
    const killed = replicas[victim] as Replica;
    killed.bot.child.kill('SIGKILL');
    expect((await killed.bot.exited).signal).toBe('SIGKILL');

    // The others keep answering meanwhile (the load balancer skips the dead one).
    for (const [i, r] of replicas.entries()) if (i !== victim) await ready(r);
    for (let i = 0; i < 4; i++) expect(text(await slash(lb.url, '/ask', 'Black Sea submarine cable'))).toMatch(/\[\d+\]/);

    // An orchestrator starts a replacement; between it and the survivors every claim is finished.
    const replacement = restart(victim);
    for (const r of replicas) await ready(r);
    await pollUntil(
      'every digest slot delivered',
      async () => {
        const rows = await Promise.all(DIGEST_CHANNELS.map((c) => store.deliveries.recentForChannel('slack', c, 5)));
        return rows.every((r) => r.length === 1 && r[0]?.status === 'delivered') ? rows : undefined;
      },
      { attempts: 600, intervalMs: 200, abort: () => (replacement.bot.done() ? replacement.bot.stderr().slice(-4000) : undefined) },
    );
    // Wait out any post still on its way, then count what Slack received: one message per channel.
    await new Promise((resolve) => setTimeout(resolve, DIGEST_POST_DELAY_MS + 500));
    for (const channel of DIGEST_CHANNELS) expect(digestPosts(channel), channel).toHaveLength(1);
    const rows = [];
    for (const channel of DIGEST_CHANNELS) {
      const [row] = await store.deliveries.recentForChannel('slack', channel, 5);
      expect(row).toMatchObject({ kind: 'scheduled', status: 'delivered', late: true });
      rows.push(row);
    }
    // The killed replica's claims were taken over and finished by another process, without posting again.
    const taken = rows.filter((r) => r?.recovered);
    expect(taken.length).toBeGreaterThan(0);
    for (const row of taken) expect(row?.owner?.pid).not.toBe(killed.bot.child.pid);
  }, 180_000);

  it('spreads signed slash commands over the replicas and answers each once', async () => {
    const before = lb.served.length;
    const answers: string[] = [];
    for (let i = 0; i < 9; i++) answers.push(text(await slash(lb.url, '/source', String((i % 3) + 5))));
    const served = lb.served.slice(before).filter((s) => s.path === '/slack/events');
    expect(new Set(served.map((s) => s.upstream))).toEqual(new Set([0, 1, 2]));
    expect(served.every((s) => s.status === 200)).toBe(true);
    // The same source gets the same answer whichever replica served it.
    expect(answers[0]).toBe(answers[3]);
    expect(answers[3]).toBe(answers[6]);
  }, 60_000);

  it('answers an Events API delivery once when Slack retries it and the retry lands on another replica', async () => {
    const event = {
      token: 'legacy',
      team_id: 'T0FAKE',
      api_app_id: 'AFAKE',
      type: 'event_callback',
      event_id: 'EvREPLICAS0001',
      event_time: Math.floor(Date.now() / 1000),
      event: {
        type: 'app_mention',
        user: 'U0ALICE',
        text: '<@UBOT> source 6',
        ts: '1800000000.000100',
        channel: 'C0MENTION',
        event_ts: '1.1',
      },
    };
    const body = JSON.stringify(event);
    const before = lb.served.length;
    const first = await signedPost(`${lb.url}/slack/events`, SIGNING_SECRET, body, { contentType: 'application/json' });
    expect(first.status).toBe(200);
    await slack.until(() => slack.callsTo('chat.postMessage').some((c) => c.body.channel === 'C0MENTION'), 20_000);
    for (const num of ['1', '2']) {
      const retry = await signedPost(`${lb.url}/slack/events`, SIGNING_SECRET, body, {
        contentType: 'application/json',
        headers: { 'x-slack-retry-num': num, 'x-slack-retry-reason': 'http_timeout' },
      });
      expect(retry.status).toBe(200);
    }
    const upstreams = lb.served.slice(before).map((s) => s.upstream);
    expect(new Set(upstreams).size).toBe(3);
    // Give a wrongly repeated answer the time to arrive before counting.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0MENTION')).toHaveLength(1);
  }, 60_000);

  it('a briefing registered through one replica is found through every replica within a second or so', async () => {
    const url = `http://127.0.0.1:${portOf(files)}/second-briefing.md`;
    const preview = await slash(lb.url, '/register', url, MODERATOR);
    const publish = (preview.blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.elements : [])).find((e) => e.text.text === 'Publish');
    expect(publish, text(preview)).toBeDefined();
    // The click lands on the next replica in turn: the pending registration is in the shared store.
    const click = await signedPost(
      `${lb.url}/slack/events`,
      SIGNING_SECRET,
      new URLSearchParams({
        payload: JSON.stringify({
          type: 'block_actions',
          user: { id: MODERATOR, username: 'mod', name: 'mod', team_id: 'T0FAKE' },
          api_app_id: 'AFAKE',
          token: 'legacy',
          container: { type: 'message', message_ts: '1800000000.000200', channel_id: 'C0GENERAL', is_ephemeral: true },
          trigger_id: 'trigger-publish',
          team: { id: 'T0FAKE', domain: 'fake' },
          channel: { id: 'C0GENERAL', name: 'general' },
          response_url: slack.responseUrl('publish'),
          actions: [{ action_id: publish?.action_id, block_id: 'actions', value: publish?.value, type: 'button', action_ts: '1.1' }],
        }),
      }).toString(),
    );
    expect(click.status).toBe(200);
    await slack.until(() => slack.responsesTo('publish').length > 0, 20_000);
    const published = Date.now();
    expect(textsOf(slack.responsesTo('publish').at(-1)?.body).join('\n')).toContain(SECOND_ID);
    for (const r of replicas) {
      await pollUntil(
        `${SECOND_ID} on ${r.url}`,
        async () => (text(await slash(r.url, '/articles', '')).includes(SECOND_ID) ? true : undefined),
        { attempts: 100, intervalMs: 50 },
      );
    }
    // LISTEN/NOTIFY: every replica had it well within the 3 s a polling replica would take.
    expect(Date.now() - published).toBeLessThan(3000);
  }, 60_000);

  it('keeps answering while PostgreSQL is stopped, says writes cannot be made, and recovers by itself when it is back', async () => {
    await postgres.stop();
    for (const r of replicas)
      await pollUntil(`${r.url}/readyz 503`, async () => ((await fetch(`${r.url}/readyz`)).status === 503 ? true : undefined), {
        attempts: 200,
        intervalMs: 50,
      });
    for (let i = 0; i < 3; i++) expect(text(await slash(lb.url, '/ask', 'railway to ASEAN'))).toMatch(/\[\d+\]/);
    const refused = text(await slash(lb.url, '/digest', 'subscribe daily 09:00', MODERATOR));
    expect(refused).toContain("The subscription was not added: the bot's data store is unreachable right now");
    expect(refused).not.toMatch(/\n\s+at |127\.0\.0\.1/); // no stack trace, no server address in chat
    // The operator's probe names the server.
    const probe = (await (await fetch(`${replicas[0]?.url}/readyz`)).json()) as Record<string, unknown>;
    expect(JSON.stringify(probe)).toContain(`127.0.0.1:${postgres.port}`);

    await postgres.start();
    for (const r of replicas) await ready(r);
    const added = text(await slash(lb.url, '/digest', 'subscribe daily 09:00 Europe/Istanbul', MODERATOR));
    expect(added).toMatch(/09:00/);
    for (const r of replicas) expect(r.bot.done(), r.bot.stderr().slice(-2000)).toBe(false);
    const metrics = await (await fetch(`${replicas[0]?.url}/metrics`)).text();
    expect(metrics).toMatch(/briefing_commands_total\{[^}]*platform="slack"/);
    expect(metrics).toMatch(/briefing_store_errors_total/);
  }, 120_000);
});
