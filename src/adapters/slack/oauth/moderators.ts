import type { ModeratorPolicy, ModeratorQuery, UsergroupReader } from '../moderators.ts';

/**
 * Moderators with many workspaces (OAuth mode). Two levels, because anyone can install the app
 * in a workspace of their own and become its admin there:
 *
 * - Workspace moderators may manage digest subscriptions in their own workspace's channels: its
 *   admins and owners (`users.info`), the user who installed the app there, and the listed ones.
 * - Library moderators may also register and unregister briefings and read the audit log, which
 *   every workspace shares: only the users listed by the operator, in SLACK_MODERATORS as
 *   `T0123:U0456` (a workspace's user) or in SLACK_MODERATOR_GROUP as `T0123:S0789` (a user
 *   group of that workspace).
 *
 * Lookups are cached per workspace and user (5 minutes; a failed lookup counts as "no" and is
 * retried after 30 seconds).
 */

export interface UsersInfoReader {
  users: {
    info(args: { user: string }): Promise<{ ok?: boolean; user?: { is_admin?: boolean; is_owner?: boolean; is_primary_owner?: boolean } }>;
  };
}

export interface WorkspaceModeratorOptions {
  /** `T…:U…` (or `E…:W…` for an organisation's user) entries of SLACK_MODERATORS. */
  listed: readonly string[];
  /** `T…:S…` entries of SLACK_MODERATOR_GROUP. */
  groups: readonly string[];
  /** The user who installed the app in a workspace, if known. */
  installerOf(workspaceId: string): Promise<string | undefined>;
  now: () => number;
  ttlMs?: number;
  failureTtlMs?: number;
  onError?: (error: unknown, what: string) => void;
}

interface Cached {
  value: boolean;
  until: number;
}

export class WorkspaceModerators implements ModeratorPolicy {
  readonly #listed: Set<string>;
  readonly #groups = new Map<string, string>();
  readonly #options: WorkspaceModeratorOptions;
  readonly #cache = new Map<string, Cached>();
  readonly #groupCache = new Map<string, { members: Set<string>; until: number }>();

  constructor(options: WorkspaceModeratorOptions) {
    this.#options = options;
    this.#listed = new Set(options.listed);
    for (const entry of options.groups) {
      const [team, group] = entry.split(':');
      if (team && group) this.#groups.set(team, group);
    }
  }

  async isModerator(query: ModeratorQuery): Promise<boolean> {
    const owners = [query.teamId, query.enterpriseId].filter((x): x is string => Boolean(x));
    if (owners.some((owner) => this.#listed.has(`${owner}:${query.userId}`))) return true;
    if (await this.#inGroup(query, owners)) return true;
    if (query.scope !== 'workspace' || !query.workspaceId) return false;
    const key = `${query.workspaceId}:${query.userId}`;
    const cached = this.#cache.get(key);
    const now = this.#options.now();
    if (cached && cached.until > now) return cached.value;
    let value = false;
    let ttl = this.#options.ttlMs ?? 300_000;
    try {
      value = (await this.#options.installerOf(query.workspaceId)) === query.userId || (await this.#isAdmin(query));
    } catch (error) {
      ttl = this.#options.failureTtlMs ?? 30_000;
      this.#options.onError?.(error, 'users.info');
    }
    this.#cache.set(key, { value, until: now + ttl });
    if (this.#cache.size > 50_000) this.#cache.delete(this.#cache.keys().next().value as string);
    return value;
  }

  forget(workspaceId: string): void {
    for (const key of [...this.#cache.keys()]) if (key.startsWith(`${workspaceId}:`)) this.#cache.delete(key);
    for (const team of workspaceId.split(':')) this.#groupCache.delete(team);
  }

  async #isAdmin(query: ModeratorQuery): Promise<boolean> {
    const client = query.client as UsersInfoReader | undefined;
    if (!client?.users?.info) return false;
    const result = await client.users.info({ user: query.userId });
    const user = result.user;
    return Boolean(user && (user.is_admin || user.is_owner || user.is_primary_owner));
  }

  async #inGroup(query: ModeratorQuery, owners: string[]): Promise<boolean> {
    const team = owners.find((owner) => this.#groups.has(owner));
    const client = query.client as UsergroupReader | undefined;
    if (!team || !client?.usergroups) return false;
    const now = this.#options.now();
    let cached = this.#groupCache.get(team);
    if (!cached || cached.until <= now) {
      try {
        const result = await client.usergroups.users.list({ usergroup: this.#groups.get(team) as string });
        if (result.ok === false) throw new Error(`usergroups.users.list failed: ${result.error ?? 'unknown error'}`);
        cached = { members: new Set(result.users ?? []), until: now + (this.#options.ttlMs ?? 300_000) };
      } catch (error) {
        this.#options.onError?.(error, 'usergroups.users.list');
        cached = { members: cached?.members ?? new Set(), until: now + (this.#options.failureTtlMs ?? 30_000) };
      }
      this.#groupCache.set(team, cached);
    }
    return cached.members.has(query.userId);
  }
}
