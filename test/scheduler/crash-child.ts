/**
 * Runs a digest scheduler in a child process for the crash test. Mode `hang`: the sender prints
 * `SENDING <idempotencyKey>` and never returns (the parent kills the process with SIGKILL right
 * then). Mode `deliver`: the sender prints `SENT <idempotencyKey>`, and the process exits once
 * every due digest is out.
 */
import type { ChannelSender } from '../../src/core/channel.ts';
import { createScheduler } from '../../src/scheduler/scheduler.ts';
import { openStore } from '../../src/store/index.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { DIGEST_CONFIG, silentLog } from './helpers.ts';

const [dataDir, mode] = process.argv.slice(2) as [string, 'hang' | 'deliver'];
const store = await openStore({ dataDir });
const sender: ChannelSender = {
  platform: 'discord',
  async send(_channel, _reply, { idempotencyKey }) {
    if (mode === 'hang') {
      process.stdout.write(`SENDING ${idempotencyKey}\n`);
      return new Promise(() => {});
    }
    process.stdout.write(`SENT ${idempotencyKey}\n`);
    return { messageIds: ['1'] };
  },
};
const scheduler = createScheduler({
  store,
  library: libraryOf(articleFromFile(BUNDLED_FILE)),
  senders: new Map([['discord', sender]]),
  config: DIGEST_CONFIG,
  logger: silentLog,
});
await scheduler.start();
if (mode === 'deliver') {
  await scheduler.idle();
  await scheduler.stop();
  await store.close();
  process.stdout.write('DONE\n');
  process.exit(0);
}
