import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { commands } from '../../commands/index.ts';
import { type SlackAdapter, startSlack } from '../../src/adapters/slack/app.ts';
import type { ButtonElement, SlackBlock } from '../../src/adapters/slack/block-types.ts';
import { REGISTER_SHORTCUT } from '../../src/adapters/slack/registration.ts';
import type { Library } from '../../src/core/library.ts';
import type { Store } from '../../src/store/types.ts';
import { BOT_TOKEN, SIGNING_SECRET, textsOf } from '../adapters/slack/harness.ts';
import { FakeSlack } from '../fakes/slack-api.ts';
import { buttonPayload, eventCallback, interactiveBody, signedPost, slashBody } from '../fakes/slack-requests.ts';
import { registryOn, SECOND_ID, SECOND_TEXT, tempDataDir } from '../register/setup.ts';

const MODERATOR = 'U0MOD';

let fake: FakeSlack;
let front: Server;
let base: string;
let adapter: SlackAdapter;
let events: string;
let data: ReturnType<typeof tempDataDir>;
let library: Library;
let store: Store;
const downloads: { path: string; authorization: string | undefined }[] = [];

/**
 * Slack's file host in front of the fake Web API: `/files/<name>` serves the shared file (with
 * the bot token required, as files.slack.com does) and everything else goes on to the fake.
 */
