import { z } from 'zod';
import { byline, passageExcerpt, sourcesOfExcerpts } from '../src/core/cite.ts';
import { defineCommand } from '../src/core/command.ts';
import { articleOption, articleRef, articleSchema, MAX_CHOICES, sourceActions, withArticle } from '../src/core/command-kit.ts';
import { scenarioMatches } from '../src/core/import/scenarios.ts';
import { errorReply, okReply } from '../src/core/reply.ts';
import { syntaxOf } from '../src/core/syntax.ts';

export default defineCommand({
  name: 'scenario',
  description: 'Show one of a briefing’s scenarios with its citations',
  usage: '<name> [--article id]',
  examples: [{ options: { name: 'central-asia' } }, { options: { name: 'asean' } }, { options: { name: '2' } }],
  options: [
    {
      name: 'name',
      type: 'string',
      description: 'Scenario name, number or region (e.g. central-asia)',
      required: true,
      rest: true,
      autocomplete: (ctx, partial, options) => {
        const resolved = ctx.library.resolve(typeof options.article === 'string' ? options.article : undefined);
        if (!resolved.ok) return [];
        const wanted = partial.trim().toLowerCase();
        return resolved.article.scenarios
          .filter(
            (s) =>
              !wanted || s.slug.includes(wanted) || s.label.toLowerCase().includes(wanted) || s.aliases.some((a) => a.includes(wanted)),
          )
          .slice(0, MAX_CHOICES)
          .map((s) => ({ name: s.label, value: s.slug }));
      },
    },
    articleOption,
  ],
  schema: z.object({ name: z.string().trim().optional(), article: articleSchema }),
  permission: 'everyone',
  run({ name, article: ref }, ctx) {
    return withArticle(ctx, 'scenario', ref, (article) => {
      const list = article.scenarios.map((s) => `${s.slug} (${s.label})`).join(', ');
      if (article.scenarios.length === 0) return errorReply('scenario', 'no-scenarios', `“${article.title}” has no named scenarios.`);
      if (!name) {
        const example = syntaxOf(ctx).mention('scenario', { name: article.scenarios[0]?.slug ?? '1', ...articleRef(ctx, article) });
        return errorReply('scenario', 'usage', `Name a scenario, e.g. ${example}. This briefing has: ${list}.`);
      }
      const found = scenarioMatches(article, name);
      const shown = name.length > 60 ? `${name.slice(0, 60)}…` : name;
      if (found.length > 1) {
        const slugs = found.map((s) => s.slug).join(', ');
        return errorReply(
          'scenario',
          'ambiguous-scenario',
          `"${shown}" matches ${found.length} scenarios (${slugs}): type more of the name.`,
        );
      }
      const scenario = found[0];
      if (!scenario) return errorReply('scenario', 'unknown-scenario', `No scenario "${shown}" in this briefing. It has: ${list}.`);
      const excerpts = scenario.passageIds
        .map((id) => article.passages.find((p) => p.id === id))
        .filter((p) => p !== undefined)
        .map((p, i) => passageExcerpt(p, i === 0 ? scenario.label : undefined));
      const sources = sourcesOfExcerpts(article, excerpts);
      return okReply('scenario', scenario.label, {
        excerpts,
        sources,
        footer: byline(article),
        actions: [{ type: 'share', label: 'Share in channel' }, ...sourceActions(sources)],
      });
    });
  },
});
