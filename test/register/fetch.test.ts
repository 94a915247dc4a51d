import { gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { classifyAddress } from '../../src/register/address.ts';
import { type FetchOptions, fetchUrl } from '../../src/register/fetch.ts';
import { type Loopback, serve, startLoopback } from './loopback.ts';

const allowed: FetchOptions = { maxBytes: 1024, timeoutMs: 5000, allowPrivate: true };
const strict: FetchOptions = { maxBytes: 1024, timeoutMs: 5000, allowPrivate: false };

let server: Loopback;
beforeAll(async () => {
  server = await startLoopback();
});
afterAll(() => server.close());
afterEach(() => {
  vi.useRealTimers();
});

describe('classifyAddress', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['::1', 'loopback'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.5.4', 'private'],
    ['192.168.0.10', 'private'],
    ['fd12:3456::1', 'private'],
    ['169.254.10.1', 'link-local'],
    ['fe80::1', 'link-local'],
    ['169.254.169.254', 'cloud-metadata'],
    ['fd00:ec2::254', 'cloud-metadata'],
    ['0.0.0.0', 'unspecified'],
    ['64:ff9b::a00:1', 'private'],
  ])('%s is %s', (address, kind) => {
    expect(classifyAddress(address)).toBe(kind);
  });

  it.each(['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8'])('%s is public', (address) => {
    expect(classifyAddress(address)).toBeUndefined();
  });
});

