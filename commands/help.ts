import { z } from 'zod';
import { defineCommand, type Permission } from '../src/core/command.ts';
import { errorReply, okReply } from '../src/core/reply.ts';
import { syntaxOf } from '../src/core/syntax.ts';

/** Adds who may run it, unless the description already says so. */
function withRole(description: string, permission: Permission, note: string): string {
  return permission === 'moderator' && !/moderator/i.test(description) ? `${description}${note}` : description;
}

export default defineCommand({
  name: 'help',
  description: 'List the commands, or explain one',
  usage: '[command]',
  examples: [{}, { options: { command: 'source' } }],
  options: [{ name: 'command', type: 'string', description: 'A command to explain' }],
  schema: z.object({ command: z.string().trim().optional() }),
  permission: 'everyone',
  async run({ command }, ctx) {
    // Imported when run: the list includes this command, so a static import would be circular.
    const { commands } = await import('./index.ts');
    const say = syntaxOf(ctx);
    const visible = commands.filter(
      (c) => c.permission === 'everyone' || ctx.user.isModerator || c.subcommands?.some((s) => s.permission === 'everyone'),
    );
    if (command) {
      const name = command.replace(/^\//, '').toLowerCase();
      // `source`, or the command as this platform names it (`bb-source` with a Slack prefix).
      const found = commands.find((c) => c.name === name || say.name(c.name) === `/${name}`);
      if (!found)
        return errorReply(
          'help',
          'unknown-command',
          `No command "${say.name(name.slice(0, 40))}". Known commands: ${visible.map((c) => say.name(c.name)).join(', ')}.`,
        );
      const subs = found.subcommands?.map((s) => ({
        label: say.usage(found, s.name),
        text: withRole(s.description, s.permission, ' (moderators)'),
        literal: 'label' as const,
      }));
      return okReply('help', say.usage(found), {
        text: withRole(found.description, found.permission, ' (moderators only)'),
        items: [
          ...(subs ?? []),
          ...found.examples.map((e) => ({
            label: 'Example',
            text: say.mention(found.name, e.options, e.subcommand),
            literal: 'text' as const,
          })),
        ],
      });
    }
    return okReply('help', 'briefing-bot commands', {
      text: 'Every answer is a cited excerpt from the briefings: the passage, its footnote numbers and the sources behind them.',
      items: visible.map((c) => ({ label: say.usage(c), text: c.description, literal: 'label' as const })),
      footer: `Try ${say.name('brief')}, then ${say.mention('scenario', { name: 'central-asia' })} or ${say.mention('ask', { question: 'What did Japarov call for?' })}`,
    });
  },
});
