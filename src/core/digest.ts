import type { Article } from './article.ts';
import type { LibraryEntry } from './library.ts';
import { type Excerpt, type OkReply, okReply, type ReplyAction } from './reply.ts';
import { type CommandSyntax, slot, syntaxOf } from './syntax.ts';

/**
 * What a scheduled digest says, as pure functions: which briefings are new for a channel, and
 * the Reply that lists them. The scheduler stores the choice with the delivery claim, so a
 * retried delivery posts the same digest.
 */

/** Briefings listed by a channel's first digest (nothing was posted before). */
export const FIRST_DIGEST_SIZE = 3;
/** Most briefings one digest lists; the rest are counted ("and 4 more"). */
export const MAX_DIGEST_BRIEFINGS = 10;
const MAX_KEY_POINTS = 5;
const MAX_POINT_CHARS = 400;
const MAX_SUMMARY_CHARS = 700;

/** What the channel's previous digest covered. */
export interface DigestWindow {
  /** Briefings added at or before this instant (ISO) were covered. */
  cutoff: string;
  articleIds: readonly string[];
}

export interface DigestChoice {
  /** Listed briefings, newest first. */
  articleIds: string[];
  /** New briefings not listed because of MAX_DIGEST_BRIEFINGS. */
  omitted: number;
  /** The new cutoff: the next digest starts after it. */
  cutoff: string;
  first: boolean;
}

/**
 * Chooses a digest's briefings: those added after the previous digest's cutoff (and not listed
 * by it), newest first; for a channel's first digest, the newest few.
 *
 * @param entries the library, newest first (`library.list()`).
 */
export function chooseDigest(entries: readonly LibraryEntry[], previous: DigestWindow | undefined, now: Date): DigestChoice {
  const cutoff = now.toISOString();
  const ids: string[] = [];
  if (!previous) {
    for (const e of entries) {
      if (e.meta.addedAt > cutoff) continue;
      ids.push(e.article.id);
      if (ids.length === FIRST_DIGEST_SIZE) break;
    }
    return { articleIds: ids, omitted: 0, cutoff, first: true };
  }
  const before = new Set(previous.articleIds);
  let fresh = 0;
  for (const e of entries) {
    if (e.meta.addedAt <= previous.cutoff || e.meta.addedAt > cutoff || before.has(e.article.id)) continue;
    fresh += 1;
    if (ids.length < MAX_DIGEST_BRIEFINGS) ids.push(e.article.id);
  }
  return { articleIds: ids, omitted: fresh - ids.length, cutoff, first: false };
}

/** Splits text into sentences, keeping footnote markers such as `[6]` with the sentence they close. */
export function sentences(text: string): string[] {
  const out: string[] = [];
  // A sentence ends at . ! or ? (plus closing quotes and footnote markers) before a capital, digit or quote.
  const end = /[.!?]+["”’)]*(?:\s*\[\d+(?:\s*[,–-]\s*\d+)*\])*(?=\s+["“‘(]?[\p{Lu}\d]|\s*$)/gu;
  let start = 0;
  for (const m of text.matchAll(end)) {
    const stop = (m.index ?? 0) + m[0].length;
    const sentence = text.slice(start, stop).trim();
    if (sentence) out.push(sentence);
    start = stop;
  }
  const rest = text.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/**
 * A 2-3 sentence extractive summary from the opening of an article (introduction first, else the
 * first passages), keeping footnote numbers as printed.
 */
export function extractiveSummary(article: Article): { text: string; citations: number[] } {
  const intro = article.passages.filter((p) => p.section === 'introduction');
  const pool = intro.length ? intro : article.passages;
  const picked: string[] = [];
  let length = 0;
  outer: for (const p of pool) {
    for (const s of sentences(p.text)) {
      if (picked.length >= 3 || (picked.length >= 2 && length + s.length > MAX_SUMMARY_CHARS)) break outer;
      picked.push(s);
      length += s.length + 1;
    }
  }
  const text = clip(picked.join(' '), MAX_SUMMARY_CHARS + 200);
  const citations = [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))];
  return { text, citations };
}

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;
}

