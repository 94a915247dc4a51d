import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A loopback Discord: one HTTP server that answers the REST routes the bot uses and carries a
 * gateway WebSocket (HELLO, READY after IDENTIFY, heartbeat ACKs) that can push any dispatch.
 * Everything it receives is recorded so tests assert on the payloads, not on mocks.
 */

/** One REST call the fake received. `path` has the `/api/v10` prefix removed. */
export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  body: unknown;
  /** `performance.now()` when the body had arrived. */
  at: number;
}

/** A canned answer for the next request matching `match` (used for 429s and API errors). */
export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

interface Override {
  match: (req: FakeRequest) => boolean;
  response: FakeResponse;
  times: number;
}

export interface FakeDiscordOptions {
  applicationId?: string;
  botUserId?: string;
  /** Heartbeat interval sent in HELLO; long by default so tests see no heartbeat traffic. */
  heartbeatIntervalMs?: number;
  /** Keep no request log and only the latest 1,000 messages (benchmarks); listeners still fire. */
  record?: boolean;
}

type Json = Record<string, unknown>;

const DISCORD_EPOCH = 1_420_070_400_000n;
let increment = 0n;
/** A fresh snowflake carrying the current time, as Discord's ids do (interactions' age is read from it). */
export function nextId(): string {
  increment = (increment + 1n) & 0x3f_ffffn;
  return (((BigInt(Date.now()) - DISCORD_EPOCH) << 22n) | increment).toString();
}

/** A message object as Discord's API returns it, with `fields` over empty defaults. */
export function messageObject(fields: Record<string, unknown>): Record<string, unknown> {
  return {
    content: '',
    embeds: [],
    components: [],
    attachments: [],
    mentions: [],
    mention_roles: [],
    mention_everyone: false,
    pinned: false,
    tts: false,
    timestamp: new Date().toISOString(),
    edited_timestamp: null,
    ...fields,
  };
}

export class FakeDiscord {
  readonly applicationId: string;
  readonly botUser: { id: string; username: string; discriminator: string; bot: true; avatar: null; global_name: string };
  readonly requests: FakeRequest[] = [];
  /** Application commands by scope: `global` or a guild id. */
  readonly commands = new Map<string, Json[]>();
  /** Messages by id (interaction originals, followups, channel posts). */
  readonly messages = new Map<string, Json>();
  /** Files served at `/files/<name>` (attachment downloads). */
  readonly files = new Map<string, { body: string | Uint8Array; contentType: string }>();
  /** Identify payloads received (intents are asserted from these). */
  readonly identifies: Json[] = [];
  readonly #server: Server;
  readonly #wss: WebSocketServer;
  readonly #sockets = new Set<WebSocket>();
  readonly #overrides: Override[] = [];
  readonly #listeners = new Set<(req: FakeRequest) => void>();
  readonly #record: boolean;
  readonly #heartbeatMs: number;
  #seq = 0;
  #ready: Promise<void>;
  #markReady!: () => void;
  #port = 0;

