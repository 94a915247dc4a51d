import { describe, expect, it } from 'vitest';
import { InvocationCodec, MAX_BUTTON_VALUE } from '../../../src/adapters/slack/invocation.ts';
import { memoryKeyStore } from '../../../src/store/memory-keys.ts';
import type { KeyStore } from '../../../src/store/types.ts';

const codecOn = (keys: KeyStore = memoryKeyStore(), now = () => Date.parse('2025-06-01T09:00:00Z')) => new InvocationCodec({ keys, now });

describe('button values', () => {
  it('carry a short invocation inline and decode it back anywhere', async () => {
    const { value, stored } = codecOn().encode({ command: 'source', options: { n: 6, article: 'china' } }, 'T1');
    expect(value).toBe('{"c":"source","o":{"n":6,"article":"china"}}');
    expect(stored).toBeUndefined();
    expect(await codecOn().decode(value, 'T2')).toEqual({ command: 'source', options: { n: 6, article: 'china' } });
  });

  it('keep an invocation too long for a button in the shared key store, for its workspace only', async () => {
    const keys = memoryKeyStore();
    const long = { command: 'ask', options: { question: 'q'.repeat(3000) } };
    const { value, stored } = codecOn(keys).encode(long, 'T1');
    await stored;
    expect(value.length).toBeLessThanOrEqual(MAX_BUTTON_VALUE);
    // Another process on the same store decodes it; another workspace, or a process without the store, does not.
    expect(await codecOn(keys).decode(value, 'T1')).toEqual(long);
    expect(await codecOn(keys).decode(value, 'T2')).toBeUndefined();
    expect(await codecOn().decode(value, 'T1')).toBeUndefined();
  });

  it('forget a stored invocation after a week', async () => {
    const keys = memoryKeyStore();
    const { value, stored } = codecOn(keys).encode({ command: 'ask', options: { question: 'q'.repeat(3000) } }, 'T1');
    await stored;
    const later = codecOn(keys, () => Date.parse('2025-06-08T09:00:01Z'));
    expect(await later.decode(value, 'T1')).toBeUndefined();
  });

  it('reject malformed values', async () => {
    const codec = codecOn();
    for (const bad of [undefined, '', 'not json', '{"c":1}', '{"c":"ask","o":{"x":{}}}', 'x'.repeat(2001), '{"k":"not-a-uuid"}'])
      expect(await codec.decode(bad, 'T1')).toBeUndefined();
  });
});
