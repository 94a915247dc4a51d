import type { Platform } from './command.ts';

/**
 * What the bot tells its operators about its own work, as events: commands answered, digests
 * posted, briefings registered, rate limits waited out, store calls that failed. The core and
 * the features report here; src/http/metrics.ts turns the events into Prometheus metrics.
 * Every method is optional and must not throw.
 */
export interface Observer {
  /** A command finished: `outcome` is `ok` or the error code of the reply (`unknown-source`, `internal`, …). */
  command?(event: { platform: Platform; command: string; outcome: string; seconds: number }): void;
  /** A digest slot or manual post reached its outcome (`delivered`, `delivered-late`, `empty`, `failed`, `skipped`). */
  digest?(event: { platform: Platform; outcome: string }): void;
  /** A registration step: `published`, `unregistered`, `refused`. */
  registration?(event: { outcome: string }): void;
  /** A send waited for a platform's rate limit. */
  rateLimitWait?(event: { platform: Platform; seconds: number }): void;
  /** A store call failed (the database unreachable, locked, …). */
  storeError?(event: { operation: string; code: string }): void;
}
