import { App, type Receiver, SocketModeReceiver, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Config } from '../../config.ts';
import type { ChannelSender } from '../../core/channel.ts';
import type { AnyCommand, Services } from '../../core/command.ts';
import { BotError } from '../../core/errors.ts';
import type { Library } from '../../core/library.ts';
import { InFlight } from '../../http/in-flight.ts';
import { HttpServer } from '../../http/server.ts';
import { memoryKeyStore } from '../../store/memory-keys.ts';
import type { KeyStore } from '../../store/types.ts';
import { DeliveryLog, deliveryKey } from './dedupe.ts';
import { slackDownloader } from './download.ts';
import { type SlackExtension, slackExtensions } from './extensions.ts';
import { registerActionHandlers } from './handlers/actions.ts';
import { registerCommandHandler } from './handlers/commands.ts';
import { registerMentionHandler } from './handlers/mentions.ts';
import { type HealthReport, healthHandler } from './health.ts';
import { InvocationCodec } from './invocation.ts';
import { SlackKit } from './kit.ts';
import { boltLogger, makeScrubber, safeError } from './log.ts';
import { botScopes } from './manifest.ts';
import { type ModeratorPolicy, Moderators, tokenModerators } from './moderators.ts';
import { isNotInstalled } from './oauth/install.ts';
import { setupOAuth, type WorkspaceStore } from './oauth/setup.ts';
import { EVENTS_PATH } from './paths.ts';
import { AnsweringReceiver, readBodies, type SlackRefusal } from './receiver.ts';
import { slackChannelSender } from './sender.ts';
import { ShareLedger } from './share-once.ts';
import { guardRequests } from './signature.ts';
import { WorkQueue } from './work-queue.ts';
import { type SlackOrigin, workspaceIdOf } from './workspace.ts';

export { EVENTS_PATH } from './paths.ts';

/**
 * The configuration the Slack adapter reads: a slice of src/config.ts `Config`, so the whole
 * config can be passed. `slack` must be set: one bot token (SLACK_BOT_TOKEN, HTTP or Socket
 * Mode) or OAuth for many workspaces (SLACK_CLIENT_ID and the rest).
 */
export interface SlackConfig {
  slack?: Config['slack'];
  SLACK_API_URL?: string | undefined;
  SLACK_COMMAND_PREFIX: string;
  SLACK_MODERATORS: readonly string[];
  SLACK_MODERATOR_GROUP?: string | undefined;
  PORT: number;
  HOST: string;
  REGISTER_MAX_BYTES: number;
  REGISTER_URL_TIMEOUT_MS: number;
}

export interface SlackDeps {
  config: SlackConfig;
  library: Library;
  commands: readonly AnyCommand[];
  services: Services;
  logger: Logger;
  /**
   * The bot's shared HTTP server: the adapter adds its routes (`/slack/events`, and in OAuth mode
   * `/slack/install` and `/slack/oauth_redirect`) and the caller listens and serves /healthz.
   * Without it the adapter runs a server of its own on PORT with GET /healthz answering `health`.
   */
  http?: HttpServer;
  /**
   * Shared expiring keys (retry de-duplication, long button values, answers already shared):
   * the store's, so every bot process sees them and they outlive a restart. Default: this
   * process's memory.
   */
  keys?: KeyStore;
  /** The store's installations, subscriptions and keys: required for OAuth mode (many workspaces). */
  workspaces?: WorkspaceStore;
  /** OAuth mode: Slack's authorize page the install link points to (default Slack's own). */
  authorizeUrl?: string;
  /** What GET /healthz answers on the adapter's own server (when `http` is not given). */
  health?: () => HealthReport;
  /** Extra handlers (default: `slackExtensions`). */
  extensions?: readonly SlackExtension[];
  now?: () => Date;
  /** Time the answer may take and still ride on the acknowledgement (default 2,000 ms; Slack allows 3 s). */
  ackBudgetMs?: number;
  /** Web API retry policy (default: 3 retries with backoff; a 429 always waits its Retry-After). */
  retryConfig?: webApi.RetryOptions;
  /** Command work queue: parallel jobs (default 4) and the longest expected wait before answering "busy" (default 10 s). */
  queue?: { concurrency?: number; maxWaitMs?: number };
  /** Socket Mode ping timeouts, for tests. */
  socket?: { clientPingTimeout?: number; serverPingTimeout?: number };
  /** How long `stop` waits for answers still on their way (default 8 s, inside the usual 10 s a deploy allows). */
  drainMs?: number;
}

