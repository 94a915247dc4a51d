import { webApi } from '@slack/bolt';
import { REST } from 'discord.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { createChannelSender } from '../../src/adapters/discord/sender.ts';
import { discordSyntax } from '../../src/adapters/discord/syntax.ts';
import { slackChannelSender } from '../../src/adapters/slack/sender.ts';
import type { ChannelSender } from '../../src/core/channel.ts';
import type { Platform } from '../../src/core/command.ts';
import { runLine } from '../../src/core/dispatch.ts';
import type { Library } from '../../src/core/library.ts';
import { type CommandSyntax, textSyntax } from '../../src/core/syntax.ts';
import { createScheduler, type Scheduler } from '../../src/scheduler/scheduler.ts';
import type { Store } from '../../src/store/types.ts';
import { type FakeDiscord, nextId, startFakeDiscord } from '../fakes/discord.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { articleFromFile, BUNDLED_FILE, HOSTILE_FILE, libraryOf } from '../helpers/library.ts';
import { sqliteStoreIn } from '../helpers/store.ts';
import { channelContext, DIGEST_CONFIG, silentLog, tempDataDir } from './helpers.ts';

/**
 * Digests through the real Slack WebClient and discord.js REST against the loopback fakes. The
 * scheduler's clock is virtual (its sleeps move it), so no test waits for wall time; sweeps are
 * run directly, as each node-cron tick does.
 */
