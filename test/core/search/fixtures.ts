import type { Article, Source } from '../../../src/core/article.ts';
import { Library } from '../../../src/core/library.ts';
import { PassageIndex } from '../../../src/core/search/passage-index.ts';
import { articleFromFile, BUNDLED_FILE } from '../../helpers/library.ts';

/** The bundled briefing, imported once per test file. */
export const bundled: Article = articleFromFile(BUNDLED_FILE);

/** `#p4` -> the bundled briefing's full passage id. */
export const pid = (n: number | string): string => `${bundled.id}#${typeof n === 'number' ? `p${n}` : n}`;

/**
 * A small hand-made article: one passage per paragraph, `[n]` markers become citations.
 */
export function makeArticle(
  id: string,
  paragraphs: string[],
  options: { sources?: Partial<Source>[]; keyPoints?: string[]; date?: string } = {},
): Article {
  return {
    id,
    title: `Briefing ${id}`,
    keyPoints: options.keyPoints ?? [],
    language: 'en',
    otherLanguages: [],
    ...(options.date ? { date: options.date } : {}),
    passages: paragraphs.map((text, i) => ({
      id: `${id}#p${i + 1}`,
      articleId: id,
      index: i + 1,
      section: 'body' as const,
      text,
      citations: [...new Set([...text.matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1])))],
    })),
    sources: (options.sources ?? []).map((s, i) => ({ n: i + 1, title: `Source ${i + 1}`, outlet: '', ...s })),
    scenarios: [],
    format: 'markdown',
  };
}

export function indexOf(...articles: Article[]): PassageIndex {
  const index = new PassageIndex();
  for (const a of articles) index.addArticle(a);
  return index;
}

export function libraryWith(...articles: Article[]): Library {
  const library = new Library(new PassageIndex());
  articles.forEach((a, i) => {
    library.add(a, { addedAt: new Date(Date.UTC(2025, 4, 23, 12, i)).toISOString(), origin: 'content' });
  });
  return library;
}

/** Ids of the top `n` hits. */
export function topIds(index: PassageIndex, query: string, n = 3, articleId?: string): string[] {
  return index.search(query, { limit: n, ...(articleId ? { articleId } : {}) }).hits.map((h) => h.id);
}