function startFileHost(target: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = req.url ?? '/';
    if (path.startsWith('/files/')) {
      downloads.push({ path, authorization: req.headers.authorization });
      if (req.headers.authorization !== `Bearer ${BOT_TOKEN}`) {
        res.writeHead(403);
        res.end();
        return;
      }
      res.writeHead(200, { 'content-type': 'text/markdown' });
      res.end(SECOND_TEXT);
      return;
    }
    const upstream = request(`${target}${path}`, { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const sharedFile = () => ({
  id: 'F0SECOND',
  name: 'second-briefing.md',
  mimetype: 'text/markdown',
  size: Buffer.byteLength(SECOND_TEXT),
  url_private_download: `${base}/files/second-briefing.md`,
});

function postEvent(event: Record<string, unknown>) {
  return signedPost(events, SIGNING_SECRET, JSON.stringify(eventCallback(event)), { contentType: 'application/json' });
}

function buttons(blocks: SlackBlock[] | undefined): ButtonElement[] {
  return (blocks ?? []).flatMap((b) => (b.type === 'actions' ? b.elements : []));
}

async function click(button: ButtonElement, userId: string, responseId: string): Promise<Record<string, unknown>> {
  const payload = buttonPayload({
    actionId: button.action_id,
    value: button.value as string,
    responseUrl: fake.responseUrl(responseId),
    userId,
    channelId: 'D0MOD',
  });
  expect((await signedPost(events, SIGNING_SECRET, interactiveBody(payload))).status).toBe(200);
  await fake.until(() => fake.responsesTo(responseId).length > 0);
  return fake.responsesTo(responseId)[0]?.body ?? {};
}

beforeAll(async () => {
  data = tempDataDir();
  const wired = registryOn(data.dir);
  ({ library, store } = wired);
  fake = await FakeSlack.start();
  front = await startFileHost(fake.url);
  base = `http://127.0.0.1:${(front.address() as AddressInfo).port}`;
  adapter = await startSlack({
    config: {
      slack: { mode: 'http', botToken: BOT_TOKEN, signingSecret: SIGNING_SECRET },
      SLACK_API_URL: `${base}/api/`,
      SLACK_COMMAND_PREFIX: '',
      SLACK_MODERATORS: [MODERATOR],
      PORT: 0,
      HOST: '127.0.0.1',
      REGISTER_MAX_BYTES: 1_048_576,
      REGISTER_URL_TIMEOUT_MS: 2000,
    },
    library,
    commands,
    services: { registry: wired.registry },
    logger: pino({ level: 'silent' }),
    health: () => ({ ok: true, index: { loaded: true }, adapters: { slack: { connected: true } } }),
    retryConfig: { retries: 0 },
  });
  events = `http://127.0.0.1:${adapter.port}/slack/events`;
});
afterAll(async () => {
  await adapter?.stop();
  await new Promise((resolve) => front?.close(resolve));
  await fake?.close();
  await store?.close();
  data?.remove();
});

describe('registering a briefing on Slack', () => {
  it('refuses a file shared in a direct message by someone who is not a moderator, without downloading it', async () => {
    const before = fake.callsTo('chat.postMessage').length;
    await postEvent({
      type: 'message',
      subtype: 'file_share',
      channel_type: 'im',
      channel: 'D0ALICE',
      user: 'U0ALICE',
      ts: '1700000100.000100',
      files: [sharedFile()],
    });
    await fake.until(() => fake.callsTo('chat.postMessage').length > before);
    const post = fake.callsTo('chat.postMessage')[before];
    expect(post?.body.channel).toBe('D0ALICE');
    expect(textsOf(post?.body.blocks).join(' ')).toContain('/register is for moderators only');
    expect(downloads).toEqual([]);
    expect(await store.audit.list()).toEqual([]);
  });

  it('previews a file a moderator shares in a direct message, downloaded with the bot token, and publishes it from the button', async () => {
    const before = fake.callsTo('chat.postMessage').length;
    await postEvent({
      type: 'message',
      subtype: 'file_share',
      channel_type: 'im',
      channel: 'D0MOD',
      user: MODERATOR,
      ts: '1700000200.000100',
      files: [sharedFile()],
    });
    await fake.until(() => fake.callsTo('chat.postMessage').length > before);
    const post = fake.callsTo('chat.postMessage')[before];
    expect(post?.body).toMatchObject({ channel: 'D0MOD', thread_ts: '1700000200.000100' });
    const texts = textsOf(post?.body.blocks).join(' ');
    expect(texts).toContain('Preview: The South Caucasus Energy Corridor Between the Caspian and Europe');
    expect(texts).toContain('8 passages, 5 sources, 2 scenarios');
    expect(downloads).toEqual([{ path: '/files/second-briefing.md', authorization: `Bearer ${BOT_TOKEN}` }]);

    const publish = buttons(post?.body.blocks as SlackBlock[]).find((b) => b.text.text === 'Publish');
    if (!publish) throw new Error('no Publish button');
    const published = await click(publish, MODERATOR, 'publish-1');
    expect(textsOf(published).join(' ')).toContain('“south-caucasus-energy-corridor” revision 1 is live');
    expect((await store.articles.latest(SECOND_ID))?.registeredBy).toBe(`slack:${MODERATOR}`);
  });

  it('lists the registered briefing in /articles and finds its passages with /ask', async () => {
    const articles = await signedPost(
      events,
      SIGNING_SECRET,
      slashBody({ command: '/articles', text: '', response_url: fake.responseUrl('articles') }),
    );
    expect(textsOf(articles.json()).join(' ')).toContain(SECOND_ID);
    const ask = await signedPost(
      events,
      SIGNING_SECRET,
      slashBody({ command: '/ask', text: 'Trans-Caspian pipeline Turkmenistan', response_url: fake.responseUrl('ask') }),
    );
    const answer = textsOf(ask.json()).join(' ');
    expect(answer).toContain('Trans-Caspian pipeline');
    expect(answer).toContain('[4]');
  });

  it('registers the file on a message through the "Register as briefing" shortcut', async () => {
    const payload = {
      type: 'message_action',
      callback_id: REGISTER_SHORTCUT,
      trigger_id: 'trigger-shortcut',
      action_ts: '1700000300.000100',
      response_url: fake.responseUrl('shortcut-1'),
      team: { id: 'T0FAKE', domain: 'fake' },
      channel: { id: 'C0TEAM', name: 'team' },
      user: { id: MODERATOR, name: 'mod', team_id: 'T0FAKE' },
      message_ts: '1700000290.000100',
      message: { type: 'message', user: 'U0ALICE', ts: '1700000290.000100', text: 'New briefing attached', files: [sharedFile()] },
      token: 'legacy-verification-token',
    };
    expect((await signedPost(events, SIGNING_SECRET, interactiveBody(payload))).status).toBe(200);
    await fake.until(() => fake.responsesTo('shortcut-1').length > 0);
    const body = fake.responsesTo('shortcut-1')[0]?.body;
    expect(body).toMatchObject({ response_type: 'ephemeral', replace_original: false });
    const texts = textsOf(body).join(' ');
    expect(texts).toContain('Preview: The South Caucasus Energy Corridor');
    expect(texts).toContain(
      'Publishing makes revision 2 of “south-caucasus-energy-corridor” (same id; the text is identical to revision 1)',
    );
  });

  it('explains the shortcut on a message without a file or link', async () => {
    const payload = {
      type: 'message_action',
      callback_id: REGISTER_SHORTCUT,
      trigger_id: 'trigger-shortcut-2',
      action_ts: '1700000400.000100',
      response_url: fake.responseUrl('shortcut-2'),
      team: { id: 'T0FAKE', domain: 'fake' },
      channel: { id: 'C0TEAM', name: 'team' },
      user: { id: MODERATOR, name: 'mod', team_id: 'T0FAKE' },
      message_ts: '1700000390.000100',
      message: { type: 'message', user: 'U0ALICE', ts: '1700000390.000100', text: 'Nothing attached here' },
      token: 'legacy-verification-token',
    };
    expect((await signedPost(events, SIGNING_SECRET, interactiveBody(payload))).status).toBe(200);
    await fake.until(() => fake.responsesTo('shortcut-2').length > 0);
    expect(textsOf(fake.responsesTo('shortcut-2')[0]?.body).join(' ')).toContain(
      'That message carries no file or link to register: share a .txt, .md or .html file, or use /register &lt;url&gt;.',
    );
  });

  it('declares the shortcut, the direct-message event and the file scope in the manifest', async () => {
    const { buildManifest } = await import('../../src/adapters/slack/manifest.ts');
    const { slackExtensions } = await import('../../src/adapters/slack/extensions.ts');
    const manifest = JSON.stringify(buildManifest({ commands, extensions: slackExtensions, socketMode: true }));
    for (const needed of [REGISTER_SHORTCUT, 'message.im', 'files:read', 'im:history']) expect(manifest).toContain(needed);
  });
});
