import type { IncomingMessage, ServerResponse } from 'node:http';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { Observer } from '../core/observer.ts';

/**
 * Prometheus metrics for one bot process (prom-client, on a registry of its own so tests and
 * several runtimes in one process never share counters). `observer` is what the core, the
 * scheduler, registration and the store report to; `handler` answers GET /metrics.
 */
export interface Metrics {
  readonly registry: Registry;
  readonly observer: Required<Observer>;
  /** Reads a live value at scrape time, e.g. the number of loaded briefings. */
  gauge(name: string, help: string, read: () => number): void;
  handler(req: IncomingMessage, res: ServerResponse): Promise<void>;
}

/** Seconds buckets for answers: most take milliseconds, a slow search or a deferred answer seconds. */
const ANSWER_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export function createMetrics(options: { prefix?: string; defaults?: boolean } = {}): Metrics {
  const prefix = options.prefix ?? 'briefing_';
  const registry = new Registry();
  if (options.defaults !== false) collectDefaultMetrics({ register: registry, prefix });
  const commands = new Counter({
    name: `${prefix}commands_total`,
    help: 'Commands answered, by platform, command and outcome (ok or the error code)',
    labelNames: ['platform', 'command', 'outcome'] as const,
    registers: [registry],
  });
  const answers = new Histogram({
    name: `${prefix}answer_seconds`,
    help: 'Time to answer a command, from parsing to the finished reply',
    labelNames: ['platform', 'command'] as const,
    buckets: ANSWER_BUCKETS,
    registers: [registry],
  });
  const digests = new Counter({
    name: `${prefix}digests_total`,
    help: 'Digest slots and manual posts by platform and outcome',
    labelNames: ['platform', 'outcome'] as const,
    registers: [registry],
  });
  const registrations = new Counter({
    name: `${prefix}registrations_total`,
    help: 'Briefing registrations by outcome (published, unregistered, refused)',
    labelNames: ['outcome'] as const,
    registers: [registry],
  });
  const waits = new Counter({
    name: `${prefix}rate_limit_waits_total`,
    help: 'Sends that waited for a platform rate limit',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const waited = new Counter({
    name: `${prefix}rate_limit_wait_seconds_total`,
    help: 'Time spent waiting for platform rate limits',
    labelNames: ['platform'] as const,
    registers: [registry],
  });
  const storeErrors = new Counter({
    name: `${prefix}store_errors_total`,
    help: 'Store calls that failed, by operation and error code',
    labelNames: ['operation', 'code'] as const,
    registers: [registry],
  });
  const observer: Required<Observer> = {
    command({ platform, command, outcome, seconds }) {
      commands.inc({ platform, command, outcome });
      answers.observe({ platform, command }, seconds);
    },
    digest({ platform, outcome }) {
      digests.inc({ platform, outcome });
    },
    registration({ outcome }) {
      registrations.inc({ outcome });
    },
    rateLimitWait({ platform, seconds }) {
      waits.inc({ platform });
      waited.inc({ platform }, seconds);
    },
    storeError({ operation, code }) {
      storeErrors.inc({ operation, code });
    },
  };
  return {
    registry,
    observer,
    gauge(name, help, read) {
      new Gauge({
        name: `${prefix}${name}`,
        help,
        registers: [registry],
        collect() {
          this.set(read());
        },
      });
    },
    async handler(_req, res) {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType, 'cache-control': 'no-store' });
      res.end(body);
    },
  };
}
