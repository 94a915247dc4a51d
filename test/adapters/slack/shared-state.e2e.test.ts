import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { ButtonElement, SlackBlock } from '../../../src/adapters/slack/block-types.ts';
import { type AnyCommand, defineCommand } from '../../../src/core/command.ts';
import { okReply } from '../../../src/core/reply.ts';
import { openStore } from '../../../src/store/index.ts';
import type { Store } from '../../../src/store/types.ts';
import { signedPost, slashBody } from '../../fakes/slack-requests.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { type Harness, SIGNING_SECRET, startHarness, textsOf } from './harness.ts';

/**
 * Two bot processes (each its own Bolt app and store connection) on one SQLite file, as two
 * replicas behind a load balancer are: retry de-duplication, long button values and shares are
 * in the store's shared keys, so either process (or a restarted one) sees what the other did.
 */

const runs: string[] = [];
const echo = defineCommand({
  name: 'echo',
  description: 'Answers with the length of what it was given',
  usage: '[text]',
  examples: [],
  options: [{ name: 'text', type: 'string', description: 'Anything', rest: true, maxLength: 4000 }],
  schema: z.object({ text: z.string().optional() }),
  permission: 'everyone',
  run: ({ text }) => {
    runs.push(text ?? '');
    return okReply('echo', `Echo ${(text ?? '').length}`, { actions: [{ type: 'share', label: 'Share in channel' }] });
  },
}) as AnyCommand;

let dataDir: string;
const stores: Store[] = [];
let a: Harness;
let b: Harness;

async function replica(): Promise<Harness> {
  const store = await openStore({ dataDir });
  stores.push(store);
  return startHarness({ library: await bundledLibrary(), commands: [echo], keys: store.keys });
}

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'briefing-replicas-'));
  a = await replica();
  b = await replica();
});
afterAll(async () => {
  await a?.close();
  await b?.close();
  for (const s of stores) await s.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const shareButton = (ack: Record<string, unknown>) =>
  (ack.blocks as SlackBlock[])
    .flatMap((bl) => (bl.type === 'actions' ? bl.elements : []))
    .find((e) => e.action_id === 'briefing_share') as ButtonElement;

describe('retried deliveries across processes', () => {
  it('a retry that reaches the other process, or this one after a restart, is acknowledged and not answered again', async () => {
    const trigger = `trigger-${randomUUID()}`;
    const body = (h: Harness) =>
      slashBody({ command: '/echo', text: 'once', response_url: h.fake.responseUrl('retry'), trigger_id: trigger });
    const first = await signedPost(a.events, SIGNING_SECRET, body(a));
    expect(textsOf(first.json()).join(' ')).toContain('Echo 4');
    const retry = await signedPost(b.events, SIGNING_SECRET, body(b), {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    await a.close();
    a = await replica();
    const late = await signedPost(a.events, SIGNING_SECRET, body(a), { headers: { 'x-slack-retry-num': '2' } });
    expect(late.text).toBe('');
    expect(runs.filter((r) => r === 'once')).toHaveLength(1);
  });
});

describe('button state across processes', () => {
  it('a button whose invocation is too long for Slack works when clicked on the other process', async () => {
    const long = 'word '.repeat(600).trim();
    const ack = (await a.slash('/echo', long)).json();
    const share = shareButton(ack);
    expect(JSON.parse(share.value as string)).toEqual({ k: expect.any(String) });
    await b.click('briefing_share', share.value as string, { id: 'long-share', messageTs: '1700000000.500000' });
    await b.fake.until(() => b.fake.callsTo('chat.postMessage').length > 0);
    expect(textsOf(b.fake.callsTo('chat.postMessage')[0]?.body).join(' ')).toContain(`Echo ${long.length}`);
  });

  it('"Share in channel" clicked on one process and again on the other, or after a restart, posts once and says who shared it when', async () => {
    const ack = (await a.slash('/echo', 'share me')).json();
    const share = shareButton(ack);
    const postsBefore = a.fake.callsTo('chat.postMessage').length + b.fake.callsTo('chat.postMessage').length;
    await a.click('briefing_share', share.value as string, { id: 'share-a', userId: 'U0ALICE', messageTs: '1700000000.600000' });
    await a.fake.until(() => a.fake.responsesTo('share-a').length > 0);
    expect(a.fake.responsesTo('share-a')[0]?.body).toEqual({ delete_original: true });
    await b.click('briefing_share', share.value as string, { id: 'share-b', userId: 'U0BOB', messageTs: '1700000000.600000' });
    await b.fake.until(() => b.fake.responsesTo('share-b').length > 0);
    const notice = textsOf(b.fake.responsesTo('share-b')[0]?.body).join(' ');
    expect(notice).toMatch(
      /This answer was already shared in <#C0GENERAL> by <@U0ALICE> \(<!date\^\d+\^\{date_short_pretty\} at \{time\}\|\d{4}-\d\d-\d\d \d\d:\d\d UTC>\)/,
    );
    expect(a.fake.callsTo('chat.postMessage').length + b.fake.callsTo('chat.postMessage').length - postsBefore).toBe(1);
    await a.close();
    a = await replica();
    await a.click('briefing_share', share.value as string, { id: 'share-c', userId: 'U0ALICE', messageTs: '1700000000.600000' });
    await a.fake.until(() => a.fake.responsesTo('share-c').length > 0);
    expect(textsOf(a.fake.responsesTo('share-c')[0]?.body).join(' ')).toContain('already shared in <#C0GENERAL> by <@U0ALICE>');
    expect(a.fake.callsTo('chat.postMessage')).toHaveLength(0);
    expect(runs.filter((r) => r === 'share me')).toHaveLength(2);
  });

  it('a share whose post failed can be tried again', async () => {
    const ack = (await b.slash('/echo', 'retry share')).json();
    const share = shareButton(ack);
    b.fake.script('chat.postMessage', { json: { ok: false, error: 'not_in_channel' } });
    await b.click('briefing_share', share.value as string, { id: 'fail-1', messageTs: '1700000000.700000' });
    await b.fake.until(() => b.fake.responsesTo('fail-1').length > 0);
    expect(textsOf(b.fake.responsesTo('fail-1')[0]?.body).join(' ')).toContain('I am not in this channel');
    await b.click('briefing_share', share.value as string, { id: 'fail-2', messageTs: '1700000000.700000' });
    await b.fake.until(() => b.fake.responsesTo('fail-2').length > 0);
    expect(b.fake.responsesTo('fail-2')[0]?.body).toEqual({ delete_original: true });
  });
});
