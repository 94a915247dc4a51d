import type { App } from '@slack/bolt';
import type { Logger } from 'pino';
import type { KeyStore, SubscriptionRepository } from '../../../store/types.ts';
import { coveredBy, installationWorkspaceId, keyPrefix, type SlackOrigin, workspaceIdOf } from '../workspace.ts';
import { queryOf, type SlackInstallations } from './installation-store.ts';

/**
 * A workspace that uninstalls the app (`app_uninstalled`) or revokes its bot token
 * (`tokens_revoked`) leaves nothing behind: its installation (with the tokens) and its shared
 * keys are deleted, and its digest subscriptions are paused with the reason, which
 * `/digest status` shows if the workspace installs the app again. Without the installation no
 * token exists to post with, so nothing reaches that workspace any more.
 */

export interface LifecycleDeps {
  installations: SlackInstallations;
  keys: KeyStore;
  subscriptions: Pick<SubscriptionRepository, 'pauseWorkspace' | 'listLive'>;
  now: () => Date;
  logger: Logger;
  /** Drops in-memory state about the workspace (cached moderators, clients). */
  onForget?: (workspaceId: string) => void;
}

export type LeaveCause = 'app_uninstalled' | 'tokens_revoked';

const REASONS: Record<LeaveCause, string> = {
  app_uninstalled: 'the app was uninstalled from this Slack workspace',
  tokens_revoked: "this Slack workspace revoked the app's access",
};

export interface Forgotten {
  workspaceId: string | undefined;
  installationRemoved: boolean;
  keysRemoved: number;
  subscriptionsPaused: number;
}

/** Removes what the bot keeps about a workspace that left, and pauses its digests. Safe to repeat. */
export async function forgetWorkspace(deps: LifecycleDeps, origin: SlackOrigin, cause: LeaveCause): Promise<Forgotten> {
  const query = queryOf(origin);
  const workspaceId = installationWorkspaceId(query);
  const installationRemoved = await deps.installations.remove(query, cause);
  if (!workspaceId) return { workspaceId, installationRemoved, keysRemoved: 0, subscriptionsPaused: 0 };
  deps.onForget?.(workspaceId);
  const keysRemoved = await deps.keys.deletePrefix(keyPrefix(workspaceId));
  const at = deps.now().toISOString();
  // An organisation-wide installation covered every workspace of the organisation.
  const workspaces = new Set([workspaceId]);
  if (query.enterpriseInstall) {
    for (const sub of await deps.subscriptions.listLive()) {
      if (sub.platform === 'slack' && sub.workspaceId && coveredBy(sub.workspaceId, workspaceId)) workspaces.add(sub.workspaceId);
    }
  }
  // Read in /digest status, which a workspace only reaches again once reinstalled.
  const reason = `${REASONS[cause]} on ${at.slice(0, 10)}`;
  let subscriptionsPaused = 0;
  for (const id of workspaces) {
    subscriptionsPaused += await deps.subscriptions.pauseWorkspace('slack', id, reason, at, {
      at,
      actor: 'slack',
      platform: 'slack',
      workspaceId: id,
      action: 'digest.pause',
      target: `workspace:${id}`,
      detail: { reason: cause },
    });
  }
  return { workspaceId, installationRemoved, keysRemoved, subscriptionsPaused };
}

/**
 * Some workspaces of an Enterprise Grid organisation lost the organisation-wide installation
 * (`team_access_revoked`): the installation stays for the others, but those workspaces' shared
 * keys are deleted and their digests paused, as for an uninstall.
 */
export async function forgetOrganisationWorkspaces(
  deps: LifecycleDeps,
  enterpriseId: string,
  teamIds: readonly string[],
): Promise<{ workspaces: string[]; keysRemoved: number; subscriptionsPaused: number }> {
  const at = deps.now().toISOString();
  const reason = `the app's access to this Slack workspace was removed from its organisation-wide installation on ${at.slice(0, 10)}`;
  const workspaces: string[] = [];
  let keysRemoved = 0;
  let subscriptionsPaused = 0;
  for (const teamId of teamIds) {
    const id = workspaceIdOf({ enterpriseId, teamId });
    // Only a workspace of this organisation: the event names teams, never other organisations.
    if (!id?.startsWith(`${enterpriseId}:`)) continue;
    workspaces.push(id);
    deps.onForget?.(id);
    keysRemoved += await deps.keys.deletePrefix(keyPrefix(id));
    subscriptionsPaused += await deps.subscriptions.pauseWorkspace('slack', id, reason, at, {
      at,
      actor: 'slack',
      platform: 'slack',
      workspaceId: id,
      action: 'digest.pause',
      target: `workspace:${id}`,
      detail: { reason: 'team_access_revoked' },
    });
  }
  return { workspaces, keysRemoved, subscriptionsPaused };
}

/**
 * Listens for `app_uninstalled` and `tokens_revoked` (Bolt delivers both without an
 * installation) and `team_access_revoked` (authorized by the organisation-wide installation).
 */
export function registerLifecycleHandlers(app: App, deps: LifecycleDeps): void {
  const leave = async (origin: SlackOrigin, cause: LeaveCause) => {
    try {
      const result = await forgetWorkspace(deps, origin, cause);
      deps.logger.info({ ...result, cause }, 'a Slack workspace left: its installation and keys are deleted, its digests paused');
    } catch (err) {
      // The event was acknowledged already, so Slack will not send it again: say what is left to do.
      deps.logger.error(
        { err, cause, team: origin.teamId, enterprise: origin.enterpriseId },
        'forgetting a Slack workspace failed: its installation or digests may remain until it is removed by hand',
      );
    }
  };
  app.event('app_uninstalled', async ({ context }) => {
    await leave(context, 'app_uninstalled');
  });
  app.event('tokens_revoked', async ({ event, context }) => {
    // Only the bot token matters: user tokens are never stored apart from the installation.
    if ((event.tokens.bot ?? []).length > 0) await leave(context, 'tokens_revoked');
  });
  app.event('team_access_revoked', async ({ event, context }) => {
    const enterpriseId = context.enterpriseId;
    if (!enterpriseId) return;
    try {
      const result = await forgetOrganisationWorkspaces(deps, enterpriseId, event.team_ids ?? []);
      deps.logger.info(
        { ...result, enterpriseId },
        "workspaces left the organisation's installation: their keys are deleted, their digests paused",
      );
    } catch (err) {
      deps.logger.error(
        { err, enterpriseId, teams: event.team_ids },
        "forgetting workspaces that left the organisation's installation failed: their digests may remain until paused by hand",
      );
    }
  });
}
