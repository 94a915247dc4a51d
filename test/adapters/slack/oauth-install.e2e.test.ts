import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_FILE } from '../../../src/store/index.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { textsOf } from './harness.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  type OAuthHarness,
  SIGNING_SECRET,
  STATE_SECRET,
  startInstall,
  startOAuthHarness,
  type Workspace,
} from './oauth-harness.ts';

const ACME: Workspace = { team: 'T0ACME', name: 'Acme <Research> & Co', token: 'xoxb-acme-1111-secretacmetoken', installer: 'U0ACMEINST' };

let h: OAuthHarness;
beforeAll(async () => {
  h = await startOAuthHarness({ library: await bundledLibrary() });
});
afterAll(async () => h?.close());

describe('"Add to Slack"', () => {
  it('serves an install page that sets the state cookie and links to Slack with the same state, the client id and the scopes', async () => {
    const { page, html, cookie, state, link } = await startInstall(h.base);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html).toContain('Add to Slack');
    expect(cookie).toBe(`slack-app-oauth-state=${state}`);
    expect(state.length).toBeGreaterThan(20);
    expect(`${link.origin}${link.pathname}`).toBe('https://slack.com/oauth/v2/authorize');
    expect(link.searchParams.get('client_id')).toBe(CLIENT_ID);
    expect(link.searchParams.get('scope')?.split(',')).toEqual(expect.arrayContaining(['commands', 'chat:write', 'users:read']));
  });

  it('exchanges the code, stores the installation and shows a readable success page (team name escaped)', async () => {
    const res = await h.install(ACME);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('is installed');
    expect(html).toContain('Acme &lt;Research&gt; &amp; Co');
    expect(html).not.toContain('<Research>');
    const exchange = h.fake.callsTo('oauth.v2.access').at(-1);
    expect(exchange?.body).toMatchObject({ code: expect.stringMatching(/^code-/), client_id: CLIENT_ID, client_secret: CLIENT_SECRET });
    const stored = await h.store.installations.find({ teamId: 'T0ACME', enterpriseInstall: false });
    expect(stored).toBeDefined();
    const audit = await h.store.audit.list({ workspaceId: 'T0ACME' });
    expect(audit.map((a) => a.action)).toContain('slack.install');
    expect(audit.find((a) => a.action === 'slack.install')?.actor).toBe(ACME.installer);
  });

  it('keeps the bot token encrypted at rest: neither the row nor the database file holds it', async () => {
    const stored = await h.store.installations.find({ teamId: 'T0ACME', enterpriseInstall: false });
    expect(stored?.payload.startsWith('v1.')).toBe(true);
    expect(stored?.payload).not.toContain(ACME.token);
    expect(stored?.payload).not.toContain('T0ACME');
    const file = readFileSync(join(h.dataDir, DATABASE_FILE));
    expect(file.includes(Buffer.from(ACME.token))).toBe(false);
    const wal = (() => {
      try {
        return readFileSync(join(h.dataDir, `${DATABASE_FILE}-wal`));
      } catch {
        return Buffer.alloc(0);
      }
    })();
    expect(wal.includes(Buffer.from(ACME.token))).toBe(false);
  });

  it('answers the installed workspace with its own token', async () => {
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.event('T0ACME', {
      type: 'app_mention',
      user: 'U0ANY',
      text: '<@UBOTT0ACME> source 6',
      ts: '1.1',
      channel: 'C0ACME',
      event_ts: '1.1',
    });
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
    const post = h.fake.callsTo('chat.postMessage').at(-1);
    expect(post?.authorization).toBe(`Bearer ${ACME.token}`);
    expect(post?.body.channel).toBe('C0ACME');
  });
});

describe('the state check', () => {
  const redirect = (query: string, cookie?: string) =>
    fetch(`${h.base}/slack/oauth_redirect?${query}`, { redirect: 'manual', ...(cookie ? { headers: { cookie } } : {}) });

  it('refuses a forged state, a missing one, and a real one from another browser, with a readable page, exchanging nothing', async () => {
    const exchanges = h.fake.callsTo('oauth.v2.access').length;
    const { state } = await startInstall(h.base);
    const attempts = [
      await redirect('code=stolen&state=forged-state', 'slack-app-oauth-state=forged-state'),
      await redirect('code=stolen'),
      await redirect(`code=stolen&state=${encodeURIComponent(state)}`),
      await redirect(`code=stolen&state=${encodeURIComponent(state)}`, 'slack-app-oauth-state=another-browser'),
    ];
    for (const res of attempts) {
      expect(res.status).toBe(400);
      const html = await res.text();
      expect(html).toContain('This install link is not valid here');
      expect(html).toContain('href="/slack/install"');
    }
    expect(h.fake.callsTo('oauth.v2.access').length).toBe(exchanges);
  });

  it('accepts a state once: replaying the redirect with its cookie is refused', async () => {
    const { cookie, state } = await startInstall(h.base);
    h.fake.oauthCodes.set('code-replay', { ...(h.fake.oauthCodes.get('code-1') ?? {}) });
    const first = await redirect(`code=code-replay&state=${encodeURIComponent(state)}`, cookie);
    expect(first.status).toBe(200);
    const exchanges = h.fake.callsTo('oauth.v2.access').length;
    const replay = await redirect(`code=code-replay&state=${encodeURIComponent(state)}`, cookie);
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('This install link is not valid here');
    expect(h.fake.callsTo('oauth.v2.access').length).toBe(exchanges);
  });

  it("shows Slack's refusal of the code on the error page, escaped", async () => {
    const { cookie, state } = await startInstall(h.base);
    h.fake.script('oauth.v2.access', { json: { ok: false, error: 'bad_redirect_uri' } });
    const res = await redirect(`code=whatever&state=${encodeURIComponent(state)}`, cookie);
    expect(res.status).toBe(502);
    expect(await res.text()).toContain('Slack refused to finish the installation (bad_redirect_uri)');
  });
});

describe('a restart', () => {
  it('keeps the installations (same SQLite file) and answers with the stored token', async () => {
    await h.restart();
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.event('T0ACME', {
      type: 'app_mention',
      user: 'U0ANY',
      text: '<@UBOTT0ACME> source 6',
      ts: '2.1',
      channel: 'C0ACME',
      event_ts: '2.1',
    });
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
    expect(h.fake.callsTo('chat.postMessage').at(-1)?.authorization).toBe(`Bearer ${ACME.token}`);
    const res = await h.slash('T0ACME', '/source', '6');
    expect(textsOf(res.json()).join(' ')).toContain('[6]');
  });

  it('with another SLACK_TOKEN_ENCRYPTION_KEY refuses to start, naming the variable', async () => {
    await expect(h.restart({ tokenKey: randomBytes(32) })).rejects.toThrow(/does not decrypt with SLACK_TOKEN_ENCRYPTION_KEY/);
    await h.restart();
    expect((await h.slash('T0ACME', '/source', '6')).status).toBe(200);
  });
});

describe('logs', () => {
  it('never contain a bot token, the client secret, the state secret or the signing secret', () => {
    const all = h.logs.join('\n');
    expect(all).toContain('Slack workspace installed the app');
    for (const secret of [ACME.token, CLIENT_SECRET, STATE_SECRET, SIGNING_SECRET]) expect(all).not.toContain(secret);
  });
});
