import { createHash } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthorizeResult, Logger as BoltLogger, webApi } from '@slack/bolt';
import { type CallbackOptions, InstallProvider, type InstallURLOptions } from '@slack/oauth';
import type { Logger } from 'pino';
import type { SlackOAuthConfig } from '../../../config.ts';
import type { HttpServer } from '../../../http/server.ts';
import type { KeyStore } from '../../../store/types.ts';
import { INSTALL_PATH, REDIRECT_PATH } from '../paths.ts';
import { installationQueries, installationWorkspaceId, keyPrefix } from '../workspace.ts';
import { NotInstalledError, queryOf, type SlackInstallations } from './installation-store.ts';
import { describeInstallError, errorPage, installPage, successPage } from './pages.ts';

/**
 * "Add to Slack": Bolt's InstallProvider serves the install page (`GET /slack/install`, which
 * sets the state cookie and links to Slack's authorize page) and the redirect
 * (`GET /slack/oauth_redirect`, which checks the state against the cookie and its signature,
 * exchanges the code with `oauth.v2.access` and stores the installation). Both run on the bot's
 * shared HTTP server. A state is also accepted only once, across every bot process (the shared
 * key store), so a leaked redirect URL cannot be replayed.
 */

export const AUTHORIZE_URL = 'https://slack.com/oauth/v2/authorize';

/** How long a state may be used after the install page made it (Bolt's default too). */
const STATE_TTL_SECONDS = 600;

export interface SlackInstallerOptions {
  config: SlackOAuthConfig;
  installations: SlackInstallations;
  keys: KeyStore;
  /** Bot scopes to ask for (the manifest's). */
  scopes: readonly string[];
  /** Web API options (`slackApiUrl` reaches a fake in tests) for `oauth.v2.access` and `auth.test`. */
  clientOptions: webApi.WebClientOptions;
  boltLogger: BoltLogger;
  logger: Logger;
  /** Removes secrets from text that goes to the log. */
  scrub: (text: string) => string;
  now: () => Date;
  appName?: string;
  /** SLACK_COMMAND_PREFIX, for the commands the success page suggests. */
  commandPrefix?: string;
  /** Slack's authorize page the install link points to. */
  authorizeUrl?: string;
}

/**
 * Whether an error, or one it wraps, says "not installed". The installer's authorize wraps the
 * store's error once (`original`), and Bolt wraps that again before its error handler sees it.
 */
export function isNotInstalled(error: unknown): error is Error {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth += 1) {
    if (current instanceof NotInstalledError) return true;
    current = (current as { original?: unknown }).original;
  }
  return false;
}

/** The `error` Slack put on the redirect (e.g. `invalid_team_for_non_distributed_app`), cut short: it comes from the visitor's URL. */
function redirectError(req: IncomingMessage): string | undefined {
  const value = new URL(req.url ?? '/', 'http://localhost').searchParams.get('error');
  return value ? value.slice(0, 100) : undefined;
}

const PAGE_HEADERS = {
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'",
  'x-frame-options': 'DENY',
} as const;

function sendPage(res: ServerResponse, status: number, html: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/html; charset=utf-8', ...PAGE_HEADERS });
  res.end(html);
}

export class SlackInstaller {
  readonly provider: InstallProvider;
  readonly #options: SlackInstallerOptions;
  readonly #urlOptions: InstallURLOptions;
  readonly #appName: string;

