import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';

/**
 * Starts the whole bot as `npm start` does (`node --import tsx/esm src/main.ts`, terminal chat
 * on piped input) and measures it from outside: the time from spawning the process until the
 * first answer arrives on stdout, and the process's peak resident set size as the kernel
 * counts it (`VmHWM`: heap, typed arrays, SharedArrayBuffers and every worker thread).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface BotRunOptions {
  contentDir: string;
  dataDir: string;
  /** The first line sent (it is written at once and read when the bot is ready). */
  question: string;
  /** Search workers to start (SEARCH_WORKERS); the run waits until all of them are ready. */
  workers: number;
  /** Extra environment. */
  env?: Record<string, string>;
  /** Give up after this long (default 15 minutes). */
  timeoutMs?: number;
  /** The checkout whose `src/main.ts` runs (default this one): to compare against another. */
  root?: string;
}

export interface BotRun {
  /** Spawn to the first byte of the first answer. */
  firstAnswerMs: number;
  /** Spawn until every search worker reported ready (undefined without workers). */
  workersReadyMs?: number;
  /** Peak RSS in MB, read once the answer is out and the workers are ready. */
  peakRssMb: number;
  /** How the index was made ('snapshot' or 'built') and why, from the 'library loaded' log line. */
  index?: string;
  reason?: string;
  /** The 'library loaded' log line's other fields (documents, articles, …). */
  loaded: Record<string, unknown>;
  answer: string;
}

async function peakRssMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmHWM:\s+(\d+) kB/m.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Runs the bot once: ask one question, wait for the answer and the search workers, then end its input. */
export function runBot(options: BotRunOptions): Promise<BotRun> {
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    BRIEFING_CONTENT_DIR: options.contentDir,
    BRIEFING_DATA_DIR: options.dataDir,
    LOG_LEVEL: 'debug',
    SEARCH_WORKERS: String(options.workers),
    ...options.env,
  };
  const start = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], {
    cwd: options.root ?? ROOT,
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.write(`${options.question}\n`);
  return new Promise<BotRun>((resolve, reject) => {
    let firstAnswerMs: number | undefined;
    let workersReadyMs: number | undefined;
    const workers = options.workers;
    let ready = 0;
    let answer = '';
    let stderrTail = '';
    let loaded: Record<string, unknown> = {};
    let finishing = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the bot gave no answer within ${options.timeoutMs ?? 900_000} ms; stderr: ${stderrTail}`));
    }, options.timeoutMs ?? 900_000);
    const maybeFinish = async (): Promise<void> => {
      if (finishing || firstAnswerMs === undefined || ready < workers || loaded.msg === undefined) return;
      finishing = true;
      try {
        const rss = await peakRssMb(child.pid as number);
        child.once('exit', (code) => {
          clearTimeout(timer);
          if (code !== 0) reject(new Error(`the bot exited with ${code}; stderr: ${stderrTail}`));
          else
            resolve({
              firstAnswerMs: firstAnswerMs as number,
              ...(workersReadyMs === undefined ? {} : { workersReadyMs }),
              peakRssMb: rss,
              ...(typeof loaded.index === 'string' ? { index: loaded.index } : {}),
              ...(typeof loaded.reason === 'string' ? { reason: loaded.reason } : {}),
              loaded,
              answer,
            });
        });
        child.stdin.end();
      } catch (error) {
        reject(error);
      }
    };
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      firstAnswerMs ??= performance.now() - start;
      answer += chunk;
      void maybeFinish();
    });
    let pending = '';
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderrTail = (stderrTail + chunk).slice(-4000);
      pending += chunk;
      const lines = pending.split('\n');
      pending = lines.pop() ?? '';
      for (const line of lines) {
        let entry: Record<string, unknown>;
        try {
          entry = JSON.parse(line) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (entry.msg === 'library loaded') loaded = entry;
        if (entry.msg === 'search worker ready' && ++ready === workers) workersReadyMs = performance.now() - start;
      }
      void maybeFinish();
    });
    child.once('exit', (code, signal) => {
      if (finishing) return;
      clearTimeout(timer);
      reject(new Error(`the bot exited (${code ?? signal}) before answering; stderr: ${stderrTail}`));
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}
