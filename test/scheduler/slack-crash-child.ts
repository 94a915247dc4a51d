/**
 * Runs a digest scheduler with the real Slack sender in a child process, posting through the
 * parent's loopback Slack (argv: data dir, API URL). Parts posted are recorded in the store's
 * shared keys. The process exits once every due digest is out, printing `DONE`; the parent kills
 * it earlier when it wants a crash (the fake can hold a post's answer so the process dies after
 * Slack posted but before anything was recorded).
 */
import { webApi } from '@slack/bolt';
import { slackChannelSender } from '../../src/adapters/slack/sender.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { openStore } from '../../src/store/index.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { DIGEST_CONFIG, silentLog } from './helpers.ts';

const [dataDir, apiUrl] = process.argv.slice(2) as [string, string];
const store = await openStore({ dataDir });
const client = new webApi.WebClient('xoxb-test', { slackApiUrl: apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
const sender = slackChannelSender(() => client, {
  keys: store.keys,
  warn: (obj, msg) => process.stderr.write(`${JSON.stringify({ ...obj, msg })}\n`),
});
const scheduler = createScheduler({
  store,
  library: libraryOf(articleFromFile(BUNDLED_FILE)),
  senders: new Map([['slack', sender]]),
  config: DIGEST_CONFIG,
  logger: silentLog,
});
await scheduler.start();
await scheduler.idle();
await scheduler.stop();
await store.close();
process.stdout.write('DONE\n');
process.exit(0);
