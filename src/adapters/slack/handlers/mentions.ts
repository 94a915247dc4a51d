import type { App } from '@slack/bolt';
import { splitCommandLine } from '../../../core/dispatch.ts';
import { slackInputText } from '../escape.ts';
import type { SlackKit, SlackWho } from '../kit.ts';

/**
 * `@briefing-bot what did Japarov call for?` in a channel: answered in a thread, publicly (the
 * question was asked in public). A message starting with a command name runs that command
 * (`@briefing-bot source 6`); anything else is a question for /ask.
 */

/** The command and text a mention asks for, with the bot's own mention removed. */
export function mentionRequest(text: string, commandNames: readonly string[]): { name: string; text: string } {
  const cleaned = slackInputText(text.replace(/<@[A-Z0-9]+(?:\|[^>]*)?>/g, ' ')).trim();
  const { name, text: rest } = splitCommandLine(cleaned);
  if (name && commandNames.includes(name)) return { name, text: rest };
  return cleaned ? { name: 'ask', text: cleaned } : { name: 'help', text: '' };
}

export function registerMentionHandler(app: App, kit: SlackKit): void {
  app.event('app_mention', async ({ event, client, context }) => {
    if (!event.user) return;
    const request = mentionRequest(
      event.text ?? '',
      kit.commands.map((c) => c.name),
    );
    const who: SlackWho = {
      userId: event.user,
      channelId: event.channel,
      teamId: context.teamId,
      enterpriseId: context.enterpriseId,
      isEnterpriseInstall: context.isEnterpriseInstall,
      client,
    };
    const { reply } = await kit.queue.run(async () => kit.runText(request.name, request.text, await kit.contextFor(who, request.name)));
    const messages = await kit.render(reply.ok ? { ...reply, visibility: 'public' } : reply, undefined, kit.workspaceOf(who));
    try {
      await kit.post(client, event.channel, messages, event.thread_ts ?? event.ts);
    } catch (error) {
      kit.logError(error, 'answering a Slack mention failed', { channel: event.channel });
    }
  });
}
