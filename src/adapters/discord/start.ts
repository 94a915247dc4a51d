import { Client, Events, GatewayIntentBits, Options, Status } from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { ChannelSender } from '../../core/channel.ts';
import type { AnyCommand, Services } from '../../core/command.ts';
import { BotError } from '../../core/errors.ts';
import type { Library } from '../../core/library.ts';
import type { Observer } from '../../core/observer.ts';
import { InFlight } from '../../http/in-flight.ts';
import type { HttpServer } from '../../http/server.ts';
import { memoryKeyStore } from '../../store/memory-keys.ts';
import type { KeyStore } from '../../store/types.ts';
import { CallbackRouter } from './callback-router.ts';
import { ButtonState } from './components.ts';
import { attachmentDownloader } from './context.ts';
import { INTERACTIONS_PATH, interactionsEndpoint } from './http-endpoint.ts';
import { createInteractionHandler } from './interactions.ts';
import { createChannelSender, rejectLongChannelWaits } from './sender.ts';
import { discordPublicKey } from './signature.ts';
import { discordSyntax } from './syntax.ts';

/** What the Discord adapter needs from the configuration. */
export interface DiscordConfig {
  token: string;
  applicationId?: string;
  /** REST base (DISCORD_API_URL), e.g. `http://127.0.0.1:4000/api`; the gateway address follows it. */
  apiUrl?: string;
  /** Members with this role count as moderators (besides Manage Server). */
  moderatorRoleId?: string;
  /** The application's public key (hex): interactions are served at /discord/interactions on `deps.http`. */
  publicKey?: string;
  /** Open a gateway connection (default true). Off, the bot only answers over HTTP and posts over REST. */
  gateway?: boolean;
}

/** The Discord slice of the validated configuration; undefined when DISCORD_TOKEN is unset. */
export function discordConfig(config: Config): DiscordConfig | undefined {
  if (!config.discord) return undefined;
  return {
    token: config.discord.token,
    ...(config.discord.applicationId ? { applicationId: config.discord.applicationId } : {}),
    ...(config.DISCORD_API_URL ? { apiUrl: config.DISCORD_API_URL } : {}),
    ...(config.DISCORD_MODERATOR_ROLE_ID ? { moderatorRoleId: config.DISCORD_MODERATOR_ROLE_ID } : {}),
    ...(config.discord.publicKey ? { publicKey: config.discord.publicKey } : {}),
    gateway: config.discord.gateway,
  };
}

export interface DiscordDeps {
  config: DiscordConfig;
  library: Library;
  commands: readonly AnyCommand[];
  services?: Services;
  logger: Logger;
  now?: () => Date;
  /** Wait this long for a command before deferring the answer (default 1,500 ms; Discord allows 3 s in all). */
  deferAfterMs?: number;
  /** Largest attachment `ctx.download` fetches (default 8 MiB; pass REGISTER_MAX_BYTES). */
  maxDownloadBytes?: number;
  /** How long `ctx.download` may take (default 15 s; pass REGISTER_URL_TIMEOUT_MS). */
  downloadTimeoutMs?: number;
  /** Channel posts wait out rate limits up to this long, then fail as `rate-limited` (default 2,000 ms). */
  channelMaxWaitMs?: number;
  /** REST tuning (tests use `retries: 0`). */
  rest?: { retries?: number; timeout?: number; offset?: number };
  /**
   * The bot's shared HTTP server; with `config.publicKey` the adapter adds POST
   * /discord/interactions to it (the caller listens).
   */
  http?: HttpServer;
  /**
   * Where button state lives (long invocations, who shared what): the store's shared keys, so
   * every replica sees it. Default: this process's memory.
   */
  keys?: KeyStore;
  /** Epoch milliseconds for the signature time window of HTTP interactions (tests). */
  clock?: () => number;
  /** How long `stop` waits for answers still on their way (default 8 s, inside the usual 10 s a deploy allows). */
  drainMs?: number;
  /** An HTTP interaction still unanswered after this long is deferred by the endpoint (default 2,500 ms). */
  interactionFallbackMs?: number;
}

