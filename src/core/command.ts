import type { z } from 'zod';
import type { Article } from './article.ts';
import type { Library } from './library.ts';
import type { Observer } from './observer.ts';
import type { Reply } from './reply.ts';
import type { CommandSyntax, MentionOptions } from './syntax.ts';

/**
 * A platform-neutral slash command: declared once, parsed into the same zod schema by every
 * adapter, and turned into Discord application commands and Slack manifest entries.
 */

export type OptionType = 'string' | 'integer' | 'attachment';

export interface Choice {
  name: string;
  value: string | number;
}

export interface CommandOption {
  name: string;
  type: OptionType;
  description: string;
  required?: boolean;
  /** In text form (terminal, Slack) this option takes the rest of the line. */
  rest?: boolean;
  /** In text form this option is written `--name value` rather than by position (`--article id`). */
  flag?: boolean;
  /** What usage lines call its value (`<id>`); default the option's name. */
  placeholder?: string;
  /** The command that lists valid values, named when a value is refused (`articles` for ids). */
  listedBy?: string;
  min?: number;
  max?: number;
  /**
   * Longest value accepted, on every platform: the dispatcher refuses longer values
   * (`input-too-long`) and Discord registers it as the option's `max_length`. Default
   * DEFAULT_MAX_LENGTH; at most MAX_OPTION_LENGTH (Discord's ceiling).
   */
  maxLength?: number;
  /** Fixed choices (Discord shows them as a menu). */
  choices?: Choice[];
  /** Dynamic choices for autocomplete, already filtered by what the user typed; at most 25. */
  autocomplete?: (ctx: CommandContext, partial: string, options: Record<string, unknown>) => Choice[];
}

/** Longest value of an option that declares no `maxLength` (ids, names, numbers). */
export const DEFAULT_MAX_LENGTH = 200;
/** No option may declare more: Discord refuses a string option's `max_length` above 6,000. */
export const MAX_OPTION_LENGTH = 6000;

/** The one limit an option's value has on every platform (see `CommandOption.maxLength`). */
export function maxLengthOf(option: Pick<CommandOption, 'maxLength'>): number {
  return option.maxLength ?? DEFAULT_MAX_LENGTH;
}

export type Permission = 'everyone' | 'moderator';

export interface Subcommand {
  name: string;
  description: string;
  options: CommandOption[];
  permission: Permission;
}

export type Platform = 'console' | 'cli' | 'slack' | 'discord';

export interface CommandUser {
  id: string;
  name?: string;
  isModerator: boolean;
}

/** Where a command was issued: digests subscribe this. */
export interface CommandChannel {
  platform: Platform;
  id: string;
  name?: string;
  /** Discord guild or Slack team. */
  workspaceId?: string;
}

/** An uploaded or linked file handed to a command (registration). */
export interface Attachment {
  name: string;
  url: string;
  contentType?: string;
  size?: number;
}

/**
 * Optional services later features plug in. Each is an interface here in the core; the
 * implementations live in src/store, src/scheduler, etc. and are wired by src/main.ts.
 */
export interface Services {
  [name: string]: unknown;
  /** Where finished commands are reported (metrics); see src/core/observer.ts. */
  observer?: Observer;
}

export interface CommandContext {
  library: Library;
  user: CommandUser;
  platform: Platform;
  channel?: CommandChannel;
  now: () => Date;
  services: Services;
  /** Fetches an attachment's bytes with the platform's credentials (Slack files need the bot token). */
  download?: (attachment: Attachment) => Promise<Uint8Array>;
  /**
   * How people type commands where this one came from, for replies that name a command (see
   * syntax.ts); without it, the terminal's syntax without the command list.
   */
  syntax?: CommandSyntax;
}

/** An example invocation, written in each platform's own syntax by /help. */
export interface CommandExample {
  subcommand?: string;
  options?: MentionOptions;
}

export interface CommandDefinition<S extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  /** Usage after the name in text form (terminal, Slack), e.g. `<n> [--article id]`; Discord's is worked out from the options. */
  usage: string;
  examples: CommandExample[];
  options: CommandOption[];
  subcommands?: Subcommand[];
  /** Validates the raw options (from text or from a platform's structured options). */
  schema: S;
  permission: Permission;
  run(input: z.output<S>, ctx: CommandContext): Reply | Promise<Reply>;
}

/** Identity helper that keeps the schema's type flowing into `run`. */
export function defineCommand<S extends z.ZodType>(definition: CommandDefinition<S>): CommandDefinition<S> {
  return definition;
}

export type AnyCommand = CommandDefinition<z.ZodType>;

/** Used by commands that take an optional article. */
export type ArticleRef = string | undefined;
export type { Article };