describe('fetchUrl', () => {
  it('downloads a page from the loopback server when private addresses are allowed', async () => {
    server.routes.set('/page.html', serve('<html>hi</html>', 'text/html; charset=utf-8'));
    const result = await fetchUrl(`${server.base}/page.html`, allowed);
    expect(result).toMatchObject({ ok: true, name: 'page.html', contentType: 'text/html; charset=utf-8' });
    if (result.ok) expect(Buffer.from(result.bytes).toString()).toBe('<html>hi</html>');
  });

  it('refuses the loopback server when private addresses are not allowed, before connecting', async () => {
    const before = server.requests.length;
    const result = await fetchUrl(`${server.base}/page.html`, strict);
    expect(result).toMatchObject({ ok: false, code: 'url-refused' });
    if (!result.ok) expect(result.message).toContain('a loopback address');
    expect(server.requests.length).toBe(before);
  });

  it.each([
    ['10.0.0.7', 'a private address'],
    ['169.254.3.4', 'a link-local address'],
    ['169.254.169.254', 'a cloud-metadata address'],
  ])('refuses a host that resolves to %s and names it', async (address, kind) => {
    const result = await fetchUrl('http://briefings.example.org/a', { ...strict, resolve: async () => [{ address, family: 4 }] });
    expect(result).toMatchObject({ ok: false, code: 'url-refused' });
    if (!result.ok)
      expect(result.message).toBe(
        `http://briefings.example.org/a resolves to ${address}, which is ${kind}: registering from internal addresses is refused${kind.includes('metadata') ? '' : ' (set REGISTER_ALLOW_PRIVATE_URLS=true to allow them)'}`,
      );
  });

  it('checks every address of a host, not only the first', async () => {
    const resolve = async () => [
      { address: '93.184.216.34', family: 4 },
      { address: '127.0.0.1', family: 4 },
    ];
    expect(await fetchUrl('http://mixed.example.org/', { ...strict, resolve })).toMatchObject({ ok: false, code: 'url-refused' });
  });

  it('refuses cloud-metadata addresses and names even when private addresses are allowed', async () => {
    expect(await fetchUrl('http://169.254.169.254/latest/meta-data', allowed)).toMatchObject({ ok: false, code: 'url-refused' });
    expect(await fetchUrl('http://metadata.google.internal/computeMetadata/v1/', allowed)).toMatchObject({
      ok: false,
      code: 'url-refused',
    });
  });

  it('connects to the address it checked, not to a second lookup', async () => {
    server.routes.set('/pinned', serve('pinned body', 'text/plain'));
    let lookups = 0;
    const port = new URL(server.base).port;
    const result = await fetchUrl(`http://briefings.example.org:${port}/pinned`, {
      ...allowed,
      resolve: async () => {
        lookups++;
        return [{ address: '127.0.0.1', family: 4 }];
      },
    });
    expect(result).toMatchObject({ ok: true });
    expect(lookups).toBe(1);
  });

  it('re-checks the target of a redirect', async () => {
    server.routes.set('/to-metadata', (_req, res) => {
      res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
      res.end();
    });
    const result = await fetchUrl(`${server.base}/to-metadata`, allowed);
    expect(result).toMatchObject({ ok: false, code: 'url-refused' });
  });

  it('follows a few redirects and gives up on a loop', async () => {
    server.routes.set('/hop', (_req, res) => {
      res.writeHead(301, { location: '/page.html' });
      res.end();
    });
    expect(await fetchUrl(`${server.base}/hop`, allowed)).toMatchObject({ ok: true, finalUrl: `${server.base}/page.html` });
    server.routes.set('/loop', (_req, res) => {
      res.writeHead(302, { location: '/loop' });
      res.end();
    });
    const loop = await fetchUrl(`${server.base}/loop`, allowed);
    expect(loop).toMatchObject({ ok: false, code: 'too-many-redirects' });
  });

  it('names the status of a 404', async () => {
    const result = await fetchUrl(`${server.base}/missing`, allowed);
    expect(result).toEqual({
      ok: false,
      code: 'url-status',
      message: `${server.base}/missing answered 404 Not Found: check that the address opens in a browser`,
    });
  });

  it('refuses a declared length over the limit without reading the body', async () => {
    server.routes.set('/big-declared', serve('x'.repeat(2048), 'text/plain', { 'content-length': '2048' }));
    const result = await fetchUrl(`${server.base}/big-declared`, allowed);
    expect(result).toMatchObject({ ok: false, code: 'too-large' });
    if (!result.ok) expect(result.message).toContain('is 2 KB, over the 1 KB limit');
  });

  it('stops reading a streamed body at the limit', async () => {
    let written = 0;
    let closed = false;
    server.routes.set('/endless', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.on('close', () => {
        closed = true;
      });
      const pump = () => {
        while (!closed && written < 10_000_000 && res.write('y'.repeat(512))) written += 512;
        if (!closed && written < 10_000_000) res.once('drain', pump);
      };
      pump();
    });
    const result = await fetchUrl(`${server.base}/endless`, allowed);
    expect(result).toMatchObject({ ok: false, code: 'too-large' });
    if (!result.ok) expect(result.message).toMatch(/larger than the 1 KB limit \(stopped reading after/);
    expect(written).toBeLessThan(10_000_000);
  });

  it('applies the limit after decompression', async () => {
    server.routes.set('/bomb', serve(gzipSync('z'.repeat(100_000)), 'text/plain', { 'content-encoding': 'gzip' }));
    expect(await fetchUrl(`${server.base}/bomb`, allowed)).toMatchObject({ ok: false, code: 'too-large' });
    server.routes.set('/small-gz', serve(gzipSync('small text'), 'text/plain', { 'content-encoding': 'gzip' }));
    const small = await fetchUrl(`${server.base}/small-gz`, allowed);
    expect(small.ok && Buffer.from(small.bytes).toString()).toBe('small text');
  });

  it('gives up when the server does not answer in time', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    server.routes.set('/silent', () => {});
    const arrived = server.arrival('/silent');
    const pending = fetchUrl(`${server.base}/silent`, { ...allowed, timeoutMs: 1500 });
    await arrived;
    await vi.advanceTimersByTimeAsync(1500);
    expect(await pending).toEqual({
      ok: false,
      code: 'url-timeout',
      message: `${server.base}/silent did not answer within 1,500 ms (REGISTER_URL_TIMEOUT_MS): try again or download the file and attach it`,
    });
  });

  it('gives up on a compressed body that stalls half-way', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const packed = gzipSync('a briefing that never finishes arriving '.repeat(50));
    server.routes.set('/stalled-gz', (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
      res.write(packed.subarray(0, 40));
    });
    const arrived = server.arrival('/stalled-gz');
    const pending = fetchUrl(`${server.base}/stalled-gz`, { ...allowed, timeoutMs: 1000 });
    await arrived;
    await vi.advanceTimersByTimeAsync(1000);
    expect(await pending).toMatchObject({ ok: false, code: 'url-timeout' });
  });

  it.each([
    ['ftp://example.org/a.txt', 'uses ftp: only http:// and https:// addresses can be registered'],
    ['not a url', 'is not a web address'],
    ['https://user:pw@example.org/', 'carries a user name or password'],
  ])('refuses %s by its form', async (url, text) => {
    const result = await fetchUrl(url, allowed);
    expect(result).toMatchObject({ ok: false, code: 'bad-url' });
    if (!result.ok) expect(result.message).toContain(text);
  });

  it('names a host that does not resolve', async () => {
    const resolve = async () => {
      throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' });
    };
    const result = await fetchUrl('https://no-such-host.invalid/x', { ...strict, resolve });
    expect(result).toEqual({
      ok: false,
      code: 'url-unresolved',
      message: 'the host "no-such-host.invalid" of https://no-such-host.invalid/x could not be resolved (ENOTFOUND): check the address',
    });
  });
});
