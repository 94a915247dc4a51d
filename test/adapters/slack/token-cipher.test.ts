import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { TokenCipher } from '../../../src/adapters/slack/oauth/token-cipher.ts';
import { installationQueries, workspaceIdOf } from '../../../src/adapters/slack/workspace.ts';

describe('sealed installations', () => {
  const cipher = new TokenCipher(randomBytes(32));
  const record = JSON.stringify({ bot: { token: 'xoxb-1-secret-token' } });

  it('open with the same key and store key, and never show the token', () => {
    const sealed = cipher.seal(record, 'T:-:T1');
    expect(sealed).toMatch(/^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
    expect(sealed).not.toContain('xoxb');
    expect(cipher.open(sealed, 'T:-:T1')).toBe(record);
    expect(cipher.seal(record, 'T:-:T1')).not.toBe(sealed);
  });

  it("do not open under another workspace's key, another encryption key, or when altered", () => {
    const sealed = cipher.seal(record, 'T:-:T1');
    expect(() => cipher.open(sealed, 'T:-:T2')).toThrow(
      'a stored Slack installation (T:-:T2) does not decrypt with SLACK_TOKEN_ENCRYPTION_KEY',
    );
    expect(() => new TokenCipher(randomBytes(32)).open(sealed, 'T:-:T1')).toThrow(/does not decrypt with SLACK_TOKEN_ENCRYPTION_KEY/);
    const [v, nonce, tag, body] = sealed.split('.') as [string, string, string, string];
    const flipped = `${body.slice(0, -2)}${body.at(-2) === 'A' ? 'B' : 'A'}${body.at(-1)}`;
    expect(() => cipher.open([v, nonce, tag, flipped].join('.'), 'T:-:T1')).toThrow(/does not decrypt/);
    expect(() => cipher.open(record, 'T:-:T1')).toThrow('a stored Slack installation (T:-:T1) is not in the sealed v1 format');
  });

  it('need a 32-byte key', () => {
    expect(() => new TokenCipher(randomBytes(16))).toThrow('TokenCipher: the key must be 32 bytes, got 16');
  });
});

describe('workspace ids', () => {
  it('are the team, or organisation and team on Enterprise Grid, and find the installations that may cover them', () => {
    expect(workspaceIdOf({ teamId: 'T1' })).toBe('T1');
    expect(workspaceIdOf({ teamId: 'T1', enterpriseId: 'E1' })).toBe('E1:T1');
    expect(workspaceIdOf({ enterpriseId: 'E1', isEnterpriseInstall: true })).toBe('E1');
    expect(workspaceIdOf({ teamId: 'T1:evil' })).toBeUndefined();
    expect(installationQueries('T1')).toEqual([{ teamId: 'T1', enterpriseInstall: false }]);
    expect(installationQueries('E1:T1')).toEqual([
      { teamId: 'T1', enterpriseId: 'E1', enterpriseInstall: false },
      { enterpriseId: 'E1', enterpriseInstall: true },
    ]);
  });
});
