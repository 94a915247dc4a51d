import type { IncomingMessage, ServerResponse } from 'node:http';
import { type HttpServer, sendJson } from './server.ts';

/**
 * The operator endpoints:
 * - `GET /healthz` (liveness): 200 while the process serves requests, with a report of the
 *   index, the store and every adapter; `ok` in the body says whether everything is up. It never
 *   fails for a dependency, so an orchestrator does not restart a replica because Discord's
 *   gateway or the database blinked.
 * - `GET /readyz` (readiness): 200 once the index is loaded and the store answers, 503 before
 *   that, while the store is unreachable, and while the process shuts down, so a load balancer
 *   sends requests only to replicas that can answer them.
 */

export interface StoreProbe {
  kind: string;
  ping(): Promise<void>;
}

export interface ProbeDeps {
  index: () => { loaded: boolean; articles: number; documents: number };
  /** Undefined when the bot runs without a store (STORE=off). */
  store: StoreProbe | undefined;
  adapters: () => Record<string, { connected: boolean } & Record<string, unknown>>;
  /** More sections for the report (e.g. search workers). */
  extra?: () => Record<string, unknown>;
  /** True once shutdown began. */
  draining: () => boolean;
  now?: () => number;
  /** A ping slower than this counts as unreachable (default 2 s). */
  pingTimeoutMs?: number;
  /** /readyz reuses a ping this recent (default 1 s), so probes never hammer the database. */
  pingCacheMs?: number;
}

export interface StoreState {
  reachable: boolean;
  /** When the store was last seen answering, or first seen failing. */
  since?: string;
  error?: string;
}

/** Pings the store at most once per `cacheMs` and remembers the last outcome. */
export class StoreMonitor {
  #state: StoreState = { reachable: false };
  #checkedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<StoreState> | undefined;
  readonly #probe: StoreProbe;
  readonly #now: () => number;
  readonly #timeoutMs: number;
  readonly #cacheMs: number;

  constructor(probe: StoreProbe, options: { now?: () => number; timeoutMs?: number; cacheMs?: number } = {}) {
    this.#probe = probe;
    this.#now = options.now ?? Date.now;
    this.#timeoutMs = options.timeoutMs ?? 2_000;
    this.#cacheMs = options.cacheMs ?? 1_000;
  }

  /** The last outcome, without pinging. */
  get state(): StoreState {
    return this.#state;
  }

  /**
   * Pings now, whatever the last ping said (after one still in flight): for the moment the store
   * has just opened, so reports stop showing how it was before ("not open yet").
   */
  async refresh(): Promise<StoreState> {
    await this.#pending;
    this.#checkedAt = Number.NEGATIVE_INFINITY;
    return this.check();
  }

  /** Pings unless a ping this recent exists; concurrent callers share one ping. */
  check(): Promise<StoreState> {
    if (this.#now() - this.#checkedAt < this.#cacheMs) return Promise.resolve(this.#state);
    this.#pending ??= this.#ping().finally(() => {
      this.#pending = undefined;
    });
    return this.#pending;
  }

  async #ping(): Promise<StoreState> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`no answer within ${this.#timeoutMs} ms`)), this.#timeoutMs);
    });
    const at = new Date(this.#now()).toISOString();
    try {
      await Promise.race([this.#probe.ping(), timeout]);
      this.#state = { reachable: true, since: this.#state.reachable ? (this.#state.since ?? at) : at };
    } catch (error) {
      // A store error's cause names the file or server behind it, which operators want here.
      const detail =
        error instanceof Error && error.cause instanceof Error && !error.message.includes(error.cause.message)
          ? ` (${error.cause.message})`
          : '';
      const message = error instanceof Error ? `${error.message}${detail}` : String(error);
      this.#state = { reachable: false, since: this.#state.reachable ? at : (this.#state.since ?? at), error: message };
    } finally {
      clearTimeout(timer);
      this.#checkedAt = this.#now();
    }
    return this.#state;
  }
}

/** Serves /healthz and /readyz on `http`; returns the store monitor (its state feeds other reports). */
export function serveProbes(
  http: HttpServer,
  deps: ProbeDeps,
): { monitor: StoreMonitor | undefined; report: () => Record<string, unknown> } {
  const monitor = deps.store
    ? new StoreMonitor(deps.store, {
        ...(deps.now ? { now: deps.now } : {}),
        ...(deps.pingTimeoutMs !== undefined ? { timeoutMs: deps.pingTimeoutMs } : {}),
        ...(deps.pingCacheMs !== undefined ? { cacheMs: deps.pingCacheMs } : {}),
      })
    : undefined;
  const report = () => {
    const index = deps.index();
    const adapters = deps.adapters();
    const store = deps.store && monitor ? { kind: deps.store.kind, ...monitor.state } : { kind: 'off', reachable: false };
    const connected = Object.values(adapters).every((a) => a.connected);
    return {
      ok: index.loaded && connected && (!monitor || monitor.state.reachable) && !deps.draining(),
      index,
      store,
      adapters,
      ...deps.extra?.(),
    };
  };
  http.route(['GET'], '/healthz', (_req: IncomingMessage, res: ServerResponse) => {
    // Liveness reads the last store state: it must answer even while the database hangs.
    if (monitor) void monitor.check();
    sendJson(res, 200, report());
  });
  http.route(['GET'], '/readyz', async (_req: IncomingMessage, res: ServerResponse) => {
    const index = deps.index();
    const store = monitor ? await monitor.check() : undefined;
    const reasons: string[] = [];
    if (!index.loaded) reasons.push('the index is not loaded yet');
    if (store && !store.reachable) reasons.push(`the store is unreachable (${store.error ?? 'no answer'})`);
    if (deps.draining()) reasons.push('shutting down');
    sendJson(res, reasons.length ? 503 : 200, {
      ready: reasons.length === 0,
      ...(reasons.length ? { reasons } : {}),
      index,
      store: deps.store ? { kind: deps.store.kind, ...store } : { kind: 'off' },
    });
  });
  return { monitor, report };
}
