import { webApi } from '@slack/bolt';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DIGEST_EVENT_TYPE } from '../../../src/adapters/slack/digest-parts.ts';
import { slackChannelSender } from '../../../src/adapters/slack/sender.ts';
import { DeliveryError, type SendOptions } from '../../../src/core/channel.ts';
import type { OkReply } from '../../../src/core/reply.ts';
import { memoryKeyStore } from '../../../src/store/memory-keys.ts';
import type { KeyStore, Store } from '../../../src/store/types.ts';
import { FakeSlack } from '../../fakes/slack-api.ts';
import { sqliteStoreIn } from '../../helpers/store.ts';
import { tempDataDir } from '../../scheduler/helpers.ts';

/**
 * A digest resent (a retry, a restarted process, another replica) posts only the parts that are
 * not in the channel yet: through the real WebClient against the loopback Slack, which keeps the
 * posted messages and answers conversations.history from them, with real SQLite keys.
 */

let fake: FakeSlack;
let client: webApi.WebClient;
let clock: number;
beforeAll(async () => {
  fake = await FakeSlack.start();
  client = new webApi.WebClient('xoxb-test', { slackApiUrl: fake.apiUrl, rejectRateLimitedCalls: true, retryConfig: { retries: 0 } });
});
afterAll(async () => fake?.close());

let data: ReturnType<typeof tempDataDir>;
const stores: Store[] = [];
beforeEach(() => {
  fake.calls.length = 0;
  fake.channels.clear();
  clock = Date.parse('2025-06-02T06:00:00Z');
  fake.now = () => clock;
  data = tempDataDir();
});
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close().catch(() => {});
  data.cleanup();
});

const CHANNEL = 'C0DIGEST';
const long: OkReply = {
  ok: true,
  command: 'digest',
  title: 'Daily digest',
  excerpts: [],
  sources: [],
  items: Array.from({ length: 300 }, (_, i) => ({ label: `b${i}`, text: 'Ports and pipelines in the Gulf. '.repeat(4) })),
  visibility: 'private',
};

function store(): Store {
  const s = sqliteStoreIn(data.dir);
  stores.push(s);
  return s;
}

function sender(keys: KeyStore = memoryKeyStore()) {
  const warnings: { obj: Record<string, unknown>; msg: string }[] = [];
  const s = slackChannelSender(() => client, { keys, now: () => clock, warn: (obj, msg) => warnings.push({ obj, msg }) });
  return Object.assign(s, { warnings });
}

const first = (key: string): SendOptions => ({ idempotencyKey: key, resend: false, since: new Date(clock).toISOString() });
const again = (key: string, since = clock): SendOptions => ({ idempotencyKey: key, resend: true, since: new Date(since).toISOString() });
const posts = () => fake.callsTo('chat.postMessage');
const lookups = () => fake.callsTo('conversations.history');

