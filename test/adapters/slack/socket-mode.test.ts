import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SlackBlock } from '../../../src/adapters/slack/block-types.ts';
import { buttonPayload } from '../../fakes/slack-requests.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { APP_TOKEN, BOT_TOKEN, type Harness, SIGNING_SECRET, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ library: await bundledLibrary(), socket: true });
});
afterAll(async () => h?.close());

function slashPayload(command: string, text: string, responseId: string): Record<string, unknown> {
  return {
    token: 'legacy',
    team_id: 'T0FAKE',
    team_domain: 'fake',
    channel_id: 'C0GENERAL',
    channel_name: 'general',
    user_id: 'U0ALICE',
    user_name: 'alice',
    command,
    text,
    api_app_id: 'AFAKE',
    is_enterprise_install: 'false',
    response_url: h.fake.responseUrl(responseId),
    trigger_id: `trigger-${randomUUID()}`,
  };
}

async function ackFor(envelopeId: string): Promise<Record<string, unknown>> {
  await h.fake.until(() => h.fake.socketAcks.some((a) => a.envelope_id === envelopeId));
  return h.fake.socketAcks.find((a) => a.envelope_id === envelopeId) as Record<string, unknown>;
}

describe('Socket Mode against a local WebSocket', () => {
  it('opens the connection with the app token through apps.connections.open', () => {
    const [open] = h.fake.callsTo('apps.connections.open');
    expect(open?.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(h.fake.sockets.size).toBe(1);
    expect(h.adapter.health()).toEqual({ connected: true, mode: 'socket' });
  });

  it('answers a slash command in the envelope acknowledgement', async () => {
    h.fake.pushEnvelope({
      envelope_id: 'env-1',
      type: 'slash_commands',
      payload: slashPayload('/source', '6', 'sock-1'),
      accepts_response_payload: true,
    });
    const ack = await ackFor('env-1');
    const payload = ack.payload as { response_type: string; blocks: SlackBlock[] };
    expect(payload.response_type).toBe('ephemeral');
    const contexts = payload.blocks.flatMap((b) => (b.type === 'context' ? b.elements.map((e) => e.text) : []));
    expect(contexts.join('\n')).toContain('|Kitay Zapustil Novyy Gruzovoy Zheleznodorozhnyy Marshrut v Strany ASEAN> · TV BRICS');
  });

  it('shares an answer in the channel from a button click', async () => {
    h.fake.pushEnvelope({
      envelope_id: 'env-2',
      type: 'slash_commands',
      payload: slashPayload('/scenario', 'central-asia', 'sock-2'),
      accepts_response_payload: true,
    });
    const ack = await ackFor('env-2');
    const share = (ack.payload as { blocks: SlackBlock[] }).blocks
      .flatMap((b) => (b.type === 'actions' ? b.elements : []))
      .find((e) => e.action_id === 'briefing_share');
    const before = h.fake.callsTo('chat.postMessage').length;
    const click = buttonPayload({
      actionId: 'briefing_share',
      value: share?.value as string,
      responseUrl: h.fake.responseUrl('sock-share'),
    });
    h.fake.pushEnvelope({ envelope_id: 'env-3', type: 'interactive', payload: click, accepts_response_payload: false });
    await ackFor('env-3');
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
    const post = h.fake.callsTo('chat.postMessage')[before];
    expect(post?.body.channel).toBe('C0GENERAL');
    expect(post?.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(((post?.body.blocks ?? []) as SlackBlock[])[0]).toMatchObject({ type: 'context', elements: [{ text: 'Shared by <@U0ALICE>' }] });
  });

  it('serves /healthz on its own port', async () => {
    const res = await fetch(`http://127.0.0.1:${h.adapter.port}/healthz`);
    expect(res.status).toBe(200);
  });

  it('reports disconnected after stopping, and never logs a secret', async () => {
    await h.adapter.stop();
    expect(h.adapter.health().connected).toBe(false);
    const all = h.logs.join('\n');
    for (const secret of [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET]) expect(all).not.toContain(secret);
  });
});
