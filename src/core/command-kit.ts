import { z } from 'zod';
import type { Article } from './article.ts';
import type { Choice, CommandContext, CommandOption } from './command.ts';
import { errorReply, type Reply, type ReplyAction, type SourceRef } from './reply.ts';

/** At most this many autocomplete choices (Discord's limit). */
export const MAX_CHOICES = 25;

/** Lowercase without diacritics, for matching what was typed (`Ergün` -> `ergun`). */
export function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase();
}

/** Article ids whose id or title contains what was typed, newest first. */
export function articleChoices(ctx: CommandContext, partial: string): Choice[] {
  const wanted = fold(partial.trim());
  const out: Choice[] = [];
  for (const { article } of ctx.library.list()) {
    if (!wanted || article.id.includes(wanted) || fold(article.title).includes(wanted)) {
      out.push({ name: truncate(`${article.title} (${article.id})`, 100), value: article.id });
      if (out.length === MAX_CHOICES) break;
    }
  }
  return out;
}

/** The optional `article` option shared by every command that reads one briefing. */
export const articleOption: CommandOption = {
  name: 'article',
  type: 'string',
  description: 'Briefing id or unique prefix (default: the newest)',
  autocomplete: articleChoices,
};

export const articleSchema = z.string().trim().max(200, { error: 'is too long for a briefing id; see /articles' }).optional();

/** Resolves the optional article reference, or returns the error reply naming it. */
export function withArticle(
  ctx: CommandContext,
  command: string,
  ref: string | undefined,
  run: (article: Article) => Reply | Promise<Reply>,
): Reply | Promise<Reply> {
  const resolved = ctx.library.resolve(ref);
  if (!resolved.ok) return errorReply(command, resolved.code, resolved.message);
  return run(resolved.article);
}

/**
 * An estimated count to two significant figures, for "about 12,000": the last digits of an
 * estimate mean nothing.
 * @example roughCount(11_662) // 12_000
 */
export function roughCount(n: number): number {
  if (n < 100) return n;
  const unit = 10 ** (Math.floor(Math.log10(n)) - 1);
  return Math.round(n / unit) * unit;
}

export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** `n` as a 1-based page number from raw input. */
export const pageSchema = z.coerce
  .number({ error: 'must be a whole number such as 2' })
  .int({ error: 'must be a whole number such as 2' })
  .min(1, { error: 'must be 1 or more' })
  .default(1);

/** Buttons that open the first few cited sources with `/source`. */
export function sourceActions(sources: readonly SourceRef[], max = 3): ReplyAction[] {
  return sources
    .slice(0, max)
    .map((s) => ({ type: 'run', label: `Source [${s.n}]`, invoke: { command: 'source', options: { n: s.n, article: s.articleId } } }));
}
