import type { Article } from './article.ts';
import { bylineHits } from './bylines.ts';
import { sourceRefs } from './cite.ts';
import type { Library } from './library.ts';
import type { Excerpt, SourceRef } from './reply.ts';
import { findAcronymDefinitions } from './search/acronyms.ts';
import { COMMON_LEXICON, Lexicon } from './search/analyze.ts';
import { aboutText, articleLexicon, documentText } from './search/documents.ts';
import { bestExcerpt, matchSpans, mergeRanges } from './search/excerpt.ts';
import { STOP_WORDS } from './search/lexicon.ts';
import { PassageIndex } from './search/passage-index.ts';
import { tokenize } from './search/text.ts';
import type { SearchHit, SearchOptions, SearchResult } from './search/types.ts';

/** Options for {@link answerQuestion}. */
export interface AnswerOptions {
  /** Search one article only. */
  articleId?: string;
  /** 1-based page (default 1). */
  page?: number;
  /** Excerpts per page (default 3). */
  perPage?: number;
}

/** Ranked, cited excerpts for a question, or suggestions when nothing matches well. */
export interface Answer {
  excerpts: Excerpt[];
  /** Sources cited by the excerpts, in order of first citation. */
  sources: SourceRef[];
  /** Good matches in all (for "Results 1-3 of 7"); partly estimated when `estimated`. */
  total: number;
  /** True when `total` is partly an estimate (long lists on a large index, see score.ts). */
  estimated?: boolean;
  /** The question's words that were searched (stop words and repeats removed). */
  terms: string[];
  /** Words to try instead, when there are no excerpts. */
  suggestions: string[];
  /** The question had more distinct words than are searched; only `terms` were. */
  capped?: boolean;
  /** Words of the question no searched passage holds in any form; the excerpts answer the rest. */
  unmatched?: string[];
}

const lexicons = new WeakMap<Article, Lexicon>();

/**
 * The article's lexicon for highlighting, from the acronyms the passage index found when it
 * indexed the article (or, with another index, by reading the article again).
 */
function lexiconOf(library: Library, article: Article): Lexicon {
  let lexicon = lexicons.get(article);
  if (!lexicon) {
    const known = library.index instanceof PassageIndex ? library.index.acronymsOf(article.id) : undefined;
    if (known) {
      lexicon = new Lexicon(COMMON_LEXICON);
      for (const d of known) lexicon.add(d.longForm, d.acronym);
    } else lexicon = articleLexicon(article);
    lexicons.set(article, lexicon);
  }
  return lexicon;
}

/**
 * Answers a question from the library: the best passages and key points as excerpts of a
 * sentence or two with the question's words highlighted, their footnotes and sources.
 *
 * @example
 * const answer = answerQuestion(library, 'What did Japarov call for?');
 * answer.excerpts[0].citations // [9]
 */
export function answerQuestion(library: Library, question: string, options: AnswerOptions = {}): Answer {
  return answerFrom(library, library.search(question, searchOptions(options)), options);
}

/**
 * {@link answerQuestion} with the search run by the library's search workers when it has
 * them, so the search does not hold up this thread.
 */
export async function askQuestion(library: Library, question: string, options: AnswerOptions = {}): Promise<Answer> {
  return answerFrom(library, await library.searchAsync(question, searchOptions(options)), options);
}

const pageOf = (options: AnswerOptions) => ({
  perPage: Math.max(1, Math.floor(options.perPage ?? 3)),
  page: Math.max(1, Math.floor(options.page ?? 1)),
});

/** The hits an answer needs: the page and those before it, and a few to stand in for duplicates. */
function searchOptions(options: AnswerOptions): SearchOptions {
  const { perPage, page } = pageOf(options);
  return { ...(options.articleId ? { articleId: options.articleId } : {}), limit: page * perPage + 4, offset: 0 };
}

function answerFrom(library: Library, result: SearchResult, options: AnswerOptions): Answer {
  const { perPage, page } = pageOf(options);
  const want = page * perPage;
  const excerpts: Excerpt[] = [];
  const seen = new Set<string>();
  let duplicates = 0;
  // A question asking who wrote something, or naming a briefing's title, opens with the line
  // about that briefing (see bylines.ts); the rest follow in rank order.
  const first = bylineHits(library, result);
  const added = first.filter((f) => !result.hits.some((h) => h.id === f.id)).length;
  const hits = first.length ? [...first, ...result.hits.filter((h) => !first.some((f) => f.id === h.id))] : result.hits;
  // Excerpts are built in rank order only until the page is full: the extra hits are there
  // to stand in for duplicates, not to be excerpted.
  for (const hit of hits) {
    if (excerpts.length >= want) break;
    const excerpt = excerptOf(library, hit);
    if (!excerpt) continue;
    const key = excerpt.text.toLowerCase().replace(/\W+/g, ' ').trim();
    if (seen.has(key) || seen.has(excerpt.passageId)) {
      duplicates++;
      continue;
    }
    seen.add(key);
    seen.add(excerpt.passageId);
    excerpts.push(excerpt);
  }
  const shown = excerpts.slice((page - 1) * perPage, want);
  const sources: SourceRef[] = [];
  for (const e of shown) {
    const article = library.get(e.articleId)?.article;
    if (!article) continue;
    for (const s of sourceRefs(article, e.citations)) if (!sources.some((x) => x.articleId === s.articleId && x.n === s.n)) sources.push(s);
  }
  const total = Math.max(excerpts.length, result.total + added - duplicates);
  let suggestions = result.suggestions;
  if (total === 0 && suggestions.length < 3) {
    const topics = topicSuggestions(library, options.articleId);
    suggestions = [...suggestions, ...topics.filter((t) => !suggestions.some((s) => s.toLowerCase() === t.toLowerCase()))].slice(0, 5);
  }
  return {
    excerpts: shown,
    sources,
    total,
    terms: result.words ?? result.terms,
    suggestions: total === 0 ? suggestions : [],
    ...(result.capped ? { capped: true } : {}),
    ...(result.unmatched?.length ? { unmatched: result.unmatched } : {}),
    ...(result.estimated && total > 0 ? { estimated: true } : {}),
  };
}

