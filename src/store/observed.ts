import type { Observer } from '../core/observer.ts';
import type { Store } from './types.ts';

/** The code a failed store call is counted under: a BotError's or a driver's code, else `error`. */
function codeOf(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && code.length <= 40 ? code : 'error';
}

/** A repository whose methods report failures (and registrations) to the observer. */
function observed<T extends object>(name: string, repository: T, observer: Observer): T {
  return new Proxy(repository, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== 'function' || typeof property !== 'string') return value;
      const operation = `${name}.${property}`;
      return async (...args: unknown[]) => {
        try {
          const result = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
          if (operation === 'articles.addRevision') observer.registration?.({ outcome: 'published' });
          else if (operation === 'articles.setHidden' && args[1] === true && (result as number) > 0)
            observer.registration?.({ outcome: 'unregistered' });
          return result;
        } catch (error) {
          observer.storeError?.({ operation, code: codeOf(error) });
          throw error;
        }
      };
    },
  });
}

/**
 * The same store, reporting to `observer`: every failed call (`storeError`, by
 * `repository.method` and code) and every published or unregistered briefing (`registration`),
 * whichever command or process made it.
 */
export function observeStore(store: Store, observer: Observer): Store {
  const watch = store.watchChanges?.bind(store);
  return {
    subscriptions: observed('subscriptions', store.subscriptions, observer),
    deliveries: observed('deliveries', store.deliveries, observer),
    articles: observed('articles', store.articles, observer),
    audit: observed('audit', store.audit, observer),
    keys: observed('keys', store.keys, observer),
    installations: observed('installations', store.installations, observer),
    kind: store.kind,
    location: store.location,
    schemaVersion: () => store.schemaVersion(),
    async ping() {
      try {
        await store.ping();
      } catch (error) {
        observer.storeError?.({ operation: 'ping', code: codeOf(error) });
        throw error;
      }
    },
    close: () => store.close(),
    ...(watch ? { watchChanges: watch } : {}),
  };
}
