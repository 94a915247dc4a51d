import { randomBytes } from 'node:crypto';
import type { Article } from '../core/article.ts';
import type { Platform } from '../core/command.ts';
import type { Library } from '../core/library.ts';
import type {
  AuditRecord,
  ExistingBriefing,
  PublishedBriefing,
  RegistrationPreview,
  RegistrationSource,
  Registry,
  RegistryActor,
  RegistryResult,
} from '../core/registry.ts';
import { type CommandSyntax, syntaxOf } from '../core/syntax.ts';
import type { NewAuditEntry, Store } from '../store/types.ts';
import { type AcquireOptions, acquire } from './acquire.ts';
import { LibraryCatalog } from './catalog.ts';
import type { RawInput } from './decode.ts';
import { applyRevision } from './load.ts';
import { type ParsedBriefing, parseBriefing } from './parse.ts';

export interface RegistryOptions {
  store: Store;
  library: Library;
  /** REGISTER_MAX_BYTES. */
  maxBytes: number;
  /** REGISTER_URL_TIMEOUT_MS. */
  timeoutMs: number;
  /** REGISTER_ALLOW_PRIVATE_URLS. */
  allowPrivate: boolean;
  /** How long a preview can be published (default 30 minutes, Slack's `response_url` lifetime). */
  pendingTtlMs?: number;
  now?: () => Date;
  resolve?: AcquireOptions['resolve'];
}

interface Pending {
  id: string;
  parsed: ParsedBriefing;
  sourceLabel: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

/**
 * A pending registration as kept in the store's shared keys, so the Publish click can reach any
 * bot process (a replica behind a load balancer, or this one after a restart): the bytes as
 * acquired (parsing them again gives the same briefing) and the id the preview chose.
 */
interface StoredPending {
  bytes: string;
  name: string;
  contentType?: string;
  label: string;
  articleId: string;
  userId: string;
  createdAt: number;
  expiresAt: number;
}

/** Parsed pending registrations this process keeps at hand; the oldest are dropped beyond it (the store keeps them all). */
const MAX_PENDING = 200;

/** Shared-key names: the preview, the claim of the one Publish that runs, and its outcome (published or cancelled). */
const pendingKey = (id: string) => `register:pending:${id}`;
const claimKey = (id: string) => `register:claim:${id}`;
const publishedKey = (id: string) => `register:published:${id}`;
const cancelledKey = (id: string) => `register:cancelled:${id}`;

/** Who cancelled a pending registration, kept so a later Publish click can say so. */
interface CancelNote {
  by: string;
  platform: string;
  at: string;
  articleId: string;
}

/** How many recent unregistrations `/unregister` looks through to name the hidden briefings. */
const HIDDEN_LOOKBACK = 50;

/** `2025-06-01 09:30 UTC`. */
const utcMinute = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** Who did it, for messages: the name the platform gave, else the id. */
const nameOf = (actor: RegistryActor) => actor.user.name ?? actor.user.id;

/** `slack:U123`: who, as stored in a revision. */
export function actorKey(actor: RegistryActor): string {
  return `${actor.platform}:${actor.user.id}`;
}

function auditEntry(actor: RegistryActor, at: string, action: string, target: string, detail: Record<string, unknown>): NewAuditEntry {
  return {
    at,
    actor: actor.user.id,
    ...(actor.user.name ? { actorName: actor.user.name } : {}),
    platform: actor.platform,
    ...(actor.channel?.workspaceId ? { workspaceId: actor.channel.workspaceId } : {}),
    ...(actor.channel ? { channelId: actor.channel.id } : {}),
    action,
    target,
    detail,
  };
}

/**
 * The registration service: prepare (fetch, check, parse, preview), publish (a stored revision
 * plus the live library, serialised so concurrent publishes land in revision order), cancel,
 * unregister (hide, keep history) and the audit log.
 */
export function createRegistry(options: RegistryOptions): Registry {
  const { store, library } = options;
  const now = options.now ?? (() => new Date());
  const ttl = options.pendingTtlMs ?? 30 * 60_000;
  const pending = new Map<string, Pending>();
  const iso = (ms: number) => new Date(ms).toISOString();

  /** The outcome of a publish made by any process, for "already published". */
  async function publishedAs(pendingId: string): Promise<{ articleId: string; revision: number } | undefined> {
    const entry = await store.keys.get(publishedKey(pendingId), now().toISOString());
    return entry ? (JSON.parse(entry.value) as { articleId: string; revision: number }) : undefined;
  }

  /** Who cancelled a pending registration in any process, if someone did. */
  async function cancelledBy(pendingId: string): Promise<CancelNote | undefined> {
    const entry = await store.keys.get(cancelledKey(pendingId), now().toISOString()).catch(() => undefined);
    return entry ? (JSON.parse(entry.value) as CancelNote) : undefined;
  }

  const cancelledMessage = (note: CancelNote, say: CommandSyntax) =>
    `This registration of “${note.articleId}” was cancelled by ${note.by} (${note.platform}) at ${utcMinute(note.at)}: nothing was stored. Run ${say.name('register')} again to publish it.`;

  /** A pending registration from this process's memory, else from the store (parsed again). */
  async function findPending(pendingId: string): Promise<Pending | undefined> {
    const t = now().getTime();
    const local = pending.get(pendingId);
    if (local) return local.expiresAt > t ? local : undefined;
    const entry = await store.keys.get(pendingKey(pendingId), iso(t));
    if (!entry) return undefined;
    const saved = JSON.parse(entry.value) as StoredPending;
    const raw: RawInput = {
      bytes: Buffer.from(saved.bytes, 'base64'),
      name: saved.name,
      label: saved.label,
      ...(saved.contentType ? { contentType: saved.contentType } : {}),
    };
    const first = parseBriefing(raw, options.maxBytes);
    const parsed = first.ok && first.article.id !== saved.articleId ? first.withId(saved.articleId) : first;
    if (!parsed.ok) return undefined;
    return {
      id: pendingId,
      parsed,
      sourceLabel: saved.label,
      userId: saved.userId,
      createdAt: saved.createdAt,
      expiresAt: saved.expiresAt,
    };
  }
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };

