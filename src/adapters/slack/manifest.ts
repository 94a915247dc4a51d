import type { AnyCommand } from '../../core/command.ts';
import { BotError } from '../../core/errors.ts';
import { EVENTS_PATH } from './app.ts';
import { truncate } from './escape.ts';
import type { ManifestShortcut, SlackExtension } from './extensions.ts';
import { UMBRELLA } from './kit.ts';

/**
 * The Slack app manifest, generated from the command definitions: one slash command per command
 * (with the configured prefix) plus the umbrella `/briefing`, the scopes the features need,
 * the request and interactivity URLs, and Socket Mode on or off.
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
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    event_subscriptions: { request_url?: string; bot_events: string[] };
    interactivity: { is_enabled: true; request_url?: string };
    org_deploy_enabled: false;
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
  name?: string;
}

/** Scopes every install needs: slash commands, posting (also where the bot was not invited), mentions, the moderator group. */
export const BASE_SCOPES = ['commands', 'chat:write', 'chat:write.public', 'app_mentions:read', 'usergroups:read'];
export const BASE_EVENTS = ['app_mention'];

/** Slack's limits on slash command names and count. */
const MAX_COMMAND_NAME = 32;
const MAX_COMMANDS = 50;

function requestUrl(base: string): string {
  let url: URL;
  try {
    url = new URL(base);
  } catch {
    throw new BotError('manifest-url', `--url "${base}" is not a URL; give the app's public address, e.g. --url https://example.org`);
  }
  if (url.protocol !== 'https:') throw new BotError('manifest-url', `--url "${base}" must use https: Slack only calls https request URLs`);
  const path = url.pathname.replace(/\/+$/, '');
  url.pathname = path.endsWith(EVENTS_PATH) ? path : `${path}${EVENTS_PATH}`;
  url.search = '';
  url.hash = '';
  return url.toString();
}

/** Builds the manifest; throws a BotError naming the problem (missing URL, a name too long). */
export function buildManifest(options: ManifestOptions): SlackManifest {
  const prefix = options.prefix ?? '';
  const extensions = options.extensions ?? [];
  if (!options.socketMode && !options.url) {
    throw new BotError('manifest-url', 'HTTP mode needs the public URL: pass --url https://your.host (or --socket for Socket Mode)');
  }
  const url = options.socketMode ? undefined : requestUrl(options.url as string);
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

  const scopes = new Set(BASE_SCOPES);
  if (options.commands.some((c) => c.options.some((o) => o.type === 'attachment'))) scopes.add('files:read');
  for (const e of extensions) for (const s of e.scopes ?? []) scopes.add(s);
  const events = new Set(BASE_EVENTS);
  for (const e of extensions) for (const ev of e.botEvents ?? []) events.add(ev);
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
    oauth_config: { scopes: { bot: [...scopes].sort() } },
    settings: {
      event_subscriptions: { ...(url ? { request_url: url } : {}), bot_events: [...events].sort() },
      interactivity: { is_enabled: true, ...(url ? { request_url: url } : {}) },
      org_deploy_enabled: false,
      socket_mode_enabled: options.socketMode,
      token_rotation_enabled: false,
    },
  };
}
