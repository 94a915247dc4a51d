import { z } from 'zod';
import { defineCommand, type Permission } from '../src/core/command.ts';
import { errorReply, okReply } from '../src/core/reply.ts';

/** Adds who may run it, unless the description already says so. */
function withRole(description: string, permission: Permission, note: string): string {
  return permission === 'moderator' && !/moderator/i.test(description) ? `${description}${note}` : description;
}

export default defineCommand({
  name: 'help',
  description: 'List the commands, or explain one',
  usage: '[command]',
  examples: ['/help', '/help source'],
  options: [{ name: 'command', type: 'string', description: 'A command to explain' }],
  schema: z.object({ command: z.string().trim().optional() }),
  permission: 'everyone',
  async run({ command }, ctx) {
    // Imported when run: the list includes this command, so a static import would be circular.
    const { commands } = await import('./index.ts');
    const visible = commands.filter(
      (c) => c.permission === 'everyone' || ctx.user.isModerator || c.subcommands?.some((s) => s.permission === 'everyone'),
    );
    if (command) {
      const name = command.replace(/^\//, '').toLowerCase();
      const found = commands.find((c) => c.name === name);
      if (!found)
        return errorReply(
          'help',
          'unknown-command',
          `No command "/${name.slice(0, 40)}". Known commands: ${visible.map((c) => `/${c.name}`).join(', ')}.`,
        );
      const subs = found.subcommands?.map((s) => ({
        label: `/${found.name} ${s.name}`,
        text: withRole(s.description, s.permission, ' (moderators)'),
      }));
      return okReply('help', `/${found.name} ${found.usage}`.trim(), {
        text: withRole(found.description, found.permission, ' (moderators only)'),
        items: [...(subs ?? []), ...found.examples.map((e) => ({ label: 'Example', text: e }))],
      });
    }
    return okReply('help', 'briefing-bot commands', {
      text: 'Every answer is a cited excerpt from the briefings: the passage, its footnote numbers and the sources behind them.',
      items: visible.map((c) => ({ label: `/${c.name} ${c.usage}`.trim(), text: c.description })),
      footer: 'Try /brief, then /scenario central-asia or /ask What did Japarov call for?',
    });
  },
});
