/** The Slack adapter's public surface, for src/main.ts and the registration feature. */
export { type SlackAdapter, type SlackConfig, type SlackDeps, startSlack } from './app.ts';
export type { SlackMessage } from './block-types.ts';
export { renderReply } from './blocks.ts';
export { type ManifestShortcut, type SlackExtension, slackExtensions } from './extensions.ts';
export type { HealthReport } from './health.ts';
export { type SlackKit, UMBRELLA } from './kit.ts';
export { buildManifest } from './manifest.ts';
export { EVENTS_PATH, INSTALL_PATH, REDIRECT_PATH } from './paths.ts';
export { classifySlackError, slackChannelSender } from './sender.ts';
export { signSlackRequest } from './signature.ts';
