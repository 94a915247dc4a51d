import type { RespondArguments, RespondFn, webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import type { AnyCommand, Attachment, CommandContext, Services } from '../../core/command.ts';
import { findCommand, parseText, type RawOptions, runCommand } from '../../core/dispatch.ts';
import { BotError } from '../../core/errors.ts';
import type { Library } from '../../core/library.ts';
import { errorReply, type Invocation, type Reply } from '../../core/reply.ts';
import { type CommandSyntax, textSyntax } from '../../core/syntax.ts';
import type { SlackMessage } from './block-types.ts';
import { renderError, renderReply } from './blocks.ts';
import type { DeliveryLog } from './dedupe.ts';
import { slackInputText } from './escape.ts';
import type { InvocationCodec } from './invocation.ts';
import { safeError } from './log.ts';
import type { ModeratorPolicy } from './moderators.ts';
import { postArgs } from './sender.ts';
import type { ShareLedger } from './share-once.ts';
import type { WorkQueue } from './work-queue.ts';
import type { SlackOrigin } from './workspace.ts';

/**
 * What every Slack handler shares: turning a Slack user and channel into a CommandContext,
 * running commands, rendering replies, posting them, and explaining Web API failures to the
 * user. Extensions (src/adapters/slack/extensions.ts) receive it too.
 */

/** The umbrella command that reaches every other: `/briefing source 6`. */
export const UMBRELLA = 'briefing';

/** A response_url accepts five messages; answers longer than that are cut (and say so). */
export const MAX_RESPONSE_MESSAGES = 5;

/**
 * Commands whose moderator actions stay inside the user's workspace (its channels' digests). In
 * OAuth mode a workspace's admins moderate these; every other moderator command changes or
 * reveals what all workspaces share and needs a moderator the operator listed.
 */
export const WORKSPACE_COMMANDS: ReadonlySet<string> = new Set(['digest']);

export interface SlackWho extends SlackOrigin {
  userId: string;
  userName?: string;
  channelId?: string;
  channelName?: string;
  /** The Web API client with the workspace's bot token (Bolt's `client`). */
  client?: webApi.WebClient;
}

export interface SlackKitOptions {
  commands: readonly AnyCommand[];
  library: Library;
  services: Services;
  logger: Logger;
  scrub: (text: string) => string;
  codec: InvocationCodec;
  deliveries: DeliveryLog;
  /** Answers already shared in a channel. */
  shares: ShareLedger;
  moderators: ModeratorPolicy;
  /** The workspace id of a request's origin (see src/adapters/slack/workspace.ts). */
  workspaceOf: (origin: SlackOrigin) => string | undefined;
  prefix: string;
  now: () => Date;
  /** Where command work runs (see WorkQueue). */
  queue: WorkQueue;
  /** Slack requests received but not yet answered, besides the current one (0 in Socket Mode). */
  othersWaiting: () => number;
  /** Downloads a Slack file with the given bot token (the workspace's own in OAuth mode). */
  download?: (attachment: Attachment, token: string | undefined) => Promise<Uint8Array>;
}

export class SlackKit {
  readonly commands: readonly AnyCommand[];
  readonly library: Library;
  readonly services: Services;
  readonly logger: Logger;
  readonly scrub: (text: string) => string;
  readonly codec: InvocationCodec;
  readonly deliveries: DeliveryLog;
  readonly shares: ShareLedger;
  readonly moderators: ModeratorPolicy;
  readonly workspaceOf: (origin: SlackOrigin) => string | undefined;
  readonly prefix: string;
  readonly now: () => Date;
  readonly queue: WorkQueue;
  readonly othersWaiting: () => number;
  /** How commands are typed here: each command's own slash command (`/bb-source 6`). */
  readonly syntax: CommandSyntax;
  /** The same through the umbrella command (`/briefing source 6`), for answers to it. */
  readonly umbrellaSyntax: CommandSyntax;
  readonly #download: SlackKitOptions['download'];

  constructor(options: SlackKitOptions) {
    this.commands = options.commands;
    this.library = options.library;
    this.services = options.services;
    this.logger = options.logger;
    this.scrub = options.scrub;
    this.codec = options.codec;
    this.deliveries = options.deliveries;
    this.shares = options.shares;
    this.moderators = options.moderators;
    this.workspaceOf = options.workspaceOf;
    this.prefix = options.prefix;
    this.now = options.now;
    this.queue = options.queue;
    this.othersWaiting = options.othersWaiting;
    this.#download = options.download;
    this.syntax = textSyntax(this.commands, (command) => this.slashName(command));
    this.umbrellaSyntax = textSyntax(this.commands, (command) => `/${UMBRELLA} ${command}`);
  }

  /** The slash command name for a command: prefix + name (`/bb-source`). */
  slashName(command: string): string {
    return `/${this.prefix}${command}`;
  }

  /**
   * The command a slash command reaches, and the text left for its options:
   * `/bb-source 6` and `/briefing source 6` both give `{ name: 'source', text: '6' }`; the second
   * is `umbrella`, and answers to it name commands the same way (`/briefing scenario asean`).
   */
  resolveSlash(slash: string, sent: string): { name: string; text: string; umbrella: boolean } {
    const text = slackInputText(sent);
    const called = slash.replace(/^\//, '').toLowerCase();
    if (called === UMBRELLA) {
      const m = /^\s*\/?(\S*)\s*([\s\S]*)$/.exec(text) as RegExpExecArray;
      return { name: (m[1] || 'help').toLowerCase(), text: (m[2] ?? '').trim(), umbrella: true };
    }
    const name = this.prefix && called.startsWith(this.prefix) ? called.slice(this.prefix.length) : called;
    return { name, text: text.trim(), umbrella: false };
  }

  /**
   * The context a command runs in. Whether the user moderates is only looked up for a command
   * that has moderator parts (in OAuth mode that can take a users.info call).
   */
  async contextFor(who: SlackWho, command: string, options: { umbrella?: boolean } = {}): Promise<CommandContext> {
    const found = this.commands.find((c) => c.name === command);
    const guarded = found?.permission === 'moderator' || (found?.subcommands ?? []).some((s) => s.permission === 'moderator');
    const workspaceId = this.workspaceOf(who);
    const isModerator = guarded
      ? await this.moderators.isModerator({
          userId: who.userId,
          teamId: who.teamId,
          enterpriseId: who.enterpriseId,
          workspaceId,
          scope: WORKSPACE_COMMANDS.has(command) ? 'workspace' : 'library',
          client: who.client,
        })
      : false;
    const download = this.#download;
    const token = who.client?.token;
    return {
      library: this.library,
      user: { id: who.userId, ...(who.userName ? { name: who.userName } : {}), isModerator },
      platform: 'slack',
      ...(who.channelId
        ? {
            channel: {
              platform: 'slack' as const,
              id: who.channelId,
              ...(who.channelName ? { name: who.channelName } : {}),
              ...(workspaceId ? { workspaceId } : {}),
            },
          }
        : {}),
      now: this.now,
      services: this.services,
      ...(download ? { download: (attachment: Attachment) => download(attachment, token) } : {}),
      syntax: options.umbrella ? this.umbrellaSyntax : this.syntax,
    };
  }

  /** Runs a command line's worth of text for a named command; the invocation is what a Share button re-runs. */
  async runText(name: string, text: string, ctx: CommandContext): Promise<{ reply: Reply; invocation?: Invocation }> {
    const found = findCommand(this.commands, name, ctx.syntax);
    if (!('run' in found)) return { reply: found };
    const raw = parseText(found, text);
    const reply = await runCommand(found, raw, ctx, this.logger);
    return { reply, invocation: { command: found.name, options: invocationOptions(raw) } };
  }

  /** Runs an invocation carried by a button. */
  async runInvocation(invocation: Invocation | undefined, ctx: CommandContext): Promise<{ reply: Reply; invocation?: Invocation }> {
    if (!invocation) {
      return { reply: errorReply('button', 'expired', 'This button has expired or is not valid any more; run the command again.') };
    }
    const found = findCommand(this.commands, invocation.command, ctx.syntax);
    if (!('run' in found)) return { reply: found };
    const reply = await runCommand(found, invocation.options, ctx, this.logger);
    return { reply, invocation: { command: found.name, options: invocation.options } };
  }

  /**
   * Renders a reply; with an invocation, private answers get a working "Share in channel" button.
   * Resolves once every button's invocation is stored (long ones live in the key store).
   */
  async render(
    reply: Reply,
    invocation: Invocation | undefined,
    workspaceId: string | undefined,
    extra: { sharedBy?: string; maxMessages?: number } = {},
  ): Promise<SlackMessage[]> {
    const stored: Promise<void>[] = [];
    const encode = (inv: Invocation) => {
      const encoded = this.codec.encode(inv, workspaceId);
      if (encoded.stored) stored.push(encoded.stored);
      return encoded.value;
    };
    const messages = renderReply(reply, {
      ...(invocation ? { shareValue: encode(invocation) } : {}),
      encodeRun: encode,
      ...extra,
    });
    if (stored.length) await Promise.all(stored);
    return messages;
  }

  /** A rendered message as a slash-command acknowledgement or response_url body. */
  response(message: SlackMessage, reply: Reply, extra: Partial<RespondArguments> = {}): RespondArguments {
    const inChannel = reply.ok && reply.visibility === 'public';
    return {
      response_type: inChannel ? 'in_channel' : 'ephemeral',
      text: message.text,
      blocks: message.blocks,
      ...extra,
    } as RespondArguments;
  }

  /** Sends messages through response_url, logging (not throwing) when Slack refuses. */
  async respondAll(
    respond: RespondFn,
    messages: readonly SlackMessage[],
    reply: Reply,
    extra: Partial<RespondArguments> = {},
  ): Promise<boolean> {
    try {
      for (const message of messages) await respond(this.response(message, reply, extra));
      return true;
    } catch (error) {
      this.logger.error({ err: safeError(error, this.scrub) }, 'Slack response_url refused the answer');
      return false;
    }
  }

  /** Posts messages with chat.postMessage (a 429 is waited out by the client and retried). */
  async post(client: webApi.WebClient, channel: string, messages: readonly SlackMessage[], threadTs?: string): Promise<string[]> {
    const ids: string[] = [];
    for (const message of messages) {
      const result = await client.chat.postMessage(postArgs(channel, message, threadTs));
      ids.push(result.ts ?? '');
    }
    return ids;
  }

  /** The private answer when the queue is full; `command` as the user typed it (`/bb-ask`, `/briefing ask`). */
  busy(command: string): SlackMessage {
    const seconds = Math.ceil(this.queue.expectedWaitMs / 1000);
    return renderError(`The bot is busy right now (about ${seconds} s of answers queued); run ${command} again in a minute.`, true);
  }

  /** A private message telling the user what went wrong with a Web API call. */
  apiFailure(action: string, error: unknown): SlackMessage {
    const data = (error as { data?: { error?: string } })?.data;
    const code = typeof data?.error === 'string' && /^[a-z0-9_]{1,60}$/.test(data.error) ? data.error : undefined;
    const hints: Record<string, string> = {
      not_in_channel: 'I am not in this channel: add me with /invite, then try again.',
      channel_not_found: 'I cannot see this channel (a private channel or a conversation I am not in): invite me first.',
      is_archived: 'This channel is archived.',
      missing_scope: 'The app lacks a permission it needs; ask a workspace admin to reinstall it.',
      ratelimited: 'Slack is limiting how fast I can post; try again in a minute.',
      restricted_action: 'This workspace does not let me post here.',
    };
    const hint = (code && hints[code]) ?? 'Slack did not accept the request; try again in a moment.';
    return renderError(`Could not ${action}: ${hint}${code ? ` (Slack said: \`${code}\`)` : ''}`, true);
  }

  logError(error: unknown, msg: string, extra: Record<string, unknown> = {}): void {
    this.logger.error({ ...extra, err: safeError(error, this.scrub) }, msg);
  }
}

function invocationOptions(raw: RawOptions): Invocation['options'] {
  const out: Invocation['options'] = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
  }
  return out;
}

/** Error for a handler that received a payload it cannot use. */
export function malformed(what: string): BotError {
  return new BotError('slack-malformed', `Slack sent a ${what} without the fields it needs`);
}
