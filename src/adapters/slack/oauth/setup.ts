import { type App, type AuthorizeResult, type Logger as BoltLogger, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { SlackOAuthConfig } from '../../../config.ts';
import { DeliveryError } from '../../../core/channel.ts';
import { BotError } from '../../../core/errors.ts';
import type { HttpServer } from '../../../http/server.ts';
import type { InstallationRepository, KeyStore, SubscriptionRepository } from '../../../store/types.ts';
import { SlackRefusal } from '../receiver.ts';
import { installationQueries } from '../workspace.ts';
import { isNotInstalled, SlackInstaller } from './install.ts';
import { SlackInstallations } from './installation-store.ts';
import { registerLifecycleHandlers } from './lifecycle.ts';
import { WorkspaceModerators } from './moderators.ts';
import { TokenCipher } from './token-cipher.ts';

/**
 * Everything the Slack adapter needs for many workspaces, built from the store: the sealed
 * installation store, the install routes, Bolt's authorize (refusing workspaces that never
 * installed), the moderators, a digest sender that posts with each workspace's own token, and
 * the uninstall handlers.
 */

/** What OAuth mode needs from the bot's store. */
export interface WorkspaceStore {
  installations: InstallationRepository;
  subscriptions: Pick<SubscriptionRepository, 'pauseWorkspace' | 'listLive'>;
  keys: KeyStore;
}

export interface OAuthSetupOptions {
  config: SlackOAuthConfig;
  store: WorkspaceStore | undefined;
  moderators: readonly string[];
  moderatorGroups: readonly string[];
  scopes: readonly string[];
  clientOptions: () => webApi.WebClientOptions;
  boltLogger: BoltLogger;
  logger: Logger;
  scrub: (text: string) => string;
  now: () => Date;
  authorizeUrl?: string;
  /** SLACK_COMMAND_PREFIX, for the commands the install success page suggests. */
  commandPrefix?: string;
  /** Where Bolt marks the requests it must refuse (see receiver.ts). */
  refusals: WeakMap<object, SlackRefusal>;
}

/** The answer to a request from a workspace without a (readable) installation. */
function refusalFor(body: unknown, error: unknown): SlackRefusal {
  const slash = Boolean(body && typeof body === 'object' && typeof (body as { command?: unknown }).command === 'string');
  const missing = isNotInstalled(error);
  const text = missing
    ? 'Briefing Bot is not installed in this workspace, so it cannot answer here. A workspace admin can add it from its install page.'
    : 'Briefing Bot cannot read its installation for this workspace right now; try again in a minute.';
  // A slash command shows its acknowledgement to the user: say it there. Anything else is refused.
  if (slash) return new SlackRefusal(200, { response_type: 'ephemeral', text });
  return new SlackRefusal(missing ? 401 : 503, {
    ok: false,
    error: missing ? 'not installed in this workspace' : 'installation unavailable',
  });
}

export async function setupOAuth(options: OAuthSetupOptions) {
  const { config, store, logger, now } = options;
  if (!store) {
    throw new BotError(
      'slack-oauth-store',
      'Slack with SLACK_CLIENT_ID (many workspaces) keeps each installation in the data store, which is not open: check BRIEFING_DATA_DIR and the warning above',
    );
  }
  const installations = new SlackInstallations({ installations: store.installations, cipher: new TokenCipher(config.tokenKey), now });
  let installed: number;
  try {
    installed = await installations.check();
  } catch (error) {
    const sealed = error instanceof BotError && error.code === 'slack-token-sealed';
    const what = error instanceof Error ? error.message : String(error);
    throw new BotError(
      'slack-token-key',
      sealed ? `${what}. Start with the SLACK_TOKEN_ENCRYPTION_KEY the installations were stored with` : what,
      { cause: error },
    );
  }
  const installer = new SlackInstaller({
    config,
    installations,
    keys: store.keys,
    scopes: options.scopes,
    clientOptions: options.clientOptions(),
    boltLogger: options.boltLogger,
    logger,
    scrub: options.scrub,
    now,
    ...(options.authorizeUrl ? { authorizeUrl: options.authorizeUrl } : {}),
    ...(options.commandPrefix ? { commandPrefix: options.commandPrefix } : {}),
  });

  const authorize = async (
    source: { teamId?: string | undefined; enterpriseId?: string | undefined; isEnterpriseInstall: boolean },
    body?: unknown,
  ): Promise<AuthorizeResult> => {
    try {
      return await installer.authorize(source);
    } catch (error) {
      if (body && typeof body === 'object') options.refusals.set(body, refusalFor(body, error));
      throw error;
    }
  };

  const moderators = new WorkspaceModerators({
    listed: options.moderators,
    groups: options.moderatorGroups,
    async installerOf(workspaceId) {
      for (const query of installationQueries(workspaceId)) {
        const installation = await installations.find(query);
        if (installation) return installation.user.id;
      }
      return undefined;
    },
    now: () => now().getTime(),
    onError: (err, what) => logger.warn({ err, what }, 'could not check a Slack moderator'),
  });

  // Digest posts go out with the subscription's workspace token; clients are kept per token.
  const clients = new Map<string, webApi.WebClient>();
  const clientFor = async (workspaceId: string | undefined, channelId: string): Promise<webApi.WebClient> => {
    if (!workspaceId) {
      throw new DeliveryError(
        'forbidden',
        `this Slack subscription (channel ${channelId}) records no workspace to post as; subscribe again`,
      );
    }
    let token: string;
    try {
      token = await installer.tokenFor(workspaceId);
    } catch (error) {
      if (isNotInstalled(error)) {
        throw new DeliveryError(
          'forbidden',
          `the app is not installed in Slack workspace ${workspaceId} any more (uninstalled or access revoked)`,
          {
            cause: error,
          },
        );
      }
      throw error;
    }
    let client = clients.get(token);
    if (!client) {
      client = new webApi.WebClient(token, {
        ...options.clientOptions(),
        rejectRateLimitedCalls: true,
        retryConfig: { retries: 1, minTimeout: 500 },
      });
      clients.set(token, client);
      if (clients.size > 1000) clients.delete(clients.keys().next().value as string);
    }
    return client;
  };

  return {
    installations,
    installer,
    installed,
    authorize,
    moderators,
    clientFor,
    mount: (http: HttpServer) => installer.mount(http),
    register(app: App) {
      registerLifecycleHandlers(app, {
        installations,
        keys: store.keys,
        subscriptions: store.subscriptions,
        now,
        logger,
        onForget: (workspaceId) => {
          moderators.forget(workspaceId);
          // Tokens of a workspace that left are revoked by Slack anyway; dropping every client is simplest.
          clients.clear();
        },
      });
    },
  };
}
