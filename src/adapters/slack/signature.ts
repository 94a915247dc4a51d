import { createHmac, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';

/**
 * Request signing (`v0=` + HMAC-SHA256 of `v0:{timestamp}:{body}`), plus the checks Bolt leaves
 * out: Bolt rejects stale timestamps but accepts any in the future, so the guard in front of the
 * receiver refuses |now - timestamp| > 300 s both ways before a body is read, and refuses
 * oversized bodies from their Content-Length.
 */

/** Largest clock difference accepted, either way. */
export const MAX_SKEW_SECONDS = 300;

/** Signs a request body the way Slack does (used by tests, the bench and the fakes). */
export function signSlackRequest(signingSecret: string, timestamp: number | string, body: string): string {
  return `v0=${createHmac('sha256', signingSecret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

export type SignatureProblem = 'missing-timestamp' | 'stale' | 'future' | 'bad-signature';

/** Checks a timestamp header (seconds) against the clock. */
export function checkTimestamp(header: string | undefined, nowMs: number): SignatureProblem | undefined {
  if (!header || !/^\d{1,12}$/.test(header)) return 'missing-timestamp';
  const skew = Number(header) - Math.floor(nowMs / 1000);
  if (skew > MAX_SKEW_SECONDS) return 'future';
  if (skew < -MAX_SKEW_SECONDS) return 'stale';
  return undefined;
}

/** Full verification of a signed body: timestamp both ways, then a constant-time HMAC compare. */
export function verifySlackSignature(options: {
  signingSecret: string;
  timestamp: string | undefined;
  signature: string | undefined;
  body: string;
  nowMs: number;
}): SignatureProblem | undefined {
  const problem = checkTimestamp(options.timestamp, options.nowMs);
  if (problem) return problem;
  const expected = Buffer.from(signSlackRequest(options.signingSecret, options.timestamp as string, options.body));
  const given = Buffer.from(options.signature ?? '');
  return given.length === expected.length && timingSafeEqual(given, expected) ? undefined : 'bad-signature';
}

export interface GuardOptions {
  /** Paths Slack posts to (the receiver's endpoints). */
  endpoints: readonly string[];
  bodyLimit: number;
  now: () => number;
  onReject: (reason: SignatureProblem | 'too-large', req: IncomingMessage) => void;
  /** Counts requests to the endpoints that have not been answered yet. */
  gauge?: { inFlight: number };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function refuse(res: ServerResponse, status: number): void {
  res.writeHead(status, { connection: 'close' });
  res.end();
}

/**
 * Wraps a receiver's request listener: requests to the Slack endpoints with a timestamp more
 * than 300 s off (either way) get 401, and bodies declared larger than the limit get 413,
 * without reading the body. Everything else goes on to the receiver (which checks the HMAC).
 */
export function guardRequests(inner: RequestListener, options: GuardOptions): RequestListener {
  return (req, res) => {
    const path = (req.url ?? '/').split('?')[0] as string;
    if (req.method === 'POST' && options.endpoints.includes(path)) {
      const length = Number(header(req, 'content-length') ?? '0');
      if (Number.isFinite(length) && length > options.bodyLimit) {
        options.onReject('too-large', req);
        refuse(res, 413);
        req.resume();
        return;
      }
      const problem = checkTimestamp(header(req, 'x-slack-request-timestamp'), options.now());
      if (problem) {
        options.onReject(problem, req);
        refuse(res, 401);
        req.resume();
        return;
      }
      const gauge = options.gauge;
      if (gauge) {
        gauge.inFlight += 1;
        res.once('close', () => {
          gauge.inFlight -= 1;
        });
      }
    }
    inner(req, res);
  };
}
