import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
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
    expect(page.headers.get('content-security-policy')).toBe("default-src 'none'; style-src 'unsafe-inline'");
    expect(page.headers.get('x-frame-options')).toBe('DENY');
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
  afterEach(() => {
    vi.useRealTimers();
  });
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

  it('refuses a state made more than 10 minutes ago, with its own cookie, exchanging nothing', async () => {
    const { cookie, state } = await startInstall(h.base);
    const exchanges = h.fake.callsTo('oauth.v2.access').length;
    // Only Date is faked: the server and the fake keep running on real timers.
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 10 * 60_000 + 5_000);
    const res = await redirect(`code=code-late&state=${encodeURIComponent(state)}`, cookie);
    vi.useRealTimers();
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('the link expired after 10 minutes');
    expect(h.fake.callsTo('oauth.v2.access').length).toBe(exchanges);
    expect(h.logs.some((l) => l.includes('The state value is already expired'))).toBe(true);
  });

  it('names what Slack reported when it sends the browser back without a code, with what to do, escaped', async () => {
    const { cookie, state } = await startInstall(h.base);
    const res = await redirect(`error=invalid_team_for_non_distributed_app&state=${encodeURIComponent(state)}`, cookie);
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('<h1>Slack did not complete the installation</h1>');
    expect(html).toContain('Slack reported &quot;invalid_team_for_non_distributed_app&quot;.');
    expect(html).toContain('Manage Distribution');
    const hostile = await redirect(`error=${encodeURIComponent('<script>alert(1)</script>')}`);
    expect(hostile.status).toBe(400);
    const text = await hostile.text();
    expect(text).toContain('Slack reported &quot;&lt;script&gt;alert(1)&lt;/script&gt;&quot;.');
    expect(text).not.toContain('<script>');
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
    await expect(h.restart({ tokenKey: randomBytes(32) })).rejects.toThrow(
      /does not decrypt with SLACK_TOKEN_ENCRYPTION_KEY: the key changed or the record was altered\. Start with the SLACK_TOKEN_ENCRYPTION_KEY the installations were stored with$/,
    );
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

describe('an Enterprise Grid organisation-wide install', () => {
  const ORG: Workspace = {
    team: 'T0ORGWS',
    name: 'Org Inc',
    token: 'xoxb-org-3333-secretorgtoken',
    installer: 'W0ORGADMIN',
    enterprise: { id: 'E0ORG', name: 'Org <Inc>', orgWide: true },
  };
  const origin = { enterprise: 'E0ORG', orgWide: true };

  it('is stored under the organisation and says so on the success page', async () => {
    const res = await h.install(ORG);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('is now installed in the Enterprise Grid organisation Org &lt;Inc&gt;.');
    expect(html).toContain('An organisation admin chooses the workspaces');
    const stored = await h.store.installations.find({ enterpriseId: 'E0ORG', enterpriseInstall: true });
    expect(stored?.payload.startsWith('v1.')).toBe(true);
    expect(stored?.payload).not.toContain(ORG.token);
    const [entry] = await h.store.audit.list({ workspaceId: 'E0ORG', action: 'slack.install' });
    expect(entry).toMatchObject({ actor: 'W0ORGADMIN', target: 'E:E0ORG' });
  });

  it("answers any workspace of the organisation with the organisation's token", async () => {
    const answer = await h.slash('T0ORGWS', '/source', '6', origin);
    expect(textsOf(answer.json()).join(' ')).toContain('[6]');
    const before = h.fake.callsTo('chat.postMessage').length;
    const res = await h.event(
      'T0ORGWS',
      { type: 'app_mention', user: 'W0ANY', text: '<@UBOTT0ORGWS> source 6', ts: '5.1', channel: 'C0ORG', event_ts: '5.1' },
      origin,
    );
    expect(res.status).toBe(200);
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
    expect(h.fake.callsTo('chat.postMessage').at(-1)?.authorization).toBe(`Bearer ${ORG.token}`);
  });

  it("lets the organisation's installer manage digests in its workspaces, recorded under that workspace", async () => {
    const res = await h.slash('T0ORGWS', '/digest', 'subscribe daily 09:00 UTC', { ...origin, userId: 'W0ORGADMIN', channelId: 'C0ORG' });
    expect(textsOf(res.json()).join(' ')).toContain('Digest subscription');
    const [sub] = await h.store.subscriptions.listForChannel('slack', 'C0ORG');
    expect(sub?.workspaceId).toBe('E0ORG:T0ORGWS');
  });

  it("a workspace removed from the organisation's installation has its digests paused; the others keep theirs", async () => {
    const other = { ...origin, userId: 'W0ORGADMIN', channelId: 'C0ORG2' };
    expect(textsOf((await h.slash('T0ORGWS2', '/digest', 'subscribe daily 10:00 UTC', other)).json()).join(' ')).toContain(
      'Digest subscription',
    );
    const res = await h.event('T0ORGWS', { type: 'team_access_revoked', team_ids: ['T0ORGWS2'], event_ts: '6.1' }, origin);
    expect(res.status).toBe(200);
    await h.untilLog('"workspaces":["E0ORG:T0ORGWS2"]');
    const [gone] = await h.store.subscriptions.listForChannel('slack', 'C0ORG2');
    expect(gone).toMatchObject({ status: 'paused', workspaceId: 'E0ORG:T0ORGWS2' });
    expect(gone?.pausedReason).toMatch(/^the app's access to this Slack workspace was removed from its organisation-wide installation on /);
    const [kept] = await h.store.subscriptions.listForChannel('slack', 'C0ORG');
    expect(kept?.status).toBe('active');
    expect(await h.store.installations.find({ enterpriseId: 'E0ORG', enterpriseInstall: true })).toBeDefined();
    expect(textsOf((await h.slash('T0ORGWS', '/source', '6', origin)).json()).join(' ')).toContain('[6]');
  });

  it('an uninstall of the organisation refuses its workspaces and pauses their digests', async () => {
    const res = await h.event('T0ORGWS', { type: 'app_uninstalled' }, origin);
    expect(res.status).toBe(200);
    await h.untilLog('"workspaceId":"E0ORG"');
    expect(await h.store.installations.find({ enterpriseId: 'E0ORG', enterpriseInstall: true })).toBeUndefined();
    const [sub] = await h.store.subscriptions.listForChannel('slack', 'C0ORG');
    expect(sub?.status).toBe('paused');
    const refused = await h.slash('T0ORGWS', '/source', '6', origin);
    expect(textsOf(refused.json()).join(' ')).toContain('is not installed in this workspace');
  });
});

describe('with SLACK_COMMAND_PREFIX', () => {
  let prefixed: OAuthHarness;
  beforeAll(async () => {
    prefixed = await startOAuthHarness({ library: await bundledLibrary(), prefix: 'bb-' });
  });
  afterAll(async () => prefixed?.close());

  it('the success page suggests the commands as they are named in Slack', async () => {
    const html = await (await prefixed.install(ACME)).text();
    expect(html).toContain('Try <code>/bb-help</code> or <code>/bb-ask</code>');
    expect(html).toContain('<code>/bb-digest</code> <code>subscribe daily 09:00</code>');
  });
});
