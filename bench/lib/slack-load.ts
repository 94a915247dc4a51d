import { Agent, request } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { signSlackRequest } from '../../src/adapters/slack/signature.ts';
import type { FakeSlack } from '../../test/fakes/slack-api.ts';
import { eventCallback, slashBody } from '../../test/fakes/slack-requests.ts';

/**
 * A closed-loop Slack load: `concurrency` simulated users, each sending a signed request through
 * `url` (the load balancer) and waiting for its answer before sending the next. The answer is
 * the acknowledgement when it carries blocks, else what reaches the fake Slack afterwards:
 * respond() on the command's response_url, or chat.postMessage in the mention's thread.
 *
 * The mix, by request number: 85% `/ask <question>`; 10% `/digest status` (read from the
 * store); 5% an `@bot <question>` mention (Events API) immediately re-delivered with
 * `x-slack-retry-num: 1`, as Slack does after a timeout. The round-robin balancer sends the
 * re-delivery to another replica, so only the shared de-duplication key in the database stops a
 * second answer. Every slash command also records its trigger id there.
 */

export type Kind = 'ask' | 'digest' | 'mention';

export interface LoadOptions {
  /** Base URL of the load balancer; requests go to `${url}/slack/events`. */
  url: string;
  signingSecret: string;
  fake: FakeSlack;
  questions: readonly string[];
  concurrency: number;
  warmupMs: number;
  durationMs: number;
  /** Called when the measured window opens and when it closes (CPU readings go here). */
  onWindow: (edge: 'start' | 'end') => void;
  /** How long an answer may take before it counts as lost (default 30 s). */
  answerTimeoutMs?: number;
  /** Stops the load at once (Ctrl-C): nothing new is sent, nobody waits for answers, and the run rejects. */
  signal?: AbortSignal;
}

export interface LoadResult {
  /** Length of the measured window in ms. */
  windowMs: number;
  /** Answered in the window: time from sending to the answer, in ms, per kind. */
  latencies: Record<Kind, number[]>;
  /** Requests finished in the window with a non-200 status or a network error. */
  failed: number;
  /** Told "busy right now" in the window (the replica's queue was full). */
  busy: number;
  /** Sent before the window closed and never answered within the answer timeout. */
  unanswered: number;
  /** Re-delivered mentions sent, and how many of them were answered a second time. */
  retries: number;
  doubled: number;
  /** Everything sent, warm-up and drain included. */
  sent: number;
}

interface Waiter {
  done: boolean;
  resolve: (answered: boolean) => void;
}

interface HttpAnswer {
  status: number;
  text: string;
}

