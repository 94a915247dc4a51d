import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import { parse as parseQuery } from 'node:querystring';
import { type App, type Logger as BoltLogger, HTTPModuleFunctions, HTTPReceiver, type ReceiverEvent } from '@slack/bolt';
import { verifySlackSignature } from './signature.ts';

/**
 * Bolt's HTTP receiver, made to answer every signed request at once. Bolt leaves a request that
 * no listener acknowledges (no command, an action nobody handles, JSON that is not an object)
 * hanging for three seconds and then logs an error; here it gets a 4xx saying why as soon as
 * the listeners are done. A request the adapter refuses (a workspace that never installed the
 * app) gets its refusal instead of Bolt's empty 200.
 */

/** A request answered with `status` and a JSON body instead of being handled. */
export class SlackRefusal extends Error {
  readonly status: number;
  readonly payload: Record<string, unknown>;
  constructor(status: number, payload: Record<string, unknown>) {
    super(typeof payload.error === 'string' ? payload.error : `refused with ${status}`);
    this.name = 'SlackRefusal';
    this.status = status;
    this.payload = payload;
  }
}

function send(res: ServerResponse, status: number, payload: Record<string, unknown>): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(JSON.stringify(payload));
}

/** What kind of request a parsed body is, for logs and refusals: never its content. */
export function describeBody(body: unknown): string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'a body that is not an object';
  const b = body as { command?: unknown; type?: unknown; event?: { type?: unknown }; actions?: { action_id?: unknown }[] };
  const word = (v: unknown) => (typeof v === 'string' ? v.replace(/[^\w./-]/g, '').slice(0, 60) : undefined);
  if (word(b.command)) return `the command ${word(b.command)}`;
  const action = word(b.actions?.[0]?.action_id);
  if (word(b.type) === 'block_actions' && action) return `the button ${action}`;
  if (word(b.event?.type)) return `the event ${word(b.event?.type)}`;
  if (word(b.type)) return `a ${word(b.type)} request`;
  return 'a request with neither a command nor a type';
}

export interface AnsweringReceiverOptions {
  signingSecret: string;
  endpoint: string;
  bodyLimit: number;
  logger: BoltLogger;
  /** Requests the adapter decided to refuse (set while Bolt authorizes them), by body. */
  refusals: WeakMap<object, SlackRefusal>;
  /** Requests whose listener failed (set by the app's error handler), by body. */
  failures: WeakSet<object>;
  onUnhandled?: (what: string) => void;
}

export class AnsweringReceiver extends HTTPReceiver {
  readonly #options: AnsweringReceiverOptions;

  constructor(options: AnsweringReceiverOptions) {
    super({
      signingSecret: options.signingSecret,
      endpoints: options.endpoint,
      logger: options.logger,
      bodyLimit: options.bodyLimit,
      processEventErrorHandler: async (args) => {
        if (!(args.error instanceof SlackRefusal)) return HTTPModuleFunctions.defaultProcessEventErrorHandler(args);
        send(args.response, args.error.status, args.error.payload);
        return true;
      },
    });
    this.#options = options;
  }

  override init(app: App): void {
    // The receiver only ever calls processEvent on the app it is given.
    super.init({ processEvent: (event: ReceiverEvent) => this.#process(app, event) } as unknown as App);
  }

  async #process(app: App, event: ReceiverEvent): Promise<void> {
    const { refusals, failures } = this.#options;
    let acked = false;
    const ack = event.ack;
    await app.processEvent({
      ...event,
      ack: async (response?: unknown) => {
        // Bolt acknowledges a request it could not authorize with an empty 200: the refusal goes out instead.
        if (refusals.has(event.body)) return;
        acked = true;
        await ack(response);
      },
    });
    const refusal = refusals.get(event.body);
    if (refusal) throw refusal;
    if (acked) return;
    if (failures.has(event.body)) throw new SlackRefusal(500, { ok: false, error: 'the request failed on our side; it was logged' });
    const what = describeBody(event.body);
    this.#options.onUnhandled?.(what);
    throw new SlackRefusal(400, { ok: false, error: `nothing here handles ${what}` });
  }
}

/** Reads a request body up to `limit` bytes; rejects with `too-large` beyond it. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new Error('too-large'));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Why a body cannot be a Slack request Bolt dispatches, or undefined when it may be one. */
export function shapeProblem(raw: string, contentType: string | undefined): string | undefined {
  if (contentType === 'application/x-www-form-urlencoded') {
    const form = parseQuery(raw);
    if (typeof form.payload === 'string') return form.payload.trimStart().startsWith('{') ? undefined : 'the payload is not a JSON object';
    if (form.ssl_check === '1' || typeof form.command === 'string') return undefined;
    return 'the form has neither a command nor a payload';
  }
  return raw.trimStart().startsWith('{') ? undefined : 'the body is not a JSON object';
}

/**
 * Reads each POST body before Bolt does (Bolt reuses `rawBody`), and answers a correctly signed
 * body that cannot be a Slack request with 400 naming the problem. Unsigned ones go on to Bolt,
 * which answers 401 as before.
 */
export function readBodies(
  inner: RequestListener,
  options: { signingSecret: string; bodyLimit: number; now: () => number; onRefuse?: (problem: string) => void },
): RequestListener {
  return (req, res) => {
    if (req.method !== 'POST') {
      inner(req, res);
      return;
    }
    readBody(req, options.bodyLimit).then(
      (raw) => {
        (req as IncomingMessage & { rawBody?: Buffer }).rawBody = raw;
        const text = raw.toString('utf8');
        const problem = shapeProblem(text, req.headers['content-type']);
        const header = (name: string) => {
          const v = req.headers[name];
          return Array.isArray(v) ? v[0] : v;
        };
        const signed =
          problem !== undefined &&
          verifySlackSignature({
            signingSecret: options.signingSecret,
            timestamp: header('x-slack-request-timestamp'),
            signature: header('x-slack-signature'),
            body: text,
            nowMs: options.now(),
          }) === undefined;
        if (!problem || !signed) {
          inner(req, res);
          return;
        }
        options.onRefuse?.(problem);
        send(res, 400, { ok: false, error: problem });
      },
      (error: Error) => {
        if (error.message === 'too-large') send(res, 413, { ok: false, error: `the body is larger than ${options.bodyLimit} bytes` });
        else res.destroy();
      },
    );
  };
}
