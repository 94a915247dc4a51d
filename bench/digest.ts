import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { webApi } from '@slack/bolt';
import { REST } from 'discord.js';
import { createChannelSender } from '../src/adapters/discord/sender.ts';
import { slackChannelSender } from '../src/adapters/slack/sender.ts';
import type { ChannelSender } from '../src/core/channel.ts';
import type { Platform } from '../src/core/command.ts';
import { Library } from '../src/core/library.ts';
import { loadOrBuild } from '../src/core/search/snapshot.ts';
import { DEFAULT_LIMITS, type Window } from '../src/scheduler/rate-limit.ts';
import { createScheduler } from '../src/scheduler/scheduler.ts';
import { openStore } from '../src/store/index.ts';
import { startFakeDiscord } from '../test/fakes/discord.ts';
import { FakeSlack } from '../test/fakes/slack-api.ts';
import { generateCorpus } from './corpus.ts';
import { fmt, timed } from './lib/stats.ts';

/**
 * `npm run bench:digest [-- --subscriptions 1000 --articles 10000]`: every subscription due in
 * the same minute, half on Slack and half on Discord, delivered through the real WebClient and
 * discord.js REST to the loopback fakes, with the synthetic corpus loaded. Checks that every
 * digest arrived once and that no platform limit was broken; prints the time to deliver all
 * and peak memory.
 */

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set((process.argv[i] ?? '').replace(/^--/, ''), process.argv[i + 1] ?? '');
const SUBSCRIPTIONS = Number(args.get('subscriptions') ?? 1000);
const ARTICLES = Number(args.get('articles') ?? 10_000);
const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));
const SLOT = Date.parse('2025-06-02T06:00:00Z');
/** The same instant in several zones: 06:00 UTC. */
const SCHEDULES = [
  'daily 09:00 Europe/Istanbul',
  'daily 06:00 UTC',
  'daily 08:00 Europe/Berlin',
  'daily 02:00 America/New_York',
  'daily 15:00 Asia/Tokyo',
];
const SLACK_WORKSPACES = 10;

const log = (line: string) => process.stderr.write(`${line}\n`);
const quiet = {
  info() {},
  warn() {},
  debug() {},
  error: (obj: Record<string, unknown>, msg: string) => log(`error: ${msg} ${JSON.stringify(obj)}`),
};

/** Snapshots are keyed by content; another bench's snapshot of the same corpus is as good as ours. */
function snapshotPath(): string {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `digest-index-${ARTICLES}.bin`);
  const sibling = readdirSync(CACHE).find((f) => f.endsWith(`-index-${ARTICLES}.bin`));
  if (!existsSync(path) && sibling) copyFileSync(join(CACHE, sibling), path);
  return path;
}

/** The largest number of events within any `windowMs` (events sorted). */
function busiest(times: number[], windowMs: number): number {
  let best = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while ((times[i] as number) - (times[j] as number) >= windowMs) j++;
    best = Math.max(best, i - j + 1);
  }
  return best;
}

function checkWindow(label: string, groups: Map<string, number[]>, window: Window | undefined, problems: string[]): string {
  if (!window) return `${label}: no limit`;
  let worst = 0;
  for (const [key, times] of groups) {
    const n = busiest(
      times.sort((a, b) => a - b),
      window.windowMs,
    );
    worst = Math.max(worst, n);
    if (n > window.count) problems.push(`${label} ${key}: ${n} sends within ${window.windowMs} ms (limit ${window.count})`);
  }
  return `${label}: busiest ${worst} per ${window.windowMs} ms (limit ${window.count})`;
}

