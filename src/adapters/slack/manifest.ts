import type { AnyCommand } from '../../core/command.ts';
import { BotError } from '../../core/errors.ts';
import { truncate } from './escape.ts';
import type { ManifestShortcut, SlackExtension } from './extensions.ts';
import { UMBRELLA } from './kit.ts';
import { EVENTS_PATH, REDIRECT_PATH } from './paths.ts';

/**
 * The Slack app manifest, generated from the command definitions: one slash command per command
 * (with the configured prefix) plus the umbrella `/briefing`, the scopes the features need,
 * the request and interactivity URLs, and Socket Mode on or off. For many workspaces (OAuth) it
 * adds the redirect URL, the uninstall events, the scope to recognise workspace admins and
 * organisation-wide deployment (Enterprise Grid).
 */

export interface ManifestSlashCommand {
  command: string;
  description: string;
  usage_hint?: string;
  should_escape: boolean;
  url?: string;
}

export interface SlackManifest {
  _metadata: { major_version: 1; minor_version: 1 };
  display_information: { name: string; description: string };
  features: {
    bot_user: { display_name: string; always_online: boolean };
    slash_commands: ManifestSlashCommand[];
    shortcuts?: ManifestShortcut[];
  };
  oauth_config: { redirect_urls?: string[]; scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: true; request_url?: string };
    org_deploy_enabled: boolean;
    socket_mode_enabled: boolean;
    token_rotation_enabled: false;
  };
}

export interface ManifestOptions {
  commands: readonly AnyCommand[];
  extensions?: readonly SlackExtension[];
  prefix?: string;
  /** Public base URL of the app (HTTP mode): `https://example.org` gives `https://example.org/slack/events`. */
  url?: string;
  socketMode: boolean;
  /** Many workspaces: "Add to Slack" with the redirect to `<url>/slack/oauth_redirect`. */
  oauth?: boolean;
  name?: string;
}

/** Scopes every install needs: slash commands, posting (also where the bot was not invited), mentions, the moderator group. */
export const BASE_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'app_mentions:read', 'usergroups:read'];
/**
 * Digests: a resend reads the channel's recent history (public and private channels) for parts
 * an earlier attempt already posted, so none is posted twice. Posting the parts' message metadata
 * needs no scope and no `metadata_subscriptions` (those only subscribe to metadata events).
 */
export const DIGEST_SCOPES = ['channels:history', 'groups:history'];
export const BASE_EVENTS = ['app_mention'];
/** OAuth mode: workspace admins moderate their digests (users.info), and uninstalls are heard. */
export const OAUTH_SCOPES = ['users:read'];
export const OAUTH_EVENTS = ['app_uninstalled', 'tokens_revoked', 'team_access_revoked'];

/** Slack's limits on slash command names and count. */
const MAX_COMMAND_NAME = 32;
const MAX_COMMANDS = 50;

/** The bot scopes the commands and extensions need: what the manifest declares and the install link asks for. */
export function botScopes(options: { commands: readonly AnyCommand[]; extensions?: readonly SlackExtension[]; oauth?: boolean }): string[] {
  const scopes = new Set([...BASE_SCOPES, ...DIGEST_SCOPES]);
  if (options.commands.some((c) => c.options.some((o) => o.type === 'attachment'))) scopes.add('files:read');
  for (const e of options.extensions ?? []) for (const s of e.scopes ?? []) scopes.add(s);
  if (options.oauth) for (const s of OAUTH_SCOPES) scopes.add(s);
  return [...scopes].sort();
}

function baseUrl(base: string): URL {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new BotError('manifest-url', `--url "${base}" is not a URL; give the app's public address, e.g. --url https://example.org`);
  }
  if (url.protocol !== 'https:') throw new BotError('manifest-url', `--url "${base}" must use https: Slack only calls https request URLs`);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(EVENTS_PATH) ? path.slice(0, -EVENTS_PATH.length) : path;
  url.search = '';
  url.hash = '';
  return url;
}

