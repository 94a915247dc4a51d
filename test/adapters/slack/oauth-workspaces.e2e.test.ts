import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError } from '../../../src/core/channel.ts';
import { okReply } from '../../../src/core/reply.ts';
import { bundledLibrary } from '../../helpers/library.ts';
import { textsOf } from './harness.ts';
import { type OAuthHarness, startOAuthHarness, type Workspace } from './oauth-harness.ts';

/**
 * Two workspaces installed through OAuth on one bot: each is answered with its own token, each
 * has its own moderators and subscriptions, and one uninstalling leaves the other working.
 */

const ALPHA: Workspace = { team: 'T0ALPHA', name: 'Alpha', token: 'xoxb-alpha-1111-secretalpha', installer: 'U0ALPHAINST' };
const BETA: Workspace = { team: 'T0BETA', name: 'Beta', token: 'xoxb-beta-2222-secretbeta', installer: 'U0BETAINST' };

let h: OAuthHarness;
beforeAll(async () => {
  h = await startOAuthHarness({ library: await bundledLibrary(), moderators: ['T0BETA:U0BETAEDITOR', 'T0ALPHA:U0ALPHAEDITOR'] });
  expect((await h.install(ALPHA)).status).toBe(200);
  expect((await h.install(BETA)).status).toBe(200);
  h.fake.users.set('T0ALPHA:U0ALPHAADMIN', { is_admin: true });
  h.fake.users.set('T0BETA:U0BETAADMIN', { is_owner: true });
});
afterAll(async () => h?.close());

const text = (value: unknown) => textsOf(value).join(' ');

async function mention(ws: Workspace, channel: string, ts: string): Promise<string | undefined> {
  const before = h.fake.callsTo('chat.postMessage').length;
  await h.event(ws.team, { type: 'app_mention', user: 'U0ANYONE', text: `<@UBOT${ws.team}> source 6`, ts, channel, event_ts: ts });
  await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
  return h.fake.callsTo('chat.postMessage').at(-1)?.authorization;
}

describe('two workspaces', () => {
  it('are answered with their own tokens', async () => {
    expect(await mention(ALPHA, 'C0ALPHA', '10.1')).toBe(`Bearer ${ALPHA.token}`);
    expect(await mention(BETA, 'C0BETA', '10.2')).toBe(`Bearer ${BETA.token}`);
    expect(text((await h.slash('T0ALPHA', '/source', '6')).json())).toContain('[6]');
  });

  it('each post digests with their own token', async () => {
    const digest = okReply('digest', 'Digest');
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.adapter.sender.send('C0ALPHA', digest, { idempotencyKey: 'dg-a', workspaceId: 'T0ALPHA' });
    await h.adapter.sender.send('C0BETA', digest, { idempotencyKey: 'dg-b', workspaceId: 'T0BETA' });
    const posts = h.fake.callsTo('chat.postMessage').slice(before);
    expect(posts.map((p) => [p.body.channel, p.authorization])).toEqual([
      ['C0ALPHA', `Bearer ${ALPHA.token}`],
      ['C0BETA', `Bearer ${BETA.token}`],
    ]);
  });
});

