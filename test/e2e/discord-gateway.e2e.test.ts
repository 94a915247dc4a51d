import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FakeDiscord, startFakeDiscord } from '../fakes/discord.ts';
import { type BotProcess, freePort, pollUntil, startBot } from './bot-process.ts';

/**
 * The bot with Discord alone over the gateway (DISCORD_TOKEN, no public key, no Slack): it still
 * serves /healthz and /readyz on PORT for a process manager or load balancer, and no
 * /discord/interactions, since nothing would verify them.
 */

let discord: FakeDiscord;
let bot: BotProcess;
let dataDir: string;
let base: string;

beforeAll(async () => {
  discord = await startFakeDiscord();
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-discord-gateway-'));
  const port = await freePort();
  base = `http://127.0.0.1:${port}`;
  bot = startBot({
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BRIEFING_DATA_DIR: dataDir,
    CONSOLE: 'off',
    PORT: String(port),
    HOST: '127.0.0.1',
    DISCORD_TOKEN: 'e2e-discord-gateway-token',
    DISCORD_API_URL: discord.apiUrl,
    SEARCH_WORKERS: '0',
  });
  await pollUntil(
    'GET /readyz with Discord connected over the gateway',
    async () => ((await fetch(`${base}/readyz`)).status === 200 ? true : undefined),
    { attempts: 800, intervalMs: 25, abort: () => (bot.done() ? `the bot exited early:\n${bot.stderr().slice(-4000)}` : undefined) },
  );
}, 40_000);

afterAll(async () => {
  if (bot && !bot.done()) {
    bot.child.kill('SIGKILL');
    await bot.exited;
  }
  await discord?.close();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe('briefing-bot with Discord alone over the gateway', () => {
  it('serves /healthz and /readyz on PORT, reporting Discord connected in gateway mode', async () => {
    const health = await pollUntil(
      'GET /healthz ok',
      async () => {
        const report = (await (await fetch(`${base}/healthz`)).json()) as { ok: boolean; adapters: Record<string, unknown> };
        return report.ok ? report : undefined;
      },
      { attempts: 200, intervalMs: 25 },
    );
    expect(health.adapters).toEqual({ discord: { connected: true, mode: 'gateway' } });
    expect(discord.identifies).toHaveLength(1);
  });

  it('does not serve /discord/interactions without DISCORD_PUBLIC_KEY', async () => {
    const res = await fetch(`${base}/discord/interactions`, { method: 'POST', body: '{"type":1}' });
    expect(res.status).toBe(404);
  });
});
