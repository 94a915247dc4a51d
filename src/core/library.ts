import type { Article, Passage, Source } from './article.ts';
import type { PassageSearch, SearchOptions, SearchResult } from './search/types.ts';

/** Where an article came from and when the library received it. */
export interface ArticleMeta {
  /** ISO timestamp when it was added (registration time, or file mtime for shipped content). */
  addedAt: string;
  origin: 'content' | 'registered';
  revision?: number;
}

export interface LibraryEntry {
  article: Article;
  meta: ArticleMeta;
}

export type Resolved =
  | { ok: true; article: Article }
  | { ok: false; code: 'no-articles' | 'unknown-article' | 'ambiguous-article'; message: string };

type Listener = (event: { type: 'added' | 'removed'; articleId: string }) => void;

/**
 * Copies of the passage index elsewhere (search workers) that answer searches off this
 * thread. The library keeps them in step: every add and remove is passed on, in order, before
 * any later search.
 */
export interface SearchOffload {
  addArticle(article: Article): void;
  removeArticle(articleId: string): void;
  search(query: string, options?: SearchOptions): Promise<SearchResult>;
}

/**
 * The loaded briefings and their passage index. Adding or removing an article updates the
 * index in place (no rebuild), so registered briefings are searchable at once.
 */
export class Library {
  readonly #entries = new Map<string, LibraryEntry>();
  /** `list()`'s order, worked out once per change (sorting 50,000 entries takes a while). */
  #sorted: LibraryEntry[] | undefined;
  readonly #listeners = new Set<Listener>();
  #offload: SearchOffload | undefined;
  readonly index: PassageSearch;

  constructor(index: PassageSearch) {
    this.index = index;
  }

  /** Adds an article, or replaces the loaded revision with the same id. */
  add(article: Article, meta: ArticleMeta): void {
    if (this.#entries.has(article.id)) this.#drop(article.id);
    this.#entries.set(article.id, { article, meta });
    this.#sorted = undefined;
    this.index.addArticle(article);
    this.#offload?.addArticle(article);
    this.#emit({ type: 'added', articleId: article.id });
  }

  /** Removes an article from the library and the index. Returns false when it was not loaded. */
  remove(articleId: string): boolean {
    if (!this.#entries.has(articleId)) return false;
    this.#drop(articleId);
    this.#emit({ type: 'removed', articleId });
    return true;
  }

  #drop(articleId: string): void {
    const entry = this.#entries.get(articleId);
    if (!entry) return;
    this.#entries.delete(articleId);
    this.#sorted = undefined;
    this.index.removeArticle(articleId);
    this.#offload?.removeArticle(articleId);
  }

  get size(): number {
    return this.#entries.size;
  }

  get(articleId: string): LibraryEntry | undefined {
    return this.#entries.get(articleId);
  }

  /** All entries, newest first (publication date when known, else when added). */
  list(): LibraryEntry[] {
    this.#sorted ??= [...this.#entries.values()].sort(compareNewestFirst);
    return [...this.#sorted];
  }

  newest(): Article | undefined {
    let best: LibraryEntry | undefined;
    for (const e of this.#entries.values()) if (!best || compareNewestFirst(e, best) < 0) best = e;
    return best?.article;
  }

  /**
   * Finds an article by id or unique id prefix; with no reference, the newest.
   * @example library.resolve('central-asia') // { ok: true, article }
   */
  resolve(ref?: string): Resolved {
    if (this.#entries.size === 0) return { ok: false, code: 'no-articles', message: 'No briefings are loaded yet.' };
    const wanted = ref?.trim().toLowerCase();
    if (!wanted) return { ok: true, article: this.newest() as Article };
    const exact = this.#entries.get(wanted);
    if (exact) return { ok: true, article: exact.article };
    const matches = [...this.#entries.keys()].filter((id) => id.startsWith(wanted));
    if (matches.length === 1) return { ok: true, article: (this.#entries.get(matches[0] as string) as LibraryEntry).article };
    const known = this.list()
      .slice(0, 5)
      .map((e) => e.article.id)
      .join(', ');
    if (matches.length > 1) {
      return {
        ok: false,
        code: 'ambiguous-article',
        message: `"${ref}" matches ${matches.length} briefings (${matches.slice(0, 5).join(', ')}${matches.length > 5 ? ', …' : ''}): type more of the id.`,
      };
    }
    return { ok: false, code: 'unknown-article', message: `No briefing with id "${ref}". Try one of: ${known}.` };
  }

  /**
   * A passage by id (`<articleId>#p<n>`). Read from its article, not from a table of every
   * passage: articles loaded lazily (see lazy-article.ts) stay unread until asked for.
   */
  passage(passageId: string): Passage | undefined {
    const hash = passageId.lastIndexOf('#');
    if (hash < 0) return undefined;
    const passages = this.#entries.get(passageId.slice(0, hash))?.article.passages;
    if (!passages) return undefined;
    const n = Number(passageId.slice(hash + 2));
    const at = Number.isInteger(n) ? passages[n - 1] : undefined;
    return at?.id === passageId ? at : passages.find((p) => p.id === passageId);
  }

  source(articleId: string, n: number): Source | undefined {
    return this.#entries.get(articleId)?.article.sources.find((s) => s.n === n);
  }

  search(query: string, options?: SearchOptions): SearchResult {
    return this.index.search(query, options);
  }

  /** The same search, run by the offload when one is attached (else here, at once). */
  searchAsync(query: string, options?: SearchOptions): Promise<SearchResult> {
    if (this.#offload) return this.#offload.search(query, options);
    try {
      return Promise.resolve(this.index.search(query, options));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /**
   * Hands searches to `offload` from now on (its copy must equal the index at this moment);
   * returns a function that detaches it. One at a time.
   */
  attachOffload(offload: SearchOffload): () => void {
    if (this.#offload) throw new Error('A search offload is already attached to this library.');
    this.#offload = offload;
    return () => {
      if (this.#offload === offload) this.#offload = undefined;
    };
  }

  /** Called after every add or remove (digests and caches listen). */
  onChange(listener: Listener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  #emit(event: Parameters<Listener>[0]): void {
    for (const l of this.#listeners) l(event);
  }
}

function compareNewestFirst(a: LibraryEntry, b: LibraryEntry): number {
  const ka = a.article.date ?? a.meta.addedAt.slice(0, 10);
  const kb = b.article.date ?? b.meta.addedAt.slice(0, 10);
  if (ka !== kb) return ka < kb ? 1 : -1;
  if (a.meta.addedAt !== b.meta.addedAt) return a.meta.addedAt < b.meta.addedAt ? 1 : -1;
  return a.article.id < b.article.id ? -1 : 1;
}
