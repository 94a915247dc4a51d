import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { REST, RESTEvents } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { proxyArgs } from '../../../src/adapters/discord/proxy-cli.ts';
import { type RestProxy, startRestProxy } from '../../../src/adapters/discord/rest-proxy.ts';
import { createChannelSender } from '../../../src/adapters/discord/sender.ts';
import { okReply } from '../../../src/core/reply.ts';
import { type FakeDiscord, startFakeDiscord } from '../../fakes/discord.ts';

/**
 * Two replicas' REST clients (the channel senders digests use) through one in-process
 * @discordjs/proxy in front of the fake Discord: the calls arrive with each replica's token, and
 * a rate limit Discord reports for one replica's call holds the other replica's calls too.
 */

const CHANNEL_A = '1200000000000000001';
const CHANNEL_B = '1200000000000000002';

let fake: FakeDiscord;
let proxy: RestProxy;
const rateLimits: { route: string; global: boolean; url: string }[] = [];

/** Statuses the replicas' own REST clients received from the proxy. */
const seenByReplicas: number[] = [];

function replicaSender() {
  const rest = new REST({ api: proxy.apiUrl, retries: 0 }).setToken('bot-token');
  rest.on(RESTEvents.Response, (_request, response) => seenByReplicas.push(response.status));
  return createChannelSender(rest);
}

beforeEach(async () => {
  fake = await startFakeDiscord();
  proxy = await startRestProxy({ port: 0, host: '127.0.0.1', upstream: fake.apiUrl, rest: { offset: 0 } });
  rateLimits.length = 0;
  seenByReplicas.length = 0;
  proxy.rest.on(RESTEvents.RateLimited, (info) => rateLimits.push({ route: info.route, global: info.global, url: info.url }));
});
afterEach(async () => {
  await proxy.close();
  await fake.close();
});

const posts = () => fake.requests.filter((r) => r.method === 'POST' && r.path.startsWith('/channels/'));

describe('replicas sending through @discordjs/proxy', () => {
  it('delivers both replicas’ posts to Discord with their own Authorization and mentions off', async () => {
    const [a, b] = [replicaSender(), replicaSender()];
    const results = await Promise.all([
      a.send(CHANNEL_A, okReply('digest', 'From replica A'), { idempotencyKey: 'a' }),
      b.send(CHANNEL_B, okReply('digest', 'From replica B'), { idempotencyKey: 'b' }),
    ]);
    expect(results.every((r) => r.messageIds.length === 1)).toBe(true);
    expect(
      posts()
        .map((r) => r.path)
        .sort(),
    ).toEqual([`/channels/${CHANNEL_A}/messages`, `/channels/${CHANNEL_B}/messages`]);
    for (const post of posts()) {
      expect(post.headers.authorization).toBe('Bot bot-token');
      expect(post.body).toMatchObject({ allowed_mentions: { parse: [] }, enforce_nonce: true });
    }
  });

  it('holds replica B’s post while the global rate limit Discord gave replica A’s post lasts, and neither replica sees a 429', async () => {
    const [a, b] = [replicaSender(), replicaSender()];
    fake.respondWith((r) => r.method === 'POST' && r.path === `/channels/${CHANNEL_A}/messages`, {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 0.3, global: true },
      headers: { 'retry-after': '0.3', 'x-ratelimit-global': 'true', 'x-ratelimit-scope': 'global' },
    });
    // Replica B posts as soon as the proxy starts waiting out the limit replica A ran into.
    let fromB: Promise<unknown> | undefined;
    proxy.rest.once(RESTEvents.RateLimited, () => {
      fromB = b.send(CHANNEL_B, okReply('digest', 'From replica B'), { idempotencyKey: 'b' });
    });
    const fromA = await a.send(CHANNEL_A, okReply('digest', 'From replica A'), { idempotencyKey: 'a' });
    await fromB;
    expect(fromA.messageIds).toHaveLength(1);
    // A's post met the limit first, and B's was held by it too. (On a busy machine A's retry can be
    // held once more when the wait ends a moment early: the order, not the count, is the point.)
    const held = rateLimits.filter((r) => r.global).map((r) => new URL(r.url).pathname);
    expect(held[0]).toBe(`/api/v10/channels/${CHANNEL_A}/messages`);
    expect(new Set(held)).toEqual(new Set([`/api/v10/channels/${CHANNEL_A}/messages`, `/api/v10/channels/${CHANNEL_B}/messages`]));
    // A's post twice (the 429, then the retry) and B's once, after the wait.
    const [first, ...after] = posts().map((r) => r.path);
    expect(first).toBe(`/channels/${CHANNEL_A}/messages`);
    expect(after.sort()).toEqual([`/channels/${CHANNEL_A}/messages`, `/channels/${CHANNEL_B}/messages`]);
    expect(seenByReplicas).toEqual([200, 200]);
    // The replicas never saw the waits: the proxy's own /metrics counts them.
    const metrics = await fetch(`${proxy.apiUrl.replace(/\/api$/, '')}/metrics`);
    expect(metrics.headers.get('content-type')).toMatch(/^text\/plain/);
    const lines = (await metrics.text()).split('\n');
    expect(lines).toContain(`briefing_rate_limit_waits_total{platform="discord"} ${rateLimits.length}`);
    const waited = Number(lines.find((l) => l.startsWith('briefing_rate_limit_wait_seconds_total{platform="discord"}'))?.split(' ')[1]);
    expect(waited).toBeGreaterThan(0);
  });

  it('answers 502 when Discord cannot be reached, instead of an empty success', async () => {
    await fake.close();
    const res = await fetch(`${proxy.apiUrl}/v10/channels/${CHANNEL_A}/messages`, {
      method: 'POST',
      headers: { authorization: 'Bot bot-token', 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'x' }),
    });
    expect(res.status).toBe(502);
    fake = await startFakeDiscord(); // for afterEach
  });
});