export async function runSlackLoad(options: LoadOptions): Promise<LoadResult> {
  const { fake, signingSecret } = options;
  const events = new URL('/slack/events', options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: options.concurrency * 2 });
  const answerTimeoutMs = options.answerTimeoutMs ?? 30_000;
  // Read once: the fake's address is gone once it closes, and an interrupted run may still be building a request.
  const responseBase = `${fake.url}/respond/`;
  const byResponseId = new Map<string, Waiter>();
  const byThread = new Map<string, Waiter>();
  /** First message text posted in each mention's thread, to recognise a second answer. */
  const firstPost = new Map<string, string>();
  const result: LoadResult = {
    windowMs: 0,
    latencies: { ask: [], digest: [], mention: [] },
    failed: 0,
    busy: 0,
    unanswered: 0,
    retries: 0,
    doubled: 0,
    sent: 0,
  };

  // The fake records every request; read what it recorded once each answer is out, then forget
  // it, so a long run neither rescans nor grows.
  const onFakeRequest = (_req: unknown, res: { once(event: 'finish', fn: () => void): void }) =>
    res.once('finish', () => {
      for (const r of fake.responses.splice(0)) {
        const waiter = byResponseId.get(r.id);
        if (waiter) waiter.resolve(true);
      }
      for (const call of fake.calls.splice(0)) {
        if (call.method !== 'chat.postMessage' || typeof call.body.thread_ts !== 'string') continue;
        const thread = call.body.thread_ts;
        const text = String(call.body.text ?? '');
        const first = firstPost.get(thread);
        if (first === undefined) firstPost.set(thread, text);
        else if (first === text) result.doubled++;
        byThread.get(thread)?.resolve(true);
      }
    });
  fake.server.on('request', onFakeRequest);

  const wait = (map: Map<string, Waiter>, key: string) => {
    let waiter!: Waiter;
    const answered = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.resolve(false), answerTimeoutMs);
      waiter = {
        done: false,
        resolve: (ok) => {
          if (waiter.done) return;
          waiter.done = true;
          clearTimeout(timer);
          map.delete(key);
          resolve(ok);
        },
      };
    });
    map.set(key, waiter);
    return { waiter, answered };
  };

  const post = (body: string, contentType: string, headers: Record<string, string> = {}) =>
    new Promise<HttpAnswer>((resolve) => {
      const timestamp = Math.floor(Date.now() / 1000);
      result.sent++;
      const req = request(
        {
          host: events.hostname,
          port: events.port,
          path: events.pathname,
          method: 'POST',
          agent,
          headers: {
            'content-type': contentType,
            'content-length': Buffer.byteLength(body),
            'x-slack-request-timestamp': String(timestamp),
            'x-slack-signature': signSlackRequest(signingSecret, timestamp, body),
            ...headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', () => resolve({ status: 0, text: '' }));
        },
      );
      req.on('error', () => resolve({ status: 0, text: '' }));
      req.end(body);
    });

  type Outcome = 'answered' | 'failed' | 'busy' | 'unanswered';
  let counter = 0;

  const slash = async (n: number, command: string, text: string): Promise<Outcome> => {
    const id = `r${n}`;
    const { waiter, answered } = wait(byResponseId, id);
    const body = slashBody({
      command,
      text,
      response_url: `${responseBase}${id}`,
      user_id: `U${String(n % 97).padStart(4, '0')}`,
      channel_id: `C${String(n % 13).padStart(4, '0')}`,
    });
    const ack = await post(body, 'application/x-www-form-urlencoded');
    if (ack.status !== 200) {
      waiter.resolve(false);
      return 'failed';
    }
    if (ack.text.includes('busy right now')) {
      waiter.resolve(false);
      return 'busy';
    }
    if (ack.text.includes('"blocks"')) waiter.resolve(true);
    return (await answered) ? 'answered' : 'unanswered';
  };

  const mention = async (n: number, question: string): Promise<Outcome> => {
    const ts = `${1_700_000_000 + n}.${String(n % 1_000_000).padStart(6, '0')}`;
    const { waiter, answered } = wait(byThread, ts);
    const body = JSON.stringify(
      eventCallback(
        {
          type: 'app_mention',
          user: `U${String(n % 97).padStart(4, '0')}`,
          text: `<@UBOT> ${question}`,
          ts,
          event_ts: ts,
          channel: 'C0BENCH',
        },
        `EvBench${n}`,
      ),
    );
    const first = await post(body, 'application/json');
    if (first.status !== 200) {
      waiter.resolve(false);
      return 'failed';
    }
    // The same delivery again, as Slack re-sends it when the acknowledgement seemed late.
    result.retries++;
    const again = await post(body, 'application/json', { 'x-slack-retry-num': '1', 'x-slack-retry-reason': 'http_timeout' });
    if (again.status !== 200) result.failed++;
    return (await answered) ? 'answered' : 'unanswered';
  };

  let phase: 'warmup' | 'measure' | 'done' = 'warmup';
  let windowStart = 0;
  let windowEnd = Number.POSITIVE_INFINITY;
  const user = async () => {
    while (phase !== 'done') {
      const n = ++counter;
      const question = options.questions[n % options.questions.length] as string;
      const kind: Kind = n % 10 === 3 ? 'digest' : n % 20 === 7 ? 'mention' : 'ask';
      const started = performance.now();
      const outcome =
        kind === 'digest'
          ? await slash(n, '/digest', 'status')
          : kind === 'mention'
            ? await mention(n, question)
            : await slash(n, '/ask', question);
      const finished = performance.now();
      if (outcome === 'unanswered' && started < windowEnd) result.unanswered++;
      if (finished < windowStart || finished > windowEnd) continue;
      if (outcome === 'answered') result.latencies[kind].push(finished - started);
      else if (outcome === 'failed') result.failed++;
      else if (outcome === 'busy') result.busy++;
    }
  };

  const { signal } = options;
  const stop = () => {
    phase = 'done';
    for (const waiter of [...byResponseId.values(), ...byThread.values()]) waiter.resolve(false);
  };
  signal?.addEventListener('abort', stop, { once: true });
  const users = Array.from({ length: options.concurrency }, user);
  try {
    await sleep(options.warmupMs, undefined, { signal });
    phase = 'measure';
    windowStart = performance.now();
    options.onWindow('start');
    await sleep(options.durationMs, undefined, { signal });
    windowEnd = performance.now();
    options.onWindow('end');
    phase = 'done';
    result.windowMs = windowEnd - windowStart;
  } finally {
    // Requests still in flight finish (or time out) before the replicas stop: nothing is cut off mid-answer.
    await Promise.all(users);
    signal?.removeEventListener('abort', stop);
    fake.server.off('request', onFakeRequest);
    agent.destroy();
  }
  return result;
}
