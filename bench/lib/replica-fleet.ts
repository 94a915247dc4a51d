import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { type BotProcess, freePort, pollUntil, startBot } from '../../test/e2e/bot-process.ts';

/**
 * N bot replicas as an operator runs them: each is `node --import tsx/esm src/main.ts` (what
 * `npm start` runs) with the same DATABASE_URL and Slack settings, and a data folder and PORT of
 * its own. `ready` resolves once every replica's /readyz answers 200 (index loaded, store
 * reachable); `stop` ends them with SIGTERM (SIGKILL after a grace period) and removes their folders.
 */

export interface Replica {
  readonly url: string;
  readonly pid: number;
  readonly bot: BotProcess;
  readonly dataDir: string;
}

export interface FleetOptions {
  count: number;
  databaseUrl: string;
  /** Slack settings every replica shares. */
  slack: { botToken: string; signingSecret: string; apiUrl: string };
  /** How long a replica may take to become ready (default 120 s: three starting at once on two busy cores are slow). */
  readyTimeoutMs?: number;
}

export interface Fleet {
  readonly replicas: readonly Replica[];
  /** Resolves once every replica's /readyz is 200; rejects when one exits, or on `signal`. */
  ready(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

async function stopReplica(replica: Replica, graceMs: number): Promise<void> {
  if (!replica.bot.done()) {
    replica.bot.child.kill('SIGTERM');
    const ended = await Promise.race([replica.bot.exited.then(() => true), delay(graceMs).then(() => false)]);
    if (!ended) {
      replica.bot.child.kill('SIGKILL');
      await replica.bot.exited;
    }
  }
  rmSync(replica.dataDir, { recursive: true, force: true });
}

/**
 * Starts `count` replicas at once and returns as soon as they are spawned (register `stop` for
 * cleanup right away); `ready` waits for their /readyz.
 */
export async function startFleet(options: FleetOptions): Promise<Fleet> {
  const ports = await Promise.all(Array.from({ length: options.count }, () => freePort()));
  const replicas: Replica[] = ports.map((port, i) => {
    const dataDir = mkdtempSync(join(tmpdir(), `bench-replica-${i + 1}-`));
    const bot = startBot({
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      BRIEFING_DATA_DIR: dataDir,
      DATABASE_URL: options.databaseUrl,
      CONSOLE: 'off',
      SLACK_BOT_TOKEN: options.slack.botToken,
      SLACK_SIGNING_SECRET: options.slack.signingSecret,
      SLACK_API_URL: options.slack.apiUrl,
      PORT: String(port),
      HOST: '127.0.0.1',
      // Info logs of every request would go into a pipe nobody reads; warnings still show problems.
      LOG_LEVEL: 'warn',
    });
    return { url: `http://127.0.0.1:${port}`, pid: bot.child.pid ?? 0, bot, dataDir };
  });
  let stopped: Promise<void> | undefined;
  return {
    replicas,
    stop() {
      stopped ??= Promise.all(replicas.map((r) => stopReplica(r, 10_000))).then(() => undefined);
      return stopped;
    },
    async ready(signal) {
      const attempts = Math.ceil((options.readyTimeoutMs ?? 120_000) / 100);
      await Promise.all(
        replicas.map((r, i) =>
          pollUntil(
            `replica ${i + 1} (${r.url}) GET /readyz`,
            async () => ((await fetch(`${r.url}/readyz`)).status === 200 ? true : undefined),
            {
              attempts,
              intervalMs: 100,
              abort: () => (signal?.aborted ? 'interrupted' : r.bot.done() ? `it exited:\n${r.bot.stderr().slice(-3000)}` : undefined),
            },
          ),
        ),
      );
    },
  };
}