function excerptOf(library: Library, hit: SearchHit): Excerpt | undefined {
  const article = library.get(hit.articleId)?.article;
  if (!article) return undefined;
  const terms = new Set(hit.terms);
  if (hit.kind === 'about') {
    // The briefing itself (its author or title matched): one line saying what it is and who wrote it.
    const text = aboutText(article);
    const highlights = mergeRanges(matchSpans(text, terms, lexiconOf(library, article)).map((m) => [m.start, m.end]));
    return { articleId: article.id, passageId: hit.id, text, passageText: text, citations: [], highlights, label: 'Briefing' };
  }
  if (hit.kind === 'keyPoint') {
    const text = documentText(article, hit.id);
    if (!text) return undefined;
    const best = bestExcerpt(text, terms, lexiconOf(library, article));
    return {
      articleId: article.id,
      passageId: hit.id,
      text: best.text,
      passageText: text,
      citations: [],
      highlights: best.highlights,
      label: 'Key point',
    };
  }
  const passage = library.passage(hit.id);
  if (!passage) return undefined;
  const best = bestExcerpt(passage.text, terms, lexiconOf(library, article));
  const label = passage.scenario ? article.scenarios.find((s) => s.slug === passage.scenario)?.label : undefined;
  return {
    articleId: article.id,
    passageId: passage.id,
    text: best.text,
    passageText: passage.text,
    citations: [...passage.citations],
    highlights: best.highlights,
    ...(label ? { label } : {}),
  };
}

/**
 * Names worth asking about in a briefing, for when a question finds nothing: the acronyms it
 * defines and the proper names in its key points ("Central Asia", "ASEAN", "Russia").
 */
export function topicSuggestions(library: Library, articleId?: string, max = 5): string[] {
  const article = articleId ? library.get(articleId)?.article : newestOf(library);
  if (!article) return [];
  let topics = topicCache.get(article);
  if (!topics) {
    topics = articleTopics(article);
    topicCache.set(article, topics);
  }
  return topics.slice(0, max);
}

/** Topic names per article object (articles are not changed in place). */
const topicCache = new WeakMap<Article, string[]>();
/** The newest article per library, worked out again after the library changes. */
const newestCache = new WeakMap<Library, { article: Article | undefined; fresh: boolean }>();

function newestOf(library: Library): Article | undefined {
  let cached = newestCache.get(library);
  if (!cached) {
    const entry = { article: undefined as Article | undefined, fresh: false };
    library.onChange(() => {
      entry.fresh = false;
    });
    newestCache.set(library, entry);
    cached = entry;
  }
  if (!cached.fresh) {
    cached.article = library.newest();
    cached.fresh = true;
  }
  return cached.article;
}

/** Every topic name of an article, in order (see `topicSuggestions`). */
function articleTopics(article: Article): string[] {
  const out: string[] = [];
  const add = (name: string): void => {
    const clean = name.replace(/['’]s$/, '').trim();
    if (clean.length > 1 && !out.some((o) => o.toLowerCase() === clean.toLowerCase())) out.push(clean);
  };
  const texts = [...article.keyPoints, ...article.passages.slice(0, 3).map((p) => p.text)];
  for (const text of texts) {
    for (const d of findAcronymDefinitions(text)) add(d.acronym);
    const tokens = tokenize(text);
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (!t?.capitalized || t.kind === 'number') continue;
      let j = i;
      while (tokens[j + 1]?.capitalized && tokens[j + 1]?.start === (tokens[j]?.end ?? 0) + 1) j++;
      let first = i;
      while (first < j && STOP_WORDS.has((tokens[first] as (typeof tokens)[number]).norm)) first++;
      const head = tokens[first] as (typeof tokens)[number];
      const multi = j > first;
      if (!STOP_WORDS.has(head.norm) && (!head.sentenceStart || multi || head.kind === 'acronym'))
        add(text.slice(head.start, (tokens[j] as (typeof tokens)[number]).end));
      i = j;
    }
  }
  return out;
}
