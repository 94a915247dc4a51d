import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../src/adapters/slack/block-types.ts';
import type { Callback } from '../adapters/discord/harness.ts';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { autocomplete, CHANNEL_ID, chatInput, MANAGE_GUILD, MEMBER_PERMISSIONS } from '../fakes/discord-interactions.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { signedPost, slashBody } from '../fakes/slack-requests.ts';
import { articleFromFile, BUNDLED_FILE, SECOND_FILE } from '../helpers/library.ts';
import { type BotProcess, freePort, pollUntil, runCli, startBot, textsOf } from './bot-process.ts';

/**
 * The whole bot as a user runs it: `node --import tsx/esm src/main.ts` (`npm start`) as a child process with
 * Slack (HTTP mode) and Discord pointed at loopback fakes, a fresh data directory, and the CLI
 * registering a briefing into the same store while the bot runs.
 */

const SIGNING_SECRET = 'e2e-signing-secret-5d41402abc4b2a76';
const MODERATOR = 'U0MODERATOR';
const SECOND_ID = 'south-caucasus-energy-corridor';
const TV_BRICS_URL = 'https://tvbrics.com/news/kitay-zapustil-novyy-gruzovoy-zheleznodorozhnyy-marshrut-v-strany-asean';

type SlackMessage = { response_type?: string; text?: string; blocks?: SlackBlock[] };
type DiscordData = Callback['data'];
type Health = {
  ok: boolean;
  index: { loaded: boolean; articles: number };
  adapters: Record<string, { connected: boolean }>;
  search?: { workers: number; ready: number; onWorkers: number; onMainThread: number };
};

let slack: FakeSlack;
let discord: FakeDiscord;
let bot: BotProcess;
let dataDir: string;
let base: string;
let env: Record<string, string>;
let health: Health;
/** Every /healthz answer seen while the bot was starting. */
const startup: { status: number; report: Health }[] = [];
let responseCounter = 0;

/** Sends a signed slash command; resolves with the answer (on the ack, or through response_url). */
async function slash(command: string, text: string, who: { userId?: string; channelId?: string } = {}): Promise<SlackMessage> {
  const id = `e2e-${++responseCounter}`;
  const body = slashBody({
    command,
    text,
    response_url: slack.responseUrl(id),
    ...(who.userId ? { user_id: who.userId } : {}),
    ...(who.channelId ? { channel_id: who.channelId } : {}),
  });
  const res = await signedPost(`${base}/slack/events`, SIGNING_SECRET, body);
  expect(res.status, `${command} ${text}`).toBe(200);
  const ack = (res.text ? res.json() : {}) as SlackMessage;
  if (ack.blocks?.length) return ack;
  // The answer was not ready within the ack budget (a busy machine): it follows on response_url.
  await slack.until(() => slack.responsesTo(id).length > 0, 15_000);
  return slack.responsesTo(id)[0]?.body as SlackMessage;
}

/** Pushes an interaction through the fake gateway; resolves with the answer (immediate or deferred then edited). */
async function interact(built: { token: string; payload: Record<string, unknown> }): Promise<{ type: number; data: DiscordData }> {
  const app = discord.applicationId;
  const callback = discord.waitFor((r) => r.path === `/interactions/${built.payload.id}/${built.token}/callback`, 15_000);
  discord.pushInteraction(built.payload);
  const cb = (await callback).body as Callback;
  if (cb.type !== 5) return cb;
  const edit = await discord.waitFor(
    (r) => r.method === 'PATCH' && r.path === `/webhooks/${app}/${built.token}/messages/@original`,
    15_000,
  );
  return { type: 4, data: edit.body as DiscordData };
}

function sectionTexts(message: SlackMessage): string[] {
  return (message.blocks ?? []).flatMap((b) => (b.type === 'section' ? [b.text.text] : []));
}

function contextTexts(message: SlackMessage): string[] {
  return (message.blocks ?? []).flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : []));
}

const exitedEarly = () => (bot?.done() ? `the bot exited early:\n${bot.stderr().slice(-4000)}` : undefined);

beforeAll(async () => {
  [slack, discord] = await Promise.all([FakeSlack.start(), startFakeDiscord()]);
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-e2e-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  env = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BRIEFING_DATA_DIR: dataDir,
    CONSOLE: 'off',
    SLACK_BOT_TOKEN: 'xoxb-e2e-0000-secretbottoken',
    SLACK_SIGNING_SECRET: SIGNING_SECRET,
    SLACK_API_URL: slack.apiUrl,
    SLACK_MODERATORS: MODERATOR,
    PORT: String(port),
    HOST: '127.0.0.1',
    DISCORD_TOKEN: 'e2e-discord-token',
    DISCORD_APPLICATION_ID: discord.applicationId,
    DISCORD_API_URL: discord.apiUrl,
    // One search worker although the library is small (auto would start none): /ask goes through it.
    SEARCH_WORKERS: '1',
  };
  bot = startBot(env);
  health = await pollUntil(
    'GET /healthz with Slack and Discord connected',
    async () => {
      const res = await fetch(`${base}/healthz`);
      const report = (await res.json()) as Health;
      startup.push({ status: res.status, report });
      return report.ok && report.adapters.slack?.connected && report.adapters.discord?.connected ? report : undefined;
    },
    { attempts: 800, intervalMs: 25, abort: exitedEarly },
  );
}, 40_000);

