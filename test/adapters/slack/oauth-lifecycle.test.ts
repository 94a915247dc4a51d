import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Installation } from '@slack/bolt';
import pino from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SlackInstallations } from '../../../src/adapters/slack/oauth/installation-store.ts';
import { forgetWorkspace } from '../../../src/adapters/slack/oauth/lifecycle.ts';
import { TokenCipher } from '../../../src/adapters/slack/oauth/token-cipher.ts';
import { openStore } from '../../../src/store/index.ts';
import type { Store } from '../../../src/store/types.ts';

/** An Enterprise Grid organisation-wide installation covers every workspace of the organisation. */
describe('an organisation-wide uninstall', () => {
  let dir: string;
  let store: Store;
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'briefing-org-'));
    store = await openStore({ dataDir: dir });
  });
  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("removes the organisation's installation and keys and pauses the digests of all its workspaces, and no one else's", async () => {
    const now = () => new Date('2025-06-01T10:00:00Z');
    const installations = new SlackInstallations({ installations: store.installations, cipher: new TokenCipher(randomBytes(32)), now });
    const org = {
      team: undefined,
      enterprise: { id: 'E0ORG', name: 'Org' },
      user: { id: 'W0ADMIN', token: undefined, scopes: undefined },
      bot: { token: 'xoxb-org-secret', scopes: ['commands'], id: 'B0ORG', userId: 'U0BOTORG' },
      isEnterpriseInstall: true,
      authVersion: 'v2',
    } as Installation;
    await installations.storeInstallation(org);
    expect((await installations.find({ enterpriseId: 'E0ORG', enterpriseInstall: true }))?.bot?.token).toBe('xoxb-org-secret');
    const at = now().toISOString();
    const subscribe = (workspaceId: string, channelId: string) =>
      store.subscriptions.create({
        platform: 'slack',
        channelId,
        workspaceId,
        schedule: 'daily 09:00',
        cron: '0 9 * * *',
        timeZone: 'UTC',
        createdBy: 'W0ADMIN',
        createdAt: at,
      });
    await subscribe('E0ORG:T0ONE', 'C1');
    await subscribe('E0ORG:T0TWO', 'C2');
    await subscribe('T0ELSE', 'C3');
    const later = new Date(Date.parse(at) + 3_600_000).toISOString();
    await store.keys.put('slack:E0ORG:T0ONE:delivery:x', '1', at, later);
    await store.keys.put('slack:T0ELSE:delivery:x', '1', at, later);

    const result = await forgetWorkspace(
      { installations, keys: store.keys, subscriptions: store.subscriptions, now, logger: pino({ level: 'silent' }) },
      { enterpriseId: 'E0ORG', isEnterpriseInstall: true },
      'app_uninstalled',
    );
    expect(result).toEqual({ workspaceId: 'E0ORG', installationRemoved: true, keysRemoved: 1, subscriptionsPaused: 2 });
    expect(await installations.find({ enterpriseId: 'E0ORG', enterpriseInstall: true })).toBeUndefined();
    const live = await store.subscriptions.listLive();
    expect(live.map((s) => [s.workspaceId, s.status])).toEqual([
      ['E0ORG:T0ONE', 'paused'],
      ['E0ORG:T0TWO', 'paused'],
      ['T0ELSE', 'active'],
    ]);
    expect(await store.keys.get('slack:T0ELSE:delivery:x', at)).toBeDefined();
    // Slack may send it again: nothing breaks and nothing more changes.
    const again = await forgetWorkspace(
      { installations, keys: store.keys, subscriptions: store.subscriptions, now, logger: pino({ level: 'silent' }) },
      { enterpriseId: 'E0ORG', isEnterpriseInstall: true },
      'app_uninstalled',
    );
    expect(again).toEqual({ workspaceId: 'E0ORG', installationRemoved: false, keysRemoved: 0, subscriptionsPaused: 0 });
  });
});
