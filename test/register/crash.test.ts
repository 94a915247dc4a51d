import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { setupRegistry } from '../../src/register/index.ts';
import { openStore } from '../../src/store/index.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf } from '../helpers/library.ts';
import { ada, registryOn, SECOND_ID, SECOND_TEXT, tempDataDir } from './setup.ts';

const CHILD = fileURLToPath(new URL('./crash-child.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('../..', import.meta.url));

let data: ReturnType<typeof tempDataDir> | undefined;
afterEach(() => data?.remove());

describe('a crash mid-registration', () => {
  it('leaves the previous revision and the audit log whole', async () => {
    data = tempDataDir();
    const first = registryOn(data.dir);
    const prepared = await first.registry.prepare({ kind: 'text', text: SECOND_TEXT, name: 'second-briefing.md' }, ada);
    if (!prepared.ok) throw new Error(prepared.message);
    await first.registry.publish(prepared.preview.pendingId, ada);
    await first.store.close();

    const changed = SECOND_TEXT.replace('12.9 billion', '77 billion');
    const child = spawn(process.execPath, ['--import', 'tsx', CHILD, data.dir, changed], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
    });
    const signal = await new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, sig) => resolve(sig)));
    expect(signal).toBe('SIGKILL');
    expect(out).toBe('');

    const store = await openStore({ dataDir: data.dir });
    try {
      expect((await store.articles.revisions(SECOND_ID)).map((r) => r.revision)).toEqual([1]);
      expect((await store.audit.list()).map((e) => e.action)).toEqual(['article.register']);
      const library = libraryOf(articleFromFile(BUNDLED_FILE));
      const setup = await setupRegistry({
        config: {
          BRIEFING_DATA_DIR: data.dir,
          REGISTER_MAX_BYTES: 1_048_576,
          REGISTER_URL_TIMEOUT_MS: 1000,
          REGISTER_ALLOW_PRIVATE_URLS: false,
        },
        library,
        services: {},
        store,
      });
      expect(setup.report.loaded).toBe(1);
      expect(library.passage(`${SECOND_ID}#p2`)?.text).toContain('12.9 billion');
    } finally {
      await store.close();
    }
  });
});
