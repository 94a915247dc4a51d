import type { App, BlockAction, ButtonAction, Context, RespondFn, webApi } from '@slack/bolt';
import { ACTION_RUN_PREFIX, ACTION_SHARE } from '../block-types.ts';
import { MAX_RESPONSE_MESSAGES, type SlackKit, type SlackWho } from '../kit.ts';
import { alreadySharedNotice } from '../share-once.ts';

/**
 * Buttons. "Share in channel" re-runs the carried invocation with the sharer's rights and posts
 * the answer publicly with who shared it, once per answer (see share-once.ts); the other buttons
 * ("More results", cited sources) run their invocation and answer privately. Both acknowledge
 * first: the work happens after.
 */

function who(body: BlockAction, context: Context, client: webApi.WebClient): SlackWho {
  return {
    userId: body.user.id,
    ...(body.user.name ? { userName: body.user.name } : {}),
    ...(body.channel?.id ? { channelId: body.channel.id } : {}),
    ...(body.channel?.name ? { channelName: body.channel.name } : {}),
    teamId: context.teamId ?? body.team?.id,
    enterpriseId: context.enterpriseId,
    isEnterpriseInstall: context.isEnterpriseInstall,
    client,
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
  app.action<BlockAction<ButtonAction>>(ACTION_SHARE, async ({ ack, body, action, respond, client, context }) => {
    await ack();
    const sharer = who(body, context, client);
    const workspaceId = kit.workspaceOf(sharer);
    const channel = body.channel?.id;
    // A double click, a second replica or a click after a restart all find the first share.
    const messageTs = (body.container as { message_ts?: string } | undefined)?.message_ts;
    const claim =
      messageTs && channel && action.value
        ? await kit.shares.claim(workspaceId, { channel, messageTs, value: action.value }, body.user.id)
        : undefined;
    if (claim?.claimed === false) {
      await tell(kit, respond, alreadySharedNotice(claim.previous));
      return;
    }
    const release = async () => {
      if (claim?.claimed === true) await kit.shares.release(claim.key);
    };
    const invocation = await kit.codec.decode(action.value, workspaceId);
    const outcome = await kit.queue.run(async () => kit.runInvocation(invocation, await kit.contextFor(sharer, invocation?.command ?? '')));
    const { reply } = outcome;
    if (!reply.ok || !channel) {
      await release();
      const messages = reply.ok
        ? [kit.apiFailure('share', { data: { error: 'channel_not_found' } })]
        : await kit.render(reply, undefined, workspaceId);
      for (const m of messages) await tell(kit, respond, m);
      return;
    }
    const messages = await kit.render({ ...reply, visibility: 'public' }, outcome.invocation, workspaceId, { sharedBy: body.user.id });
    try {
      await kit.post(client, channel, messages);
    } catch (error) {
      await release();
      kit.logError(error, 'sharing an answer in Slack failed', { channel, command: reply.command });
      await tell(kit, respond, kit.apiFailure('share this answer', error));
      return;
    }
    if (claim?.claimed === true) await kit.shares.shared(claim.key, { by: body.user.id, at: kit.now().toISOString(), channel });
    try {
      await respond({ delete_original: true });
    } catch (error) {
      kit.logError(error, 'Slack did not remove the private answer after sharing');
    }
  });

  app.action<BlockAction<ButtonAction>>(
    new RegExp(`^${ACTION_RUN_PREFIX}\\d+$`),
    async ({ ack, body, action, respond, client, context }) => {
      await ack();
      const clicker = who(body, context, client);
      const workspaceId = kit.workspaceOf(clicker);
      const invocation = await kit.codec.decode(action.value, workspaceId);
      const { reply, invocation: ran } = await kit.queue.run(async () =>
        kit.runInvocation(invocation, await kit.contextFor(clicker, invocation?.command ?? '')),
      );
      const messages = await kit.render(reply, ran, workspaceId, { maxMessages: MAX_RESPONSE_MESSAGES });
      await kit.respondAll(respond, messages, reply, { replace_original: false });
    },
  );
}
