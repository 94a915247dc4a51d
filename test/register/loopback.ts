import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export type Route = (req: IncomingMessage, res: ServerResponse) => void;

/** A loopback HTTP server for registration URLs: each path answers with its route; requests are recorded. */
export interface Loopback {
  base: string;
  routes: Map<string, Route>;
  requests: string[];
  /** Resolves when the next request for `path` arrives. */
  arrival(path: string): Promise<void>;
  close(): Promise<void>;
}

export async function startLoopback(): Promise<Loopback> {
  const routes = new Map<string, Route>();
  const requests: string[] = [];
  const waiters = new Map<string, (() => void)[]>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    requests.push(path);
    for (const w of waiters.get(path) ?? []) w();
    waiters.delete(path);
    const route = routes.get(path);
    if (route) route(req, res);
    else {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    routes,
    requests,
    arrival: (path) => new Promise((resolve) => waiters.set(path, [...(waiters.get(path) ?? []), resolve])),
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A route answering with a body and content type. */
export function serve(body: string | Uint8Array, contentType: string, extra: Record<string, string> = {}): Route {
  return (_req, res) => {
    res.writeHead(200, { 'content-type': contentType, ...extra });
    res.end(body);
  };
}
