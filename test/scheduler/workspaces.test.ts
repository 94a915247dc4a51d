import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChannelSender } from '../../src/core/channel.ts';
import type { CommandChannel, Platform, Services } from '../../src/core/command.ts';
import { type DigestService, digestService } from '../../src/core/digests.ts';
import { setupDigests } from '../../src/scheduler/setup.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { DIGEST_CONFIG, RecordingSender, silentLog, tempDataDir } from './helpers.ts';

/** A Slack channel shared between two workspaces has one id in both; each workspace keeps its own digests there. */
describe('digest subscriptions per workspace', () => {
  const data = tempDataDir();
  afterEach(() => {
    vi.useRealTimers();
    data.cleanup();
  });
  const shared = (workspaceId: string): CommandChannel => ({ platform: 'slack', id: 'C-SHARED', workspaceId });
  const moderator = (id: string) => ({ id, isModerator: true });

  it("one workspace neither sees nor removes another's, and each digest is sent as its own workspace", async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const services: Services = {};
    const senders = new Map<Platform, ChannelSender>();
    const digests = await setupDigests({
      // The channel's second digest of the slot has nothing new; posting the note shows it goes out too.
      config: { ...DIGEST_CONFIG, DIGEST_EMPTY: 'post', BRIEFING_DATA_DIR: data.dir },
      library: libraryOf(articleFromFile(BUNDLED_FILE)),
      services,
      senders,
      logger: silentLog,
    });
    const service = digestService(services) as DigestService;
    expect((await service.subscribe({ channel: shared('T1'), user: moderator('U1'), when: 'daily 09:00' })).ok).toBe(true);
    expect((await service.status(shared('T2'))).subscriptions).toEqual([]);
    expect(await service.unsubscribe({ channel: shared('T2'), user: moderator('U2') })).toMatchObject({
      ok: false,
      code: 'no-subscription',
    });
    expect((await service.subscribe({ channel: shared('T2'), user: moderator('U2'), when: 'daily 09:00' })).ok).toBe(true);
    expect((await service.status(shared('T1'))).subscriptions).toHaveLength(1);

    const slack = new RecordingSender('slack');
    senders.set('slack', slack);
    await digests.start();
    // The slot, then the channel's posting interval for the second digest.
    await vi.advanceTimersByTimeAsync(60_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await digests.scheduler.idle();
    expect(slack.delivered.map((d) => d.workspaceId).sort()).toEqual(['T1', 'T2']);
    const audit = await digests.store.audit.list({ workspaceId: 'T2' });
    expect(audit.map((a) => [a.action, a.actor])).toEqual([['digest.subscribe', 'U2']]);
    await digests.close();
  });
});
