import { describe, expect, it } from 'vitest';
import { Moderators } from '../../../src/adapters/slack/moderators.ts';

function groupClient(answers: (string[] | Error)[]) {
  const calls: string[] = [];
  return {
    calls,
    client: {
      usergroups: {
        users: {
          list: async ({ usergroup }: { usergroup: string }) => {
            calls.push(usergroup);
            const next = answers.shift();
            if (next instanceof Error) throw next;
            return { ok: true, users: next ?? [] };
          },
        },
      },
    },
  };
}

describe('Slack moderators', () => {
  it('counts the listed user ids without asking Slack', async () => {
    const { client, calls } = groupClient([]);
    const m = new Moderators({ userIds: ['U1'], client, now: () => 0 });
    expect(await m.isModerator('U1')).toBe(true);
    expect(await m.isModerator('U2')).toBe(false);
    expect(calls).toEqual([]);
  });

  it('reads the moderator group once and caches it until the time to live passes', async () => {
    let now = 0;
    const { client, calls } = groupClient([['U7'], ['U8']]);
    const m = new Moderators({ userIds: [], groupId: 'S1', client, now: () => now, ttlMs: 1000 });
    expect(await Promise.all([m.isModerator('U7'), m.isModerator('U8')])).toEqual([true, false]);
    expect(calls).toEqual(['S1']);
    now = 999;
    expect(await m.isModerator('U7')).toBe(true);
    now = 1000;
    expect(await m.isModerator('U8')).toBe(true);
    expect(calls).toEqual(['S1', 'S1']);
  });

  it('keeps the last known members when a lookup fails, and reports the failure', async () => {
    let now = 0;
    const errors: unknown[] = [];
    const { client } = groupClient([['U7'], new Error('ratelimited')]);
    const m = new Moderators({ userIds: [], groupId: 'S1', client, now: () => now, ttlMs: 10, onError: (e) => errors.push(e) });
    expect(await m.isModerator('U7')).toBe(true);
    now = 50;
    expect(await m.isModerator('U7')).toBe(true);
    expect(errors).toHaveLength(1);
  });
});
