import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { commands as allCommands } from '../../../commands/index.ts';
import { type SlackAdapter, type SlackConfig, startSlack } from '../../../src/adapters/slack/app.ts';
import type { ChannelSender } from '../../../src/core/channel.ts';
import type { Platform, Services } from '../../../src/core/command.ts';
import type { Library } from '../../../src/core/library.ts';
import { createRegistry } from '../../../src/register/service.ts';
import type { DigestSetup } from '../../../src/scheduler/index.ts';
import { setupDigests } from '../../../src/scheduler/index.ts';
import { openStore } from '../../../src/store/index.ts';
import type { Store } from '../../../src/store/types.ts';
import { FakeSlack } from '../../fakes/slack-api.ts';
import { type PostResult, signedPost, slashBody } from '../../fakes/slack-requests.ts';
import { DIGEST_CONFIG } from '../../scheduler/helpers.ts';

/**
 * The Slack adapter in OAuth mode (many workspaces) on a real SQLite file, against the loopback
 * Slack fake answering oauth.v2.access, auth.test per token and users.info. `restart()` stops the
 * adapter, closes the store and opens both again on the same file.
 */

export const CLIENT_ID = '1111.2222';
export const CLIENT_SECRET = 'client-secret-2f8e4a7c9d1b';
export const STATE_SECRET = 'state-secret-9c3d7e1f5a2b';
export const SIGNING_SECRET = 'signing-secret-oauth-5e6f7a8b';
export const TOKEN_KEY = randomBytes(32);

export interface Workspace {
  /** The workspace's team id; for an organisation-wide install, the organisation's workspace requests come from. */
  team: string;
  name: string;
  token: string;
  installer: string;
  /** Enterprise Grid: the organisation, and whether the install is organisation-wide. */
  enterprise?: { id: string; name: string; orgWide?: boolean };
}

/** Where a request comes from: a workspace, optionally of an Enterprise Grid organisation. */
export interface Origin {
  enterprise?: string;
  orgWide?: boolean;
}

export interface OAuthHarness {
  fake: FakeSlack;
  adapter: SlackAdapter;
  store: Store;
  digests: DigestSetup;
  dataDir: string;
  base: string;
  events: string;
  logs: string[];
  /** Resolves once a log line containing `text` was written (now or later). No polling. */
  untilLog(text: string, count?: number): Promise<void>;
  /** Goes through the install page and the redirect as a browser would; returns the redirect's answer. */
  install(ws: Workspace): Promise<Response>;
  /** A signed slash command from a workspace; the response_url is `/respond/<id>` on the fake. */
  slash(
    team: string,
    command: string,
    text: string,
    options?: { id?: string; userId?: string; channelId?: string } & Origin,
  ): Promise<PostResult>;
  /** A signed Events API callback from a workspace. */
  event(team: string, event: Record<string, unknown>, origin?: Origin): Promise<PostResult>;
  restart(options?: { tokenKey?: Uint8Array }): Promise<void>;
  close(): Promise<void>;
}

let counter = 0;

/** The state the install page put in its cookie and its link. */
export async function startInstall(base: string): Promise<{ page: Response; html: string; cookie: string; state: string; link: URL }> {
  const page = await fetch(`${base}/slack/install`, { redirect: 'manual' });
  const html = await page.text();
  const cookie = (page.headers.getSetCookie()[0] ?? '').split(';')[0] as string;
  const href = /href="([^"]+)"/.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? '';
  const link = new URL(href);
  return { page, html, cookie, state: link.searchParams.get('state') ?? '', link };
}

