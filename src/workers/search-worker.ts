import { parentPort } from 'node:worker_threads';
import type { Article } from '../core/article.ts';
import { type IndexState, PassageIndex } from '../core/search/passage-index.ts';
import type { SearchOptions } from '../core/search/types.ts';

/**
 * A search worker: a copy of the passage index on its own thread. Messages are handled in
 * the order they were posted, so an article added before a search is searchable by it.
 */

/** What the pool posts. */
export type ToWorker =
  | { type: 'init'; state: IndexState }
  | { type: 'add'; article: Article }
  | { type: 'remove'; articleId: string }
  | { type: 'search'; id: number; query: string; options?: SearchOptions };

/** What the worker posts back. */
export type FromWorker =
  | { type: 'ready'; documents: number }
  | { type: 'result'; id: number; result: ReturnType<PassageIndex['search']> }
  | { type: 'failed'; id: number; message: string };

const port = parentPort;
if (!port) throw new Error('search-worker.ts runs as a worker thread (see search-pool.ts).');
let index: PassageIndex | undefined;

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'init':
      index = PassageIndex.fromState(message.state);
      post({ type: 'ready', documents: index.documentCount });
      return;
    case 'add':
      index?.addArticle(message.article);
      return;
    case 'remove':
      index?.removeArticle(message.articleId);
      return;
    case 'search':
      try {
        if (!index) throw new Error('the index is not loaded yet');
        post({ type: 'result', id: message.id, result: index.search(message.query, message.options) });
      } catch (error) {
        post({ type: 'failed', id: message.id, message: error instanceof Error ? error.message : String(error) });
      }
  }
});

function post(message: FromWorker): void {
  port?.postMessage(message);
}
