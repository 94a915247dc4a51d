import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Another process holding a lock on a database file (see lock-holder.ts). */
export interface LockHolder {
  child: ChildProcess;
  /** Commits and waits for the process to exit. */
  release(): Promise<void>;
}

/** Starts a process that takes a lock on `file` and resolves once it holds it. */
export async function holdLock(file: string, mode: 'write' | 'exclusive'): Promise<LockHolder> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'test/store/lock-holder.ts', file, mode], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      if (out.includes('locked\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the lock holder exited (${code}) before locking: ${err}`)));
  });
  const exited = once(child, 'exit');
  return {
    child,
    async release() {
      if (child.exitCode !== null) return;
      child.stdin?.write('release\n');
      await exited;
    },
  };
}

/** A process writing pairs of keys to `file` until stopped (see writer.ts). */
export async function startWriter(file: string): Promise<{ stop(): Promise<number> }> {
  const child = spawn(process.execPath, ['--import', 'tsx/esm', 'test/store/writer.ts', file], {
    cwd: ROOT,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stderr?.setEncoding('utf8').on('data', (c: string) => {
    err += c;
  });
  child.stdout?.setEncoding('utf8').on('data', (c: string) => {
    out += c;
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout?.on('data', () => {
      if (out.includes('writing\n')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`the writer exited (${code}) early: ${err}`)));
  });
  const exited = once(child, 'exit');
  return {
    async stop() {
      child.stdin?.write('stop\n');
      await exited;
      return Number(/wrote (\d+)/.exec(out)?.[1] ?? Number.NaN);
    },
  };
}
