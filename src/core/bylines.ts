import type { Article } from './article.ts';
import type { Library } from './library.ts';
import { AUTHORSHIP_TERMS, aboutId } from './search/documents.ts';
import { STOP_WORDS } from './search/lexicon.ts';
import { normalizeWord, tokenize } from './search/text.ts';
import type { SearchHit, SearchResult } from './search/types.ts';

/**
 * Which briefings an answer opens with, as the line about them ("“Title” by Author"): the
 * briefing of the best match when the question asks who wrote something ("Who wrote about
 * Central Asia?"), and a briefing among the matches whose title the question nearly is. The
 * index holds authors, not titles (see documents.ts): this looks only at the few articles the
 * hits come from, so it costs a search nothing.
 */

/** A question holding at least this share of a title's words asks for that briefing. */
const TITLE_SHARE = 0.75;
/** Articles of the first hits looked at for a title. */
const TITLE_CANDIDATES = 3;

const titles = new WeakMap<Article, ReadonlySet<string>>();

/**
 * A title's words, normalized as the index normalizes words but not stemmed, stop words left
 * out (cached per article object; only the article's head is read). Compared with the words of
 * the question as typed: a title is asked for in its own words.
 */
function titleWords(article: Article): ReadonlySet<string> {
  let words = titles.get(article);
  if (!words) {
    words = new Set(
      tokenize(article.title)
        .map((t) => t.norm)
        .filter((w) => !STOP_WORDS.has(w)),
    );
    titles.set(article, words);
  }
  return words;
}

/**
 * Hits for the documents about the briefings an answer should open with, best first (none for
 * most questions). Their `terms` are the question's, for highlighting.
 *
 * @example bylineHits(library, library.search('Who wrote about Central Asia?'))[0]?.id // '…#a'
 */
export function bylineHits(library: Library, result: SearchResult): SearchHit[] {
  const asked = new Set(result.terms);
  const typed = new Set((result.words ?? []).map(normalizeWord));
  const out: SearchHit[] = [];
  const add = (articleId: string) => {
    if (out.some((h) => h.articleId === articleId)) return;
    out.push({ id: aboutId(articleId), articleId, kind: 'about', score: 0, terms: [...asked], queryTerms: [] });
  };
  const best = result.hits.find((h) => h.kind !== 'about');
  if (best && AUTHORSHIP_TERMS.some((t) => asked.has(t))) add(best.articleId);
  const looked = new Set<string>();
  for (const hit of typed.size >= 2 ? result.hits : []) {
    if (looked.size >= TITLE_CANDIDATES) break;
    if (looked.has(hit.articleId)) continue;
    looked.add(hit.articleId);
    const article = library.get(hit.articleId)?.article;
    if (!article) continue;
    const title = titleWords(article);
    if (title.size * TITLE_SHARE > typed.size) continue;
    let matched = 0;
    for (const w of title) if (typed.has(w)) matched++;
    if (title.size > 0 && matched >= Math.min(2, title.size) && matched >= TITLE_SHARE * title.size) add(hit.articleId);
  }
  return out;
}
