import { once } from 'node:events';
import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { HttpServer } from '../../src/http/server.ts';

let http: HttpServer;
let base: string;

async function start(): Promise<void> {
  http = new HttpServer();
  base = `http://127.0.0.1:${await http.listen(0, '127.0.0.1')}`;
}

afterEach(async () => {
  await http?.close();
});

/** Echoes the request body, as a platform handler reading its signed body would. */
const echo = (req: import('node:http').IncomingMessage, res: import('node:http').ServerResponse) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => res.end(`got ${Buffer.concat(chunks).toString('utf8')}`));
};

describe('HttpServer', () => {
  it('answers 404 for an unknown path and 405 naming the allowed methods for a known one', async () => {
    await start();
    http.route('POST', '/slack/events', echo);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
    const wrong = await fetch(`${base}/slack/events`);
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('holds a request for an expected path until its handler arrives, body and all', async () => {
    await start();
    http.expect(['/slack/events'], 10_000);
    const arrived = once(http.server, 'request');
    const answer = fetch(`${base}/slack/events`, { method: 'POST', body: 'command=/ask' });
    // The request is waiting at the server; the platform finishes starting and mounts its handler.
    await arrived;
    http.route('POST', '/slack/events', echo);
    const res = await answer;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('got command=/ask');
    // Later requests go straight to the handler.
    expect(await (await fetch(`${base}/slack/events`, { method: 'POST', body: 'x' })).text()).toBe('got x');
  });

  it('answers 503 with Retry-After when the handler does not arrive in time, or the server closes meanwhile', async () => {
    await start();
    http.expect(['/discord/interactions'], 20);
    const late = await fetch(`${base}/discord/interactions`, { method: 'POST', body: '{}' });
    expect(late.status).toBe(503);
    expect(late.headers.get('retry-after')).toBe('1');
    expect(await late.json()).toEqual({ ok: false, error: '/discord/interactions is starting; try again in a moment' });

    http.expect(['/slack/events'], 60_000);
    const arrived = once(http.server, 'request');
    const waiting = fetch(`${base}/slack/events`, { method: 'POST', body: 'x' });
    await arrived;
    const closing = http.close();
    expect((await waiting).status).toBe(503);
    await closing;
  });

  it('hands a request that waited in vain to the stand-in given with the path, and later ones to the handler once it arrives', async () => {
    await start();
    http.expect(['/discord/interactions'], 20, (req, res) => {
      req.resume();
      res.end('starting');
    });
    const late = await fetch(`${base}/discord/interactions`, { method: 'POST', body: '{}' });
    expect([late.status, await late.text()]).toEqual([200, 'starting']);
    http.route('POST', '/discord/interactions', echo);
    expect(await (await fetch(`${base}/discord/interactions`, { method: 'POST', body: 'z' })).text()).toBe('got z');
  });

  it('expecting a path that is already served changes nothing', async () => {
    await start();
    http.route('POST', '/slack/events', echo);
    http.expect(['/slack/events'], 10);
    expect(await (await fetch(`${base}/slack/events`, { method: 'POST', body: 'y' })).text()).toBe('got y');
  });

  it('while closing, a request on a kept-alive connection is answered with Connection: close, so the server does close', async () => {
    await start();
    // Longer than the test may take: an idle kept-alive connection left open would keep close() waiting.
    http.server.keepAliveTimeout = 60_000;
    let release: () => void = () => {};
    http.route('GET', '/slow', (_req, res) => {
      release = () => res.end('slow done');
    });
    http.route('GET', '/fast', (_req, res) => {
      res.end('fast');
    });
    const agent = new Agent({ keepAlive: true, maxSockets: 2 });
    const get = (path: string) =>
      new Promise<{ status: number; connection: string | undefined; body: string }>((resolve, reject) => {
        request(`${base}${path}`, { agent }, (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (c: string) => {
            body += c;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
        })
          .on('error', reject)
          .end();
      });
    try {
      expect(await get('/fast')).toMatchObject({ connection: 'keep-alive' });
      // One request keeps the server from closing at once; the other connection stays with the agent.
      const arrived = once(http.server, 'request');
      const slow = get('/slow');
      await arrived;
      let closed = false;
      const closing = http.close().then(() => {
        closed = true;
      });
      // The kept connection is closed as idle, or carries one more request and is told to close after it.
      const again = await get('/fast').catch((error: NodeJS.ErrnoException) => ({ status: 0, connection: error.code, body: '' }));
      expect(again.connection === 'close' || again.status === 0, JSON.stringify(again)).toBe(true);
      await expect(get('/fast')).rejects.toMatchObject({ code: 'ECONNREFUSED' });
      expect(closed).toBe(false);
      release();
      expect(await slow).toEqual({ status: 200, connection: 'close', body: 'slow done' });
      await closing;
      expect(closed).toBe(true);
    } finally {
      agent.destroy();
    }
  });
});
