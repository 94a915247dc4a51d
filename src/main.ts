import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { commands } from '../commands/index.ts';
import { runChat } from './adapters/console/chat.ts';
import { renderText } from './adapters/console/render.ts';
import type { ConsoleDeps } from './adapters/console/session.ts';
import { discordConfig, discordPublicKey, INTERACTIONS_PATH, startDiscord, startingEndpoint } from './adapters/discord/index.ts';
import { EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH, startSlack } from './adapters/slack/index.ts';
import { type Config, ConfigError, loadConfig } from './config.ts';
import { type Article, articleSchema } from './core/article.ts';
import type { ChannelSender } from './core/channel.ts';
import type { Platform, Services } from './core/command.ts';
import { Library } from './core/library.ts';
import { loadContentDir } from './core/load-content.ts';
import { loadOrBuild } from './core/search/snapshot.ts';
import { textSyntax } from './core/syntax.ts';
import { createMetrics, type Metrics } from './http/metrics.ts';
import { serveProbes } from './http/probes.ts';
import { HttpServer } from './http/server.ts';
import { createLogger, type Logger } from './logger.ts';
import { setupRegistry } from './register/index.ts';
import { createConsoleSender, type DigestSetup, setupDigests } from './scheduler/index.ts';
import { openStore, operatorError } from './store/index.ts';
import { observeStore } from './store/observed.ts';
import type { Store } from './store/types.ts';
import { BuildPool, buildWorkerCount } from './workers/build-pool.ts';
import { autoWorkerCount, SearchPool } from './workers/search-pool.ts';

const KEY_PURGE_INTERVAL_MS = 10 * 60_000;

/** Everything a running bot shares across adapters. */
export interface Runtime {
  config: Config;
  logger: Logger;
  library: Library;
  services: Services;
  /** Undefined only with STORE=off. */
  store: Store | undefined;
  /** Filled as adapters start; the digest scheduler reads it on every sweep. */
  senders: Map<Platform, ChannelSender>;
  digests: DigestSetup | undefined;
  close(): Promise<void>;
}

/** The registered briefings' latest visible revisions, so the index snapshot can cover them. */
async function registeredArticles(store: Store): Promise<Article[]> {
  const out: Article[] = [];
  for (const revision of await store.articles.listLatest()) {
    const checked = articleSchema.safeParse(revision.article);
    if (checked.success) out.push(checked.data);
  }
  return out;
}

/**
 * Reads the content folder and the registered briefings and loads or builds their index.
 * Parsed briefings are cached in the data folder: unchanged files are not parsed again, and
 * articles stay on disk until a command reads them (see core/content-cache.ts). Much to parse
 * or index (a first start) is shared out to worker threads, stopped once done.
 */
async function loadLibraryContent(config: Config, store: Store | undefined, logger: Logger) {
  const threads = buildWorkerCount();
  const pool = threads > 0 ? new BuildPool({ workers: threads, logger }) : undefined;
  try {
    const content = await loadContentDir(config.BRIEFING_CONTENT_DIR, {
      cacheDir: join(config.BRIEFING_DATA_DIR, 'content-cache'),
      ...(pool ? { parseFiles: pool.parseFiles } : {}),
    });
    await pool?.stopThreads();
    if (content.cache?.saveError)
      logger.warn({ err: content.cache.saveError }, 'the content cache could not be saved; the next start parses every file');
    for (const p of content.problems) logger.warn({ file: p.file, errors: p.errors }, 'content file skipped');
    const registered = store ? await registeredArticles(store) : [];
    const byId = new Map<string, Article>();
    for (const article of [...content.entries.map((e) => e.article), ...registered]) byId.set(article.id, article);
    const built = await loadOrBuild({
      articles: [...byId.values()],
      // Also with STORE=off (a bot kept answering while its database is being restored): it starts as fast.
      snapshotPath: join(config.BRIEFING_DATA_DIR, 'index.snapshot'),
      ...(pool ? { build: pool.build } : {}),
    });
    return { content, built };
  } finally {
    await pool?.close();
  }
}

/**
 * Opens the store, loads shipped and registered briefings into the library (from the index
 * snapshot when it matches), and sets up registration and digests. Adapters start in `main`.
 */
