import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../adapters/discord/harness.ts';
import { type FakeDiscord, nextId, startFakeDiscord } from '../fakes/discord.ts';
import { InteractionSigner, postInteraction } from '../fakes/discord-http.ts';
import { buttonClick, CHANNEL_ID, chatInput, MANAGE_GUILD, MEMBER_PERMISSIONS } from '../fakes/discord-interactions.ts';
import { SECOND_FILE } from '../helpers/library.ts';
import { freshDatabaseUrl } from '../helpers/postgres.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../helpers/round-robin-proxy.ts';
import { type BotProcess, freePort, pollUntil, startBot, textsOf } from './bot-process.ts';

/**
 * Two bot processes (`npm start`) answering Discord over HTTP interactions only, on one
 * PostgreSQL, behind a round-robin load balancer: what the README's "Running several replicas"
 * describes for Discord. Every step of a conversation lands on the other replica than the one
 * before: a Share made on one is posted once whichever replica the clicks reach; a preview made on
 * one is published from the other and searchable on both; a digest subscribed on one is listed
 * and posted (over REST) by the other.
 */

const SECOND_ID = 'south-caucasus-energy-corridor';
const SECOND_TEXT = readFileSync(SECOND_FILE, 'utf8');
const moderator = { userId: '1300000000000000042', username: 'mod', permissions: MEMBER_PERMISSIONS | MANAGE_GUILD };

type Answer = { type: number; data: Callback['data'] };

let discord: FakeDiscord;
let signer: InteractionSigner;
let lb: RoundRobinProxy;
const bots: BotProcess[] = [];
const dataDirs: string[] = [];

/** POSTs a signed interaction through the balancer; the answer (or the deferred message's edit) and which replica gave it. */
async function interact(built: { token: string; payload: Record<string, unknown> }): Promise<Answer & { replica: number }> {
  const res = await postInteraction(`${lb.url}/discord/interactions`, built.payload, signer);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const replica = lb.served.at(-1)?.upstream ?? -1;
  const answer = res.body as Answer;
  if (answer.type !== 5) return { ...answer, replica };
  const edit = await discord.waitFor(
    (r) => r.method === 'PATCH' && r.path === `/webhooks/${discord.applicationId}/${built.token}/messages/@original`,
    15_000,
  );
  return { type: 4, data: edit.body as Callback['data'], replica };
}

const text = (answer: Answer) => textsOf(answer.data).join('\n');
const button = (answer: Answer, label: string) => {
  for (const row of answer.data.components ?? []) for (const b of row.components) if (b.label === label) return b.custom_id;
  throw new Error(`no button ${label} in ${JSON.stringify(answer.data.components)}`);
};

beforeAll(async () => {
  discord = await startFakeDiscord();
  discord.files.set('second-briefing.md', { body: SECOND_TEXT, contentType: 'text/markdown' });
  signer = new InteractionSigner();
  const databaseUrl = await freshDatabaseUrl();
  const urls: string[] = [];
  for (let i = 0; i < 2; i++) {
    const port = await freePort();
    const dataDir = mkdtempSync(join(tmpdir(), `briefing-discord-replica-${i}-`));
    dataDirs.push(dataDir);
    urls.push(`http://127.0.0.1:${port}`);
    bots.push(
      startBot({
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: databaseUrl,
        BRIEFING_DATA_DIR: dataDir,
        CONSOLE: 'off',
        PORT: String(port),
        HOST: '127.0.0.1',
        DISCORD_TOKEN: 'e2e-discord-replicas-token',
        DISCORD_APPLICATION_ID: discord.applicationId,
        DISCORD_PUBLIC_KEY: signer.publicKeyHex,
        DISCORD_API_URL: discord.apiUrl,
        SEARCH_WORKERS: '0',
      }),
    );
  }
  for (const [i, url] of urls.entries()) {
    await pollUntil(`GET ${url}/readyz`, async () => ((await fetch(`${url}/readyz`)).status === 200 ? true : undefined), {
      attempts: 1200,
      intervalMs: 25,
      abort: () => (bots[i]?.done() ? `replica ${i} exited:\n${bots[i]?.stderr().slice(-4000)}` : undefined),
    });
  }
  lb = await startRoundRobinProxy(urls);
}, 60_000);

