import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pino from 'pino';
import { commands } from '../commands/index.ts';
import { startSlack } from '../src/adapters/slack/app.ts';
import { Library } from '../src/core/library.ts';
import { loadOrBuild } from '../src/core/search/snapshot.ts';
import { openStore } from '../src/store/index.ts';
import { autoWorkerCount, SearchPool } from '../src/workers/search-pool.ts';
import { generateCorpus } from './corpus.ts';
import { benchQuestions } from './lib/queries.ts';
import { fmt, quantile, timed } from './lib/stats.ts';

/**
 * `npm run bench:slack [-- --articles 10000 --concurrency 50 --seconds 10 --workers auto]`: signed `/ask`
 * slash commands over loopback to the real Bolt app (HTTP mode) with the synthetic corpus
 * loaded. The load generator, the response_url sink and the stand-in Web API run in a worker
 * process so they do not share the app's event loop. Each of the concurrent simulated users
 * waits for its answer (carried by the acknowledgement, or posted to response_url) before asking
 * again, so throughput is answered commands a second, not acknowledgements alone. Prints that,
 * the time to the HTTP acknowledgement (p50/p99/max) and the time to the answer. Search workers
 * start as `npm start` starts them (SEARCH_WORKERS=auto); `--workers 0` searches on the main thread.
 * Retry de-duplication and button state go to a SQLite store in a temporary folder, as with
 * `npm start`; `--store memory` keeps them in the process instead.
 */

const args = new Map<string, string>();
for (let i = 2; i < process.argv.length; i += 2) args.set((process.argv[i] ?? '').replace(/^--/, ''), process.argv[i + 1] ?? '');
const ARTICLES = Number(args.get('articles') ?? 10_000);
const CONCURRENCY = Number(args.get('concurrency') ?? 50);
const SECONDS = Number(args.get('seconds') ?? 10);
const WORKERS = args.get('workers') ?? 'auto';
const STORE = args.get('store') ?? 'sqlite';
const SECRET = 'bench-signing-secret';
const CACHE = fileURLToPath(new URL('./.cache/', import.meta.url));

