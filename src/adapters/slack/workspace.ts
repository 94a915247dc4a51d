import type { InstallationQuery } from '../../store/types.ts';

/**
 * Which Slack workspace a request, a subscription or a shared key belongs to.
 *
 * The workspace id is what subscriptions, audit entries and shared keys carry: the team id
 * (`T0123`) for an ordinary workspace and, in OAuth mode, `E0456:T0123` for a workspace of an
 * Enterprise Grid organisation, so that an organisation-wide uninstall can find every workspace
 * it covered. Token mode keeps the plain team id, as before.
 */

/** Where a request came from, as Bolt's context gives it. */
export interface SlackOrigin {
  teamId?: string | undefined;
  enterpriseId?: string | undefined;
  /** The app is installed organisation-wide (Enterprise Grid). */
  isEnterpriseInstall?: boolean | undefined;
}

const ID = /^[A-Z0-9]{2,40}$/;

/** The workspace id of an origin in OAuth mode; undefined when it names no team or organisation. */
export function workspaceIdOf(origin: SlackOrigin): string | undefined {
  const team = origin.teamId && ID.test(origin.teamId) ? origin.teamId : undefined;
  const enterprise = origin.enterpriseId && ID.test(origin.enterpriseId) ? origin.enterpriseId : undefined;
  if (enterprise && team) return `${enterprise}:${team}`;
  return team ?? enterprise;
}

/**
 * The installations that may cover a workspace, most specific first: the workspace's own, then
 * its organisation's organisation-wide one.
 * @example installationQueries('E1:T1') // [{ teamId: 'T1', enterpriseId: 'E1', enterpriseInstall: false }, { enterpriseId: 'E1', enterpriseInstall: true }]
 */
export function installationQueries(workspaceId: string): InstallationQuery[] {
  const [first, second] = workspaceId.split(':');
  if (second) {
    return [
      { teamId: second, enterpriseId: first as string, enterpriseInstall: false },
      { enterpriseId: first as string, enterpriseInstall: true },
    ];
  }
  if (first?.startsWith('E')) return [{ enterpriseId: first, enterpriseInstall: true }];
  return [{ teamId: first as string, enterpriseInstall: false }];
}

/** The workspace id an installation covers: one workspace, or an organisation (`E…`) for an organisation-wide one. */
export function installationWorkspaceId(query: InstallationQuery): string | undefined {
  if (query.enterpriseInstall) return query.enterpriseId;
  return workspaceIdOf(query);
}

/** Every shared key of a workspace starts with this (an organisation's prefix covers its workspaces). */
export function keyPrefix(workspaceId: string | undefined): string {
  return `slack:${workspaceId ?? '-'}:`;
}

/** Whether a subscription's workspace is `workspaceId` or, for an organisation id, one of its workspaces. */
export function coveredBy(subscriptionWorkspace: string | undefined, workspaceId: string): boolean {
  if (!subscriptionWorkspace) return false;
  return subscriptionWorkspace === workspaceId || subscriptionWorkspace.startsWith(`${workspaceId}:`);
}
