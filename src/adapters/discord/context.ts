import { ApplicationCommandOptionType, type BaseInteraction, type CommandInteractionOption, PermissionFlagsBits } from 'discord.js';
import type { Attachment, CommandContext, Services } from '../../core/command.ts';
import type { RawOptions } from '../../core/dispatch.ts';
import { BotError } from '../../core/errors.ts';
import type { Library } from '../../core/library.ts';
import type { CommandSyntax } from '../../core/syntax.ts';

/**
 * Turns a Discord interaction into the core's terms: who is asking (and whether they are a
 * moderator, re-checked here whatever Discord's command permissions say), where, and the
 * option values as raw options for the command's schema.
 */

export interface ContextDeps {
  library: Library;
  services: Services;
  /** How Discord members type commands (named options), for replies that name one. */
  syntax: CommandSyntax;
  now: () => Date;
  moderatorRoleId?: string;
  download: (attachment: Attachment) => Promise<Uint8Array>;
}

/**
 * Moderator: a guild member with Manage Server (Administrator implies it), or holding
 * DISCORD_MODERATOR_ROLE_ID. Never in direct messages.
 */
export function isModerator(interaction: BaseInteraction, moderatorRoleId?: string): boolean {
  if (!interaction.inGuild()) return false;
  if (interaction.memberPermissions?.has(PermissionFlagsBits.ManageGuild)) return true;
  if (!moderatorRoleId) return false;
  const roles = interaction.member?.roles;
  if (Array.isArray(roles)) return roles.includes(moderatorRoleId);
  return Boolean(roles && 'cache' in roles && roles.cache.has(moderatorRoleId));
}

export function contextFor(interaction: BaseInteraction, deps: ContextDeps): CommandContext {
  const channel = interaction.channel;
  const channelName = channel && 'name' in channel && typeof channel.name === 'string' ? channel.name : undefined;
  return {
    library: deps.library,
    user: {
      id: interaction.user.id,
      name: interaction.user.globalName ?? interaction.user.username,
      isModerator: isModerator(interaction, deps.moderatorRoleId),
    },
    platform: 'discord',
    ...(interaction.channelId
      ? {
          channel: {
            platform: 'discord' as const,
            id: interaction.channelId,
            ...(channelName ? { name: channelName } : {}),
            ...(interaction.guildId ? { workspaceId: interaction.guildId } : {}),
          },
        }
      : {}),
    now: deps.now,
    services: deps.services,
    download: deps.download,
    syntax: deps.syntax,
  };
}

/** The raw options of a chat-input or autocomplete interaction (`subcommand` included). */
export function rawOptions(data: readonly CommandInteractionOption[]): RawOptions {
  const raw: RawOptions = {};
  for (const option of data) {
    if (option.type === ApplicationCommandOptionType.Subcommand || option.type === ApplicationCommandOptionType.SubcommandGroup) {
      raw.subcommand = option.name;
      Object.assign(raw, rawOptions(option.options ?? []));
    } else if (option.type === ApplicationCommandOptionType.Attachment && option.attachment) {
      const a = option.attachment;
      const attachment: Attachment = { name: a.name, url: a.url, size: a.size };
      if (a.contentType) attachment.contentType = a.contentType;
      raw[option.name] = attachment;
    } else if (option.value !== undefined) {
      raw[option.name] = option.value;
    }
  }
  return raw;
}

/** Only plain values can be carried by a button; an attachment makes an invocation unshareable. */
export function shareableOptions(raw: RawOptions): Record<string, string | number | boolean> | undefined {
  const out: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') out[key] = value;
    else return undefined;
  }
  return out;
}

/**
 * Downloads an attachment's bytes (Discord attachment URLs need no credentials), refusing
 * anything larger than `maxBytes` while it streams. Failures say why in a few words (`Discord's
 * file server answered HTTP 404`): the command puts them into its own sentence about the file.
 */
export function attachmentDownloader(options: { maxBytes: number; timeoutMs: number }) {
  return async (attachment: Attachment): Promise<Uint8Array> => {
    if (attachment.size !== undefined && attachment.size > options.maxBytes) {
      throw new BotError(
        'attachment-too-large',
        `${attachment.name} is ${attachment.size.toLocaleString('en-US')} bytes; the limit is ${options.maxBytes.toLocaleString('en-US')}.`,
      );
    }
    const failed = (cause: unknown) =>
      new BotError(
        'download-failed',
        (cause as Error).name === 'TimeoutError'
          ? `Discord's file server did not send it within ${options.timeoutMs / 1000} s`
          : `Discord's file server could not be reached${errorCode(cause)}`,
        { cause },
      );
    let response: Response;
    try {
      response = await fetch(attachment.url, { signal: AbortSignal.timeout(options.timeoutMs) });
    } catch (cause) {
      throw failed(cause);
    }
    if (!response.ok || !response.body) {
      await response.body?.cancel().catch(() => {});
      throw new BotError('download-failed', `Discord's file server answered HTTP ${response.status}`);
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      for await (const chunk of response.body) {
        total += chunk.byteLength;
        if (total > options.maxBytes) {
          throw new BotError(
            'attachment-too-large',
            `${attachment.name} is larger than ${options.maxBytes.toLocaleString('en-US')} bytes.`,
          );
        }
        chunks.push(chunk);
      }
    } catch (cause) {
      throw cause instanceof BotError ? cause : failed(cause);
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const c of chunks) {
      bytes.set(c, offset);
      offset += c.byteLength;
    }
    return bytes;
  };
}

/** ` (ECONNREFUSED)`: the system's error code behind fetch's bare `fetch failed`, if any. */
function errorCode(error: unknown): string {
  const cause = (error as { cause?: { code?: unknown } }).cause;
  const code = cause?.code ?? (error as { code?: unknown }).code;
  return typeof code === 'string' && /^[A-Z_]{3,40}$/.test(code) ? ` (${code})` : '';
}