afterAll(async () => {
  if (bot && !bot.done()) {
    bot.child.kill('SIGKILL');
    await bot.exited;
  }
  await Promise.all([slack?.close(), discord?.close()]);
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('briefing-bot as a child process with Slack and Discord on loopback fakes', () => {
  it('reports the index loaded and both adapters connected on /healthz', () => {
    expect(health.ok).toBe(true);
    expect(health.index).toMatchObject({ loaded: true, articles: 1 });
    expect(health.adapters).toMatchObject({ slack: { connected: true }, discord: { connected: true } });
    expect(discord.identifies).toHaveLength(1);
  });

  it('answered /healthz with 200 throughout start-up (liveness), never ok before both adapters were connected', () => {
    for (const { status, report } of startup) {
      expect(status).toBe(200);
      if (report.ok) expect(report.adapters).toMatchObject({ slack: { connected: true }, discord: { connected: true } });
    }
  });

  it('is ready on /readyz with the index loaded and the SQLite store reachable', async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      ready: true,
      index: { loaded: true, articles: 1 },
      store: { kind: 'sqlite', reachable: true },
    });
  });

  it('answers a signed Slack /scenario central-asia and /source 6 with Block Kit', async () => {
    const scenario = await slash('/scenario', 'central-asia');
    expect(scenario.response_type).toBe('ephemeral');
    expect(scenario.blocks?.[0]).toMatchObject({ type: 'header', text: { text: 'Second scenario: Central Asia' } });
    expect(sectionTexts(scenario).join('\n')).toMatch(/In the second scenario regarding Central Asia/);

    const source = await slash('/source', '6');
    expect(contextTexts(source).join('\n')).toContain(`<${TV_BRICS_URL}|Kitay Zapustil Novyy Gruzovoy`);
    expect(contextTexts(source).join('\n')).toContain('TV BRICS');
  });

  it('answers Discord /scenario central-asia, /source 6 and /scenario autocomplete through the gateway', async () => {
    const app = discord.applicationId;
    const scenario = await interact(chatInput(app, 'scenario', { name: 'central-asia' }));
    expect(scenario.type).toBe(4);
    const embed = scenario.data.embeds?.[0];
    expect(embed?.title).toBe('Second scenario: Central Asia');
    expect(embed?.description).toContain('In the second scenario regarding Central Asia');
    expect(embed?.footer?.text).toContain('Ergün Mamedov');

    const source = await interact(chatInput(app, 'source', { n: 6 }));
    expect(source.data.embeds?.[0]?.fields?.[0]).toMatchObject({
      name: '\\[6\\] TV BRICS',
      value: expect.stringContaining(`](${TV_BRICS_URL})`),
    });

    const choices = await interact(autocomplete(app, 'scenario', { name: '' }, 'name'));
    expect(choices.type).toBe(8);
    expect(choices.data.choices?.map((c) => c.value)).toEqual(expect.arrayContaining(['asean', 'central-asia']));
  });

  it('refuses /register from a Slack user who is not a moderator', async () => {
    const refused = await slash('/register', 'https://example.org/briefing.html', { userId: 'U0ALICE' });
    expect(textsOf(refused).join('\n')).toMatch(/moderators only/);
  });

  it('picks up a briefing registered with the CLI on Slack and Discord, listed and searchable with citations', async () => {
    const cli = await runCli(['register', SECOND_FILE, '--yes', '--json'], env, 20_000);
    expect(cli.code, cli.stderr).toBe(0);
    expect(JSON.parse(cli.stdout)).toMatchObject({ ok: true, command: 'register' });
    expect(cli.stdout).toContain(SECOND_ID);

    // The bot's registry watcher polls the store every few seconds.
    const listed = await pollUntil(
      'Slack /articles listing the registered briefing',
      async () => {
        const articles = await slash('/articles', '');
        return textsOf(articles).join('\n').includes(SECOND_ID) ? articles : undefined;
      },
      { attempts: 60, intervalMs: 250, abort: exitedEarly },
    );
    expect(textsOf(listed).join('\n')).toContain('The South Caucasus Energy Corridor');

    const app = discord.applicationId;
    const discordList = await interact(chatInput(app, 'articles'));
    expect(textsOf(discordList.data).join('\n')).toContain(SECOND_ID);

    // One of its passages, with the footnote it cites and that source resolved to a link.
    const slackAsk = await slash('/ask', 'Black Sea submarine cable');
    expect(sectionTexts(slackAsk).join('\n')).toMatch(/linking Georgia to Romania.*\[2\]/);
    expect(contextTexts(slackAsk)).toContain(
      '*[2]* <https://caucasus-grid.example/black-sea-cable-feasibility|Black Sea Submarine Cable: Feasibility Study Summary> · Caucasus Grid Review · accessed 2025-06-10',
    );
    expect(contextTexts(slackAsk).join('\n')).toContain('The South Caucasus Energy Corridor Between the Caspian and Europe');

    const discordAsk = await interact(chatInput(app, 'ask', { question: 'Black Sea submarine cable' }));
    const answer = discordAsk.data.embeds?.[0];
    expect(answer?.description).toMatch(/linking Georgia to Romania.*\\\[2\\\]/);
    expect(answer?.fields).toContainEqual({
      name: '\\[2\\] Caucasus Grid Review',
      value: expect.stringContaining('](https://caucasus-grid.example/black-sea-cable-feasibility)'),
    });
    expect(answer?.footer?.text).toContain('The South Caucasus Energy Corridor Between the Caspian and Europe');

    // Those searches ran on the search worker, whose copy of the index had received the briefing.
    const search = ((await (await fetch(`${base}/healthz`)).json()) as Health).search;
    expect(search).toMatchObject({ workers: 1, ready: 1 });
    expect(search?.onWorkers).toBeGreaterThanOrEqual(2);
  }, 45_000);

  it('subscribes a Slack channel to digests, shows it in /digest status, and posts one digest with /digest now', async () => {
    const who = { userId: MODERATOR, channelId: 'C0DIGEST' };
    const added = await slash('/digest', 'subscribe daily 09:00 Europe/Istanbul', who);
    expect(added.blocks?.[0]).toMatchObject({ type: 'header', text: { text: expect.stringMatching(/^Digest subscription \d+ added$/) } });

    const status = textsOf(await slash('/digest', 'status', who)).join('\n');
    expect(status).toContain('Europe/Istanbul');
    expect(status).toMatch(/Next: .*09:00/);

    const now = await slash('/digest', 'now', who);
    expect(textsOf(now).join('\n')).toMatch(/Posted a digest of \d+ briefings? in this channel/);
    const posts = slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0DIGEST');
    expect(posts).toHaveLength(1);
    const posted = textsOf(posts[0]?.body.blocks).join('\n');
    for (const point of articleFromFile(BUNDLED_FILE).keyPoints) expect(posted).toContain(point.slice(0, 80));
  }, 30_000);

  it('posts /digest now to a Discord channel for a member with Manage Server, and refuses one without it', async () => {
    const app = discord.applicationId;
    const channelPosts = () => discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${CHANNEL_ID}/messages`);
    const refused = await interact(chatInput(app, 'digest', {}, { subcommand: 'now' }));
    expect(textsOf(refused.data).join('\n')).toMatch(/moderators only/);
    expect(channelPosts()).toHaveLength(0);

    const moderator = { userId: '1300000000000000042', permissions: MEMBER_PERMISSIONS | MANAGE_GUILD };
    const posted = await interact(chatInput(app, 'digest', {}, { subcommand: 'now', actor: moderator }));
    expect(textsOf(posted.data).join('\n')).toMatch(/Posted a digest of \d+ briefings? in this channel/);
    expect(channelPosts()).toHaveLength(1);
    const digest = textsOf(channelPosts()[0]?.body).join('\n');
    expect(digest).toContain(articleFromFile(BUNDLED_FILE).keyPoints[0]?.slice(0, 80));
    expect(digest).toContain(SECOND_ID);
  }, 30_000);

  it('counts the answered commands by platform, name and outcome on /metrics, with answer latencies', async () => {
    const res = await fetch(`${base}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    const value = (line: RegExp) =>
      Number(
        text
          .split('\n')
          .find((l) => line.test(l))
          ?.split(' ')
          .at(-1),
      );
    expect(value(/^briefing_commands_total\{platform="slack",command="source",outcome="ok"\} /)).toBe(1);
    expect(value(/^briefing_commands_total\{platform="discord",command="scenario",outcome="ok"\} /)).toBe(1);
    expect(value(/^briefing_commands_total\{platform="slack",command="register",outcome="forbidden"\} /)).toBe(1);
    expect(value(/^briefing_answer_seconds_count\{platform="slack",command="ask"\} /)).toBe(1);
    expect(value(/^briefing_articles /)).toBe(2);
    expect(text).toMatch(/^briefing_process_resident_memory_bytes \d+/m);
  });

  it('exits 0 within a few seconds of SIGTERM, with nothing written to stdout', async () => {
    bot.child.kill('SIGTERM');
    const timeout = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), 8_000).unref());
    const result = await Promise.race([bot.exited, timeout]);
    expect(result).toEqual({ code: 0, signal: null });
    expect(bot.stdout()).toBe('');
    for (const secret of [env.SLACK_BOT_TOKEN, SIGNING_SECRET, env.DISCORD_TOKEN]) expect(bot.stderr()).not.toContain(secret);
    // The digest went out once: nothing was posted again on the way out.
    expect(slack.callsTo('chat.postMessage').filter((c) => c.body.channel === 'C0DIGEST')).toHaveLength(1);
  });
});
