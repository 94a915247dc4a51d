import { describe, expect, it } from 'vitest';
import { InvocationCodec, MAX_BUTTON_VALUE } from '../../../src/adapters/slack/invocation.ts';

describe('button values', () => {
  it('carry a short invocation inline and decode it back', () => {
    const codec = new InvocationCodec();
    const value = codec.encode({ command: 'source', options: { n: 6, article: 'china' } });
    expect(value).toBe('{"c":"source","o":{"n":6,"article":"china"}}');
    expect(new InvocationCodec().decode(value)).toEqual({ command: 'source', options: { n: 6, article: 'china' } });
  });

  it('keep an invocation too long for a button in memory and carry its key', () => {
    const codec = new InvocationCodec();
    const long = { command: 'ask', options: { question: 'q'.repeat(3000) } };
    const value = codec.encode(long);
    expect(value.length).toBeLessThanOrEqual(MAX_BUTTON_VALUE);
    expect(codec.decode(value)).toEqual(long);
    expect(new InvocationCodec().decode(value)).toBeUndefined();
  });

  it('reject malformed values', () => {
    const codec = new InvocationCodec();
    for (const bad of [undefined, '', 'not json', '{"c":1}', '{"c":"ask","o":{"x":{}}}', 'x'.repeat(2001)])
      expect(codec.decode(bad)).toBeUndefined();
  });
});
