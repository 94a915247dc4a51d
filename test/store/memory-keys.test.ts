import { describe, expect, it } from 'vitest';
import { memoryKeyStore } from '../../src/store/memory-keys.ts';

describe('the in-memory key store', () => {
  it('has the same putIfAbsent, expiry, prefix and purge semantics as the database ones', async () => {
    const keys = memoryKeyStore({ capacity: 3 });
    const at = '2025-06-01T09:00:00.000Z';
    expect((await keys.putIfAbsent('a:1', 'x', at, '2025-06-01T09:10:00.000Z')).created).toBe(true);
    expect(await keys.putIfAbsent('a:1', 'y', at, '2025-06-01T09:10:00.000Z')).toMatchObject({ created: false, entry: { value: 'x' } });
    expect(await keys.get('a:1', '2025-06-01T09:10:00.000Z')).toBeUndefined();
    expect((await keys.putIfAbsent('a:1', 'z', '2025-06-01T09:10:00.000Z', '2025-06-01T09:20:00.000Z')).created).toBe(true);
    await keys.put('a:2', 'x', at, '2025-06-01T09:05:00.000Z');
    await keys.put('b:1', 'x', at, '2025-06-01T09:30:00.000Z');
    expect(await keys.purgeExpired('2025-06-01T09:06:00.000Z')).toBe(1);
    expect(await keys.deletePrefix('a:')).toBe(1);
    for (const k of ['c', 'd', 'e']) await keys.put(k, 'x', at, '2025-06-01T10:00:00.000Z');
    expect(await keys.get('b:1', at)).toBeUndefined(); // past capacity, the oldest went first
    expect(await keys.delete('e')).toBe(true);
  });
});
