import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { checkTimestamp, guardRequests, signSlackRequest, verifySlackSignature } from '../../../src/adapters/slack/signature.ts';

const NOW = 1_750_000_000_000;
const secret = 'shh';

describe('Slack request signatures', () => {
  it('signs as Slack does: v0= and the hex HMAC of v0:timestamp:body', () => {
    expect(signSlackRequest('8f742231b10e8888abcd99yyyzzz85a5', 1531420618, 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J')).toMatch(
      /^v0=[0-9a-f]{64}$/,
    );
  });

  it('accepts a fresh, correctly signed body', () => {
    const ts = String(NOW / 1000);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestamp: ts,
        signature: signSlackRequest(secret, ts, 'a=1'),
        body: 'a=1',
        nowMs: NOW,
      }),
    ).toBeUndefined();
  });

  it('rejects a forged signature, a stale timestamp and a future one', () => {
    const ts = String(NOW / 1000);
    expect(
      verifySlackSignature({
        signingSecret: secret,
        timestamp: ts,
        signature: signSlackRequest('other', ts, 'a=1'),
        body: 'a=1',
        nowMs: NOW,
      }),
    ).toBe('bad-signature');
    expect(checkTimestamp(String(NOW / 1000 - 301), NOW)).toBe('stale');
    expect(checkTimestamp(String(NOW / 1000 + 301), NOW)).toBe('future');
    expect(checkTimestamp(String(NOW / 1000 + 300), NOW)).toBeUndefined();
    expect(checkTimestamp('12abc', NOW)).toBe('missing-timestamp');
    expect(checkTimestamp(undefined, NOW)).toBe('missing-timestamp');
  });
});

describe('the guard in front of the receiver', () => {
  let close: (() => Promise<void>) | undefined;
  afterEach(async () => close?.());

  async function serve(listener: RequestListener): Promise<string> {
    const server = createServer(listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    close = () => new Promise((r) => server.close(() => r()));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  it('answers 401 to skewed timestamps and 413 to oversized bodies without calling the receiver', async () => {
    const reached: string[] = [];
    const rejected: string[] = [];
    const inner: RequestListener = (req, res) => {
      reached.push(req.url ?? '');
      res.end('inner');
    };
    const base = await serve(
      guardRequests(inner, { endpoints: ['/slack/events'], bodyLimit: 100, now: () => NOW, onReject: (reason) => rejected.push(reason) }),
    );
    const post = (ts: number, body = 'a=1') =>
      fetch(`${base}/slack/events`, { method: 'POST', headers: { 'x-slack-request-timestamp': String(ts) }, body }).then((r) => r.status);
    expect(await post(NOW / 1000 + 3600)).toBe(401);
    expect(await post(NOW / 1000 - 3600)).toBe(401);
    expect(await post(NOW / 1000, 'x'.repeat(101))).toBe(413);
    expect(await post(NOW / 1000)).toBe(200);
    expect(await fetch(`${base}/healthz`).then((r) => r.status)).toBe(200);
    expect(reached).toEqual(['/slack/events', '/healthz']);
    expect(rejected).toEqual(['future', 'stale', 'too-large']);
  });
});
