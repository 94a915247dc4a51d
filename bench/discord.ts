import { readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { Agent, request } from 'node:http';
import { type EventLoopUtilization, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { pino } from 'pino';
import { commands } from '../commands/index.ts';
import { INTERACTIONS_PATH } from '../src/adapters/discord/http-endpoint.ts';
import { startDiscord } from '../src/adapters/discord/start.ts';
import { Library } from '../src/core/library.ts';
import { loadOrBuild } from '../src/core/search/snapshot.ts';
import { HttpServer } from '../src/http/server.ts';
import { autoWorkerCount, SearchPool } from '../src/workers/search-pool.ts';
import { startFakeDiscord } from '../test/fakes/discord.ts';
import { InteractionSigner } from '../test/fakes/discord-http.ts';
import { chatInput } from '../test/fakes/discord-interactions.ts';
import { generateCorpus } from './corpus.ts';
import { benchQuestions } from './lib/queries.ts';
import { fmt, quantile, timed } from './lib/stats.ts';

/**
 * `npm run bench:discord [-- --articles 10000 --seconds 10 --in-flight 50 --command ask --workers auto --http]`:
 * a real discord.js client logged in to the loopback gateway fake answers `/ask` interactions
 * with the synthetic corpus loaded. The fake (Discord's side: gateway, REST and the load that
 * keeps a fixed number of interactions in flight) runs on its own thread, as Discord is not in
 * the bot's process; latency runs from the gateway dispatch to the interaction callback
 * arriving at the fake REST server. Search workers start as `npm start` starts them
 * (SEARCH_WORKERS=auto: one on two cores at this size); `--workers 0` searches on the main thread.
 * Measuring starts after a 5 s warm-up.
 *
 * `--http` then runs the same load over HTTP interactions in the same process, library and search
 * workers: Discord's side signs each interaction (Ed25519) and POSTs it to the bot's
 * /discord/interactions; latency runs from the POST to its response (the answer itself), with
 * the signature checked on the bot's side. The two modes are printed side by side.
 */

type Mode = 'gateway' | 'http';

interface LoadOptions {
  inFlight: number;
  seconds: number;
  command: string;
  mode: Mode;
}

/** One measured interaction, in epoch milliseconds (comparable across threads). */
interface Sample {
  id: string;
  dispatched: number;
  answered: number;
  type: number;
  embeds: boolean;
}

/** Interactions run this long before measuring starts. */
const WARM_UP_MS = 5_000;

const epoch = () => performance.timeOrigin + performance.now();

const USAGE = 'usage: npm run bench:discord [-- --articles 10000 --seconds 10 --in-flight 50 --command ask --workers auto --http]';

/** What `npm run bench:discord` is asked to do. */
export interface BenchArgs {
  articles: number;
  seconds: number;
  inFlight: number;
  command: string;
  /** `auto` (as SEARCH_WORKERS=auto) or a count; 0 searches on the main thread. */
  workers: 'auto' | number;
  modes: Mode[];
}

/**
 * Reads the command line strictly: an unknown or mistyped option (`--htp`), or a value that is not
 * a number where one is needed (`--articles ten`), is refused naming it, rather than running ten
 * minutes at the default size or timing nothing but error replies.
 */
export function benchArgs(argv: readonly string[]): BenchArgs | { error: string } {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; strict: true; allowPositionals: false }>>;
  try {
    parsed = parseArgs({ args: [...argv], options: OPTIONS, strict: true, allowPositionals: false });
  } catch (err) {
    return { error: `bench:discord: ${(err as Error).message.split('\n')[0]}\n${USAGE}` };
  }
  const { values } = parsed;
  const whole = (name: keyof typeof OPTIONS, min: number): number | string => {
    const text = String(values[name]);
    const n = Number(text);
    return /^\d+$/.test(text) && n >= min ? n : `--${name} "${text}" must be a whole number from ${min}, such as ${OPTIONS[name].default}`;
  };
  const articles = whole('articles', 1);
  const seconds = whole('seconds', 1);
  const inFlight = whole('in-flight', 1);
  const workers =
    values.workers === 'auto' || /^\d+$/.test(values.workers)
      ? values.workers === 'auto'
        ? 'auto'
        : Number(values.workers)
      : `--workers "${values.workers}" must be auto or a whole number such as 1 (0 searches on the main thread)`;
  // The load sends a member's interactions, with a question for /ask and no options otherwise.
  const runnable = commands.filter(
    (c) => c.permission === 'everyone' && (c.name === 'ask' || (!c.subcommands && !c.options.some((o) => o.required))),
  );
  const command = runnable.some((c) => c.name === values.command)
    ? values.command
    : `--command "${values.command}" is not one the bench can send: ${runnable.map((c) => c.name).join(', ')}`;
  const errors = [articles, seconds, inFlight, workers, command].filter((v) => typeof v === 'string' && v.startsWith('--'));
  if (errors.length) return { error: `bench:discord: ${errors.join('; ')}\n${USAGE}` };
  return {
    articles: articles as number,
    seconds: seconds as number,
    inFlight: inFlight as number,
    command: command as string,
    workers: workers as 'auto' | number,
    modes: values.http ? ['gateway', 'http'] : ['gateway'],
  };
}

const OPTIONS = {
  articles: { type: 'string', default: '10000' },
  seconds: { type: 'string', default: '10' },
  'in-flight': { type: 'string', default: '50' },
  command: { type: 'string', default: 'ask' },
  workers: { type: 'string', default: 'auto' },
  http: { type: 'boolean', default: false },
} as const;

// Keep-alive connections, as Discord's own are; node:http costs the load generator far less than
// fetch does, which matters when it shares two cores with the bot.
const agent = new Agent({ keepAlive: true, maxSockets: 256 });

/** POSTs `body` and resolves with the status and the response text. */
function post(url: string, headers: Record<string, string>, body: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method: 'POST', headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) }, agent },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Discord's side, on a worker thread: the fake, and the load it sends (gateway dispatches or signed POSTs). */
async function discordSide(options: LoadOptions): Promise<void> {
  const port = parentPort as NonNullable<typeof parentPort>;
  const fake = await startFakeDiscord({ record: false });
  const signer = options.mode === 'http' ? new InteractionSigner() : undefined;
  port.postMessage({ type: 'listening', apiUrl: fake.apiUrl, applicationId: fake.applicationId, publicKey: signer?.publicKeyHex });
  const questions = benchQuestions(2_000, 4242);
  const samples: Sample[] = [];
  let next = 0;
  let measuring = false;
  let stopAt = Number.POSITIVE_INFINITY;
  const build = () => {
    const question = questions[next++ % questions.length] as string;
    const actor = { userId: String(1_300_000_000_000_000_000n + BigInt(next % 500)) };
    return chatInput(fake.applicationId, options.command, options.command === 'ask' ? { question } : {}, { actor });
  };
  const warmUpThenMeasure = async () => {
    await new Promise<void>((resolve) => setTimeout(resolve, WARM_UP_MS)); // warm-up: JIT, caches, heap sizing
    measuring = true;
    port.postMessage({ type: 'measuring' });
    const start = epoch();
    stopAt = start + options.seconds * 1_000;
    return start;
  };

  if (signer) {
    const url = await new Promise<string>((resolve) => port.once('message', (m: { url: string }) => resolve(m.url)));
    // `inFlight` senders, each POSTing its next interaction when the previous one is answered.
    const sender = async () => {
      while (epoch() < stopAt) {
        const built = build();
        const body = JSON.stringify(built.payload);
        const headers = signer.headers(body);
        const dispatched = epoch();
        const measured = measuring;
        const res = await post(url, headers, body);
        const answer = JSON.parse(res.text) as { type?: number; data?: { embeds?: unknown[] } };
        const answered = epoch();
        if (measured && answered <= stopAt + 60_000) {
          samples.push({
            id: built.id,
            dispatched,
            answered,
            type: res.status === 200 ? (answer.type ?? 0) : -res.status,
            embeds: Boolean(answer.data?.embeds?.length),
          });
        }
      }
    };
    const senders = Array.from({ length: options.inFlight }, sender);
    const start = await warmUpThenMeasure();
    await Promise.all(senders);
    port.postMessage({ type: 'done', samples, elapsedMs: epoch() - start });
    await fake.close();
    return;
  }

  await fake.whenReady();
  const pending = new Map<string, { id: string; dispatched: number; measured: boolean }>();
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const push = () => {
    const built = build();
    fake.pushInteraction(built.payload);
    pending.set(`/interactions/${built.id}/${built.token}/callback`, { id: built.id, dispatched: epoch(), measured: measuring });
  };
  fake.onRequest((req) => {
    const started = pending.get(req.path);
    if (!started) return;
    pending.delete(req.path);
    const body = req.body as { type?: number; data?: { embeds?: unknown[] } };
    if (started.measured) {
      const answered = performance.timeOrigin + req.at;
      samples.push({
        id: started.id,
        dispatched: started.dispatched,
        answered,
        type: body.type ?? 0,
        embeds: Boolean(body.data?.embeds?.length),
      });
    }
    if (epoch() < stopAt) push();
    else if (pending.size === 0) finish();
  });

  for (let i = 0; i < options.inFlight; i++) push();
  const start = await warmUpThenMeasure();
  await finished;
  port.postMessage({ type: 'done', samples, elapsedMs: epoch() - start });
  await fake.close();
}

