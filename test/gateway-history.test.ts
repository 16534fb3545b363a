// The dashboard's server side: the history ring (bounded, gaps as null, steps counted
// from the newest sample), the engine's sampler (mid, our quotes, position and P&L per
// strategy leg, deleted strategies dropped), GET /api/history's query checks (coded
// 400s and 404s), GET /api/strategy/:id/overview against the metrics route, the
// decision-latency quantiles of the /metrics histogram, and GET /api/parameters/schema.
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { Gateway } from '../src/gateway/index.js';
import { FixedHistogram } from '../src/gateway/prometheus-histogram.js';
import { histogramQuantile, latencyQuantiles } from '../src/gateway/routes-dashboard.js';
import { EngineHistory, HistoryRing, LEG_COLUMNS, historyOf, legKey } from '../src/gateway/routes-history.js';
import { EngineMetrics } from '../src/gateway/routes-metrics.js';

describe('HistoryRing', () => {
  it('keeps the newest capacity samples, oldest first; a key not written in a sample reads null there', () => {
    const r = new HistoryRing(5);
    for (let i = 1; i <= 8; i++) {
      r.begin(i * 1000);
      r.put('A', 1, 0, i * 10);
      if (i % 2 === 0) r.put('B', 2, 1, i);
    }
    expect(r.size).toBe(5);
    expect(r.span()).toEqual({ newest: 8000, oldest: 4000 });
    expect(r.read('A', 1, 0)).toEqual({ t: [4000, 5000, 6000, 7000, 8000], columns: [[40, 50, 60, 70, 80]] });
    // B was first written at sample 2; its column 0 was never written
    expect(r.read('B', 2, 0)).toEqual({ t: [4000, 5000, 6000, 7000, 8000], columns: [[null, null, null, null, null], [4, null, 6, null, 8]] });
    // an unknown key: the times, all-null columns of the width asked
    expect(r.read('C', 1, 0).columns).toEqual([[null, null, null, null, null]]);
  });

  it('reads from a time on, every step-th sample counted back from the newest, at most maxPoints', () => {
    const r = new HistoryRing(100);
    for (let i = 0; i < 50; i++) { r.begin(i * 1000); r.put('A', 1, 0, i); }
    expect(r.read('A', 1, 45_000).t).toEqual([45_000, 46_000, 47_000, 48_000, 49_000]);
    expect(r.read('A', 1, 40_000, 3).t).toEqual([40_000, 43_000, 46_000, 49_000]);
    expect(r.read('A', 1, 0, 1, 3).columns[0]).toEqual([47, 48, 49]);
  });

  it('writes into storage allocated once per key; drop forgets a key; capacity is checked', () => {
    const r = new HistoryRing(4);
    r.put('A', 1, 0, 1); // before any sample: ignored
    expect(r.keys).toBe(0);
    r.begin(1);
    r.put('A', 1, 0, 1);
    r.put('A', 1, 5, 1); // out of the key's columns: ignored
    expect(r.keys).toBe(1);
    r.drop('A');
    expect(r.has('A')).toBe(false);
    expect(() => new HistoryRing(1)).toThrow(/capacity/);
    expect(() => new HistoryRing(2.5)).toThrow(/capacity/);
  });
});

describe('decision latency from the histogram', () => {
  it('quantiles are read like histogram_quantile (linear in the bucket; the +Inf bucket gives the largest bound)', () => {
    const h = new FixedHistogram([0.001, 0.002, 0.004]);
    expect(histogramQuantile(h, 0.5)).toBeNull();
    for (let i = 0; i < 10; i++) h.observe(0.0005); // bucket (0, 1 ms]
    for (let i = 0; i < 10; i++) h.observe(0.0015); // bucket (1, 2 ms]
    expect(histogramQuantile(h, 0.5)).toBeCloseTo(0.001, 9);
    expect(histogramQuantile(h, 0.75)).toBeCloseTo(0.0015, 9);
    h.observe(1);
    expect(histogramQuantile(h, 1)).toBe(0.004);
    const q = latencyQuantiles(h);
    expect(q).toMatchObject({ metric: 'spreadcore_batch_decision_seconds', count: 21 });
    expect(q.p50_ms).toBeGreaterThan(0.9);
    expect(q.p50_ms).toBeLessThan(1.1);
  });
});

