/** The Discord adapter: discord.js client, embed rendering, command deployment. */

export { toApplicationCommands } from './application-commands.ts';
export { deployCommands, describeDeploy } from './deploy.ts';
export { INTERACTIONS_PATH, startingEndpoint } from './http-endpoint.ts';
export { renderReply } from './render.ts';
export { createChannelSender } from './sender.ts';
export { discordPublicKey } from './signature.ts';
export { type DiscordAdapter, type DiscordConfig, type DiscordDeps, discordConfig, startDiscord } from './start.ts';
