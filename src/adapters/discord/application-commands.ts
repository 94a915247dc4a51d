import { type AnyCommand, type CommandOption, MAX_OPTION_LENGTH, maxLengthOf, type Permission } from '../../core/command.ts';

/**
 * Discord application command declarations generated from the command definitions, never
 * written by hand, and a normal form to compare them with what Discord already has.
 */

/** Option types Discord uses (a subset of `ApplicationCommandOptionType`). */
export const OPTION_TYPE = { subcommand: 1, string: 3, integer: 4, attachment: 11 } as const;

/** Manage Server: what moderator commands require by default (guild admins may override it). */
export const MANAGE_GUILD = 1n << 5n;

export interface ApplicationCommandOption {
  type: number;
  name: string;
  description: string;
  required?: boolean;
  min_value?: number;
  max_value?: number;
  max_length?: number;
  choices?: { name: string; value: string | number }[];
  autocomplete?: boolean;
  options?: ApplicationCommandOption[];
}

/** The JSON body of one chat-input command for `PUT /applications/{id}/commands`. */
export interface ApplicationCommand {
  type: 1;
  name: string;
  description: string;
  options: ApplicationCommandOption[];
  default_member_permissions: string | null;
  /** 0 guild, 1 bot DM; moderator commands are guild-only. */
  contexts: number[];
  integration_types: number[];
}

function description(text: string): string {
  const clean = text.replace(/\s+/g, ' ').trim() || 'No description';
  return clean.length <= 100 ? clean : `${clean.slice(0, 99)}…`;
}

function toOption(option: CommandOption): ApplicationCommandOption {
  const out: ApplicationCommandOption = {
    type: OPTION_TYPE[option.type],
    name: option.name,
    description: description(option.description),
  };
  if (option.required) out.required = true;
  if (option.type === 'integer') {
    if (option.min !== undefined) out.min_value = option.min;
    if (option.max !== undefined) out.max_value = option.max;
  }
  if (option.type === 'string') {
    // The limit the dispatcher enforces on every platform, registered as it is (never clamped).
    const limit = maxLengthOf(option);
    if (limit > MAX_OPTION_LENGTH) throw new Error(`option "${option.name}": maxLength ${limit} is above Discord's ${MAX_OPTION_LENGTH}`);
    out.max_length = limit;
  }
  if (option.choices?.length) out.choices = option.choices.slice(0, 25).map((c) => ({ name: c.name.slice(0, 100), value: c.value }));
  else if (option.autocomplete && option.type !== 'attachment') out.autocomplete = true;
  return out;
}

/** Discord requires required options before optional ones; the order is otherwise kept. */
function toOptions(options: readonly CommandOption[]): ApplicationCommandOption[] {
  const converted = options.map(toOption);
  return [...converted.filter((o) => o.required), ...converted.filter((o) => !o.required)].slice(0, 25);
}

/** Whether everything the command does needs moderator rights (then Discord hides it from others). */
export function moderatorOnly(command: AnyCommand): boolean {
  const subs = command.subcommands ?? [];
  if (subs.length) return subs.every((s) => s.permission === 'moderator');
  return command.permission === 'moderator';
}

function memberPermissions(permission: Permission): string | null {
  return permission === 'moderator' ? MANAGE_GUILD.toString() : null;
}

/** The application command for one definition. Subcommands replace top-level options. */
export function toApplicationCommand(command: AnyCommand): ApplicationCommand {
  const moderator = moderatorOnly(command);
  const options = command.subcommands?.length
    ? command.subcommands.map((s) => ({
        type: OPTION_TYPE.subcommand,
        name: s.name,
        description: description(s.description),
        options: toOptions(s.options),
      }))
    : toOptions(command.options);
  return {
    type: 1,
    name: command.name,
    description: description(command.description),
    options,
    default_member_permissions: memberPermissions(moderator ? 'moderator' : 'everyone'),
    contexts: moderator ? [0] : [0, 1],
    integration_types: [0],
  };
}

/** All declarations, in definition order. */
export function toApplicationCommands(commands: readonly AnyCommand[]): ApplicationCommand[] {
  return commands.map(toApplicationCommand);
}

type Loose = Record<string, unknown>;

function normalizeOption(o: Loose): Loose {
  const out: Loose = {
    type: o.type,
    name: o.name,
    description: o.description,
    required: o.required ?? false,
    autocomplete: o.autocomplete ?? false,
  };
  for (const key of ['min_value', 'max_value', 'max_length', 'min_length']) if (o[key] !== undefined && o[key] !== null) out[key] = o[key];
  if (Array.isArray(o.choices) && o.choices.length) out.choices = (o.choices as Loose[]).map((c) => ({ name: c.name, value: c.value }));
  if (Array.isArray(o.options) && o.options.length) out.options = (o.options as Loose[]).map(normalizeOption);
  return out;
}

/**
 * The fields we declare, with Discord's defaults filled in, so a command fetched from Discord
 * and the same command generated here compare equal.
 */
export function normalizeCommand(c: Loose): Loose {
  return {
    type: c.type ?? 1,
    name: c.name,
    description: c.description,
    options: Array.isArray(c.options) ? (c.options as Loose[]).map(normalizeOption) : [],
    default_member_permissions: c.default_member_permissions ?? null,
    contexts: c.contexts ?? null,
    integration_types: c.integration_types ?? [0],
    nsfw: c.nsfw ?? false,
  };
}
