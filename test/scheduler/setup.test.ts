import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ChannelSender } from '../../src/core/channel.ts';
import type { Platform, Services } from '../../src/core/command.ts';
import { digestService } from '../../src/core/digests.ts';
import { setupDigests } from '../../src/scheduler/setup.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { DIGEST_CONFIG, RecordingSender, silentLog, tempDataDir } from './helpers.ts';

describe('setting digests up in a runtime', () => {
  const data = tempDataDir();
  afterEach(() => {
    vi.useRealTimers();
    data.cleanup();
  });

  it('puts the service in services.digests and uses senders added after setup', async () => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2025-06-02T05:59:00Z'));
    const services: Services = {};
    const senders = new Map<Platform, ChannelSender>();
    const library = libraryOf(articleFromFile(BUNDLED_FILE));
    const digests = await setupDigests({
      config: { ...DIGEST_CONFIG, BRIEFING_DATA_DIR: data.dir },
      library,
      services,
      senders,
      logger: silentLog,
    });
    const service = digestService(services);
    expect(service).toBeDefined();
    await service?.subscribe({ channel: { platform: 'discord', id: 'G1' }, user: { id: 'U1', isModerator: true }, when: 'daily 09:00' });
    const discord = new RecordingSender('discord');
    senders.set('discord', discord);
    await digests.start();
    await vi.advanceTimersByTimeAsync(60_000);
    await digests.scheduler.idle();
    expect(discord.delivered).toHaveLength(1);
    expect(digests.store.location).toBe(`${data.dir}/briefing.db`);
    await digests.close();
  });
});
