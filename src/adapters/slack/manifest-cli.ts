import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify } from 'yaml';
import { commands } from '../../../commands/index.ts';
import { ConfigError, loadConfig } from '../../config.ts';
import { BotError } from '../../core/errors.ts';
import { slackExtensions } from './extensions.ts';
import { buildManifest } from './manifest.ts';

/**
 * `npm run slack:manifest -- --url https://example.org [--socket|--oauth] [--prefix bb-] [--out file]`
 * writes the Slack app manifest generated from the command definitions (JSON, or YAML when the
 * file ends in .yaml/.yml; `--out -` prints it). `--oauth` (the default when SLACK_CLIENT_ID is
 * set) adds what installing in many workspaces needs: the redirect URL and the uninstall events.
 */

const USAGE = `Usage: npm run slack:manifest -- --url https://your.host [--socket|--http|--oauth] [--prefix bb-] [--name "Briefing Bot"] [--out slack-manifest.json]`;

/** Runs the CLI with the given arguments (and environment); returns the exit code. */
export function runManifestCli(
  argv: string[],
  out: (text: string) => void = (t) => process.stdout.write(t),
  /** The environment to read (default: the process's, as loadConfig reads it). */
  env?: Record<string, string | undefined>,
): number {
  let args: ReturnType<typeof parse>;
  try {
    args = parse(argv);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 2;
  }
  if (args.values.help) {
    out(`${USAGE}\n`);
    return 0;
  }
  let prefix = args.values.prefix;
  let socket = args.values.socket ? true : args.values.http || args.values.oauth ? false : undefined;
  let oauth = args.values.oauth ? true : args.values.http || args.values.socket ? false : undefined;
  try {
    const config = loadConfig(env);
    prefix ??= config.SLACK_COMMAND_PREFIX;
    socket ??= config.slack?.mode === 'socket';
    oauth ??= config.slack?.mode === 'oauth';
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    if (prefix === undefined || socket === undefined) {
      process.stderr.write(`${error.message}\n(or pass --prefix and --socket, --http or --oauth to skip reading the configuration)\n`);
      return 2;
    }
  }
  try {
    const manifest = buildManifest({
      commands,
      extensions: slackExtensions,
      prefix: prefix ?? '',
      socketMode: socket ?? false,
      oauth: oauth ?? false,
      ...(args.values.url ? { url: args.values.url } : {}),
      ...(args.values.name ? { name: args.values.name } : {}),
    });
    const file = args.values.out ?? 'slack-manifest.json';
    const text = /\.ya?ml$/i.test(file) ? stringify(manifest) : `${JSON.stringify(manifest, null, 2)}\n`;
    if (file === '-') out(text);
    else {
      writeFileSync(file, text);
      process.stderr.write(
        `Wrote ${file}: ${manifest.features.slash_commands.length} slash commands, Socket Mode ${manifest.settings.socket_mode_enabled ? 'on' : 'off'}${oauth ? `, OAuth redirect ${manifest.oauth_config.redirect_urls?.[0]}` : ''}.\n`,
      );
    }
    return 0;
  } catch (error) {
    if (error instanceof BotError) {
      process.stderr.write(`${error.message}\n${USAGE}\n`);
      return 2;
    }
    throw error;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    options: {
      url: { type: 'string' },
      socket: { type: 'boolean' },
      http: { type: 'boolean' },
      oauth: { type: 'boolean' },
      prefix: { type: 'string' },
      name: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.exitCode = runManifestCli(process.argv.slice(2));
}
