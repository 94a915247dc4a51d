import type { ChannelSender } from '../core/channel.ts';
import type { Platform, Services } from '../core/command.ts';
import type { Library } from '../core/library.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import type { SchedulerLog } from './deliver.ts';
import { createScheduler } from './scheduler.ts';
import type { DigestConfig, Scheduler, SchedulerTuning, SweepReport } from './types.ts';

export interface DigestSetup {
  scheduler: Scheduler;
  store: Store;
  /** Catch-up, then the minute tick. Call once the platform senders are in the map. */
  start(): Promise<SweepReport>;
  /** Stops the scheduler, and closes the store when setup opened it. */
  close(): Promise<void>;
}

/**
 * Wires digests into a runtime: opens the store (unless given), creates the scheduler and puts
 * its service at `services.digests`. `senders` may be filled after this call (adapters start
 * later); the scheduler reads the map on every sweep.
 *
 * @example
 * const senders = new Map<Platform, ChannelSender>();
 * const digests = await setupDigests({ config, library, services, senders, logger });
 * senders.set('slack', slack.sender);
 * await digests.start();
 */
export async function setupDigests(deps: {
  config: DigestConfig & { BRIEFING_DATA_DIR: string; DATABASE_URL?: string | undefined };
  library: Library;
  services: Services;
  senders: ReadonlyMap<Platform, ChannelSender>;
  logger: SchedulerLog;
  store?: Store;
  now?: () => Date;
  tuning?: SchedulerTuning;
}): Promise<DigestSetup> {
  const owned = !deps.store;
  const store = deps.store ?? (await openStore({ dataDir: deps.config.BRIEFING_DATA_DIR, databaseUrl: deps.config.DATABASE_URL }));
  const scheduler = createScheduler({
    store,
    library: deps.library,
    senders: deps.senders,
    config: deps.config,
    logger: deps.logger,
    ...(deps.now ? { now: deps.now } : {}),
    ...(deps.tuning ? { tuning: deps.tuning } : {}),
    ...(deps.services.observer ? { observer: deps.services.observer } : {}),
  });
  deps.services.digests = scheduler.digests;
  return {
    scheduler,
    store,
    start: () => scheduler.start(),
    async close() {
      await scheduler.stop();
      if (owned) await store.close();
    },
  };
}