/** `base` + `path`, for a base that may already end in /slack/events. */
function urlAt(base: string, path: string): string {
  const url = baseUrl(base);
  url.pathname = `${url.pathname.replace(/\/+$/, '')}${path}`;
  return url.toString();
}

/** Builds the manifest; throws a BotError naming the problem (missing URL, a name too long). */
export function buildManifest(options: ManifestOptions): SlackManifest {
  const prefix = options.prefix ?? '';
  const extensions = options.extensions ?? [];
  if (options.oauth && options.socketMode) {
    throw new BotError('manifest-mode', 'Socket Mode serves one workspace: leave out --socket (or SLACK_APP_TOKEN) for --oauth');
  }
  if (!options.socketMode && !options.url) {
    throw new BotError(
      'manifest-url',
      `${options.oauth ? 'OAuth' : 'HTTP'} mode needs the public URL: pass --url https://your.host${options.oauth ? '' : ' (or --socket for Socket Mode)'}`,
    );
  }
  const url = options.socketMode ? undefined : urlAt(options.url as string, EVENTS_PATH);
  const withUrl = url ? { url } : {};

  const slash: ManifestSlashCommand[] = options.commands.map((command) => ({
    command: `/${prefix}${command.name}`,
    description: truncate(command.description, 100),
    ...(command.usage ? { usage_hint: truncate(command.usage, 100) } : {}),
    should_escape: false,
    ...withUrl,
  }));
  slash.push({
    command: `/${UMBRELLA}`,
    description: 'Run any briefing command, e.g. /briefing source 6',
    usage_hint: truncate(`<${options.commands.map((c) => c.name).join('|')}> …`, 100),
    should_escape: false,
    ...withUrl,
  });
  const seen = new Set<string>();
  for (const { command } of slash) {
    if (command.length > MAX_COMMAND_NAME) {
      throw new BotError(
        'manifest-command',
        `${command} is ${command.length} characters; Slack allows ${MAX_COMMAND_NAME}: use a shorter SLACK_COMMAND_PREFIX`,
      );
    }
    if (!/^\/[a-z0-9_-]+$/.test(command))
      throw new BotError('manifest-command', `${command} is not a valid slash command: use lowercase letters, digits, - and _`);
    if (seen.has(command)) throw new BotError('manifest-command', `${command} is declared twice`);
    seen.add(command);
  }
  if (slash.length > MAX_COMMANDS) throw new BotError('manifest-command', `${slash.length} slash commands; Slack allows ${MAX_COMMANDS}`);

  const scopes = botScopes({ commands: options.commands, extensions, oauth: options.oauth ?? false });
  const events = new Set(BASE_EVENTS);
  for (const e of extensions) for (const ev of e.botEvents ?? []) events.add(ev);
  if (options.oauth) for (const ev of OAUTH_EVENTS) events.add(ev);
  const shortcuts = extensions.flatMap((e) => e.shortcuts ?? []);

  const name = truncate(options.name ?? 'Briefing Bot', 35);
  return {
    _metadata: { major_version: 1, minor_version: 1 },
    display_information: { name, description: 'Cited answers from analysis briefings' },
    features: {
      bot_user: { display_name: name, always_online: true },
      slash_commands: slash,
      ...(shortcuts.length ? { shortcuts } : {}),
    },
    oauth_config: {
      ...(options.oauth ? { redirect_urls: [urlAt(options.url as string, REDIRECT_PATH)] } : {}),
      scopes: { bot: scopes },
    },
    settings: {
      event_subscriptions: { ...(url ? { request_url: url } : {}), bot_events: [...events].sort() },
      interactivity: { is_enabled: true, ...(url ? { request_url: url } : {}) },
      // OAuth mode: org-ready, so an Enterprise Grid admin can install it organisation-wide (no effect elsewhere).
      org_deploy_enabled: options.oauth ?? false,
      socket_mode_enabled: options.socketMode,
      token_rotation_enabled: false,
    },
  };
}