/** One briefing as a digest entry: byline, key points (or summary), scenarios, how to ask more. */
export function digestExcerpt(article: Article, say: CommandSyntax = syntaxOf({})): Excerpt {
  const lines: string[] = [];
  const byline = [article.author ? `By ${article.author.name}` : undefined, article.date].filter(Boolean).join(' · ');
  if (byline) lines.push(byline);
  let citations: number[] = [];
  if (article.keyPoints.length) {
    for (const point of article.keyPoints.slice(0, MAX_KEY_POINTS)) lines.push(`• ${clip(point, MAX_POINT_CHARS)}`);
    if (article.keyPoints.length > MAX_KEY_POINTS) lines.push(`• …and ${article.keyPoints.length - MAX_KEY_POINTS} more key points`);
  } else {
    const summary = extractiveSummary(article);
    if (summary.text) lines.push(summary.text);
    citations = summary.citations;
  }
  if (article.scenarios.length) lines.push(`Scenarios: ${article.scenarios.map((s) => s.label).join('; ')}`);
  lines.push(`Ask more: ${say.mention('brief', { article: article.id })}`);
  const text = lines.join('\n');
  return { articleId: article.id, passageId: article.id, text, passageText: text, citations, highlights: [], label: article.title };
}

export interface ComposeOptions {
  /** Briefings to list, in order (newest first). */
  articles: readonly Article[];
  /** New briefings left out of the list. */
  omitted?: number;
  /** A channel's first digest says "latest" rather than "new". */
  first?: boolean;
  visibility?: OkReply['visibility'];
  /** How members of the channel's platform type commands (the digest's hints); the terminal's by default. */
  syntax?: CommandSyntax;
}

/**
 * The digest Reply: a title with the count, one excerpt per briefing, buttons to open the first
 * few with /brief. Adapters render it natively (posted publicly with link unfurling off).
 *
 * @example composeDigest({ articles: [article] }).title // 'Briefing digest: 1 new briefing'
 */
export function composeDigest(options: ComposeOptions): OkReply {
  const { articles, omitted = 0, first = false } = options;
  const say = options.syntax ?? syntaxOf({});
  const total = articles.length + omitted;
  const title = first
    ? `Briefing digest: the latest ${articles.length === 1 ? 'briefing' : `${articles.length} briefings`}`
    : `Briefing digest: ${total} new ${total === 1 ? 'briefing' : 'briefings'}`;
  const actions: ReplyAction[] = articles.slice(0, 3).map((a) => ({
    type: 'run',
    label: `Brief: ${clip(a.title, 60)}`,
    invoke: { command: 'brief', options: { article: a.id } },
  }));
  return okReply('digest', title, {
    ...(first ? { text: 'The first digest in this channel lists the newest briefings; later ones list what was added since.' } : {}),
    excerpts: articles.map((a) => digestExcerpt(a, say)),
    ...(omitted > 0
      ? { items: [{ text: `…and ${omitted} more new ${omitted === 1 ? 'briefing' : 'briefings'}: see ${say.name('articles')}` }] }
      : {}),
    footer: `Ask about any of them: ${say.mention('ask', { question: slot('question') })} · ${say.mention('brief', { article: slot('id') })}`,
    actions,
    visibility: options.visibility ?? 'public',
  });
}

/** The short note posted when nothing is new and `DIGEST_EMPTY=post`. */
export function emptyDigest(since?: string, visibility: OkReply['visibility'] = 'public', say: CommandSyntax = syntaxOf({})): OkReply {
  return okReply('digest', 'Briefing digest: nothing new', {
    text: since
      ? `No briefings were added since the last digest (${since.slice(0, 16).replace('T', ' ')} UTC).`
      : 'No briefings were added since the last digest.',
    footer: `Browse what is there: ${say.name('articles')}`,
    visibility,
  });
}
