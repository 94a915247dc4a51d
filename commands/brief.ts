import { z } from 'zod';
import { byline } from '../src/core/cite.ts';
import { defineCommand } from '../src/core/command.ts';
import { articleOption, articleRef, articleSchema, withArticle } from '../src/core/command-kit.ts';
import { okReply, type ReplyItem } from '../src/core/reply.ts';
import { syntaxOf } from '../src/core/syntax.ts';

export default defineCommand({
  name: 'brief',
  description: 'Summary of a briefing: key points, scenarios and sources',
  usage: '[--article id]',
  examples: [{}, { options: { article: 'central-asia' } }],
  options: [articleOption],
  schema: z.object({ article: articleSchema }),
  permission: 'everyone',
  run({ article: ref }, ctx) {
    return withArticle(ctx, 'brief', ref, (article) => {
      const facts = [
        article.author ? `By ${article.author.name}` : undefined,
        article.date,
        article.kicker,
        `${article.passages.length} passages`,
        `${article.sources.length} sources`,
        article.otherLanguages.length ? `also in ${article.otherLanguages.join(', ')}` : undefined,
      ].filter(Boolean);
      const say = syntaxOf(ctx);
      const which = articleRef(ctx, article);
      const items: ReplyItem[] = [
        ...article.keyPoints.map((text) => ({ label: 'Key point', text })),
        ...article.scenarios.map((s) => ({
          label: 'Scenario',
          text: `${s.label} — ${say.mention('scenario', { name: s.slug, ...which })}`,
        })),
      ];
      if (article.keyPoints.length === 0) {
        const opening = article.passages[0];
        if (opening) items.unshift({ label: 'Opening', text: opening.text });
      }
      return okReply('brief', article.title, {
        text: facts.join(' · '),
        items,
        footer: `${byline(article)} · id ${article.id}`,
        actions: [
          { type: 'share', label: 'Share in channel' },
          ...article.scenarios.slice(0, 3).map((s) => ({
            type: 'run' as const,
            label: s.label,
            invoke: { command: 'scenario', options: { name: s.slug, article: article.id } },
          })),
          { type: 'run', label: 'Sources', invoke: { command: 'sources', options: { article: article.id } } },
        ],
      });
    });
  },
});
