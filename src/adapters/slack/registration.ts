import type { App, MessageShortcut, webApi } from '@slack/bolt';
import type { Attachment } from '../../core/command.ts';
import { findCommand, type RawOptions, runCommand } from '../../core/dispatch.ts';
import { errorReply, type Reply } from '../../core/reply.ts';
import { slot } from '../../core/syntax.ts';
import type { SlackExtension } from './extensions.ts';
import type { SlackKit, SlackWho } from './kit.ts';

/**
 * Registering briefings from Slack beyond `/register <url>`: a file shared with the bot in a
 * direct message, and the "Register as briefing" message shortcut on a message that carries a
 * file (or, failing that, a link). Both run the `register` command with the file as an
 * attachment, downloaded with the bot token through `ctx.download`, and answer with its
 * preview and Publish / Cancel buttons (handled by the ordinary run-button handler).
 */

export const REGISTER_SHORTCUT = 'register_briefing';

/** At most this many files of one message are registered (each gets its own preview). */
const MAX_FILES = 3;

/** The file fields of a Slack message or files.info answer that registration reads. */
export interface SlackFile {
  id?: string;
  name?: string;
  title?: string;
  mimetype?: string;
  size?: number;
  url_private?: string;
  url_private_download?: string;
}

/** A Slack file as the command's attachment option; undefined when it has no download URL. */
export function attachmentOf(file: SlackFile): Attachment | undefined {
  const url = file.url_private_download ?? file.url_private;
  if (!url) return undefined;
  const name = file.name ?? file.title ?? file.id ?? 'shared file';
  return { name, url, ...(file.mimetype ? { contentType: file.mimetype } : {}), ...(file.size !== undefined ? { size: file.size } : {}) };
}

/** The first web link of a message's text (`<https://…|label>` in Slack markup). */
export function firstLink(text: string | undefined): string | undefined {
  return /<(https?:\/\/[^|>\s]+)(?:\|[^>]*)?>/.exec(text ?? '')?.[1];
}

async function resolveFile(client: webApi.WebClient, file: SlackFile): Promise<Attachment | undefined> {
  const direct = attachmentOf(file);
  if (direct || !file.id) return direct;
  const info = await client.files.info({ file: file.id });
  return info.file ? attachmentOf(info.file as SlackFile) : undefined;
}

async function register(kit: SlackKit, who: SlackWho, raw: RawOptions): Promise<Reply> {
  const command = findCommand(kit.commands, 'register', kit.syntax);
  if (!('run' in command)) return command;
  return runCommand(command, raw, await kit.contextFor(who, 'register'), kit.logger);
}

export const slackRegistration: SlackExtension = {
  name: 'registration',
  scopes: ['files:read', 'im:history', 'chat:write'],
  botEvents: ['message.im'],
  shortcuts: [
    {
      name: 'Register as briefing',
      type: 'message',
      callback_id: REGISTER_SHORTCUT,
      description: 'Register the file on this message as a briefing (moderators)',
    },
  ],

  register(app: App, kit: SlackKit): void {
    app.event('message', async ({ event, client, context }) => {
      const message = event as {
        channel_type?: string;
        subtype?: string;
        user?: string;
        bot_id?: string;
        channel: string;
        ts: string;
        files?: SlackFile[];
      };
      if (message.channel_type !== 'im' || message.subtype !== 'file_share' || message.bot_id || !message.user || !message.files?.length)
        return;
      const who: SlackWho = {
        userId: message.user,
        channelId: message.channel,
        teamId: context.teamId,
        enterpriseId: context.enterpriseId,
        isEnterpriseInstall: context.isEnterpriseInstall,
        client,
      };
      for (const file of message.files.slice(0, MAX_FILES)) {
        let reply: Reply;
        try {
          const attachment = await resolveFile(client, file);
          reply = attachment
            ? await register(kit, who, { file: attachment })
            : errorReply(
                'register',
                'no-file',
                `“${file.name ?? 'This file'}” cannot be downloaded (it may be external or too large for Slack to keep); upload it again.`,
              );
        } catch (error) {
          kit.logError(error, 'reading a file shared with the bot failed', { channel: message.channel });
          reply = errorReply('register', 'no-file', 'Slack did not let me read that file; upload it again in a moment.');
        }
        try {
          await kit.post(client, message.channel, await kit.render(reply, undefined, kit.workspaceOf(who)), message.ts);
        } catch (error) {
          kit.logError(error, 'answering a file shared with the bot failed', { channel: message.channel });
        }
      }
    });

    app.shortcut<MessageShortcut>(REGISTER_SHORTCUT, async ({ ack, shortcut, respond, client, context }) => {
      await ack();
      const who: SlackWho = {
        userId: shortcut.user.id,
        ...(shortcut.user.name ? { userName: shortcut.user.name } : {}),
        channelId: shortcut.channel.id,
        ...(shortcut.channel.name ? { channelName: shortcut.channel.name } : {}),
        teamId: context.teamId ?? shortcut.team?.id,
        enterpriseId: context.enterpriseId,
        isEnterpriseInstall: context.isEnterpriseInstall,
        client,
      };
      const files = ((shortcut.message as { files?: SlackFile[] }).files ?? []).slice(0, MAX_FILES);
      const link = firstLink(shortcut.message.text);
      const replies: Reply[] = [];
      try {
        for (const file of files) {
          const attachment = await resolveFile(client, file);
          replies.push(
            attachment
              ? await register(kit, who, { file: attachment })
              : errorReply('register', 'no-file', `“${file.name ?? 'This file'}” cannot be downloaded; upload it again.`),
          );
        }
        if (files.length === 0 && link) replies.push(await register(kit, who, { url: link }));
      } catch (error) {
        kit.logError(error, 'the Register as briefing shortcut failed', { channel: shortcut.channel.id });
        replies.push(errorReply('register', 'no-file', 'Slack did not let me read the file on that message; try again in a moment.'));
      }
      if (replies.length === 0) {
        replies.push(
          errorReply(
            'register',
            'missing-source',
            `That message carries no file or link to register: share a .txt, .md or .html file, or use ${kit.syntax.mention('register', { url: slot('url') })}.`,
          ),
        );
      }
      for (const reply of replies) {
        await kit.respondAll(respond, await kit.render(reply, undefined, kit.workspaceOf(who)), reply, { replace_original: false });
      }
    });
  },
};
