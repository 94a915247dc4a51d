import type { Article } from '../article.ts';

/** One scored match from the passage index. */
export interface SearchHit {
  /** Passage id (`<articleId>#p<n>`) or key point id (`<articleId>#k<n>`). */
  id: string;
  articleId: string;
  /** `about`: the document about the briefing itself (its author). */
  kind: 'passage' | 'keyPoint' | 'about';
  score: number;
  /** Indexed terms that matched (after query processing), for highlighting. */
  terms: string[];
  /** Query terms (as processed) that this hit matched. */
  queryTerms: string[];
}

export interface SearchOptions {
  /** Restrict to one article. */
  articleId?: string;
  /** Hits to return (default 5). */
  limit?: number;
  /** Hits to skip, for "More results" (default 0). */
  offset?: number;
}

export interface SearchResult {
  hits: SearchHit[];
  /** Total hits considered good enough, before limit/offset. */
  total: number;
  /** The processed query terms that were searched. */
  terms: string[];
  /** When nothing matched well: terms from the index the user may have meant. */
  suggestions: string[];
  /** The searched words as the user typed them (same order as `terms`). */
  words?: string[];
  /** True when the query had more distinct words than are searched. */
  capped?: boolean;
  /**
   * Words of the query, as typed, that no searchable passage holds in any form
   * (exactly, by prefix, with a typo, or through an alias): the hits answer the other words.
   */
  unmatched?: string[];
  /**
   * True when `total` is partly an estimate: on a large index a query whose lists are long
   * stops scoring once the top hits are certain, and counts the rest from a sample.
   */
  estimated?: boolean;
}

/** The passage index behind `/ask`: adds and removes whole articles live. */
export interface PassageSearch {
  addArticle(article: Article): void;
  removeArticle(articleId: string): void;
  search(query: string, options?: SearchOptions): SearchResult;
  /** Number of indexed documents (passages and key points). */
  readonly documentCount: number;
}
