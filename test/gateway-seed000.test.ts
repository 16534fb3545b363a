// Seed 000 Steps 3-12 over HTTP: a Gateway on a TradingEngine driven by the seeded
// simulator at full speed (SimDriver), every call made with fetch against real uWS;
// each answer's shape, and its numbers against the others (quote prices follow the
// spread and levels, inventory is the sum of fills, metrics add up).
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { Gateway, SseHub, attachEngine } from '../src/gateway/index.js';

const ID = 'btc_mm_1';
const STEP4 = {
  name: ID, type: 'MarketMaking', symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 },
};
const STEP8 = { max_position: 0.005, stop_loss_bps: 50.0, pause_on_volatility: true, volatility_threshold: 100.0 };

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

async function setup(): Promise<{ engine: TradingEngine; driver: SimDriver; base: string }> {
  const engine = new TradingEngine();
  cleanup.push(() => engine.close());
  const driver = new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'high_volatility' } }] }, 42));
  driver.run(2);
  const hub = new SseHub({ maxPendingBytes: 256 * 1024 * 1024, heartbeatMs: 0 });
  cleanup.push(attachEngine(hub, engine.events));
  const gw = new Gateway(engine, { port: 0, stream: hub });
  const port = await gw.listen();
  cleanup.push(() => gw.close());
  cleanup.push(() => hub.close());
  return { engine, driver, base: `http://127.0.0.1:${port}` };
}

async function call(base: string, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const init: RequestInit = { method, signal: AbortSignal.timeout(5000) };
  if (body !== undefined) { init.body = JSON.stringify(body); init.headers = { 'content-type': 'application/json' }; }
  const r = await fetch(base + path, init);
  expect(r.headers.get('content-type')).toBe('application/json');
  return { status: r.status, json: await r.json() };
}

const near = (a: number, b: number, eps = 1e-8): boolean => Math.abs(a - b) <= eps;

