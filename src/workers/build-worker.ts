import { parentPort } from 'node:worker_threads';
import type { Article } from '../core/article.ts';
import { type ParsedContent, parseContent } from '../core/content-cache.ts';
import { lazyArticle, type StoredArticle } from '../core/lazy-article.ts';
import type { AcronymDefinition } from '../core/search/acronyms.ts';
import { buildFrozen } from '../core/search/bulk-build.ts';
import type { FrozenData } from '../core/search/frozen.ts';

/**
 * A build worker: parses content files and builds parts of the frozen index for the bot's
 * first start (see build-pool.ts). Lazy articles arrive in their stored form and are read here
 * from the content cache; the built arrays go back on shared memory, without a copy.
 */

/** What the pool posts. */
export type ToBuildWorker =
  | { type: 'parse'; id: number; files: { name: string; bytes: Uint8Array }[] }
  | { type: 'build'; id: number; articles: ({ article: Article } | { stored: StoredArticle })[] };

/** What the worker posts back. */
export type FromBuildWorker =
  | { type: 'parsed'; id: number; results: ParsedContent[] }
  | { type: 'built'; id: number; data: FrozenData; articles: { hash: string; acronyms: AcronymDefinition[] }[] }
  | { type: 'failed'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('build-worker.ts runs as a worker thread (see build-pool.ts).');

port.on('message', (message: ToBuildWorker) => {
  void handle(message).then(
    (reply) => port.postMessage(reply),
    (error: unknown) =>
      port.postMessage({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) }),
  );
});

async function handle(message: ToBuildWorker): Promise<FromBuildWorker> {
  if (message.type === 'parse') {
    return { type: 'parsed', id: message.id, results: message.files.map((f) => parseContent(f.name, f.bytes)) };
  }
  const articles = message.articles.map((a) => ('stored' in a ? lazyArticle(a.stored) : a.article));
  const { data, articles: built } = await buildFrozen(articles, { sliceMs: Number.POSITIVE_INFINITY });
  return { type: 'built', id: message.id, data, articles: built.map((b) => ({ hash: b.hash, acronyms: b.acronyms })) };
}
