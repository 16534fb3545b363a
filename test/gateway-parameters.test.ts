// GET /api/strategy/:id/parameters over real HTTP: every canonical parameter with its
// current value — defaults filled in, an alias shown under its canonical name, a
// PATCH visible at once, a refused PATCH not — and the route's errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { Gateway } from '../src/gateway/index.js';
import { DEFAULT_PARAMS, PARAM_SPECS } from '../src/strategy/params/index.js';

let engine: TradingEngine;
let gw: Gateway;
let base = '';

beforeAll(async () => {
  engine = new TradingEngine();
  new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, 5)).run(2);
  gw = new Gateway(engine, { port: 0 });
  base = `http://127.0.0.1:${await gw.listen()}`;
});
afterAll(() => { gw.close(); engine.close(); });

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(5000) };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers = { 'content-type': 'application/json' }; }
  const r = await fetch(base + path, init);
  return { status: r.status, json: await r.json() };
}

describe('GET /api/strategy/:id/parameters', () => {
  it('every canonical parameter, defaults filled in, aliases under their canonical names; PATCH shows at once', async () => {
    const load = await call('POST', '/api/strategy/load', {
      name: 'p1', symbols: ['BTCUSDT'], parameters: { half_spread_bps: 3, order_size: 0.001, max_position: 0.01 },
    });
    expect(load.status).toBe(200);
    const r = await call('GET', '/api/strategy/p1/parameters');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, strategy_id: 'p1', status: 'loaded' });
    const p = r.json.parameters as Record<string, unknown>;
    expect(Object.keys(p).sort()).toEqual(PARAM_SPECS.map((s) => s.name).sort());
    expect(p['spread_bps']).toBe(6); // half_spread_bps 3 = a full spread of 6 bps
    expect(p).not.toHaveProperty('half_spread_bps');
    expect(p['order_size']).toBe(0.001);
    expect(p['max_position']).toBe(0.01);
    expect(p['quote_model']).toBe(DEFAULT_PARAMS.quote_model);
    expect(p['quote_levels']).toBe(DEFAULT_PARAMS.quote_levels);

    expect((await call('PATCH', '/api/strategy/p1/parameters', { max_position: 0.005, stop_loss_bps: 50 })).status).toBe(200);
    const after = (await call('GET', '/api/strategy/p1/parameters')).json.parameters as Record<string, unknown>;
    expect(after['max_position']).toBe(0.005);
    expect(after['stop_loss_bps']).toBe(50);

    expect((await call('PATCH', '/api/strategy/p1/parameters', { max_position: -1 })).status).toBe(400);
    expect((await call('GET', '/api/strategy/p1/parameters')).json.parameters).toEqual(after);
  });

  it('an unknown strategy is 404; POST on the path is 405', async () => {
    const nf = await call('GET', '/api/strategy/nope/parameters');
    expect([nf.status, nf.json.error.code]).toEqual([404, 'SPREADCORE_ERR_STRATEGY_NOT_FOUND']);
    const na = await call('POST', '/api/strategy/p1/parameters', {});
    expect([na.status, na.json.error.code]).toEqual([405, 'SPREADCORE_ERR_METHOD_NOT_ALLOWED']);
  });
});
