import { articleSchema } from '../core/article.ts';
import type { Library } from '../core/library.ts';
import type { ArticleRevision, Store } from '../store/types.ts';

/**
 * Brings the library in line with one stored revision: a hidden (unregistered) latest revision
 * removes the briefing; a visible one is added unless the library already holds that revision
 * or a newer one (so concurrent publishes and the watcher never step back).
 */
export function applyRevision(library: Library, revision: ArticleRevision): 'added' | 'removed' | 'unchanged' {
  const current = library.get(revision.id);
  if (revision.hidden) return library.remove(revision.id) ? 'removed' : 'unchanged';
  if (current?.meta.origin === 'registered' && (current.meta.revision ?? 0) >= revision.revision) return 'unchanged';
  library.add(revision.article, { addedAt: revision.registeredAt, origin: 'registered', revision: revision.revision });
  return 'added';
}

export interface LoadReport {
  loaded: number;
  /** Unregistered briefings left out (and taken out of the library when shipped content had loaded them). */
  hidden: number;
  /** Stored revisions that no longer validate, skipped. */
  problems: { id: string; revision: number; message: string }[];
  /** The newest audit entry id when loading started (where {@link watchRegistrations} resumes). */
  auditId: number;
}

/**
 * Loads every registered briefing (the latest revision of each, unless unregistered) into the
 * library; call it at start after the shipped content is loaded, so a registered revision
 * replaces a shipped briefing with the same id and an unregistered one stays out.
 * @example const report = await loadRegistered(store, library); // { loaded: 3, hidden: 0, … }
 */
export async function loadRegistered(store: Store, library: Library): Promise<LoadReport> {
  const auditId = (await store.audit.list({ limit: 1 }))[0]?.id ?? 0;
  const report: LoadReport = { loaded: 0, hidden: 0, problems: [], auditId };
  for (const revision of await store.articles.listLatest({ includeHidden: true })) {
    if (!revision.hidden) {
      const checked = articleSchema.safeParse(revision.article);
      if (!checked.success) {
        const issue = checked.error.issues[0];
        report.problems.push({
          id: revision.id,
          revision: revision.revision,
          message: `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`,
        });
        continue;
      }
      revision.article = checked.data;
    }
    const outcome = applyRevision(library, revision);
    if (revision.hidden) report.hidden++;
    else if (outcome === 'added') report.loaded++;
  }
  return report;
}

export interface Watcher {
  /**
   * Applies what other processes registered or unregistered since the last check. A call made
   * while a check runs waits for it and then checks once more (calls made meanwhile share that one).
   */
  poll(): Promise<number>;
  /** Resolves true once the store notifies this watcher of changes (PostgreSQL), false when it only polls. */
  readonly notified: Promise<boolean>;
  stop(): void;
}

/** How often the watcher polls: the only way to learn of changes on SQLite, a safety net beside notifications. */
export const POLL_INTERVAL_MS = 3_000;
export const SAFETY_POLL_INTERVAL_MS = 30_000;

/**
 * Keeps a long-running bot in step with registrations made by other processes (the CLI, other
 * bot replicas): it reads the audit log past the last entry seen and applies the latest revision
 * of every briefing registered or unregistered there. One indexed query when nothing changed.
 *
 * Where the store notifies (`watchChanges`, PostgreSQL) it checks as soon as another process
 * commits a change, and again whenever the notification connection comes back (what was missed
 * meanwhile), polling every 30 s only as a safety net; elsewhere it polls every 3 s.
 * `intervalMs` overrides either interval.
 */
export function watchRegistrations(
  store: Store,
  library: Library,
  options: { since: number; intervalMs?: number; onError?: (error: unknown) => void },
): Watcher {
  let seen = options.since;
  const PAGE = 200;
  const check = async (): Promise<number> => {
    const entries = await store.audit.list({ limit: PAGE });
    const newest = entries[0]?.id ?? 0;
    if (newest < seen) {
      // The log went backwards: the database was replaced (a backup restored). Apply what it holds now.
      seen = newest;
      let changed = 0;
      for (const revision of await store.articles.listLatest({ includeHidden: true }))
        if (applyRevision(library, revision) !== 'unchanged') changed++;
      return changed;
    }
    const fresh = entries.filter((e) => e.id > seen);
    if (fresh.length === 0) return 0;
    const overflow = fresh.length === PAGE && (entries.at(-1)?.id ?? 0) > seen + 1;
    seen = Math.max(...fresh.map((e) => e.id));
    let changed = 0;
    if (overflow) {
      for (const revision of await store.articles.listLatest({ includeHidden: true }))
        if (applyRevision(library, revision) !== 'unchanged') changed++;
      return changed;
    }
    const targets = new Set(fresh.filter((e) => e.action.startsWith('article.') && e.target).map((e) => e.target as string));
    for (const id of targets) {
      const latest = await store.articles.latest(id, { includeHidden: true });
      if (latest && applyRevision(library, latest) !== 'unchanged') changed++;
    }
    return changed;
  };
  // One check at a time; a change announced during a check is read by one more check after it.
  let running: Promise<number> | undefined;
  let queued: Promise<number> | undefined;
  const poll = (): Promise<number> => {
    if (!running) {
      running = check().finally(() => {
        running = undefined;
      });
      return running;
    }
    queued ??= running
      .catch(() => 0)
      .then(() => {
        queued = undefined;
        return poll();
      });
    return queued;
  };
  const report = (error: unknown) => options.onError?.(error);
  const pollNow = () => {
    poll().catch(report);
  };

  let stopped = false;
  let subscription: { stop(): Promise<void> } | undefined;
  const notified: Promise<boolean> = store.watchChanges
    ? store.watchChanges(pollNow).then(
        (handle) => {
          if (stopped) handle.stop().catch(report);
          else subscription = handle;
          return true;
        },
        (error: unknown) => {
          report(error);
          return false;
        },
      )
    : Promise.resolve(false);
  const timer = setInterval(pollNow, options.intervalMs ?? (store.watchChanges ? SAFETY_POLL_INTERVAL_MS : POLL_INTERVAL_MS));
  timer.unref();
  return {
    poll,
    notified,
    stop() {
      stopped = true;
      clearInterval(timer);
      subscription?.stop().catch(report);
      subscription = undefined;
    },
  };
}
