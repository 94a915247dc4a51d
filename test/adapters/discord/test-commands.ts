import { z } from 'zod';
import { commands as realCommands } from '../../../commands/index.ts';
import { type AnyCommand, defineCommand } from '../../../src/core/command.ts';
import { errorReply, okReply } from '../../../src/core/reply.ts';

/**
 * Extra commands the Discord tests need beside the real ones: a moderator command with
 * subcommands (as the digest and registration work will add), a slow one, a very long answer,
 * one taking an attachment, and one that fails on our side.
 */

/** Lets a test decide when `/x-slow` finishes: each run waits for the next `open()`. */
export class Gate {
  #waiters: (() => void)[] = [];
  wait(): Promise<void> {
    return new Promise((resolve) => this.#waiters.push(resolve));
  }
  open(): void {
    for (const resolve of this.#waiters.splice(0)) resolve();
  }
}

export function testCommands(gate: Gate = new Gate()): AnyCommand[] {
  const watch = defineCommand({
    name: 'x-watch',
    description: 'Subscribe this channel to scheduled digests',
    usage: '<subscribe|list> [cron]',
    examples: [{ subcommand: 'subscribe', options: { cron: '0 9 * * 1' } }],
    options: [],
    subcommands: [
      {
        name: 'subscribe',
        description: 'Post a digest here on a schedule',
        permission: 'moderator',
        options: [{ name: 'cron', type: 'string', description: 'When, as a cron expression', required: true }],
      },
      { name: 'list', description: 'List this channel’s digests', permission: 'everyone', options: [] },
    ],
    schema: z.object({ subcommand: z.enum(['subscribe', 'list']), cron: z.string().optional() }),
    permission: 'everyone',
    run: ({ subcommand, cron }, ctx) =>
      okReply('x-watch', subcommand === 'list' ? 'No digests yet' : `Subscribed ${ctx.channel?.id} to ${cron}`, { visibility: 'private' }),
  });
  const mod = defineCommand({
    name: 'x-mod',
    description: 'Show who registered which briefing',
    usage: '',
    examples: [{}],
    options: [],
    schema: z.object({}),
    permission: 'moderator',
    run: () => okReply('x-mod', 'Audit log', { items: [{ text: 'nothing yet' }] }),
  });
  const slow = defineCommand({
    name: 'x-slow',
    description: 'Answers only when the test opens the gate',
    usage: '[visibility]',
    examples: [],
    options: [{ name: 'visibility', type: 'string', description: 'public or private' }],
    schema: z.object({ visibility: z.enum(['public', 'private']).default('private') }),
    permission: 'everyone',
    run: async ({ visibility }) => {
      await gate.wait();
      return okReply('x-slow', 'Finally', { text: 'Done after a while.', visibility });
    },
  });
  const announce = defineCommand({
    name: 'x-announce',
    description: 'A reply the command itself makes public',
    usage: '',
    examples: [],
    options: [],
    schema: z.object({}),
    permission: 'everyone',
    run: () => okReply('x-announce', 'Announcement', { text: 'For everyone to see.', visibility: 'public' }),
  });
  const long = defineCommand({
    name: 'x-long',
    description: 'A very long answer',
    usage: '',
    examples: [],
    options: [],
    schema: z.object({}),
    permission: 'everyone',
    run: () =>
      okReply('x-long', 'Long answer', {
        excerpts: Array.from({ length: 12 }, (_, i) => ({
          articleId: 'a',
          passageId: `a#p${i + 1}`,
          text: `Passage ${i + 1}: ${'the corridor carries freight '.repeat(60)}`,
          passageText: '',
          citations: [1 + (i % 3)],
          highlights: [],
        })),
        sources: [1, 2, 3].map((n) => ({ articleId: 'a', n, title: `Source ${n}`, outlet: 'Reuters', url: `https://example.com/${n}` })),
      }),
  });
  const upload = defineCommand({
    name: 'x-upload',
    description: 'Reads an attached file',
    usage: '<file>',
    examples: [],
    options: [{ name: 'file', type: 'attachment', description: 'A .txt or .md file', required: true }],
    schema: z.object({
      file: z.object({ name: z.string(), url: z.string(), size: z.number().optional(), contentType: z.string().optional() }),
    }),
    permission: 'everyone',
    run: async ({ file }, ctx) => {
      if (!ctx.download) return errorReply('x-upload', 'no-download', 'no download');
      const bytes = await ctx.download(file);
      return okReply('x-upload', `Read ${file.name}`, { text: new TextDecoder().decode(bytes) });
    },
  });
  const boom = defineCommand({
    name: 'x-boom',
    description: 'Fails on our side',
    usage: '',
    examples: [],
    options: [],
    schema: z.object({}),
    permission: 'everyone',
    run: () => {
      throw new Error('connection to 10.0.0.7:5432 lost\n    at Store.query (/srv/bot/src/store/pg.ts:42:7)');
    },
  });
  return [...realCommands, watch, mod, slow, announce, long, upload, boom] as AnyCommand[];
}
