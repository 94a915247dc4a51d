import { z } from 'zod';
import { byline, passageExcerpt, sourceRefs } from '../src/core/cite.ts';
import { defineCommand } from '../src/core/command.ts';
import { articleOption, articleSchema, MAX_CHOICES, truncate, withArticle } from '../src/core/command-kit.ts';
import { errorReply, okReply } from '../src/core/reply.ts';

const whole = 'must be a whole number such as 6 (see /sources for the list)';

export default defineCommand({
  name: 'source',
  description: 'Show a numbered source and the passages that cite it',
  usage: '<n> [--article id]',
  examples: ['/source 6', '/source 1 --article central-asia'],
  options: [
    {
      name: 'n',
      type: 'integer',
      description: 'Source number, as in [6]',
      required: true,
      min: 1,
      autocomplete: (ctx, partial, options) => {
        const resolved = ctx.library.resolve(typeof options.article === 'string' ? options.article : undefined);
        if (!resolved.ok) return [];
        const wanted = partial.trim().toLowerCase();
        return resolved.article.sources
          .filter((s) => !wanted || String(s.n).startsWith(wanted) || s.title.toLowerCase().includes(wanted))
          .slice(0, MAX_CHOICES)
          .map((s) => ({ name: truncate(`[${s.n}] ${s.title} — ${s.outlet}`, 100), value: s.n }));
      },
    },
    articleOption,
  ],
  schema: z.object({
    n: z.coerce
      .number({ error: whole })
      .int({ error: whole })
      .min(1, { error: 'must be 1 or more: sources are numbered from 1' })
      .optional(),
    article: articleSchema,
  }),
  permission: 'everyone',
  run({ n, article: ref }, ctx) {
    return withArticle(ctx, 'source', ref, (article) => {
      const count = article.sources.length;
      const range = count === 0 ? 'it has no numbered sources' : count === 1 ? 'it has source 1 only' : `it has sources 1-${count}`;
      if (n === undefined) return errorReply('source', 'usage', `Give a source number after /source, e.g. /source 1; ${range}.`);
      const source = article.sources.find((s) => s.n === n);
      if (!source) {
        const numbers = article.sources.map((s) => s.n);
        const contiguous = numbers.every((x, i) => x === i + 1);
        const valid = contiguous ? range : `it has sources ${numbers.join(', ')}`;
        return errorReply('source', 'unknown-source', `Source ${n} does not exist in “${truncate(article.title, 80)}”: ${valid}.`);
      }
      const excerpts = article.passages.filter((p) => p.citations.includes(n)).map((p) => passageExcerpt(p));
      const text =
        excerpts.length === 0
          ? 'No passage cites this source.'
          : `Cited in ${excerpts.length === 1 ? '1 passage' : `${excerpts.length} passages`}:`;
      return okReply('source', `[${n}] ${source.title}`, {
        text,
        excerpts,
        sources: sourceRefs(article, [n]),
        footer: byline(article),
        actions: [{ type: 'share', label: 'Share in channel' }],
      });
    });
  },
});
