import { createInterface } from 'node:readline/promises';
import { parseArgs } from 'node:util';
import auditCommand from '../../commands/audit.ts';
import { commands } from '../../commands/index.ts';
import registerCommand from '../../commands/register.ts';
import unregisterCommand from '../../commands/unregister.ts';
import { renderText } from '../adapters/console/render.ts';
import { consoleContext } from '../adapters/console/session.ts';
import type { AnyCommand, CommandContext, Services } from '../core/command.ts';
import { type DispatchLog, type RawOptions, runCommand } from '../core/dispatch.ts';
import { exportMarkdown } from '../core/import/export-markdown.ts';
import type { Library } from '../core/library.ts';
import { type Reply, toJson } from '../core/reply.ts';
import { type CommandSyntax, textSyntax } from '../core/syntax.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { type RegisterConfig, type RegistrySetup, setupRegistry } from './index.ts';

/** What the CLI subcommands need from the runtime the CLI entry builds. */
export interface CliRuntime {
  config: RegisterConfig;
  library: Library;
  services: Services;
  logger: DispatchLog & { info(obj: Record<string, unknown>, msg: string): void; warn(obj: Record<string, unknown>, msg: string): void };
  /** STORE=off: no registry is set up, so the commands say registration is off. */
  storeOff?: boolean;
  close(): Promise<void>;
}

export interface CliIo {
  stdin: NodeJS.ReadableStream & { isTTY?: boolean };
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  stderr: NodeJS.WritableStream;
}

type CliCommand = (args: string[]) => Promise<number>;

export const REGISTER_USAGE = `  briefing-bot register <file|url> [--yes] [--json]   register a briefing (preview; --yes publishes)
  briefing-bot unregister <id> [--json]          hide a registered briefing (its history is kept)
  briefing-bot export <id> [--revision n]        print a briefing as Markdown with front matter
  briefing-bot audit [--article id] [--json]     who registered or unregistered what`;

/** Reads the store the registry setup opened, or opens (and closes) one for the read. */
async function withStore<T>(runtime: CliRuntime, setup: RegistrySetup | undefined, read: (store: Store) => Promise<T>): Promise<T> {
  if (setup) return read(setup.store);
  const store = await openStore({ dataDir: runtime.config.BRIEFING_DATA_DIR, databaseUrl: runtime.config.DATABASE_URL });
  try {
    return await read(store);
  } finally {
    await store.close();
  }
}

/**
 * What `export <id>` says of a stored briefing the bot does not load: unregistered (hidden), or
 * stored but no longer valid; either way, how to export a kept revision.
 */
function notLoadedMessage(id: string, latest: { revision: number; hidden: boolean }): string {
  const n = latest.revision;
  const how = `Export one with --revision N, e.g. briefing-bot export ${id} --revision ${n} (briefing-bot audit --article ${id} lists who registered what).`;
  if (!latest.hidden) return `"${id}" is stored (revision ${n}) but not loaded: it no longer validates. ${how}`;
  return `"${id}" is unregistered: it is hidden from the bot, but ${n === 1 ? 'its revision 1 is' : `its revisions 1-${n} are`} kept. ${how}`;
}

/** Runs one subcommand with the registry wired (the runtime may already carry one). */
async function withRegistry<T>(
  makeRuntime: () => Promise<CliRuntime>,
  work: (runtime: CliRuntime, setup?: RegistrySetup) => Promise<T>,
): Promise<T> {
  const runtime = await makeRuntime();
  let setup: RegistrySetup | undefined;
  try {
    if (!runtime.services.registry && !runtime.storeOff)
      setup = await setupRegistry({ config: runtime.config, library: runtime.library, services: runtime.services, logger: runtime.logger });
    return await work(runtime, setup);
  } finally {
    await setup?.close();
    await runtime.close();
  }
}

/** The subcommands of `briefing-bot` that stand for chat commands of the same name. */
const CLI_COMMANDS = new Set(['register', 'unregister', 'audit']);

/**
 * How the CLI's replies name commands: `briefing-bot unregister <id>` for the ones it has; a
 * chat command it has not is named as in chat (`/articles lists it`), and an invocation of one
 * is written `briefing-bot exec "/brief …"`.
 */
export function cliSyntax(list: readonly AnyCommand[] = commands): CommandSyntax {
  const slash = textSyntax(list);
  const cli = (text: string) => `briefing-bot ${text.slice(1)}`;
  return {
    name: (command, subcommand) => (CLI_COMMANDS.has(command) ? cli(slash.name(command, subcommand)) : slash.name(command, subcommand)),
    mention: (command, options, subcommand) => {
      const text = slash.mention(command, options, subcommand);
      return CLI_COMMANDS.has(command) ? cli(text) : `briefing-bot exec "${text.replace(/"/g, "'")}"`;
    },
    usage: (command, subcommand) =>
      CLI_COMMANDS.has(command.name) ? cli(slash.usage(command, subcommand)) : slash.usage(command, subcommand),
  };
}

