import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from '../../test/e2e/bot-process.ts';
import { signedPost, slashBody } from '../../test/fakes/slack-requests.ts';
import { SECOND_FILE } from '../../test/helpers/library.ts';

/**
 * How long a briefing registered with the CLI (`npx briefing-bot register <file> --yes` with the
 * replicas' DATABASE_URL) takes to be searchable on every replica: from the moment the CLI prints
 * that it published (the revision is committed, and with it the NOTIFY) until `/ask` for a word
 * only that briefing holds finds it on the last replica. Every replica is asked in turn, as fast
 * as it answers.
 */

export interface PropagationOptions {
  replicaUrls: readonly string[];
  databaseUrl: string;
  signingSecret: string;
  /** Where a late answer would go (the fake Slack's response URL base). */
  responseUrl: string;
  count: number;
  signal?: AbortSignal;
  /** Give up on one registration after this long (default 30 s). */
  timeoutMs?: number;
}

/** Runs the CLI once; resolves with the time (performance.now) at which it printed the publish, and its exit. */
function registerWithCli(file: string, databaseUrl: string, dataDir: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/briefing-bot.js', 'register', file, '--yes'], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: process.env.HOME ?? '',
        DATABASE_URL: databaseUrl,
        BRIEFING_DATA_DIR: dataDir,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    let published: number | undefined;
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (published === undefined && /revision: \d+/.test(out)) published = performance.now();
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      err += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0 && published !== undefined) resolve(published);
      else reject(new Error(`briefing-bot register exited with ${code}: ${(err || out).slice(-1500)}`));
    });
  });
}

/** Milliseconds from publish to searchable on every replica, one entry per registration. */
export async function measurePropagation(options: PropagationOptions): Promise<number[]> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-propagation-'));
  const source = readFileSync(SECOND_FILE, 'utf8');
  const timeoutMs = options.timeoutMs ?? 30_000;
  const results: number[] = [];
  try {
    for (let n = 0; n < options.count; n++) {
      options.signal?.throwIfAborted();
      const id = `propagation-${Date.now().toString(36)}-${n}`;
      const word = `quokkazanzibar${Date.now().toString(36)}x${n}`;
      const file = join(dir, `${id}.md`);
      writeFileSync(
        file,
        source
          .replace(/^id: .*$/m, `id: ${id}`)
          .replace(/^title: .*$/m, `title: Propagation probe ${id}`)
          .replace('Since 2022,', `Since 2022 (${word}),`),
      );
      const published = await registerWithCli(file, options.databaseUrl, join(dir, 'cli'));
      const waiting = new Set(options.replicaUrls);
      let last = published;
      while (waiting.size > 0) {
        options.signal?.throwIfAborted();
        if (performance.now() - published > timeoutMs)
          throw new Error(`${id} was not searchable on ${[...waiting].join(', ')} ${timeoutMs} ms after it was published`);
        for (const url of [...waiting]) {
          const body = slashBody({ command: '/ask', text: word, response_url: `${options.responseUrl}/propagation-${n}` });
          const res = await signedPost(`${url}/slack/events`, options.signingSecret, body);
          // Found: the answer cites the probe (a miss names the word, never the briefing).
          if (res.text.includes(`Propagation probe ${id}`)) {
            waiting.delete(url);
            last = performance.now();
          }
        }
      }
      results.push(last - published);
    }
    return results;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
