import type { z } from 'zod';
import { type AnyCommand, type CommandContext, type CommandOption, maxLengthOf, type Permission } from './command.ts';
import { BotError } from './errors.ts';
import { errorReply, type Reply } from './reply.ts';
import { type CommandSyntax, declaredOptions, syntaxOf, textSyntax } from './syntax.ts';

/** Raw option values as a platform delivers them, before the command's zod schema. */
export type RawOptions = Record<string, unknown>;

/** Splits `/name rest of line` into the command name (lowercase, no slash) and the rest. */
export function splitCommandLine(line: string): { name: string; text: string } {
  const trimmed = line.trim().replace(/^\//, '');
  const match = /^(\S*)\s*([\s\S]*)$/.exec(trimmed);
  return { name: (match?.[1] ?? '').toLowerCase(), text: (match?.[2] ?? '').trim() };
}

/**
 * Reads the text after a command name into raw options: `--name value` or `--name=value`
 * anywhere, then positional words in declaration order; an option marked `rest` takes the
 * remainder of the line. A command with subcommands reads the first word as `subcommand`.
 *
 * @example parseText(source, '6 --article china') // { n: '6', article: 'china' }
 */
export function parseText(command: AnyCommand, text: string): RawOptions {
  const raw: RawOptions = {};
  let options: CommandOption[] = command.options;
  let rest = extractFlags(text, raw);
  if (command.subcommands?.length) {
    const m = /^(\S+)\s*([\s\S]*)$/.exec(rest);
    if (m) {
      raw.subcommand = (m[1] as string).toLowerCase();
      rest = m[2] ?? '';
      options = command.subcommands.find((s) => s.name === raw.subcommand)?.options ?? [];
    }
  }
  for (const option of options) {
    if (option.type === 'attachment' || raw[option.name] !== undefined) continue;
    rest = rest.trim();
    if (!rest) break;
    if (option.rest) {
      raw[option.name] = rest;
      rest = '';
      break;
    }
    const m = /^("([^"]*)"|(\S+))\s*([\s\S]*)$/.exec(rest);
    if (!m) break;
    raw[option.name] = m[2] ?? m[3];
    rest = m[4] ?? '';
  }
  if (rest.trim()) raw._extra = rest.trim();
  return raw;
}

/** `--name value`, `--name=value` or a bare `--name`, after the start or a space; values may be "quoted". */
const FLAG = /(^|\s)--([a-z][a-z0-9-]*)(?:=("[^"]*"|\S+)|\s+("[^"]*"|(?!--)\S+))?/gi;

function extractFlags(text: string, raw: RawOptions): string {
  return text.replace(FLAG, (_all, lead: string, name: string, v1?: string, v2?: string) => {
    raw[name.toLowerCase()] = flagValue(v1 ?? v2);
    return lead;
  });
}

const flagValue = (value: string | undefined): string | true => (value === undefined ? true : value.replace(/^"|"$/g, ''));

/**
 * Options typed as text flags inside an option that takes the rest of a line, read as those
 * options: on Discord `question:free trade --article central` searches "free trade" in the
 * briefing `central`, as the same words do in the terminal and on Slack. Only options the command
 * declares and the person did not also fill in are taken; anything else stays in the text.
 *
 * @example liftFlags(ask, { question: 'free trade --article central' }) // { question: 'free trade', article: 'central' }
 */
export function liftFlags(command: AnyCommand, raw: RawOptions): RawOptions {
  const options = declaredOptions(command, typeof raw.subcommand === 'string' ? raw.subcommand : undefined);
  const out: RawOptions = { ...raw };
  for (const host of options) {
    const text = out[host.name];
    if (!host.rest || typeof text !== 'string' || !text.includes('--')) continue;
    const left = text.replace(FLAG, (all, lead: string, name: string, v1?: string, v2?: string) => {
      const key = name.toLowerCase();
      const target = options.find((o) => o.name === key && o !== host && o.type !== 'attachment');
      const value = flagValue(v1 ?? v2);
      if (!target || out[key] !== undefined || value === true) return all;
      out[key] = value;
      return lead;
    });
    out[host.name] = left.replace(/\s+/g, ' ').trim();
  }
  return out;
}

/** The permission a given invocation needs (a subcommand may be stricter than its command). */
export function permissionFor(command: AnyCommand, raw: RawOptions): Permission {
  const sub = command.subcommands?.find((s) => s.name === raw.subcommand);
  return sub?.permission ?? command.permission;
}

/**
 * Formats the first zod issue as a sentence naming the option and its bad value, the command
 * that lists valid values (an option's `listedBy`) and the usage, in the platform's syntax.
 */
export function describeSchemaError(command: AnyCommand, raw: RawOptions, error: z.ZodError, syntax?: CommandSyntax): string {
  const say = syntax ?? syntaxOf({});
  const sub = typeof raw.subcommand === 'string' ? raw.subcommand : undefined;
  const usage = `Usage: ${say.usage(command, command.subcommands?.some((s) => s.name === sub) ? sub : undefined)}`;
  const issue = error.issues[0];
  if (!issue) return `${say.name(command.name)}: invalid input. ${usage}`;
  const key = String(issue.path[0] ?? '');
  const value = raw[key];
  const shown = value === undefined ? '' : ` "${String(value).slice(0, 60)}"`;
  const option = [...command.options, ...declaredOptions(command, sub)].find((o) => o.name === key);
  const listed = option?.listedBy ? `; ${say.name(option.listedBy)} lists them` : '';
  return `${say.name(command.name)}: ${key ? `${key}${shown}` : 'input'}: ${issue.message}${listed}. ${usage}`;
}

