import type { Config } from '../config.ts';
import type { Services } from '../core/command.ts';
import type { Library } from '../core/library.ts';
import type { Registry } from '../core/registry.ts';
import { openStore } from '../store/index.ts';
import type { Store } from '../store/types.ts';
import { type LoadReport, loadRegistered, type Watcher, watchRegistrations } from './load.ts';
import { createRegistry } from './service.ts';

export { applyRevision, type LoadReport, loadRegistered, type Watcher, watchRegistrations } from './load.ts';
export { createRegistry, type RegistryOptions } from './service.ts';

/** The configuration registration reads (a slice of src/config.ts `Config`). */
export type RegisterConfig = Pick<
  Config,
  'BRIEFING_DATA_DIR' | 'REGISTER_MAX_BYTES' | 'REGISTER_URL_TIMEOUT_MS' | 'REGISTER_ALLOW_PRIVATE_URLS'
> &
  Partial<Pick<Config, 'DATABASE_URL'>>;

interface SetupLog {
  info(obj: Record<string, unknown>, msg: string): void;
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

export interface RegistrySetup {
  registry: Registry;
  store: Store;
  report: LoadReport;
  /** Set when `watch` was asked for: picks up registrations made by other processes. */
  watcher?: Watcher;
  /** Stops the watcher, and closes the store when setup opened it. */
  close(): Promise<void>;
}

/**
 * Wires registration into a runtime: opens the store (unless given), loads the registered
 * briefings into the library (after the shipped content), creates the registry and puts it at
 * `services.registry`, and optionally watches for registrations made by other processes.
 * @example const reg = await setupRegistry({ config, library, services, logger, watch: true });
 */
export async function setupRegistry(deps: {
  config: RegisterConfig;
  library: Library;
  services: Services;
  logger?: SetupLog;
  store?: Store;
  watch?: boolean | { intervalMs: number };
  now?: () => Date;
}): Promise<RegistrySetup> {
  const { config, library, services, logger } = deps;
  const owned = !deps.store;
  const store = deps.store ?? (await openStore({ dataDir: config.BRIEFING_DATA_DIR, databaseUrl: config.DATABASE_URL }));
  const report = await loadRegistered(store, library);
  for (const p of report.problems)
    logger?.warn({ article: p.id, revision: p.revision, problem: p.message }, 'stored briefing skipped: it no longer validates');
  logger?.info({ registered: report.loaded, hidden: report.hidden, store: store.location }, 'registered briefings loaded');
  const created = createRegistry({
    store,
    library,
    maxBytes: config.REGISTER_MAX_BYTES,
    timeoutMs: config.REGISTER_URL_TIMEOUT_MS,
    allowPrivate: config.REGISTER_ALLOW_PRIVATE_URLS,
    ...(deps.now ? { now: deps.now } : {}),
  });
  const observer = services.observer;
  // A registration refused for its input (unreachable, empty, not a briefing, …) is counted here;
  // published and unregistered ones are counted by the store as they are written.
  const registry: Registry = observer?.registration
    ? {
        ...created,
        async prepare(source, actor) {
          const result = await created.prepare(source, actor);
          if (!result.ok) observer.registration?.({ outcome: 'refused' });
          return result;
        },
      }
    : created;
  services.registry = registry;
  let watcher: Watcher | undefined;
  if (deps.watch) {
    watcher = watchRegistrations(store, library, {
      since: report.auditId,
      ...(typeof deps.watch === 'object' ? { intervalMs: deps.watch.intervalMs } : {}),
      onError: (err) => {
        // An unreachable store reports itself once (and again when it is back); no error every few seconds.
        if ((err as { code?: unknown }).code === 'store-unavailable') return;
        logger?.error({ err }, 'checking the store for new registrations failed');
      },
    });
  }
  return {
    registry,
    store,
    report,
    ...(watcher ? { watcher } : {}),
    async close() {
      watcher?.stop();
      if (owned) await store.close();
    },
  };
}
