import { pathToFileURL } from 'node:url';
import { commands } from '../commands/index.ts';
import { runChat } from './adapters/console/chat.ts';
import type { ConsoleDeps } from './adapters/console/session.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import type { Services } from './core/command.ts';
import { Library } from './core/library.ts';
import { loadContentDir } from './core/load-content.ts';
import { PassageIndex } from './core/search/passage-index.ts';
import { createLogger, type Logger } from './logger.ts';
import { setupRegistry } from './register/index.ts';

/** Everything a running bot shares across adapters. */
export interface Runtime {
  config: Config;
  logger: Logger;
  library: Library;
  services: Services;
  close(): Promise<void>;
}

/** Loads the shipped content into a fresh library and index. */
export async function createRuntime(config: Config, logger: Logger): Promise<Runtime> {
  const library = new Library(new PassageIndex());
  const { entries, problems } = await loadContentDir(config.BRIEFING_CONTENT_DIR);
  for (const p of problems) logger.warn({ file: p.file, errors: p.errors }, 'content file skipped');
  for (const e of entries) {
    if (e.warnings.length) logger.debug({ file: e.file, warnings: e.warnings }, 'content file has warnings');
    library.add(e.article, { addedAt: e.mtime, origin: 'content' });
  }
  logger.info({ articles: library.size, passages: library.index.documentCount }, 'library loaded');
  const services: Services = {};
  // Registered briefings load after the shipped content (a registered revision replaces a shipped one).
  const registration = await setupRegistry({ config, library, services, logger, watch: true }).catch((err: unknown) => {
    logger.warn({ err }, 'registering briefings is unavailable: the data store could not be opened');
    return undefined;
  });
  return { config, logger, library, services, close: async () => registration?.close() };
}

export function consoleDeps(runtime: Runtime): ConsoleDeps {
  return { library: runtime.library, commands, services: runtime.services, logger: runtime.logger };
}

/** `npm start`: every configured adapter; the terminal chat when no chat tokens are set. */
export async function main(env: Record<string, string | undefined> = process.env): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      return 2;
    }
    throw error;
  }
  // In the terminal chat, info logs would interleave with answers; show warnings unless asked.
  const logger = createLogger(env.LOG_LEVEL ? config.LOG_LEVEL : config.console ? 'warn' : 'info');
  const runtime = await createRuntime(config, logger);
  const stops: (() => Promise<void>)[] = [];
  const shutdown = async () => {
    for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err }, 'shutdown step failed'));
    await runtime.close();
  };
  if (config.console) {
    await runChat(consoleDeps(runtime), { input: process.stdin, output: process.stdout, interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY) });
    await shutdown();
    return 0;
  }
  await new Promise<void>((resolve) => {
    const onSignal = () => resolve();
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await shutdown();
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    (code) => process.exit(code),
    (err) => {
      process.stderr.write(`briefing-bot failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
      process.exit(1);
    },
  );
}
