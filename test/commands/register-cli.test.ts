import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { importArticle } from '../../src/core/import/index.ts';
import { registrationCli } from '../../src/register/cli.ts';
import { setupRegistry } from '../../src/register/index.ts';
import { openStore } from '../../src/store/index.ts';
import { articleFromFile, BUNDLED_FILE, libraryOf, SECOND_FILE } from '../helpers/library.ts';
import { type Loopback, serve, startLoopback } from '../register/loopback.ts';
import { SECOND_ID, SECOND_TEXT, tempDataDir } from '../register/setup.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/briefing-bot.js');

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

let data: ReturnType<typeof tempDataDir>;
let server: Loopback;

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: data.dir, BRIEFING_DATA_DIR: data.dir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => {
      stdout += c;
    });
    child.stderr.on('data', (c) => {
      stderr += c;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

async function storedRevisions(): Promise<Record<string, number[]>> {
  const store = await openStore({ dataDir: data.dir });
  try {
    const out: Record<string, number[]> = {};
    for (const latest of await store.articles.listLatest({ includeHidden: true }))
      out[latest.id] = (await store.articles.revisions(latest.id)).map((r) => r.revision);
    return out;
  } finally {
    await store.close();
  }
}

beforeAll(async () => {
  server = await startLoopback();
});
afterAll(() => server.close());
beforeEach(() => {
  data = tempDataDir();
});
afterEach(() => data.remove());

describe('briefing-bot register (CLI)', () => {
  it('publishes a file with --yes, and a restart finds the briefing searchable', async () => {
    const run = await cli(['register', SECOND_FILE, '--yes', '--json']);
    expect(run.code).toBe(0);
    const reply = JSON.parse(run.stdout);
    expect(reply).toMatchObject({
      ok: true,
      command: 'register',
      title: 'Registered: The South Caucasus Energy Corridor Between the Caspian and Europe',
    });
    expect(reply.items).toContainEqual({ label: 'revision', text: '1' });
    // The CLI names its own commands as they are typed here.
    expect(reply.footer).toBe(`briefing-bot unregister ${SECOND_ID} hides it again; briefing-bot audit shows who did what.`);

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
    });
    try {
      expect(library.list().map((e) => e.article.id)).toContain(SECOND_ID);
      const hit = library.search('Trans-Caspian pipeline Turkmenistan').hits[0];
      expect(hit?.articleId).toBe(SECOND_ID);
      expect(library.passage(hit?.id ?? '')?.citations).toEqual([4]);
    } finally {
      await setup.close();
    }
  });

  it('previews a URL from a loopback server without publishing when not asked to', async () => {
    server.routes.set('/briefing.md', serve(SECOND_TEXT, 'text/markdown'));
    const run = await cli(['register', `${server.base}/briefing.md`], { REGISTER_ALLOW_PRIVATE_URLS: 'true' });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('Preview: The South Caucasus Energy Corridor Between the Caspian and Europe');
    expect(run.stdout).toContain('8 passages, 5 sources, 2 scenarios');
    expect(run.stdout).toContain('Not published: nothing was stored. Run it again with --yes to publish.');
    expect(await storedRevisions()).toEqual({});
  });

  it('refuses the loopback URL unless private addresses are allowed', async () => {
    const run = await cli(['register', `${server.base}/briefing.md`, '--yes']);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain(`✖ ${server.base}/briefing.md is a loopback address: registering from internal addresses is refused`);
    expect(await storedRevisions()).toEqual({});
  });

  it('names a bad file and stores nothing', async () => {
    const binary = join(data.dir, 'scan.md');
    writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a]));
    const run = await cli(['register', binary, '--yes', '--json']);
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      ok: false,
      command: 'register',
      error: {
        code: 'binary',
        message: 'scan.md is a PNG image, not text: register a .txt, .md or .html file, or the address of a web page',
      },
    });
    const missing = await cli(['register', join(data.dir, 'nope.md'), '--yes']);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toContain('nope.md does not exist');
    expect(await storedRevisions()).toEqual({});
  });

  it('lands three registrations started at once, as revisions of the right briefings', async () => {
    const other = join(data.dir, 'other.md');
    writeFileSync(other, SECOND_TEXT.replace(`id: ${SECOND_ID}`, 'id: other-corridor').replace(/^title: .*$/m, 'title: Another Corridor'));
    const runs = await Promise.all([
      cli(['register', SECOND_FILE, '--yes']),
      cli(['register', other, '--yes']),
      cli(['register', SECOND_FILE, '--yes']),
    ]);
    expect(runs.map((r) => r.code)).toEqual([0, 0, 0]);
    expect(await storedRevisions()).toEqual({ [SECOND_ID]: [2, 1], 'other-corridor': [1] });
  });

  // Six bot processes one after another: a few seconds each on a busy machine.
  it('unregisters, exports and audits from the command line', async () => {
    expect((await cli(['register', SECOND_FILE, '--yes'])).code).toBe(0);
    const exported = await cli(['export', SECOND_ID]);
    expect(exported.code).toBe(0);
    const reimported = importArticle(exported.stdout, { format: 'markdown' });
    expect(reimported.ok && reimported.article.passages.map((p) => p.text)).toEqual(
      articleFromFile(SECOND_FILE).passages.map((p) => p.text),
    );

    const unregistered = await cli(['unregister', SECOND_ID]);
    expect(unregistered.code).toBe(0);
    expect(unregistered.stdout).toContain('Unregistered: The South Caucasus Energy Corridor');
    expect(unregistered.stdout).toContain(`briefing-bot audit --article ${SECOND_ID} shows who did what.`);
    const hidden = await cli(['export', SECOND_ID]);
    expect(hidden.code).toBe(1);
    expect(hidden.stdout).toBe('');
    expect(hidden.stderr).toBe(
      `✖ "${SECOND_ID}" is unregistered: it is hidden from the bot, but its revision 1 is kept. Export one with --revision N, e.g. briefing-bot export ${SECOND_ID} --revision 1 (briefing-bot audit --article ${SECOND_ID} lists who registered what).\n`,
    );
    expect((await cli(['export', SECOND_ID, '--revision', '1'])).stdout).toContain(`id: ${SECOND_ID}`);

    const audit = await cli(['audit', '--json']);
    expect(JSON.parse(audit.stdout).items.map((i: { text: string }) => i.text)).toEqual([
      `unregistered ${SECOND_ID} (1 revision kept)`,
      `registered ${SECOND_ID} revision 1 (“The South Caucasus Energy Corridor Between the Caspian and Europe” from second-briefing.md)`,
    ]);
    expect(await storedRevisions()).toEqual({ [SECOND_ID]: [1] });
  }, 60_000);
});

