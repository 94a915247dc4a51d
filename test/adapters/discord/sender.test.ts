import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nonceFor } from '../../../src/adapters/discord/sender.ts';
import { DeliveryError } from '../../../src/core/channel.ts';
import { okReply } from '../../../src/core/reply.ts';
import { nextId } from '../../fakes/discord.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import type { Callback, Harness } from './harness.ts';
import { startHarness } from './harness.ts';
import { testCommands } from './test-commands.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness(await bundledLibrary(), testCommands());
});
afterAll(async () => h?.close());

const digest = okReply('digest', 'Weekly digest: 2 new briefings', {
  text: 'New this week @everyone <@&456>',
  excerpts: [{ articleId: 'a', passageId: 'a#p1', text: 'Trade rose.', passageText: 'Trade rose.', citations: [1], highlights: [] }],
  sources: [{ articleId: 'a', n: 1, title: 'Trade', outlet: 'Reuters', url: 'https://www.reuters.com/x' }],
  footer: 'briefing-bot digest',
});

const long = okReply('digest', 'Long digest', {
  excerpts: Array.from({ length: 8 }, (_, i) => ({
    articleId: 'a',
    passageId: `a#p${i}`,
    text: `Passage ${i} `.repeat(300),
    passageText: '',
    citations: [],
    highlights: [],
  })),
});

const channelPosts = (channelId: string) =>
  h.fake.requests.filter((r) => r.method === 'POST' && r.path === `/channels/${channelId}/messages`);

async function failure(promise: Promise<unknown>): Promise<DeliveryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof DeliveryError) return error;
    throw error;
  }
  throw new Error('expected the send to fail');
}

describe('the Discord channel sender for scheduled digests', () => {
  it('posts publicly with mentions disabled and a nonce derived from the idempotency key', async () => {
    const channel = nextId();
    const { messageIds } = await h.adapter.sender.send(channel, digest, { idempotencyKey: 'digest:42:2025-06-02T09:00' });
    expect(messageIds).toHaveLength(1);
    const body = channelPosts(channel)[0]?.body as Callback['data'] & { nonce: string; enforce_nonce: boolean };
    expect(body.allowed_mentions).toEqual({ parse: [] });
    expect(body.nonce).toBe(nonceFor('digest:42:2025-06-02T09:00', 0));
    expect(body.nonce.length).toBeLessThanOrEqual(25);
    expect(body.enforce_nonce).toBe(true);
    expect(body.flags).toBeUndefined();
    expect(body.embeds?.[0]?.title).toBe('Weekly digest: 2 new briefings');
    expect(body.embeds?.[0]?.description).not.toMatch(/@everyone|(^|[^\\])<@/);
  });

  it('splits a long digest into several posts, each with its own nonce', async () => {
    const channel = nextId();
    const { messageIds } = await h.adapter.sender.send(channel, long, { idempotencyKey: 'k-long' });
    expect(messageIds.length).toBeGreaterThan(1);
    const nonces = channelPosts(channel).map((r) => (r.body as { nonce: string }).nonce);
    expect(new Set(nonces).size).toBe(messageIds.length);
  });

  it('does not double-post when the same delivery is sent again', async () => {
    const channel = nextId();
    const first = await h.adapter.sender.send(channel, long, { idempotencyKey: 'k-resend' });
    const second = await h.adapter.sender.send(channel, long, { idempotencyKey: 'k-resend' });
    expect(second.messageIds).toEqual(first.messageIds);
    const stored = [...h.fake.messages.values()].filter((m) => m.channel_id === channel);
    expect(stored).toHaveLength(first.messageIds.length);
  });

  it('waits out a short rate limit and posts', async () => {
    const channel = nextId();
    h.fake.respondWith((r) => r.path === `/channels/${channel}/messages`, {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 0.02, global: false },
      headers: { 'retry-after': '0.02' },
    });
    const { messageIds } = await h.adapter.sender.send(channel, digest, { idempotencyKey: 'k-short-429' });
    expect(messageIds).toHaveLength(1);
    expect(channelPosts(channel)).toHaveLength(2);
  });

  const cases: [string, { status: number; body: unknown; headers?: Record<string, string> }, string][] = [
    ['10003 Unknown Channel', { status: 404, body: { message: 'Unknown Channel', code: 10003 } }, 'channel-gone'],
    ['50001 Missing Access', { status: 403, body: { message: 'Missing Access', code: 50001 } }, 'forbidden'],
    ['50013 Missing Permissions', { status: 403, body: { message: 'Missing Permissions', code: 50013 } }, 'forbidden'],
    ['a server error', { status: 500, body: { message: 'Internal Server Error', code: 0 } }, 'transient'],
    ['an invalid form body', { status: 400, body: { message: 'Invalid Form Body', code: 50035 } }, 'transient'],
  ];
  for (const [what, response, kind] of cases) {
    it(`classifies ${what} as ${kind}`, async () => {
      const channel = nextId();
      h.fake.respondWith((r) => r.path === `/channels/${channel}/messages`, response);
      const error = await failure(h.adapter.sender.send(channel, digest, { idempotencyKey: `k-${kind}` }));
      expect(error.kind).toBe(kind);
      expect(error.message).toContain(channel);
    });
  }

  it('reports a long rate limit as rate-limited with the wait, instead of blocking', async () => {
    const channel = nextId();
    h.fake.respondWith((r) => r.path === `/channels/${channel}/messages`, {
      status: 429,
      body: { message: 'You are being rate limited.', retry_after: 30, global: false },
      headers: { 'retry-after': '30' },
    });
    const error = await failure(h.adapter.sender.send(channel, digest, { idempotencyKey: 'k-long-429' }));
    expect(error.kind).toBe('rate-limited');
    expect(error.retryAfterMs).toBe(30_000);
  });
});