/** How the adapter receives interactions. */
export type DiscordMode = 'gateway' | 'http' | 'gateway+http';

export interface DiscordAdapter {
  readonly sender: ChannelSender;
  readonly client: Client;
  readonly mode: DiscordMode;
  health(): { connected: boolean; mode: DiscordMode };
  stop(): Promise<void>;
}

/**
 * Starts the Discord adapter: a discord.js client (Guilds intent only; mentions disabled on
 * every message) that logs in to the gateway unless `config.gateway` is false, and with
 * `config.publicKey` the HTTP interactions endpoint on `deps.http`. Both hand interactions to the
 * same handler. Resolves once the gateway session is ready (or at once without a gateway).
 */
/**
 * discord.js asks `rejectOnRateLimit` about every rate limit it meets (a bucket it knows is empty,
 * or a 429): the waits it then makes itself are reported for /metrics. Rejected ones are not
 * waits here; the digest scheduler reports its own.
 */
function observedRateLimits(
  reject: (data: { route: string; retryAfter: number; timeToReset: number }) => boolean,
  observer: Observer | undefined,
): (data: { route: string; retryAfter: number; timeToReset: number }) => boolean {
  return (data) => {
    const rejected = reject(data);
    if (!rejected) observer?.rateLimitWait?.({ platform: 'discord', seconds: Math.max(data.retryAfter, data.timeToReset, 0) / 1000 });
    return rejected;
  };
}

export async function startDiscord(deps: DiscordDeps): Promise<DiscordAdapter> {
  const logger = deps.logger.child({ adapter: 'discord' });
  const gateway = deps.config.gateway ?? true;
  const publicKey = deps.config.publicKey ? discordPublicKey(deps.config.publicKey) : undefined;
  if (!gateway && !publicKey) {
    throw new BotError('discord-config', 'Discord without the gateway needs DISCORD_PUBLIC_KEY: interactions would reach nothing.');
  }
  if (publicKey && !deps.http) {
    throw new BotError(
      'discord-config',
      'DISCORD_PUBLIC_KEY needs the HTTP server: the caller passes `http` to serve /discord/interactions.',
    );
  }
  const mode: DiscordMode = gateway && publicKey ? 'gateway+http' : gateway ? 'gateway' : 'http';
  // Callbacks of interactions that came in over HTTP become their HTTP responses (see callback-router.ts).
  const router = new CallbackRouter();
  const client = new Client({
    intents: [GatewayIntentBits.Guilds],
    allowedMentions: { parse: [] },
    // Embeds, components and choices are built in the API's own shape (render.ts, components.ts):
    // converting every key to snake_case again on each answer is work for nothing.
    jsonTransformer: (data) => data,
    // Every interaction carries its member and user. Caching them (discord.js does by default)
    // only grows the heap with each new user and gives the garbage collector old objects to
    // trace; the bot needs neither cache, only its own user.
    makeCache: Options.cacheWithLimits({
      ...Options.DefaultMakeCacheSettings,
      // Without a gateway session there is no client user (`client.user` is null).
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user?.id },
      UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user?.id },
    }),
    rest: {
      ...(deps.config.apiUrl ? { api: deps.config.apiUrl } : {}),
      ...deps.rest,
      rejectOnRateLimit: observedRateLimits(rejectLongChannelWaits(deps.channelMaxWaitMs ?? 2_000), deps.services?.observer),
      ...(publicKey ? { makeRequest: router.makeRequest } : {}),
    },
  });
  const now = deps.now ?? (() => new Date());
  const syntax = discordSyntax(deps.commands);
  const handler = createInteractionHandler({
    library: deps.library,
    services: deps.services ?? {},
    syntax,
    now,
    ...(deps.config.moderatorRoleId ? { moderatorRoleId: deps.config.moderatorRoleId } : {}),
    download: attachmentDownloader({ maxBytes: deps.maxDownloadBytes ?? 8 * 1024 * 1024, timeoutMs: deps.downloadTimeoutMs ?? 15_000 }),
    commands: deps.commands,
    logger,
    buttons: new ButtonState(deps.keys ?? memoryKeyStore({ capacity: 10_000 }), { now }),
    deferAfterMs: deps.deferAfterMs ?? 1_500,
  });
  // Interactions until they are answered: a deferred reply is still owed when the replica is told to stop.
  const inFlight = new InFlight();
  client.on(Events.InteractionCreate, (interaction) => {
    router.delivered(interaction.id);
    void inFlight.track(handler(interaction).finally(() => router.settled(interaction.id)));
  });
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, 'discord gateway disconnected'));
  client.on(Events.ShardResume, () => logger.info('discord gateway resumed'));

  if (gateway) await login(client, deps.config);
  else await checkToken(client, deps.config, logger);
  if (publicKey && deps.http) {
    const endpoint = interactionsEndpoint({
      publicKey,
      router,
      deliver: deliverer(client),
      logger,
      ...(deps.clock ? { now: deps.clock } : {}),
      ...(deps.interactionFallbackMs !== undefined ? { fallbackAfterMs: deps.interactionFallbackMs } : {}),
    });
    deps.http.route(['POST'], INTERACTIONS_PATH, endpoint);
  }
  logger.info({ mode, user: client.user?.tag, applicationId: client.application?.id }, 'discord adapter ready');

  return {
    sender: createChannelSender(client.rest, syntax),
    client,
    mode,
    health: () => ({ connected: !gateway || (client.isReady() && client.ws.status === Status.Ready), mode }),
    stop: async () => {
      // The caller closed the HTTP server first and destroying the client ends the gateway: finish what is under way, then go.
      const left = await inFlight.settled(deps.drainMs ?? 8_000);
      if (left > 0) logger.warn({ left }, 'stopped with Discord answers still under way');
      await client.destroy();
    },
  };
}