  const sweep = () => {
    const t = now().getTime();
    for (const [id, p] of pending) if (p.expiresAt <= t) pending.delete(id);
    while (pending.size > MAX_PENDING) pending.delete(pending.keys().next().value as string);
  };

  async function findExisting(
    parsed: ParsedBriefing,
  ): Promise<{ parsed: ParsedBriefing; existing?: ExistingBriefing } | RegistryResult<never>> {
    const { article } = parsed;
    const describe = async (id: string, matchedBy: ExistingBriefing['matchedBy']): Promise<ExistingBriefing | undefined> => {
      const latest = await store.articles.latest(id, { includeHidden: true });
      if (latest) {
        return {
          articleId: id,
          title: latest.article.title,
          revision: latest.revision,
          origin: 'registered',
          matchedBy,
          hidden: latest.hidden,
          identical: latest.rawSha256 === parsed.rawSha256,
          registeredAt: latest.registeredAt,
          registeredBy: latest.registeredBy,
        };
      }
      const loaded = library.get(id);
      if (!loaded) return undefined;
      return { articleId: id, title: loaded.article.title, revision: 0, origin: 'content', matchedBy, hidden: false, identical: false };
    };
    const byId = await describe(article.id, 'id');
    if (byId) return { parsed, existing: byId };
    const twin = catalog.withTitleOf(article)[0];
    if (!twin) return { parsed };
    const again = parsed.withId(twin);
    if (!again.ok) return again;
    const existing = await describe(twin, 'title-author');
    return existing ? { parsed: again, existing } : { parsed: again };
  }

  const catalog = new LibraryCatalog(library);
  const registeredIds = () => catalog.registeredIds();