describe('digests through the Slack and Discord loopback fakes', () => {
  let data: ReturnType<typeof tempDataDir>;
  let library: Library;
  let clock: number;
  const waits: number[] = [];
  const stores: Store[] = [];
  const schedulers: Scheduler[] = [];
  let slack: FakeSlack;
  let discord: FakeDiscord;

  beforeEach(async () => {
    data = tempDataDir();
    library = libraryOf(articleFromFile(BUNDLED_FILE));
    clock = Date.parse('2025-06-02T05:59:00Z'); // 08:59 in Istanbul
    waits.length = 0;
    slack = await FakeSlack.start();
    discord = await startFakeDiscord();
  });
  afterEach(async () => {
    for (const s of schedulers.splice(0)) await s.stop();
    for (const s of stores.splice(0)) await s.close();
    await slack.close();
    await discord.close();
    data.cleanup();
  });

  const slackSender = (syntax?: CommandSyntax) => {
    const client = new webApi.WebClient('xoxb-test', {
      slackApiUrl: slack.apiUrl,
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 0 },
    });
    return slackChannelSender(() => client, syntax ? { syntax } : {});
  };
  const discordSender = (syntax?: CommandSyntax) =>
    createChannelSender(new REST({ api: discord.apiUrl, retries: 0 }).setToken('discord-test-token'), syntax);

  function boot(senders: ChannelSender[]) {
    const store = sqliteStoreIn(data.dir);
    stores.push(store);
    const scheduler = createScheduler({
      store,
      library,
      senders: new Map<Platform, ChannelSender>(senders.map((s) => [s.platform, s])),
      config: DIGEST_CONFIG,
      logger: silentLog,
      now: () => new Date(clock),
      sleep: async (ms) => {
        waits.push(ms);
        clock += ms;
      },
      tuning: { stopTimeoutMs: 1 },
    });
    schedulers.push(scheduler);
    return { store, scheduler };
  }
  const subscribe = async (scheduler: Scheduler, platform: Platform, channelId: string) => {
    const reply = await runLine(
      commands,
      '/digest subscribe daily 09:00 Europe/Istanbul',
      channelContext(library, { digests: scheduler.digests }, { platform, channelId }),
    );
    expect(reply.ok).toBe(true);
  };

  it('Slack: the 09:00 Istanbul digest arrives once with the key points and link unfurling off; a restart at 09:00:30 posts nothing', async () => {
    const first = boot([slackSender()]);
    await subscribe(first.scheduler, 'slack', 'C0DIGEST');
    clock = Date.parse('2025-06-02T06:00:00Z');
    await first.scheduler.sweep();
    await first.scheduler.idle();

    const posts = slack.callsTo('chat.postMessage');
    expect(posts).toHaveLength(1);
    const body = posts[0]!.body;
    expect(body).toMatchObject({ channel: 'C0DIGEST', unfurl_links: 'false', unfurl_media: 'false' });
    const blocks = JSON.stringify(body.blocks);
    for (const point of library.list()[0]!.article.keyPoints) expect(blocks).toContain(point.slice(0, 60));
    expect(blocks).toContain('/brief central-asia-and-southeast-asia-in-chinas-counter-balancing-strategy');
    const [row] = await first.store.deliveries.recentForChannel('slack', 'C0DIGEST', 1);
    expect(row).toMatchObject({ status: 'delivered', late: false, messageIds: ['1700000000.000001'] });

    await first.scheduler.stop();
    clock = Date.parse('2025-06-02T06:00:30Z');
    const second = boot([slackSender()]);
    await second.scheduler.sweep();
    await second.scheduler.idle();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(1);
  });

  it('names commands in a digest as the channel’s platform types them: Slack’s prefixed commands, Discord’s options', async () => {
    const id = library.list()[0]!.article.id;
    const channel = nextId();
    const { scheduler } = boot([slackSender(textSyntax(commands, (c) => `/bb-${c}`)), discordSender(discordSyntax(commands))]);
    await subscribe(scheduler, 'slack', 'C0PREFIX');
    await subscribe(scheduler, 'discord', channel);
    clock = Date.parse('2025-06-02T06:00:00Z');
    await scheduler.sweep();
    await scheduler.idle();
    const slackText = JSON.stringify(slack.callsTo('chat.postMessage')[0]?.body.blocks);
    expect(slackText).toContain(`Ask more: /bb-brief --article ${id}`);
    expect(slackText).toContain('Ask about any of them: /bb-ask &lt;question&gt; · /bb-brief --article &lt;id&gt;');
    const post = discord.requests.find((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);
    const discordText = JSON.stringify(post?.body);
    expect(discordText).toContain(`Ask more: /brief article:${id}`);
    expect(discordText).toContain('Ask about any of them: /ask question:<question> · /brief article:<id>');
  });

  it('Slack: a 429 is waited out for its Retry-After and the digest is posted once', async () => {
    const { scheduler, store } = boot([slackSender()]);
    await subscribe(scheduler, 'slack', 'C0LIMITED');
    slack.script('chat.postMessage', { status: 429, headers: { 'retry-after': '3' }, json: { ok: false, error: 'ratelimited' } });
    clock = Date.parse('2025-06-02T06:00:00Z');
    await scheduler.sweep();
    await scheduler.idle();
    expect(slack.callsTo('chat.postMessage')).toHaveLength(2);
    expect(waits).toContain(3000);
    const [row] = await store.deliveries.recentForChannel('slack', 'C0LIMITED', 1);
    expect(row).toMatchObject({ status: 'delivered', attempts: 2 });
  });

  it('Slack: a channel the bot was removed from pauses the subscription with the reason', async () => {
    const { scheduler } = boot([slackSender()]);
    await subscribe(scheduler, 'slack', 'C0KICKED');
    slack.script('chat.postMessage', { json: { ok: false, error: 'not_in_channel' } });
    clock = Date.parse('2025-06-02T06:00:00Z');
    await scheduler.sweep();
    await scheduler.idle();
    const status = await runLine(
      commands,
      '/digest status',
      channelContext(library, { digests: scheduler.digests }, { platform: 'slack', channelId: 'C0KICKED' }),
    );
    expect(status.ok && status.items?.[0]?.text).toContain('the bot is not allowed to post in this channel (missing permission)');
  });

  it('Discord: the digest is posted once with a nonce, enforce_nonce and no mentions', async () => {
    const channel = nextId();
    const { scheduler } = boot([discordSender()]);
    await subscribe(scheduler, 'discord', channel);
    clock = Date.parse('2025-06-02T06:00:00Z');
    await scheduler.sweep();
    await scheduler.idle();
    const posts = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);
    expect(posts).toHaveLength(1);
    const body = posts[0]!.body as { nonce: string; enforce_nonce: boolean; allowed_mentions: unknown; embeds: { title: string }[] };
    expect(body.enforce_nonce).toBe(true);
    expect(body.nonce.length).toBeLessThanOrEqual(25);
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(JSON.stringify(body.embeds)).toContain(library.list()[0]!.article.keyPoints[1]!.slice(0, 60));
  });

  it('Discord: a resend after a crash between posting and recording is de-duplicated by the nonce, so the channel sees one message', async () => {
    const channel = nextId();
    const real = discordSender();
    // Posts for real, then "dies" before the scheduler can record the outcome.
    const dying: ChannelSender = {
      platform: 'discord',
      async send(channelId, reply, options) {
        await real.send(channelId, reply, options);
        return new Promise(() => {});
      },
    };
    const first = boot([dying]);
    await subscribe(first.scheduler, 'discord', channel);
    clock = Date.parse('2025-06-02T06:00:00Z');
    await first.scheduler.sweep();
    await discord.waitFor((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);
    await first.scheduler.stop();

    clock = Date.parse('2025-06-02T06:00:30Z');
    const second = boot([discordSender()]);
    expect(await second.scheduler.sweep()).toMatchObject({ recovered: 1 });
    await second.scheduler.idle();
    const posts = discord.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);
    expect(posts).toHaveLength(2);
    expect((posts[0]!.body as { nonce: string }).nonce).toBe((posts[1]!.body as { nonce: string }).nonce);
    expect([...discord.messages.values()].filter((m) => m.channel_id === channel)).toHaveLength(1);
    const [row] = await second.store.deliveries.recentForChannel('discord', channel, 1);
    expect(row).toMatchObject({ status: 'delivered', recovered: true });
  });

  it('a hostile briefing in a digest cannot ping or forge links on either platform', async () => {
    library = libraryOf(articleFromFile(HOSTILE_FILE));
    const channel = nextId();
    const { scheduler } = boot([slackSender(), discordSender()]);
    await subscribe(scheduler, 'slack', 'C0HOSTILE');
    await subscribe(scheduler, 'discord', channel);
    clock = Date.parse('2025-06-02T06:00:00Z');
    await scheduler.sweep();
    await scheduler.idle();
    const slackBody = JSON.stringify(slack.callsTo('chat.postMessage')[0]?.body);
    expect(slackBody).toContain('Key point one pings');
    expect(slackBody).not.toMatch(/<!(channel|here|everyone)>|<@U123>|<https:\/\/evil/);
    const post = discord.requests.find((r) => r.method === 'POST' && r.path === `/channels/${channel}/messages`);
    expect(post?.body).toMatchObject({ allowed_mentions: { parse: [] } });
    expect(JSON.stringify(post?.body)).not.toMatch(/(^|[^\\])@everyone|\]\(https:\/\/evil/);
  });

  it('Discord: an unknown channel pauses the subscription', async () => {
    const channel = nextId();
    const { scheduler, store } = boot([discordSender()]);
    await subscribe(scheduler, 'discord', channel);
    discord.respondWith((r) => r.path === `/channels/${channel}/messages`, {
      status: 404,
      body: { message: 'Unknown Channel', code: 10003 },
    });
    clock = Date.parse('2025-06-02T06:00:00Z');
    await scheduler.sweep();
    await scheduler.idle();
    const [sub] = await store.subscriptions.listForChannel('discord', channel);
    expect(sub).toMatchObject({ status: 'paused' });
    expect(sub?.pausedReason).toContain('the channel no longer exists or the bot was removed from it');
  });
});