export async function startOAuthHarness(options: {
  library: Library;
  moderators?: string[];
  /** SLACK_COMMAND_PREFIX. */
  prefix?: string;
  /** PostgreSQL instead of SQLite in the data folder. */
  databaseUrl?: string;
}): Promise<OAuthHarness> {
  const fake = await FakeSlack.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'briefing-oauth-'));
  const logs: string[] = [];
  let waiters: { test: () => boolean; resolve: () => void }[] = [];
  const logger = pino(
    { level: 'debug' },
    {
      write: (line: string) => {
        logs.push(line);
        waiters = waiters.filter((w) => {
          if (!w.test()) return true;
          w.resolve();
          return false;
        });
      },
    },
  );
  const config = (tokenKey: Uint8Array): SlackConfig => ({
    slack: {
      mode: 'oauth',
      signingSecret: SIGNING_SECRET,
      clientId: CLIENT_ID,
      clientSecret: CLIENT_SECRET,
      stateSecret: STATE_SECRET,
      tokenKey,
    },
    SLACK_API_URL: fake.apiUrl,
    SLACK_COMMAND_PREFIX: options.prefix ?? '',
    SLACK_MODERATORS: options.moderators ?? [],
    PORT: 0,
    HOST: '127.0.0.1',
    REGISTER_MAX_BYTES: 1_048_576,
    REGISTER_URL_TIMEOUT_MS: 2000,
  });
  const boot = async (tokenKey: Uint8Array) => {
    const store = await openStore({ dataDir, ...(options.databaseUrl ? { databaseUrl: options.databaseUrl } : {}) });
    const services: Services = {
      registry: createRegistry({ store, library: options.library, maxBytes: 1_048_576, timeoutMs: 2000, allowPrivate: false }),
    };
    // Filled with the adapter's sender once it runs, as src/main.ts does (`/digest now` posts through it).
    const senders = new Map<Platform, ChannelSender>();
    const digests = await setupDigests({
      config: { ...DIGEST_CONFIG, BRIEFING_DATA_DIR: dataDir },
      library: options.library,
      services,
      senders,
      logger: pino({ level: 'silent' }),
      store,
      // A failed digest post is retried at once (no wall-clock backoff in tests).
      tuning: { backoffMs: [0, 0] },
    });
    try {
      const adapter = await startSlack({
        config: config(tokenKey),
        library: options.library,
        commands: allCommands,
        services,
        logger,
        keys: store.keys,
        workspaces: store,
        now: () => new Date(),
        retryConfig: { retries: 0 },
      });
      senders.set('slack', adapter.sender);
      return { store, digests, adapter };
    } catch (error) {
      await digests.close();
      await store.close();
      throw error;
    }
  };
  let running = await boot(TOKEN_KEY);
  const h: OAuthHarness = {
    fake,
    get adapter() {
      return running.adapter;
    },
    get store() {
      return running.store;
    },
    get digests() {
      return running.digests;
    },
    dataDir,
    get base() {
      return `http://127.0.0.1:${running.adapter.port}`;
    },
    get events() {
      return `http://127.0.0.1:${running.adapter.port}/slack/events`;
    },
    logs,
    untilLog(text, count = 1) {
      const test = () => logs.filter((l) => l.includes(text)).length >= count;
      if (test()) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ test, resolve }));
    },
    async install(ws) {
      const { cookie, state } = await startInstall(h.base);
      const code = `code-${++counter}`;
      const orgWide = ws.enterprise?.orgWide === true;
      fake.identities.set(ws.token, {
        team_id: ws.team,
        team: ws.name,
        user_id: `UBOT${ws.team}`,
        bot_id: `B${ws.team}`,
        ...(ws.enterprise ? { enterprise_id: ws.enterprise.id } : {}),
      });
      fake.oauthCodes.set(code, {
        ok: true,
        app_id: 'A0BRIEF',
        authed_user: { id: ws.installer },
        scope: 'commands,chat:write,users:read',
        token_type: 'bot',
        access_token: ws.token,
        bot_user_id: `UBOT${ws.team}`,
        // An organisation-wide install names the organisation and no team.
        team: orgWide ? null : { id: ws.team, name: ws.name },
        enterprise: ws.enterprise ? { id: ws.enterprise.id, name: ws.enterprise.name } : null,
        is_enterprise_install: orgWide,
      });
      return fetch(`${h.base}/slack/oauth_redirect?code=${code}&state=${encodeURIComponent(state)}`, {
        headers: { cookie },
        redirect: 'manual',
      });
    },
    slash(team, command, text, o = {}) {
      const body = slashBody({
        command,
        text,
        team_id: team,
        response_url: fake.responseUrl(o.id ?? `o${++counter}`),
        ...(o.userId ? { user_id: o.userId } : {}),
        ...(o.channelId ? { channel_id: o.channelId } : {}),
        ...(o.enterprise ? { enterprise_id: o.enterprise } : {}),
        ...(o.orgWide ? { is_enterprise_install: true } : {}),
      });
      return signedPost(h.events, SIGNING_SECRET, body);
    },
    event(team, event, origin = {}) {
      const enterprise = origin.enterprise ? { enterprise_id: origin.enterprise } : {};
      const body = {
        token: 'legacy',
        team_id: team,
        ...enterprise,
        api_app_id: 'A0BRIEF',
        event,
        type: 'event_callback',
        event_id: `Ev${randomUUID().slice(0, 8)}`,
        event_time: Math.floor(Date.now() / 1000),
        authorizations: [
          { team_id: team, ...enterprise, user_id: `UBOT${team}`, is_bot: true, is_enterprise_install: origin.orgWide === true },
        ],
      };
      return signedPost(h.events, SIGNING_SECRET, JSON.stringify(body), { contentType: 'application/json' });
    },
    async restart(o = {}) {
      await running.adapter.stop();
      await running.digests.close();
      await running.store.close();
      running = await boot(o.tokenKey ?? TOKEN_KEY);
    },
    async close() {
      await running.adapter.stop();
      await running.digests.close();
      await running.store.close();
      await fake.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return h;
}