describe('moderators per workspace', () => {
  it('are the installer and the admins for their own digests; ordinary members are not', async () => {
    const installer = await h.slash('T0ALPHA', '/digest', 'subscribe daily 09:00 UTC', { userId: ALPHA.installer, channelId: 'C0ALPHA' });
    expect(text(installer.json())).toContain('Digest subscription');
    const admin = await h.slash('T0ALPHA', '/digest', 'subscribe weekly mon 09:00 UTC', { userId: 'U0ALPHAADMIN', channelId: 'C0ALPHA' });
    expect(text(admin.json())).toContain('Digest subscription');
    const member = await h.slash('T0ALPHA', '/digest', 'subscribe daily 10:00 UTC', { userId: 'U0MEMBER', channelId: 'C0ALPHA' });
    expect(text(member.json())).toContain('is for moderators only');
    const audit = await h.store.audit.list({ workspaceId: 'T0ALPHA', action: 'digest.subscribe' });
    expect(audit.map((a) => a.actor).sort()).toEqual(['U0ALPHAADMIN', ALPHA.installer].sort());
  });

  it('an admin of one workspace is nobody in another', async () => {
    const res = await h.slash('T0BETA', '/digest', 'subscribe daily 09:00 UTC', { userId: 'U0ALPHAADMIN', channelId: 'C0BETA' });
    expect(text(res.json())).toContain('is for moderators only');
  });

  it('only listed moderators change what every workspace shares (briefings)', async () => {
    const admin = await h.slash('T0ALPHA', '/unregister', 'no-such-briefing', { userId: 'U0ALPHAADMIN' });
    expect(text(admin.json())).toContain('is for moderators only');
    const listedElsewhere = await h.slash('T0ALPHA', '/unregister', 'no-such-briefing', { userId: 'U0BETAEDITOR' });
    expect(text(listedElsewhere.json())).toContain('is for moderators only');
    const listed = await h.slash('T0BETA', '/unregister', 'no-such-briefing', { userId: 'U0BETAEDITOR' });
    expect(text(listed.json())).not.toContain('is for moderators only');
  });

  it("in a channel two workspaces share, a post that fails for one workspace's bot pauses only that workspace's digests", async () => {
    const beta = await h.slash('T0BETA', '/digest', 'subscribe daily 06:00 UTC', { userId: BETA.installer, channelId: 'C0CONNECT' });
    expect(text(beta.json())).toContain('Digest subscription');
    const alpha = await h.slash('T0ALPHA', '/digest', 'subscribe daily 06:00 UTC', { userId: ALPHA.installer, channelId: 'C0CONNECT' });
    expect(text(alpha.json())).toContain('Digest subscription');
    // Alpha's bot was removed from the channel; Beta's is still in it.
    h.fake.script('chat.postMessage', (call) =>
      call.authorization === `Bearer ${ALPHA.token}` ? { json: { ok: false, error: 'not_in_channel' } } : undefined,
    );
    await h.slash('T0ALPHA', '/digest', 'now', { userId: ALPHA.installer, channelId: 'C0CONNECT' });
    await h.fake.until(() => h.fake.callsTo('chat.postMessage').some((c) => c.body.channel === 'C0CONNECT'));
    const paused = async () =>
      (await h.store.subscriptions.listForChannel('slack', 'C0CONNECT')).map((s) => [s.workspaceId, s.status, s.pausedReason ?? '']);
    await h.digests.scheduler.idle();
    expect(await paused()).toEqual([
      ['T0BETA', 'active', ''],
      ['T0ALPHA', 'paused', expect.stringContaining('not_in_channel')],
    ]);
    const status = text((await h.slash('T0BETA', '/digest', 'status', { channelId: 'C0CONNECT' })).json());
    expect(status).not.toContain('paused');
  });

  it("in a channel two workspaces share, one workspace neither sees nor removes the other's subscriptions", async () => {
    const alpha = await h.slash('T0ALPHA', '/digest', 'subscribe daily 07:00 UTC', { userId: ALPHA.installer, channelId: 'C0SHARED' });
    expect(text(alpha.json())).toContain('Digest subscription');
    const status = await h.slash('T0BETA', '/digest', 'status', { userId: 'U0BETAADMIN', channelId: 'C0SHARED' });
    expect(text(status.json())).toContain('No digest subscriptions here');
    const remove = await h.slash('T0BETA', '/digest', 'unsubscribe', { userId: 'U0BETAADMIN', channelId: 'C0SHARED' });
    expect(text(remove.json())).toContain('This channel has no digest subscription');
    const [sub] = await h.store.subscriptions.listForChannel('slack', 'C0SHARED');
    expect(sub).toMatchObject({ workspaceId: 'T0ALPHA', status: 'active' });
  });
});

