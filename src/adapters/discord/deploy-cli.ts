import { pathToFileURL } from 'node:url';
import { REST } from 'discord.js';
import { ConfigError, loadConfig } from '../../config.ts';
import type { AnyCommand } from '../../core/command.ts';
import { deployCommands, describeDeploy } from './deploy.ts';

/**
 * `npm run discord:deploy [-- --force]`: registers the slash commands generated from the
 * command definitions, globally or to DISCORD_GUILD_ID, and prints what changed.
 */

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
      force: args.includes('--force'),
    });
    io.out(describeDeploy(result));
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
