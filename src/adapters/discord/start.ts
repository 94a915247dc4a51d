import { Client, Events, GatewayIntentBits, Options, Status } from 'discord.js';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { ChannelSender } from '../../core/channel.ts';
import type { AnyCommand, Services } from '../../core/command.ts';
import { BotError } from '../../core/errors.ts';
import type { Library } from '../../core/library.ts';
import { memoryKeyStore } from '../../store/memory-keys.ts';
import type { KeyStore } from '../../store/types.ts';
import { ButtonState } from './components.ts';
import { attachmentDownloader } from './context.ts';
import { createInteractionHandler } from './interactions.ts';
import { createChannelSender, rejectLongChannelWaits } from './sender.ts';

/** What the Discord adapter needs from the configuration. */
export interface DiscordConfig {
  token: string;
  applicationId?: string;
  /** REST base (DISCORD_API_URL), e.g. `http://127.0.0.1:4000/api`; the gateway address follows it. */
  apiUrl?: string;
  /** Members with this role count as moderators (besides Manage Server). */
  moderatorRoleId?: string;
}

/** The Discord slice of the validated configuration; undefined when DISCORD_TOKEN is unset. */
export function discordConfig(config: Config): DiscordConfig | undefined {
  if (!config.discord) return undefined;
  return {
    token: config.discord.token,
    ...(config.discord.applicationId ? { applicationId: config.discord.applicationId } : {}),
    ...(config.DISCORD_API_URL ? { apiUrl: config.DISCORD_API_URL } : {}),
    ...(config.DISCORD_MODERATOR_ROLE_ID ? { moderatorRoleId: config.DISCORD_MODERATOR_ROLE_ID } : {}),
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
   * Where button state lives (long invocations, who shared what): the store's shared keys, so
   * every replica sees it. Default: this process's memory.
   */
  keys?: KeyStore;
}

export interface DiscordAdapter {
  readonly sender: ChannelSender;
  readonly client: Client;
  health(): { connected: boolean };
  stop(): Promise<void>;
}

/**
 * Logs a discord.js client in (Guilds intent only; mentions disabled on every message) and
 * answers interactions until `stop()`. Resolves once the gateway session is ready.
 */
export async function startDiscord(deps: DiscordDeps): Promise<DiscordAdapter> {
  const logger = deps.logger.child({ adapter: 'discord' });
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
      GuildMemberManager: { maxSize: 0, keepOverLimit: (member) => member.id === member.client.user.id },
      UserManager: { maxSize: 0, keepOverLimit: (user) => user.id === user.client.user.id },
    }),
    rest: {
      ...(deps.config.apiUrl ? { api: deps.config.apiUrl } : {}),
      ...deps.rest,
      rejectOnRateLimit: rejectLongChannelWaits(deps.channelMaxWaitMs ?? 2_000),
    },
  });
  const now = deps.now ?? (() => new Date());
  const handler = createInteractionHandler({
    library: deps.library,
    services: deps.services ?? {},
    now,
    ...(deps.config.moderatorRoleId ? { moderatorRoleId: deps.config.moderatorRoleId } : {}),
    download: attachmentDownloader({ maxBytes: deps.maxDownloadBytes ?? 8 * 1024 * 1024, timeoutMs: deps.downloadTimeoutMs ?? 15_000 }),
    commands: deps.commands,
    logger,
    buttons: new ButtonState(deps.keys ?? memoryKeyStore({ capacity: 10_000 }), { now }),
    deferAfterMs: deps.deferAfterMs ?? 1_500,
  });
  client.on(Events.InteractionCreate, (interaction) => void handler(interaction));
  client.on(Events.Error, (err) => logger.error({ err }, 'discord client error'));
  client.on(Events.Warn, (message) => logger.warn(message));
  client.on(Events.ShardDisconnect, (event) => logger.warn({ code: event.code }, 'discord gateway disconnected'));
  client.on(Events.ShardResume, () => logger.info('discord gateway resumed'));

  const ready = new Promise<void>((resolve) => client.once(Events.ClientReady, () => resolve()));
  try {
    await client.login(deps.config.token);
    await ready;
  } catch (cause) {
    await client.destroy();
    const status = (cause as { status?: number }).status;
    throw new BotError(
      'discord-login',
      status === 401 || (cause as Error).name?.includes('TokenInvalid')
        ? 'Discord refused DISCORD_TOKEN: copy the bot token from the Developer Portal (Bot page).'
        : `Could not connect to Discord${deps.config.apiUrl ? ` at ${deps.config.apiUrl}` : ''}: ${(cause as Error).message}`,
      { cause },
    );
  }
  logger.info({ user: client.user?.tag, applicationId: client.application?.id }, 'discord client ready');

  return {
    sender: createChannelSender(client.rest),
    client,
    health: () => ({ connected: client.isReady() && client.ws.status === Status.Ready }),
    stop: async () => {
      await client.destroy();
    },
  };
}
