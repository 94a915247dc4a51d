import { lookup as dnsLookup } from 'node:dns/promises';
import { request as httpRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import { pipeline, type Readable } from 'node:stream';
import { createBrotliDecompress, createGunzip, createInflate } from 'node:zlib';
import { classifyAddress, describeKind, isMetadataName } from './address.ts';
import { formatBytes } from './bytes.ts';

/** A resolved address of a host name. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (injectable for tests). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export interface FetchOptions {
  /** Stop reading and refuse above this many bytes (after decompression). */
  maxBytes: number;
  /** The whole fetch, redirects included, must finish within this many milliseconds. */
  timeoutMs: number;
  /** Allow loopback, private and link-local addresses (tests). Cloud-metadata addresses stay refused. */
  allowPrivate: boolean;
  /** Redirects followed before giving up (default 5). */
  maxRedirects?: number;
  resolve?: Resolver;
  headers?: Record<string, string>;
}

export interface Fetched {
  ok: true;
  bytes: Uint8Array;
  contentType?: string;
  /** The address the content finally came from (after redirects). */
  finalUrl: string;
  /** The last path segment of the final URL, used to guess the type (`briefing.md`). */
  name: string;
}

/** A fetch that failed for a reason to show the user; `code` is stable for tests and logs. */
export interface FetchRefusal {
  ok: false;
  code: 'bad-url' | 'url-refused' | 'url-unresolved' | 'url-timeout' | 'url-status' | 'too-large' | 'too-many-redirects' | 'url-failed';
  message: string;
}

const defaultResolve: Resolver = (hostname) => dnsLookup(hostname, { all: true, verbatim: true });

class Stop extends Error {
  constructor(readonly refusal: FetchRefusal) {
    super(refusal.message);
  }
}

const refuse = (code: FetchRefusal['code'], message: string): never => {
  throw new Stop({ ok: false, code, message });
};

function shown(url: string): string {
  return url.length > 120 ? `${url.slice(0, 119)}…` : url;
}

/** Parses and checks a URL's form: http(s), a host, no embedded credentials. */
export function checkUrl(text: string): URL | FetchRefusal {
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    return { ok: false, code: 'bad-url', message: `"${shown(text)}" is not a web address: give one starting with https://` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    return {
      ok: false,
      code: 'bad-url',
      message: `"${shown(text)}" uses ${url.protocol.replace(':', '')}: only http:// and https:// addresses can be registered`,
    };
  }
  if (url.username || url.password)
    return {
      ok: false,
      code: 'bad-url',
      message: `"${shown(url.host)}…" carries a user name or password: give the address without credentials`,
    };
  return url;
}

/** Resolves a URL's host and checks every address; returns the addresses to connect to. */
async function vetHost(url: URL, options: FetchOptions): Promise<ResolvedAddress[]> {
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (isMetadataName(host)) refuse('url-refused', `${shown(url.href)} points at a cloud-metadata service: registering from it is refused`);
  let addresses: ResolvedAddress[];
  if (isIP(host)) addresses = [{ address: host, family: isIP(host) }];
  else {
    try {
      addresses = await (options.resolve ?? defaultResolve)(host);
    } catch (cause) {
      const code = (cause as { code?: string }).code ?? 'error';
      return refuse('url-unresolved', `the host "${host}" of ${shown(url.href)} could not be resolved (${code}): check the address`);
    }
  }
  if (addresses.length === 0) refuse('url-unresolved', `the host "${host}" of ${shown(url.href)} has no addresses: check the address`);
  for (const { address } of addresses) {
    const kind = classifyAddress(address);
    if (!kind) continue;
    if (kind === 'cloud-metadata' || !options.allowPrivate) {
      const via = address === host ? '' : ` resolves to ${address}, which is`;
      refuse(
        'url-refused',
        `${shown(url.href)}${via || ' is'} ${describeKind(kind)}: registering from internal addresses is refused${kind === 'cloud-metadata' ? '' : ' (set REGISTER_ALLOW_PRIVATE_URLS=true to allow them)'}`,
      );
    }
  }
  return addresses;
}

/** A `lookup` that answers only with the addresses already checked, so the connection cannot be re-pointed. */
function pinnedLookup(addresses: ResolvedAddress[]): LookupFunction {
  return ((_hostname: string, opts: { all?: boolean; family?: number | string }, callback: (...args: unknown[]) => void) => {
    const family = opts.family === 'IPv4' ? 4 : opts.family === 'IPv6' ? 6 : Number(opts.family) || 0;
    const usable = addresses.filter((a) => family === 0 || a.family === family);
    const list = usable.length ? usable : addresses;
    if (opts.all) callback(null, list);
    else callback(null, list[0]?.address, list[0]?.family);
  }) as LookupFunction;
}

