import type { Article } from '../article.ts';
import { type AcronymDefinition, articleAcronyms } from './acronyms.ts';
import { COMMON_LEXICON, indexTerms, Lexicon } from './analyze.ts';
import type { IndexDoc } from './engine.ts';

export { articleHash } from './article-hash.ts';

/**
 * How an article becomes index documents: one per body passage (`<articleId>#p<n>`), one per
 * key point (`<articleId>#k<n>`) and one about the briefing itself (`<articleId>#a`: its
 * author, so "Mamedov" reaches it, and words asking who wrote something; scored below passages,
 * see RELEVANCE). Its title is not indexed there: title words are content words that passages
 * already hold, and indexing them again made every search longer (bylines.ts puts the briefing
 * first when a question is its title). A passage also carries the title, outlet and author of
 * the sources it cites (so `Reuters` or `Zhaparov` reaches it) and its scenario's label.
 * Document fields: `text`, `alias` (demonym places, acronyms of long forms), `sources`,
 * `context` (scenario label, introduction or conclusion, "key point summary", or authorship).
 */

export type DocKind = 'passage' | 'keyPoint' | 'about';

/** Id of the n-th (1-based) key point of an article. */
export function keyPointId(articleId: string, n: number): string {
  return `${articleId}#k${n}`;
}

/** Id of the document about an article (its author; its text says title and author). */
export function aboutId(articleId: string): string {
  return `${articleId}#a`;
}

/** Splits a document id into its article id and kind. */
export function parseDocId(id: string): { articleId: string; kind: DocKind } {
  const hash = id.lastIndexOf('#');
  const articleId = hash < 0 ? id : id.slice(0, hash);
  const mark = id[hash + 1];
  return { articleId, kind: mark === 'k' ? 'keyPoint' : mark === 'a' ? 'about' : 'passage' };
}

/** Every document id an article contributes, in article order (the one about it last). */
export function documentIds(article: Article): string[] {
  return [...article.keyPoints.map((_, i) => keyPointId(article.id, i + 1)), ...article.passages.map((p) => p.id), aboutId(article.id)];
}

/**
 * What the document about an article says: "“Title” by Author · kicker · date".
 * @example aboutText(article) // '“Central Asia and Southeast Asia in China’s …” by Ergün Mamedov · Analysis'
 */
export function aboutText(article: Pick<Article, 'title' | 'author' | 'kicker' | 'date'>): string {
  const by = article.author ? ` by ${article.author.name}` : '';
  return [`“${article.title}”${by}`, article.kicker, article.date].filter(Boolean).join(' · ');
}

/** The text a document id stands for in an article, if it exists. */
export function documentText(article: Article, id: string): string | undefined {
  const { kind } = parseDocId(id);
  if (kind === 'keyPoint') return article.keyPoints[Number(id.slice(id.lastIndexOf('#') + 2)) - 1];
  if (kind === 'about') return aboutText(article);
  return article.passages.find((p) => p.id === id)?.text;
}

/** The article's own acronyms on top of the common ones, for indexing and highlighting it. */
export function articleLexicon(article: Article, acronyms: readonly AcronymDefinition[] = articleAcronyms(article)): Lexicon {
  const lexicon = new Lexicon(COMMON_LEXICON);
  for (const d of acronyms) lexicon.add(d.longForm, d.acronym);
  return lexicon;
}

/**
 * Words a question about authorship uses ("Who wrote …?", "the author of …"), carried by every
 * article's document about itself.
 */
export const AUTHORSHIP_WORDS = 'author writer write wrote written';
/** AUTHORSHIP_WORDS as index terms (no acronym has them as its long form). */
export const AUTHORSHIP_TERMS: readonly string[] = indexTerms(AUTHORSHIP_WORDS, COMMON_LEXICON).text.split(' ');
const authorshipContext = AUTHORSHIP_TERMS.join(' ');

/** Analyzed documents for an article, ready for the engine. */
export function buildDocuments(article: Article, lexicon: Lexicon = articleLexicon(article)): IndexDoc[] {
  const docs: IndexDoc[] = [];
  // Key points carry "key point summary" as context, so "What are the key points?" finds them.
  const keyPointContext = indexTerms('key point summary', lexicon).text;
  article.keyPoints.forEach((text, i) => {
    const t = indexTerms(text, lexicon);
    docs.push({ id: keyPointId(article.id, i + 1), text: t.text, alias: t.alias, sources: '', context: keyPointContext });
  });
  const sourceTerms = new Map<number, string>();
  for (const s of article.sources) {
    const t = indexTerms([s.title, s.outlet, s.author ?? ''].join(' . '), lexicon);
    sourceTerms.set(s.n, [t.text, t.alias].filter(Boolean).join(' '));
  }
  const labels = new Map(article.scenarios.map((s) => [s.slug, s.label]));
  for (const p of article.passages) {
    const t = indexTerms(p.text, lexicon);
    const sources = p.citations
      .map((n) => sourceTerms.get(n) ?? '')
      .filter(Boolean)
      .join(' ');
    const label = p.scenario ? (labels.get(p.scenario) ?? '') : '';
    const section = p.section === 'introduction' || p.section === 'conclusion' ? p.section : '';
    const context = label || section ? indexTerms(`${label} ${section}`, lexicon).text : '';
    docs.push({ id: p.id, text: t.text, alias: t.alias, sources, context });
  }
  // The author's name is its text: a few words, so a match on it ranks high.
  const author = indexTerms(article.author?.name ?? '', lexicon);
  docs.push({ id: aboutId(article.id), text: author.text, alias: author.alias, sources: '', context: authorshipContext });
  return docs;
}
