import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RestProxy, startRestProxy } from '../../src/adapters/discord/rest-proxy.ts';
import type { SlackBlock } from '../../src/adapters/slack/block-types.ts';
import { openStore } from '../../src/store/index.ts';
import type { Store } from '../../src/store/types.ts';
import { type FakeDiscord, nextId, startFakeDiscord } from '../fakes/discord.ts';
import { InteractionSigner, postInteraction } from '../fakes/discord-http.ts';
import { buttonClick, CHANNEL_ID, chatInput, MANAGE_GUILD, MEMBER_PERMISSIONS } from '../fakes/discord-interactions.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { signedPost, slashBody } from '../fakes/slack-requests.ts';
import { SECOND_FILE } from '../helpers/library.ts';
import { type StoppableDatabase, stoppableDatabase } from '../helpers/postgres.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { type BotProcess, freePort, pollUntil, runCli, startBot, textsOf } from './bot-process.ts';

/**
 * Three bot processes (`npm start`) on one PostgreSQL behind a round-robin load balancer, as a
 * team running replicas would deploy them, with Slack pointed at the loopback fake: commands
 * spread over the replicas and are answered once (an Events API retry that lands on another
 * replica too); a briefing registered through one replica is found through the others; ten
 * digest slots are posted exactly once although the replica posting them is SIGKILLed mid-post;
 * PostgreSQL is stopped and started again under the running replicas; Discord interactions over
 * HTTP reach any replica and their REST calls go through one @discordjs/proxy; every metric moves;
 * a replica run with `npm start` and sent SIGTERM (a deploy) finishes the answer it owes, then exits.
 */

const SIGNING_SECRET = 'replicas-signing-secret-8f14e45fceea167a';
const MODERATOR = 'U0MODERATOR';
const SECOND_ID = 'south-caucasus-energy-corridor';
const DIGEST_CHANNELS = Array.from({ length: 10 }, (_, i) => `C0DIGEST${String(i + 1).padStart(2, '0')}`);
/** How long the Slack Web API takes to answer a digest post: long enough to kill a replica in the middle of one. */
const DIGEST_POST_DELAY_MS = 2500;
/** A channel whose first post Slack answers with 429 (Retry-After: 1). */
const RATE_LIMITED_CHANNEL = 'C0RATELIMITED';

type SlackMessage = { response_type?: string; text?: string; blocks?: SlackBlock[] };

interface Replica {
  port: number;
  url: string;
  dataDir: string;
  bot: BotProcess;
}

let postgres: StoppableDatabase;
let databaseUrl: string;
let slack: FakeSlack;
let discord: FakeDiscord;
/** The one Discord REST proxy every replica's DISCORD_API_URL points at (`npm run discord:proxy`). */
let discordProxy: RestProxy;
const signer = new InteractionSigner();
let slowSlack: Server;
let files: Server;
let lb: RoundRobinProxy;
const replicas: Replica[] = [];
let store: Store;
let storeDir: string;
let counter = 0;
/** Requests for /slow-briefing.md waiting for the test to let them finish. */
const slowFiles: (() => void)[] = [];

/**
 * In front of the fake Slack Web API: digest posts (to the C0DIGEST channels) reach it at once
 * but are answered only after DIGEST_POST_DELAY_MS, so a process killed meanwhile has posted
 * without learning that it did. The first post to RATE_LIMITED_CHANNEL is refused with 429.
 */
