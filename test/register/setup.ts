import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RegistryActor } from '../../src/core/registry.ts';
import { createRegistry, type RegistryOptions } from '../../src/register/service.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf, SECOND_FILE } from '../helpers/library.ts';
import { sqliteStoreIn } from '../helpers/store.ts';

export const SECOND_TEXT = readFileSync(SECOND_FILE, 'utf8');
export const SECOND_ID = 'south-caucasus-energy-corridor';

export const ada: RegistryActor = {
  user: { id: 'U-ada', name: 'ada', isModerator: true },
  platform: 'slack',
  channel: { platform: 'slack', id: 'C1' },
};
export const bob: RegistryActor = { user: { id: 'U-bob', name: 'bob', isModerator: true }, platform: 'discord' };

/** A temporary data directory, removed by the returned function. */
export function tempDataDir(): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'briefing-register-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The bundled briefing in a fresh library, a store in `dir`, and a registry over both. */
export function registryOn(dir: string, options: Partial<RegistryOptions> = {}) {
  const library = libraryOf(articleFromFile(BUNDLED_FILE));
  const store = sqliteStoreIn(dir);
  const registry = createRegistry({ store, library, maxBytes: 1_048_576, timeoutMs: 2000, allowPrivate: true, ...options });
  return { library, store, registry };
}
