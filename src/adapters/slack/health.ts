import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

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

/** A tiny HTTP server for /healthz, used in Socket Mode where there is no receiver server. */
export async function startHealthServer(provider: () => HealthReport, port: number, host: string): Promise<Server> {
  const handle = healthHandler(provider);
  const server = createServer((req, res) => {
    if (req.method === 'GET' && (req.url ?? '').split('?')[0] === '/healthz') handle(req, res);
    else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}
