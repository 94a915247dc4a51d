import type { AnyCommand, CommandOption } from './command.ts';

/**
 * How a platform writes a command for a person to type. Replies name other commands ("/scenario
 * asean", "see /sources"): the core asks the context's syntax for that text instead of writing
 * terminal syntax everywhere, and each adapter passes the syntax its users type. The terminal
 * writes `/scenario asean --article central-asia`; Slack the same with its real command names
 * (`/bb-scenario …` with SLACK_COMMAND_PREFIX, or `/briefing scenario …`); Discord its named
 * options (`/scenario name:asean article:central-asia`, see src/adapters/discord/syntax.ts).
 *
 * Only the bot's own words go through it: option values are the bot's (slugs, ids, numbers) and
 * nothing of an article's text is rewritten.
 */

/** A placeholder for a value the person fills in: `<id>` in text, `article:<id>` on Discord. */
export interface Slot {
  slot: string;
}

export type MentionValue = string | number | Slot;
export type MentionOptions = Readonly<Record<string, MentionValue>>;

/** @example slot('id') // shown as `<id>` */
export function slot(name: string): Slot {
  return { slot: name };
}

export function isSlot(value: unknown): value is Slot {
  return typeof value === 'object' && value !== null && typeof (value as Slot).slot === 'string';
}

export interface CommandSyntax {
  /** The command as typed, without options: `/scenario`, `/bb-scenario`, `/briefing scenario`. */
  name(command: string, subcommand?: string): string;
  /**
   * The command with these options as a person types it here; options are written in the
   * command's declaration order whatever the order given.
   * @example textSyntax(commands).mention('source', { n: 6, article: 'central-asia' }) // '/source 6 --article central-asia'
   */
  mention(command: string, options?: MentionOptions, subcommand?: string): string;
  /** The usage line: `/source <n> [--article id]` here, `/source n:<n> [article:<id>]` on Discord. */
  usage(command: AnyCommand, subcommand?: string): string;
}

/** The options a command (or one of its subcommands) declares. */
export function declaredOptions(command: AnyCommand | undefined, subcommand?: string): readonly CommandOption[] {
  if (!command) return [];
  if (subcommand === undefined) return command.options;
  return command.subcommands?.find((s) => s.name === subcommand)?.options ?? [];
}

/** What a placeholder for an option is called: its `placeholder`, else its name. */
export function placeholderOf(option: CommandOption): string {
  return option.placeholder ?? option.name;
}

const written = (value: MentionValue): string => (isSlot(value) ? `<${value.slot}>` : String(value));

/**
 * Options of a command the syntax has no definition of, in the order given: the first by
 * position (what every command's first option takes, unquoted: a first option with spaces takes
 * the rest of the line), the others as flags.
 */
function undeclared(options: MentionOptions): string[] {
  return Object.entries(options).map(([key, value], i) => (i === 0 ? written(value) : `--${key} ${word(value)}`));
}

/** A value as one word for the text parser: quoted when it holds spaces (or nothing). */
function word(value: MentionValue): string {
  const text = written(value);
  return text === '' || /\s/.test(text) ? `"${text}"` : text;
}

/**
 * The text syntax of the terminal and Slack, which `parseText` (dispatch.ts) reads back:
 * options not declared `flag` are written by position in declaration order (an option marked
 * `rest` takes the rest of the line, so the values after it join it); an option skipped before a
 * given one, a `flag` option and anything undeclared are written `--name value`. `name` gives
 * a command's name as typed. A command missing from the list gets its first option by
 * position and the others as flags (callers give them in declaration order).
 */
export function textSyntax(commands: readonly AnyCommand[], name: (command: string) => string = (c) => `/${c}`): CommandSyntax {
  const find = (command: string) => commands.find((c) => c.name === command);
  const head = (command: string, subcommand?: string) => (subcommand ? `${name(command)} ${subcommand}` : name(command));
  return {
    name: head,
    mention(command, options = {}, subcommand) {
      const parts = [head(command, subcommand)];
      const definition = find(command);
      if (!definition) return [...parts, ...undeclared(options)].join(' ');
      const all = declaredOptions(definition, subcommand);
      const declared = all.filter((o) => o.type !== 'attachment');
      // A file cannot be typed: the text says to attach one.
      const done = new Set<string>(all.filter((o) => o.type === 'attachment').map((o) => o.name));
      let byPosition = true;
      let rest = false;
      for (const option of declared) {
        if (option.flag) continue;
        const value = options[option.name];
        if (value === undefined) {
          // The parser fills positions in order: nothing after a gap can be written by position.
          byPosition = false;
          continue;
        }
        if (!byPosition) continue;
        parts.push(rest || option.rest ? written(value) : word(value));
        rest ||= option.rest === true;
        done.add(option.name);
      }
      const order = [...declared.map((o) => o.name), ...Object.keys(options)];
      for (const key of new Set(order)) {
        const value = options[key];
        if (value !== undefined && !done.has(key)) parts.push(`--${key} ${word(value)}`);
      }
      for (const option of all) {
        const value = options[option.name];
        if (option.type === 'attachment' && value !== undefined)
          parts.push(`(with ${isSlot(value) ? value.slot : String(value)} attached)`);
      }
      return parts.join(' ');
    },
    usage(command, subcommand) {
      if (subcommand === undefined) return `${name(command.name)} ${command.usage}`.trim();
      const options = declaredOptions(command, subcommand).filter((o) => o.type !== 'attachment');
      const shown = options.map((o) => {
        const p = placeholderOf(o);
        if (o.flag) return `[--${o.name} ${p}]`;
        return o.required ? `<${p}>` : `[${p}]`;
      });
      return [head(command.name, subcommand), ...shown].join(' ');
    },
  };
}

/** The terminal's syntax when a context brings none (see `undeclared`). */
const FALLBACK = textSyntax([]);

/** The syntax of a context, or the terminal's without the command list. */
export function syntaxOf(ctx: { syntax?: CommandSyntax }): CommandSyntax {
  return ctx.syntax ?? FALLBACK;
}

/** `a, b and c` (or `a or c` with `or`). */
export function listOf(items: readonly string[], last: 'and' | 'or' = 'and'): string {
  if (items.length <= 1) return items[0] ?? '';
  return `${items.slice(0, -1).join(', ')} ${last} ${items.at(-1)}`;
}