/** The running Slack adapter. */
export interface SlackAdapter {
  readonly app: App;
  readonly mode: 'http' | 'socket' | 'oauth';
  /** Port of the HTTP server (shared or its own) once it listens. */
  readonly port: number | undefined;
  readonly sender: ChannelSender;
  readonly kit: SlackKit;
  health(): { connected: boolean; mode: 'http' | 'socket' | 'oauth' };
  stop(): Promise<void>;
}

export const SLACK_API_URL = 'https://slack.com/api/';
/** Largest request body accepted; Slack's own payloads stay far below it. */
export const BODY_LIMIT = 512 * 1024;

const DEFAULT_RETRY: webApi.RetryOptions = { retries: 3, factor: 2, minTimeout: 500, maxTimeout: 5000 };

/**
 * Builds and starts the Slack app: HTTP mode on PORT at /slack/events (slash commands,
 * interactivity, events), Socket Mode when an app token is configured, or OAuth mode for many
 * workspaces (HTTP, plus the install pages); GET /healthz on its own server. Resolves once it is
 * listening (HTTP) or connected (Socket Mode).
 */
export async function startSlack(deps: SlackDeps): Promise<SlackAdapter> {
  const { config } = deps;
  const slack = config.slack;
  if (!slack)
    throw new BotError(
      'slack-config',
      'The Slack app needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_CLIENT_ID and the OAuth variables',
    );
  const { mode, signingSecret } = slack;
  const scrub = makeScrubber(
    slack.mode === 'oauth' ? [signingSecret, slack.clientSecret, slack.stateSecret] : [slack.botToken, signingSecret, slack.appToken],
  );
  const logger = deps.logger.child({ adapter: 'slack' });
  const bolt = boltLogger(logger, scrub);
  const apiUrl = config.SLACK_API_URL ?? SLACK_API_URL;
  const slackApiUrl = apiUrl.endsWith('/') ? apiUrl : `${apiUrl}/`;
  const clientOptions = (): webApi.WebClientOptions => ({ slackApiUrl, logger: bolt, retryConfig: deps.retryConfig ?? DEFAULT_RETRY });
  const now = deps.now ?? (() => new Date());
  const extensions = deps.extensions ?? slackExtensions;
  const refusals = new WeakMap<object, SlackRefusal>();
  const failures = new WeakSet<object>();

  const oauth =
    slack.mode === 'oauth'
      ? await setupOAuth({
          config: slack,
          store: deps.workspaces,
          moderators: config.SLACK_MODERATORS,
          moderatorGroups: (config.SLACK_MODERATOR_GROUP ?? '')
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean),
          scopes: botScopes({ commands: deps.commands, extensions, oauth: true }),
          clientOptions,
          boltLogger: bolt,
          logger,
          scrub,
          now,
          refusals,
          ...(deps.authorizeUrl ? { authorizeUrl: deps.authorizeUrl } : {}),
          commandPrefix: config.SLACK_COMMAND_PREFIX,
        })
      : undefined;
  const keys = oauth ? (deps.workspaces as WorkspaceStore).keys : (deps.keys ?? memoryKeyStore());
  const identity =
    slack.mode === 'oauth' ? undefined : await verifyToken(new webApi.WebClient(slack.botToken, clientOptions()), scrub, slackApiUrl);
  let listening = false;
  let socketConnected = false;

  const gauge = { inFlight: 0 };
  const ownServer = !deps.http;
  const http = deps.http ?? new HttpServer({ logger });
  if (ownServer) http.route(['GET'], '/healthz', healthHandler(deps.health ?? (() => ({ ok: true }))));
  let receiver: Receiver;
  if (slack.mode === 'socket') {
    const socketReceiver = new SocketModeReceiver({
      appToken: slack.appToken as string,
      logger: bolt,
      installerOptions: { clientOptions: clientOptions() },
      ...deps.socket,
    });
    socketReceiver.client.on('connected', () => {
      socketConnected = true;
    });
    for (const state of ['disconnected', 'reconnecting', 'disconnecting']) {
      socketReceiver.client.on(state, () => {
        socketConnected = false;
      });
    }
    receiver = socketReceiver;
  } else {
    const httpReceiver = new AnsweringReceiver({
      signingSecret,
      endpoint: EVENTS_PATH,
      logger: bolt,
      bodyLimit: BODY_LIMIT,
      refusals,
      failures,
      onUnhandled: (what) => logger.info({ what }, 'answered a Slack request that nothing handles with 400'),
    });
    const nowMs = () => now().getTime();
    // The receiver is never started: its request listener serves our paths on the shared server.
    http.route(
      ['POST'],
      EVENTS_PATH,
      guardRequests(
        readBodies(httpReceiver.requestListener, {
          signingSecret,
          bodyLimit: BODY_LIMIT,
          now: nowMs,
          onRefuse: (problem) => logger.info({ problem }, 'refused a signed Slack request that is not one'),
        }),
        {
          endpoints: [EVENTS_PATH],
          bodyLimit: BODY_LIMIT,
          now: nowMs,
          onReject: (reason, req) => logger.warn({ reason, path: req.url }, 'refused a Slack request'),
          gauge,
        },
      ),
    );
    oauth?.mount(http);
    receiver = httpReceiver;
  }

  const app = new App({
    ...(oauth
      ? { authorize: oauth.authorize }
      : { token: (slack as { botToken: string }).botToken, botId: identity?.botId, botUserId: identity?.userId }),
    receiver,
    logger: bolt,
    clientOptions: clientOptions(),
    convoStore: false,
    extendedErrorHandler: true,
  });
  // With extendedErrorHandler, Bolt passes the body too (its exported types only name the plain handler).
  const onError = async ({ error, body }: { error: Error; body?: unknown }): Promise<void> => {
    const original = (error as { original?: unknown }).original;
    if (isNotInstalled(error)) {
      logger.warn(
        { reason: original instanceof Error ? original.message : error.message },
        'refused a Slack request from a workspace without an installation',
      );
      return;
    }
    if (body && typeof body === 'object') failures.add(body);
    logger.error({ err: safeError(error, scrub) }, 'unhandled error in a Slack handler');
  };
  app.error(onError as unknown as Parameters<App['error']>[0]);

  const workspaceOf = oauth ? workspaceIdOf : (origin: SlackOrigin) => origin.teamId;
  const keyErrors = (error: unknown) => logger.warn({ err: safeError(error, scrub) }, 'the shared key store failed; continuing without it');
  const moderators: ModeratorPolicy =
    oauth?.moderators ??
    tokenModerators(
      new Moderators({
        userIds: config.SLACK_MODERATORS,
        ...(config.SLACK_MODERATOR_GROUP ? { groupId: config.SLACK_MODERATOR_GROUP } : {}),
        client: app.client,
        now: () => now().getTime(),
        onError: (error) => logger.warn({ err: safeError(error, scrub) }, 'could not read the Slack moderator group'),
      }),
    );
  const kit = new SlackKit({
    commands: deps.commands,
    library: deps.library,
    services: deps.services,
    logger,
    scrub,
    codec: new InvocationCodec({ keys, now: () => now().getTime(), onError: keyErrors }),
    deliveries: new DeliveryLog({ keys, now: () => now().getTime(), onError: keyErrors }),
    shares: new ShareLedger({ keys, now: () => now().getTime(), onError: keyErrors }),
    moderators,
    workspaceOf,
    prefix: config.SLACK_COMMAND_PREFIX,
    now,
    queue: new WorkQueue(deps.queue ?? {}),
    othersWaiting: () => Math.max(0, gauge.inFlight - 1),
    download: slackDownloader({
      ...(slack.mode === 'oauth' ? {} : { token: slack.botToken }),
      apiUrl: slackApiUrl,
      maxBytes: config.REGISTER_MAX_BYTES,
      timeoutMs: config.REGISTER_URL_TIMEOUT_MS,
    }),
  });

  // Every request's listeners, until they finish: an answer sent through respond() after the
  // acknowledgement is still owed when the replica is told to stop.
  const inFlight = new InFlight();
  app.use(async (args) => {
    const key = deliveryKey(args.body);
    if (key && (await kit.deliveries.seen(workspaceOf(args.context), key))) {
      logger.info({ key, retryNum: args.context.retryNum, retryReason: args.context.retryReason }, 'ignored a repeated Slack delivery');
      if ('ack' in args && typeof args.ack === 'function') await (args.ack as () => Promise<void>)();
      return;
    }
    await inFlight.track(args.next());
  });
  oauth?.register(app);
  registerCommandHandler(app, kit, { ackBudgetMs: deps.ackBudgetMs ?? 2000 });
  registerActionHandlers(app, kit);
  registerMentionHandler(app, kit);
  for (const extension of extensions) extension.register(app, kit);

  // Digest parts posted are recorded in the same shared keys, so a resend from another process or
  // after a restart posts only what is missing.
  const senderOptions = {
    keys,
    syntax: kit.syntax,
    now: () => now().getTime(),
    warn: (obj: Record<string, unknown>, msg: string) => logger.warn(obj.err ? { ...obj, err: safeError(obj.err, scrub) } : obj, msg),
  };
  let sender: ChannelSender;
  if (oauth) sender = slackChannelSender(oauth.clientFor, senderOptions);
  else {
    const senderClient = new webApi.WebClient((slack as { botToken: string }).botToken, {
      ...clientOptions(),
      rejectRateLimitedCalls: true,
      retryConfig: { retries: 1, minTimeout: 500 },
    });
    sender = slackChannelSender(() => senderClient, senderOptions);
  }

  if (ownServer) await http.listen(config.PORT, config.HOST);
  if (slack.mode === 'socket') {
    try {
      await app.start();
    } catch (error) {
      if (ownServer) await http.close();
      throw new BotError(
        'slack-socket',
        `Socket Mode could not connect (${scrub(error instanceof Error ? error.message : String(error))}); check SLACK_APP_TOKEN`,
        {
          cause: error,
        },
      );
    }
  }
  listening = true;
  logger.info(
    { mode, port: http.port, ...(identity ? { bot: identity.userId } : { installations: oauth?.installed }) },
    'Slack app started',
  );

  return {
    app,
    mode,
    get port() {
      return http.port;
    },
    sender,
    kit,
    health: () => ({ connected: mode === 'socket' ? socketConnected : listening && http.listening, mode }),
    async stop() {
      if (mode === 'socket')
        await app.stop().catch((error: unknown) => logger.warn({ err: safeError(error, scrub) }, 'stopping the Slack app failed'));
      if (ownServer) await http.close();
      listening = false;
      socketConnected = false;
      // No new requests arrive now (the caller closed the shared server first): finish the answers under way.
      const left = await inFlight.settled(deps.drainMs ?? 8_000);
      if (left > 0) logger.warn({ left }, 'stopped with Slack answers still under way');
    },
  };
}

