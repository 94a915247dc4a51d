import type { AnyCommand } from '../../core/command.ts';
import { type CommandSyntax, declaredOptions, isSlot, type MentionValue, placeholderOf } from '../../core/syntax.ts';

/**
 * How Discord members type commands: the slash command, its subcommand, then each option by
 * name (`/ask question:What did Japarov call for? article:central-asia`), which is what
 * Discord's command picker shows while the options are filled in. Text typed after `question:`
 * is all question: `--article` there is not an option (see liftFlags in dispatch.ts for how it
 * is still read). Replies are escaped as usual; nothing here is markdown.
 */
export function discordSyntax(commands: readonly AnyCommand[]): CommandSyntax {
  const find = (command: string) => commands.find((c) => c.name === command);
  const head = (command: string, subcommand?: string) => (subcommand ? `/${command} ${subcommand}` : `/${command}`);
  const shown = (value: MentionValue) => (isSlot(value) ? `<${value.slot}>` : String(value));
  return {
    name: head,
    mention(command, options = {}, subcommand) {
      const declared = declaredOptions(find(command), subcommand);
      // Only declared options exist on Discord; others (a button's hidden ones) cannot be typed.
      const parts = declared.filter((o) => options[o.name] !== undefined).map((o) => `${o.name}:${shown(options[o.name] as MentionValue)}`);
      return [head(command, subcommand), ...parts].join(' ');
    },
    usage(command, subcommand) {
      if (subcommand === undefined && command.subcommands?.length) {
        return `${head(command.name)} ${command.subcommands.map((s) => s.name).join(' | ')}`;
      }
      const parts = declaredOptions(command, subcommand).map((o) => {
        const option = `${o.name}:<${placeholderOf(o)}>`;
        return o.required ? option : `[${option}]`;
      });
      return [head(command.name, subcommand), ...parts].join(' ');
    },
  };
}
