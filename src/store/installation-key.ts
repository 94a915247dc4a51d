import type { InstallationQuery } from './types.ts';

/**
 * The one key an installation is stored under: `E:<enterprise>` for an organisation-wide
 * install, `T:<enterprise or ->:<team>` otherwise. Throws when the query names neither.
 */
export function installationKey(query: InstallationQuery): string {
  if (query.enterpriseInstall) {
    if (!query.enterpriseId) throw new Error('installationKey: an organisation-wide installation needs enterpriseId');
    return `E:${query.enterpriseId}`;
  }
  if (!query.teamId) throw new Error('installationKey: a workspace installation needs teamId');
  return `T:${query.enterpriseId ?? '-'}:${query.teamId}`;
}
