import { pathToFileURL } from 'node:url';
import { REST } from 'discord.js';
import { ConfigError, loadConfig } from '../../config.ts';
import type { AnyCommand } from '../../core/command.ts';
import { deployCommands, describeDeploy } from './deploy.ts';
import { INTERACTIONS_PATH } from './http-endpoint.ts';

/**
 * `npm run discord:deploy [-- --force] [--url https://your.host]`: registers the slash commands
 * generated from the command definitions, globally or to DISCORD_GUILD_ID, and prints what
 * changed; with `--url`, also the Interactions Endpoint URL to set in the Developer Portal.
 */

/**
 * The Interactions Endpoint URL for the bot's public base URL (`https://bot.example.org` or
 * `https://example.org/bot`), or an error naming the value. Discord only calls HTTPS endpoints.
 */
export function interactionsEndpointUrl(base: string): { url: string } | { error: string } {
  if (!URL.canParse(base)) return { error: `--url "${base}" is not a URL: give the bot's public address, such as https://bot.example.org` };
  const url = new URL(base);
  if (url.protocol !== 'https:') {
    return { error: `--url "${base}" is not https: Discord only sends interactions to https:// addresses (put TLS in front of PORT)` };
  }
  url.search = '';
  url.hash = '';
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(INTERACTIONS_PATH) ? path : `${path}${INTERACTIONS_PATH}`;
  return { url: url.toString() };
}

const USAGE = 'usage: npm run discord:deploy [-- --force] [--url https://your.host]';

/**
 * The command line: `--force`, and `--url <address>` (or `--url=<address>`) at most once. Anything
 * else is refused, naming it, before Discord is called: a mistyped `--urll` would otherwise register
 * the commands and print no endpoint without saying why.
 */
export function deployArgs(args: readonly string[]): { force: boolean; url?: string } | { error: string } {
  let force = false;
  let url: string | undefined;
  let given: string | undefined;
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    if (arg === '--force') {
      force = true;
      continue;
    }
    if (arg === '--url' || arg.startsWith('--url=')) {
      const value = arg === '--url' ? args[++i] : arg.slice('--url='.length);
      if (!value || value.startsWith('--')) return { error: "--url needs the bot's public address, such as --url https://bot.example.org" };
      if (given !== undefined) return { error: `--url is given twice ("${given}" and "${value}"): give the bot's public address once` };
      const endpoint = interactionsEndpointUrl(value);
      if ('error' in endpoint) return endpoint;
      given = value;
      url = endpoint.url;
      continue;
    }
    return { error: `discord:deploy does not take "${arg.slice(0, 80)}": ${USAGE}` };
  }
  return { force, ...(url ? { url } : {}) };
}

export interface DeployIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

/** Runs the deployment; returns the process exit code. `env` defaults to the process environment (read by src/config.ts). */
export async function runDeploy(
  env: Record<string, string | undefined> | undefined,
  commands: readonly AnyCommand[],
  args: readonly string[] = [],
  io: DeployIo = { out: (t) => process.stdout.write(`${t}\n`), err: (t) => process.stderr.write(`${t}\n`) },
): Promise<number> {
  const parsed = deployArgs(args);
  if ('error' in parsed) {
    io.err(parsed.error);
    return 1;
  }
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
  if (!config.discord) {
    io.err('DISCORD_TOKEN is missing: set the bot token (and DISCORD_APPLICATION_ID) to register the commands.');
    return 1;
  }
  const rest = new REST({ ...(config.DISCORD_API_URL ? { api: config.DISCORD_API_URL } : {}), retries: 1, timeout: 15_000 });
  rest.setToken(config.discord.token);
  try {
    const applicationId = config.discord.applicationId ?? String(((await rest.get('/applications/@me')) as { id: string }).id);
    const result = await deployCommands(rest, {
      applicationId,
      ...(config.DISCORD_GUILD_ID ? { guildId: config.DISCORD_GUILD_ID } : {}),
      commands,
      force: parsed.force,
    });
    io.out(describeDeploy(result));
    if (parsed.url) {
      io.out(
        [
          '',
          `Interactions Endpoint URL: ${parsed.url}`,
          `  Set it at https://discord.com/developers/applications/${applicationId}/information once the bot runs there with`,
          "  DISCORD_PUBLIC_KEY (the same page's Public Key): Discord checks the URL with a signed PING when you save it.",
          config.discord.publicKey ? '' : '  DISCORD_PUBLIC_KEY is not set in this environment yet.',
        ]
          .filter((line, i, all) => line !== '' || i < all.length - 1)
          .join('\n'),
      );
    }
    return 0;
  } catch (error) {
    const status = (error as { status?: number }).status;
    const hint =
      status === 401
        ? ' (check DISCORD_TOKEN)'
        : status === 403 || status === 404
          ? ' (check DISCORD_APPLICATION_ID and DISCORD_GUILD_ID)'
          : '';
    io.err(`discord:deploy failed: ${(error as Error).message}${hint}`);
    return 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { commands } = await import('../../../commands/index.ts');
  process.exitCode = await runDeploy(undefined, commands, process.argv.slice(2));
}
