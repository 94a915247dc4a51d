import { z } from 'zod';
import { byline, sourceRefs } from '../src/core/cite.ts';
import { defineCommand } from '../src/core/command.ts';
import { articleOption, articleRef, articleSchema, withArticle } from '../src/core/command-kit.ts';
import { okReply } from '../src/core/reply.ts';
import { slot, syntaxOf } from '../src/core/syntax.ts';

export default defineCommand({
  name: 'sources',
  description: 'List every numbered source of a briefing',
  usage: '[--article id]',
  examples: [{}, { options: { article: 'central-asia' } }],
  options: [articleOption],
  schema: z.object({ article: articleSchema }),
  permission: 'everyone',
  run({ article: ref }, ctx) {
    return withArticle(ctx, 'sources', ref, (article) => {
      const sources = sourceRefs(
        article,
        article.sources.map((s) => s.n),
      );
      return okReply('sources', `Sources of “${article.title}”`, {
        text: sources.length
          ? `${sources.length} numbered sources. ${syntaxOf(ctx).mention('source', { n: slot('n'), ...articleRef(ctx, article) })} shows the passages that cite one.`
          : 'This briefing lists no numbered sources.',
        sources,
        footer: byline(article),
        actions: [{ type: 'share', label: 'Share in channel' }],
      });
    });
  },
});