describe('the audit log per workspace', () => {
  it("shows a workspace its own entries and the briefings' history, never another workspace's installs or digests", async () => {
    const alpha = text((await h.slash('T0ALPHA', '/audit', '', { userId: 'U0ALPHAEDITOR' })).json());
    expect(alpha).toContain('slack install T:-:T0ALPHA');
    expect(alpha).toContain('digest subscribe');
    expect(alpha).not.toContain('T0BETA');
    const beta = text((await h.slash('T0BETA', '/audit', '', { userId: 'U0BETAEDITOR' })).json());
    expect(beta).toContain('slack install T:-:T0BETA');
    expect(beta).not.toContain('T0ALPHA');
    const alphaSubscriptions = (await h.store.subscriptions.listLive()).filter((sub) => sub.workspaceId === 'T0ALPHA');
    expect(alphaSubscriptions.length).toBeGreaterThan(0);
    for (const sub of alphaSubscriptions) expect(beta).not.toMatch(new RegExp(`subscription:${sub.id}\\b`));
    // The operator's own view (the CLI's) still holds both.
    const all = await h.store.audit.list({});
    expect(new Set(all.map((e) => e.workspaceId))).toEqual(new Set(['T0ALPHA', 'T0BETA']));
  });
});

describe('a workspace that never installed', () => {
  it('gets a slash command answered at once with a clear refusal, and nothing runs', async () => {
    const res = await h.slash('T0STRANGER', '/source', '6', { userId: 'U0STRANGER' });
    expect(res.status).toBe(200);
    expect(res.json()).toEqual({
      response_type: 'ephemeral',
      text: 'Briefing Bot is not installed in this workspace, so it cannot answer here. A workspace admin can add it from its install page.',
    });
  });

  it('gets an event refused with 401 and nothing posted', async () => {
    const before = h.fake.callsTo('chat.postMessage').length;
    const res = await h.event('T0STRANGER', {
      type: 'app_mention',
      user: 'U0X',
      text: '<@UBOT> source 6',
      ts: '11.1',
      channel: 'C0X',
      event_ts: '11.1',
    });
    expect(res.status).toBe(401);
    expect(res.json()).toEqual({ ok: false, error: 'not installed in this workspace' });
    expect(h.fake.callsTo('chat.postMessage').length).toBe(before);
  });

  it('is logged as one warning naming the workspace, never as an error with a stack trace', () => {
    const about = h.logs.filter((l) => l.includes('T0STRANGER'));
    expect(about.filter((l) => l.includes('refused a Slack request from a workspace without an installation'))).toHaveLength(2);
    expect(about.filter((l) => JSON.parse(l).level >= 50)).toEqual([]);
    expect(about.join('\n')).not.toContain('"stack"');
  });
});

