import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Callback } from '../adapters/discord/harness.ts';
import { type FakeDiscord, nextId, startFakeDiscord } from '../fakes/discord.ts';
import { InteractionSigner, postInteraction } from '../fakes/discord-http.ts';
import { buttonClick, CHANNEL_ID, chatInput, MANAGE_GUILD, MEMBER_PERMISSIONS } from '../fakes/discord-interactions.ts';
import { SECOND_FILE } from '../helpers/library.ts';
import { type BotProcess, freePort, pollUntil, startBot, textsOf } from './bot-process.ts';

/**
 * The bot as `npm start` runs it with Discord over HTTP only: DISCORD_PUBLIC_KEY, DISCORD_TOKEN
 * and DISCORD_APPLICATION_ID (REST pointed at the loopback fake). No gateway connection is
 * opened; every command answers signed POSTs to /discord/interactions; digests post over REST;
 * button state survives a restart because it is in the store.
 */

const SECOND_ID = 'south-caucasus-energy-corridor';
const SECOND_TEXT = readFileSync(SECOND_FILE, 'utf8');
const moderator = { userId: '1300000000000000042', username: 'mod', permissions: MEMBER_PERMISSIONS | MANAGE_GUILD };

type Answer = { type: number; data: Callback['data'] };

let discord: FakeDiscord;
let signer: InteractionSigner;
let bot: BotProcess;
let dataDir: string;
let base: string;
let env: Record<string, string>;

const exitedEarly = () => (bot?.done() ? `the bot exited early:\n${bot.stderr().slice(-4000)}` : undefined);

async function startAndWait(): Promise<Record<string, unknown>> {
  bot = startBot(env);
  return pollUntil(
    'GET /healthz with Discord answering over HTTP',
    async () => {
      const report = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean; adapters: Record<string, unknown> };
      return report.ok && report.adapters.discord ? report : undefined;
    },
    { attempts: 800, intervalMs: 25, abort: exitedEarly },
  );
}

async function stop(): Promise<void> {
  bot.child.kill('SIGTERM');
  await bot.exited;
}

/** POSTs a signed interaction; resolves with the answer (the response, or the deferred message's edit). */
async function interact(built: { token: string; payload: Record<string, unknown> }): Promise<Answer> {
  const res = await postInteraction(`${base}/discord/interactions`, built.payload, signer);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const answer = res.body as Answer;
  if (answer.type !== 5) return answer;
  const edit = await discord.waitFor(
    (r) => r.method === 'PATCH' && r.path === `/webhooks/${discord.applicationId}/${built.token}/messages/@original`,
    15_000,
  );
  return { type: 4, data: edit.body as Callback['data'] };
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
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-discord-http-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BRIEFING_DATA_DIR: dataDir,
    CONSOLE: 'off',
    PORT: String(port),
    HOST: '127.0.0.1',
    DISCORD_TOKEN: 'e2e-discord-http-token',
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_PUBLIC_KEY: signer.publicKeyHex,
    DISCORD_API_URL: discord.apiUrl,
    SEARCH_WORKERS: '0',
  };
  await startAndWait();
}, 40_000);