/** Calls auth.test once, so a wrong token fails at start with a clear message. */
async function verifyToken(
  client: webApi.WebClient,
  scrub: (text: string) => string,
  apiUrl: string,
): Promise<{ botId: string; userId: string }> {
  try {
    const result = await client.auth.test();
    if (!result.user_id || !result.bot_id) throw new Error('auth.test did not return a bot user (is SLACK_BOT_TOKEN a bot token, xoxb-…?)');
    return { botId: result.bot_id, userId: result.user_id };
  } catch (error) {
    const code = (error as { data?: { error?: string } }).data?.error;
    const why = code ?? scrub(error instanceof Error ? error.message : String(error));
    // No answer at all (DNS, refused, timeout) or a server error is not a verdict on the token.
    const unreachable = ['slack_webapi_request_error', 'slack_webapi_http_error'].includes(String((error as { code?: unknown }).code));
    if (unreachable && !code) {
      // fetch's own message is just "fetch failed"; the system error under it says why (ENOTFOUND, ECONNREFUSED, …).
      const root = (error as { original?: { cause?: { code?: string; message?: string } } }).original?.cause;
      const detail = root?.code ?? root?.message;
      throw new BotError(
        'slack-unreachable',
        `Slack could not be reached at start to check SLACK_BOT_TOKEN (${why}${detail ? `: ${scrub(detail)}` : ''}); check the network and SLACK_API_URL (${apiUrl})`,
        { cause: error },
      );
    }
    throw new BotError('slack-auth', `Slack rejected SLACK_BOT_TOKEN at start (${why}); check the token and SLACK_API_URL`, {
      cause: error,
    });
  }
}
