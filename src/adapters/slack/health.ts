import type { IncomingMessage, ServerResponse } from 'node:http';

/** The JSON /healthz answers; `ok: false` turns the status into 503. */
export type HealthReport = Record<string, unknown> & { ok?: boolean };

/** Answers GET /healthz with the report from the provider. */
export function healthHandler(provider: () => HealthReport): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    let report: HealthReport;
    try {
      report = provider();
    } catch {
      report = { ok: false, error: 'health check failed' };
    }
    const body = JSON.stringify(report);
    res.writeHead(report.ok === false ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
    res.end(body);
  };
}