describe('a Slack digest resent', () => {
  it('every part carries the delivery key in its metadata, and a first attempt reads no history', async () => {
    const result = await sender().send(CHANNEL, long, first('dg-one'));
    const parts = posts();
    expect(parts.length).toBeGreaterThan(2);
    expect(parts.map((c) => c.body.metadata)).toEqual(
      parts.map((_, i) => ({ event_type: DIGEST_EVENT_TYPE, event_payload: { key: 'dg-one', part: i + 1, parts: parts.length } })),
    );
    expect(result.messageIds).toEqual(fake.channels.get(CHANNEL)?.map((m) => m.ts));
    expect(lookups()).toHaveLength(0);
  });

  it('through another replica sharing the store keys posts nothing twice and reads no history', async () => {
    const a = await sender(store().keys).send(CHANNEL, long, first('dg-replica'));
    const count = posts().length;
    const b = await sender(store().keys).send(CHANNEL, long, again('dg-replica'));
    expect(posts()).toHaveLength(count);
    expect(lookups()).toHaveLength(0);
    expect(b.messageIds).toEqual(a.messageIds);
  });

  it('whose keys do not know the parts finds them in the channel, posts nothing twice and records them', async () => {
    const a = await sender().send(CHANNEL, long, first('dg-lost'));
    const count = posts().length;
    const keys = store().keys;
    const b = sender(keys);
    clock += 90_000;
    expect((await b.send(CHANNEL, long, again('dg-lost', clock - 90_000))).messageIds).toEqual(a.messageIds);
    expect(posts()).toHaveLength(count);
    expect(lookups()).toHaveLength(1);
    expect(lookups()[0]?.body).toMatchObject({ channel: CHANNEL, include_all_metadata: 'true', limit: '100' });
    // Recorded now: another resend needs no look-up.
    await sender(store().keys).send(CHANNEL, long, again('dg-lost'));
    expect(lookups()).toHaveLength(1);
    expect(posts()).toHaveLength(count);
  });

  it('of a multi-part digest partly posted resumes at the first missing part, in order', async () => {
    const asSlack = () => undefined; // the fake's own answer: posted
    fake.script('chat.postMessage', asSlack, asSlack, { json: { ok: false, error: 'internal_error' } });
    const error = await sender()
      .send(CHANNEL, long, first('dg-partial'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect((error as DeliveryError).kind).toBe('transient');
    // Two parts are in the channel; the third failed. Another process, without those records, resumes.
    const before = fake.channels.get(CHANNEL)?.map((m) => m.ts) ?? [];
    expect(before).toHaveLength(2);
    const result = await sender(store().keys).send(CHANNEL, long, again('dg-partial'));
    const resumed = posts().slice(3);
    expect(resumed.map((c) => (c.body.metadata as { event_payload: { part: number } }).event_payload.part)).toEqual(
      Array.from({ length: result.messageIds.length - 2 }, (_, i) => i + 3),
    );
    expect(result.messageIds.slice(0, 2)).toEqual(before);
    expect(fake.channels.get(CHANNEL)?.map((m) => m.ts)).toEqual(result.messageIds);
  });

  it.each(['missing_scope', 'not_in_channel'])(
    'whose channel history cannot be read (%s) posts the missing parts anyway and warns what to fix',
    async (code) => {
      await sender().send(CHANNEL, long, first('dg-blind'));
      const count = posts().length;
      fake.script('conversations.history', { json: { ok: false, error: code } });
      const b = sender();
      const result = await b.send(CHANNEL, long, again('dg-blind'));
      expect(result.messageIds).toHaveLength(count);
      expect(posts()).toHaveLength(2 * count);
      expect(b.warnings).toHaveLength(1);
      expect(b.warnings[0]?.msg).toContain('channels:history or groups:history');
      expect(String(b.warnings[0]?.obj.reason)).toContain(code);
    },
  );

  it('whose history look-up is rate-limited is a rate-limited delivery that posts nothing', async () => {
    await sender().send(CHANNEL, long, first('dg-busy'));
    const count = posts().length;
    fake.script('conversations.history', { status: 429, headers: { 'retry-after': '5' }, json: { ok: false, error: 'ratelimited' } });
    const error = await sender()
      .send(CHANNEL, long, again('dg-busy'))
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DeliveryError);
    expect(error).toMatchObject({ kind: 'rate-limited', retryAfterMs: 5000 });
    expect(posts()).toHaveLength(count);
  });

  it('with the store unreachable records nothing but still posts nothing twice, from the channel history', async () => {
    const closed = store();
    await closed.close();
    const a = sender(closed.keys);
    const posted = await a.send(CHANNEL, long, first('dg-nostore'));
    const count = posts().length;
    expect(a.warnings.length).toBe(count);
    expect(a.warnings[0]?.msg).toBe('could not record a posted digest part');
    const b = sender(closed.keys);
    expect((await b.send(CHANNEL, long, again('dg-nostore'))).messageIds).toEqual(posted.messageIds);
    expect(posts()).toHaveLength(count);
    expect(b.warnings[0]?.msg).toContain('could not read which digest parts were posted');
  });

  it('looks back page by page through a busy channel, within a bounded window from the first claim', async () => {
    const a = await sender().send(CHANNEL, long, first('dg-paged'));
    const count = posts().length;
    for (let i = 0; i < 150; i++) await client.chat.postMessage({ channel: CHANNEL, text: `chatter ${i}` });
    const result = await sender().send(CHANNEL, long, again('dg-paged'));
    expect(result.messageIds).toEqual(a.messageIds);
    expect(posts()).toHaveLength(count + 150);
    expect(lookups()).toHaveLength(2);
    expect(lookups()[1]?.body.cursor).toBeTruthy();

    // Parts posted long before the claim (outside the window) are not looked at.
    clock += 3 * 60 * 60_000;
    await sender().send(CHANNEL, long, again('dg-paged', clock));
    expect(posts()).toHaveLength(2 * count + 150);
  });
});

describe('the loopback Slack history', () => {
  it('answers newest first, after oldest, with metadata only when asked', async () => {
    await client.chat.postMessage({ channel: 'C0H', text: 'one', metadata: { event_type: 'x', event_payload: { n: 1 } } });
    clock += 1000;
    await client.chat.postMessage({ channel: 'C0H', text: 'two', metadata: { event_type: 'x', event_payload: { n: 2 } } });
    const all = await client.conversations.history({ channel: 'C0H', include_all_metadata: true });
    expect(all.messages?.map((m) => [m.text, m.metadata?.event_payload])).toEqual([
      ['two', { n: 2 }],
      ['one', { n: 1 }],
    ]);
    const later = await client.conversations.history({ channel: 'C0H', oldest: String((clock - 500) / 1000) });
    expect(later.messages?.map((m) => [m.text, m.metadata])).toEqual([['two', undefined]]);
  });
});
