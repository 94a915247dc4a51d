import { z } from 'zod';
import { askQuestion } from '../src/core/answer.ts';
import { byline } from '../src/core/cite.ts';
import { defineCommand } from '../src/core/command.ts';
import { articleError, articleOption, articleSchema, pageSchema, roughCount, sourceActions, truncate } from '../src/core/command-kit.ts';
import { errorReply, okReply, type ReplyAction } from '../src/core/reply.ts';
import { parseDocId } from '../src/core/search/documents.ts';
import { slot, syntaxOf } from '../src/core/syntax.ts';

/** Excerpts per page of `/ask` answers. */
const PER_PAGE = 3;

/** "No passage mentions “xylophone”" (or "“a”, “b” or “c”"), at most five words. */
function notFound(words: readonly string[]): string {
  const quoted = words.slice(0, 5).map((w) => `“${truncate(w, 40)}”`);
  const list = quoted.length > 1 ? `${quoted.slice(0, -1).join(', ')} or ${quoted.at(-1)}` : quoted[0];
  return `No passage mentions ${list}${words.length > 5 ? ` (or ${words.length - 5} more words)` : ''}`;
}

export default defineCommand({
  name: 'ask',
  description: 'Ask a question and get cited excerpts from the briefings',
  usage: '<question> [--article id]',
  examples: [
    { options: { question: 'What did Japarov call for?' } },
    { options: { question: 'free trade agreement', article: 'central-asia' } },
  ],
  options: [
    { name: 'question', type: 'string', description: 'Your question, in a few words', required: true, rest: true, maxLength: 1000 },
    articleOption,
    { name: 'page', type: 'integer', description: 'Page of results (default 1)', min: 1, flag: true },
  ],
  schema: z.object({ question: z.string().trim().optional(), article: articleSchema, page: pageSchema }),
  permission: 'everyone',
  async run({ question, article, page }, ctx) {
    const say = syntaxOf(ctx);
    if (!question) {
      const example = say.mention('ask', { question: 'What did Japarov call for?' });
      const oneBriefing = say.mention('ask', { question: slot('question'), article: slot('id') });
      return errorReply('ask', 'usage', `Ask a question, e.g. ${example} (${oneBriefing} searches one briefing).`);
    }
    let articleId: string | undefined;
    if (article) {
      const resolved = ctx.library.resolve(article);
      if (!resolved.ok) return articleError(ctx, 'ask', article, resolved);
      articleId = resolved.article.id;
    } else if (ctx.library.size === 0) {
      return errorReply('ask', 'no-articles', 'No briefings are loaded yet.');
    }
    const answer = await askQuestion(ctx.library, question, { ...(articleId ? { articleId } : {}), page, perPage: PER_PAGE });
    const title = truncate(`“${question.replace(/\s+/g, ' ')}”`, 150);
    const notes: string[] = [];
    if (answer.capped)
      notes.push(
        `Your question is long (${question.length.toLocaleString('en-US')} characters); I searched its first ${answer.terms.length} distinct terms.`,
      );
    if (answer.excerpts.length === 0) {
      const hint = answer.suggestions.length
        ? ` Try: ${answer.suggestions.slice(0, 5).join(', ')}.`
        : ` Try other words, or ${say.name('brief')} for an overview.`;
      const what = page > 1 ? `No more results for ${title}.` : `Nothing in the briefings answers ${title} well.`;
      return okReply('ask', 'No good match', { text: [...notes, `${what}${hint}`].join(' ') });
    }
    if (answer.unmatched?.length) notes.push(`${notFound(answer.unmatched)}; these passages match the rest of your question.`);
    const first = (page - 1) * PER_PAGE + 1;
    const last = first + answer.excerpts.length - 1;
    notes.push(
      answer.total > answer.excerpts.length || page > 1
        ? `Results ${first}-${last} of ${answer.estimated ? `about ${roughCount(answer.total).toLocaleString('en-US')}` : answer.total.toLocaleString('en-US')}.`
        : '',
    );
    const actions: ReplyAction[] = [{ type: 'share', label: 'Share in channel' }];
    if (last < answer.total) {
      actions.push({
        type: 'run',
        label: 'More results',
        invoke: { command: 'ask', options: { question, page: page + 1, ...(article ? { article } : {}) } },
      });
    }
    // A briefing found by its author or title (the document about it) opens with /brief.
    for (const e of answer.excerpts.filter((x) => parseDocId(x.passageId).kind === 'about').slice(0, 2)) {
      const title = ctx.library.get(e.articleId)?.article.title ?? e.articleId;
      actions.push({
        type: 'run',
        label: truncate(`Summary: ${title}`, 60),
        invoke: { command: 'brief', options: { article: e.articleId } },
      });
    }
    actions.push(...sourceActions(answer.sources));
    const articleIds = new Set(answer.excerpts.map((e) => e.articleId));
    const only = articleIds.size === 1 ? ctx.library.get([...articleIds][0] as string)?.article : undefined;
    const text = notes.filter(Boolean).join(' ');
    return okReply('ask', title, {
      ...(text ? { text } : {}),
      excerpts: answer.excerpts,
      sources: answer.sources,
      actions,
      ...(only ? { footer: byline(only) } : {}),
    });
  },
});
