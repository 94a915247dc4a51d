import { parseArgs } from 'node:util';
import { execBatch, execOnce } from './adapters/console/exec.ts';
import { ConfigError, loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { consoleDeps, createRuntime, main } from './main.ts';
import { REGISTER_USAGE, registrationCli } from './register/cli.ts';
import { STORE_USAGE, storeCli } from './store/cli.ts';
import { operatorError } from './store/index.ts';

const USAGE = `Usage:
  briefing-bot                         start the bot (terminal chat when no chat tokens are set)
  briefing-bot exec "<command>" [--json]   answer one command, e.g. exec "/source 6" --json
  briefing-bot exec [--json] < lines    answer one command a line from stdin (JSON Lines with --json)
${REGISTER_USAGE}
${STORE_USAGE}
  briefing-bot help                    this text`;

type CliCommand = (args: string[]) => Promise<number>;

async function runtimeForCli() {
  const config = loadConfig();
  const logger = createLogger(process.env.LOG_LEVEL ? config.LOG_LEVEL : 'warn');
  return Object.assign(await createRuntime(config, logger), { storeOff: config.STORE === 'off' });
}

const exec: CliCommand = async (args) => {
  const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
  const runtime = await runtimeForCli();
  try {
    const deps = consoleDeps(runtime);
    const line = positionals.join(' ').trim();
    return line
      ? await execOnce(deps, line, values.json, process.stdout)
      : await execBatch(deps, process.stdin, values.json, process.stdout);
  } finally {
    await runtime.close();
  }
};

/** Subcommands of the `briefing-bot` binary. */
export const cliCommands: Record<string, CliCommand> = {
  start: () => main(),
  exec,
  ...registrationCli(runtimeForCli),
  ...storeCli(() => loadConfig()),
  help: async () => {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  },
};

export async function cli(argv: string[]): Promise<number> {
  const [name = 'start', ...rest] = argv;
  const command = cliCommands[name === '--help' || name === '-h' ? 'help' : name];
  if (!command) {
    process.stderr.write(`Unknown command "${name}".\n${USAGE}\n`);
    return 2;
  }
  try {
    return await command(rest);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      return 2;
    }
    if (error instanceof Error && 'code' in error && String(error.code).startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    const shown = operatorError(error);
    process.stderr.write(`briefing-bot: ${shown instanceof Error ? shown.message : String(shown)}\n`);
    return 1;
  }
}
