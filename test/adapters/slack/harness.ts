import pino from 'pino';
import { commands as allCommands } from '../../../commands/index.ts';
import { type SlackAdapter, type SlackConfig, startSlack } from '../../../src/adapters/slack/app.ts';
import type { SlackExtension } from '../../../src/adapters/slack/extensions.ts';
import type { AnyCommand } from '../../../src/core/command.ts';
import type { Library } from '../../../src/core/library.ts';
import type { KeyStore } from '../../../src/store/types.ts';
import { FakeSlack } from '../../fakes/slack-api.ts';
import {
  buttonPayload,
  interactiveBody,
  type PostResult,
  type SignedPostOptions,
  signedPost,
  slashBody,
} from '../../fakes/slack-requests.ts';

/** Secrets used by the tests; none may ever appear in a log line. */
export const BOT_TOKEN = 'xoxb-1111-2222-secretbottoken';
export const APP_TOKEN = 'xapp-1-A111-3333-secretapptoken';
export const SIGNING_SECRET = 'signing-secret-8f14e45fceea167a';

export interface HarnessOptions {
  library: Library;
  commands?: readonly AnyCommand[];
  prefix?: string;
  moderators?: string[];
  moderatorGroup?: string;
  ackBudgetMs?: number;
  socket?: boolean;
  extensions?: SlackExtension[];
  health?: () => Record<string, unknown>;
  queue?: { concurrency?: number; maxWaitMs?: number };
  /** Shared keys (a store's); default the adapter's own memory. */
  keys?: KeyStore;
}

export interface Harness {
  fake: FakeSlack;
  adapter: SlackAdapter;
  /** The app's /slack/events URL (HTTP mode). */
  events: string;
  base: string;
  logs: string[];
  /** Sends a signed slash command; the response_url is `/respond/<id>` on the fake. */
  slash(
    command: string,
    text: string,
    options?: { id?: string; userId?: string; channelId?: string; post?: SignedPostOptions },
  ): Promise<PostResult>;
  /** Sends a signed button click. */
  click(
    actionId: string,
    value: string,
    options?: { id?: string; userId?: string; channelId?: string; messageTs?: string },
  ): Promise<PostResult>;
  close(): Promise<void>;
}

let counter = 0;

export async function startHarness(options: HarnessOptions): Promise<Harness> {
  const fake = await FakeSlack.start();
  const logs: string[] = [];
  const logger = pino({ level: 'debug' }, { write: (line: string) => logs.push(line) });
  const config: SlackConfig = {
    slack: options.socket
      ? { mode: 'socket', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET, appToken: APP_TOKEN }
      : { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET },
    SLACK_API_URL: fake.apiUrl,
    SLACK_COMMAND_PREFIX: options.prefix ?? '',
    SLACK_MODERATORS: options.moderators ?? [],
    ...(options.moderatorGroup ? { SLACK_MODERATOR_GROUP: options.moderatorGroup } : {}),
    PORT: 0,
    HOST: '127.0.0.1',
    REGISTER_MAX_BYTES: 1_048_576,
    REGISTER_URL_TIMEOUT_MS: 2000,
  };
  const adapter = await startSlack({
    config,
    library: options.library,
    commands: options.commands ?? allCommands,
    services: {},
    logger,
    health: options.health ?? (() => ({ ok: true, index: { loaded: true }, adapters: { slack: { connected: true } } })),
    now: () => new Date(),
    retryConfig: { retries: 2, minTimeout: 0, maxTimeout: 0 },
    ...(options.ackBudgetMs !== undefined ? { ackBudgetMs: options.ackBudgetMs } : {}),
    ...(options.extensions ? { extensions: options.extensions } : {}),
    ...(options.queue ? { queue: options.queue } : {}),
    ...(options.keys ? { keys: options.keys } : {}),
    socket: { clientPingTimeout: 30_000, serverPingTimeout: 60_000 },
  });
  const base = `http://127.0.0.1:${adapter.port}`;
  const events = `${base}/slack/events`;
  return {
    fake,
    adapter,
    events,
    base,
    logs,
    slash(command, text, o = {}) {
      const id = o.id ?? `r${++counter}`;
      const body = slashBody({
        command,
        text,
        response_url: fake.responseUrl(id),
        ...(o.userId ? { user_id: o.userId } : {}),
        ...(o.channelId ? { channel_id: o.channelId } : {}),
      });
      return signedPost(events, SIGNING_SECRET, body, o.post);
    },
    click(actionId, value, o = {}) {
      const id = o.id ?? `r${++counter}`;
      const payload = buttonPayload({
        actionId,
        value,
        responseUrl: fake.responseUrl(id),
        ...(o.userId ? { userId: o.userId } : {}),
        ...(o.channelId ? { channelId: o.channelId } : {}),
        ...(o.messageTs ? { messageTs: o.messageTs } : {}),
      });
      return signedPost(events, SIGNING_SECRET, interactiveBody(payload));
    },
    async close() {
      await adapter.stop();
      await fake.close();
    },
  };
}

/** Every mrkdwn/plain text string in a message body, for escaping assertions. */
export function textsOf(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}
