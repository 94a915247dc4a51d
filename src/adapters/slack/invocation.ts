import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Invocation } from '../../core/reply.ts';

/**
 * Button values carry the invocation to run (the command and its options) so a click re-runs it
 * with the clicker's rights. Slack caps a button value at 2,000 characters; a longer invocation
 * (a very long question) is kept in memory and the value carries its key instead.
 */

/** Slack's limit on a button's `value`. */
export const MAX_BUTTON_VALUE = 2000;

const optionValue = z.union([z.string(), z.number(), z.boolean()]);
const inlineSchema = z.object({ c: z.string().min(1).max(64), o: z.record(z.string(), optionValue) });
const keySchema = z.object({ k: z.uuid() });

export class InvocationCodec {
  readonly #stored = new Map<string, Invocation>();
  readonly #capacity: number;

  constructor(capacity = 5000) {
    this.#capacity = capacity;
  }

  /** The button value for an invocation. */
  encode(invocation: Invocation): string {
    const inline = JSON.stringify({ c: invocation.command, o: invocation.options });
    if (inline.length <= MAX_BUTTON_VALUE) return inline;
    const key = randomUUID();
    this.#stored.set(key, invocation);
    if (this.#stored.size > this.#capacity) this.#stored.delete(this.#stored.keys().next().value as string);
    return JSON.stringify({ k: key });
  }

  /** The invocation a button value carries, or undefined when it is malformed or has expired. */
  decode(value: string | undefined): Invocation | undefined {
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
    return keyed.success ? this.#stored.get(keyed.data.k) : undefined;
  }
}
