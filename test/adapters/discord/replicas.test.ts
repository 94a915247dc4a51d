import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INTERACTIONS_PATH } from '../../../src/adapters/discord/http-endpoint.ts';
import { openSqliteStore } from '../../../src/store/sqlite-store.ts';
import type { Store } from '../../../src/store/types.ts';
import { type FakeDiscord, nextId, startFakeDiscord } from '../../fakes/discord.ts';
import { InteractionSigner, postInteraction } from '../../fakes/discord-http.ts';
import { buttonClick, chatInput } from '../../fakes/discord-interactions.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../../helpers/round-robin-proxy.ts';
import { buttonId, type Callback, type Harness, startHarness } from './harness.ts';
import { testCommands } from './test-commands.ts';

/**
 * Two replicas of the Discord adapter, each with its own HTTP server and its own connection to
 * one SQLite store file, behind a round-robin load balancer: Discord's interactions go to
 * whichever replica is next, and a conversation (an answer, then its buttons) works across them.
 */

let dir: string;
let fake: FakeDiscord;
let signer: InteractionSigner;
const stores: Store[] = [];
const replicas: Harness[] = [];
let proxy: RoundRobinProxy;
let app: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'briefing-replicas-'));
  fake = await startFakeDiscord();
  app = fake.applicationId;
  signer = new InteractionSigner();
  for (let i = 0; i < 2; i++) {
    const store = openSqliteStore({ file: join(dir, 'briefing.db') });
    stores.push(store);
    replicas.push(await startHarness(await bundledLibrary(), testCommands(), { transport: 'http', fake, signer, keys: store.keys }));
  }
  proxy = await startRoundRobinProxy(replicas.map((r) => new URL(r.http?.url as string).origin));
});

afterAll(async () => {
  await proxy?.close();
  for (const replica of replicas) await replica.close();
  for (const store of stores) await store.close();
  await fake?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Sends a signed interaction through the load balancer; resolves with the callback and the replica that answered. */
async function viaProxy(built: { payload: Record<string, unknown> }): Promise<{ callback: Callback; replica: number }> {
  const answer = await postInteraction(`${proxy.url}${INTERACTIONS_PATH}`, built.payload, signer);
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return { callback: answer.body as Callback, replica: proxy.served.at(-1)?.upstream ?? -1 };
}

describe('Discord over HTTP on two replicas behind a round-robin load balancer', () => {
  it('spreads interactions over both replicas and answers the same interaction the same way on each', async () => {
    const built = chatInput(app, 'source', { n: 6 });
    const first = await viaProxy(built);
    const second = await viaProxy(built);
    expect([first.replica, second.replica].sort()).toEqual([0, 1]);
    expect(second.callback).toEqual(first.callback);
    expect(first.callback.data.embeds?.[0]?.fields?.[0]?.name).toBe('\\[6\\] TV BRICS');
  });

  it('runs a long button made on one replica when its click reaches the other', async () => {
    const question = `China ASEAN trade ${'and the free trade agreement '.repeat(4)}`.trim();
    const asked = await viaProxy(chatInput(app, 'ask', { question }));
    const share = buttonId(asked.callback, 'Share in channel');
    expect(share).toMatch(/^s#/);
    const clicked = await viaProxy(buttonClick(app, share));
    expect(clicked.replica).not.toBe(asked.replica);
    expect(clicked.callback.data.flags ?? 0).toBe(0);
    expect(clicked.callback.data.embeds?.[0]?.title).toContain('China ASEAN trade and the free trade agreement');
  });

  it('posts a shared answer once when the two clicks reach different replicas', async () => {
    const asked = await viaProxy(chatInput(app, 'scenario', { name: 'asean' }));
    const share = buttonId(asked.callback, 'Share in channel');
    const messageId = nextId();
    const actor = { userId: '1300000000000000077' };
    const first = await viaProxy(buttonClick(app, share, { messageId, actor }));
    const second = await viaProxy(buttonClick(app, share, { messageId, actor }));
    expect(first.replica).not.toBe(second.replica);
    expect(first.callback.data.flags ?? 0).toBe(0);
    expect(first.callback.data.embeds?.[0]?.title).toBe('First scenario: ASEAN');
    expect(second.callback.data).toMatchObject({
      flags: 64,
      content: expect.stringContaining('already shared in the channel by <@1300000000000000077>'),
    });
  });

  it('keeps answering through the other replica when one goes down', async () => {
    await replicas[0]?.http?.server.close();
    const before = proxy.served.length;
    for (let i = 0; i < 3; i++) {
      const { callback, replica } = await viaProxy(chatInput(app, 'source', { n: 9 }));
      expect(replica).toBe(1);
      expect(callback.data.embeds?.[0]?.fields?.[0]?.name).toBe('\\[9\\] EADaily');
    }
    expect(proxy.served.slice(before).some((s) => s.skipped.includes(0))).toBe(true);
  });
});
