import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { openStore } from '../../src/store/index.ts';
import { tempDataDir } from './helpers.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));

/** Starts the child and resolves with its stdout lines as they come. */
function startChild(dataDir: string, mode: 'hang' | 'deliver'): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD, dataDir, mode], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
  return { child, lines };
}

describe('a bot process killed mid-delivery', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => {
    for (const c of cleanups.splice(0)) c();
  });

  it('is retried once by the next process, with the same idempotency key, and marked as retried', async () => {
    const data = tempDataDir();
    cleanups.push(data.cleanup);
    // A subscription whose slot (two minutes ago, UTC) is within the catch-up window.
    const now = Date.now();
    const slot = new Date(Math.floor(now / 60_000) * 60_000 - 120_000);
    const setup = await openStore({ dataDir: data.dir });
    await setup.subscriptions.create({
      platform: 'discord',
      channelId: 'G-crash',
      schedule: `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`,
      cron: `${slot.getUTCMinutes()} ${slot.getUTCHours()} * * *`,
      timeZone: 'UTC',
      createdBy: 'U1',
      createdAt: new Date(slot.getTime() - 60_000).toISOString(),
    });
    await setup.close();

    const first = startChild(data.dir, 'hang');
    cleanups.push(() => first.child.kill('SIGKILL'));
    const sending = await first.lines.next();
    expect(sending.value).toMatch(/^SENDING dg-[A-Za-z0-9_-]{22}$/);
    const exited = once(first.child, 'exit');
    first.child.kill('SIGKILL');
    const [, signal] = await exited;
    expect(signal).toBe('SIGKILL');

    const store = await openStore({ dataDir: data.dir });
    const [claimed] = await store.deliveries.recentForChannel('discord', 'G-crash', 5);
    expect(claimed).toMatchObject({ status: 'claimed', attempts: 1, owner: { pid: first.child.pid } });

    const second = startChild(data.dir, 'deliver');
    cleanups.push(() => second.child.kill('SIGKILL'));
    const out: string[] = [];
    for (let line = await second.lines.next(); !line.done; line = await second.lines.next()) out.push(line.value);
    expect(out).toEqual([`SENT ${(sending.value as string).slice('SENDING '.length)}`, 'DONE']);

    const rows = await store.deliveries.recentForChannel('discord', 'G-crash', 5);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ slot: slot.toISOString(), status: 'delivered', recovered: true, late: true, attempts: 2 });
    await store.close();

    // A third start finds nothing to post.
    const third = startChild(data.dir, 'deliver');
    cleanups.push(() => third.child.kill('SIGKILL'));
    const again: string[] = [];
    for (let line = await third.lines.next(); !line.done; line = await third.lines.next()) again.push(line.value);
    expect(again).toEqual(['DONE']);
  });
});
