import type { Platform } from '../core/command.ts';

/** At most `count` sends in any `windowMs`. */
export interface Window {
  count: number;
  windowMs: number;
}

/** A platform's posting limits: per channel, per workspace (Slack team), and for the whole bot. */
export interface PlatformLimits {
  perChannel?: Window;
  perWorkspace?: Window;
  global?: Window;
}

/**
 * Defaults from the platforms' documentation:
 * - Slack chat.postMessage: about 1 message per second per channel, plus a workspace-wide limit
 *   of "several hundred per minute" (300/min here).
 * - Discord: 50 requests per second for the whole bot; message creation in one channel is
 *   limited to 5 per 5 seconds.
 * - The terminal has none.
 */
export const DEFAULT_LIMITS: Record<Platform, PlatformLimits> = {
  slack: { perChannel: { count: 1, windowMs: 1000 }, perWorkspace: { count: 300, windowMs: 60_000 } },
  discord: { perChannel: { count: 5, windowMs: 5000 }, global: { count: 50, windowMs: 1000 } },
  console: {},
  cli: {},
};

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

/** A `setTimeout` sleep (fake timers drive it in tests) that an AbortSignal cuts short. */
export const timerSleep: Sleep = (ms, signal) =>
  new Promise((resolve) => {
    if (signal?.aborted || ms <= 0) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Sliding-window limiter: `acquire` resolves when a send is allowed under every window that
 * applies, and records it. Waiters for one key are served in order. `block` holds a key (or a
 * whole platform) after a 429 for the time the platform asked.
 */
export class RateLimiter {
  readonly #limits: Record<Platform, PlatformLimits>;
  readonly #now: () => number;
  readonly #sleep: Sleep;
  readonly #sent = new Map<string, number[]>();
  readonly #blockedUntil = new Map<string, number>();
  readonly #tails = new Map<string, Promise<void>>();

  readonly #marginMs: number;

  /**
   * @param options.marginMs added to every window, so jitter between here and the platform
   *   (timer lateness, the network) cannot squeeze one send too many into its window (default 50).
   */
  constructor(options: { limits?: Partial<Record<Platform, PlatformLimits>>; now: () => number; sleep?: Sleep; marginMs?: number }) {
    this.#limits = { ...DEFAULT_LIMITS, ...options.limits };
    this.#now = options.now;
    this.#sleep = options.sleep ?? timerSleep;
    this.#marginMs = options.marginMs ?? 50;
  }

  #keys(platform: Platform, channelId: string, workspaceId?: string): [string, Window | undefined][] {
    const l = this.#limits[platform] ?? {};
    return [
      [`${platform}`, l.global],
      [`${platform}:ws:${workspaceId ?? '-'}`, l.perWorkspace],
      [`${platform}:ch:${channelId}`, l.perChannel],
    ];
  }

  /** How long until a send may go now (0 when it may). */
  #wait(keys: [string, Window | undefined][], now: number): number {
    let wait = 0;
    for (const [key, window] of keys) {
      wait = Math.max(wait, (this.#blockedUntil.get(key) ?? 0) - now);
      if (!window) continue;
      const sent = this.#sent.get(key);
      if (!sent) continue;
      const span = window.windowMs + this.#marginMs;
      while (sent.length && (sent[0] as number) <= now - span) sent.shift();
      if (sent.length >= window.count) wait = Math.max(wait, (sent[sent.length - window.count] as number) + span - now);
    }
    return wait;
  }

  /** Waits for a slot to post to a channel and takes it. */
  acquire(platform: Platform, channelId: string, workspaceId?: string, signal?: AbortSignal): Promise<void> {
    const keys = this.#keys(platform, channelId, workspaceId);
    const queueKey = `${platform}:ch:${channelId}`;
    const run = async () => {
      for (;;) {
        if (signal?.aborted) return;
        const wait = this.#wait(keys, this.#now());
        if (wait <= 0) break;
        await this.#sleep(wait, signal);
      }
      const now = this.#now();
      for (const [key, window] of keys) {
        if (!window) continue;
        const sent = this.#sent.get(key) ?? [];
        sent.push(now);
        if (sent.length > window.count) sent.splice(0, sent.length - window.count);
        this.#sent.set(key, sent);
      }
    };
    const tail = (this.#tails.get(queueKey) ?? Promise.resolve()).then(run);
    this.#tails.set(queueKey, tail);
    void tail.finally(() => {
      if (this.#tails.get(queueKey) === tail) this.#tails.delete(queueKey);
    });
    return tail;
  }

  /** After a 429: nothing goes to this channel (or, with `global`, the platform) for `ms`. */
  block(platform: Platform, channelId: string, ms: number, global = false): void {
    const key = global ? `${platform}` : `${platform}:ch:${channelId}`;
    this.#blockedUntil.set(key, Math.max(this.#blockedUntil.get(key) ?? 0, this.#now() + ms));
  }
}
