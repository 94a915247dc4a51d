import { z } from 'zod';
import type { Source } from '../src/core/article.ts';
import { byline, passageExcerpt, sourceRefs } from '../src/core/cite.ts';
import type { Choice } from '../src/core/command.ts';
import { defineCommand } from '../src/core/command.ts';
import { articleOption, articleRef, articleSchema, fold, MAX_CHOICES, truncate, withArticle } from '../src/core/command-kit.ts';
import { errorReply, okReply } from '../src/core/reply.ts';
import { syntaxOf } from '../src/core/syntax.ts';

const whole = 'must be a whole number such as 6';

/** The words of a text, folded (`“Kitay Zapustil…”` -> `['kitay', 'zapustil', …]`). */
const wordsOf = (text: string): string[] =>
  fold(text)
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean);

/**
 * Sources whose number starts with what was typed, or whose title, outlet or author has a word
 * starting with each word of it (`tv brics`, `johnson`, `jamest`), in source order; a word is
 * not matched in the middle (`tv` is not in "Predsedatelstva"). A source found by its outlet or
 * author is labelled with that first, so the match shows even when the title is long.
 */
export function sourceChoices(sources: readonly Source[], partial: string): Choice[] {
  const typed = fold(partial.trim());
  const words = wordsOf(typed);
  const out: Choice[] = [];
  for (const s of sources) {
    const title = wordsOf(s.title);
    const outlet = wordsOf(s.outlet);
    const author = wordsOf(s.author ?? '');
    const holds = (field: string[]) => words.length > 0 && words.every((w) => field.some((f) => f.startsWith(w)));
    let lead: string | undefined;
    if (words.length === 0 || String(s.n).startsWith(typed) || holds(title)) lead = '';
    else if (holds(outlet)) lead = s.outlet;
    else if (holds(author)) lead = s.author;
    else if (holds([...title, ...outlet, ...author])) lead = [s.author, s.outlet].filter(Boolean).join(', ');
    if (lead === undefined) continue;
    const label = lead ? `[${s.n}] ${lead} — ${s.title}` : `[${s.n}] ${s.title}${s.outlet ? ` — ${s.outlet}` : ''}`;
    out.push({ name: truncate(label, 100), value: s.n });
    if (out.length === MAX_CHOICES) break;
  }
  return out;
}

export default defineCommand({
  name: 'source',
  description: 'Show a numbered source and the passages that cite it',
  usage: '<n> [--article id]',
  examples: [{ options: { n: 6 } }, { options: { n: 1, article: 'central-asia' } }],
  options: [
    {
      name: 'n',
      type: 'integer',
      description: 'Source number, as in [6]',
      required: true,
      min: 1,
      listedBy: 'sources',
      autocomplete: (ctx, partial, options) => {
        const resolved = ctx.library.resolve(typeof options.article === 'string' ? options.article : undefined);
        return resolved.ok ? sourceChoices(resolved.article.sources, partial) : [];
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
      if (n === undefined) {
        const say = syntaxOf(ctx);
        const example = say.mention('source', { n: 1, ...articleRef(ctx, article) });
        const list = say.mention('sources', articleRef(ctx, article));
        return errorReply('source', 'usage', `Give a source number, e.g. ${example}; ${range} (${list} lists them).`);
      }
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