  constructor(options: FakeDiscordOptions = {}) {
    this.applicationId = options.applicationId ?? '1100000000000000001';
    this.botUser = {
      id: options.botUserId ?? '1100000000000000002',
      username: 'briefing-bot',
      discriminator: '0',
      bot: true,
      avatar: null,
      global_name: 'Briefing Bot',
    };
    this.#record = options.record ?? true;
    this.#heartbeatMs = options.heartbeatIntervalMs ?? 45_000;
    this.#ready = new Promise((resolve) => {
      this.#markReady = resolve;
    });
    this.#server = createServer((req, res) => void this.#handle(req, res));
    this.#wss = new WebSocketServer({ server: this.#server });
    this.#wss.on('connection', (socket) => this.#onSocket(socket));
  }

  /** Listens on 127.0.0.1 with an ephemeral port. */
  async listen(): Promise<this> {
    await new Promise<void>((resolve) => this.#server.listen(0, '127.0.0.1', resolve));
    this.#port = (this.#server.address() as AddressInfo).port;
    return this;
  }

  get baseUrl(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** The value for discord.js `rest.api` and DISCORD_API_URL. */
  get apiUrl(): string {
    return `${this.baseUrl}/api`;
  }

  /** Resolves once a client has identified and received READY. */
  whenReady(): Promise<void> {
    return this.#ready;
  }

  /** Answers the next `times` requests matching `match` with `response` instead of the normal route. */
  respondWith(match: (req: FakeRequest) => boolean, response: FakeResponse, times = 1): void {
    this.#overrides.push({ match, response, times });
  }

  /** Calls `listener` for every request (after it is recorded). Returns an unsubscribe function. */
  onRequest(listener: (req: FakeRequest) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Resolves with the first request (already received or future) matching `match`. */
  waitFor(match: (req: FakeRequest) => boolean, timeoutMs = 5_000): Promise<FakeRequest> {
    const seen = this.requests.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off();
        reject(new Error(`fake Discord: no matching request within ${timeoutMs} ms`));
      }, timeoutMs);
      const off = this.onRequest((req) => {
        if (!match(req)) return;
        clearTimeout(timer);
        off();
        resolve(req);
      });
    });
  }

  /** Sends a gateway dispatch to every identified client; returns `performance.now()` at send. */
  dispatch(event: string, data: unknown): number {
    this.#seq += 1;
    const frame = JSON.stringify({ op: 0, t: event, s: this.#seq, d: data });
    const at = performance.now();
    for (const socket of this.#sockets) socket.send(frame);
    return at;
  }

  /** Pushes an INTERACTION_CREATE dispatch; returns `performance.now()` at send. */
  pushInteraction(interaction: unknown): number {
    return this.dispatch('INTERACTION_CREATE', interaction);
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.terminate();
    this.#wss.close();
    this.#server.closeAllConnections();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  #onSocket(socket: WebSocket): void {
    socket.send(JSON.stringify({ op: 10, d: { heartbeat_interval: this.#heartbeatMs } }));
    socket.on('message', (raw) => {
      const frame = JSON.parse(String(raw)) as { op: number; d: unknown };
      if (frame.op === 1) socket.send(JSON.stringify({ op: 11 }));
      if (frame.op === 2) {
        this.identifies.push(frame.d as Json);
        this.#sockets.add(socket);
        this.#seq += 1;
        const ready = {
          v: 10,
          user: this.botUser,
          guilds: [],
          session_id: `session-${this.#seq}`,
          resume_gateway_url: `ws://127.0.0.1:${this.#port}`,
          application: { id: this.applicationId, flags: 0 },
          shard: [0, 1],
        };
        socket.send(JSON.stringify({ op: 0, t: 'READY', s: this.#seq, d: ready }));
        this.#markReady();
      }
    });
    socket.on('close', () => this.#sockets.delete(socket));
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', this.baseUrl);
    let body: unknown = raw;
    if (raw && String(req.headers['content-type'] ?? '').includes('application/json')) body = JSON.parse(raw);
    const request: FakeRequest = {
      method: req.method ?? 'GET',
      path: decodeURIComponent(url.pathname).replace(/^\/api\/v\d+/, ''),
      query: url.searchParams,
      headers: req.headers,
      body,
      at: performance.now(),
    };
    if (this.#record) this.requests.push(request);
    for (const listener of [...this.#listeners]) listener(request);

    const override = this.#overrides.find((o) => o.times > 0 && o.match(request));
    if (override) {
      override.times -= 1;
      return send(res, override.response.status, override.response.body, override.response.headers);
    }
    const answer = this.#route(request);
    if (answer === 'no-content') {
      res.writeHead(204);
      res.end();
      return;
    }
    if (answer instanceof FileAnswer) {
      res.writeHead(200, { 'content-type': answer.contentType });
      res.end(answer.body);
      return;
    }
    send(res, answer.status, answer.body);
  }

  #route(req: FakeRequest): { status: number; body: unknown } | 'no-content' | FileAnswer {
    const { method, path } = req;
    const body = (req.body ?? {}) as Json;
    const match = (pattern: RegExp) => pattern.exec(path) ?? undefined;
    if (method === 'GET' && path === '/gateway/bot') {
      return {
        status: 200,
        body: {
          url: `ws://127.0.0.1:${this.#port}`,
          shards: 1,
          session_start_limit: { total: 1000, remaining: 1000, reset_after: 0, max_concurrency: 1 },
        },
      };
    }
    if (method === 'GET' && path === '/applications/@me') {
      return { status: 200, body: { id: this.applicationId, name: 'briefing-bot', bot: this.botUser, flags: 0 } };
    }
    const callback = match(/^\/interactions\/(\d+)\/([^/]+)\/callback$/);
    if (callback && method === 'POST') {
      const data = (body.data ?? {}) as Json;
      // Without a record (benchmarks) the original keeps its flags only: storing every answer's
      // embeds would make this fake's own garbage collection part of what is measured.
      const kept = this.#record ? data : { flags: data.flags ?? 0 };
      if (body.type === 4 || body.type === 5) this.#storeMessage(`original:${callback[2]}`, kept, body.type === 5);
      return 'no-content';
    }
    const original = match(/^\/webhooks\/(\d+)\/([^/]+)\/messages\/@original$/);
    if (original) {
      const key = `original:${original[2]}`;
      if (method === 'PATCH') return { status: 200, body: this.#storeMessage(key, body, false) };
      if (method === 'DELETE') return 'no-content';
      const found = this.messages.get(key);
      return found ? { status: 200, body: found } : unknownMessage();
    }
    if (match(/^\/webhooks\/(\d+)\/([^/]+)$/) && method === 'POST') {
      return { status: 200, body: this.#storeMessage(nextId(), body, false) };
    }
    const channel = match(/^\/channels\/(\d+)\/messages$/);
    if (channel && method === 'POST') {
      const channelId = channel[1] as string;
      if (body.enforce_nonce && body.nonce !== undefined) {
        const existing = [...this.messages.values()].find((msg) => msg.nonce === body.nonce && msg.channel_id === channelId);
        if (existing) return { status: 200, body: existing };
      }
      return { status: 200, body: this.#storeMessage(nextId(), body, false, channelId) };
    }
    const commands = match(/^\/applications\/(\d+)(?:\/guilds\/(\d+))?\/commands$/);
    if (commands) {
      const guildId = commands[2];
      const scope = guildId ?? 'global';
      if (method === 'GET') return { status: 200, body: this.commands.get(scope) ?? [] };
      if (method === 'PUT' && Array.isArray(req.body)) {
        const before = this.commands.get(scope) ?? [];
        const stored = (req.body as Json[]).map((c) => this.#storeCommand(c, before, guildId));
        this.commands.set(scope, stored);
        return { status: 200, body: stored };
      }
    }
    const file = match(/^\/files\/(.+)$/);
    if (file && method === 'GET') {
      const found = this.files.get(file[1] as string);
      if (found) return new FileAnswer(found.body, found.contentType);
    }
    return { status: 404, body: { message: `404: Not Found (${method} ${path})`, code: 0 } };
  }

  #storeMessage(key: string, data: Json, deferred: boolean, channelId = '1200000000000000001'): Json {
    const previous = this.messages.get(key);
    const message: Json = {
      ...messageObject({
        id: (previous?.id as string | undefined) ?? (key.startsWith('original:') ? nextId() : key),
        type: 0,
        channel_id: channelId,
        author: this.botUser,
        flags: 0,
      }),
      ...previous,
      ...(deferred ? { flags: data.flags ?? 0 } : data),
    };
    this.messages.delete(key);
    this.messages.set(key, message);
    // Without a record (benchmarks), old messages go: a long run would otherwise fill the heap.
    if (!this.#record && this.messages.size > 1_000) this.messages.delete(this.messages.keys().next().value as string);
    return message;
  }

  #storeCommand(command: Json, before: Json[], guildId?: string): Json {
    const old = before.find((c) => c.name === command.name);
    return {
      id: (old?.id as string | undefined) ?? nextId(),
      application_id: this.applicationId,
      version: nextId(),
      type: 1,
      default_member_permissions: null,
      nsfw: false,
      integration_types: [0],
      contexts: null,
      description_localizations: null,
      name_localizations: null,
      ...(guildId ? { guild_id: guildId } : {}),
      ...command,
    };
  }
}

class FileAnswer {
  constructor(
    readonly body: string | Uint8Array,
    readonly contentType: string,
  ) {}
}

function unknownMessage() {
  return { status: 404, body: { message: 'Unknown Message', code: 10008 } };
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (status === 204) {
    res.writeHead(204, headers);
    res.end();
    return;
  }
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(JSON.stringify(body ?? {}));
}

/** Starts a fake Discord on 127.0.0.1 with an ephemeral port. */
export function startFakeDiscord(options?: FakeDiscordOptions): Promise<FakeDiscord> {
  return new FakeDiscord(options).listen();
}