function loginError(cause: unknown, config: DiscordConfig): BotError {
  const status = (cause as { status?: number }).status;
  return new BotError(
    'discord-login',
    status === 401 || (cause as Error).name?.includes('TokenInvalid')
      ? 'Discord refused DISCORD_TOKEN: copy the bot token from the Developer Portal (Bot page).'
      : `Could not connect to Discord${config.apiUrl ? ` at ${config.apiUrl}` : ''}: ${(cause as Error).message}`,
    { cause },
  );
}

async function login(client: Client, config: DiscordConfig): Promise<void> {
  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(config.token);
    await ready;
  } catch (cause) {
    await client.destroy();
    throw loginError(cause, config);
  }
}

/**
 * Without a gateway session the token is only used for REST (digests, followups need none), so
 * a wrong one is caught here rather than at the first digest. Discord being unreachable is not
 * fatal: interactions are answered over HTTP all the same.
 */
async function checkToken(client: Client, config: DiscordConfig, logger: Logger): Promise<void> {
  client.rest.setToken(config.token);
  try {
    await client.rest.get('/applications/@me');
  } catch (cause) {
    if ((cause as { status?: number }).status === 401) {
      await client.destroy();
      throw loginError(cause, config);
    }
    logger.warn({ err: cause }, 'could not reach Discord to check DISCORD_TOKEN; answering interactions over HTTP anyway');
  }
}

/**
 * Hands a raw interaction to discord.js the way its gateway handler does
 * (`INTERACTION_CREATE` → `client.actions.InteractionCreate.handle`), so the interaction object,
 * its options, member permissions and `resolved` attachments are built by the same code.
 */
function deliverer(client: Client): (payload: Record<string, unknown>) => void {
  const actions = (client as unknown as { actions?: { InteractionCreate?: { handle?: (data: unknown) => void } } }).actions;
  const action = actions?.InteractionCreate;
  if (typeof action?.handle !== 'function') {
    throw new BotError('discord-version', 'This discord.js version has no InteractionCreate action: HTTP interactions need discord.js 14.');
  }
  return (payload) => action.handle?.(payload);
}
