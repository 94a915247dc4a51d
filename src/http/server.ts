import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * The bot's one HTTP server on PORT, shared by every platform and the operator endpoints:
 * Slack's `/slack/events` (and OAuth pages), Discord's `/discord/interactions`, `/healthz`,
 * `/readyz` and `/metrics`. Routes are exact paths (the query string is ignored); an unknown
 * path is 404 and a known path with another method 405, both without running anything.
 * A path announced with `expect` but not served yet (a platform still starting) holds its
 * requests for a moment and hands them to the handler when it arrives, else answers 503 (or
 * hands them to the stand-in given with the path).
 */

export type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void | Promise<void>;

export interface HttpLog {
  warn(obj: Record<string, unknown>, msg: string): void;
  error(obj: Record<string, unknown>, msg: string): void;
}

interface Expected {
  waitMs: number;
  waiting: Set<() => void>;
  /** Answers a request that waited in vain, instead of 503. */
  meanwhile?: RequestHandler;
}

export class HttpServer {
  readonly server: Server;
  readonly #routes = new Map<string, Map<string, RequestHandler>>();
  readonly #log: HttpLog | undefined;
  /** Paths announced with `expect` and not routed yet, with the requests waiting for them. */
  readonly #expected = new Map<string, Expected>();
  #listening = false;
  /** Set by `close`: every response from then on ends its connection. */
  #closing = false;
  /** Responses under way, told at `close` to end their connection. */
  readonly #open = new Set<ServerResponse>();

  constructor(options: { logger?: HttpLog } = {}) {
    this.#log = options.logger;
    this.server = createServer((req, res) => this.#dispatch(req, res));
    // Slack and Discord keep connections alive between requests; a replica going away must not wait for them.
    this.server.keepAliveTimeout = 5_000;
    this.server.on('close', () => {
      this.#listening = false;
    });
  }

  /**
   * Serves `path` for the given methods. A path is owned by one handler per method.
   * @example http.route('GET', '/healthz', (req, res) => res.end('ok'));
   */
  route(methods: string | readonly string[], path: string, handler: RequestHandler): this {
    let byMethod = this.#routes.get(path);
    if (!byMethod) {
      byMethod = new Map();
      this.#routes.set(path, byMethod);
    }
    for (const method of typeof methods === 'string' ? [methods] : methods) {
      const m = method.toUpperCase();
      if (byMethod.has(m)) throw new Error(`HttpServer: ${m} ${path} is already served`);
      byMethod.set(m, handler);
    }
    const expected = this.#expected.get(path);
    this.#expected.delete(path);
    for (const release of expected?.waiting ?? []) release();
    return this;
  }

  /**
   * Announces paths a platform will serve once it has started (the server listens before the
   * index loads). A request for one meanwhile waits up to `waitMs` for its handler, so a restart
   * within that time costs Slack or Discord nothing; after it, or if the server closes, it gets
   * 503 with Retry-After (Slack retries those), never 404; or is handed to `meanwhile`, for a
   * platform that does not retry (Discord) and is better told "starting" in its own terms.
   */
  expect(paths: readonly string[], waitMs = 2_000, meanwhile?: RequestHandler): this {
    for (const path of paths) {
      if (!this.#routes.has(path)) this.#expected.set(path, { waitMs, waiting: new Set(), ...(meanwhile ? { meanwhile } : {}) });
    }
    return this;
  }

  /** Whether a handler serves this path (any method). */
  serves(path: string): boolean {
    return this.#routes.has(path);
  }

  /** Starts listening; resolves with the port (useful with port 0). */
  async listen(port: number, host: string): Promise<number> {
    await new Promise<void>((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve();
      });
    });
    this.#listening = true;
    return this.port as number;
  }

  get listening(): boolean {
    return this.#listening;
  }

  get port(): number | undefined {
    const address = this.server.address() as AddressInfo | string | null;
    return address && typeof address === 'object' ? address.port : undefined;
  }

  /**
   * Stops accepting connections and closes idle ones; resolves when the server is closed. A
   * request that still arrives on a kept-alive connection (a load balancer reusing one) is
   * answered with `Connection: close`, so the balancer's next request opens a connection to
   * another replica instead of keeping this one from ever closing.
   */
  async close(): Promise<void> {
    this.#closing = true;
    for (const res of this.#open) if (!res.headersSent) res.shouldKeepAlive = false;
    for (const { waiting } of this.#expected.values()) for (const release of waiting) release();
    this.#expected.clear();
    if (!this.server.listening) return;
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeIdleConnections();
    await closed;
  }

  #dispatch(req: IncomingMessage, res: ServerResponse): void {
    if (this.#closing) res.shouldKeepAlive = false;
    else if (!this.#open.has(res)) {
      this.#open.add(res);
      res.once('close', () => {
        this.#open.delete(res);
        // A connection whose answer went out with keep-alive before the close began is idle now: end it.
        if (this.#closing) setImmediate(() => this.server.closeIdleConnections());
      });
    }
    const path = (req.url ?? '/').split('?')[0] as string;
    const expected = this.#expected.get(path);
    if (expected) {
      this.#hold(path, expected, req, res);
      return;
    }
    const byMethod = this.#routes.get(path);
    const handler = byMethod?.get((req.method ?? 'GET').toUpperCase()) ?? (req.method === 'HEAD' ? byMethod?.get('GET') : undefined);
    if (!byMethod || !handler) {
      req.resume();
      const status = byMethod ? 405 : 404;
      res.writeHead(status, {
        'content-type': 'application/json',
        ...(byMethod ? { allow: [...byMethod.keys()].join(', ') } : {}),
      });
      res.end(JSON.stringify({ ok: false, error: status === 404 ? `no such path: ${path}` : `${req.method} is not allowed on ${path}` }));
      return;
    }
    this.#run(handler, req, res);
  }

  #run(handler: RequestHandler, req: IncomingMessage, res: ServerResponse): void {
    let result: void | Promise<void>;
    try {
      result = handler(req, res);
    } catch (err) {
      this.#fail(err, req, res);
      return;
    }
    if (result instanceof Promise) result.catch((err: unknown) => this.#fail(err, req, res));
  }

  /** Keeps a request for a path that is not served yet until its handler arrives (or time runs out). */
  #hold(path: string, expected: Expected, req: IncomingMessage, res: ServerResponse): void {
    const release = () => {
      clearTimeout(timer);
      expected.waiting.delete(release);
      if (this.#routes.has(path) && this.server.listening) this.#dispatch(req, res);
      else if (expected.meanwhile && this.server.listening) this.#run(expected.meanwhile, req, res);
      else {
        req.resume();
        res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1', 'cache-control': 'no-store' });
        res.end(JSON.stringify({ ok: false, error: `${path} is starting; try again in a moment` }));
      }
    };
    const timer = setTimeout(release, expected.waitMs);
    expected.waiting.add(release);
  }

  #fail(err: unknown, req: IncomingMessage, res: ServerResponse): void {
    this.#log?.error({ err, method: req.method, path: req.url?.split('?')[0] }, 'an HTTP handler failed');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    res.writeHead(500, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ ok: false, error: 'internal error; it was logged' }));
  }
}

/** Sends a JSON body with `no-store`, as the probes and small API answers do. */
export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(text);
}
