/** Where Slack reaches the bot on the shared HTTP server. */

/** Slash commands, interactivity and events (POST, signed). */
export const EVENTS_PATH = '/slack/events';
/** OAuth mode: the install page with the "Add to Slack" link (GET). */
export const INSTALL_PATH = '/slack/install';
/** OAuth mode: where Slack sends the browser back after the user approved (GET). */
export const REDIRECT_PATH = '/slack/oauth_redirect';
