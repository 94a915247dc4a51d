import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type WebSocket, WebSocketServer } from 'ws';

/**
 * A loopback stand-in for Slack: the Web API (`/api/<method>`, form or JSON bodies), response
 * URLs (`/respond/<id>`), and a Socket Mode WebSocket (`/socket`, URL handed out by
 * `apps.connections.open`). It records everything it receives and answers `{ ok: true }`
 * unless a test scripts another answer.
 */

export interface ApiCall {
  method: string;
  /** Form fields (JSON-valued ones like `blocks` parsed) or the JSON body. */
  body: Record<string, unknown>;
  authorization: string | undefined;
}

export interface ResponseCall {
  id: string;
  body: Record<string, unknown>;
}

/** A message chat.postMessage put in a channel, as conversations.history gives it back. */
export interface PostedMessage {
  type: 'message';
  ts: string;
  text?: string;
  blocks?: unknown;
  metadata?: { event_type: string; event_payload: Record<string, unknown> };
  thread_ts?: string;
  bot_id: string;
  user: string;
}

export interface ScriptedAnswer {
  /**
   * Do what the method does (a post lands in its channel) but never answer: the caller waits
   * until it gives up or dies, as when Slack acted and the response was lost.
   */
  hold?: boolean;
  status?: number;
  headers?: Record<string, string>;
  json?: unknown;
}

/** An answer for one call; a promise holds the call until it settles (to act while the caller waits). */
type Script = (call: ApiCall) => ScriptedAnswer | undefined | Promise<ScriptedAnswer | undefined>;

const JSON_FIELDS = new Set(['blocks', 'attachments', 'metadata']);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function parseApiBody(text: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  const out: Record<string, unknown> = {};
  for (const [key, value] of new URLSearchParams(text)) {
    out[key] = JSON_FIELDS.has(key) ? JSON.parse(value) : value;
  }
  return out;
}

export class FakeSlack {
  readonly server: Server;
  readonly wss: WebSocketServer;
  readonly calls: ApiCall[] = [];
  readonly responses: ResponseCall[] = [];
  /** Members of usergroups answered by usergroups.users.list. */
  readonly usergroups = new Map<string, string[]>();
  /** Bot tokens auth.test answers for (by token); other tokens get the single-workspace bot. */
  readonly identities = new Map<string, { team_id: string; team?: string; user_id: string; bot_id: string; enterprise_id?: string }>();
  /** users.info answers, by `<team>:<user>` where the team is the calling token's (anyone else is an ordinary member). */
  readonly users = new Map<string, { is_admin?: boolean; is_owner?: boolean }>();
  /** oauth.v2.access answers, by authorization code (an unknown code is `invalid_code`). */
  readonly oauthCodes = new Map<string, Record<string, unknown>>();
  /** Sockets currently connected in Socket Mode. */
  readonly sockets = new Set<WebSocket>();
  readonly socketAcks: Record<string, unknown>[] = [];
  /** Messages posted with chat.postMessage, by channel, oldest first (what conversations.history reads). */
  readonly channels = new Map<string, PostedMessage[]>();
  /**
   * Slack's clock (ms): the seconds of each posted message's ts. Fixed by default so ts values are
   * predictable (`1700000000.000001`, …); a test of history windows sets it to its own clock.
   */
  now: () => number = () => 1_700_000_000_000;
  #scripts = new Map<string, Script[]>();
  #waiters: { test: () => boolean; resolve: () => void }[] = [];
  #tsCounter = 1;

  private constructor(server: Server) {
    this.server = server;
    this.wss = new WebSocketServer({ noServer: true });
    server.on('upgrade', (req, socket, head) => {
      if ((req.url ?? '').startsWith('/socket')) {
        this.wss.handleUpgrade(req, socket, head, (ws) => this.#onSocket(ws));
      } else socket.destroy();
    });
  }

  static async start(): Promise<FakeSlack> {
    let fake: FakeSlack | undefined;
    const server = createServer((req, res) => {
      (fake as FakeSlack).#handle(req, res).catch((error: unknown) => {
        res.writeHead(500);
        res.end(String(error));
      });
    });
    fake = new FakeSlack(server);
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    return fake;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get apiUrl(): string {
    return `${this.url}/api/`;
  }