async function startSlowSlack(target: FakeSlack): Promise<Server> {
  const upstream = new URL(target.url);
  let rateLimited = false;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const post = req.url === '/api/chat.postMessage';
      if (post && !rateLimited && body.toString('utf8').includes(RATE_LIMITED_CHANNEL)) {
        // Slack's answer to too many posts: nothing posted, try again after Retry-After seconds.
        rateLimited = true;
        res.writeHead(429, { 'content-type': 'application/json', 'retry-after': '1' }).end('{"ok":false,"error":"ratelimited"}');
        return;
      }
      const slow = post && body.toString('utf8').includes('C0DIGEST');
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

/**
 * Serves the second briefing as a publisher's site would, for `/register <url>`; a request for
 * `/slow-briefing.md` (the same briefing under another id) waits in `slowFiles` until the test lets it finish.
 */
async function startFiles(): Promise<Server> {
  const text = readFileSync(SECOND_FILE, 'utf8');
  const server = createServer((req, res) => {
    if (req.url === '/slow-briefing.md') {
      slowFiles.push(() =>
        res
          .writeHead(200, { 'content-type': 'text/markdown; charset=utf-8' })
          .end(text.replace(`id: ${SECOND_ID}`, 'id: slow-briefing').replace(/^title: .*$/m, 'title: A briefing that took its time')),
      );
      return;
    }
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
    // Discord over HTTP interactions (no gateway), REST through the one shared proxy.
    DISCORD_TOKEN: 'replicas-discord-token',
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_PUBLIC_KEY: signer.publicKeyHex,
    DISCORD_API_URL: discordProxy.apiUrl,
    PORT: String(replica.port),
    HOST: '127.0.0.1',
    SEARCH_WORKERS: '0',
  };
}

/** Starts replica `i` again on its port and data folder (a replacement for a dead one), with `npm start` when asked. */
function restart(i: number, via: 'node' | 'npm' = 'node'): Replica {
  const { port, dataDir, url } = replicas[i] as Replica;
  const replica = { port, dataDir, url, bot: startBot(envFor({ port, dataDir }), { via }) };
  replicas[i] = replica;
  return replica;
}

/**
 * Waits for a freshly started replica's /healthz to report its index loaded, and returns that
 * first report (liveness only reads state: it must already show the store as it is).
 */
async function started(replica: Replica): Promise<{ ok: boolean; store: { reachable: boolean } }> {
  return pollUntil(
    `GET ${replica.url}/healthz with the index loaded`,
    async () => {
      const report = (await (await fetch(`${replica.url}/healthz`)).json()) as {
        ok: boolean;
        index: { loaded: boolean };
        store: { reachable: boolean };
      };
      return report.index.loaded ? report : undefined;
    },
    {
      attempts: 1200,
      intervalMs: 25,
      abort: () => (replica.bot.done() ? `the replica exited:\n${replica.bot.stderr().slice(-4000)}` : undefined),
    },
  );
}

/** Adds up one metric's samples (whose line starts with `sample`, labels included) over every replica's /metrics. */
async function metricSum(sample: string): Promise<number> {
  let sum = 0;
  for (const r of replicas) {
    const text = await (await fetch(`${r.url}/metrics`)).text();
    for (const line of text.split('\n')) if (line.startsWith(sample)) sum += Number(line.split(' ').at(-1));
  }
  return sum;
}

async function ready(replica: Replica): Promise<void> {
  await pollUntil(`GET ${replica.url}/readyz`, async () => ((await fetch(`${replica.url}/readyz`)).status === 200 ? true : undefined), {
    attempts: 1200,
    intervalMs: 25,
    abort: () => (replica.bot.done() ? `the replica exited:\n${replica.bot.stderr().slice(-4000)}` : undefined),
  });
}

/** Slash commands sent, by response_url id, with whether the acknowledgement carried the answer. */
const sent = new Map<string, { answeredOnAck: boolean }>();

/** Sends a signed slash command to `url`; the answer on the ack, or through response_url when it came later. */
async function slash(url: string, command: string, text: string, userId = 'U0ALICE', channelId?: string): Promise<SlackMessage> {
  const id = `replicas-${++counter}`;
  const body = slashBody({
    command,
    text,
    response_url: slack.responseUrl(id),
    user_id: userId,
    ...(channelId ? { channel_id: channelId } : {}),
  });
  const res = await signedPost(`${url}/slack/events`, SIGNING_SECRET, body);
  expect(res.status, `${command} ${text}`).toBe(200);
  const ack = (res.text ? res.json() : {}) as SlackMessage;
  sent.set(id, { answeredOnAck: Boolean(ack.blocks?.length) });
  if (ack.blocks?.length) return ack;
  await slack.until(() => slack.responsesTo(id).length > 0, 20_000);
  return slack.responsesTo(id)[0]?.body as SlackMessage;
}

const text = (message: SlackMessage) => textsOf(message).join('\n');
const digestPosts = (channel?: string) =>
  slack.callsTo('chat.postMessage').filter((c) => (channel ? c.body.channel === channel : String(c.body.channel).startsWith('C0DIGEST')));

beforeAll(async () => {
  postgres = await stoppableDatabase();
  databaseUrl = postgres.url;
  slack = await FakeSlack.start();
  // Messages get timestamps from the real clock, as on Slack, so the replicas' history look-ups see them.
  slack.now = () => Date.now();
  [slowSlack, files] = await Promise.all([startSlowSlack(slack), startFiles()]);
  discord = await startFakeDiscord();
  discordProxy = await startRestProxy({ port: 0, host: '127.0.0.1', upstream: discord.apiUrl });

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
  for (const release of slowFiles.splice(0)) release();
  for (const r of replicas) {
    if (!r?.bot) continue;
    // A replica run with `npm start` leads a process group of its own: end npm and the bot it started.
    const group = r.bot.child.spawnargs[0] === 'npm' && r.bot.child.pid ? -r.bot.child.pid : undefined;
    try {
      if (group) process.kill(group, 'SIGKILL');
      else if (!r.bot.done()) r.bot.child.kill('SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await Promise.all(replicas.map((r) => r?.bot?.exited));
  await store?.close();
  await Promise.all([lb?.close(), slack?.close(), new Promise((r) => slowSlack?.close(r)), new Promise((r) => files?.close(r))]);
  await discordProxy?.close();
  await discord?.close();
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
    // Its first report with the index loaded already shows the store it opened as reachable.
    const first = await started(replacement);
    expect(first.store, JSON.stringify(first)).toMatchObject({ reachable: true });
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
    const missing = text(await slash(lb.url, '/register', `http://127.0.0.1:${portOf(files)}/missing.md`, MODERATOR));
    expect(missing).toMatch(/404/);
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

    // Each replica's LISTEN connection came back too: a briefing registered with the CLI and the
    // same DATABASE_URL (no replica involved) reaches every one of them.
    const file = join(storeDir, 'cli-briefing.md');
    writeFileSync(
      file,
      readFileSync(SECOND_FILE, 'utf8')
        .replace(`id: ${SECOND_ID}`, 'id: cli-briefing')
        .replace(/^title: .*$/m, 'title: Registered from the command line'),
    );
    const cli = await runCli(['register', file, '--yes'], {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      DATABASE_URL: databaseUrl,
      BRIEFING_DATA_DIR: join(storeDir, 'cli'),
    });
    expect(cli.code, cli.stderr).toBe(0);
    expect(cli.stdout).toContain('cli-briefing');
    for (const r of replicas)
      await pollUntil(
        `cli-briefing on ${r.url}`,
        async () => (text(await slash(r.url, '/articles', '')).includes('cli-briefing') ? true : undefined),
        {
          attempts: 100,
          intervalMs: 50,
        },
      );
  }, 120_000);

  it('waits out a Slack rate limit on a digest post and posts it once', async () => {
    const answer = text(await slash(lb.url, '/digest', 'now', MODERATOR, RATE_LIMITED_CHANNEL));
    expect(answer).toMatch(/Posted a digest of \d+ briefings? in this channel/);
    // The 429 never reached Slack's channel; the post after the wait did, once.
    expect(slack.channels.get(RATE_LIMITED_CHANNEL) ?? []).toHaveLength(1);
  }, 60_000);

  it('answers Discord interactions through the balancer, shares an answer once across replicas, and posts over REST through the one proxy', async () => {
    const app = discord.applicationId;
    const interact = async (built: { payload: Record<string, unknown> }) => {
      const res = await postInteraction(`${lb.url}/discord/interactions`, built.payload, signer);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return {
        answer: res.body as {
          type: number;
          data: { flags?: number; content?: string; components?: { components: { label?: string; custom_id?: string }[] }[] };
        },
        upstream: lb.served.at(-1)?.upstream,
      };
    };
    const asked = await interact(chatInput(app, 'scenario', { name: 'asean' }));
    expect(textsOf(asked.answer.data).join('\n')).toContain('First scenario: ASEAN');
    const share = asked.answer.data.components?.flatMap((row) => row.components).find((b) => b.label === 'Share in channel')?.custom_id;
    expect(share).toBeDefined();
    const messageId = nextId();
    const actor = { userId: '1300000000000000077' };
    const first = await interact(buttonClick(app, share as string, { messageId, actor }));
    const second = await interact(buttonClick(app, share as string, { messageId, actor }));
    expect(first.upstream).not.toBe(second.upstream);
    expect(first.answer.data.flags ?? 0).toBe(0);
    expect(second.answer.data.content).toContain('already shared in the channel by <@1300000000000000077>');

    const moderator = { userId: '1300000000000000042', username: 'mod', permissions: MEMBER_PERMISSIONS | MANAGE_GUILD };
    const posted = await interact(chatInput(app, 'digest', {}, { subcommand: 'now', actor: moderator }));
    expect(textsOf(posted.answer.data).join('\n')).toMatch(/Posted a digest of \d+ briefings? in this channel/);
    const posts = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${CHANNEL_ID}/messages`);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers.authorization).toBe('Bot replicas-discord-token');
  }, 60_000);

  it('counts on /metrics, added up over the replicas, every kind of work they did', async () => {
    const commands = await metricSum('briefing_commands_total{platform="slack",command="source",outcome="ok"}');
    expect(commands).toBeGreaterThanOrEqual(9);
    expect(await metricSum('briefing_answer_seconds_count{platform="slack",command="ask"}')).toBeGreaterThanOrEqual(3);
    expect(await metricSum('briefing_answer_seconds_bucket{le="+Inf",platform="slack",command="source"}')).toBe(commands);
    // The refused /digest subscribe while PostgreSQL was away.
    expect(await metricSum('briefing_commands_total{platform="slack",command="digest",outcome="store-unavailable"}')).toBe(1);
    // Catch-up slots finished by the replicas alive now (the killed one took its counts with it), and the /digest now.
    expect(await metricSum('briefing_digests_total{platform="slack",outcome="delivered-late"}')).toBeGreaterThan(0);
    expect(await metricSum('briefing_digests_total{platform="slack",outcome="delivered"}')).toBe(1);
    expect(await metricSum('briefing_digests_total{platform="discord",outcome="delivered"}')).toBe(1);
    expect(await metricSum('briefing_commands_total{platform="discord",command="scenario",outcome="ok"}')).toBeGreaterThanOrEqual(1);
    // Published through chat on one replica; the CLI's registration is counted by the CLI, not here.
    expect(await metricSum('briefing_registrations_total{outcome="published"}')).toBe(1);
    expect(await metricSum('briefing_registrations_total{outcome="refused"}')).toBe(1);
    expect(await metricSum('briefing_rate_limit_waits_total{platform="slack"}')).toBe(1);
    expect(await metricSum('briefing_rate_limit_wait_seconds_total{platform="slack"}')).toBeGreaterThanOrEqual(1);
    expect(await metricSum('briefing_store_errors_total{')).toBeGreaterThan(0);
    for (const r of replicas) {
      const text = await (await fetch(`${r.url}/metrics`)).text();
      // Bundled, registered in chat, registered with the CLI: the same library on every replica.
      expect(text.split('\n')).toContain('briefing_articles 3');
    }
    // Every slash command sent in this file got exactly one answer: on its acknowledgement, or one post to response_url.
    for (const [id, { answeredOnAck }] of sent) expect(slack.responsesTo(id), id).toHaveLength(answeredOnAck ? 0 : 1);
  }, 60_000);

  it('a replica run with npm start and sent SIGTERM stops taking requests, finishes the answer it owes, and exits 0', async () => {
    // Replica 0 is replaced by one started the way an operator starts it.
    const previous = replicas[0] as Replica;
    previous.bot.child.kill('SIGTERM');
    expect(await previous.bot.exited).toEqual({ code: 0, signal: null });
    const replica = restart(0, 'npm');
    await ready(replica);
    // A /register whose page is slow to come: the answer is owed through response_url after the acknowledgement.
    const body = slashBody({
      command: '/register',
      text: `http://127.0.0.1:${portOf(files)}/slow-briefing.md`,
      response_url: slack.responseUrl('drain'),
      user_id: MODERATOR,
    });
    const acked = signedPost(`${replica.url}/slack/events`, SIGNING_SECRET, body);
    await pollUntil('the slow page requested', async () => (slowFiles.length > 0 ? true : undefined), { attempts: 400, intervalMs: 25 });

    // A deploy stops it: npm is what the orchestrator signals.
    process.kill(replica.bot.child.pid as number, 'SIGTERM');
    expect((await acked).status).toBe(200);
    await pollUntil(
      `${replica.url} refusing connections`,
      async () =>
        fetch(`${replica.url}/healthz`).then(
          () => undefined,
          () => true,
        ),
      { attempts: 400, intervalMs: 25 },
    );
    // The others answer meanwhile.
    for (let i = 0; i < 3; i++) expect(text(await slash(lb.url, '/source', '6'))).toMatch(/\[6\]/);

    for (const release of slowFiles.splice(0)) release();
    await slack.until(() => slack.responsesTo('drain').some((r) => textsOf(r.body).join(' ').includes('slow-briefing')), 20_000);
    expect(await replica.bot.exited).toEqual({ code: 0, signal: null });
    expect(replica.bot.stderr()).not.toMatch(/answers still under way/);
  }, 90_000);
});