/** Runs in the worker: stand-in Web API + response_url sink, then the load loop. CommonJS. */
const WORKER = `
const parentPort = { postMessage: (m) => process.send(m), on: (e, f) => process.on(e, f) };
const { createServer, Agent, request } = require('node:http');
const { createHmac, randomUUID } = require('node:crypto');
let responses = 0;
const sentAt = new Map();
const answerLat = [];
// Each simulated user waits for the answer (on the ack or through respond()) before asking again.
const waiters = new Map();
const respondedEarly = new Set();
const sink = createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    if (req.url.startsWith('/respond/')) {
      responses++;
      const id = req.url.slice('/respond/'.length);
      const t = sentAt.get(id);
      if (t !== undefined) { answerLat.push(performance.now() - t); sentAt.delete(id); }
      const wake = waiters.get(id);
      if (wake) { waiters.delete(id); wake(); } else respondedEarly.add(id);
      res.end('ok');
      return;
    }
    res.setHeader('content-type', 'application/json');
    if (req.url === '/api/auth.test') res.end(JSON.stringify({ ok: true, user_id: 'UBOT', bot_id: 'BBOT', team_id: 'T0' }));
    else res.end(JSON.stringify({ ok: true, ts: '1.1' }));
  });
});
sink.listen(0, '127.0.0.1', () => parentPort.postMessage({ type: 'sink', port: sink.address().port }));
parentPort.on('message', async (msg) => {
  if (msg.type !== 'go') return;
  const { url, secret, questions, concurrency, seconds, sinkPort } = msg;
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  const lat = [];
  let ok = 0, failed = 0, answered = 0, deferred = 0, busy = 0, i = 0;
  const post = () => new Promise((resolve) => {
    const q = questions[i++ % questions.length];
    const id = String(i);
    const body = new URLSearchParams({ token: 't', team_id: 'T0', channel_id: 'C0', channel_name: 'bench', user_id: 'U' + (i % 97), user_name: 'bench',
      command: '/ask', text: q, api_app_id: 'A0', response_url: 'http://127.0.0.1:' + sinkPort + '/respond/' + id, trigger_id: randomUUID() }).toString();
    const ts = Math.floor(Date.now() / 1000);
    const sig = 'v0=' + createHmac('sha256', secret).update('v0:' + ts + ':' + body).digest('hex');
    const started = performance.now();
    sentAt.set(id, started);
    const req = request({ host: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: {
      'content-type': 'application/x-www-form-urlencoded', 'content-length': Buffer.byteLength(body), 'x-slack-request-timestamp': ts, 'x-slack-signature': sig } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        lat.push(performance.now() - started);
        if (res.statusCode === 200) {
          ok++;
          const text = Buffer.concat(chunks).toString();
          if (text.includes('busy right now')) { busy++; sentAt.delete(id); }
          else if (text.includes('"blocks"')) { answered++; sentAt.delete(id); answerLat.push(performance.now() - started); }
          else {
            deferred++;
            if (respondedEarly.delete(id)) resolve();
            else waiters.set(id, resolve);
            return;
          }
        } else failed++;
        resolve();
      });
    });
    req.on('error', () => { failed++; resolve(); });
    req.end(body);
  });
  const deadline = performance.now() + seconds * 1000;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async () => { while (performance.now() < deadline) await post(); }));
  const elapsed = performance.now() - started;
  const drainUntil = performance.now() + 30000;
  for (const wake of waiters.values()) wake();
  while (sentAt.size > 0 && performance.now() < drainUntil) await new Promise((r) => setTimeout(r, 50));
  parentPort.postMessage({ type: 'done', lat, ok, failed, answered, deferred, busy, elapsed, responses, answerLat, unanswered: sentAt.size });
  agent.destroy();
  // The sink stays up until the app has stopped: queued respond() calls still land there.
});
`;

