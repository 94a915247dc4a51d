import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DIGEST_EVENT_TYPE } from '../../src/adapters/slack/digest-parts.ts';
import { idempotencyKey } from '../../src/scheduler/deliver.ts';
import { openStore } from '../../src/store/index.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { tempDataDir } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./slack-crash-child.ts', import.meta.url));
const CHANNEL = 'C0CRASH';

function startChild(dataDir: string, apiUrl: string): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, apiUrl], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines };
}

async function outputOf(run: { lines: AsyncIterator<string> }): Promise<string[]> {
  const out: string[] = [];
  for (let line = await run.lines.next(); !line.done; line = await run.lines.next()) out.push(line.value);
  return out;
}

describe('a bot process killed after Slack posted a digest, before anything was recorded', () => {
  const cleanups: (() => void | Promise<void>)[] = [];
  let fake: FakeSlack;
  beforeEach(async () => {
    fake = await FakeSlack.start();
    // Slack's clock is the real one here: the resend looks back from the claim's real time.
    fake.now = Date.now;
  });
  afterEach(async () => {
    for (const c of cleanups.splice(0)) await c();
    await fake.close();
  });

  it('is found in the channel by the next process, which posts nothing again and records the delivery', async () => {
    const data = tempDataDir();
    cleanups.push(data.cleanup);
    const slot = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 120_000);
    const cron = `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`;
    const setup = await openStore({ dataDir: data.dir });
    await setup.subscriptions.create({
      platform: 'slack',
      channelId: CHANNEL,
      schedule: cron,
      cron,
      timeZone: 'UTC',
      createdBy: 'U1',
      createdAt: new Date(slot.getTime() - 60_000).toISOString(),
    });
    await setup.close();

    // Slack posts the digest but its answer never reaches the bot, which is then killed.
    fake.script('chat.postMessage', { hold: true });
    const first = startChild(data.dir, fake.apiUrl);
    cleanups.push(() => void first.child.kill('SIGKILL'));
    await fake.until(() => (fake.channels.get(CHANNEL)?.length ?? 0) === 1, 20_000);
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    await exited;

    const store = await openStore({ dataDir: data.dir });
    cleanups.push(() => store.close());
    const [claimed] = await store.deliveries.recentForChannel('slack', CHANNEL, 5);
    expect(claimed).toMatchObject({ status: 'claimed', attempts: 1 });
    const key = idempotencyKey(claimed!.key);
    const [posted] = fake.channels.get(CHANNEL)!;
    expect(posted!.metadata).toEqual({ event_type: DIGEST_EVENT_TYPE, event_payload: { key, part: 1, parts: 1 } });
    // Nothing recorded the part: the process died waiting for Slack's answer.
    expect(await store.keys.get(`slack:-:digest:${key}:1`, new Date().toISOString())).toBeUndefined();

    const second = startChild(data.dir, fake.apiUrl);
    cleanups.push(() => void second.child.kill('SIGKILL'));
    expect(await outputOf(second)).toEqual(['DONE']);

    expect(fake.channels.get(CHANNEL)).toHaveLength(1);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    const [lookup] = fake.callsTo('conversations.history');
    expect(lookup?.body).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true' });
    expect(Number(lookup?.body.oldest) * 1000).toBeLessThanOrEqual(Date.parse(claimed!.claimedAt!));
    const [row] = await store.deliveries.recentForChannel('slack', CHANNEL, 5);
    expect(row).toMatchObject({ status: 'delivered', recovered: true, attempts: 2, messageIds: [posted!.ts] });
    expect((await store.keys.get(`slack:-:digest:${key}:1`, new Date().toISOString()))?.value).toBe(posted!.ts);

    // A third start finds nothing to post and nothing to look up.
    const third = startChild(data.dir, fake.apiUrl);
    cleanups.push(() => void third.child.kill('SIGKILL'));
    expect(await outputOf(third)).toEqual(['DONE']);
    expect(fake.callsTo('chat.postMessage')).toHaveLength(1);
    expect(fake.callsTo('conversations.history')).toHaveLength(1);
  }, 60_000);
});