export interface DispatchLog {
  error(obj: Record<string, unknown>, msg: string): void;
}

/**
 * Runs a command from raw options: checks length and permission, validates with the
 * command's schema, and turns user mistakes into error replies and real faults into a
 * private "something went wrong" reply (logged with its cause, never shown as a stack).
 */
export async function runCommand(command: AnyCommand, raw: RawOptions, ctx: CommandContext, log?: DispatchLog): Promise<Reply> {
  const observer = ctx.services.observer;
  if (!observer?.command) return checkAndRun(command, raw, ctx, log);
  const started = performance.now();
  const reply = await checkAndRun(command, raw, ctx, log);
  observer.command({
    platform: ctx.platform,
    command: command.name,
    outcome: reply.ok ? 'ok' : reply.error.code,
    seconds: (performance.now() - started) / 1000,
  });
  return reply;
}

async function checkAndRun(command: AnyCommand, raw: RawOptions, ctx: CommandContext, log?: DispatchLog): Promise<Reply> {
  const tooLong = overLimit(command, raw, syntaxOf(ctx));
  if (tooLong) return tooLong;
  const say = syntaxOf(ctx);
  if (permissionFor(command, raw) === 'moderator' && !ctx.user.isModerator) {
    const what = say.name(command.name, raw.subcommand ? String(raw.subcommand) : undefined);
    return errorReply(command.name, 'forbidden', `${what} is for moderators only; ask a moderator of this workspace.`);
  }
  const { _extra, ...values } = raw;
  const parsed = command.schema.safeParse(values);
  if (!parsed.success) return errorReply(command.name, 'invalid-option', describeSchemaError(command, raw, parsed.error, say));
  if (_extra !== undefined) {
    return errorReply(
      command.name,
      'unexpected-text',
      `${say.name(command.name)}: unexpected "${String(_extra).slice(0, 60)}". Usage: ${say.usage(command)}`,
    );
  }
  try {
    return await command.run(parsed.data, ctx);
  } catch (cause) {
    const code = cause instanceof BotError ? cause.code : 'internal';
    log?.error({ err: cause, command: command.name, platform: ctx.platform }, 'command failed');
    const message =
      cause instanceof BotError
        ? cause.message
        : `${say.name(command.name)} failed on our side; the error was logged. Try again in a moment.`;
    return errorReply(command.name, code, message);
  }
}

/**
 * The `input-too-long` reply for the first value longer than its option's limit (the same
 * limit Discord registers; see `CommandOption.maxLength`), else undefined. Text that fits no
 * option (`_extra`) is left to the unexpected-text error, which quotes only its start.
 */
function overLimit(command: AnyCommand, raw: RawOptions, say: CommandSyntax): Reply | undefined {
  const options = [...command.options, ...(command.subcommands?.find((s) => s.name === raw.subcommand)?.options ?? [])];
  for (const [key, value] of Object.entries(raw)) {
    if (typeof value !== 'string' || key === '_extra') continue;
    const option = options.find((o) => o.name === key);
    const limit = maxLengthOf(option ?? {});
    if (value.length <= limit) continue;
    const first = command.examples[0];
    const example = first ? `, e.g. ${say.mention(command.name, first.options, first.subcommand)}` : '';
    const text = `${say.name(command.name)}: ${key} is ${value.length.toLocaleString('en-US')} characters; the limit is ${limit.toLocaleString('en-US')} on every platform. Keep it short${example}`;
    return errorReply(command.name, 'input-too-long', /[.?!]$/.test(text) ? text : `${text}.`);
  }
  return undefined;
}

/** Finds a command by name (without slash); the error reply lists the known ones, as the platform writes them. */
export function findCommand(commands: readonly AnyCommand[], name: string, syntax?: CommandSyntax): AnyCommand | Reply {
  const found = commands.find((c) => c.name === name);
  if (found) return found;
  const say = syntax ?? syntaxOf({});
  const known = commands.map((c) => say.name(c.name)).join(', ');
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  return errorReply(
    name || 'unknown',
    'unknown-command',
    `Unknown command "${say.name(shown)}". Known commands: ${known}. Try ${say.name('help')}.`,
  );
}

/**
 * Parses and runs a whole command line such as `/source 6`. Replies name commands as typed
 * here: the context's syntax, else the text syntax of `commands`.
 */
export async function runLine(commands: readonly AnyCommand[], line: string, ctx: CommandContext, log?: DispatchLog): Promise<Reply> {
  const { name, text } = splitCommandLine(line);
  const here = ctx.syntax ? ctx : { ...ctx, syntax: textSyntax(commands) };
  const command = findCommand(commands, name, here.syntax);
  if (!('run' in command)) return command;
  return runCommand(command, parseText(command, text), here, log);
}