async function main(): Promise<void> {
  const loadBefore = loadavg()
    .map((n) => n.toFixed(2))
    .join(' ');
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const gen = await timed(() => generateCorpus({ articles: ARTICLES, seed: 7 }));
  log(`generated ${ARTICLES} articles in ${fmt(gen.ms / 1000, 1)} s`);
  await mkdir(CACHE, { recursive: true });
  const built = await timed(() => loadOrBuild({ articles: gen.value, snapshotPath: `${CACHE}slack-index-${ARTICLES}.bin` }));
  log(`index ${built.value.from} in ${fmt(built.ms / 1000, 1)} s`);
  const library = new Library(built.value.index);
  for (const a of gen.value) library.add(a, { addedAt: '2025-01-01T00:00:00.000Z', origin: 'content' });
  const workers = WORKERS === 'auto' ? autoWorkerCount(library.index.documentCount) : Number(WORKERS);
  const pool = workers > 0 ? SearchPool.start(library, { workers, logger: pino({ level: 'warn' }, pino.destination(2)) }) : undefined;
  await pool?.ready();
  log(`search workers: ${workers}`);

  // A separate process, so the app's CPU time can be measured on its own.
  const worker = spawn(process.execPath, ['-e', WORKER], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const sinkPort = await new Promise<number>((resolve) => {
    worker.on('message', (m: { type: string; port?: number }) => {
      if (m.type === 'sink') resolve(m.port as number);
    });
  });
  const storeDir = STORE === 'sqlite' ? await mkdtemp(join(tmpdir(), 'bench-slack-')) : undefined;
  const store = storeDir ? await openStore({ dataDir: storeDir }) : undefined;
  log(`shared keys: ${store ? `SQLite in ${storeDir}` : 'memory'}`);
  const adapter = await startSlack({
    config: {
      slack: { mode: 'http', botToken: 'xoxb-bench', signingSecret: SECRET },
      SLACK_API_URL: `http://127.0.0.1:${sinkPort}/api/`,
      SLACK_COMMAND_PREFIX: '',
      SLACK_MODERATORS: [],
      PORT: 0,
      HOST: '127.0.0.1',
      REGISTER_MAX_BYTES: 1_048_576,
      REGISTER_URL_TIMEOUT_MS: 10_000,
    },
    library,
    commands,
    services: {},
    logger: pino({ level: 'warn' }, pino.destination(2)),
    health: () => ({ ok: true }),
    ...(store ? { keys: store.keys } : {}),
  });
  log(`Slack app on 127.0.0.1:${adapter.port}; ${CONCURRENCY} concurrent /ask for ${SECONDS} s…`);
  let cpu = { user: 0, system: 0 };
  let wallMs = 0;
  const result = await new Promise<{
    lat: number[];
    ok: number;
    failed: number;
    answered: number;
    deferred: number;
    busy: number;
    elapsed: number;
    responses: number;
    answerLat: number[];
    unanswered: number;
  }>((resolve) => {
    worker.on('message', (m: { type: string }) => {
      if (m.type !== 'done') return;
      cpu = process.cpuUsage(cpuBefore);
      wallMs = performance.now() - wallStart;
      resolve(m as never);
    });
    const cpuBefore = process.cpuUsage();
    const wallStart = performance.now();
    worker.send({
      type: 'go',
      url: `http://127.0.0.1:${adapter.port}/slack/events`,
      secret: SECRET,
      questions: benchQuestions(400),
      concurrency: CONCURRENCY,
      seconds: SECONDS,
      sinkPort,
    });
  });
  await adapter.stop();
  await pool?.close();
  await store?.close();
  if (storeDir) await rm(storeDir, { recursive: true, force: true });
  worker.kill();
  const sorted = result.lat.sort((a, b) => a - b);
  const total = result.ok + result.failed;
  const throughput = (result.ok / result.elapsed) * 1000;
  const p50 = quantile(sorted, 0.5);
  const p99 = quantile(sorted, 0.99);
  const answers = result.answerLat.sort((a, b) => a - b);
  const answeredRate = (answers.length / result.elapsed) * 1000;
  process.stdout.write(
    [
      `bench:slack  ${ARTICLES} articles, ${CONCURRENCY} concurrent, ${SECONDS} s, shared keys in ${store ? 'SQLite' : 'memory'} (load average before: ${loadBefore})`,
      `  acknowledged  ${result.ok} of ${total} (${fmt(throughput, 0)}/s), ${result.failed} failed`,
      `  time to ack   p50 ${fmt(p50, 1)} ms  p99 ${fmt(p99, 1)} ms  max ${fmt(sorted.at(-1) ?? 0, 1)} ms`,
      `    of which    ${result.answered} carried the answer, ${result.deferred} were answered afterwards through respond(), ${result.busy} were told "busy" (queue full)`,
      `  answered      ${answers.length} (${fmt(answeredRate, 0)}/s): time to answer p50 ${fmt(quantile(answers, 0.5), 1)} ms  p99 ${fmt(quantile(answers, 0.99), 1)} ms; ${result.unanswered} never answered`,
      `  app CPU       ${fmt((cpu.user + cpu.system) / 1000 / 1000, 1)} s in ${fmt(wallMs / 1000, 1)} s (${fmt(((cpu.user + cpu.system) / 1000 / wallMs) * 100, 0)}% of a core): ${fmt((cpu.user + cpu.system) / 1000 / Math.max(1, total), 2)} ms a request`,
      `  goal          ack p99 <= 50 ms at >= 500 answered commands/s: ${p99 <= 50 && answeredRate >= 500 ? 'met' : 'NOT met'}`,
      '',
    ].join('\n'),
  );
}

await main();
