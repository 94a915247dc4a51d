import { createHash } from 'node:crypto';
import type { Article } from '../article.ts';

/**
 * The fingerprint of everything in an article that the index depends on. On its own, with
 * nothing else imported, so the content cache can store it and is discarded when (and only
 * when) this function changes (see source-fingerprint.ts).
 */

const hashes = new WeakMap<Article, string>();

/** Fingerprint of everything in an article that the index depends on (cached per object). */
export function articleHash(article: Article): string {
  const cached = hashes.get(article);
  if (cached) return cached;
  const h = createHash('sha1');
  h.update(article.id);
  // Indexed in the document about the article (see documents.ts).
  h.update(`\u0005${article.author?.name ?? ''}`);
  for (const k of article.keyPoints) h.update(`\u0001${k}`);
  for (const p of article.passages) h.update(`\u0002${p.id}\u0000${p.text}\u0000${p.citations.join(',')}\u0000${p.scenario ?? ''}`);
  for (const s of article.sources) h.update(`\u0003${s.n}\u0000${s.title}\u0000${s.outlet}\u0000${s.author ?? ''}`);
  for (const s of article.scenarios) h.update(`\u0004${s.slug}\u0000${s.label}`);
  const digest = h.digest('hex');
  hashes.set(article, digest);
  return digest;
}

/**
 * Records an article's fingerprint worked out earlier (by the content cache), so asking for it
 * does not read the whole article.
 */
export function rememberArticleHash(article: Article, hash: string): void {
  hashes.set(article, hash);
}