describe('seed 000 over HTTP', () => {
  it('Steps 3-12', async () => {
    const { engine, driver, base } = await setup();
    expect((await call(base, 'GET', '/api/health')).status).toBe(200);

    // Step 3: depth, numbers, sorted, spread and mid from the best levels
    const d = await call(base, 'GET', '/api/market/depth?symbol=BTCUSDT&limit=5');
    expect(d.status).toBe(200);
    expect(Object.keys(d.json).sort()).toEqual(['asks', 'bids', 'mid_price', 'spread', 'symbol']);
    expect(d.json.symbol).toBe('BTCUSDT');
    expect(d.json.bids).toHaveLength(5);
    expect(d.json.asks).toHaveLength(5);
    for (const l of [...d.json.bids, ...d.json.asks]) { expect(typeof l.price).toBe('number'); expect(l.qty).toBeGreaterThan(0); }
    for (let i = 1; i < 5; i++) { expect(d.json.bids[i].price).toBeLessThan(d.json.bids[i - 1].price); expect(d.json.asks[i].price).toBeGreaterThan(d.json.asks[i - 1].price); }
    expect(near(d.json.spread, d.json.asks[0].price - d.json.bids[0].price, 1e-6)).toBe(true);
    expect(near(d.json.mid_price, (d.json.asks[0].price + d.json.bids[0].price) / 2, 1e-6)).toBe(true);

    // Step 4: load
    const l = await call(base, 'POST', '/api/strategy/load', STEP4);
    expect(l.status).toBe(200);
    expect(l.json).toMatchObject({ ok: true, strategy_id: ID, config: { spread_bps: 4, half_spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 3 } });
    const list = await call(base, 'GET', '/api/strategies');
    expect(list.json.strategies).toEqual([expect.objectContaining({ strategy_id: ID, status: 'loaded', symbols: ['BTCUSDT'] })]);

    // Step 6's stream, opened before the start so it sees everything
    const abort = new AbortController();
    const stream = await fetch(`${base}/api/stream?filter=strategy&strategy_id=${ID}`, { signal: abort.signal });
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect((await call(base, 'POST', '/api/stream')).status).toBe(405);

    // Step 5: start, initial quotes 3 a side, 2 bps apart around the mid
    const s = await call(base, 'POST', `/api/strategy/${ID}/start`);
    expect(s.status).toBe(200);
    expect(s.json).toMatchObject({ ok: true, strategy_id: ID, status: 'running' });
    const { bid_levels: bids, ask_levels: asks } = s.json.initial_quotes;
    expect(bids).toHaveLength(3);
    expect(asks).toHaveLength(3);
    const mid0 = engine.quotes(ID).mid_price!;
    for (let i = 0; i < 3; i++) {
      expect(bids[i].qty).toBe(0.001);
      expect(Math.abs(mid0 - bids[i].price - mid0 * 2e-4 * (i + 1))).toBeLessThanOrEqual(0.011);
      expect(Math.abs(asks[i].price - mid0 - mid0 * 2e-4 * (i + 1))).toBeLessThanOrEqual(0.011);
    }
    // starting it again: 409
    expect((await call(base, 'POST', `/api/strategy/${ID}/start`)).status).toBe(409);

    // Step 6: the market moves, fills happen (fills recorded from the engine's events)
    const fills: { side: string; qty: number; fee: number; inventory: number }[] = [];
    engine.events.on('fill', (f) => fills.push(f));
    driver.run(600);
    expect(fills.length).toBeGreaterThan(5);
    // Step 6: the stream carries this strategy's quote updates and fills, seed 000's fields
    const seen = new Map<string, any[]>();
    const reader = stream.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (!((seen.get('fill')?.length ?? 0) >= fills.length && seen.has('quote_update'))) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const ev = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (ev === undefined || data === undefined) continue;
        const list = seen.get(ev) ?? [];
        list.push(JSON.parse(data));
        seen.set(ev, list);
      }
    }
    abort.abort();
    expect(seen.get('quote_update')![0]).toMatchObject({ strategy_id: ID, mid_price: expect.any(Number), bid: expect.any(Number), ask: expect.any(Number) });
    expect(seen.get('fill')!.map((f) => f.inventory)).toEqual(fills.map((f) => f.inventory));
    const pos = fills.reduce((a, f) => Math.round((a + (f.side === 'BUY' ? f.qty : -f.qty)) * 1e8) / 1e8, 0);

    // Step 7: quotes
    const q = await call(base, 'GET', `/api/strategy/${ID}/quotes`);
    expect(q.status).toBe(200);
    expect(q.json.strategy_id).toBe(ID);
    expect(q.json.inventory.position).toBeCloseTo(pos, 10);
    for (const side of [q.json.quotes.bids, q.json.quotes.asks]) {
      for (let i = 0; i < side.length; i++) {
        expect(side[i]).toMatchObject({ level: i + 1, qty: expect.any(Number), status: expect.any(String) });
        // 2 bps apart, within the two levels' requote tolerances (level i keeps its place within i bps: half its distance to the mid)
        if (i > 0) expect(Math.abs(Math.abs(side[i].price - side[i - 1].price) - q.json.mid_price * 2e-4)).toBeLessThanOrEqual(q.json.mid_price * (2 * i + 1) * 1e-4 + 0.2);
      }
    }
    for (const b of q.json.quotes.bids) expect(b.price).toBeLessThan(q.json.mid_price);
    for (const a of q.json.quotes.asks) expect(a.price).toBeGreaterThan(q.json.mid_price);

    // Step 8: PATCH
    const p = await call(base, 'PATCH', `/api/strategy/${ID}/parameters`, STEP8);
    expect(p.status).toBe(200);
    expect(p.json).toMatchObject({ ok: true, strategy_id: ID, updated_parameters: STEP8 });
    expect(engine.strategy(ID).params.max_position).toBe(0.005);

    // Step 9: metrics add up
    const m = (await call(base, 'GET', `/api/strategy/${ID}/metrics`)).json;
    expect(m.strategy_id).toBe(ID);
    expect(m.performance.total_trades).toBe(fills.length);
    expect(m.performance.buy_fills + m.performance.sell_fills).toBe(fills.length);
    expect(near(m.performance.net_profit, m.performance.gross_profit - m.performance.fees_paid)).toBe(true);
    expect(near(m.performance.fees_paid, fills.reduce((a, f) => a + f.fee, 0))).toBe(true);
    expect(m.inventory.current_position).toBeCloseTo(pos, 10);

    // Step 10: inventory = sum of fills; reduce_inventory
    const inv = (await call(base, 'GET', `/api/strategy/${ID}/inventory`)).json;
    expect(inv.inventory.position).toBeCloseTo(pos, 10);
    const target = pos > 0 ? Math.round((pos / 2) * 1e5) / 1e5 : pos < 0 ? Math.round((pos / 2) * 1e5) / 1e5 : 0;
    const red = await call(base, 'POST', `/api/strategy/${ID}/reduce_inventory`, { target_position: target, aggression: 'moderate' });
    if (pos !== 0) {
      expect(red.status).toBe(200);
      expect(red.json).toMatchObject({ ok: true, strategy_id: ID, action: 'inventory_reduction', target_position: target, current_position: pos });
    } else {
      expect(red.json.ok).toBe(false);
    }
    driver.run(60);

    // Step 11: trades
    const n = fills.length;
    const t = (await call(base, 'GET', `/api/strategy/${ID}/trades?limit=10`)).json;
    expect(t.trades).toHaveLength(Math.min(10, n));
    const last = fills.slice(-t.trades.length);
    t.trades.forEach((tr: { side: string; qty: number; inventory_after: number }, i: number) => {
      expect(tr).toMatchObject({ side: last[i]!.side, qty: last[i]!.qty });
      expect(tr.inventory_after).toBeCloseTo(last[i]!.inventory, 10);
    });

    // Step 12: stop; final state adds up; then close the rest with a market order
    const st = await call(base, 'POST', `/api/strategy/${ID}/stop`);
    expect(st.status).toBe(200);
    expect(st.json).toMatchObject({ ok: true, strategy_id: ID, status: 'stopped' });
    const fs = st.json.final_state;
    expect(near(fs.total_pnl, fs.realized_pnl + fs.unrealized_pnl)).toBe(true);
    const finalPos = (await call(base, 'GET', `/api/strategy/${ID}/inventory`)).json.inventory.position;
    expect(fs.position).toBeCloseTo(finalPos, 10);
    driver.run(1);
    const o = await call(base, 'POST', '/api/order', { side: 'SELL', symbol: 'BTCUSDT', qty: 0.002, type: 'MARKET' });
    expect(o.status).toBe(200);
    expect(o.json).toMatchObject({ ok: true, order: { strategy_id: 'manual', qty: 0.002 } });
    driver.run(1);
    expect(engine.ledgers.get('manual', 'BTCUSDT')!.position.toNumber()).toBe(-0.002);

    // kill / resume / delete
    expect((await call(base, 'POST', '/api/kill', { note: 'test' })).json).toMatchObject({ ok: true, state: 'HALTED' });
    expect((await call(base, 'GET', '/api/health')).json).toMatchObject({ ok: true, kill_switch: 'HALTED' });
    expect((await call(base, 'POST', '/api/resume')).json).toMatchObject({ ok: true, state: 'ACTIVE' });
    expect((await call(base, 'DELETE', `/api/strategy/${ID}`)).json).toMatchObject({ ok: true, strategy_id: ID });
    expect((await call(base, 'GET', '/api/strategies')).json.strategies).toEqual([]);
  });
});
