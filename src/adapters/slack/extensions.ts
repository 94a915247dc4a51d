import type { App } from '@slack/bolt';
import type { SlackKit } from './kit.ts';
import { slackRegistration } from './registration.ts';

/**
 * Extra Slack handlers beyond the slash commands and buttons, e.g. the registration feature's
 * `file_shared` handler and its "Register as briefing" message shortcut. Each extension names
 * what it needs from the manifest (scopes, bot events, shortcuts) and registers its handlers on
 * the App; it gets the shared SlackKit (context building, running commands, rendering, posting).
 *
 * Add an extension to `slackExtensions` below (a static list, like commands/index.ts) and both
 * the running app and `npm run slack:manifest` pick it up.
 */
export interface SlackExtension {
  name: string;
  /** Bot token scopes the handlers need, e.g. `files:read`. */
  scopes?: readonly string[];
  /** Bot events to subscribe to, e.g. `file_shared`, `message.channels`. */
  botEvents?: readonly string[];
  /** Shortcuts to declare in the manifest. */
  shortcuts?: readonly ManifestShortcut[];
  register(app: App, kit: SlackKit): void;
}

/** A shortcut as the Slack manifest declares it. */
export interface ManifestShortcut {
  name: string;
  type: 'message' | 'global';
  callback_id: string;
  description: string;
}

/** The extensions the app runs by default. */
export const slackExtensions: SlackExtension[] = [slackRegistration];
