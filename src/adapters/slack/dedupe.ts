import type { KeyStore } from '../../store/types.ts';
import { keyPrefix } from './workspace.ts';

/**
 * Remembers delivery keys (event ids, trigger ids) for a while in the shared key store, so a
 * retried or replayed delivery is acknowledged without being answered twice, also when the retry
 * reaches another bot process or arrives after a restart. Keys are namespaced by workspace
 * (`slack:T123:delivery:event:Ev1`), so an uninstall removes them with the rest.
 */
export class DeliveryLog {
  readonly #keys: KeyStore;
  readonly #ttlMs: number;
  readonly #now: () => number;
  readonly #onError: (error: unknown) => void;

  constructor(options: { keys: KeyStore; ttlMs?: number; now?: () => number; onError?: (error: unknown) => void }) {
    this.#keys = options.keys;
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#now = options.now ?? Date.now;
    this.#onError = options.onError ?? (() => {});
  }

  /**
   * Records the key; true when it had already been recorded within the time to live. When the
   * store cannot be reached it answers false (the delivery is handled, possibly twice) rather
   * than drop a request nobody answered yet.
   */
  async seen(workspaceId: string | undefined, key: string): Promise<boolean> {
    const now = this.#now();
    try {
      const result = await this.#keys.putIfAbsent(
        `${keyPrefix(workspaceId)}delivery:${key}`,
        '1',
        new Date(now).toISOString(),
        new Date(now + this.#ttlMs).toISOString(),
      );
      return !result.created;
    } catch (error) {
      this.#onError(error);
      return false;
    }
  }
}

/** The key that identifies one delivery of a Slack request body, if it has one. */
export function deliveryKey(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as { event_id?: unknown; trigger_id?: unknown; type?: unknown; actions?: { action_ts?: unknown }[] };
  if (typeof b.event_id === 'string') return `event:${b.event_id}`;
  if (typeof b.trigger_id === 'string') return `trigger:${b.trigger_id}`;
  const actionTs = b.actions?.[0]?.action_ts;
  if (typeof actionTs === 'string') return `action:${actionTs}`;
  return undefined;
}
