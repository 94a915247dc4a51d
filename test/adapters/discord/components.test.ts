import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeButton, encodeButton, InvocationCache, replyButtons } from '../../../src/adapters/discord/components.ts';
import { okReply } from '../../../src/core/reply.ts';

describe('button custom ids', () => {
  it('carries a short invocation in the custom_id itself', () => {
    const cache = new InvocationCache();
    const id = encodeButton('run', { command: 'source', options: { n: 6, article: 'central-asia' } }, cache);
    expect(id).toBe('r:source|n#6|article=central-asia');
    expect(cache.size).toBe(0);
    expect(decodeButton(id, cache)).toEqual({ kind: 'run', invocation: { command: 'source', options: { n: 6, article: 'central-asia' } } });
  });

  it('round-trips any invocation, through the cache when it is too long', () => {
    const cache = new InvocationCache();
    const value = fc.oneof(fc.string({ maxLength: 150 }), fc.integer(), fc.boolean());
    fc.assert(
      fc.property(
        fc.constantFrom('ask', 'source', 'digest'),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,9}$/), value, { maxKeys: 4 }),
        fc.constantFrom('run' as const, 'share' as const),
        (command, options, kind) => {
          const id = encodeButton(kind, { command, options }, cache);
          expect(id.length).toBeLessThanOrEqual(100);
          expect(decodeButton(id, cache)).toEqual({ kind, invocation: { command, options } });
        },
      ),
    );
  });

  it('reports an expired cached invocation', () => {
    let now = 0;
    const cache = new InvocationCache({ ttlMs: 1000, now: () => now });
    const id = encodeButton('share', { command: 'ask', options: { question: 'x'.repeat(200) } }, cache);
    now = 1001;
    expect(decodeButton(id, cache)).toEqual({ kind: 'share', expired: true });
  });

  it('ignores custom ids it did not make', () => {
    expect(decodeButton('something-else', new InvocationCache())).toBeUndefined();
  });
});

describe('buttons under an answer', () => {
  const reply = okReply('ask', 'Q', {
    actions: [
      { type: 'share', label: 'Share in channel' },
      { type: 'run', label: 'More results', invoke: { command: 'ask', options: { question: 'trade', page: 2 } } },
      ...Array.from({ length: 30 }, (_, i) => ({
        type: 'run' as const,
        label: `Source [${i + 1}]`,
        invoke: { command: 'source', options: { n: i + 1 } },
      })),
    ],
  });

  it('puts Share first, then the reply’s actions, five to a row and at most 25', () => {
    const rows = replyButtons(reply, {
      shareable: true,
      invocation: { command: 'ask', options: { question: 'trade' } },
      cache: new InvocationCache(),
    });
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.components.length <= 5)).toBe(true);
    expect(rows[0]?.components.slice(0, 2).map((b) => b.label)).toEqual(['Share in channel', 'More results']);
  });

  it('leaves Share out of a message that is already public', () => {
    const rows = replyButtons(reply, { shareable: false, invocation: { command: 'ask', options: {} }, cache: new InvocationCache() });
    expect(rows.flatMap((r) => r.components).map((b) => b.label)).not.toContain('Share in channel');
  });
});
