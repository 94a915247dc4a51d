import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buttonPayload, interactiveBody, signedPost, slashBody } from '../../fakes/slack-requests.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { type Harness, SIGNING_SECRET, startHarness } from './harness.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness({ library: await bundledLibrary() });
});
afterAll(async () => h?.close());

const json = { contentType: 'application/json' };

describe('a signed request that nothing handles', () => {
  it('is answered 400 at once when a form carries neither a command nor a payload', async () => {
    const res = await signedPost(h.events, SIGNING_SECRET, new URLSearchParams({ team_id: 'T0FAKE', text: 'hello' }).toString());
    expect(res.status).toBe(400);
    expect(res.json()).toEqual({ ok: false, error: 'the form has neither a command nor a payload' });
  });

  it('is answered 400 at once when its JSON is not an object', async () => {
    for (const body of ['[1,2]', 'null', '42', '"text"', ' []']) {
      const res = await signedPost(h.events, SIGNING_SECRET, body, json);
      expect(res.status, body).toBe(400);
      expect(res.json(), body).toEqual({ ok: false, error: 'the body is not a JSON object' });
    }
    const payload = await signedPost(h.events, SIGNING_SECRET, new URLSearchParams({ payload: '[]' }).toString());
    expect(payload.status).toBe(400);
    expect(payload.json()).toEqual({ ok: false, error: 'the payload is not a JSON object' });
  });

  it('is answered 400 at once when it is an object no listener takes', async () => {
    const noType = await signedPost(h.events, SIGNING_SECRET, JSON.stringify({ hello: 'world' }), json);
    expect(noType.status).toBe(400);
    expect(noType.json()).toEqual({ ok: false, error: 'nothing here handles a request with neither a command nor a type' });
    const button = buttonPayload({ actionId: 'nobody_handles_this', value: 'x', responseUrl: h.fake.responseUrl('unhandled') });
    const click = await signedPost(h.events, SIGNING_SECRET, interactiveBody(button));
    expect(click.status).toBe(400);
    expect(click.json()).toEqual({ ok: false, error: 'nothing here handles the button nobody_handles_this' });
  });

  it('stays 401 when it is not signed, whatever it contains', async () => {
    for (const body of ['[1,2]', JSON.stringify({ hello: 'world' })]) {
      const res = await signedPost(h.events, 'not-the-secret', body, json);
      expect(res.status, body).toBe(401);
    }
  });

  it('leaves ordinary commands alone, and logs no three-second timeout or error for any of the above', async () => {
    const res = await signedPost(
      h.events,
      SIGNING_SECRET,
      slashBody({ command: '/source', text: '6', response_url: h.fake.responseUrl('ok') }),
    );
    expect(res.status).toBe(200);
    expect(JSON.stringify(res.json())).toContain('[6]');
    const logs = h.logs.join('\n');
    expect(logs).not.toMatch(/not acknowledged within 3 seconds/);
    expect(logs).not.toMatch(/"level":50/);
    expect(logs).toContain('answered a Slack request that nothing handles with 400');
  });
});
