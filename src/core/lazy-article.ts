import { closeSync, openSync, readSync } from 'node:fs';
import type { Article } from './article.ts';
import { rememberArticleHash } from './search/article-hash.ts';

/**
 * Articles whose bulk (passages, sources, key points, scenarios) stays in a file of the content
 * cache until it is read. A library of 50,000 briefings holds about a million passages; kept
 * as objects they cost gigabytes and seconds to create at every start, while a command only
 * ever reads a few articles. A lazy article is an ordinary `Article` to its readers: the small
 * fields are plain properties, the big ones getters that read and parse the stored JSON on
 * first use. Parsed bodies are kept for the most recently used articles only (see
 * BODY_CACHE_SIZE), so memory stays bounded however many articles a long-running bot reads.
 */

/** Article fields stored apart from the rest and read on first use. */
export const BODY_FIELDS = ['keyPoints', 'passages', 'sources', 'scenarios'] as const;
type BodyField = (typeof BODY_FIELDS)[number];
export type ArticleBody = Pick<Article, BodyField>;
/** Everything but the body: id, title, author, date and any field an importer adds. */
export type ArticleHead = Omit<Article, BodyField>;

/** Where a body is stored: a byte range of a body file, holding the body's JSON. */
export interface BodyRef {
  file: string;
  offset: number;
  length: number;
}

/** A lazy article in a form that crosses threads (structured clone) without reading its body. */
export interface StoredArticle {
  head: ArticleHead;
  body: BodyRef;
  /** The article's index fingerprint (`articleHash`), worked out when it was stored. */
  hash: string;
}

/** Parsed bodies kept per thread (most recently used). */
export const BODY_CACHE_SIZE = 256;

const STORED = Symbol('storedArticle');

/** Splits an article into the head kept in memory and the body stored as JSON. */
export function splitArticle(article: Article): { head: ArticleHead; body: ArticleBody } {
  const head: Record<string, unknown> = {};
  const body: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(article)) {
    if ((BODY_FIELDS as readonly string[]).includes(key)) body[key] = value;
    else head[key] = value;
  }
  return { head: head as ArticleHead, body: body as ArticleBody };
}

/**
 * Reads bodies from body files. A file is opened once per thread and stays open, so a body
 * file that a later start replaces or deletes stays readable to the articles that point at it.
 */
class BodyReader {
  readonly #fds = new Map<string, number>();
  readonly #bodies = new Map<string, ArticleBody>();

  /** Opens a body file now (throws when it cannot be read). */
  open(file: string): number {
    let fd = this.#fds.get(file);
    if (fd === undefined) {
      fd = openSync(file, 'r');
      this.#fds.set(file, fd);
    }
    return fd;
  }

  body(id: string, ref: BodyRef): ArticleBody {
    const key = `${ref.file}\u0000${ref.offset}`;
    const cached = this.#bodies.get(key);
    if (cached) {
      this.#bodies.delete(key);
      this.#bodies.set(key, cached);
      return cached;
    }
    const body = this.#read(id, ref);
    this.#bodies.set(key, body);
    if (this.#bodies.size > BODY_CACHE_SIZE) this.#bodies.delete(this.#bodies.keys().next().value as string);
    return body;
  }

  #read(id: string, ref: BodyRef): ArticleBody {
    const where = `the stored text of "${id}" (${ref.file}, bytes ${ref.offset}-${ref.offset + ref.length})`;
    const buf = Buffer.allocUnsafe(ref.length);
    let parsed: unknown;
    try {
      const fd = this.open(ref.file);
      let got = 0;
      while (got < ref.length) {
        const n = readSync(fd, buf, got, ref.length - got, ref.offset + got);
        if (n === 0) throw new Error('the file is shorter than expected');
        got += n;
      }
      parsed = JSON.parse(buf.toString('utf8'));
    } catch (cause) {
      throw new Error(
        `Content cache: ${where} cannot be read (${cause instanceof Error ? cause.message : String(cause)}); restart the bot to read the content folder again.`,
        { cause },
      );
    }
    const body = parsed as Partial<ArticleBody> | null;
    if (!body || !BODY_FIELDS.every((f) => Array.isArray(body[f]))) {
      throw new Error(`Content cache: ${where} is not an article body; restart the bot to read the content folder again.`);
    }
    return body as ArticleBody;
  }

  /** Closes every file (tests; a bot keeps them open for its lifetime). */
  closeAll(): void {
    for (const fd of this.#fds.values()) closeSync(fd);
    this.#fds.clear();
    this.#bodies.clear();
  }
}

const reader = new BodyReader();

/**
 * An article whose body is read from `stored.body` on first use. The body file is opened at
 * once, so a missing file fails here rather than in the middle of a command.
 * @example lazyArticle(stored).title // from memory; .passages reads the body file
 */
export function lazyArticle(stored: StoredArticle): Article {
  reader.open(stored.body.file);
  const article = { ...stored.head } as Article;
  Object.defineProperty(article, STORED, { value: stored, enumerable: false });
  Object.defineProperties(article, BODY_PROPERTIES);
  rememberArticleHash(article, stored.hash);
  return article;
}

/** The body fields' accessors, shared by every lazy article (they find the body through `this`). */
const BODY_PROPERTIES: PropertyDescriptorMap = Object.fromEntries(
  BODY_FIELDS.map((key) => [
    key,
    {
      enumerable: true,
      configurable: true,
      get(this: Article & { [STORED]: StoredArticle }) {
        const stored = this[STORED];
        return reader.body(stored.head.id, stored.body)[key];
      },
      // Assigning a field turns it into an ordinary property, as on any article.
      set(this: Article, value: unknown) {
        Object.defineProperty(this, key, { value, enumerable: true, configurable: true, writable: true });
      },
    },
  ]),
);

/** The stored form of a lazy article (to hand it to another thread unread), else undefined. */
export function storedArticle(article: Article): StoredArticle | undefined {
  return (article as Article & { [STORED]?: StoredArticle })[STORED];
}

/** Closes the body files this thread opened and forgets parsed bodies (for tests that delete them). */
export function closeBodyFiles(): void {
  reader.closeAll();
}