/** The body, decompressed; an error or abort of the response reaches the returned stream too. */
function decoded(res: IncomingMessage): Readable {
  const encoding = String(res.headers['content-encoding'] ?? '').toLowerCase();
  const inflate =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? createGunzip()
      : encoding === 'deflate'
        ? createInflate()
        : encoding === 'br'
          ? createBrotliDecompress()
          : undefined;
  if (!inflate) return res;
  pipeline(res, inflate, () => {});
  return inflate;
}

/** Settles with `promise`, or rejects as soon as `signal` aborts (a DNS lookup cannot be cancelled). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(new Error('aborted'));
  return new Promise((resolve, reject) => {
    const onAbort = () => reject(new Error('aborted'));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

interface Hop {
  res: IncomingMessage;
  abort: () => void;
}

function open(url: URL, addresses: ResolvedAddress[], options: FetchOptions, signal: AbortSignal): Promise<Hop> {
  return new Promise((resolve, reject) => {
    const requestOptions: RequestOptions = {
      method: 'GET',
      headers: {
        'user-agent': 'briefing-bot/0.1 (briefing registration)',
        accept: 'text/html, text/markdown, text/plain;q=0.9, */*;q=0.1',
        'accept-encoding': 'gzip, deflate, br',
        ...options.headers,
      },
      lookup: pinnedLookup(addresses),
      signal,
    };
    const req = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, requestOptions, (res) =>
      resolve({
        res,
        abort: () => {
          res.on('error', () => {});
          req.destroy();
        },
      }),
    );
    req.on('error', reject);
    req.end();
  });
}

async function readBody(stream: Readable, url: URL, maxBytes: number): Promise<Uint8Array> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of stream as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > maxBytes) {
      stream.destroy();
      refuse(
        'too-large',
        `${shown(url.href)} is larger than the ${formatBytes(maxBytes)} limit (stopped reading after ${formatBytes(total)}; REGISTER_MAX_BYTES sets the limit)`,
      );
    }
    chunks.push(chunk);
  }
  return new Uint8Array(Buffer.concat(chunks, total));
}

/**
 * Downloads a registration URL safely: http(s) only; every address of the host resolved and
 * checked (no loopback, private, link-local or metadata addresses unless allowed) and the
 * connection pinned to the checked addresses; redirects re-checked and limited; one deadline
 * for the whole exchange; the body streamed and cut off at `maxBytes`. Never throws.
 * @example await fetchUrl('https://example.org/briefing', { maxBytes: 1 << 20, timeoutMs: 10_000, allowPrivate: false })
 */
export async function fetchUrl(text: string, options: FetchOptions): Promise<Fetched | FetchRefusal> {
  const first = checkUrl(text);
  if (!(first instanceof URL)) return first;
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, options.timeoutMs);
  let url = first;
  try {
    for (let hop = 0; ; hop++) {
      const addresses = await untilAborted(vetHost(url, options), controller.signal);
      const { res, abort } = await open(url, addresses, options, controller.signal);
      const status = res.statusCode ?? 0;
      if (status >= 300 && status < 400 && res.headers.location) {
        abort();
        if (hop >= (options.maxRedirects ?? 5))
          refuse(
            'too-many-redirects',
            `${shown(first.href)} redirected more than ${options.maxRedirects ?? 5} times: give the final address`,
          );
        const next = checkUrl(new URL(res.headers.location, url).href);
        if (!(next instanceof URL)) return { ...next, message: `${shown(url.href)} redirects to ${next.message}` };
        url = next;
        continue;
      }
      if (status < 200 || status >= 300) {
        abort();
        refuse(
          'url-status',
          `${shown(url.href)} answered ${status}${res.statusMessage ? ` ${res.statusMessage}` : ''}: check that the address opens in a browser`,
        );
      }
      const length = Number(res.headers['content-length']);
      if (Number.isFinite(length) && length > options.maxBytes && !res.headers['content-encoding']) {
        abort();
        refuse(
          'too-large',
          `${shown(url.href)} is ${formatBytes(length)}, over the ${formatBytes(options.maxBytes)} limit (REGISTER_MAX_BYTES sets the limit)`,
        );
      }
      const bytes = await readBody(decoded(res), url, options.maxBytes);
      const name = decodeURIComponent(url.pathname.split('/').filter(Boolean).at(-1) ?? '');
      const contentType = res.headers['content-type'];
      return { ok: true, bytes, finalUrl: url.href, name, ...(contentType ? { contentType } : {}) };
    }
  } catch (error) {
    if (timedOut)
      return {
        ok: false,
        code: 'url-timeout',
        message: `${shown(url.href)} did not answer within ${options.timeoutMs.toLocaleString('en-US')} ms (REGISTER_URL_TIMEOUT_MS): try again or download the file and attach it`,
      };
    if (error instanceof Stop) return error.refusal;
    const code = (error as { code?: string }).code ?? (error instanceof Error ? error.message : String(error));
    return { ok: false, code: 'url-failed', message: `${shown(url.href)} could not be fetched (${code}): check the address` };
  } finally {
    clearTimeout(timer);
  }
}
