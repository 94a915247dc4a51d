/**
 * Who counts as a moderator in Slack. With one bot token: the user ids listed in
 * SLACK_MODERATORS, or members of the user group SLACK_MODERATOR_GROUP (read with
 * usergroups.users.list and cached). With many workspaces (OAuth) see
 * src/adapters/slack/oauth/moderators.ts.
 */

/**
 * - `workspace`: the action stays inside the user's workspace (digest subscriptions of its channels).
 * - `library`: the action changes or reveals what every workspace sees (registering briefings, the audit log).
 */
export type ModeratorScope = 'workspace' | 'library';

/** What a moderator check knows about the user. */
export interface ModeratorQuery {
  userId: string;
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  /** See src/adapters/slack/workspace.ts. */
  workspaceId?: string | undefined;
  scope: ModeratorScope;
  /** The workspace's Web API client (its bot token), for lookups in that workspace. */
  client?: unknown;
}

/** Decides whether a user may run moderator commands. Never throws. */
export interface ModeratorPolicy {
  isModerator(query: ModeratorQuery): Promise<boolean>;
  /** Drops what is cached about a workspace (it uninstalled). */
  forget?(workspaceId: string): void;
}

/** Token mode: one workspace, so the scope makes no difference. */
export function tokenModerators(moderators: Moderators): ModeratorPolicy {
  return { isModerator: (query) => moderators.isModerator(query.userId) };
}

export interface UsergroupReader {
  usergroups: {
    users: {
      list(args: { usergroup: string }): Promise<{ ok?: boolean; users?: string[]; error?: string }>;
    };
  };
}

export interface ModeratorOptions {
  userIds: readonly string[];
  groupId?: string;
  client: UsergroupReader;
  now: () => number;
  /** How long a successful group lookup is trusted (default 5 minutes). */
  ttlMs?: number;
  /** How long a failed lookup is not retried (default 30 seconds). */
  failureTtlMs?: number;
  onError?: (error: unknown) => void;
}

export class Moderators {
  readonly #ids: Set<string>;
  readonly #options: ModeratorOptions;
  #members: Set<string> | undefined;
  #fetchedAt = Number.NEGATIVE_INFINITY;
  #failedAt = Number.NEGATIVE_INFINITY;
  #pending: Promise<void> | undefined;

  constructor(options: ModeratorOptions) {
    this.#options = options;
    this.#ids = new Set(options.userIds);
  }

  /** True when the user is listed or belongs to the moderator group. Never throws. */
  async isModerator(userId: string): Promise<boolean> {
    if (this.#ids.has(userId)) return true;
    if (!this.#options.groupId) return false;
    await this.#refresh();
    return this.#members?.has(userId) ?? false;
  }

  async #refresh(): Promise<void> {
    const now = this.#options.now();
    const fresh = now - this.#fetchedAt < (this.#options.ttlMs ?? 300_000);
    const backingOff = now - this.#failedAt < (this.#options.failureTtlMs ?? 30_000);
    if (fresh || backingOff) return;
    this.#pending ??= this.#load().finally(() => {
      this.#pending = undefined;
    });
    await this.#pending;
  }

  async #load(): Promise<void> {
    try {
      const result = await this.#options.client.usergroups.users.list({ usergroup: this.#options.groupId as string });
      if (result.ok === false) throw new Error(`usergroups.users.list failed: ${result.error ?? 'unknown error'}`);
      this.#members = new Set(result.users ?? []);
      this.#fetchedAt = this.#options.now();
    } catch (error) {
      // Keep the last known members (if any) and try again after a short pause.
      this.#failedAt = this.#options.now();
      this.#options.onError?.(error);
    }
  }
}
