import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { MAX_CHOICES, truncate } from '../src/core/command-kit.ts';
import { registryOf } from '../src/core/registry.ts';
import { errorReply, okReply } from '../src/core/reply.ts';
import { syntaxOf } from '../src/core/syntax.ts';

export default defineCommand({
  name: 'unregister',
  description: 'Hide a registered briefing; its history is kept (moderators)',
  usage: '<id>',
  examples: [{ options: { id: 'second-briefing' } }],
  options: [
    {
      name: 'id',
      type: 'string',
      description: 'Id of the registered briefing (see /articles)',
      required: true,
      listedBy: 'articles',
      autocomplete: (ctx, partial) => {
        const wanted = partial.trim().toLowerCase();
        const ids = registryOf(ctx.services)?.registeredIds() ?? [];
        return ids
          .filter((id) => id.includes(wanted))
          .slice(0, MAX_CHOICES)
          .map((id) => ({ name: truncate(`${ctx.library.get(id)?.article.title ?? id} (${id})`, 100), value: id }));
      },
    },
  ],
  schema: z.object({
    id: z.string({ error: 'is missing: give the id of a registered briefing' }).trim().min(1).max(200),
  }),
  permission: 'moderator',
  async run({ id }, ctx) {
    const registry = registryOf(ctx.services);
    if (!registry)
      return errorReply(
        'unregister',
        'unavailable',
        'Unregistering briefings is not available: this bot runs without its data store (STORE=off).',
      );
    const say = syntaxOf(ctx);
    const result = await registry.unregister(id, {
      user: ctx.user,
      platform: ctx.platform,
      ...(ctx.channel ? { channel: ctx.channel } : {}),
      syntax: say,
    });
    if (!result.ok) return errorReply('unregister', result.code, result.message);
    return okReply('unregister', `Unregistered: ${truncate(result.title, 230)}`, {
      text: `“${result.articleId}” no longer appears in ${say.name('articles')}, ${say.name('ask')} or digests on any platform. Its ${result.revisions === 1 ? 'revision is' : `${result.revisions} revisions are`} kept; registering it again restores it.`,
      footer: `${say.mention('audit', { article: result.articleId })} shows who did what.`,
    });
  },
});