  responseUrl(id: string): string {
    return `${this.url}/respond/${id}`;
  }

  /** Scripts the next answers to a method (each used once, in order). */
  script(method: string, ...answers: (ScriptedAnswer | Script)[]): void {
    const list = this.#scripts.get(method) ?? [];
    for (const a of answers) list.push(typeof a === 'function' ? a : () => a);
    this.#scripts.set(method, list);
  }

  callsTo(method: string): ApiCall[] {
    return this.calls.filter((c) => c.method === method);
  }

  responsesTo(id: string): ResponseCall[] {
    return this.responses.filter((r) => r.id === id);
  }

  /** Resolves once the condition holds (checked after every recorded request). No polling. */
  until(test: () => boolean, timeoutMs = 5000): Promise<void> {
    if (test()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('FakeSlack: condition not met in time')), timeoutMs);
      this.#waiters.push({
        test,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      });
    });
  }

  #notify(): void {
    this.#waiters = this.#waiters.filter((w) => {
      if (!w.test()) return true;
      w.resolve();
      return false;
    });
  }

  async #handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = (req.url ?? '/').split('?')[0] as string;
    const text = await readBody(req);
    if (path.startsWith('/respond/')) {
      this.responses.push({ id: path.slice('/respond/'.length), body: text ? (JSON.parse(text) as Record<string, unknown>) : {} });
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('ok');
      this.#notify();
      return;
    }
    if (!path.startsWith('/api/')) {
      res.writeHead(404);
      res.end();
      return;
    }
    const call: ApiCall = {
      method: path.slice('/api/'.length),
      body: parseApiBody(text, req.headers['content-type']),
      authorization: req.headers.authorization,
    };
    this.calls.push(call);
    const scripted = await this.#scripts.get(call.method)?.shift()?.(call);
    if (scripted?.hold) {
      this.#defaultAnswer(call);
      this.#notify();
      return;
    }
    const answer = scripted ?? { json: this.#defaultAnswer(call) };
    res.writeHead(answer.status ?? 200, { 'content-type': 'application/json', ...answer.headers });
    res.end(JSON.stringify(answer.json ?? { ok: false, error: 'fake_no_body' }));
    this.#notify();
  }

  #defaultAnswer(call: ApiCall): Record<string, unknown> {
    const token = call.authorization?.replace(/^Bearer /, '') ?? '';
    switch (call.method) {
      case 'auth.test': {
        const known = this.identities.get(token);
        if (known)
          return {
            ok: true,
            url: `https://${known.team ?? 'fake'}.slack.test/`,
            team: known.team ?? 'Fake',
            user: 'briefing-bot',
            ...known,
          };
        return {
          ok: true,
          url: 'https://fake.slack.test/',
          team: 'Fake',
          user: 'briefing-bot',
          team_id: 'T0FAKE',
          user_id: 'UBOT',
          bot_id: 'BBOT',
        };
      }
      case 'users.info': {
        const user = String(call.body.user);
        const team = this.identities.get(token)?.team_id ?? 'T0FAKE';
        return { ok: true, user: { id: user, team_id: team, is_admin: false, is_owner: false, ...this.users.get(`${team}:${user}`) } };
      }
      case 'oauth.v2.access': {
        const answer = this.oauthCodes.get(String(call.body.code));
        return answer ?? { ok: false, error: 'invalid_code' };
      }
      case 'chat.postMessage': {
        const ts = `${Math.floor(this.now() / 1000)}.${String(this.#tsCounter++ % 1_000_000).padStart(6, '0')}`;
        const channel = String(call.body.channel);
        const bot = this.identities.get(token) ?? { user_id: 'UBOT', bot_id: 'BBOT' };
        const message: PostedMessage = {
          type: 'message',
          ts,
          bot_id: bot.bot_id,
          user: bot.user_id,
          ...(call.body.text !== undefined ? { text: String(call.body.text) } : {}),
          ...(call.body.blocks !== undefined ? { blocks: call.body.blocks } : {}),
          ...(call.body.metadata ? { metadata: call.body.metadata as PostedMessage['metadata'] & object } : {}),
          ...(call.body.thread_ts ? { thread_ts: String(call.body.thread_ts) } : {}),
        };
        const list = this.channels.get(channel) ?? [];
        list.push(message);
        this.channels.set(channel, list);
        return { ok: true, channel, ts, message };
      }
      case 'conversations.history':
        return this.#history(call.body);
      case 'usergroups.users.list':
        return { ok: true, users: this.usergroups.get(String(call.body.usergroup)) ?? [] };
      case 'apps.connections.open':
        return { ok: true, url: `${this.url.replace('http', 'ws')}/socket` };
      default:
        return { ok: true };
    }
  }

  /**
   * conversations.history as Slack answers it: top-level messages (no thread replies), newest
   * first, after `oldest` and before `latest` (exclusive unless `inclusive`), `limit` a page
   * (default 100, at most 999) with a cursor for the next, metadata only with `include_all_metadata`.
   */
  #history(body: Record<string, unknown>): Record<string, unknown> {
    const flag = (v: unknown) => v === true || v === 'true' || v === '1';
    const micros = (ts: string) => {
      const [sec = '0', frac = '0'] = ts.split('.');
      return BigInt(sec) * 1_000_000n + BigInt(frac.padEnd(6, '0').slice(0, 6));
    };
    const inclusive = flag(body.inclusive);
    const oldest = body.oldest !== undefined ? micros(String(body.oldest)) : undefined;
    const latest = body.latest !== undefined ? micros(String(body.latest)) : undefined;
    const limit = Math.min(999, Math.max(1, Number(body.limit ?? 100) || 100));
    const offset = body.cursor
      ? Number(
          Buffer.from(String(body.cursor), 'base64')
            .toString('utf8')
            .replace(/^offset:/, ''),
        )
      : 0;
    const all = (this.channels.get(String(body.channel)) ?? [])
      .filter((m) => !m.thread_ts || m.thread_ts === m.ts)
      .filter((m) => {
        const t = micros(m.ts);
        if (oldest !== undefined && (inclusive ? t < oldest : t <= oldest)) return false;
        if (latest !== undefined && (inclusive ? t > latest : t >= latest)) return false;
        return true;
      })
      .sort((a, b) => (micros(b.ts) > micros(a.ts) ? 1 : micros(b.ts) < micros(a.ts) ? -1 : 0));
    const page = all.slice(offset, offset + limit).map((m) => {
      if (flag(body.include_all_metadata) || !m.metadata) return m;
      const { metadata: _hidden, ...rest } = m;
      return rest;
    });
    const hasMore = offset + limit < all.length;
    return {
      ok: true,
      messages: page,
      has_more: hasMore,
      pin_count: 0,
      response_metadata: { next_cursor: hasMore ? Buffer.from(`offset:${offset + limit}`).toString('base64') : '' },
    };
  }

  #onSocket(ws: WebSocket): void {
    this.sockets.add(ws);
    ws.on('close', () => {
      this.sockets.delete(ws);
      this.#notify();
    });
    ws.on('message', (data) => {
      this.socketAcks.push(JSON.parse(String(data)) as Record<string, unknown>);
      this.#notify();
    });
    ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'AFAKE' } }));
    this.#notify();
  }

  /** Pushes a Socket Mode envelope to every connected socket. */
  pushEnvelope(envelope: { envelope_id: string; type: string; payload: unknown; accepts_response_payload?: boolean }): void {
    for (const ws of this.sockets) ws.send(JSON.stringify(envelope));
  }

  async close(): Promise<void> {
    for (const ws of this.sockets) ws.terminate();
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
