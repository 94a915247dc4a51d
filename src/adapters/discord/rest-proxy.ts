import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { proxyRequests } from '@discordjs/proxy';
import { REST, RESTEvents } from 'discord.js';
import type { Logger } from 'pino';
import { createMetrics, type Metrics } from '../../http/metrics.ts';

/**
 * One REST proxy for every replica of the bot (@discordjs/proxy). Discord's rate limits,
 * the global 50 requests a second included, belong to the bot token, not to a process: replicas
 * that each keep their own count can exceed them together. Pointed at this proxy
 * (DISCORD_API_URL=http://proxy:8080/api), every replica's REST calls go through one
 * @discordjs/rest instance that queues them against one set of buckets and one global limit.
 * The proxy holds no token: it forwards each request's own Authorization header.
 *
 * The waits happen here, not in the replicas (they only see slower answers), so the proxy serves
 * `GET /metrics` of its own: `briefing_rate_limit_waits_total{platform="discord"}` and
 * `briefing_rate_limit_wait_seconds_total`, with Node's process metrics. Discord's routes all
 * start with /api, so the path is free.
 */

export interface RestProxyOptions {
  port: number;
  host: string;
  /** Discord's API base (default https://discord.com/api); tests point it at the loopback fake. */
  upstream?: string;
  logger?: Logger;
  /** Where rate-limit waits are counted (default: a registry of its own, served at GET /metrics). */
  metrics?: Metrics;
  /** @discordjs/rest tuning (tests use a small `offset`). */
  rest?: { offset?: number; retries?: number; timeout?: number; globalRequestsPerSecond?: number };
}

export interface RestProxy {
  /** The value for the replicas' DISCORD_API_URL, e.g. `http://127.0.0.1:8080/api`. */
  readonly apiUrl: string;
  readonly port: number;
  /** The REST instance that owns the rate limits (its `rateLimited` events say who waited). */
  readonly rest: REST;
  close(): Promise<void>;
}

/** Starts the proxy; resolves once it listens. */
export async function startRestProxy(options: RestProxyOptions): Promise<RestProxy> {
  // Never give a rate limit back to the replicas as an error: the proxy waits it out for them.
  const rest = new REST({ ...(options.upstream ? { api: options.upstream } : {}), ...options.rest, rejectOnRateLimit: null });
  const log = options.logger;
  const metrics = options.metrics ?? createMetrics();
  rest.on(RESTEvents.RateLimited, (info) => {
    log?.info({ route: info.route, global: info.global, waitMs: info.timeToReset, scope: info.scope }, 'discord rate limit: request held');
    metrics.observer.rateLimitWait({ platform: 'discord', seconds: Math.max(info.retryAfter, info.timeToReset, 0) / 1000 });
  });
  const forward = proxyRequests(rest);
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (req.method === 'GET' && req.url?.split('?')[0] === '/metrics') {
      metrics.handler(req, res).catch((err: unknown) => {
        log?.warn({ err }, 'discord proxy: /metrics failed');
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
      return;
    }
    // @discordjs/proxy sets the status of answers and of Discord's errors; a failure it does not
    // know (Discord unreachable) would end the response with the default 200, so that is 502 here.
    res.statusCode = 502;
    Promise.resolve(forward(req, res)).catch((err: unknown) => {
      log?.warn({ err, method: req.method, path: req.url?.split('?')[0] }, 'discord proxy: request failed');
      if (!res.writableEnded) res.end();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? '127.0.0.1' : options.host;
  return {
    apiUrl: `http://${host.includes(':') ? `[${host}]` : host}:${port}/api`,
    port,
    rest,
    async close() {
      server.closeIdleConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
