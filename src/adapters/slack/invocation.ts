import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Invocation } from '../../core/reply.ts';
import type { KeyStore } from '../../store/types.ts';
import { keyPrefix } from './workspace.ts';

/**
 * Button values carry the invocation to run (the command and its options) so a click re-runs it
 * with the clicker's rights. Slack caps a button value at 2,000 characters; a longer invocation
 * (a very long question) is kept in the shared key store under the workspace's prefix and the
 * value carries its key instead, so the button works on every bot process and after a restart,
 * and only in the workspace it was rendered for.
 */

/** Slack's limit on a button's `value`. */
export const MAX_BUTTON_VALUE = 2000;

/** How long a stored invocation stays usable (buttons stay on shared messages for a long time). */
export const STORED_INVOCATION_TTL_MS = 7 * 24 * 3_600_000;

const optionValue = z.union([z.string(), z.number(), z.boolean()]);
const inlineSchema = z.object({ c: z.string().min(1).max(64), o: z.record(z.string(), optionValue) });
const keySchema = z.object({ k: z.uuid() });
const storedSchema = z.object({ command: z.string().min(1).max(64), options: z.record(z.string(), optionValue) });

/** A button value; `stored` settles once a long invocation is in the key store (send the message after it). */
export interface EncodedInvocation {
  value: string;
  stored?: Promise<void>;
}

export class InvocationCodec {
  readonly #keys: KeyStore;
  readonly #now: () => number;
  readonly #ttlMs: number;
  readonly #onError: (error: unknown) => void;

  constructor(options: { keys: KeyStore; now?: () => number; ttlMs?: number; onError?: (error: unknown) => void }) {
    this.#keys = options.keys;
    this.#now = options.now ?? Date.now;
    this.#ttlMs = options.ttlMs ?? STORED_INVOCATION_TTL_MS;
    this.#onError = options.onError ?? (() => {});
  }

  /** The button value for an invocation rendered in a workspace. */
  encode(invocation: Invocation, workspaceId: string | undefined): EncodedInvocation {
    const inline = JSON.stringify({ c: invocation.command, o: invocation.options });
    if (inline.length <= MAX_BUTTON_VALUE) return { value: inline };
    const key = randomUUID();
    const now = this.#now();
    const stored = this.#keys
      .put(
        `${keyPrefix(workspaceId)}invocation:${key}`,
        JSON.stringify(invocation),
        new Date(now).toISOString(),
        new Date(now + this.#ttlMs).toISOString(),
      )
      // A button that cannot be stored says "expired" when clicked; the answer itself still goes out.
      .catch(this.#onError);
    return { value: JSON.stringify({ k: key }), stored };
  }

  /** The invocation a button value carries, or undefined when it is malformed, expired or from another workspace. */
  async decode(value: string | undefined, workspaceId: string | undefined): Promise<Invocation | undefined> {
    if (!value || value.length > MAX_BUTTON_VALUE) return undefined;
    let data: unknown;
    try {
      data = JSON.parse(value);
    } catch {
      return undefined;
    }
    const inline = inlineSchema.safeParse(data);
    if (inline.success) return { command: inline.data.c, options: inline.data.o };
    const keyed = keySchema.safeParse(data);
    if (!keyed.success) return undefined;
    let entry: Awaited<ReturnType<KeyStore['get']>>;
    try {
      entry = await this.#keys.get(`${keyPrefix(workspaceId)}invocation:${keyed.data.k}`, new Date(this.#now()).toISOString());
    } catch (error) {
      this.#onError(error);
      return undefined;
    }
    if (!entry) return undefined;
    try {
      const stored = storedSchema.safeParse(JSON.parse(entry.value));
      return stored.success ? stored.data : undefined;
    } catch {
      return undefined;
    }
  }
}
