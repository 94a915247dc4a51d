import pino from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { commands } from '../../../commands/index.ts';
import { type SlackConfig, startSlack } from '../../../src/adapters/slack/app.ts';
import { freePort } from '../../e2e/bot-process.ts';
import { FakeSlack } from '../../fakes/slack-api.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { BOT_TOKEN, SIGNING_SECRET } from './harness.ts';

let fake: FakeSlack | undefined;
afterEach(async () => fake?.close());

function config(apiUrl: string, slack?: SlackConfig['slack']): SlackConfig {
  return {
    ...(slack ? { slack } : {}),
    SLACK_API_URL: apiUrl,
    SLACK_COMMAND_PREFIX: '',
    SLACK_MODERATORS: [],
    PORT: 0,
    HOST: '127.0.0.1',
    REGISTER_MAX_BYTES: 1024,
    REGISTER_URL_TIMEOUT_MS: 1000,
  };
}

async function attempt(cfg: SlackConfig): Promise<unknown> {
  const logs: string[] = [];
  return startSlack({
    config: cfg,
    library: await bundledLibrary(),
    commands,
    services: {},
    logger: pino({ level: 'debug' }, { write: (l: string) => logs.push(l) }),
    health: () => ({ ok: true }),
    retryConfig: { retries: 0 },
  }).then(
    () => undefined,
    (e: unknown) => e,
  );
}

describe('starting the Slack app', () => {
  it('fails at once, naming SLACK_BOT_TOKEN, when Slack rejects the token', async () => {
    fake = await FakeSlack.start();
    fake.script('auth.test', { json: { ok: false, error: 'invalid_auth' } });
    const error = await attempt(config(fake.apiUrl, { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }));
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe('Slack rejected SLACK_BOT_TOKEN at start (invalid_auth); check the token and SLACK_API_URL');
    expect((error as Error).message).not.toContain(BOT_TOKEN);
  });

  it('says Slack could not be reached, not that it rejected the token, when nothing answers at SLACK_API_URL', async () => {
    const closed = `http://127.0.0.1:${await freePort()}/api/`;
    const error = await attempt(config(closed, { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET }));
    expect((error as Error).message).toBe(
      `Slack could not be reached at start to check SLACK_BOT_TOKEN (A request error occurred: fetch failed: ECONNREFUSED); check the network and SLACK_API_URL (${closed})`,
    );
    expect((error as Error).message).not.toContain(BOT_TOKEN);
  });

  it('refuses to start without the Slack credentials', async () => {
    const error = await attempt(config('http://127.0.0.1:9/api/'));
    expect((error as Error).message).toBe(
      'The Slack app needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET, or SLACK_CLIENT_ID and the OAuth variables',
    );
  });

  it('refuses OAuth mode without a store, saying where installations live', async () => {
    const error = await attempt(
      config('http://127.0.0.1:9/api/', {
        mode: 'oauth',
        signingSecret: SIGNING_SECRET,
        clientId: '1.2',
        clientSecret: 'client-secret',
        stateSecret: 'state-secret',
        tokenKey: new Uint8Array(32),
      }),
    );
    expect((error as Error).message).toBe(
      'Slack with SLACK_CLIENT_ID (many workspaces) keeps each installation in the data store, which is not open: check BRIEFING_DATA_DIR and the warning above',
    );
  });
});