describe('briefing-bot export of a briefing the bot does not load (in process)', () => {
  function io() {
    const out = { stdout: '', stderr: '' };
    const sink = (key: 'stdout' | 'stderr') =>
      new Writable({
        write(chunk, _encoding, done) {
          out[key] += String(chunk);
          done();
        },
      });
    return { out, streams: { stdin: Readable.from([]), stdout: sink('stdout'), stderr: sink('stderr') } };
  }
  const runtime = async () => ({
    config: {
      BRIEFING_DATA_DIR: data.dir,
      REGISTER_MAX_BYTES: 1_048_576,
      REGISTER_URL_TIMEOUT_MS: 2000,
      REGISTER_ALLOW_PRIVATE_URLS: false,
    },
    library: libraryOf(articleFromFile(BUNDLED_FILE)),
    services: {},
    logger: { info() {}, warn() {}, error() {} },
    close: async () => {},
  });
  const stored = async (hidden: boolean, article = articleFromFile(SECOND_FILE)) => {
    const store = await openStore({ dataDir: data.dir });
    try {
      for (const n of [1, 2]) {
        await store.articles.addRevision({
          article,
          rawSha256: `sha-${n}`,
          registeredBy: 'U-ada',
          registeredAt: '2025-06-12T10:00:00.000Z',
        });
      }
      if (hidden) await store.articles.setHidden(SECOND_ID, true);
    } finally {
      await store.close();
    }
  };

  it('names an unregistered briefing and how to export its kept revisions', async () => {
    await stored(true);
    const { out, streams } = io();
    expect(await registrationCli(runtime, streams).export?.([SECOND_ID])).toBe(1);
    expect(out.stdout).toBe('');
    expect(out.stderr).toBe(
      `✖ "${SECOND_ID}" is unregistered: it is hidden from the bot, but its revisions 1-2 are kept. Export one with --revision N, e.g. briefing-bot export ${SECOND_ID} --revision 2 (briefing-bot audit --article ${SECOND_ID} lists who registered what).\n`,
    );
  });

  it('names a stored briefing that no longer validates, and how to export it', async () => {
    await stored(false, { ...articleFromFile(SECOND_FILE), passages: [] });
    const { out, streams } = io();
    expect(await registrationCli(runtime, streams).export?.([SECOND_ID])).toBe(1);
    expect(out.stderr).toMatch(
      new RegExp(`^✖ "${SECOND_ID}" is stored \\(revision 2\\) but not loaded: it no longer validates\\. Export one with --revision N`),
    );
  });

  it('still says an id that was never registered is unknown', async () => {
    const { out, streams } = io();
    expect(await registrationCli(runtime, streams).export?.(['never-registered'])).toBe(1);
    expect(out.stderr).toMatch(/^✖ No briefing with id "never-registered"\./);
  });
});