describe('npm run discord:proxy arguments', () => {
  it('defaults to port 8080 on every interface and names a bad value', () => {
    expect(proxyArgs([])).toEqual({ port: 8080, host: '0.0.0.0' });
    expect(proxyArgs(['--port', '9000', '--host', '127.0.0.1', '--api', 'http://127.0.0.1:4000/api'])).toEqual({
      port: 9000,
      host: '127.0.0.1',
      api: 'http://127.0.0.1:4000/api',
    });
    expect(proxyArgs(['--port', 'eighty'])).toContain('--port "eighty" is not a port');
    expect(proxyArgs(['--api', 'discord'])).toContain('--api "discord" is not a URL');
  });
});

describe('npm run discord:proxy', () => {
  it('runs as a script: prints the DISCORD_API_URL to use, forwards to the upstream, and exits on SIGTERM', async () => {
    const script = fileURLToPath(new URL('../../../src/adapters/discord/proxy-cli.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx/esm', script, '--port', '0', '--host', '127.0.0.1', '--api', fake.apiUrl], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    const port = await new Promise<string>((resolve, reject) => {
      child.stdout.on('data', (chunk: string) => {
        out += chunk;
        const m = /port (\d+): set DISCORD_API_URL=http:\/\/<this host>:\d+\/api/.exec(out);
        if (m) resolve(m[1] as string);
      });
      child.once('exit', (code) => reject(new Error(`the proxy exited with ${code}: ${out}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/api/v10/applications/@me`, { headers: { authorization: 'Bot bot-token' } });
    expect(res.status).toBe(200);
    expect(fake.requests.at(-1)).toMatchObject({ path: '/applications/@me', headers: { authorization: 'Bot bot-token' } });
    expect(out).toContain('rate-limit waits at GET /metrics');
    expect(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()).toMatch(/^# TYPE briefing_rate_limit_waits_total counter$/m);
    child.kill('SIGTERM');
    const [code] = (await once(child, 'exit')) as [number | null];
    expect(code).toBe(0);
  }, 20_000);
});