function contextOf(runtime: CliRuntime): CommandContext {
  return consoleContext(
    { library: runtime.library, commands: [], services: runtime.services, logger: runtime.logger, syntax: cliSyntax() },
    'cli',
  );
}

function print(io: CliIo, reply: Reply, json: boolean): number {
  io.stdout.write(`${json ? JSON.stringify(toJson(reply)) : renderText(reply, { color: Boolean(io.stdout.isTTY) })}\n`);
  return reply.ok ? 0 : 1;
}

async function run(command: AnyCommand, raw: RawOptions, runtime: CliRuntime): Promise<Reply> {
  return runCommand(command, raw, contextOf(runtime), runtime.logger);
}

async function ask(io: CliIo, question: string): Promise<boolean> {
  const rl = createInterface({ input: io.stdin, output: io.stdout });
  try {
    return /^y(?:es)?$/i.test((await rl.question(question)).trim());
  } finally {
    rl.close();
  }
}

/**
 * The `register`, `unregister`, `export` and `audit` subcommands of the `briefing-bot` binary.
 * `makeRuntime` builds the runtime (config, library with the shipped content, services).
 */
export function registrationCli(makeRuntime: () => Promise<CliRuntime>, io: CliIo = process): Record<string, CliCommand> {
  const usage = (message: string): number => {
    io.stderr.write(`${message}\nUsage:\n${REGISTER_USAGE}\n`);
    return 2;
  };
  return {
    register: async (args) => {
      const { values, positionals } = parseArgs({
        args,
        options: { yes: { type: 'boolean', short: 'y', default: false }, json: { type: 'boolean', default: false } },
        allowPositionals: true,
      });
      if (positionals.length !== 1)
        return usage(positionals.length ? `register takes one file or URL, got ${positionals.length}` : 'register needs a file or URL');
      return withRegistry(makeRuntime, async (runtime) => {
        const reply = await run(registerCommand, { url: positionals[0], yes: values.yes }, runtime);
        const publish = reply.ok ? reply.actions?.find((a) => a.type === 'run' && a.label === 'Publish') : undefined;
        if (!reply.ok || !publish || publish.type !== 'run') return print(io, reply, values.json);
        const interactive = Boolean(io.stdin.isTTY && io.stdout.isTTY) && !values.json;
        if (!interactive)
          return print(io, { ...reply, footer: 'Not published: nothing was stored. Run it again with --yes to publish.' }, values.json);
        print(io, { ...reply, footer: 'Nothing is stored until you answer yes.' }, false);
        if (!(await ask(io, 'Publish it? [y/N] '))) {
          io.stdout.write('Not published: nothing was stored.\n');
          return 0;
        }
        return print(io, await run(registerCommand, publish.invoke.options, runtime), false);
      });
    },
    unregister: async (args) => {
      const { values, positionals } = parseArgs({ args, options: { json: { type: 'boolean', default: false } }, allowPositionals: true });
      if (positionals.length !== 1) return usage('unregister needs the id of one registered briefing');
      return withRegistry(makeRuntime, async (runtime) =>
        print(io, await run(unregisterCommand, { id: positionals[0] }, runtime), values.json),
      );
    },
    audit: async (args) => {
      const { values } = parseArgs({ args, options: { article: { type: 'string' }, json: { type: 'boolean', default: false } } });
      return withRegistry(makeRuntime, async (runtime) =>
        print(io, await run(auditCommand, values.article ? { article: values.article } : {}, runtime), values.json),
      );
    },
    export: async (args) => {
      const { values, positionals } = parseArgs({ args, options: { revision: { type: 'string' } }, allowPositionals: true });
      if (positionals.length !== 1) return usage('export needs the id of one briefing');
      const wanted = positionals[0] as string;
      return withRegistry(makeRuntime, async (runtime, setup) => {
        const stored = <T>(read: (store: Store) => Promise<T>): Promise<T> => withStore(runtime, setup, read);
        if (values.revision !== undefined) {
          if (runtime.storeOff) {
            io.stderr.write('✖ Stored revisions cannot be read with STORE=off: unset STORE to read the data store.\n');
            return 1;
          }
          const n = Number(values.revision);
          const found = Number.isInteger(n) && n >= 1 ? await stored((store) => store.articles.revision(wanted, n)) : undefined;
          if (!found) {
            io.stderr.write(
              `✖ No revision "${values.revision}" of "${wanted}" is stored: give a revision number listed by "briefing-bot audit --article ${wanted}".\n`,
            );
            return 1;
          }
          io.stdout.write(exportMarkdown(found.article));
          return 0;
        }
        const resolved = runtime.library.resolve(wanted);
        if (resolved.ok) {
          io.stdout.write(exportMarkdown(resolved.article));
          return 0;
        }
        // Not loaded, but perhaps registered and then unregistered: its revisions are kept.
        const id = wanted.trim().toLowerCase();
        const kept =
          resolved.code === 'unknown-article' ? await stored((store) => store.articles.latest(id, { includeHidden: true })) : undefined;
        io.stderr.write(`✖ ${kept ? notLoadedMessage(id, kept) : resolved.message}\n`);
        return 1;
      });
    },
  };
}
