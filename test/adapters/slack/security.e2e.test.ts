import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { type AnyCommand, defineCommand } from '../../../src/core/command.ts';
import { okReply } from '../../../src/core/reply.ts';
import { eventCallback, signedPost, slashBody } from '../../fakes/slack-requests.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { APP_TOKEN, BOT_TOKEN, type Harness, SIGNING_SECRET, startHarness } from './harness.ts';

const runs: string[] = [];
const probe = defineCommand({
  name: 'probe',
  description: 'Records that it ran',
  usage: '[text]',
  examples: [],
  options: [{ name: 'text', type: 'string', description: 'Anything', rest: true }],
  schema: z.object({ text: z.string().optional() }),
  permission: 'everyone',
  run: ({ text }) => {
    runs.push(text ?? '');
    return okReply('probe', `Probe ${text ?? ''}`);
  },
}) as AnyCommand;

let h: Harness;
let healthy = true;
beforeAll(async () => {
  h = await startHarness({
    library: await bundledLibrary(),
    commands: [probe],
    health: () => ({ ok: healthy, index: { loaded: healthy }, adapters: { slack: { connected: true } } }),
  });
});
afterAll(async () => h?.close());

function body(text: string, triggerId = `trigger-${randomUUID()}`): string {
  return slashBody({ command: '/probe', text, response_url: h.fake.responseUrl('sec'), trigger_id: triggerId });
}

const now = () => Math.floor(Date.now() / 1000);

describe('request verification', () => {
  it('answers 401 to a forged signature and runs nothing', async () => {
    const res = await signedPost(h.events, SIGNING_SECRET, body('forged'), { signature: `v0=${'0'.repeat(64)}` });
    expect(res.status).toBe(401);
    const wrongSecret = await signedPost(h.events, 'not-the-secret', body('forged'));
    expect(wrongSecret.status).toBe(401);
    expect(runs).not.toContain('forged');
  });

  it('answers 401 to a correctly signed request stamped ten minutes ago or an hour ahead', async () => {
    expect((await signedPost(h.events, SIGNING_SECRET, body('stale'), { timestamp: now() - 600 })).status).toBe(401);
    expect((await signedPost(h.events, SIGNING_SECRET, body('future'), { timestamp: now() + 3600 })).status).toBe(401);
    expect((await signedPost(h.events, SIGNING_SECRET, body('future'), { timestamp: now() + 301 })).status).toBe(401);
    expect(runs).toEqual([]);
  });

  it('answers 401 when the signature headers are missing', async () => {
    const res = await fetch(h.events, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body('unsigned'),
    });
    expect(res.status).toBe(401);
    expect(runs).toEqual([]);
  });

  it('refuses an oversized body with 413 before reading it', async () => {
    const huge = body(`big ${'x'.repeat(600 * 1024)}`);
    expect((await signedPost(h.events, SIGNING_SECRET, huge)).status).toBe(413);
    expect(runs).toEqual([]);
  });

  it('accepts a correctly signed, current request', async () => {
    const res = await signedPost(h.events, SIGNING_SECRET, body('fine'));
    expect(res.status).toBe(200);
    expect(runs).toEqual(['fine']);
  });
});

describe('retried deliveries', () => {
  it('acknowledges a retried slash command without running it again', async () => {
    const trigger = `trigger-${randomUUID()}`;
    const first = await signedPost(h.events, SIGNING_SECRET, body('once', trigger));
    const retry = await signedPost(h.events, SIGNING_SECRET, body('once', trigger), {
      headers: { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' },
    });
    expect(first.status).toBe(200);
    expect(first.json()).toMatchObject({ blocks: [{ type: 'header', text: { text: 'Probe once' } }] });
    expect(retry.status).toBe(200);
    expect(retry.text).toBe('');
    expect(runs.filter((r) => r === 'once')).toHaveLength(1);
  });

  it('answers a retried event only once', async () => {
    const before = h.fake.callsTo('chat.postMessage').length;
    const event = JSON.stringify(
      eventCallback(
        { type: 'app_mention', user: 'U0ALICE', text: '<@UBOT> probe mention', ts: '1.2', channel: 'C0TEAM', event_ts: '1.2' },
        'EvRETRY1',
      ),
    );
    expect((await signedPost(h.events, SIGNING_SECRET, event, { contentType: 'application/json' })).status).toBe(200);
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
    const retry = await signedPost(h.events, SIGNING_SECRET, event, {
      contentType: 'application/json',
      headers: { 'x-slack-retry-num': '1' },
    });
    expect(retry.status).toBe(200);
    // A later, distinct delivery proves the retry was fully handled (and dropped) before it.
    const other = JSON.stringify(
      eventCallback({ type: 'app_mention', user: 'U0ALICE', text: '<@UBOT> probe later', ts: '1.3', channel: 'C0TEAM', event_ts: '1.3' }),
    );
    await signedPost(h.events, SIGNING_SECRET, other, { contentType: 'application/json' });
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before + 1);
    expect(runs.filter((r) => r === 'mention')).toHaveLength(1);
    expect(
      h.fake
        .callsTo('chat.postMessage')
        .slice(before)
        .map((c) => (c.body.text as string).slice(0, 13)),
    ).toEqual(['Probe mention', 'Probe later']);
  });
});

describe('health', () => {
  it('GET /healthz answers the provider report, 503 when not ok', async () => {
    const ok = await fetch(`${h.base}/healthz`);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toEqual({ ok: true, index: { loaded: true }, adapters: { slack: { connected: true } } });
    healthy = false;
    const down = await fetch(`${h.base}/healthz`);
    expect(down.status).toBe(503);
    healthy = true;
    expect(h.adapter.health()).toEqual({ connected: true, mode: 'http' });
  });
});

describe('logs', () => {
  it('never contain a token or the signing secret, even at debug level', () => {
    const all = h.logs.join('\n');
    expect(all).toContain('refused a Slack request');
    for (const secret of [BOT_TOKEN, APP_TOKEN, SIGNING_SECRET]) expect(all).not.toContain(secret);
  });
});
