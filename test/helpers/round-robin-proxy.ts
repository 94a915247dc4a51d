import { createServer, request as httpRequest, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A tiny load balancer for replica tests: listens on 127.0.0.1 (ephemeral port) in front of N
 * upstream base URLs and sends each request to the next one in turn. Method, path (with query),
 * headers and body pass through unchanged, and so does the answer. An upstream that cannot be
 * reached (refused, reset before answering) is skipped: the request goes to the next one, as a
 * load balancer's retry would; only when none answers is it 502. Every request is recorded with
 * the upstream that served it.
 *
 * @example
 * const proxy = await startRoundRobinProxy([replicaA.url, replicaB.url]);
 * await fetch(`${proxy.url}/discord/interactions`, { method: 'POST', headers, body });
 * proxy.served; // [{ method: 'POST', path: '/discord/interactions', upstream: 0, status: 200, ... }]
 */

/** One request the proxy handled. */
export interface ServedRequest {
  method: string;
  /** Path and query as received. */
  path: string;
  /** Index into the upstream list of the one that answered; -1 when none did. */
  upstream: number;
  /** Base URL of that upstream ('' when none answered). */
  upstreamUrl: string;
  /** Upstreams tried before it that could not be reached. */
  skipped: number[];
  status: number;
}

export interface RoundRobinProxy {
  /** Base URL, e.g. `http://127.0.0.1:45678`. */
  readonly url: string;
  readonly upstreams: readonly string[];
  /** Requests in the order they were answered. */
  readonly served: ServedRequest[];
  close(): Promise<void>;
}

/** Connection failures that mean "this upstream is down, try the next one". */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', 'ETIMEDOUT']);

function readAll(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** Sends one request to `base`; resolves with the upstream's response, rejects when it cannot be reached. */
function forward(base: URL, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const upstream = httpRequest(
      { protocol: base.protocol, hostname: base.hostname, port: base.port, method, path, headers, agent: false },
      resolve,
    );
    upstream.on('error', reject);
    upstream.end(body);
  });
}

/** Starts a round-robin proxy in front of `upstreams` (base URLs such as `http://127.0.0.1:3001`). */
export async function startRoundRobinProxy(upstreams: readonly string[]): Promise<RoundRobinProxy> {
  if (upstreams.length === 0) throw new Error('round-robin proxy: no upstreams given');
  const bases = upstreams.map((u) => new URL(u));
  const served: ServedRequest[] = [];
  let next = 0;

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const method = req.method ?? 'GET';
    const path = req.url ?? '/';
    const body = await readAll(req);
    const first = next;
    next = (next + 1) % bases.length;
    const skipped: number[] = [];
    for (let attempt = 0; attempt < bases.length; attempt++) {
      const index = (first + attempt) % bases.length;
      let answer: IncomingMessage;
      try {
        answer = await forward(bases[index] as URL, method, path, req.headers, body);
      } catch (error) {
        if (UNREACHABLE.has((error as NodeJS.ErrnoException).code ?? '')) {
          skipped.push(index);
          continue;
        }
        throw error;
      }
      served.push({ method, path, upstream: index, upstreamUrl: upstreams[index] as string, skipped, status: answer.statusCode ?? 0 });
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
      return;
    }
    served.push({ method, path, upstream: -1, upstreamUrl: '', skipped, status: 502 });
    res.writeHead(502, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: `no upstream answered (${upstreams.join(', ')})` }));
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(502, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: `round-robin proxy: ${(error as Error).message}` }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    upstreams,
    served,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
