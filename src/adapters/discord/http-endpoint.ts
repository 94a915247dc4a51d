import type { KeyObject } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { CallbackAnswer, CallbackRouter } from './callback-router.ts';
import { checkSignature } from './signature.ts';

/**
 * `POST /discord/interactions`: Discord's Interactions Endpoint URL. Verifies the signature
 * before anything runs, answers PING, and hands every other interaction to discord.js exactly as
 * a gateway dispatch would be handed over; the handler's callback comes back through the
 * CallbackRouter as this request's response.
 */

export const INTERACTIONS_PATH = '/discord/interactions';
/** Largest body read. Interaction payloads, `resolved` data included, stay far below it. */
export const MAX_BODY_BYTES = 256 * 1024;
/**
 * Discord waits 3 s for the response. The handler defers well before that (1.5 s by default);
 * should it still be silent at this point (a store that does not answer), the endpoint defers
 * for it and its answer becomes an edit of the deferred message.
 */
export const FALLBACK_AFTER_MS = 2_500;

export interface EndpointDeps {
  publicKey: KeyObject;
  router: CallbackRouter;
  /** Hands a raw interaction to discord.js, which builds it and emits `interactionCreate`. */
  deliver: (payload: Record<string, unknown>) => void;
  logger: Logger;
  /** Epoch milliseconds, for the signature's time window. */
  now?: () => number;
  maxBodyBytes?: number;
  fallbackAfterMs?: number;
}

/** Followups and edits are possible for 15 minutes after an interaction. */
const TOKEN_LIFE_MS = 15 * 60_000;
const PING = 1;
const AUTOCOMPLETE = 4;
const EPHEMERAL = 64;

function json(res: ServerResponse, status: number, body: string, extra: Record<string, string> = {}): void {
  const bytes = Buffer.from(body, 'utf8');
  // A known length: one write of headers and body instead of chunked encoding's several.
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': bytes.length, 'cache-control': 'no-store', ...extra });
  res.end(bytes);
}

function refuse(res: ServerResponse, status: number, error: string): void {
  // A refused request may still be sending its body: close the connection instead of reading it.
  json(res, status, JSON.stringify({ error }), { connection: 'close' });
}

/**
 * Reads the body up to `limit` bytes; undefined when it is larger (by its Content-Length, or
 * once more than `limit` bytes arrived), without keeping more than `limit` bytes.
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) return Promise.resolve(undefined);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limit) {
        cleanup();
        req.pause();
        resolve(undefined);
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => {
      cleanup();
      resolve(Buffer.concat(chunks, total));
    };
    const onError = (err: Error) => {
      cleanup();
      reject(err);
    };
    const cleanup = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

const header = (req: IncomingMessage, name: string) => {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

interface VerifyDeps {
  publicKey: KeyObject;
  logger: Logger;
  now: () => number;
  limit: number;
}

/**
 * Reads and verifies a request to INTERACTIONS_PATH and answers PING. Resolves with the
 * interaction to handle, or undefined when the request has been answered (refused, or PONG).
 */
async function verifiedInteraction(
  req: IncomingMessage,
  res: ServerResponse,
  deps: VerifyDeps,
): Promise<Record<string, unknown> | undefined> {
  const log = deps.logger;
  const signature = header(req, 'x-signature-ed25519');
  const timestamp = header(req, 'x-signature-timestamp');
  if (!signature || !timestamp) {
    log.warn({ path: INTERACTIONS_PATH }, 'discord interaction refused: unsigned');
    refuse(res, 401, 'missing request signature');
    return undefined;
  }
  let body: Buffer | undefined;
  try {
    body = await readBody(req, deps.limit);
  } catch (err) {
    // The client went away mid-body: there is no one to answer.
    log.debug({ err }, 'discord interaction request aborted');
    res.destroy();
    return undefined;
  }
  if (!body) {
    log.warn({ limit: deps.limit }, 'discord interaction refused: body too large');
    refuse(res, 413, `request body is larger than ${deps.limit} bytes`);
    return undefined;
  }
  const check = checkSignature(deps.publicKey, { signature, timestamp }, body, deps.now());
  if (!check.ok) {
    log.warn({ reason: check.reason }, 'discord interaction refused: invalid signature');
    refuse(res, 401, 'invalid request signature');
    return undefined;
  }
  let payload: Record<string, unknown>;
  try {
    payload = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    json(res, 400, JSON.stringify({ error: 'body is not JSON' }));
    return undefined;
  }
  if (!payload || typeof payload !== 'object' || typeof payload.type !== 'number') {
    json(res, 400, JSON.stringify({ error: 'not an interaction: no numeric "type"' }));
    return undefined;
  }
  if (payload.type === PING) {
    json(res, 200, '{"type":1}');
    return undefined;
  }
  return payload;
}

