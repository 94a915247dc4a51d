import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { ButtonState, decodeButton, encodeButton, replyButtons } from '../../../src/adapters/discord/components.ts';
import { okReply } from '../../../src/core/reply.ts';
import { memoryKeyStore } from '../../../src/store/memory-keys.ts';
import { openSqliteStore } from '../../../src/store/sqlite-store.ts';
import type { KeyStore, Store } from '../../../src/store/types.ts';

const GUILD = '1200000000000000100';
const longQuestion = { command: 'ask', options: { question: 'x'.repeat(200) } };

describe('button custom ids', () => {
  it('carries a short invocation in the custom_id itself, storing nothing', async () => {
    const keys = memoryKeyStore();
    const stash = new ButtonState(keys).stash(GUILD);
    const id = await encodeButton('run', { command: 'source', options: { n: 6, article: 'central-asia' } }, stash);
    expect(id).toBe('r:source|n#6|article=central-asia');
    expect(await keys.purgeExpired('9999-01-01T00:00:00.000Z')).toBe(0);
    expect(await decodeButton(id, stash)).toEqual({
      kind: 'run',
      invocation: { command: 'source', options: { n: 6, article: 'central-asia' } },
    });
  });

  it('round-trips any invocation, through the store when it is too long', async () => {
    const stash = new ButtonState(memoryKeyStore()).stash(GUILD);
    const value = fc.oneof(fc.string({ maxLength: 150 }), fc.integer(), fc.boolean());
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('ask', 'source', 'digest'),
        fc.dictionary(fc.stringMatching(/^[a-z][a-z-]{0,9}$/), value, { maxKeys: 4 }),
        fc.constantFrom('run' as const, 'share' as const),
        async (command, options, kind) => {
          const id = await encodeButton(kind, { command, options }, stash);
          expect(id.length).toBeLessThanOrEqual(100);
          expect(await decodeButton(id, stash)).toEqual({ kind, invocation: { command, options } });
        },
      ),
    );
  });

  it('keeps a long invocation under discord:<guild>:inv:<key> for an interaction token’s 15 minutes', async () => {
    const keys = memoryKeyStore();
    let now = new Date('2025-06-01T09:00:00.000Z');
    const stash = new ButtonState(keys, { now: () => now }).stash(GUILD);
    const id = await encodeButton('share', longQuestion, stash);
    expect(id).toMatch(/^s#[\w-]{12}$/);
    const entry = await keys.get(`discord:${GUILD}:inv:${id.slice(2)}`, now.toISOString());
    expect(entry).toMatchObject({ value: JSON.stringify(longQuestion), expiresAt: '2025-06-01T09:15:00.000Z' });
    now = new Date('2025-06-01T09:15:00.001Z');
    expect(await decodeButton(id, stash)).toEqual({ kind: 'share', expired: true });
  });

  it('does not find a guild’s stored invocation from another guild', async () => {
    const state = new ButtonState(memoryKeyStore());
    const id = await encodeButton('run', longQuestion, state.stash(GUILD));
    expect(await decodeButton(id, state.stash('1200000000000000999'))).toEqual({ kind: 'run', expired: true });
    expect(await decodeButton(id, state.stash(undefined))).toEqual({ kind: 'run', expired: true });
  });

  it('ignores custom ids it did not make', async () => {
    expect(await decodeButton('something-else', new ButtonState(memoryKeyStore()).stash(GUILD))).toBeUndefined();
  });
});

describe('button state in a SQLite store', () => {
  const dirs: string[] = [];
  const stores: Store[] = [];
  afterEach(async () => {
    for (const store of stores.splice(0)) await store.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function openTwice(): [KeyStore, KeyStore] {
    const dir = mkdtempSync(join(tmpdir(), 'briefing-buttons-'));
    dirs.push(dir);
    const a = openSqliteStore({ file: join(dir, 'briefing.db') });
    const b = openSqliteStore({ file: join(dir, 'briefing.db') });
    stores.push(a, b);
    return [a.keys, b.keys];
  }

  it('a long button made by one process works in another on the same database (a replica, or after a restart)', async () => {
    const [first, second] = openTwice();
    const id = await encodeButton('run', longQuestion, new ButtonState(first).stash(GUILD));
    expect(await decodeButton(id, new ButtonState(second).stash(GUILD))).toEqual({ kind: 'run', invocation: longQuestion });
  });

  it('lets exactly one of two processes claim the share of a message, and tells the other who shared it and when', async () => {
    const [first, second] = openTwice();
    const at = new Date('2025-06-01T09:00:00.000Z');
    const a = new ButtonState(first, { now: () => at });
    const b = new ButtonState(second, { now: () => new Date(at.getTime() + 5_000) });
    const claims = await Promise.all([a.claimShare(GUILD, 'm1', 'u1'), b.claimShare(GUILD, 'm1', 'u2')]);
    expect(claims.filter((c) => c.first)).toHaveLength(1);
    expect(await b.claimShare(GUILD, 'm1', 'u3')).toEqual({ first: false, shared: { by: 'u1', at: '2025-06-01T09:00:00.000Z' } });
    expect(await a.claimShare(GUILD, 'm2', 'u1')).toEqual({ first: true });
  });

  it('gives a released share back, so a share that posted nothing can be tried again', async () => {
    const [first] = openTwice();
    const state = new ButtonState(first);
    expect(await state.claimShare(GUILD, 'm1', 'u1')).toEqual({ first: true });
    await state.releaseShare(GUILD, 'm1');
    expect(await state.claimShare(GUILD, 'm1', 'u1')).toEqual({ first: true });
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
  const stash = () => new ButtonState(memoryKeyStore()).stash(GUILD);

  it('puts Share first, then the reply’s actions, five to a row and at most 25', async () => {
    const rows = await replyButtons(reply, {
      shareable: true,
      invocation: { command: 'ask', options: { question: 'trade' } },
      stash: stash(),
    });
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.components.length <= 5)).toBe(true);
    expect(rows[0]?.components.slice(0, 2).map((b) => b.label)).toEqual(['Share in channel', 'More results']);
  });

  it('leaves Share out of a message that is already public', async () => {
    const rows = await replyButtons(reply, { shareable: false, invocation: { command: 'ask', options: {} }, stash: stash() });
    expect(rows.flatMap((r) => r.components).map((b) => b.label)).not.toContain('Share in channel');
  });

  it('leaves Share out of an answer whose command does not offer it', async () => {
    const plain = okReply('digest', 'Digest posted', {
      actions: [{ type: 'run', label: 'Status', invoke: { command: 'digest', options: { subcommand: 'status' } } }],
    });
    const rows = await replyButtons(plain, {
      shareable: true,
      invocation: { command: 'digest', options: { subcommand: 'now' } },
      stash: stash(),
    });
    expect(rows.flatMap((r) => r.components).map((b) => b.label)).toEqual(['Status']);
  });

  it('leaves out only the button whose invocation could not be stored, and says why', async () => {
    const failing = { put: async () => Promise.reject(new Error('store: connection refused')), get: async () => undefined };
    const errors: unknown[] = [];
    const rows = await replyButtons(reply, {
      shareable: true,
      invocation: longQuestion,
      stash: failing,
      onError: (err) => errors.push(err),
    });
    const labels = rows.flatMap((r) => r.components).map((b) => b.label);
    expect(labels).not.toContain('Share in channel');
    expect(labels.slice(0, 2)).toEqual(['More results', 'Source [1]']);
    expect(String(errors[0])).toContain('connection refused');
  });
});
