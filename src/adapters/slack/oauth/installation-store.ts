import type { InstallationQuery as BoltQuery, Installation, InstallationStore } from '@slack/bolt';
import { BotError } from '../../../core/errors.ts';
import { installationKey } from '../../../store/installation-key.ts';
import type { InstallationQuery, InstallationRepository, NewAuditEntry } from '../../../store/types.ts';
import { installationWorkspaceId } from '../workspace.ts';
import type { TokenCipher } from './token-cipher.ts';

/**
 * Bolt's InstallationStore over the bot's store: each installation is one row, keyed by team (or
 * organisation for an organisation-wide install), its record sealed with the token key. A lookup
 * for a workspace that has no installation fails with `NotInstalledError`, which the adapter
 * answers as such (not as a fault).
 */

/** No installation covers the workspace a request came from (never installed, or uninstalled). */
export class NotInstalledError extends BotError {
  readonly workspaceId: string | undefined;
  constructor(query: InstallationQuery) {
    const id = installationWorkspaceId(query);
    super('slack-not-installed', `briefing-bot is not installed in Slack workspace ${id ?? '(unknown)'}`);
    this.name = 'NotInstalledError';
    this.workspaceId = id;
  }
}

export interface SlackInstallationsOptions {
  installations: InstallationRepository;
  cipher: TokenCipher;
  now: () => Date;
}

/** The store's query for an installation record or a Bolt query. */
export function queryOf(source: {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  isEnterpriseInstall?: boolean;
}): InstallationQuery {
  const enterpriseInstall = source.isEnterpriseInstall === true;
  return {
    ...(!enterpriseInstall && source.teamId ? { teamId: source.teamId } : {}),
    ...(source.enterpriseId ? { enterpriseId: source.enterpriseId } : {}),
    enterpriseInstall,
  };
}

function queryOfInstallation(installation: Installation): InstallationQuery {
  return queryOf({
    teamId: installation.team?.id,
    enterpriseId: installation.enterprise?.id,
    isEnterpriseInstall: installation.isEnterpriseInstall === true,
  });
}

/** Installations in the store, sealed; also what the rest of the adapter reads them through. */
export class SlackInstallations implements InstallationStore {
  readonly #repo: InstallationRepository;
  readonly #cipher: TokenCipher;
  readonly #now: () => Date;

  constructor(options: SlackInstallationsOptions) {
    this.#repo = options.installations;
    this.#cipher = options.cipher;
    this.#now = options.now;
  }

  async storeInstallation(installation: Installation): Promise<void> {
    const query = queryOfInstallation(installation);
    const key = installationKey(query);
    const at = this.#now().toISOString();
    const workspaceId = installationWorkspaceId(query);
    await this.#repo.save(
      { ...query, payload: this.#cipher.seal(JSON.stringify(installation), key), at },
      {
        at,
        actor: installation.user.id,
        platform: 'slack',
        ...(workspaceId ? { workspaceId } : {}),
        action: 'slack.install',
        target: key,
        detail: {
          ...(installation.team?.name ? { team: installation.team.name } : {}),
          ...(installation.enterprise?.name ? { enterprise: installation.enterprise.name } : {}),
          scopes: installation.bot?.scopes ?? [],
        },
      },
    );
  }

  async fetchInstallation(query: BoltQuery<boolean>): Promise<Installation> {
    const found = await this.find(queryOf(query));
    if (!found) throw new NotInstalledError(queryOf(query));
    return found;
  }

  async deleteInstallation(query: BoltQuery<boolean>): Promise<void> {
    await this.remove(queryOf(query), 'slack');
  }

  /** The installation record, or undefined when none is stored. Throws when it does not decrypt. */
  async find(query: InstallationQuery): Promise<Installation | undefined> {
    const row = await this.#repo.find(query);
    if (!row) return undefined;
    return JSON.parse(this.#cipher.open(row.payload, installationKey(query))) as Installation;
  }

  /** Deletes one installation, with an audit entry naming why; false when there was none. */
  async remove(query: InstallationQuery, reason: string): Promise<boolean> {
    const at = this.#now().toISOString();
    const workspaceId = installationWorkspaceId(query);
    const audit: NewAuditEntry = {
      at,
      actor: 'slack',
      platform: 'slack',
      ...(workspaceId ? { workspaceId } : {}),
      action: 'slack.uninstall',
      target: installationKey(query),
      detail: { reason },
    };
    return this.#repo.delete(query, audit);
  }

  /**
   * Opens one stored installation, so a wrong SLACK_TOKEN_ENCRYPTION_KEY stops the bot at start
   * instead of failing every request. Returns how many installations are stored.
   */
  async check(): Promise<number> {
    const rows = await this.#repo.list();
    const first = rows[0];
    if (first) this.#cipher.open(first.payload, installationKey(first));
    return rows.length;
  }
}