  return {
    async prepare(source: RegistrationSource, actor: RegistryActor) {
      const raw = await acquire(source, options);
      if ('ok' in raw) return raw;
      const parsed = parseBriefing(raw, options.maxBytes);
      if (!parsed.ok) return parsed;
      const found = await findExisting(parsed);
      if ('ok' in found) return found;
      sweep();
      const created = now().getTime();
      const entry: Pending = {
        id: randomBytes(9).toString('base64url'),
        parsed: found.parsed,
        sourceLabel: raw.label,
        userId: actorKey(actor),
        createdAt: created,
        expiresAt: created + ttl,
      };
      const saved: StoredPending = {
        bytes: Buffer.from(raw.bytes).toString('base64'),
        name: raw.name,
        ...(raw.contentType ? { contentType: raw.contentType } : {}),
        label: raw.label,
        articleId: found.parsed.article.id,
        userId: entry.userId,
        createdAt: created,
        expiresAt: entry.expiresAt,
      };
      await store.keys.put(pendingKey(entry.id), JSON.stringify(saved), iso(created), iso(entry.expiresAt));
      pending.set(entry.id, entry);
      const preview: RegistrationPreview = {
        pendingId: entry.id,
        expiresAt: new Date(entry.expiresAt).toISOString(),
        sourceLabel: raw.label,
        format: found.parsed.article.format,
        article: found.parsed.article,
        warnings: found.parsed.warnings,
        linesOf: found.parsed.linesOf,
        ...(found.existing ? { existing: found.existing } : {}),
      };
      return { ok: true, preview };
    },

    async publish(pendingId, actor) {
      const alreadyPublished = async (): Promise<RegistryResult<never> | undefined> => {
        const done = await publishedAs(pendingId);
        return done
          ? {
              ok: false,
              code: 'already-published',
              message: `This registration was already published as revision ${done.revision} of ${done.articleId}.`,
            }
          : undefined;
      };
      const before = await alreadyPublished();
      if (before) return before;
      const say = actor.syntax ?? syntaxOf({});
      const entry = await findPending(pendingId);
      if (!entry) {
        pending.delete(pendingId);
        const cancelled = await cancelledBy(pendingId);
        if (cancelled) return { ok: false, code: 'cancelled', message: cancelledMessage(cancelled, say) };
        return {
          ok: false,
          code: 'expired',
          message: `Registration "${pendingId.slice(0, 20)}" has expired or is unknown (previews last ${Math.round(ttl / 60_000)} minutes): run ${say.name('register')} again.`,
        };
      }
      if (entry.userId !== actorKey(actor)) {
        return { ok: false, code: 'not-yours', message: 'Only the moderator who started this registration can publish or cancel it.' };
      }
      // One Publish runs, whichever process each click reached; a failed one frees the claim.
      const at0 = now().getTime();
      const claim = await store.keys.putIfAbsent(claimKey(pendingId), actorKey(actor), iso(at0), iso(entry.expiresAt));
      if (!claim.created) {
        // A Cancel on another process claims it too (this one may still hold the preview).
        const cancelled = await cancelledBy(pendingId);
        if (cancelled) {
          pending.delete(pendingId);
          return { ok: false, code: 'cancelled', message: cancelledMessage(cancelled, say) };
        }
        return (
          (await alreadyPublished()) ?? {
            ok: false,
            code: 'in-progress',
            message: 'This registration is being published already (a second click): its result follows.',
          }
        );
      }
      pending.delete(pendingId);
      return serial(async () => {
        const article: Article = entry.parsed.article;
        const at = now().toISOString();
        const previous = library.get(article.id);
        const revision = await store.articles
          .addRevision(
            { article, rawSha256: entry.parsed.rawSha256, sourceName: entry.sourceLabel, registeredBy: actorKey(actor), registeredAt: at },
            auditEntry(actor, at, 'article.register', article.id, {
              title: article.title,
              source: entry.sourceLabel,
              format: article.format,
              passages: article.passages.length,
              sources: article.sources.length,
            }),
          )
          .catch(async (error: unknown) => {
            pending.set(pendingId, entry);
            await store.keys.delete(claimKey(pendingId)).catch(() => false);
            throw error;
          });
        applyRevision(library, revision);
        const doneAt = now().getTime();
        await Promise.all([
          store.keys.put(
            publishedKey(pendingId),
            JSON.stringify({ articleId: article.id, revision: revision.revision }),
            iso(doneAt),
            iso(doneAt + ttl),
          ),
          store.keys.delete(pendingKey(pendingId)),
        ]).catch(() => undefined); // the revision is stored; a lost note only changes a later click's message
        const result: PublishedBriefing = {
          articleId: article.id,
          title: article.title,
          revision: revision.revision,
          registeredAt: at,
          passages: article.passages.length,
          sources: article.sources.length,
          replaced: previous !== undefined,
        };
        return { ok: true as const, published: result };
      });
    },

    async cancel(pendingId, actor) {
      const say = actor.syntax ?? syntaxOf({});
      const entry = await findPending(pendingId);
      if (!entry) {
        const done = await publishedAs(pendingId);
        if (done)
          return {
            ok: false,
            code: 'already-published',
            message: `Too late to cancel: it was published as revision ${done.revision} of ${done.articleId}. ${say.mention('unregister', { id: done.articleId })} hides it.`,
          };
        const cancelled = await cancelledBy(pendingId);
        if (cancelled)
          return {
            ok: false,
            code: 'cancelled',
            message: `This registration of “${cancelled.articleId}” was already cancelled by ${cancelled.by} (${cancelled.platform}) at ${utcMinute(cancelled.at)}: nothing was stored.`,
          };
        return {
          ok: false,
          code: 'expired',
          message: `Registration "${pendingId.slice(0, 20)}" has expired or is unknown: nothing was stored.`,
        };
      }
      if (entry.userId !== actorKey(actor))
        return { ok: false, code: 'not-yours', message: 'Only the moderator who started this registration can publish or cancel it.' };
      const claim = await store.keys.putIfAbsent(claimKey(pendingId), actorKey(actor), now().toISOString(), iso(entry.expiresAt));
      if (!claim.created)
        return {
          ok: false,
          code: 'already-published',
          message: 'Too late to cancel: this registration is being published or was published.',
        };
      pending.delete(pendingId);
      const at = now();
      const note: CancelNote = { by: nameOf(actor), platform: actor.platform, at: at.toISOString(), articleId: entry.parsed.article.id };
      await Promise.all([
        store.keys.delete(pendingKey(pendingId)),
        // Only a later click's message depends on it: a note that cannot be stored loses nothing.
        store.keys.put(cancelledKey(pendingId), JSON.stringify(note), at.toISOString(), iso(at.getTime() + ttl)).catch(() => undefined),
      ]);
      return { ok: true, articleId: entry.parsed.article.id, title: entry.parsed.article.title };
    },

    async unregister(articleId, actor): Promise<RegistryResult<{ articleId: string; title: string; revisions: number }>> {
      const id = articleId.trim().toLowerCase();
      const say = actor.syntax ?? syntaxOf({});
      return serial(async () => {
        const latest = await store.articles.latest(id, { includeHidden: true });
        if (!latest) {
          if (library.get(id)?.meta.origin === 'content') {
            return {
              ok: false as const,
              code: 'shipped',
              message: `"${id}" ships with the bot (the content folder) and was never registered: remove its file from BRIEFING_CONTENT_DIR to retire it.`,
            };
          }
          return {
            ok: false as const,
            code: 'unknown-article',
            message: `No registered briefing with id "${articleId.slice(0, 80)}". ${await whatIsRegistered(say)}`,
          };
        }
        if (latest.hidden) {
          const gone = await lastUnregistered(id);
          const who = gone ? ` by ${gone.by}${gone.at ? ` on ${utcMinute(gone.at)}` : ''}` : '';
          return {
            ok: false as const,
            code: 'already-unregistered',
            message: `"${id}" was already unregistered${who}; registering it again (${say.name('register')}) restores it.`,
          };
        }
        const revisions = (await store.articles.revisions(id)).length;
        const at = now().toISOString();
        await store.articles.setHidden(id, true, {
          audit: auditEntry(actor, at, 'article.unregister', id, { title: latest.article.title, revisions }),
        });
        library.remove(id);
        return { ok: true as const, articleId: id, title: latest.article.title, revisions };
      });
    },

    async audit(filter = {}): Promise<AuditRecord[]> {
      const { visibleTo, ...rest } = filter;
      // Registrations change what every workspace sees: their entries are everyone's.
      return store.audit.list({ ...rest, ...(visibleTo ? { visibleTo: { ...visibleTo, sharedPrefix: 'article.' } } : {}) });
    },

    registeredIds,

    async unregistered(articleId) {
      const id = articleId.trim().toLowerCase();
      if (library.get(id)) return undefined;
      const latest = await store.articles.latest(id, { includeHidden: true });
      if (!latest?.hidden) return undefined;
      const gone = await lastUnregistered(id);
      return { articleId: id, title: latest.article.title, revisions: latest.revision, ...gone };
    },
  };

