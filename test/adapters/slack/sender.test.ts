import { webApi } from '@slack/bolt';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { slackChannelSender } from '../../../src/adapters/slack/sender.ts';
import { DeliveryError } from '../../../src/core/channel.ts';
import type { OkReply } from '../../../src/core/reply.ts';
import { FakeSlack } from '../../fakes/slack-api.ts';

let fake: FakeSlack;
let client: webApi.WebClient;
beforeAll(async () => {
  fake = await FakeSlack.start();
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
});
afterAll(async () => fake?.close());
beforeEach(() => {
  fake.calls.length = 0;
});

const digest: OkReply = {
  ok: true,
  command: 'digest',
  title: 'Daily digest',
  excerpts: [],
  sources: [],
  items: [{ label: 'New', text: 'Central Asia and Southeast Asia <!channel>' }],
  visibility: 'private',
};

function sender() {
  return slackChannelSender(() => client);
}

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DeliveryError);
  return error as DeliveryError;
}

describe('the Slack channel sender', () => {
  it('posts publicly with link previews off and returns the message ids', async () => {
    const result = await sender().send('C0DIGEST', digest, { idempotencyKey: 'k1' });
    const [call] = fake.callsTo('chat.postMessage');
    expect(call?.body).toMatchObject({ channel: 'C0DIGEST', unfurl_links: 'false', unfurl_media: 'false' });
    expect(JSON.stringify(call?.body.blocks)).not.toContain('<!channel>');
    expect(JSON.stringify(call?.body.blocks)).not.toContain('briefing_share');
    expect(result.messageIds).toHaveLength(1);
    expect(call?.authorization).toBe('Bearer xoxb-test');
  });

  it('splits a long digest into several posts within the limits', async () => {
    const long = {
      ...digest,
      items: Array.from({ length: 300 }, (_, i) => ({ label: `b${i}`, text: 'Ports and pipelines in the Gulf. '.repeat(4) })),
    };
    const result = await sender().send('C0DIGEST', long, { idempotencyKey: 'k2' });
    const calls = fake.callsTo('chat.postMessage');
    expect(calls.length).toBeGreaterThan(1);
    expect(result.messageIds).toHaveLength(calls.length);
    for (const c of calls) expect(JSON.stringify(c.body.blocks).length).toBeLessThanOrEqual(12_000);
  });

  it('does not post again the parts already delivered when retried after a partial failure', async () => {
    const long = {
      ...digest,
      items: Array.from({ length: 300 }, (_, i) => ({ label: `b${i}`, text: 'Ports and pipelines in the Gulf. '.repeat(4) })),
    };
    const s = sender();
    fake.script('chat.postMessage', (c) => ({ json: { ok: true, ts: '1.1', channel: c.body.channel } }), {
      json: { ok: false, error: 'internal_error' },
    });
    const error = await failure(s.send('C0DIGEST', long, { idempotencyKey: 'k3' }));
    expect(error.kind).toBe('transient');
    const firstTry = fake.callsTo('chat.postMessage').length;
    expect(firstTry).toBe(2);
    const result = await s.send('C0DIGEST', long, { idempotencyKey: 'k3' });
    const parts = result.messageIds.length;
    expect(fake.callsTo('chat.postMessage').length).toBe(firstTry + parts - 1);
    expect(result.messageIds[0]).toBe('1.1');
  });

  it.each([
    ['channel_not_found', 'channel-gone'],
    ['is_archived', 'channel-gone'],
    ['not_in_channel', 'forbidden'],
    ['missing_scope', 'forbidden'],
    ['ratelimited', 'rate-limited'],
    ['internal_error', 'transient'],
  ])('classifies %s as %s', async (code, kind) => {
    fake.script('chat.postMessage', { json: { ok: false, error: code } });
    const error = await failure(sender().send('C0GONE', digest, { idempotencyKey: `k-${code}` }));
    expect(error.kind).toBe(kind);
    expect(error.message).toContain('C0GONE');
  });

  it('classifies an HTTP 429 as rate-limited with the Retry-After delay', async () => {
    fake.script('chat.postMessage', { status: 429, headers: { 'retry-after': '7' }, json: { ok: false, error: 'ratelimited' } });
    const error = await failure(sender().send('C0BUSY', digest, { idempotencyKey: 'k429' }));
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(7000);
  });
});
