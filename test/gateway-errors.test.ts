// Bad requests to the control API: each answers {"ok":false,"error":{code,message}}
// with its status and code, and changes nothing (strategies, their status and
// parameters, open orders, the kill switch); the server keeps answering.
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { Gateway } from '../src/gateway/index.js';

const STEP4 = {
  name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 },
};

let engine: TradingEngine;
let gw: Gateway;
let base = '';

beforeAll(async () => {
  engine = new TradingEngine();
  const driver = new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, 3));
  driver.run(2);
  engine.load(STEP4);
  engine.start('btc_mm_1');
  engine.load({ ...STEP4, name: 'idle' });
  driver.run(1);
  gw = new Gateway(engine, { port: 0, maxBodyBytes: 4096 });
  base = `http://127.0.0.1:${await gw.listen()}`;
});
afterAll(() => { gw.close(); engine.close(); });

function state(): string {
  return JSON.stringify({
    list: engine.list().map((s) => ({ ...s, uptime_seconds: 0 })),
    params: engine.list().map((s) => engine.strategy(s.strategy_id).params),
    open: engine.orders.openOrders('btc_mm_1').length,
    manual: engine.orders.openOrders('manual').length,
    killed: engine.risk.killed,
  });
}

interface Case { name: string; method: string; path: string; body?: string; type?: string | null; status: number; code: string }
const J = (v: unknown): string => JSON.stringify(v);
const P = '/api/strategy/btc_mm_1/parameters';

