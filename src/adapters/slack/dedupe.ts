/**
 * Remembers delivery keys (event ids, trigger ids) for a while, so a retried or replayed
 * delivery is acknowledged without being answered twice. Bounded in size: the oldest keys go
 * first.
 */
export class DeliveryLog {
  readonly #seen = new Map<string, number>();
  readonly #ttlMs: number;
  readonly #capacity: number;
  readonly #now: () => number;

  constructor(options: { ttlMs?: number; capacity?: number; now?: () => number } = {}) {
    this.#ttlMs = options.ttlMs ?? 15 * 60_000;
    this.#capacity = options.capacity ?? 100_000;
    this.#now = options.now ?? Date.now;
  }

  /** Records the key; true when it had already been recorded within the time to live. */
  seen(key: string): boolean {
    const now = this.#now();
    const at = this.#seen.get(key);
    if (at !== undefined && now - at < this.#ttlMs) return true;
    this.#seen.delete(key);
    this.#seen.set(key, now);
    while (this.#seen.size > this.#capacity) this.#seen.delete(this.#seen.keys().next().value as string);
    return false;
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
