import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type RoundRobinProxy, startRoundRobinProxy } from './round-robin-proxy.ts';

/** An upstream that answers with what it received, and its own name. */
async function echo(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      res.writeHead(201, { 'content-type': 'application/json', 'x-upstream': name });
      res.end(
        JSON.stringify({ name, method: req.method, url: req.url, header: req.headers['x-custom'], body: Buffer.concat(chunks).toString() }),
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: Server) => new Promise<void>((resolve) => server.close(() => resolve()));

describe('the round-robin test proxy', () => {
  const open: Server[] = [];
  let proxy: RoundRobinProxy | undefined;
  afterEach(async () => {
    await proxy?.close();
    for (const server of open.splice(0)) if (server.listening) await close(server);
  });

  it('sends requests to each upstream in turn with method, path, query, headers and body unchanged, and records who served them', async () => {
    const [a, b] = await Promise.all([echo('a'), echo('b')]);
    open.push(a.server, b.server);
    proxy = await startRoundRobinProxy([a.url, b.url]);
    const answers = [];
    for (let i = 0; i < 3; i++) {
      const res = await fetch(`${proxy.url}/x/${i}?q=${i}`, { method: 'PUT', headers: { 'x-custom': `h${i}` }, body: `body ${i}` });
      answers.push({ status: res.status, upstream: res.headers.get('x-upstream'), body: await res.json() });
    }
    expect(answers.map((a) => a.upstream)).toEqual(['a', 'b', 'a']);
    expect(answers[1]).toEqual({
      status: 201,
      upstream: 'b',
      body: { name: 'b', method: 'PUT', url: '/x/1?q=1', header: 'h1', body: 'body 1' },
    });
    expect(proxy.served.map((s) => [s.method, s.path, s.upstream, s.status])).toEqual([
      ['PUT', '/x/0?q=0', 0, 201],
      ['PUT', '/x/1?q=1', 1, 201],
      ['PUT', '/x/2?q=2', 0, 201],
    ]);
  });

  it('skips an upstream that is down, and answers 502 naming them when none is up', async () => {
    const [a, b] = await Promise.all([echo('a'), echo('b')]);
    open.push(a.server, b.server);
    proxy = await startRoundRobinProxy([a.url, b.url]);
    await close(a.server);
    const names = [];
    for (let i = 0; i < 2; i++)
      names.push(((await (await fetch(`${proxy.url}/`, { method: 'POST', body: 'x' })).json()) as { name: string }).name);
    expect(names).toEqual(['b', 'b']);
    expect(proxy.served[0]).toMatchObject({ upstream: 1, skipped: [0] });
    await close(b.server);
    const none = await fetch(`${proxy.url}/`);
    expect(none.status).toBe(502);
    expect(await none.text()).toContain(a.url);
  });
});