const CASES: Case[] = [
  { name: 'unknown route', method: 'GET', path: '/api/nope', status: 404, code: 'SPREADCORE_ERR_NOT_FOUND' },
  { name: 'wrong method', method: 'GET', path: '/api/strategy/load', status: 405, code: 'SPREADCORE_ERR_METHOD_NOT_ALLOWED' },
  { name: 'PUT on parameters', method: 'PUT', path: P, body: J({ max_position: 1 }), status: 405, code: 'SPREADCORE_ERR_METHOD_NOT_ALLOWED' },
  { name: 'POST on the stream', method: 'POST', path: '/api/stream', status: 405, code: 'SPREADCORE_ERR_METHOD_NOT_ALLOWED' },
  { name: 'stream without a hub', method: 'GET', path: '/api/stream', status: 404, code: 'SPREADCORE_ERR_NOT_FOUND' },
  { name: 'unknown strategy', method: 'GET', path: '/api/strategy/nope/quotes', status: 404, code: 'SPREADCORE_ERR_STRATEGY_NOT_FOUND' },
  { name: 'start unknown strategy', method: 'POST', path: '/api/strategy/nope/start', status: 404, code: 'SPREADCORE_ERR_STRATEGY_NOT_FOUND' },
  { name: 'start a started strategy', method: 'POST', path: '/api/strategy/btc_mm_1/start', status: 409, code: 'SPREADCORE_ERR_STRATEGY_STATE' },
  { name: 'delete a running strategy', method: 'DELETE', path: '/api/strategy/btc_mm_1', status: 409, code: 'SPREADCORE_ERR_STRATEGY_STATE' },
  { name: 'stop a loaded strategy', method: 'POST', path: '/api/strategy/idle/stop', status: 409, code: 'SPREADCORE_ERR_STRATEGY_STATE' },
  { name: 'load an existing id', method: 'POST', path: '/api/strategy/load', body: J(STEP4), status: 409, code: 'SPREADCORE_ERR_STRATEGY_EXISTS' },
  { name: 'load without body', method: 'POST', path: '/api/strategy/load', status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'invalid JSON', method: 'POST', path: '/api/strategy/load', body: '{"name":', status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'JSON array', method: 'PATCH', path: P, body: '[1]', status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: '__proto__ key', method: 'PATCH', path: P, body: '{"__proto__":{"max_position":5}}', status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'nested __proto__', method: 'POST', path: '/api/strategy/load', body: '{"name":"x","parameters":{"__proto__":{"a":1}}}', status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'constructor key', method: 'PATCH', path: P, body: '{"constructor":{"prototype":{}}}', status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'deep nesting', method: 'PATCH', path: P, body: `${'{"a":'.repeat(100)}1${'}'.repeat(100)}`, status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'very deep nesting', method: 'PATCH', path: P, body: '['.repeat(4000), status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'oversized body', method: 'PATCH', path: P, body: J({ max_position: 0.002, pad: 'x'.repeat(5000) }), status: 413, code: 'SPREADCORE_ERR_BODY_TOO_LARGE' },
  { name: 'text/plain body', method: 'PATCH', path: P, body: J({ max_position: 0.002 }), type: 'text/plain', status: 415, code: 'SPREADCORE_ERR_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'form body', method: 'POST', path: '/api/order', body: 'side=BUY', type: 'application/x-www-form-urlencoded', status: 415, code: 'SPREADCORE_ERR_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'body without content type', method: 'POST', path: '/api/kill', body: J({ note: 'x' }), type: null, status: 415, code: 'SPREADCORE_ERR_UNSUPPORTED_MEDIA_TYPE' },
  { name: 'PATCH string number', method: 'PATCH', path: P, body: J({ max_position: '0.002' }), status: 400, code: 'SPREADCORE_ERR_BAD_PARAM' },
  { name: 'PATCH "NaN"', method: 'PATCH', path: P, body: J({ spread_bps: 'NaN' }), status: 400, code: 'SPREADCORE_ERR_BAD_PARAM' },
  { name: 'PATCH negative size', method: 'PATCH', path: P, body: J({ order_size: -0.001 }), status: 400, code: 'SPREADCORE_ERR_BAD_PARAM' },
  { name: 'PATCH zero size', method: 'PATCH', path: P, body: J({ order_size: 0 }), status: 400, code: 'SPREADCORE_ERR_BAD_PARAM' },
  { name: 'PATCH unknown field', method: 'PATCH', path: P, body: J({ max_position: 0.002, bogus: 1 }), status: 400, code: 'SPREADCORE_ERR_BAD_PARAM' },
  { name: 'PATCH wrong type', method: 'PATCH', path: P, body: J({ inventory_skew: 'yes' }), status: 400, code: 'SPREADCORE_ERR_BAD_PARAM' },
  { name: 'load wrong type', method: 'POST', path: '/api/strategy/load', body: J({ ...STEP4, name: 'n2', symbols: 'BTCUSDT' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'load NaN parameter', method: 'POST', path: '/api/strategy/load', body: J({ ...STEP4, name: 'n3', parameters: { ...STEP4.parameters, spread_bps: 'NaN' } }), status: 400, code: 'SPREADCORE_ERR_BAD_PARAM' },
  { name: 'load unknown field', method: 'POST', path: '/api/strategy/load', body: J({ ...STEP4, name: 'n4', extra: true }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'order negative qty', method: 'POST', path: '/api/order', body: J({ side: 'BUY', symbol: 'BTCUSDT', qty: -1, type: 'MARKET' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'order zero qty', method: 'POST', path: '/api/order', body: J({ side: 'BUY', symbol: 'BTCUSDT', qty: 0, type: 'MARKET' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'order NaN qty', method: 'POST', path: '/api/order', body: J({ side: 'BUY', symbol: 'BTCUSDT', qty: 'NaN', type: 'MARKET' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'order bad side', method: 'POST', path: '/api/order', body: J({ side: 'HOLD', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'order unknown symbol', method: 'POST', path: '/api/order', body: J({ side: 'BUY', symbol: 'NOPE', qty: 0.001, type: 'MARKET' }), status: 422, code: 'SPREADCORE_ERR_UNKNOWN_SYMBOL' },
  { name: 'depth without symbol', method: 'GET', path: '/api/market/depth', status: 400, code: 'SPREADCORE_ERR_BAD_QUERY' },
  { name: 'depth limit NaN', method: 'GET', path: '/api/market/depth?symbol=BTCUSDT&limit=NaN', status: 400, code: 'SPREADCORE_ERR_BAD_QUERY' },
  { name: 'depth limit 0', method: 'GET', path: '/api/market/depth?symbol=BTCUSDT&limit=0', status: 400, code: 'SPREADCORE_ERR_BAD_QUERY' },
  { name: 'depth unknown symbol', method: 'GET', path: '/api/market/depth?symbol=NOPE', status: 404, code: 'SPREADCORE_ERR_NOT_FOUND' },
  { name: 'trades limit -1', method: 'GET', path: '/api/strategy/btc_mm_1/trades?limit=-1', status: 400, code: 'SPREADCORE_ERR_BAD_QUERY' },
  { name: 'trades limit 1e3', method: 'GET', path: '/api/strategy/btc_mm_1/trades?limit=1e3', status: 400, code: 'SPREADCORE_ERR_BAD_QUERY' },
  { name: 'kill note wrong type', method: 'POST', path: '/api/kill', body: J({ note: 5 }), status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'kill unknown field', method: 'POST', path: '/api/kill', body: J({ force: true }), status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'order unknown field', method: 'POST', path: '/api/order', body: J({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET', leverage: 10 }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'order lower-case side', method: 'POST', path: '/api/order', body: J({ side: 'buy', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'reduce unknown field', method: 'POST', path: '/api/strategy/btc_mm_1/reduce_inventory', body: J({ target_position: 0, urgency: 'high' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'start with a field', method: 'POST', path: '/api/strategy/idle/start', body: J({ now: true }), status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'load parameters as an array', method: 'POST', path: '/api/strategy/load', body: J({ ...STEP4, name: 'n5', parameters: [1] }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'reduce with a NaN target', method: 'POST', path: '/api/strategy/btc_mm_1/reduce_inventory', body: J({ target_position: 'NaN' }), status: 400, code: 'SPREADCORE_ERR_BAD_INPUT' },
  { name: 'bad percent-encoding', method: 'GET', path: '/api/strategy/%E0%A4%A/quotes', status: 400, code: 'SPREADCORE_ERR_BAD_QUERY' },
  // the paper exchange on the simulator: no live venue to reconcile with
  { name: 'reconcile without a live venue', method: 'POST', path: '/api/reconcile', status: 409, code: 'SPREADCORE_ERR_NOT_LIVE' },
  { name: 'reconcile with an empty body', method: 'POST', path: '/api/reconcile', body: J({}), status: 409, code: 'SPREADCORE_ERR_NOT_LIVE' },
  { name: 'reconcile with a field', method: 'POST', path: '/api/reconcile', body: J({ force: true }), status: 400, code: 'SPREADCORE_ERR_BAD_JSON' },
  { name: 'GET reconcile', method: 'GET', path: '/api/reconcile', status: 405, code: 'SPREADCORE_ERR_METHOD_NOT_ALLOWED' },
];

async function send(c: Case): Promise<{ status: number; json: any }> {
  const headers: Record<string, string> = {};
  if (c.body !== undefined && c.type !== null) headers['content-type'] = c.type ?? 'application/json';
  const init: RequestInit = { method: c.method, headers, signal: AbortSignal.timeout(5000) };
  if (c.body !== undefined) init.body = c.type === null ? new TextEncoder().encode(c.body) : c.body;
  const r = await fetch(base + c.path, init);
  expect(r.headers.get('content-type')).toBe('application/json');
  expect(r.headers.get('access-control-allow-origin')).toBeNull(); // never "*": no cross-site reads
  return { status: r.status, json: await r.json() };
}

describe('gateway bad input', () => {
  for (const c of CASES) {
    it(`${c.name} → ${c.status} ${c.code}`, async () => {
      const before = state();
      const r = await send(c);
      expect({ status: r.status, code: r.json?.error?.code }).toEqual({ status: c.status, code: c.code });
      expect(r.json.ok).toBe(false);
      expect(typeof r.json.error.message).toBe('string');
      expect(state()).toBe(before);
      expect((await fetch(`${base}/api/health`)).status).toBe(200);
    });
  }

  it('a chunked body over the limit: 413, nothing changes, the server still answers', async () => {
    const before = state();
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}${P}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.write('{"max_position":0.002,"pad":"');
      for (let i = 0; i < 10; i++) req.write('x'.repeat(1000));
      req.end('"}');
    });
    expect(status).toBe(413);
    expect(state()).toBe(before);
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });

  it('a client that disconnects halfway through its body changes nothing and breaks nothing', async () => {
    const before = state();
    const abortedBefore = gw.counters.aborted;
    await new Promise<void>((resolve) => {
      const req = request(`${base}${P}`, { method: 'PATCH', headers: { 'content-type': 'application/json', 'content-length': '2000' } });
      req.on('error', () => resolve());
      req.on('close', () => resolve());
      req.write('{"max_position":0.00', () => { setTimeout(() => req.destroy(), 20); });
    });
    for (let i = 0; i < 50 && gw.counters.aborted === abortedBefore; i++) await new Promise((r) => setTimeout(r, 10));
    expect(gw.counters.aborted).toBe(abortedBefore + 1);
    expect(state()).toBe(before);
    expect((await fetch(`${base}/api/health`)).status).toBe(200);
  });

  it('a foreign Host header (DNS rebinding) and a cross-site Origin: 403', async () => {
    const before = state();
    const host = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/strategies`, { headers: { host: 'evil.example:80' } }, (res) => { res.resume(); resolve(res.statusCode ?? 0); });
      req.on('error', reject);
      req.end();
    });
    expect(host).toBe(403);
    const r = await fetch(`${base}/api/kill`, { method: 'POST', headers: { origin: 'http://evil.example' } });
    expect(r.status).toBe(403);
    expect(state()).toBe(before);
  });

  it('with a token: 401 without it or with a wrong one, 200 with it', async () => {
    const token = 'a-long-enough-test-token';
    const g2 = new Gateway(engine, { port: 0, token });
    const b2 = `http://127.0.0.1:${await g2.listen()}`;
    try {
      const before = state();
      const none = await fetch(`${b2}/api/kill`, { method: 'POST' });
      expect(none.status).toBe(401);
      expect(((await none.json()) as { error: { code: string } }).error.code).toBe('SPREADCORE_ERR_UNAUTHORIZED');
      expect((await fetch(`${b2}/api/strategies`, { headers: { authorization: 'Bearer wrong-token-wrong-token' } })).status).toBe(401);
      expect(state()).toBe(before);
      expect((await fetch(`${b2}/api/strategies`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    } finally {
      g2.close();
    }
    expect(() => new Gateway(engine, { host: '0.0.0.0', port: 0 })).toThrow(/requires a token/);
  });

  it('a good PATCH after all that still applies', async () => {
    const r = await send({ name: 'ok', method: 'PATCH', path: P, body: J({ max_position: 0.008 }), status: 200, code: '' });
    expect(r.status).toBe(200);
    expect(engine.strategy('btc_mm_1').params.max_position).toBe(0.008);
    expect(gw.counters.internalErrors).toBe(0);
  });
});
