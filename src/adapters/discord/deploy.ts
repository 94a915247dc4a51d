import { isDeepStrictEqual } from 'node:util';
import type { REST } from 'discord.js';
import type { AnyCommand } from '../../core/command.ts';
import { normalizeCommand, toApplicationCommands } from './application-commands.ts';

/**
 * Registers the generated application commands with one bulk overwrite (idempotent), after
 * fetching what Discord has so the caller can say what was created, changed or removed.
 */

export interface DeployOptions {
  applicationId: string;
  /** Register to one guild (instant) instead of globally. */
  guildId?: string;
  commands: readonly AnyCommand[];
  /** Overwrite even when nothing differs. */
  force?: boolean;
}

export interface DeployResult {
  scope: 'global' | { guildId: string };
  created: string[];
  changed: string[];
  removed: string[];
  unchanged: string[];
  /** Whether the bulk overwrite was sent (skipped when Discord already matches). */
  written: boolean;
}

function route(applicationId: string, guildId?: string): `/${string}` {
  return guildId ? `/applications/${applicationId}/guilds/${guildId}/commands` : `/applications/${applicationId}/commands`;
}

/** Compares Discord's commands with the desired ones by name. */
export function diffCommands(existing: readonly Record<string, unknown>[], desired: readonly Record<string, unknown>[]) {
  const before = new Map(existing.map((c) => [String(c.name), normalizeCommand(c)]));
  const created: string[] = [];
  const changed: string[] = [];
  const unchanged: string[] = [];
  for (const c of desired) {
    const name = String(c.name);
    const old = before.get(name);
    if (!old) created.push(name);
    else if (isDeepStrictEqual(old, normalizeCommand(c))) unchanged.push(name);
    else changed.push(name);
  }
  const wanted = new Set(desired.map((c) => String(c.name)));
  const removed = [...before.keys()].filter((name) => !wanted.has(name));
  return { created, changed, removed, unchanged };
}

/** Fetches, compares and (when anything differs, or with `force`) overwrites the commands. */
export async function deployCommands(rest: REST, options: DeployOptions): Promise<DeployResult> {
  const path = route(options.applicationId, options.guildId);
  const desired = toApplicationCommands(options.commands);
  const existing = (await rest.get(path)) as Record<string, unknown>[];
  const diff = diffCommands(existing, desired as unknown as Record<string, unknown>[]);
  const differs = diff.created.length + diff.changed.length + diff.removed.length > 0;
  if (differs || options.force) await rest.put(path, { body: desired });
  return {
    scope: options.guildId ? { guildId: options.guildId } : 'global',
    ...diff,
    written: differs || Boolean(options.force),
  };
}

/** Human summary of a deployment, one line per command that changed. */
export function describeDeploy(result: DeployResult): string {
  const where = result.scope === 'global' ? 'globally' : `to guild ${result.scope.guildId}`;
  const total = result.created.length + result.changed.length + result.unchanged.length;
  const lines = [
    result.written
      ? `Registered ${total} commands ${where}: ${result.created.length} created, ${result.changed.length} changed, ${result.removed.length} removed, ${result.unchanged.length} unchanged.`
      : `All ${total} commands are already up to date ${where}; nothing to change.`,
  ];
  for (const name of result.created) lines.push(`  created  /${name}`);
  for (const name of result.changed) lines.push(`  changed  /${name}`);
  for (const name of result.removed) lines.push(`  removed  /${name}`);
  return lines.join('\n');
}