  constructor(options: SlackInstallerOptions) {
    this.#options = options;
    this.#appName = options.appName ?? 'Briefing Bot';
    this.#urlOptions = { scopes: [...options.scopes] };
    this.provider = new InstallProvider({
      clientId: options.config.clientId,
      clientSecret: options.config.clientSecret,
      stateSecret: options.config.stateSecret,
      stateCookieExpirationSeconds: STATE_TTL_SECONDS,
      installationStore: options.installations,
      installUrlOptions: this.#urlOptions,
      renderHtmlForInstallPath: (url) => installPage(url, this.#appName),
      authorizationUrl: options.authorizeUrl ?? AUTHORIZE_URL,
      clientOptions: options.clientOptions,
      // A forged or expired state is a visitor's mistake, not our fault: the failure callback logs it as a warning.
      logger: { ...options.boltLogger, error: (...msg: unknown[]) => options.boltLogger.debug(...msg) },
    });
  }

  /** Serves the install page and the OAuth redirect on the shared server. */
  mount(http: HttpServer): void {
    http.route(['GET'], INSTALL_PATH, async (req, res) => {
      for (const [name, value] of Object.entries(PAGE_HEADERS)) res.setHeader(name, value);
      try {
        await this.provider.handleInstallPath(req, res, undefined, this.#urlOptions);
      } catch (error) {
        this.#options.logger.error({ err: error }, 'the Slack install page failed');
        sendPage(res, 500, errorPage(describeInstallError(undefined), INSTALL_PATH));
      }
    });
    http.route(['GET'], REDIRECT_PATH, (req, res) => this.provider.handleCallback(req, res, this.#callbacks()));
  }

  /** Bolt's authorize: the installation covering the request's workspace (tokens refreshed when rotating). */
  authorize(source: {
    teamId?: string | undefined;
    enterpriseId?: string | undefined;
    isEnterpriseInstall: boolean;
  }): Promise<AuthorizeResult> {
    return this.provider.authorize({
      teamId: source.teamId as string,
      enterpriseId: source.enterpriseId,
      isEnterpriseInstall: source.isEnterpriseInstall,
    });
  }

  /** The bot token for a workspace id; throws NotInstalledError when no installation covers it. */
  async tokenFor(workspaceId: string): Promise<string> {
    for (const query of installationQueries(workspaceId)) {
      try {
        const result = await this.authorize({
          teamId: query.teamId,
          enterpriseId: query.enterpriseId,
          isEnterpriseInstall: query.enterpriseInstall,
        });
        if (result.botToken) return result.botToken;
      } catch (error) {
        if (!isNotInstalled(error)) throw error;
      }
    }
    throw new NotInstalledError(queryOf({ teamId: workspaceId }));
  }

  #callbacks(): CallbackOptions {
    const { logger, keys, now } = this.#options;
    return {
      // Runs after Bolt verified the state (cookie and signature): now make sure it is used once.
      beforeInstallation: async (_options, req: IncomingMessage, res: ServerResponse) => {
        const state = new URL(req.url ?? '/', 'http://localhost').searchParams.get('state') ?? '';
        const at = now();
        const digest = createHash('sha256').update(state).digest('base64url');
        const { created } = await keys.putIfAbsent(
          `${keyPrefix(undefined)}oauth-state:${digest}`,
          '1',
          at.toISOString(),
          new Date(at.getTime() + 2 * STATE_TTL_SECONDS * 1000).toISOString(),
        );
        if (created) return true;
        logger.warn('refused a Slack install redirect whose state was already used');
        sendPage(res, 400, errorPage(describeInstallError('state_used'), INSTALL_PATH));
        return false;
      },
      success: (installation, _options, _req, res) => {
        const workspaceId = installationWorkspaceId(
          queryOf({
            teamId: installation.team?.id,
            enterpriseId: installation.enterprise?.id,
            isEnterpriseInstall: installation.isEnterpriseInstall === true,
          }),
        );
        logger.info({ workspace: workspaceId, installer: installation.user.id }, 'Slack workspace installed the app');
        sendPage(
          res,
          200,
          successPage({
            appName: this.#appName,
            teamName: installation.team?.name ?? installation.enterprise?.name,
            teamId: installation.team?.id,
            appId: installation.appId,
            organisation: installation.isEnterpriseInstall === true,
            commandPrefix: this.#options.commandPrefix ?? '',
          }),
        );
      },
      failure: (error, _options, req, res) => {
        const exchangeError = (error as { data?: { error?: unknown } }).data?.error;
        // Slack sends the browser back with `error=…` instead of a code when it refused the install itself.
        const slackError = typeof exchangeError === 'string' ? exchangeError : redirectError(req);
        const problem = describeInstallError(error.code, slackError);
        logger.warn(
          { code: error.code, slackError, status: problem.status, reason: this.#options.scrub(error.message).slice(0, 300) },
          'a Slack installation did not complete',
        );
        sendPage(res, problem.status, errorPage(problem, INSTALL_PATH));
      },
    };
  }
}
