import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundledLibrary } from '../../helpers/library.ts';
import { freshDatabaseUrl } from '../../helpers/postgres.ts';
import { textsOf } from './harness.ts';
import { type OAuthHarness, startInstall, startOAuthHarness, type Workspace } from './oauth-harness.ts';

/**
 * Many workspaces with the state in PostgreSQL (DATABASE_URL): the same install flow, tokens
 * sealed in the installations table, each workspace answered with its own token, an uninstall
 * leaving the other working, a state used once, and a restart keeping the installations.
 */

const ALPHA: Workspace = { team: 'T0PGALPHA', name: 'Alpha', token: 'xoxb-pg-alpha-1111-secretalpha', installer: 'U0PGALPHAINST' };
const BETA: Workspace = { team: 'T0PGBETA', name: 'Beta', token: 'xoxb-pg-beta-2222-secretbeta', installer: 'U0PGBETAINST' };

let h: OAuthHarness;
let url: string;
beforeAll(async () => {
  url = await freshDatabaseUrl();
  h = await startOAuthHarness({ library: await bundledLibrary(), databaseUrl: url });
});
afterAll(async () => h?.close());

/** Every row of a table as text, as someone reading the database would see it. */
async function dump(table: 'installations' | 'audit' | 'keys'): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ row: string }>(`SELECT t::text AS row FROM ${table} t`);
    return rows.map((r) => r.row).join('\n');
  } finally {
    await client.end();
  }
}

async function mention(ws: Workspace, ts: string): Promise<string | undefined> {
  const before = h.fake.callsTo('chat.postMessage').length;
  await h.event(ws.team, {
    type: 'app_mention',
    user: 'U0ANY',
    text: `<@UBOT${ws.team}> source 6`,
    ts,
    channel: `C${ws.team}`,
    event_ts: ts,
  });
  await h.fake.until(() => h.fake.callsTo('chat.postMessage').length > before);
  return h.fake.callsTo('chat.postMessage').at(-1)?.authorization;
}

describe('Slack for many workspaces on PostgreSQL', () => {
  it('installs two workspaces, keeping their tokens sealed in the installations table', async () => {
    expect((await h.install(ALPHA)).status).toBe(200);
    expect((await h.install(BETA)).status).toBe(200);
    const rows = await dump('installations');
    expect(rows).toContain('T:-:T0PGALPHA');
    expect(rows).toContain('T:-:T0PGBETA');
    for (const secret of [ALPHA.token, BETA.token, 'secret']) expect(rows).not.toContain(secret);
    expect(await dump('audit')).not.toContain('xoxb-');
    expect(await dump('keys')).not.toContain('xoxb-');
  });

  it('answers each workspace with its own token and refuses one that never installed', async () => {
    expect(await mention(ALPHA, '20.1')).toBe(`Bearer ${ALPHA.token}`);
    expect(await mention(BETA, '20.2')).toBe(`Bearer ${BETA.token}`);
    const stranger = await h.slash('T0PGNEVER', '/source', '6');
    expect(textsOf(stranger.json()).join(' ')).toContain('is not installed in this workspace');
  });

  it('accepts a state once', async () => {
    const { cookie, state } = await startInstall(h.base);
    h.fake.oauthCodes.set('pg-once', { ...(h.fake.oauthCodes.get('code-1') ?? {}) });
    const go = () =>
      fetch(`${h.base}/slack/oauth_redirect?code=pg-once&state=${encodeURIComponent(state)}`, { headers: { cookie }, redirect: 'manual' });
    expect((await go()).status).toBe(200);
    expect((await go()).status).toBe(400);
  });

  it('an uninstall deletes that installation and pauses its digests; the other keeps working', async () => {
    const sub = await h.slash(ALPHA.team, '/digest', 'subscribe daily 09:00 UTC', { userId: ALPHA.installer, channelId: 'C0PGALPHA' });
    expect(textsOf(sub.json()).join(' ')).toContain('Digest subscription');
    expect((await h.event(ALPHA.team, { type: 'app_uninstalled' })).status).toBe(200);
    await h.untilLog('a Slack workspace left');
    expect(await dump('installations')).not.toContain('T0PGALPHA');
    const [paused] = await h.store.subscriptions.listForChannel('slack', 'C0PGALPHA');
    expect(paused?.pausedReason).toContain('the app was uninstalled from this Slack workspace');
    expect(await mention(BETA, '20.3')).toBe(`Bearer ${BETA.token}`);
  });

  it('keeps the installations across a restart', async () => {
    await h.restart();
    expect(await mention(BETA, '20.4')).toBe(`Bearer ${BETA.token}`);
    expect(textsOf((await h.slash(ALPHA.team, '/source', '6')).json()).join(' ')).toContain('is not installed in this workspace');
    expect(h.logs.join('\n')).not.toContain('xoxb-pg-');
  });
});
