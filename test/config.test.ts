import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';

describe('loadConfig', () => {
  it('no tokens at all means the terminal chat with the shipped defaults', () => {
    const config = loadConfig({});
    expect(config.console).toBe(true);
    expect(config.slack).toBeUndefined();
    expect(config.discord).toBeUndefined();
    expect(config.BRIEFING_CONTENT_DIR).toBe('./content');
    expect(config.DEFAULT_TIMEZONE).toBe('Europe/Istanbul');
  });

  it('Slack with a token and a signing secret runs in HTTP mode, with an app token in Socket Mode', () => {
    expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's' }).slack?.mode).toBe('http');
    const socket = loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_APP_TOKEN: 'xapp-1' });
    expect(socket.slack?.mode).toBe('socket');
    expect(socket.console).toBe(false);
  });

  it('reports every problem at once, each naming its variable', () => {
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', DISCORD_GUILD_ID: '1', PORT: 'eighty', DEFAULT_TIMEZONE: 'Mars/Olympus' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const text = (error as ConfigError).message;
      expect(text).toContain('PORT');
      expect(text).toContain('DEFAULT_TIMEZONE');
    }
    try {
      loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', DISCORD_GUILD_ID: '1' });
      expect.unreachable();
    } catch (error) {
      const problems = (error as ConfigError).problems;
      expect(problems.some((p) => p.includes('SLACK_SIGNING_SECRET'))).toBe(true);
      expect(problems.some((p) => p.includes('DISCORD_TOKEN'))).toBe(true);
    }
  });

  it('a malformed API URL names the variable and an example', () => {
    expect(() => loadConfig({ SLACK_API_URL: 'not a url' })).toThrow(/SLACK_API_URL must be a URL/);
  });

  it('DATABASE_URL selects PostgreSQL; a bad one is named without repeating it (it may hold a password)', () => {
    expect(loadConfig({}).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: '' }).DATABASE_URL).toBeUndefined();
    expect(loadConfig({ DATABASE_URL: 'postgres://bot:pw@db:5432/briefing' }).DATABASE_URL).toBe('postgres://bot:pw@db:5432/briefing');
    expect(loadConfig({ DATABASE_URL: 'postgresql://db/briefing' }).DATABASE_URL).toBe('postgresql://db/briefing');
    const example = 'give a PostgreSQL URL such as postgres://bot:password@db.example:5432/briefing (or empty for SQLite)';
    for (const [bad, problem] of [
      ['mysql://bot:hunter2@db/briefing', 'starts with "mysql:", not postgres: or postgresql:'],
      ['db.example:5432', 'starts with "db.example:", not postgres: or postgresql:'],
      ['postgres://bot:hunter2@/briefing', 'is not a URL'],
      ['postgres:///briefing?password=hunter2', 'names no host'],
    ]) {
      let error: ConfigError | undefined;
      try {
        loadConfig({ DATABASE_URL: bad });
      } catch (e) {
        error = e as ConfigError;
      }
      expect(error?.problems).toEqual([`DATABASE_URL ${problem}: ${example}`]);
      expect(error?.message).not.toContain('hunter2');
    }
  });

  it('CONSOLE=on keeps the terminal chat next to a chat platform', () => {
    expect(loadConfig({ DISCORD_TOKEN: 't', CONSOLE: 'on' }).console).toBe(true);
  });

  it('SEARCH_WORKERS is auto by default, a count from 0 to 16, and anything else is named', () => {
    expect(loadConfig({}).SEARCH_WORKERS).toBe('auto');
    expect(loadConfig({ SEARCH_WORKERS: '0' }).SEARCH_WORKERS).toBe(0);
    expect(loadConfig({ SEARCH_WORKERS: ' 2 ' }).SEARCH_WORKERS).toBe(2);
    for (const bad of ['many', '-1', '17', '1.5']) {
      expect(() => loadConfig({ SEARCH_WORKERS: bad }), bad).toThrow(/SEARCH_WORKERS must be auto or a whole number from 0/);
    }
  });

  it('Discord opens the gateway unless a public key turns on HTTP interactions; DISCORD_GATEWAY decides explicitly', () => {
    const key = 'ab'.repeat(32);
    expect(loadConfig({ DISCORD_TOKEN: 't' }).discord).toEqual({ token: 't', gateway: true });
    expect(loadConfig({ DISCORD_TOKEN: 't', DISCORD_APPLICATION_ID: '1', DISCORD_PUBLIC_KEY: key.toUpperCase() }).discord).toEqual({
      token: 't',
      applicationId: '1',
      publicKey: key,
      gateway: false,
    });
    expect(loadConfig({ DISCORD_TOKEN: 't', DISCORD_PUBLIC_KEY: key, DISCORD_GATEWAY: 'on' }).discord?.gateway).toBe(true);
    expect(loadConfig({ DISCORD_TOKEN: 't', DISCORD_PUBLIC_KEY: key, DISCORD_GATEWAY: 'off' }).discord?.gateway).toBe(false);
  });

  it('names a malformed DISCORD_PUBLIC_KEY, DISCORD_GATEWAY=off without one, and a public key without a token', () => {
    expect(() => loadConfig({ DISCORD_TOKEN: 't', DISCORD_PUBLIC_KEY: 'not-a-key' })).toThrow(
      `DISCORD_PUBLIC_KEY must be the application's public key: 64 hexadecimal characters (Developer Portal, General Information); got "not-a-key" (9 characters)`,
    );
    // A token pasted by mistake is named by its start only.
    expect(() => loadConfig({ DISCORD_TOKEN: 't', DISCORD_PUBLIC_KEY: 'MTEwMDAwMDAwMDAwMDAwMDAwMg.Gx1234.secretpart' })).toThrow(
      /got "MTEwMDAwMDAw…" \(44 characters\)$/m,
    );
    expect(() => loadConfig({ DISCORD_TOKEN: 't', DISCORD_GATEWAY: 'sometimes' })).toThrow(/DISCORD_GATEWAY/);
    expect(() => loadConfig({ DISCORD_TOKEN: 't', DISCORD_GATEWAY: 'off' })).toThrow(/DISCORD_GATEWAY=off needs DISCORD_PUBLIC_KEY/);
    expect(() => loadConfig({ DISCORD_PUBLIC_KEY: 'ab'.repeat(32) })).toThrow(/DISCORD_TOKEN is missing/);
  });

  describe('Slack for many workspaces (OAuth)', () => {
    const key = Buffer.alloc(32, 7);
    const oauth = {
      SLACK_CLIENT_ID: '1111.2222',
      SLACK_CLIENT_SECRET: 'client-secret',
      SLACK_STATE_SECRET: 'state-secret',
      SLACK_SIGNING_SECRET: 'signing-secret',
      SLACK_TOKEN_ENCRYPTION_KEY: key.toString('base64'),
    };

    it('the client id, secrets and a 32-byte key (base64, base64url or hex) select OAuth mode', () => {
      const config = loadConfig(oauth);
      expect(config.slack).toMatchObject({
        mode: 'oauth',
        clientId: '1111.2222',
        clientSecret: 'client-secret',
        stateSecret: 'state-secret',
      });
      expect(Buffer.from((config.slack as { tokenKey: Uint8Array }).tokenKey)).toEqual(key);
      expect(config.console).toBe(false);
      for (const encoded of [key.toString('hex'), key.toString('base64url'), key.toString('base64').replace(/=$/, '')]) {
        const slack = loadConfig({ ...oauth, SLACK_TOKEN_ENCRYPTION_KEY: encoded }).slack as { tokenKey: Uint8Array };
        expect(Buffer.from(slack.tokenKey), encoded).toEqual(key);
      }
    });

    it('names every missing or bad variable at once, and the key format without echoing the key', () => {
      try {
        loadConfig({
          SLACK_CLIENT_ID: '1111.2222',
          SLACK_TOKEN_ENCRYPTION_KEY: 'short-secret-value',
          SLACK_BOT_TOKEN: 'xoxb-1',
          SLACK_MODERATORS: 'U123,T1:U2',
        });
        expect.unreachable();
      } catch (error) {
        const problems = (error as ConfigError).problems;
        expect(problems.find((p) => p.startsWith('SLACK_CLIENT_SECRET is missing'))).toBeDefined();
        expect(problems.find((p) => p.startsWith('SLACK_STATE_SECRET is missing'))).toBeDefined();
        expect(problems.find((p) => p.startsWith('SLACK_SIGNING_SECRET is missing'))).toBeDefined();
        expect(problems.find((p) => p.startsWith('SLACK_BOT_TOKEN is set together with SLACK_CLIENT_ID'))).toBeDefined();
        const keyProblem = problems.find((p) => p.startsWith('SLACK_TOKEN_ENCRYPTION_KEY'));
        expect(keyProblem).toContain('32 random bytes as 64 hex digits or base64 (44 characters)');
        expect(keyProblem).toContain('(got 18 characters)');
        expect(keyProblem).not.toContain('short-secret-value');
        expect(problems.find((p) => p.startsWith('SLACK_MODERATORS'))).toContain('e.g. T0123ABCD:U0456EFGH; got "U123"');
      }
    });

    it('refuses OAuth without the encryption key, and with Socket Mode', () => {
      const { SLACK_TOKEN_ENCRYPTION_KEY: _key, ...rest } = oauth;
      expect(() => loadConfig(rest)).toThrow(/SLACK_TOKEN_ENCRYPTION_KEY is missing/);
      // Also says what a key looks like and how to make one.
      expect(() => loadConfig(rest)).toThrow(
        /the key encrypts the stored bot tokens: 32 random bytes as 64 hex digits or base64 \(44 characters\), e\.g\. the output of: node -e/,
      );
      expect(() => loadConfig({ ...oauth, SLACK_APP_TOKEN: 'xapp-1' })).toThrow(/SLACK_APP_TOKEN: Socket Mode serves one workspace/);
    });

    it('keeps one-token mode exactly as before', () => {
      expect(loadConfig({ SLACK_BOT_TOKEN: 'xoxb-1', SLACK_SIGNING_SECRET: 's', SLACK_MODERATORS: 'U1' }).slack).toEqual({
        mode: 'http',
        botToken: 'xoxb-1',
        signingSecret: 's',
      });
    });
  });
});
