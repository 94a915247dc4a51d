import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createMetrics } from '../../src/http/metrics.ts';
import { StoreMonitor, serveProbes } from '../../src/http/probes.ts';
import { HttpServer } from '../../src/http/server.ts';
import { observeStore } from '../../src/store/observed.ts';
import { articleFromFile, BUNDLED_FILE } from '../helpers/library.ts';
import { sqliteStoreIn } from '../helpers/store.ts';

describe('the shared HTTP server and its probes', () => {
  let http: HttpServer;
  afterEach(async () => {
    await http?.close();
  });

  async function start(state: { loaded: boolean; storeUp: boolean; draining: boolean }) {
    http = new HttpServer();
    serveProbes(http, {
      index: () => ({ loaded: state.loaded, articles: state.loaded ? 1 : 0, documents: state.loaded ? 40 : 0 }),
      store: {
        kind: 'sqlite',
        ping: async () => {
          if (!state.storeUp) throw new Error('store: SQLITE_CANTOPEN');
        },
      },
      adapters: () => ({ slack: { connected: true } }),
      draining: () => state.draining,
      pingCacheMs: 0,
    });
    const port = await http.listen(0, '127.0.0.1');
    return `http://127.0.0.1:${port}`;
  }

  it('/readyz is 503 with the reason until the index is loaded, while the store fails and while draining; /healthz stays 200', async () => {
    const state = { loaded: false, storeUp: true, draining: false };
    const base = await start(state);
    const ready = async () => {
      const res = await fetch(`${base}/readyz`);
      return { status: res.status, body: (await res.json()) as { ready: boolean; reasons?: string[] } };
    };
    expect(await ready()).toEqual({
      status: 503,
      body: expect.objectContaining({ ready: false, reasons: ['the index is not loaded yet'] }),
    });
    state.loaded = true;
    expect(await ready()).toMatchObject({ status: 200, body: { ready: true, store: { kind: 'sqlite', reachable: true } } });
    state.storeUp = false;
    expect(await ready()).toMatchObject({ status: 503, body: { reasons: ['the store is unreachable (store: SQLITE_CANTOPEN)'] } });
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ ok: false, store: { reachable: false }, index: { loaded: true } });
    state.storeUp = true;
    expect((await ready()).status).toBe(200);
    state.draining = true;
    expect(await ready()).toMatchObject({ status: 503, body: { reasons: ['shutting down'] } });
  });

  it('answers an unknown path 404 and a known path with another method 405, naming what is allowed', async () => {
    const base = await start({ loaded: true, storeUp: true, draining: false });
    const missing = await fetch(`${base}/nope?x=1`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ ok: false, error: 'no such path: /nope' });
    const wrong = await fetch(`${base}/readyz`, { method: 'POST', body: 'x' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('GET');
  });

  it('a handler that throws answers 500 without details and the server keeps serving', async () => {
    const base = await start({ loaded: true, storeUp: true, draining: false });
    http.route('GET', '/boom', () => {
      throw new Error('secret detail');
    });
    http.route('GET', '/boom-async', async () => {
      throw new Error('secret detail');
    });
    for (const path of ['/boom', '/boom-async']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status).toBe(500);
      expect(await res.text()).not.toContain('secret');
    }
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect(() => http.route('GET', '/boom', () => {})).toThrow('HttpServer: GET /boom is already served');
  });

  it('/metrics speaks the Prometheus text format with the observer events counted', async () => {
    const base = await start({ loaded: true, storeUp: true, draining: false });
    const metrics = createMetrics({ defaults: false });
    http.route('GET', '/metrics', (req, res) => metrics.handler(req, res));
    metrics.observer.command({ platform: 'discord', command: 'ask', outcome: 'ok', seconds: 0.004 });
    metrics.observer.command({ platform: 'discord', command: 'ask', outcome: 'input-too-long', seconds: 0.0001 });
    metrics.observer.digest({ platform: 'slack', outcome: 'delivered' });
    metrics.observer.registration({ outcome: 'published' });
    metrics.observer.rateLimitWait({ platform: 'discord', seconds: 1.5 });
    metrics.observer.storeError({ operation: 'keys.putIfAbsent', code: 'store-unavailable' });
    metrics.gauge('articles', 'Briefings loaded', () => 7);
    const text = await (await fetch(`${base}/metrics`)).text();
    for (const line of [
      'briefing_commands_total{platform="discord",command="ask",outcome="ok"} 1',
      'briefing_commands_total{platform="discord",command="ask",outcome="input-too-long"} 1',
      'briefing_answer_seconds_bucket{le="0.005",platform="discord",command="ask"} 2',
      'briefing_digests_total{platform="slack",outcome="delivered"} 1',
      'briefing_registrations_total{outcome="published"} 1',
      'briefing_rate_limit_waits_total{platform="discord"} 1',
      'briefing_rate_limit_wait_seconds_total{platform="discord"} 1.5',
      'briefing_store_errors_total{operation="keys.putIfAbsent",code="store-unavailable"} 1',
      'briefing_articles 7',
    ])
      expect(text.split('\n')).toContain(line);
  });
});

describe('the store monitor', () => {
  it('refresh pings again at once, so a store that was not open a moment ago reads as reachable as soon as it is', async () => {
    let open = false;
    let pings = 0;
    let clock = 0;
    const monitor = new StoreMonitor(
      {
        kind: 'postgres',
        ping: async () => {
          pings++;
          if (!open) throw new Error('the store is not open yet');
        },
      },
      { now: () => clock, cacheMs: 1_000 },
    );
    expect(await monitor.check()).toMatchObject({ reachable: false, error: 'the store is not open yet' });
    open = true;
    clock = 10; // well within the cache time: check() alone keeps the old answer
    expect(await monitor.check()).toMatchObject({ reachable: false });
    expect(await monitor.refresh()).toEqual({ reachable: true, since: new Date(10).toISOString() });
    expect(monitor.state.reachable).toBe(true);
    expect(pings).toBe(2);
  });
});

describe('a store observed for metrics', () => {
  it('counts failed calls by operation and code, and published and unregistered briefings', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'briefing-observed-'));
    const metrics = createMetrics({ defaults: false });
    const store = observeStore(sqliteStoreIn(dir), metrics.observer);
    try {
      const article = articleFromFile(BUNDLED_FILE);
      await store.articles.addRevision({ article, rawSha256: 'h', registeredBy: 'U1', registeredAt: '2025-06-01T00:00:00.000Z' });
      await store.articles.setHidden(article.id, true);
      await store.articles.setHidden('no-such-briefing', true);
      await expect(store.subscriptions.release(1, 'me', { checkedUntil: 'x', nextDueAt: undefined })).resolves.toBe(false);
      await store.close();
      await expect(store.keys.get('k', '2025-06-01T00:00:00.000Z')).rejects.toThrow();
      const text = await metrics.registry.metrics();
      expect(text).toContain('briefing_registrations_total{outcome="published"} 1');
      expect(text).toContain('briefing_registrations_total{outcome="unregistered"} 1');
      expect(text).toMatch(/briefing_store_errors_total\{operation="keys\.get",code="[^"]+"\} 1/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