/** What a user sees for an interaction that reaches the bot while it starts. */
export const STARTING_MESSAGE = '⏳ briefing-bot is starting; try again in a few seconds.';

/**
 * Stands in for the endpoint while the bot starts (before its index is loaded): Discord does not
 * retry an interaction, so a 503 would only show the user that it failed. Requests are verified
 * as ever (forged ones get 401), a PING gets its PONG (saving the endpoint in the Developer Portal
 * works during a long first start), autocomplete gets no choices, and anything else a private
 * message saying the bot is starting.
 */
export function startingEndpoint(deps: { publicKey: KeyObject; logger: Logger; now?: () => number; maxBodyBytes?: number }) {
  const verify: VerifyDeps = {
    publicKey: deps.publicKey,
    logger: deps.logger,
    now: deps.now ?? Date.now,
    limit: deps.maxBodyBytes ?? MAX_BODY_BYTES,
  };
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const payload = await verifiedInteraction(req, res, verify);
    if (!payload) return;
    deps.logger.info({ interactionId: payload.id, type: payload.type }, 'discord interaction while starting; told the user to try again');
    if (payload.type === AUTOCOMPLETE) return json(res, 200, '{"type":8,"data":{"choices":[]}}');
    json(res, 200, JSON.stringify({ type: 4, data: { content: STARTING_MESSAGE, flags: EPHEMERAL, allowed_mentions: { parse: [] } } }));
  };
}

/** The request handler for INTERACTIONS_PATH. */
export function interactionsEndpoint(deps: EndpointDeps) {
  const fallbackAfterMs = deps.fallbackAfterMs ?? FALLBACK_AFTER_MS;
  const log = deps.logger;
  const verify: VerifyDeps = {
    publicKey: deps.publicKey,
    logger: log,
    now: deps.now ?? Date.now,
    limit: deps.maxBodyBytes ?? MAX_BODY_BYTES,
  };

  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const payload = await verifiedInteraction(req, res, verify);
    if (!payload) return;
    const { id, token, application_id: applicationId } = payload;
    if (typeof id !== 'string' || typeof token !== 'string' || typeof applicationId !== 'string') {
      return json(res, 400, JSON.stringify({ error: 'not an interaction: "id", "token" or "application_id" is missing' }));
    }

    const answered = deps.router.expect(id, token);
    try {
      deps.deliver(payload);
    } catch (err) {
      log.error({ err, interactionId: id }, 'discord.js could not read an interaction');
    }
    if (!deps.router.wasDelivered(id)) {
      // discord.js builds no object for this kind of interaction (modals, select menus...): as over
      // the gateway, nothing answers it and Discord tells the user the interaction failed.
      deps.router.finish(id, { status: 400, body: JSON.stringify({ error: `interaction type ${payload.type} is not handled` }) });
    }
    const fallback = setTimeout(() => {
      const answer: CallbackAnswer =
        payload.type === AUTOCOMPLETE
          ? { status: 200, body: '{"type":8,"data":{"choices":[]}}' }
          : { status: 200, body: '{"type":5,"data":{"flags":64}}' };
      log.warn({ interactionId: id, afterMs: fallbackAfterMs }, 'discord interaction is slow to answer; deferred for it');
      deps.router.fallBack(id, answer, applicationId);
      // A handler that never finishes must not keep its entry past the token's life.
      setTimeout(() => deps.router.finish(id, { status: 410, body: '' }), TOKEN_LIFE_MS).unref();
    }, fallbackAfterMs);
    // Discord gave up (or the connection broke): a late callback has nowhere to go.
    res.on('close', () => {
      clearTimeout(fallback);
      if (!res.writableFinished) deps.router.finish(id, { status: 499, body: '' });
    });
    const answer = await answered;
    clearTimeout(fallback);
    if (!res.destroyed) json(res, answer.status, answer.body);
  };
}
