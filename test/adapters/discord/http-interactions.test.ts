import { request } from 'node:http';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { INTERACTIONS_PATH, STARTING_MESSAGE, startingEndpoint } from '../../../src/adapters/discord/http-endpoint.ts';
import { discordPublicKey } from '../../../src/adapters/discord/signature.ts';
import { type AnyCommand, defineCommand } from '../../../src/core/command.ts';
import { okReply } from '../../../src/core/reply.ts';
import { HttpServer } from '../../../src/http/server.ts';
import { memoryKeyStore } from '../../../src/store/memory-keys.ts';
import type { KeyStore } from '../../../src/store/types.ts';
import { nextId } from '../../fakes/discord.ts';
import { InteractionSigner, postInteraction } from '../../fakes/discord-http.ts';
import { autocomplete, buttonClick, chatInput, GUILD_ID } from '../../fakes/discord-interactions.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { buttonId, type Callback, type Harness, logger, pushOverGateway, startHarness } from './harness.ts';
import { Gate, testCommands } from './test-commands.ts';

const EPHEMERAL = 64;
/** The bot's clock for the signature window: a fixed instant, in epoch milliseconds. */
const NOW_MS = Date.parse('2025-06-01T09:00:00Z');
const NOW_S = NOW_MS / 1000;

/** Counts its runs, so a test can say that nothing ran. */
let runs = 0;
const tally = defineCommand({
  name: 'x-tally',
  description: 'Counts how often it ran',
  usage: '',
  examples: [],
  options: [],
  schema: z.object({}),
  permission: 'everyone',
  run: () => {
    runs += 1;
    return okReply('x-tally', `Run ${runs}`);
  },
});

/** Holds every `get` until the test opens the gate: a store that stopped answering for a while. */
function stalledKeys(gate: Gate, keys: KeyStore): KeyStore {
  return {
    ...keys,
    get: async (key, at) => {
      await gate.wait();
      return keys.get(key, at);
    },
  };
}

let h: Harness;
let app: string;
const gate = new Gate();
const keys = memoryKeyStore();

beforeAll(async () => {
  h = await startHarness(await bundledLibrary(), [...testCommands(), tally] as AnyCommand[], {
    transport: 'http',
    clock: () => NOW_MS,
    keys: stalledKeys(gate, keys),
    interactionFallbackMs: 100,
  });
  app = h.fake.applicationId;
});
afterAll(async () => h?.close());
afterEach(() => {
  runs = 0;
});

const url = () => h.http?.url as string;
const signer = () => h.http?.signer as InteractionSigner;
const sent = () => h.fake.requests.filter((r) => r.method !== 'GET').length;