async function main(): Promise<number> {
  const corpus = await timed(() => generateCorpus({ articles: ARTICLES, seed: 7 }));
  const built = await timed(() => loadOrBuild({ articles: corpus.value, snapshotPath: snapshotPath() }));
  const library = new Library(built.value.index);
  corpus.value.forEach((a, i) => {
    library.add(a, { addedAt: new Date(SLOT - 86_400_000 + i * 1000).toISOString(), origin: 'content' });
  });
  log(`corpus ${ARTICLES} articles: generated ${fmt(corpus.ms / 1000)} s, index ${built.value.from} ${fmt(built.ms / 1000)} s`);

  const slack = await FakeSlack.start();
  const discord = await startFakeDiscord({ record: false });
  const discordPosts: { channel: string; nonce: string }[] = [];
  discord.onRequest((r) => {
    if (r.method === 'POST' && r.path.startsWith('/channels/'))
      discordPosts.push({ channel: r.path.split('/')[2] as string, nonce: (r.body as { nonce: string }).nonce });
  });
  const slackClient = new webApi.WebClient('xoxb-bench', {
    slackApiUrl: slack.apiUrl,
    rejectRateLimitedCalls: true,
    retryConfig: { retries: 0 },
  });
  const sends = new Map<Platform, { channel: string; at: number }[]>([
    ['slack', []],
    ['discord', []],
  ]);
  // Records when each send starts (after the scheduler's limiter let it go).
  const timedSender = (sender: ChannelSender): ChannelSender => ({
    platform: sender.platform,
    send(channelId, reply, options) {
      sends.get(sender.platform)?.push({ channel: channelId, at: performance.now() });
      return sender.send(channelId, reply, options);
    },
  });
  const senders = new Map<Platform, ChannelSender>([
    ['slack', timedSender(slackChannelSender(() => slackClient))],
    ['discord', timedSender(createChannelSender(new REST({ api: discord.apiUrl, retries: 0 }).setToken('bench-token')))],
  ]);

  const dir = mkdtempSync(join(tmpdir(), 'briefing-bench-digest-'));
  const store = await openStore({ dataDir: dir });
  // The bench clock: a minute before the slot while subscribing, then the slot plus elapsed time.
  let now = () => new Date(SLOT - 60_000);
  const scheduler = createScheduler({
    store,
    library,
    senders,
    config: { DIGEST_EMPTY: 'post', DIGEST_CATCHUP_HOURS: 6, DEFAULT_TIMEZONE: 'UTC' },
    logger: quiet,
    now: () => now(),
  });

  // Half on each platform; one channel in five holds two subscriptions (both post: the second says "nothing new").
  const workspaceOf = new Map<string, string>();
  for (let i = 0; i < SUBSCRIPTIONS; i++) {
    const platform: Platform = i % 2 ? 'discord' : 'slack';
    const n = Math.floor(i / 2);
    const shared = n % 5 === 4 ? n - 1 : n;
    const channelId = platform === 'slack' ? `C${String(shared).padStart(8, '0')}` : String(1_300_000_000_000_000_000n + BigInt(shared));
    const workspaceId = platform === 'slack' ? `T${shared % SLACK_WORKSPACES}` : 'G1';
    workspaceOf.set(channelId, workspaceId);
    const r = await scheduler.digests.subscribe({
      channel: { platform, id: channelId, workspaceId },
      user: { id: 'U-bench', isModerator: true },
      when: SCHEDULES[i % SCHEDULES.length] as string,
    });
    if (!r.ok) throw new Error(r.message);
  }
  log(`${SUBSCRIPTIONS} subscriptions in ${new Set(workspaceOf.keys()).size} channels, all due at ${new Date(SLOT).toISOString()}`);

  const baseline = process.memoryUsage();
  const memory = { rss: 0, heap: 0 };
  const sample = () => {
    const m = process.memoryUsage();
    memory.rss = Math.max(memory.rss, m.rss);
    memory.heap = Math.max(memory.heap, m.heapUsed);
  };
  const sampler = setInterval(sample, 50);
  const start = performance.now();
  now = () => new Date(SLOT + (performance.now() - start));
  // What the node-cron tick at the slot's minute does.
  const report = await scheduler.sweep();
  const claimedMs = performance.now() - start;
  await scheduler.idle();
  const deliverMs = performance.now() - start;
  clearInterval(sampler);
  sample();

  const problems: string[] = [];
  const counts = await store.deliveries.countByStatus();
  if (report.claimed !== SUBSCRIPTIONS) problems.push(`claimed ${report.claimed} of ${SUBSCRIPTIONS}`);
  if (counts.delivered !== SUBSCRIPTIONS) problems.push(`delivered ${counts.delivered} of ${SUBSCRIPTIONS} (${JSON.stringify(counts)})`);
  const slackPosts = slack.callsTo('chat.postMessage').length;
  const slackSends = sends.get('slack')?.length ?? 0;
  const discordSends = sends.get('discord')?.length ?? 0;
  if (slackSends + discordSends !== SUBSCRIPTIONS)
    problems.push(`${slackSends + discordSends} sends for ${SUBSCRIPTIONS} digests (some sent twice)`);
  const nonces = new Set(discordPosts.map((p) => `${p.channel}:${p.nonce}`));
  if (nonces.size !== discordPosts.length) problems.push(`${discordPosts.length - nonces.size} Discord posts repeated a nonce`);

  const group = (platform: Platform, key: (channel: string) => string) => {
    const out = new Map<string, number[]>();
    for (const s of sends.get(platform) ?? []) out.set(key(s.channel), [...(out.get(key(s.channel)) ?? []), s.at]);
    return out;
  };
  const limits = [
    checkWindow(
      'slack per channel',
      group('slack', (c) => c),
      DEFAULT_LIMITS.slack.perChannel,
      problems,
    ),
    checkWindow(
      'slack per workspace',
      group('slack', (c) => workspaceOf.get(c) ?? '?'),
      DEFAULT_LIMITS.slack.perWorkspace,
      problems,
    ),
    checkWindow(
      'discord per channel',
      group('discord', (c) => c),
      DEFAULT_LIMITS.discord.perChannel,
      problems,
    ),
    checkWindow(
      'discord global',
      group('discord', () => 'all'),
      DEFAULT_LIMITS.discord.global,
      problems,
    ),
  ];

  const mb = (n: number) => fmt(n / 1024 / 1024, 0);
  console.log(`digest bench: ${SUBSCRIPTIONS} subscriptions due in one minute, ${ARTICLES} articles loaded`);
  console.log(`  claimed all slots in ${fmt(claimedMs)} ms; delivered all in ${fmt(deliverMs / 1000, 2)} s`);
  console.log(
    `  slack: ${slackSends} digests, ${slackPosts} chat.postMessage calls; discord: ${discordSends} digests, ${discordPosts.length} message posts`,
  );
  console.log(`  ledger: ${JSON.stringify(counts)}`);
  for (const l of limits) console.log(`  ${l}`);
  console.log(
    `  memory: before the slot rss ${mb(baseline.rss)} MB, heap ${mb(baseline.heapUsed)} MB; peak during delivery rss ${mb(memory.rss)} MB, heap ${mb(memory.heap)} MB`,
  );
  console.log(problems.length ? `FAILED:\n  ${problems.join('\n  ')}` : '  all delivered, none twice, within limits');

  await scheduler.stop();
  await store.close();
  await slack.close();
  await discord.close();
  rmSync(dir, { recursive: true, force: true });
  return problems.length ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    log(`bench:digest failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