afterAll(async () => {
  if (bot && !bot.done()) {
    bot.child.kill('SIGKILL');
    await bot.exited;
  }
  await discord?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('briefing-bot with Discord over HTTP interactions only', () => {
  it('opens no gateway connection, checks the token over REST, and reports Discord in HTTP mode', async () => {
    const report = (await (await fetch(`${base}/healthz`)).json()) as { adapters: Record<string, unknown> };
    expect(report.adapters.discord).toEqual({ connected: true, mode: 'http' });
    expect(discord.identifies).toEqual([]);
    expect(discord.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /applications/@me']);
    expect(discord.requests[0]?.headers.authorization).toBe('Bot e2e-discord-http-token');
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it('refuses a forged interaction with 401', async () => {
    const forged = await postInteraction(
      `${base}/discord/interactions`,
      chatInput(discord.applicationId, 'help').payload,
      new InteractionSigner(),
    );
    expect(forged.status).toBe(401);
  });

  it('answers every reading command in the HTTP response', async () => {
    const app = discord.applicationId;
    expect(text(await interact(chatInput(app, 'ask', { question: 'What did Japarov call for?' })))).toContain('Japarov');
    expect(text(await interact(chatInput(app, 'scenario', { name: 'central-asia' })))).toContain('Second scenario: Central Asia');
    expect(text(await interact(chatInput(app, 'source', { n: 6 })))).toContain('TV BRICS');
    expect(text(await interact(chatInput(app, 'sources')))).toContain('EADaily');
    expect(text(await interact(chatInput(app, 'brief')))).toMatch(/Central Asia and Southeast Asia/);
    expect(text(await interact(chatInput(app, 'articles')))).toContain('central-asia-and-southeast-asia');
    expect(text(await interact(chatInput(app, 'help')))).toContain('/digest');
  });

  it('registers an attachment from `resolved`, publishes it with the button, unregisters it, and shows the audit', async () => {
    const app = discord.applicationId;
    const file = {
      filename: 'second-briefing.md',
      url: `${discord.baseUrl}/files/second-briefing.md`,
      size: Buffer.byteLength(SECOND_TEXT),
      contentType: 'text/markdown',
    };
    const refused = await interact(chatInput(app, 'register', { file }));
    expect(text(refused)).toContain('/register is for moderators only');
    const preview = await interact(chatInput(app, 'register', { file }, { actor: moderator }));
    expect(text(preview)).toContain('Preview: The South Caucasus Energy Corridor');
    const published = await interact(buttonClick(app, button(preview, 'Publish'), { actor: moderator }));
    expect(text(published)).toContain(`“${SECOND_ID}” revision 1 is live`);
    expect(text(await interact(chatInput(app, 'ask', { question: 'Black Sea submarine cable' })))).toContain('submarine cable');
    const unregistered = await interact(chatInput(app, 'unregister', { id: SECOND_ID }, { actor: moderator }));
    expect(text(unregistered)).toContain(SECOND_ID);
    const audit = await interact(chatInput(app, 'audit', {}, { actor: moderator }));
    expect(text(audit)).toMatch(/register/);
    expect(text(audit)).toContain(SECOND_ID);
  }, 30_000);

  it('runs /digest subscribe, status, preview, now (posted over REST) and unsubscribe', async () => {
    const app = discord.applicationId;
    const added = await interact(
      chatInput(app, 'digest', { when: 'daily 09:00', timezone: 'Europe/Istanbul' }, { subcommand: 'subscribe', actor: moderator }),
    );
    const id = /subscription (\d+)/i.exec(text(added))?.[1];
    expect(id, text(added)).toBeDefined();
    expect(text(await interact(chatInput(app, 'digest', {}, { subcommand: 'status' })))).toContain('Europe/Istanbul');
    expect(text(await interact(chatInput(app, 'digest', {}, { subcommand: 'preview' })))).toMatch(/Central Asia and Southeast Asia/);
    const now = await interact(chatInput(app, 'digest', {}, { subcommand: 'now', actor: moderator }));
    expect(text(now)).toMatch(/Posted a digest of \d+ briefings? in this channel/);
    const posts = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${CHANNEL_ID}/messages`);
    expect(posts).toHaveLength(1);
    expect(posts[0]?.headers.authorization).toBe('Bot e2e-discord-http-token');
    expect(posts[0]?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    const removed = await interact(chatInput(app, 'digest', { id: Number(id) }, { subcommand: 'unsubscribe', actor: moderator }));
    expect(text(removed)).toContain(`Digest subscription ${id} removed`);
  }, 30_000);

  it('keeps a long button and a share claim across a restart', async () => {
    const app = discord.applicationId;
    const question = `China ASEAN trade ${'and the free trade agreement '.repeat(4)}`.trim();
    const answer = await interact(chatInput(app, 'ask', { question }));
    const share = button(answer, 'Share in channel');
    expect(share).toMatch(/^s#/);
    const sharedMessage = nextId();
    expect((await interact(buttonClick(app, share, { messageId: sharedMessage }))).data.flags ?? 0).toBe(0);

    await stop();
    await startAndWait();

    const again = await interact(buttonClick(app, share, { messageId: sharedMessage }));
    expect(again.data.content).toMatch(/^ℹ️ This answer was already shared in the channel by <@\d+> <t:\d+:R>/);
    const fromAnotherMessage = await interact(buttonClick(app, share, { messageId: nextId() }));
    expect(fromAnotherMessage.data.flags ?? 0).toBe(0);
    expect(fromAnotherMessage.data.embeds?.[0]?.title).toContain('China ASEAN trade and the free trade agreement');
  }, 40_000);
});
