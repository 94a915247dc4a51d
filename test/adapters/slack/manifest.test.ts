import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { commands } from '../../../commands/index.ts';
import type { SlackExtension } from '../../../src/adapters/slack/extensions.ts';
import { buildManifest } from '../../../src/adapters/slack/manifest.ts';
import { runManifestCli } from '../../../src/adapters/slack/manifest-cli.ts';

describe('the Slack app manifest', () => {
  it('declares every command with the prefix, its description and usage, plus /briefing, all at the request URL', () => {
    const m = buildManifest({ commands, prefix: 'bb-', url: 'https://example.org', socketMode: false });
    const slash = m.features.slash_commands;
    expect(slash.map((c) => c.command)).toEqual([...commands.map((c) => `/bb-${c.name}`), '/briefing']);
    for (const c of commands) {
      const entry = slash.find((s) => s.command === `/bb-${c.name}`);
      expect(entry).toMatchObject({
        description: c.description,
        usage_hint: c.usage,
        url: 'https://example.org/slack/events',
        should_escape: false,
      });
    }
    expect(m.settings).toMatchObject({
      socket_mode_enabled: false,
      interactivity: { is_enabled: true, request_url: 'https://example.org/slack/events' },
      event_subscriptions: { request_url: 'https://example.org/slack/events', bot_events: ['app_mention'] },
    });
    const files = commands.some((c) => c.options.some((o) => o.type === 'attachment')) ? ['files:read'] : [];
    expect(m.oauth_config.scopes.bot).toEqual([
      'app_mentions:read',
      'channels:history',
      'chat:write',
      'chat:write.public',
      'commands',
      ...files,
      'groups:history',
      'usergroups:read',
    ]);
  });

  it('leaves out URLs in Socket Mode and adds what extensions need', () => {
    const ext: SlackExtension = {
      name: 'register',
      scopes: ['files:read'],
      botEvents: ['file_shared'],
      shortcuts: [
        { name: 'Register as briefing', type: 'message', callback_id: 'register_briefing', description: 'Add this file as a briefing' },
      ],
      register: () => {},
    };
    const m = buildManifest({ commands, socketMode: true, extensions: [ext] });
    expect(m.settings.socket_mode_enabled).toBe(true);
    expect(m.features.slash_commands.every((c) => c.url === undefined)).toBe(true);
    expect(m.settings.interactivity.request_url).toBeUndefined();
    expect(m.oauth_config.scopes.bot).toContain('files:read');
    expect(m.settings.event_subscriptions.bot_events).toEqual(['app_mention', 'file_shared']);
    expect(m.features.shortcuts?.[0]?.callback_id).toBe('register_briefing');
  });

  it('for many workspaces adds the redirect URL, the uninstall events, users:read and organisation-wide installs', () => {
    const m = buildManifest({ commands, url: 'https://example.org/bot/slack/events', socketMode: false, oauth: true });
    expect(m.oauth_config.redirect_urls).toEqual(['https://example.org/bot/slack/oauth_redirect']);
    expect(m.oauth_config.scopes.bot).toContain('users:read');
    expect(m.settings.org_deploy_enabled).toBe(true);
    expect(m.settings.event_subscriptions).toMatchObject({
      request_url: 'https://example.org/bot/slack/events',
      bot_events: ['app_mention', 'app_uninstalled', 'team_access_revoked', 'tokens_revoked'],
    });
    expect(() => buildManifest({ commands, socketMode: true, oauth: true })).toThrow(/Socket Mode serves one workspace/);
    expect(() => buildManifest({ commands, socketMode: false, oauth: true })).toThrow(
      'OAuth mode needs the public URL: pass --url https://your.host',
    );
    const single = buildManifest({ commands, url: 'https://example.org', socketMode: false });
    expect(single.oauth_config.redirect_urls).toBeUndefined();
    expect(single.oauth_config.scopes.bot).not.toContain('users:read');
    expect(single.settings.org_deploy_enabled).toBe(false);
  });

  it('npm run slack:manifest -- --oauth writes the OAuth manifest', () => {
    const file = join(tmpdir(), `slack-manifest-oauth-${process.pid}.json`);
    try {
      expect(runManifestCli(['--url', 'https://example.org', '--prefix', '', '--oauth', '--out', file])).toBe(0);
      const written = JSON.parse(readFileSync(file, 'utf8'));
      expect(written.oauth_config.redirect_urls).toEqual(['https://example.org/slack/oauth_redirect']);
      expect(written.settings.socket_mode_enabled).toBe(false);
      expect(written.settings.org_deploy_enabled).toBe(true);
    } finally {
      rmSync(file, { force: true });
    }
  });

  it('names the problem when the URL is missing or a prefixed name is too long', () => {
    expect(() => buildManifest({ commands, socketMode: false })).toThrow(/pass --url https:\/\/your.host/);
    expect(() => buildManifest({ commands, socketMode: false, url: 'http://example.org' })).toThrow(/must use https/);
    expect(() => buildManifest({ commands, socketMode: true, prefix: 'a-very-long-prefix-for-commands-' })).toThrow(/Slack allows 32/);
  });

  it('with OAuth variables only partly set, says what is missing and that --oauth skips reading them', () => {
    const errors: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
      errors.push(String(chunk));
      return true;
    });
    try {
      expect(runManifestCli(['--url', 'https://example.org', '--out', '-'], () => {}, { SLACK_CLIENT_ID: '1.2' })).toBe(2);
    } finally {
      spy.mockRestore();
    }
    const text = errors.join('');
    expect(text).toContain('SLACK_TOKEN_ENCRYPTION_KEY is missing');
    expect(text).toContain('(or pass --prefix and --socket, --http or --oauth to skip reading the configuration)');
  });

  it('npm run slack:manifest writes the file', () => {
    const file = join(tmpdir(), `slack-manifest-${process.pid}.json`);
    try {
      expect(runManifestCli(['--url', 'https://example.org', '--prefix', 'bb-', '--http', '--out', file])).toBe(0);
      const written = JSON.parse(readFileSync(file, 'utf8'));
      expect(written.features.slash_commands[0].command).toBe('/bb-ask');
      expect(written.settings.socket_mode_enabled).toBe(false);
    } finally {
      rmSync(file, { force: true });
    }
  });
});
