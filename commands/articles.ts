import { z } from 'zod';
import { defineCommand } from '../src/core/command.ts';
import { pageSchema } from '../src/core/command-kit.ts';
import { okReply } from '../src/core/reply.ts';
import { slot, syntaxOf } from '../src/core/syntax.ts';

const PER_PAGE = 10;

export default defineCommand({
  name: 'articles',
  description: 'List the loaded briefings, newest first',
  usage: '[page]',
  examples: [{}, { options: { page: 2 } }],
  options: [{ name: 'page', type: 'integer', description: 'Page (10 briefings a page)', min: 1 }],
  schema: z.object({ page: pageSchema }),
  permission: 'everyone',
  run({ page }, ctx) {
    const say = syntaxOf(ctx);
    const all = ctx.library.list();
    if (all.length === 0) return okReply('articles', 'Briefings', { text: 'No briefings are loaded yet.' });
    const pages = Math.ceil(all.length / PER_PAGE);
    if (page > pages)
      return okReply('articles', 'Briefings', {
        text: `There ${pages === 1 ? 'is 1 page' : `are ${pages} pages`} of briefings; try ${say.mention('articles', { page: pages })}.`,
      });
    const shown = all.slice((page - 1) * PER_PAGE, page * PER_PAGE);
    const items = shown.map(({ article }) => ({
      label: article.id,
      text: [article.title, article.author?.name, article.date].filter(Boolean).join(' — '),
    }));
    const range = pages > 1 ? ` (page ${page} of ${pages})` : '';
    return okReply('articles', `Briefings${range}`, {
      text: `${all.length === 1 ? '1 briefing' : `${all.length.toLocaleString('en-US')} briefings`}, newest first. ${say.mention('brief', { article: slot('id') })} summarises one; an id prefix is enough.`,
      items,
      ...(page < pages
        ? { actions: [{ type: 'run' as const, label: 'Next page', invoke: { command: 'articles', options: { page: page + 1 } } }] }
        : {}),
    });
  },
});
