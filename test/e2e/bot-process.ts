import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';

/**
 * Runs briefing-bot the way a user does, as child processes of the test: the long-running bot
 * (`node --import tsx/esm src/main.ts`, as `npm start`) and one-shot CLI calls (`node bin/briefing-bot.js …`),
 * each with only the environment the test passes.
 */

/** The repository root, where `npm start` runs. */
export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** A port nobody listens on right now (127.0.0.1), for the bot's PORT. */
export async function freePort(): Promise<number> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no port was assigned');
  return address.port;
}

/** A running bot process with its output so far. */
export interface BotProcess {
  child: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Resolves when the process has exited. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Whether the process has exited already. */
  done(): boolean;
}

/**
 * Starts `node --import tsx/esm src/main.ts` (what `npm start` runs) in the repository with
 * exactly `env`; with `via: 'npm'`, `npm start` itself (`env` needs PATH to find npm), in a
 * process group of its own so a test can end npm and whatever it started at once.
 */
export function startBot(env: Record<string, string>, options: { via?: 'node' | 'npm' } = {}): BotProcess {
  const child =
    options.via === 'npm'
      ? spawn('npm', ['start'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true })
      : spawn(process.execPath, ['--import', 'tsx/esm', 'src/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  let finished = false;
  child.stdout?.setEncoding('utf8').on('data', (chunk: string) => {
    out += chunk;
  });
  child.stderr?.setEncoding('utf8').on('data', (chunk: string) => {
    err += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
    child.once('exit', (code, signal) => {
      finished = true;
      resolve({ code, signal });
    });
  });
  return { child, stdout: () => out, stderr: () => err, exited, done: () => finished };
}

/** Runs the `briefing-bot` binary once with exactly `env` (asynchronously: the fakes keep serving meanwhile). */
export async function runCli(
  args: string[],
  env: Record<string, string>,
  timeoutMs = 30_000,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['bin/briefing-bot.js', ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const [code] = (await once(child, 'close')) as [number | null];
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/**
 * Calls `probe` every `intervalMs` until it returns a value other than undefined, at most
 * `attempts` times; throws with `what` (and the last error) when it never does.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined>,
  options: { attempts: number; intervalMs: number; abort?: () => string | undefined },
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < options.attempts; i++) {
    const stop = options.abort?.();
    if (stop) throw new Error(`${what}: ${stop}`);
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await delay(options.intervalMs);
  }
  throw new Error(`${what}: not reached after ${options.attempts} attempts${last ? ` (last error: ${String(last)})` : ''}`);
}

/** Every string inside a message body (blocks, embeds, fields, buttons), for text assertions. */
export function textsOf(value: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown) => {
    if (typeof v === 'string') out.push(v);
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}