describe('POST /discord/interactions', () => {
  it('answers a signed PING with PONG', async () => {
    const answer = await postInteraction(url(), { id: nextId(), type: 1, application_id: app, token: 't', version: 1 }, signer(), {
      timestamp: String(NOW_S),
    });
    expect(answer).toEqual({ status: 200, body: { type: 1 } });
  });

  it('answers a signed command in the response with the same embed as over the gateway', async () => {
    const built = chatInput(app, 'x-tally');
    const answer = await postInteraction(url(), built.payload, signer(), { timestamp: String(NOW_S) });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      type: 4,
      data: { flags: EPHEMERAL, allowed_mentions: { parse: [] }, embeds: [{ title: 'Run 1' }] },
    });
    expect(runs).toBe(1);
  });

  it('refuses forged, tampered, unsigned, stale and future-stamped requests with 401, running nothing', async () => {
    const before = sent();
    const built = chatInput(app, 'x-tally');
    const body = JSON.stringify(built.payload);
    const ts = String(NOW_S);
    const other = new InteractionSigner();
    const cases: Record<string, Record<string, string | undefined>> = {
      'signed with another key': other.headers(body, ts),
      'signature of another body': signer().headers(JSON.stringify({ ...built.payload, id: nextId() }), ts),
      'no signature headers': { 'x-signature-ed25519': undefined, 'x-signature-timestamp': undefined },
      'no timestamp': { 'x-signature-timestamp': undefined },
      'a signature that is not hex': { 'x-signature-ed25519': 'zz'.repeat(64) },
      'a timestamp that is not a number': signer().headers(body, 'yesterday'),
      'stamped 301 s ago': signer().headers(body, String(NOW_S - 301)),
      'stamped 301 s ahead': signer().headers(body, String(NOW_S + 301)),
    };
    for (const [name, headers] of Object.entries(cases)) {
      const answer = await postInteraction(url(), built.payload, signer(), { timestamp: ts, headers });
      expect(answer.status, name).toBe(401);
    }
    expect(runs).toBe(0);
    expect(sent()).toBe(before);
    for (const skew of [-299, 299]) {
      const ok = await postInteraction(url(), chatInput(app, 'x-tally').payload, signer(), { timestamp: String(NOW_S + skew) });
      expect(ok.status, `skew ${skew} s`).toBe(200);
    }
    expect(runs).toBe(2);
  });

  it('refuses a 1 MB body with 413, with or without Content-Length, and keeps serving', async () => {
    const big = Buffer.alloc(1_000_000, 'a');
    const headers = signer().headers(big, String(NOW_S));
    for (const chunked of [false, true]) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          url(),
          { method: 'POST', headers: chunked ? headers : { ...headers, 'content-length': String(big.length) } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        // The server answers and closes while the body is still being sent: a write error is expected.
        req.on('error', (err: NodeJS.ErrnoException) => (['EPIPE', 'ECONNRESET'].includes(err.code ?? '') ? undefined : reject(err)));
        if (chunked) for (let i = 0; i < 10; i++) req.write(big.subarray(i * 100_000, (i + 1) * 100_000));
        else req.write(big);
        req.end();
      });
      expect(status, chunked ? 'chunked' : 'with Content-Length').toBe(413);
    }
    expect(runs).toBe(0);
    const after = await postInteraction(url(), chatInput(app, 'x-tally').payload, signer(), { timestamp: String(NOW_S) });
    expect(after.status).toBe(200);
  });

  it('shrugs off a client that goes away in the middle of its body', async () => {
    const headers = signer().headers('{"type":1}', String(NOW_S));
    await new Promise<void>((resolve) => {
      const req = request(url(), { method: 'POST', headers: { ...headers, 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"type":', () => setImmediate(() => req.destroy()));
    });
    const after = await postInteraction(url(), chatInput(app, 'x-tally').payload, signer(), { timestamp: String(NOW_S) });
    expect(after.status).toBe(200);
    expect(runs).toBe(1);
  });

  it('answers 400 to a signed body that is not JSON or not an interaction', async () => {
    const send = async (body: string) => {
      const res = await fetch(url(), { method: 'POST', headers: signer().headers(body, String(NOW_S)), body });
      return { status: res.status, body: await res.json() };
    };
    expect(await send('{"type":')).toEqual({ status: 400, body: { error: 'body is not JSON' } });
    expect(await send('[1,2]')).toEqual({ status: 400, body: { error: 'not an interaction: no numeric "type"' } });
    expect((await send(JSON.stringify({ type: 2, id: nextId() }))).status).toBe(400);
  });

  it('answers 400 to an interaction the bot does not handle (a modal, a button that is not its own), as no answer over the gateway would', async () => {
    const modal = chatInput(app, 'x-tally');
    modal.payload.type = 5;
    modal.payload.data = { custom_id: 'feedback', components: [] };
    const answer = await postInteraction(url(), modal.payload, signer(), { timestamp: String(NOW_S) });
    expect(answer.status).toBe(400);
    const foreign = await postInteraction(url(), buttonClick(app, 'someone-else:42').payload, signer(), { timestamp: String(NOW_S) });
    expect(foreign).toEqual({ status: 400, body: { error: 'the bot did not answer this interaction' } });
  });

  it('defers for a handler that stays silent (a store not answering), then edits its late private answer in', async () => {
    await keys.put(
      `discord:${GUILD_ID}:inv:stalled1`,
      JSON.stringify({ command: 'source', options: { n: 6 } }),
      '2025-06-01T09:00:00.000Z',
      '2025-06-01T09:15:00.000Z',
    );
    const click = buttonClick(app, 'r#stalled1');
    const answer = await postInteraction(url(), click.payload, signer(), { timestamp: String(NOW_S) });
    expect(answer).toEqual({ status: 200, body: { type: 5, data: { flags: EPHEMERAL } } });
    gate.open();
    const edit = await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === `/webhooks/${app}/${click.token}/messages/@original`);
    expect((edit.body as Callback['data']).embeds?.[0]?.fields?.[0]?.name).toBe('\\[6\\] TV BRICS');
    expect((edit.body as Callback['data']).flags).toBeUndefined();
  });

  it('posts a late public answer (a share) as a followup after its deferral, and says so privately', async () => {
    const first = await postInteraction(
      url(),
      chatInput(app, 'ask', { question: `China ASEAN trade ${'and the free trade agreement '.repeat(4)}` }).payload,
      signer(),
      { timestamp: String(NOW_S) },
    );
    const share = buttonId(first.body as Callback, 'Share in channel');
    expect(share).toMatch(/^s#/);
    const click = buttonClick(app, share);
    const answer = await postInteraction(url(), click.payload, signer(), { timestamp: String(NOW_S) });
    expect(answer).toEqual({ status: 200, body: { type: 5, data: { flags: EPHEMERAL } } });
    gate.open();
    const followup = await h.fake.waitFor((r) => r.method === 'POST' && r.path === `/webhooks/${app}/${click.token}`);
    expect((followup.body as Callback['data']).flags ?? 0).toBe(0);
    expect((followup.body as Callback['data']).embeds?.[0]?.title).toContain('China ASEAN trade and the free trade agreement');
    const edit = await h.fake.waitFor((r) => r.method === 'PATCH' && r.path === `/webhooks/${app}/${click.token}/messages/@original`);
    expect((edit.body as Callback['data']).content).toBe('Posted in the channel.');
  });
});

describe('the gateway and HTTP together', () => {
  it('answers interactions from both through one client', async () => {
    const both = await startHarness(await bundledLibrary(), [tally], { transport: 'http', gatewayToo: true });
    try {
      expect(both.adapter.health()).toEqual({ connected: true, mode: 'gateway+http' });
      const overHttp = await both.push(chatInput(both.fake.applicationId, 'x-tally'));
      const overGateway = await pushOverGateway(both.fake, chatInput(both.fake.applicationId, 'x-tally'));
      expect([overHttp.data.embeds?.[0]?.title, overGateway.data.embeds?.[0]?.title]).toEqual(['Run 1', 'Run 2']);
      expect(both.fake.identifies).toHaveLength(1);
    } finally {
      await both.close();
    }
  });
});

describe('while the bot starts', () => {
  it('verifies as ever, answers PING, and tells the user privately to try again instead of failing the interaction', async () => {
    const signer = new InteractionSigner();
    const server = new HttpServer();
    // What main.ts does before the index is loaded: the real endpoint is not there yet.
    server.expect([INTERACTIONS_PATH], 0, startingEndpoint({ publicKey: discordPublicKey(signer.publicKeyHex), logger: logger() }));
    const url = `http://127.0.0.1:${await server.listen(0, '127.0.0.1')}${INTERACTIONS_PATH}`;
    try {
      const app = '1100000000000000001';
      expect(await postInteraction(url, { id: nextId(), type: 1, application_id: app, token: 't', version: 1 }, signer)).toEqual({
        status: 200,
        body: { type: 1 },
      });
      expect((await postInteraction(url, chatInput(app, 'help').payload, new InteractionSigner())).status).toBe(401);
      const stale = await postInteraction(url, chatInput(app, 'help').payload, signer, {
        timestamp: String(Math.floor(Date.now() / 1000) - 301),
      });
      expect(stale.status).toBe(401);
      expect(await postInteraction(url, chatInput(app, 'ask', { question: 'trade' }).payload, signer)).toEqual({
        status: 200,
        body: { type: 4, data: { content: STARTING_MESSAGE, flags: EPHEMERAL, allowed_mentions: { parse: [] } } },
      });
      expect(await postInteraction(url, autocomplete(app, 'scenario', { name: 'c' }, 'name').payload, signer)).toEqual({
        status: 200,
        body: { type: 8, data: { choices: [] } },
      });
    } finally {
      await server.close();
    }
  });
});
