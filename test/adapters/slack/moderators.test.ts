import { describe, expect, it } from 'vitest';
import { Moderators } from '../../../src/adapters/slack/moderators.ts';
import { WorkspaceModerators } from '../../../src/adapters/slack/oauth/moderators.ts';

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

describe('Slack moderators with many workspaces', () => {
  function usersClient(answers: Record<string, { is_admin?: boolean } | Error>) {
    const calls: string[] = [];
    return {
      calls,
      client: {
        users: {
          info: async ({ user }: { user: string }) => {
            calls.push(user);
            const answer = answers[user];
            if (answer instanceof Error) throw answer;
            return { ok: true, user: answer ?? {} };
          },
        },
      },
    };
  }

  it("count listed users for everything, and the installer and admins only for their own workspace's digests", async () => {
    const { client } = usersClient({ U0ADMIN: { is_admin: true } });
    const m = new WorkspaceModerators({
      listed: ['T1:U0LISTED'],
      groups: [],
      installerOf: async (ws) => (ws === 'T1' ? 'U0INST' : undefined),
      now: () => 0,
    });
    const ask = (userId: string, scope: 'workspace' | 'library', teamId = 'T1') =>
      m.isModerator({ userId, teamId, workspaceId: teamId, scope, client });
    expect(await ask('U0LISTED', 'library')).toBe(true);
    expect(await ask('U0LISTED', 'workspace', 'T2')).toBe(false);
    expect(await ask('U0INST', 'workspace')).toBe(true);
    expect(await ask('U0ADMIN', 'workspace')).toBe(true);
    expect(await ask('U0INST', 'library')).toBe(false);
    expect(await ask('U0ADMIN', 'library')).toBe(false);
    expect(await ask('U0MEMBER', 'workspace')).toBe(false);
  });

  it('ask Slack once per user for five minutes, count a failed lookup as no and retry it after 30 seconds', async () => {
    let now = 0;
    const answers: Record<string, { is_admin?: boolean } | Error> = { U0ADMIN: new Error('ratelimited') };
    const { client, calls } = usersClient(answers);
    const errors: unknown[] = [];
    const m = new WorkspaceModerators({
      listed: [],
      groups: [],
      installerOf: async () => undefined,
      now: () => now,
      onError: (e) => errors.push(e),
    });
    const ask = () => m.isModerator({ userId: 'U0ADMIN', teamId: 'T1', workspaceId: 'T1', scope: 'workspace', client });
    expect(await ask()).toBe(false);
    expect(errors).toHaveLength(1);
    answers.U0ADMIN = { is_admin: true };
    now = 29_000;
    expect(await ask()).toBe(false);
    now = 31_000;
    expect(await ask()).toBe(true);
    now = 300_000;
    expect(await ask()).toBe(true);
    expect(calls).toEqual(['U0ADMIN', 'U0ADMIN']);
    m.forget('T1');
    expect(await ask()).toBe(true);
    expect(calls).toHaveLength(3);
  });
});