const ID = 'hist_mm';
const PARAMS = { spread_bps: 1, order_size: 0.001, max_position: 0.01, quote_levels: 2, level_spacing_bps: 1 };

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

async function setup(withMetrics = true): Promise<{ engine: TradingEngine; driver: SimDriver; base: string; history: EngineHistory | undefined }> {
  const engine = new TradingEngine();
  cleanup.push(() => engine.close());
  // a long interval: the test takes the samples itself
  const metrics = withMetrics ? new EngineMetrics(engine, { history: { intervalMs: 3_600_000, capacity: 600 } }) : undefined;
  if (metrics !== undefined) cleanup.push(() => metrics.detach());
  const driver = new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, 11));
  driver.run(1);
  const gw = new Gateway(engine, { port: 0 });
  const port = await gw.listen();
  cleanup.push(() => gw.close());
  return { engine, driver, base: `http://127.0.0.1:${port}`, history: metrics?.history };
}

async function get(base: string, path: string): Promise<{ status: number; json: any }> {
  const r = await fetch(base + path, { signal: AbortSignal.timeout(5000) });
  return { status: r.status, json: await r.json() };
}

describe('the engine history and GET /api/history', () => {
  it('samples each symbol\'s mid and each leg\'s quotes, position and P&L; the route answers them in columns', async () => {
    const { engine, driver, base, history } = await setup();
    expect(history).toBeDefined();
    expect(historyOf(engine)).toBe(history);
    engine.load({ name: ID, type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: PARAMS });
    engine.start(ID);
    const t0 = Math.floor(engine.nowNs() / 1e6);
    for (let i = 0; i < 30; i++) {
      driver.run(1);
      history!.sample();
    }
    expect(history!.errors).toBe(0);
    expect(history!.samples).toBe(30);

    const sym = await get(base, '/api/history?symbol=BTCUSDT&seconds=600');
    expect(sym.status).toBe(200);
    expect(sym.json).toMatchObject({ ok: true, symbol: 'BTCUSDT', strategy_id: null, interval_ms: 3_600_000, points: 30 });
    expect(sym.json.t).toHaveLength(30);
    expect(sym.json.t[0]).toBeGreaterThan(t0);
    expect(sym.json.bid).toBeUndefined();
    const depthMid = (await get(base, '/api/market/depth?symbol=BTCUSDT')).json.mid_price;
    expect(sym.json.mid[29]).toBe(depthMid);

    const leg = await get(base, `/api/history?symbol=BTCUSDT&strategy_id=${ID}&seconds=600`);
    expect(leg.status).toBe(200);
    for (const c of ['t', 'mid', ...LEG_COLUMNS]) expect(leg.json[c], c).toHaveLength(30);
    const q = (await get(base, `/api/strategy/${ID}/quotes`)).json.quotes;
    expect(leg.json.bid[29]).toBe(q.bids[0]?.price ?? null);
    expect(leg.json.ask[29]).toBe(q.asks[0]?.price ?? null);
    const n = leg.json.bid.filter((x: number | null) => x !== null).length;
    expect(n).toBeGreaterThan(20);
    expect(leg.json.bid.every((b: number | null, i: number) => b === null || leg.json.ask[i] === null || b < leg.json.ask[i])).toBe(true);
    // P&L columns follow the engine's pnl events; position matches the inventory route at the end
    expect(leg.json.total_pnl.filter((x: number | null) => x !== null).length).toBeGreaterThan(20);
    const inv = (await get(base, `/api/strategy/${ID}/inventory`)).json.inventory.position;
    expect(leg.json.position[29]).toBe(inv);

    // step: every 5th sample counted back from the newest
    const stepped = await get(base, `/api/history?symbol=BTCUSDT&strategy_id=${ID}&seconds=600&step=18000`);
    expect(stepped.status).toBe(200);
    expect(stepped.json.t).toEqual([sym.json.t[4], sym.json.t[9], sym.json.t[14], sym.json.t[19], sym.json.t[24], sym.json.t[29]]);

    // a deleted strategy's series is dropped at the next sample
    engine.stop(ID);
    engine.delete(ID);
    history!.sample();
    expect(history!.ring.has(legKey(ID, 'BTCUSDT'))).toBe(false);
    expect(history!.ring.has('BTCUSDT')).toBe(true);
  });

  it('refuses bad queries with coded errors', async () => {
    const { engine, base, history } = await setup();
    engine.load({ name: ID, type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: PARAMS });
    history!.sample();
    const cases: [string, number, string][] = [
      ['', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTC%20USDT', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&seconds=0', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&seconds=1e3', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&seconds=-5', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&seconds=99999999', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&step=0', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&step=abc', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&strategy_id=a/b', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=BTCUSDT&limit=5', 400, 'SPREADCORE_ERR_BAD_QUERY'],
      ['?symbol=NOPE', 404, 'SPREADCORE_ERR_NOT_FOUND'],
      ['?symbol=BTCUSDT&strategy_id=nope', 404, 'SPREADCORE_ERR_NOT_FOUND'],
    ];
    for (const [q, status, code] of cases) {
      const r = await get(base, `/api/history${q}`);
      expect({ q, status: r.status, code: r.json.error?.code }).toEqual({ q, status, code });
      expect(r.json.ok).toBe(false);
      expect(typeof r.json.error.message).toBe('string');
    }
    // at most 20,000 points an answer: 1 s samples need a step over a day... here the ring holds 600 hours
    expect((await get(base, '/api/history?symbol=BTCUSDT&seconds=600')).status).toBe(200);
    const post = await fetch(`${base}/api/history?symbol=BTCUSDT`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    expect(post.status).toBe(405);
  });

  it('a server that keeps no history answers 404', async () => {
    const { base } = await setup(false);
    const r = await get(base, '/api/history?symbol=BTCUSDT');
    expect(r.status).toBe(404);
    expect(r.json.error.code).toBe('SPREADCORE_ERR_NOT_FOUND');
  });
});

describe('GET /api/strategy/:id/overview and GET /api/parameters/schema', () => {
  it('the overview agrees with the metrics and strategies routes; decision latency comes from the histogram', async () => {
    const { engine, driver, base } = await setup();
    engine.load({ name: ID, type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: PARAMS });
    engine.start(ID);
    driver.run(30);
    engine.stop(ID);
    const o = (await get(base, `/api/strategy/${ID}/overview`)).json;
    const m = (await get(base, `/api/strategy/${ID}/metrics`)).json;
    const s = (await get(base, '/api/strategies')).json.strategies[0];
    expect(o).toMatchObject({
      ok: true, strategy_id: ID, symbol: 'BTCUSDT', status: s.status, risk_state: s.risk_state, pause_reasons: s.pause_reasons, kill_switch: 'ACTIVE',
      fill_rate_pct: m.quoting.fill_rate_pct, max_drawdown: m.risk.max_drawdown, net_profit: m.performance.net_profit,
      total_trades: m.performance.total_trades, position: m.inventory.current_position,
    });
    expect(Array.isArray(o.markouts)).toBe(true);
    expect(o.markouts.length).toBeGreaterThan(0);
    expect(o.markouts[0]).toHaveProperty('horizon_ms');
    expect(o.decision_latency.metric).toBe('spreadcore_batch_decision_seconds');
    expect(o.decision_latency.count).toBeGreaterThan(0);
    expect(o.decision_latency.p50_ms).toBeGreaterThan(0);
    expect(o.binary).toBeUndefined();

    expect((await get(base, '/api/strategy/nope/overview')).status).toBe(404);
    const wrongSym = await get(base, `/api/strategy/${ID}/overview?symbol=ETHUSDT`);
    expect(wrongSym.status).toBe(404);
    expect((await get(base, `/api/strategy/${ID}/overview?symbol=a%20b`)).json.error.code).toBe('SPREADCORE_ERR_BAD_QUERY');
  });

  it('the schema is the one bodies are checked with, with the canonical names', async () => {
    const { base } = await setup(false);
    const r = await get(base, '/api/parameters/schema');
    expect(r.status).toBe(200);
    expect(r.json.schema.$id).toBe('spreadcore:strategy-parameters');
    expect(r.json.canonical).toContain('spread_bps');
    expect(r.json.canonical).toContain('quote_levels');
    for (const name of r.json.canonical) expect(r.json.schema.properties[name], name).toBeDefined();
    expect(r.json.schema.additionalProperties).toBe(false);
  });
});
