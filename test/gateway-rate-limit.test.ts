// Per-client request limits over real HTTP (uWS + fetch): a client over its API
// budget gets 429 SPREADCORE_ERR_RATE_LIMITED with Retry-After and nothing
// changes (a refused load loads nothing); the monitoring routes (health, metrics)
// have their own budget, so a flooded API still answers its health check; the
// bucket refills at its rate; the limit applies before the token check. The
// limiter's table is bounded (cap and idle eviction).
import { afterEach, describe, expect, it } from 'vitest';
import { TradingEngine } from '../src/engine/index.js';
import { Gateway } from '../src/gateway/index.js';
import { RateLimiter } from '../src/gateway/rate-limit.js';
import { EngineMetrics } from '../src/gateway/routes-metrics.js';
import { sleep } from './support/wait.js';

const TOKEN = 'rate-limit-test-token-0123456789';
const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

async function setup(token?: string): Promise<{ engine: TradingEngine; base: string; gw: Gateway }> {
  const engine = new TradingEngine();
  cleanup.push(() => engine.close());
  const metrics = new EngineMetrics(engine);
  const gw = new Gateway(engine, {
    port: 0, metrics: (g) => metrics.render(g), ...(token !== undefined ? { token } : {}),
    rateLimit: { api: { ratePerSecond: 1, burst: 6 }, monitor: { ratePerSecond: 1, burst: 3 } },
  });
  const port = await gw.listen();
  cleanup.push(() => gw.close());
  return { engine, base: `http://127.0.0.1:${port}`, gw };
}

const get = (base: string, path: string, headers: Record<string, string> = {}): Promise<Response> =>
  fetch(base + path, { headers, signal: AbortSignal.timeout(5000) });

describe('per-client rate limit', () => {
  it('burst, then 429 with Retry-After and the coded body; a refused request changes nothing; the bucket refills', async () => {
    const { engine, base, gw } = await setup();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) statuses.push((await get(base, '/api/strategies')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    const r = await get(base, '/api/strategies');
    expect(r.status).toBe(429);
    const ra = Number(r.headers.get('retry-after'));
    expect(ra).toBe(1); // 1/s: a token within a second
    expect(r.headers.get('content-type')).toBe('application/json');
    const body = await r.json() as { ok: boolean; error: { code: string; message: string } };
    expect(body).toEqual({ ok: false, error: { code: 'SPREADCORE_ERR_RATE_LIMITED', message: expect.stringMatching(/at most 1 per second \(burst 6\)/) } });

    // a mutating request over the limit: refused before the body is read, nothing loaded
    const load = await fetch(`${base}/api/strategy/load`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, signal: AbortSignal.timeout(5000),
      body: JSON.stringify({ name: 'x1', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01 } }),
    });
    expect(load.status).toBe(429);
    expect(engine.list()).toEqual([]);
    expect(gw.rateLimits!.api.counters.limited).toBeGreaterThanOrEqual(2);

    await sleep(1100); // 1 token/s: one token back
    expect((await get(base, '/api/strategies')).status).toBe(200);
    expect((await get(base, '/api/strategies')).status).toBe(429);
  }, 20_000);

  it('health and metrics have their own budget: a flooded API still answers its health check', async () => {
    const { base } = await setup();
    const burst = await Promise.all(Array.from({ length: 20 }, () => get(base, '/api/strategies').then((r) => r.status)));
    expect(burst.filter((s) => s === 200)).toHaveLength(6);
    expect(burst.filter((s) => s === 429)).toHaveLength(14);
    expect((await get(base, '/api/health')).status).toBe(200);
    const m = await get(base, '/metrics');
    expect(m.status).toBe(200);
    expect(await m.text()).toMatch(/^spreadcore_http_rate_limited_total\{limit="api"\} 14$/m);
    expect((await get(base, '/api/health')).status).toBe(200);
    const over = await get(base, '/metrics');
    expect(over.status).toBe(429);
    expect(over.headers.get('retry-after')).toBe('1');
  });

  it('applies before the token check: guessing tokens is limited too', async () => {
    const { base } = await setup(TOKEN);
    const st: number[] = [];
    for (let i = 0; i < 8; i++) st.push((await get(base, '/api/strategies', { authorization: `Bearer wrong-${i}-0123456789abcdef` })).status);
    expect(st).toEqual([401, 401, 401, 401, 401, 401, 429, 429]);
    expect((await get(base, '/api/strategies', { authorization: `Bearer ${TOKEN}` })).status).toBe(429);
  });

  it('refuses bad settings', () => {
    const engine = new TradingEngine();
    cleanup.push(() => engine.close());
    expect(() => new Gateway(engine, { port: 0, rateLimit: { api: { ratePerSecond: 0, burst: 1 } } })).toThrow(/per second/);
    expect(() => new Gateway(engine, { port: 0, rateLimit: { api: { ratePerSecond: NaN, burst: 1 } } })).toThrow(/per second/);
    expect(() => new Gateway(engine, { port: 0, rateLimit: { monitor: { ratePerSecond: 1, burst: 0.5 } } })).toThrow(/burst/);
  });
});

describe('RateLimiter table', () => {
  it('is capped: a new client beyond maxClients evicts the least recently seen one', () => {
    const rl = new RateLimiter({ ratePerSecond: 1, burst: 2, maxClients: 3 });
    for (const k of ['a', 'b', 'c']) expect(rl.take(k, 0)).toBe(0);
    expect(rl.take('a', 1)).toBe(0); // a is now the most recent
    expect(rl.take('a', 2)).toBe(1); // a is empty
    expect(rl.take('d', 3)).toBe(0); // evicts b
    expect(rl.size).toBe(3);
    expect(rl.counters.evicted).toBe(1);
    expect(rl.take('a', 4)).toBe(1); // a was kept: still limited
    for (let i = 0; i < 1000; i++) rl.take(`k${i}`, 5);
    expect(rl.size).toBe(3);
  });

  it('forgets clients idle long enough to have refilled, and says how long to wait', () => {
    const rl = new RateLimiter({ ratePerSecond: 2, burst: 4 });
    for (let i = 0; i < 50; i++) rl.take(`10.0.0.${i}`, 0);
    expect(rl.size).toBe(50);
    for (let i = 0; i < 4; i++) rl.take('x', 100);
    expect(rl.take('x', 100)).toBe(1);
    rl.take('x', 2_500); // the sweep at 2.5 s drops everyone idle for >= 2 s (4 tokens at 2/s)
    expect(rl.size).toBe(1);
    const slow = new RateLimiter({ ratePerSecond: 0.1, burst: 1 });
    expect(slow.take('y', 0)).toBe(0);
    expect(slow.take('y', 0)).toBe(10);
  });
});