interface ModeResult {
  mode: Mode;
  samples: Sample[];
  seconds: number;
  /** Arrival (dispatch or POST) to the handler starting on it, by interaction id. */
  reachedHandler: Map<string, number>;
  /** The bot's main thread while measuring. */
  busy: EventLoopUtilization;
  /** CPU time the bot's main thread used while measuring (Linux), which preemption does not inflate. */
  cpuMs?: number;
}

/**
 * CPU time (user + system) of the main thread so far, in ms, from /proc (Linux; undefined
 * elsewhere). Wall-clock figures such as event-loop utilisation also count time the thread
 * waited for a core, which on a shared two-core machine says little about the bot's own cost.
 */
function mainThreadCpuMs(): number | undefined {
  try {
    const stat = readFileSync(`/proc/self/task/${process.pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ 100)
  } catch {
    return undefined;
  }
}

/** Runs the load in one mode against a fresh adapter and Discord-side thread. */
async function runMode(mode: Mode, library: Library, options: LoadOptions): Promise<ModeResult> {
  // Worker threads do not inherit tsx's loader: register it there, then load this file.
  const bootstrap = `import { register } from ${JSON.stringify(import.meta.resolve('tsx/esm/api'))}; register(); await import(${JSON.stringify(import.meta.url)});`;
  const worker = new Worker(new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`), { workerData: { ...options, mode } });
  const messages: { type: string; [key: string]: unknown }[] = [];
  let wake: () => void = () => {};
  // How busy the bot's own thread is while measuring, whatever the load generator costs.
  let elu: EventLoopUtilization | undefined;
  let cpu: number | undefined;
  worker.on('message', (m) => {
    if (m.type === 'measuring') {
      elu = performance.eventLoopUtilization();
      cpu = mainThreadCpuMs();
    } else if (m.type === 'done' && elu) {
      elu = performance.eventLoopUtilization(elu);
      const end = mainThreadCpuMs();
      cpu = cpu !== undefined && end !== undefined ? end - cpu : undefined;
    }
    messages.push(m);
    wake();
  });
  worker.on('error', (err) => {
    throw err;
  });
  const next = async (type: string) => {
    for (;;) {
      const found = messages.find((m) => m.type === type);
      if (found) return found;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  };

  const { apiUrl, applicationId, publicKey } = (await next('listening')) as unknown as {
    apiUrl: string;
    applicationId: string;
    publicKey?: string;
  };
  const http = mode === 'http' ? new HttpServer() : undefined;
  const adapter = await startDiscord({
    config: { token: 'bench-token', applicationId, apiUrl, ...(publicKey ? { publicKey, gateway: false } : {}) },
    library,
    commands,
    logger: pino({ level: 'warn' }, pino.destination(2)),
    rest: { retries: 0 },
    ...(http ? { http } : {}),
  });
  if (http) {
    const port = await http.listen(0, '127.0.0.1');
    worker.postMessage({ url: `http://127.0.0.1:${port}${INTERACTIONS_PATH}` });
  }
  const reachedHandler = new Map<string, number>();
  // When discord.js hands the interaction over; the rest of the latency is the answer itself.
  adapter.client.prependListener('interactionCreate', (interaction) => void reachedHandler.set(interaction.id, epoch()));

  const { samples, elapsedMs } = (await next('done')) as unknown as { samples: Sample[]; elapsedMs: number };
  await adapter.stop();
  await http?.close();
  await worker.terminate();
  return {
    mode,
    samples,
    seconds: elapsedMs / 1000,
    reachedHandler,
    busy: elu ?? performance.eventLoopUtilization(),
    ...(cpu !== undefined ? { cpuMs: cpu } : {}),
  };
}

function report(result: ModeResult, options: LoadOptions, log: (line: string) => void): void {
  const { samples, seconds, reachedHandler } = result;
  const latencies = samples.map((s) => s.answered - s.dispatched).sort((a, b) => a - b);
  const queued = samples.map((s) => (reachedHandler.get(s.id) ?? s.answered) - s.dispatched).sort((a, b) => a - b);
  const deferred = samples.filter((s) => s.type === 5).length;
  const failed = samples.filter((s) => (s.type === 4 && !s.embeds) || s.type < 0).length;
  const what = result.mode === 'gateway' ? 'dispatch → callback' : 'signed POST → response';
  log(`  ${result.mode}:`);
  log(
    `    ${samples.length.toLocaleString('en-US')} /${options.command} answered in ${fmt(seconds, 1)} s: ${fmt(samples.length / seconds, 0)} interactions/s`,
  );
  log(
    `    ${what}: p50 ${fmt(quantile(latencies, 0.5), 1)} ms, p99 ${fmt(quantile(latencies, 0.99), 1)} ms, max ${fmt(latencies.at(-1) ?? 0, 1)} ms (goal p99 <= 50 ms)`,
  );
  log(`    of which arrival → handler start: p50 ${fmt(quantile(queued, 0.5), 1)} ms, p99 ${fmt(quantile(queued, 0.99), 1)} ms`);
  const perInteraction = (ms: number) => fmt((ms / Math.max(1, samples.length)) * 1000, 0);
  log(
    `    bot main thread: busy ${fmt(result.busy.utilization * 100, 0)}% of the time${result.cpuMs !== undefined ? `, ${perInteraction(result.cpuMs)} µs of CPU per interaction` : ''} (${perInteraction(result.busy.active)} µs busy; searches on workers not included)`,
  );
  log(`    deferred answers: ${deferred}; answers without embeds or refused (errors): ${failed}`);
}

async function botSide(): Promise<void> {
  const args = benchArgs(process.argv.slice(2));
  if ('error' in args) {
    process.stderr.write(`${args.error}\n`);
    process.exitCode = 2;
    return;
  }
  const { articles, modes } = args;
  const options: LoadOptions = { inFlight: args.inFlight, seconds: args.seconds, command: args.command, mode: 'gateway' };
  const log = (line: string) => process.stdout.write(`${line}\n`);
  log(
    `bench:discord — /${options.command}, ${articles.toLocaleString('en-US')} articles, ${options.inFlight} in flight, ${options.seconds} s, ${modes.join(' then ')}`,
  );

  const corpus = await timed(() => generateCorpus({ articles, seed: 7 }));
  const cache = fileURLToPath(new URL('./.cache/', import.meta.url));
  await mkdir(cache, { recursive: true });
  const loaded = await timed(() => loadOrBuild({ articles: corpus.value, snapshotPath: `${cache}discord-index-${articles}.bin` }));
  const library = new Library(loaded.value.index);
  for (const a of corpus.value) library.add(a, { addedAt: '2025-01-01T00:00:00.000Z', origin: 'content' });
  log(
    `  corpus ${fmt(corpus.ms / 1000, 1)} s; index ${loaded.value.from} in ${fmt(loaded.ms / 1000, 1)} s; ${library.size} articles loaded`,
  );

  const workers = args.workers === 'auto' ? autoWorkerCount(library.index.documentCount) : args.workers;
  const pool = workers > 0 ? SearchPool.start(library, { workers, logger: pino({ level: 'warn' }, pino.destination(2)) }) : undefined;
  await pool?.ready();
  log(`  search workers: ${workers}${pool ? ' (ready)' : ''}`);
  const results: ModeResult[] = [];
  for (const mode of modes) results.push(await runMode(mode, library, { ...options, mode }));
  await pool?.close();
  for (const result of results) report(result, options, log);
}

// Run as a script (not when a test imports benchArgs): the bot's side, or Discord's on the worker.
if (!isMainThread) await discordSide(workerData as LoadOptions);
else if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await botSide();
