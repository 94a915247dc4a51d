import type { App, BlockAction, ButtonAction, RespondFn } from '@slack/bolt';
import { ACTION_RUN_PREFIX, ACTION_SHARE } from '../block-types.ts';
import { MAX_RESPONSE_MESSAGES, type SlackKit } from '../kit.ts';

/**
 * Buttons. "Share in channel" re-runs the carried invocation with the sharer's rights and posts
 * the answer publicly with who shared it; the other buttons ("More results", cited sources) run
 * their invocation and answer privately. Both acknowledge first: the work happens after.
 */

function who(body: BlockAction) {
  return {
    userId: body.user.id,
    ...(body.user.name ? { userName: body.user.name } : {}),
    ...(body.channel?.id ? { channelId: body.channel.id } : {}),
    ...(body.channel?.name ? { channelName: body.channel.name } : {}),
    ...(body.team?.id ? { teamId: body.team.id } : {}),
  };
}

async function tell(kit: SlackKit, respond: RespondFn, message: { text: string; blocks: unknown[] }): Promise<void> {
  try {
    await respond({ response_type: 'ephemeral', replace_original: false, text: message.text, blocks: message.blocks as never });
  } catch (error) {
    kit.logError(error, 'Slack response_url refused a notice');
  }
}

export function registerActionHandlers(app: App, kit: SlackKit): void {
  app.action<BlockAction<ButtonAction>>(ACTION_SHARE, async ({ ack, body, action, respond, client }) => {
    await ack();
    const channel = body.channel?.id;
    // A double click arrives as two deliveries with different trigger ids: share once.
    const messageTs = (body.container as { message_ts?: string } | undefined)?.message_ts;
    if (messageTs && kit.deliveries.seen(`share:${body.user.id}:${channel}:${messageTs}:${action.value}`)) return;
    const { reply, invocation } = await kit.queue.run(async () =>
      kit.runInvocation(kit.codec.decode(action.value), await kit.contextFor(who(body))),
    );
    if (!reply.ok || !channel) {
      const messages = reply.ok ? [kit.apiFailure('share', { data: { error: 'channel_not_found' } })] : kit.render(reply);
      for (const m of messages) await tell(kit, respond, m);
      return;
    }
    const messages = kit.render({ ...reply, visibility: 'public' }, invocation, { sharedBy: body.user.id });
    try {
      await kit.post(client, channel, messages);
    } catch (error) {
      kit.logError(error, 'sharing an answer in Slack failed', { channel, command: reply.command });
      await tell(kit, respond, kit.apiFailure('share this answer', error));
      return;
    }
    try {
      await respond({ delete_original: true });
    } catch (error) {
      kit.logError(error, 'Slack did not remove the private answer after sharing');
    }
  });

  app.action<BlockAction<ButtonAction>>(new RegExp(`^${ACTION_RUN_PREFIX}\\d+$`), async ({ ack, body, action, respond }) => {
    await ack();
    const { reply, invocation } = await kit.queue.run(async () =>
      kit.runInvocation(kit.codec.decode(action.value), await kit.contextFor(who(body))),
    );
    const messages = kit.render(reply, invocation, { maxMessages: MAX_RESPONSE_MESSAGES });
    await kit.respondAll(respond, messages, reply, { replace_original: false });
  });
}