afterAll(async () => {
  for (const bot of bots) if (!bot.done()) bot.child.kill('SIGKILL');
  await Promise.all(bots.map((b) => b.exited));
  await lb?.close();
  await discord?.close();
  for (const dir of dataDirs) rmSync(dir, { recursive: true, force: true });
});

describe('two bot processes answering Discord over HTTP on one PostgreSQL behind a load balancer', () => {
  it('opens no gateway on either replica', () => {
    expect(discord.identifies).toEqual([]);
    expect(discord.requests.filter((r) => r.path === '/gateway/bot')).toEqual([]);
  });

  it('posts a shared answer once, whichever replica each click reaches, and the button made on one works on the other', async () => {
    const question = `China ASEAN trade ${'and the free trade agreement '.repeat(4)}`.trim();
    const asked = await interact(chatInput(discord.applicationId, 'ask', { question }));
    const share = button(asked, 'Share in channel');
    expect(share).toMatch(/^s#/);
    const messageId = nextId();
    const first = await interact(buttonClick(discord.applicationId, share, { messageId }));
    const second = await interact(buttonClick(discord.applicationId, share, { messageId }));
    expect(new Set([asked.replica, first.replica, second.replica]).size).toBe(2);
    expect(first.replica).not.toBe(asked.replica);
    expect(second.replica).not.toBe(first.replica);
    expect(first.data.flags ?? 0).toBe(0);
    expect(first.data.embeds?.[0]?.title).toContain('China ASEAN trade and the free trade agreement');
    expect(second.data.flags).toBe(64);
    expect(second.data.content).toMatch(/^ℹ️ This answer was already shared in the channel by <@\d+> <t:\d+:R>/);
  }, 30_000);

  it('publishes on one replica a preview made on the other, and both then find the briefing', async () => {
    const app = discord.applicationId;
    const file = {
      filename: 'second-briefing.md',
      url: `${discord.baseUrl}/files/second-briefing.md`,
      size: Buffer.byteLength(SECOND_TEXT),
      contentType: 'text/markdown',
    };
    const preview = await interact(chatInput(app, 'register', { file }, { actor: moderator }));
    expect(text(preview)).toContain('Preview: The South Caucasus Energy Corridor');
    const published = await interact(buttonClick(app, button(preview, 'Publish'), { actor: moderator }));
    expect(published.replica).not.toBe(preview.replica);
    expect(text(published)).toContain(`“${SECOND_ID}” revision 1 is live`);
    // Each replica hears of it through LISTEN/NOTIFY; ask both (round robin) until both answer from it.
    const found = new Set<number>();
    await pollUntil(
      'the published briefing searchable on both replicas',
      async () => {
        const answer = await interact(chatInput(app, 'ask', { question: 'Black Sea submarine cable' }));
        if (text(answer).includes('submarine cable')) found.add(answer.replica);
        return found.size === 2 ? true : undefined;
      },
      { attempts: 100, intervalMs: 50 },
    );
  }, 30_000);

  it('lists and posts on one replica a digest subscribed on the other', async () => {
    const app = discord.applicationId;
    const added = await interact(chatInput(app, 'digest', { when: 'daily 09:00' }, { subcommand: 'subscribe', actor: moderator }));
    const id = /subscription (\d+)/i.exec(text(added))?.[1];
    expect(id, text(added)).toBeDefined();
    const status = await interact(chatInput(app, 'digest', {}, { subcommand: 'status' }));
    expect(status.replica).not.toBe(added.replica);
    expect(text(status)).toContain(`Subscription ${id}`);
    const posted = await interact(chatInput(app, 'digest', {}, { subcommand: 'now', actor: moderator }));
    expect(text(posted)).toMatch(/Posted a digest of \d+ briefings? in this channel/);
    const posts = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${CHANNEL_ID}/messages`);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.body).toMatchObject({ allowed_mentions: { parse: [] } });
  }, 30_000);
});
