import type { Article } from '../core/article.ts';
import type { Library } from '../core/library.ts';

/** Title and author folded for comparison: case, accents and punctuation ignored. */
export function titleKey(article: Pick<Article, 'title' | 'author'>): string {
  const fold = (s: string | undefined) =>
    (s ?? '')
      .normalize('NFKD')
      .replace(/[\u0300-\u036f]/g, '')
      .toLowerCase()
      .replace(/[^\p{L}\p{N}]+/gu, ' ')
      .trim();
  return `${fold(article.title)}\u0000${fold(article.author?.name)}`;
}

/**
 * What registration looks up in the library on every preview and keystroke, kept up to date
 * from the library's change events instead of scanning (and sorting) every entry: briefings by
 * title and author, and the ids of the registered ones.
 */
export class LibraryCatalog {
  readonly #library: Library;
  readonly #byTitle = new Map<string, Set<string>>();
  readonly #keyOf = new Map<string, string>();
  readonly #registered = new Set<string>();
  readonly #unsubscribe: () => void;

  constructor(library: Library) {
    this.#library = library;
    for (const entry of library.list()) this.#track(entry.article.id);
    this.#unsubscribe = library.onChange((event) =>
      event.type === 'added' ? this.#track(event.articleId) : this.#untrack(event.articleId),
    );
  }

  /** Ids of loaded briefings with this title and author (usually none or one). */
  withTitleOf(article: Pick<Article, 'title' | 'author'>): string[] {
    return [...(this.#byTitle.get(titleKey(article)) ?? [])];
  }

  /** Ids of the registered briefings that are loaded, in registration order. */
  registeredIds(): string[] {
    return [...this.#registered];
  }

  close(): void {
    this.#unsubscribe();
  }

  #track(id: string): void {
    this.#untrack(id);
    const entry = this.#library.get(id);
    if (!entry) return;
    const key = titleKey(entry.article);
    const ids = this.#byTitle.get(key) ?? new Set<string>();
    ids.add(id);
    this.#byTitle.set(key, ids);
    this.#keyOf.set(id, key);
    if (entry.meta.origin === 'registered') this.#registered.add(id);
  }

  #untrack(id: string): void {
    this.#registered.delete(id);
    const key = this.#keyOf.get(id);
    if (key === undefined) return;
    const ids = this.#byTitle.get(key);
    ids?.delete(id);
    if (ids?.size === 0) this.#byTitle.delete(key);
    this.#keyOf.delete(id);
  }
}
