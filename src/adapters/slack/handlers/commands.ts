import type { App } from '@slack/bolt';
import type { Invocation, Reply } from '../../../core/reply.ts';
import { MAX_RESPONSE_MESSAGES, type SlackKit, type SlackWho } from '../kit.ts';

/**
 * Every slash command lands here: `/<prefix><name>` for each command and the umbrella
 * `/briefing <name> …`.
 *
 * When nothing else is waiting, the answer rides on the acknowledgement if it is ready within
 * the ack budget (otherwise the acknowledgement says it is on its way). When other requests are
 * waiting or work is queued, the acknowledgement goes out at once, empty, and the answer
 * follows through respond(): acknowledgements never queue behind searches. Further parts of a
 * long answer always go through respond().
 */

type Outcome = { reply: Reply; invocation?: Invocation };

export function registerCommandHandler(app: App, kit: SlackKit, options: { ackBudgetMs: number }): void {
  app.command(/^\/[a-z0-9_-]+$/i, async ({ command, ack, respond, context, client }) => {
    const { name, text, umbrella } = kit.resolveSlash(command.command, command.text ?? '');
    const typed = (umbrella ? kit.umbrellaSyntax : kit.syntax).name(name);
    const who: SlackWho = {
      userId: command.user_id,
      userName: command.user_name,
      channelId: command.channel_id,
      channelName: command.channel_name,
      teamId: context.teamId ?? command.team_id,
      enterpriseId: context.enterpriseId,
      isEnterpriseInstall: context.isEnterpriseInstall,
      client,
    };
    const workspaceId = kit.workspaceOf(who);
    if (kit.queue.full) {
      const busy = kit.busy(typed);
      await ack({ response_type: 'ephemeral', text: busy.text, blocks: busy.blocks as never });
      return;
    }
    const pressed = kit.othersWaiting() > 0 || kit.queue.load > 0;
    const work: Promise<Outcome> = kit.queue
      .run(async () => kit.runText(name, text, await kit.contextFor(who, name, { umbrella })))
      .catch((error: unknown) => {
        kit.logError(error, 'Slack command failed', { command: name });
        return {
          reply: { ok: false, command: name, error: { code: 'internal', message: `${typed} failed on our side; try again in a moment.` } },
        };
      });

    if (pressed) {
      await ack();
      const outcome = await work;
      const messages = await kit.render(outcome.reply, outcome.invocation, workspaceId, { maxMessages: MAX_RESPONSE_MESSAGES });
      await kit.respondAll(respond, messages, outcome.reply);
      return;
    }

    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), options.ackBudgetMs);
    });
    const early = await Promise.race([work, late]);
    clearTimeout(timer);

    if (early) {
      const [first, ...rest] = await kit.render(early.reply, early.invocation, workspaceId, { maxMessages: MAX_RESPONSE_MESSAGES + 1 });
      await ack(first ? kit.response(first, early.reply) : undefined);
      if (rest.length) await kit.respondAll(respond, rest, early.reply);
      return;
    }

    await ack({ response_type: 'ephemeral', text: `Working on ${typed}…` });
    const outcome = await work;
    const messages = await kit.render(outcome.reply, outcome.invocation, workspaceId, { maxMessages: MAX_RESPONSE_MESSAGES });
    await kit.respondAll(respond, messages, outcome.reply);
  });
}
