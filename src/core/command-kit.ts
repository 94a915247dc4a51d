import { z } from 'zod';
import type { Article } from './article.ts';
import type { Choice, CommandContext, CommandOption } from './command.ts';
import type { Resolved } from './library.ts';
import { registryOf, type UnregisteredBriefing } from './registry.ts';
import { type ErrorReply, errorReply, type Reply, type ReplyAction, type SourceRef } from './reply.ts';
import { type CommandSyntax, syntaxOf } from './syntax.ts';

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
  flag: true,
  placeholder: 'id',
  listedBy: 'articles',
  autocomplete: articleChoices,
};

export const articleSchema = z.string().trim().max(200, { error: 'is too long for a briefing id' }).optional();

/** Resolves the optional article reference, or returns the error reply naming it. */
export function withArticle(
  ctx: CommandContext,
  command: string,
  ref: string | undefined,
  run: (article: Article) => Reply | Promise<Reply>,
): Reply | Promise<Reply> {
  const resolved = ctx.library.resolve(ref);
  if (!resolved.ok) return articleError(ctx, command, ref, resolved);
  return run(resolved.article);
}

/**
 * The `article` option a hint needs to reach this briefing: none for the newest (what every
 * command reads by default), else its id.
 */
export function articleRef(ctx: CommandContext, article: Article): { article?: string } {
  return ctx.library.newest()?.id === article.id ? {} : { article: article.id };
}

/**
 * The reply for an article reference that resolves to nothing: a briefing that was
 * unregistered says so (by whom and when, when the registry knows); otherwise the library's
 * message and the command that lists every briefing.
 */
export async function articleError(
  ctx: CommandContext,
  command: string,
  ref: string | undefined,
  failure: Extract<Resolved, { ok: false }>,
): Promise<ErrorReply> {
  const say = syntaxOf(ctx);
  const id = ref?.trim().toLowerCase();
  if (failure.code === 'unknown-article' && id) {
    const gone = await unregisteredBriefing(ctx, id);
    if (gone) return errorReply(command, 'unregistered-article', unregisteredMessage(gone, say));
  }
  const listed = failure.code === 'no-articles' ? '' : ` ${say.name('articles')} lists every briefing.`;
  return errorReply(command, failure.code, `${failure.message}${listed}`);
}

/** What the registry knows of an unregistered briefing; a store that cannot answer only loses the detail. */
async function unregisteredBriefing(ctx: CommandContext, id: string): Promise<UnregisteredBriefing | undefined> {
  try {
    return await registryOf(ctx.services)?.unregistered?.(id);
  } catch {
    return undefined;
  }
}

/** `2025-06-01 09:30 UTC`. */
export function utcMinute(iso: string): string {
  return `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;
}

/**
 * "“second-briefing” (South Caucasus …) was unregistered by Ayşe on 2025-06-01 09:30 UTC: no
 * command reads it. Its 2 revisions are kept; a moderator can restore it by registering it
 * again (/audit --article second-briefing shows its history)."
 */
export function unregisteredMessage(gone: UnregisteredBriefing, say: CommandSyntax): string {
  const by = gone.by ? ` by ${gone.by}` : '';
  const when = gone.at ? ` on ${utcMinute(gone.at)}` : '';
  const kept = gone.revisions === 1 ? 'Its revision is kept' : `Its ${gone.revisions} revisions are kept`;
  const history = say.mention('audit', { article: gone.articleId });
  return `“${gone.articleId}” (${truncate(gone.title, 80)}) was unregistered${by}${when}: no command reads it. ${kept}; a moderator can restore it by registering it again (${history} shows its history).`;
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
