import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { toApplicationCommands } from '../../../src/adapters/discord/application-commands.ts';
import { runDeploy } from '../../../src/adapters/discord/deploy-cli.ts';
import type { AnyCommand } from '../../../src/core/command.ts';
import { type FakeDiscord, startFakeDiscord } from '../../fakes/discord.ts';

let fake: FakeDiscord;
beforeEach(async () => {
  fake = await startFakeDiscord();
});
afterEach(async () => fake.close());

function env(extra: Record<string, string> = {}) {
  return { DISCORD_TOKEN: 'fake-token', DISCORD_APPLICATION_ID: fake.applicationId, DISCORD_API_URL: fake.apiUrl, ...extra };
}

async function deploy(list: readonly AnyCommand[], extra: Record<string, string> = {}, args: string[] = []) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDeploy(env(extra), list, args, { out: (t) => out.push(t), err: (t) => err.push(t) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const puts = () => fake.requests.filter((r) => r.method === 'PUT');

describe('npm run discord:deploy', () => {
  it('registers every generated command globally and says what it created', async () => {
    const { code, out } = await deploy(commands);
    expect(code).toBe(0);
    expect(out).toContain(
      `Registered ${commands.length} commands globally: ${commands.length} created, 0 changed, 0 removed, 0 unchanged.`,
    );
    expect(out).toContain('  created  /ask');
    const put = puts()[0];
    expect(put?.path).toBe(`/applications/${fake.applicationId}/commands`);
    expect(put?.headers.authorization).toBe('Bot fake-token');
    expect(put?.body).toEqual(JSON.parse(JSON.stringify(toApplicationCommands(commands))));
  });

  it('is idempotent: a second run finds nothing to change and overwrites nothing', async () => {
    await deploy(commands);
    const again = await deploy(commands);
    expect(again.out).toBe(`All ${commands.length} commands are already up to date globally; nothing to change.`);
    expect(puts()).toHaveLength(1);
  });

  it('reports changed and removed commands and overwrites them in bulk', async () => {
    await deploy(commands);
    const [ask, ...rest] = commands as AnyCommand[];
    const edited = [{ ...(ask as AnyCommand), description: 'Ask anything about the briefings' }, ...rest.filter((c) => c.name !== 'help')];
    const { out } = await deploy(edited);
    expect(out).toContain('0 created, 1 changed, 1 removed');
    expect(out).toContain('  changed  /ask');
    expect(out).toContain('  removed  /help');
    expect(((puts()[1]?.body ?? []) as { name: string }[]).map((c) => c.name)).toEqual(edited.map((c) => c.name));
  });

  it('registers to one guild with DISCORD_GUILD_ID', async () => {
    const { out } = await deploy(commands, { DISCORD_GUILD_ID: '1200000000000000100' });
    expect(out).toContain('to guild 1200000000000000100');
    expect(puts()[0]?.path).toBe(`/applications/${fake.applicationId}/guilds/1200000000000000100/commands`);
    expect(fake.commands.get('1200000000000000100')).toHaveLength(commands.length);
  });

  it('looks the application id up when DISCORD_APPLICATION_ID is not set', async () => {
    const out: string[] = [];
    const code = await runDeploy({ DISCORD_TOKEN: 'fake-token', DISCORD_API_URL: fake.apiUrl }, commands, [], {
      out: (t) => out.push(t),
      err: () => {},
    });
    expect(code).toBe(0);
    expect(fake.requests[0]?.path).toBe('/applications/@me');
    expect(puts()[0]?.path).toBe(`/applications/${fake.applicationId}/commands`);
  });

  it('overwrites anyway with --force', async () => {
    await deploy(commands);
    await deploy(commands, {}, ['--force']);
    expect(puts()).toHaveLength(2);
  });

  it('names DISCORD_TOKEN when it is missing', async () => {
    const err: string[] = [];
    const code = await runDeploy({ DISCORD_API_URL: fake.apiUrl }, commands, [], { out: () => {}, err: (t) => err.push(t) });
    expect(code).toBe(1);
    expect(err.join('\n')).toContain('DISCORD_TOKEN is missing');
  });

  it('explains a refused token', async () => {
    fake.respondWith(() => true, { status: 401, body: { message: '401: Unauthorized', code: 0 } });
    const { code, err } = await deploy(commands);
    expect(code).toBe(1);
    expect(err).toContain('check DISCORD_TOKEN');
  });

  it('prints the Interactions Endpoint URL to set with --url, under any path prefix', async () => {
    const { code, out } = await deploy(commands, {}, ['--url', 'https://bot.example.org/']);
    expect(code).toBe(0);
    expect(out).toContain('Interactions Endpoint URL: https://bot.example.org/discord/interactions');
    expect(out).toContain(`https://discord.com/developers/applications/${fake.applicationId}/information`);
    expect(out).toContain('DISCORD_PUBLIC_KEY is not set in this environment yet.');
    const prefixed = await deploy(commands, { DISCORD_PUBLIC_KEY: 'ab'.repeat(32) }, ['--url=https://example.org/bot']);
    expect(prefixed.out).toContain('Interactions Endpoint URL: https://example.org/bot/discord/interactions');
    expect(prefixed.out).not.toContain('not set');
  });

  it('refuses an --url that is not an https address, and any argument it does not take, before registering anything', async () => {
    for (const [args, message] of [
      [['--url', 'http://bot.example.org'], '--url "http://bot.example.org" is not https'],
      [['--url', 'bot example'], '--url "bot example" is not a URL'],
      [['--url'], "--url needs the bot's public address"],
      [
        ['--urll', 'https://bot.example.org'],
        'discord:deploy does not take "--urll": usage: npm run discord:deploy [-- --force] [--url https://your.host]',
      ],
      [['https://bot.example.org'], 'discord:deploy does not take "https://bot.example.org"'],
      [['--frce'], 'discord:deploy does not take "--frce"'],
      [['--url', 'https://a.example', '--url=https://b.example'], '--url is given twice ("https://a.example" and "https://b.example")'],
    ] as const) {
      const { code, err } = await deploy(commands, {}, [...args]);
      expect(code).toBe(1);
      expect(err).toContain(message);
    }
    expect(puts()).toHaveLength(0);
  });

  it('runs as a script against the same fake', async () => {
    const script = fileURLToPath(new URL('../../../src/adapters/discord/deploy-cli.ts', import.meta.url));
    const tsx = fileURLToPath(new URL('../../../node_modules/.bin/tsx', import.meta.url));
    const { stdout } = await promisify(execFile)(tsx, [script], {
      env: { ...process.env, ...env({ DISCORD_GUILD_ID: '1200000000000000100' }) },
    });
    expect(stdout).toContain(`Registered ${commands.length} commands to guild 1200000000000000100`);
    expect(fake.commands.get('1200000000000000100')?.map((c) => c.name)).toEqual(commands.map((c) => c.name));
  });
});