  /** Who unregistered a briefing last, and when, from the audit log. */
  async function lastUnregistered(id: string): Promise<{ by: string; at: string; platform?: Platform } | undefined> {
    const [entry] = await store.audit.list({ target: id, action: 'article.unregister', limit: 1 });
    if (!entry) return undefined;
    return { by: entry.actorName ?? entry.actor, at: entry.at, ...(entry.platform ? { platform: entry.platform } : {}) };
  }

  /**
   * What `/unregister` can act on, for an id it cannot: the registered ids, and the briefings
   * unregistered lately (hidden, not gone: the audit log lists them).
   */
  async function whatIsRegistered(say: CommandSyntax): Promise<string> {
    const live = registeredIds();
    const recent = await store.audit.list({ action: 'article.unregister', limit: HIDDEN_LOOKBACK });
    const hidden = [...new Set(recent.map((e) => e.target).filter((t): t is string => Boolean(t) && !library.get(t as string)))];
    const registered = live.length
      ? `Registered: ${live.slice(0, 10).join(', ')}${live.length > 10 ? ` and ${live.length - 10} more` : ''}.`
      : hidden.length
        ? 'None is registered now.'
        : 'None is registered yet.';
    if (!hidden.length) return registered;
    const audit = say.name('audit');
    return `${registered} Already unregistered (hidden; ${audit} lists them): ${hidden.slice(0, 10).join(', ')}${hidden.length > 10 ? ', …' : ''}.`;
  }
}