describe('uninstalling', () => {
  it('deletes the installation and its keys, pauses its digests, and leaves the other workspace working', async () => {
    const cron = await h.slash('T0ALPHA', '/digest', 'subscribe "30 8 * * 1-5" UTC', { userId: ALPHA.installer, channelId: 'C0ALPHA' });
    expect(text(cron.json())).toContain('Digest subscription');
    await h.store.keys.put('slack:T0ALPHA:probe', 'x', new Date().toISOString(), new Date(Date.now() + 60_000).toISOString());
    const res = await h.event('T0ALPHA', { type: 'app_uninstalled' });
    expect(res.status).toBe(200);
    await h.untilLog('a Slack workspace left');
    expect(await h.store.installations.find({ teamId: 'T0ALPHA', enterpriseInstall: false })).toBeUndefined();
    expect(await h.store.keys.get('slack:T0ALPHA:probe', new Date().toISOString())).toBeUndefined();
    const subs = await h.store.subscriptions.listForChannel('slack', 'C0ALPHA');
    expect(subs.length).toBeGreaterThan(0);
    for (const sub of subs) {
      expect(sub.status).toBe('paused');
      expect(sub.pausedReason).toMatch(/^the app was uninstalled from this Slack workspace on \d{4}-\d\d-\d\d$/);
    }
    expect(await mention(BETA, 'C0BETA', '12.1')).toBe(`Bearer ${BETA.token}`);
  });

  it('posts nothing there any more: its commands are refused and its digests fail without a call to Slack', async () => {
    const res = await h.slash('T0ALPHA', '/source', '6');
    expect(text(res.json())).toContain('is not installed in this workspace');
    const before = h.fake.callsTo('chat.postMessage').length;
    const sent = h.adapter.sender.send('C0ALPHA', okReply('digest', 'Digest'), { idempotencyKey: 'dg-gone', workspaceId: 'T0ALPHA' });
    await expect(sent).rejects.toBeInstanceOf(DeliveryError);
    await expect(sent).rejects.toMatchObject({
      kind: 'forbidden',
      message: expect.stringContaining('not installed in Slack workspace T0ALPHA'),
    });
    expect(h.fake.callsTo('chat.postMessage').length).toBe(before);
  });

  it('after a reinstall, /digest status shows why the digests are paused, and the command it shows resumes one', async () => {
    expect((await h.install(ALPHA)).status).toBe(200);
    const status = text((await h.slash('T0ALPHA', '/digest', 'status', { channelId: 'C0ALPHA' })).json());
    expect(status).toContain('the app was uninstalled from this Slack workspace');
    // Copied as Slack shows it: the cron schedule's asterisks come out as look-alikes (∗).
    const shown = /run \/digest (subscribe [^\n]*1-5 UTC) to resume/.exec(status)?.[1];
    expect(shown).toBe('subscribe 30 8 \u2217 \u2217 1-5 UTC');
    const resumed = await h.slash('T0ALPHA', '/digest', shown as string, { userId: ALPHA.installer, channelId: 'C0ALPHA' });
    expect(text(resumed.json())).toMatch(/Digest subscription \d+ resumed/);
  });

  it('tokens_revoked for the bot does the same; for user tokens only, nothing', async () => {
    await h.event('T0BETA', { type: 'tokens_revoked', tokens: { oauth: ['U0SOMEONE'] } });
    expect(await mention(BETA, 'C0BETA', '13.1')).toBe(`Bearer ${BETA.token}`);
    await h.event('T0BETA', { type: 'tokens_revoked', tokens: { bot: ['UBOTT0BETA'] } });
    await h.untilLog('a Slack workspace left', 2);
    expect(await h.store.installations.find({ teamId: 'T0BETA', enterpriseInstall: false })).toBeUndefined();
    const audit = await h.store.audit.list({ workspaceId: 'T0BETA', action: 'slack.uninstall' });
    expect(audit[0]?.detail).toEqual({ reason: 'tokens_revoked' });
    // Alpha's uninstall and Beta's bot token: the user-token revocation forgot nothing.
    expect(h.logs.filter((l) => l.includes('a Slack workspace left'))).toHaveLength(2);
  });
});

describe('a digest already on its way when the workspace leaves', () => {
  it('is not posted there: the retry finds no installation, and the reason stays the uninstall', async () => {
    expect((await h.install(BETA)).status).toBe(200);
    const sub = await h.slash('T0BETA', '/digest', 'subscribe daily 07:30 UTC', { userId: BETA.installer, channelId: 'C0BETADUE' });
    expect(text(sub.json())).toContain('Digest subscription');
    const left = h.logs.filter((l) => l.includes('a Slack workspace left')).length;
    // The first attempt fails, and Slack's uninstall event is handled before its answer arrives.
    h.fake.script('chat.postMessage', async () => {
      await h.event('T0BETA', { type: 'app_uninstalled' });
      await h.untilLog('a Slack workspace left', left + 1);
      return { json: { ok: false, error: 'internal_error' } };
    });
    const before = h.fake.callsTo('chat.postMessage').length;
    await h.slash('T0BETA', '/digest', 'now', { userId: BETA.installer, channelId: 'C0BETADUE' });
    await h.digests.scheduler.idle();
    expect(h.fake.callsTo('chat.postMessage').length).toBe(before + 1);
    expect(h.fake.channels.get('C0BETADUE')).toBeUndefined();
    const [subscription] = await h.store.subscriptions.listForChannel('slack', 'C0BETADUE');
    expect(subscription).toMatchObject({ status: 'paused', pausedReason: expect.stringContaining('the app was uninstalled') });
    const status = text((await h.slash('T0BETA', '/digest', 'status', { channelId: 'C0BETADUE' })).json());
    expect(status).toContain('is not installed in this workspace');
  });
});