export async function createRuntime(config: Config, logger: Logger, options: { metrics?: Metrics } = {}): Promise<Runtime> {
  let store: Store | undefined;
  if (config.STORE === 'off') {
    logger.warn(
      { dataDir: config.BRIEFING_DATA_DIR },
      'STORE=off: running without the data store; registration, digests and the audit log are off',
    );
  } else {
    // Never without the store unless told so: a database that cannot be opened stops the start (a StoreFailure).
    store = await openStore({
      dataDir: config.BRIEFING_DATA_DIR,
      databaseUrl: config.DATABASE_URL,
      lockTimeoutMs: config.STORE_LOCK_TIMEOUT_MS,
      log: logger,
    });
    if (options.metrics) store = observeStore(store, options.metrics.observer);
  }
  const { content, built } = await loadLibraryContent(config, store, logger);
  const { entries } = content;
  if (built.saveError) logger.warn({ err: built.saveError }, 'the index snapshot could not be saved; the next start rebuilds it');
  const library = new Library(built.index);
  for (const e of entries) {
    if (e.warnings.length) logger.debug({ file: e.file, warnings: e.warnings }, 'content file has warnings');
    library.add(e.article, { addedAt: e.mtime, origin: 'content' });
  }
  const services: Services = options.metrics ? { observer: options.metrics.observer } : {};
  const senders = new Map<Platform, ChannelSender>();
  // Registered briefings load after the shipped content (a registered revision replaces a shipped one).
  const registration = store ? await setupRegistry({ config, library, services, logger, store, watch: true }) : undefined;
  const digests = store ? await setupDigests({ config, library, services, senders, logger, store }) : undefined;
  logger.info(
    {
      articles: library.size,
      documents: library.index.documentCount,
      index: built.from,
      reason: built.reason,
      indexAdded: built.added,
      parsed: content.cache?.parsed.length,
      cached: content.cache?.reused,
    },
    'library loaded',
  );
  // Expired shared keys (retry de-duplication, button state) are swept now and then by whichever process gets there.
  const purge = store
    ? setInterval(() => {
        store.keys.purgeExpired(new Date().toISOString()).catch((err: unknown) => logger.warn({ err }, 'purging expired keys failed'));
      }, KEY_PURGE_INTERVAL_MS).unref()
    : undefined;
  return {
    config,
    logger,
    library,
    services,
    store,
    senders,
    digests,
    async close() {
      clearInterval(purge);
      await digests?.close();
      await registration?.close();
      await store?.close();
    },
  };
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
  const metrics = createMetrics();
  const adapters = new Map<string, () => { connected: boolean }>();
  let runtime: Runtime | undefined;
  let pool: SearchPool | undefined;
  let draining = false;
  // Set once the runtime is up and the store has been pinged since it opened.
  let loaded = false;
  // With any chat platform configured, one HTTP server on PORT serves them all and the probes.
  // It listens before the index loads, so /readyz can say "not yet" while a replica starts.
  const http = config.slack || config.discord ? new HttpServer({ logger }) : undefined;
  let probes: ReturnType<typeof serveProbes> | undefined;
  if (http) {
    // Slack and Discord requests that arrive while the bot starts wait for their handler, briefly.
    const slackPaths = config.slack?.mode === 'oauth' ? [EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH] : [EVENTS_PATH];
    http.expect(config.slack && config.slack.mode !== 'socket' ? slackPaths : []);
    // Discord does not retry an interaction: past the wait, verified ones are told the bot is starting.
    if (config.discord?.publicKey) {
      http.expect(
        [INTERACTIONS_PATH],
        undefined,
        startingEndpoint({ publicKey: discordPublicKey(config.discord.publicKey), logger: logger.child({ adapter: 'discord' }) }),
      );
    }
    probes = serveProbes(http, {
      index: () => ({
        loaded,
        articles: runtime?.library.size ?? 0,
        documents: runtime?.library.index.documentCount ?? 0,
      }),
      store: {
        get kind() {
          return runtime?.store?.kind ?? 'opening';
        },
        async ping() {
          if (!runtime) throw new Error('the store is not open yet');
          if (!runtime.store) throw new Error('the store could not be opened');
          await runtime.store.ping();
        },
      },
      // STORE=off: no store to wait for; /readyz and /healthz say "off".
      ...(config.STORE === 'off' ? { store: undefined } : {}),
      adapters: () => Object.fromEntries([...adapters].map(([name, health]) => [name, health()])),
      // Search workers do not count towards `ok`: until one is ready, searches run on the main thread.
      extra: () => (pool ? { search: pool.stats } : {}),
      draining: () => draining,
    });
    http.route(['GET'], '/metrics', (req, res) => metrics.handler(req, res));
    try {
      await http.listen(config.PORT, config.HOST);
    } catch (err) {
      process.stderr.write(
        `briefing-bot could not listen on ${config.HOST}:${config.PORT}: ${(err as Error).message}; set PORT to a free port\n`,
      );
      return 1;
    }
    logger.info({ port: http.port }, 'HTTP server listening (/healthz, /readyz, /metrics)');
  }
  try {
    runtime = await createRuntime(config, logger, { metrics });
  } catch (err) {
    // A store that cannot be opened (or any other start failure): its message says what to do; no stack trace.
    await http?.close();
    const shown = operatorError(err);
    process.stderr.write(`briefing-bot could not start: ${shown instanceof Error ? shown.message : String(shown)}\n`);
    return 1;
  }
  // A /healthz or /readyz while the store was still opening saw it "not open yet": ping it again
  // before reporting the index loaded, so no probe shows a loaded replica with its store down.
  await probes?.monitor?.refresh();
  loaded = true;
  const { library, services, senders } = runtime;
  metrics.gauge('articles', 'Briefings loaded in the index', () => library.size);
  metrics.gauge('index_documents', 'Passages and other documents in the search index', () => library.index.documentCount);
  const stops: (() => Promise<void>)[] = [];
  const shutdown = async () => {
    draining = true;
    // New requests go to other replicas from here; those already in progress are answered first.
    await http?.close();
    // Scheduling stops next, so no digest is sent through an adapter that is going away.
    await runtime.digests?.scheduler.stop().catch((err: unknown) => logger.error({ err }, 'stopping the scheduler failed'));
    for (const stop of stops.reverse()) await stop().catch((err) => logger.error({ err }, 'shutdown step failed'));
    await runtime?.close();
  };
  // Listen from the start: a signal while adapters are still connecting shuts down cleanly too.
  const signalled = config.console
    ? undefined
    : new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
  const workers = config.SEARCH_WORKERS === 'auto' ? autoWorkerCount(library.index.documentCount) : config.SEARCH_WORKERS;
  try {
    pool = workers > 0 ? SearchPool.start(library, { workers, logger }) : undefined;
  } catch (err) {
    logger.error({ err, workers }, 'search workers could not start; searching on the main thread');
  }
  if (pool) {
    const started = pool;
    // Pushed first, so it stops last: answers still in progress during shutdown get their searches.
    stops.push(() => started.close());
    logger.info({ workers, documents: library.index.documentCount }, 'search workers starting');
  }
  const discord = discordConfig(config);
  // Listed as not connected until it is ready, so /healthz is not ok while Discord still logs in.
  if (discord) adapters.set('discord', () => ({ connected: false }));
  try {
    if (config.slack) {
      const { store } = runtime;
      const slack = await startSlack({
        config,
        library,
        commands,
        services,
        logger,
        ...(http ? { http } : {}),
        // Shared keys and installations live in the store, so every replica and every restart sees them.
        ...(store ? { keys: store.keys, workspaces: store } : {}),
      });
      adapters.set('slack', () => slack.health());
      senders.set('slack', slack.sender);
      stops.push(() => slack.stop());
    }
    if (discord) {
      const client = await startDiscord({
        config: discord,
        library,
        commands,
        services,
        logger,
        maxDownloadBytes: config.REGISTER_MAX_BYTES,
        downloadTimeoutMs: config.REGISTER_URL_TIMEOUT_MS,
        // /discord/interactions (with DISCORD_PUBLIC_KEY) and button state every replica shares.
        ...(http ? { http } : {}),
        ...(runtime.store ? { keys: runtime.store.keys } : {}),
      });
      adapters.set('discord', () => client.health());
      senders.set('discord', client.sender);
      stops.push(() => client.stop());
    }
  } catch (err) {
    logger.error({ err }, 'an adapter failed to start');
    await shutdown();
    process.stderr.write(`briefing-bot could not start: ${err instanceof Error ? err.message : String(err)}\n`);
    return 1;
  }
  const interactive = Boolean(process.stdin.isTTY && process.stdout.isTTY);
  // Piped input is a script: it gets answers, never a scheduled digest in between.
  if (config.console && interactive)
    senders.set(
      'console',
      createConsoleSender({ output: process.stdout, render: (reply) => renderText(reply, { color: true }), syntax: textSyntax(commands) }),
    );
  if (senders.size > 0) await runtime.digests?.start();
  if (config.console) {
    await runChat(consoleDeps(runtime), { input: process.stdin, output: process.stdout, interactive });
    await shutdown();
    return 0;
  }
  logger.info({ adapters: [...adapters.keys()] }, 'briefing-bot is running');
  await signalled;
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
