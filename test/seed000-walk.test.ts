// Seed 000's curl walk against a real `spreadcore serve` (built-in market, paper
// execution), with the market paced 20x real time (SPREADCORE_SIM_SPEED): Step 3 depth,
// Step 4 load, Step 5 start, Step 6 the stream, Step 7 quotes, Step 8 PATCH, Step 9
// metrics, Step 10 inventory and reduce_inventory, Step 11 trades, Step 12 stop. It
// checks what the tutorial promises: a fill within the first simulated minute, quotes
// that skew after fills, the stream without `order` events by default, and requote
// churn well below Binance's 50 orders / 10 s. Seed 16: its BTCUSDT path fills a
// 4 bps ladder within ~20 s from any start in its first minute (docs/simulator.md).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { sleep } from './support/wait.js';

const ID = 'btc_mm_1';
const SPEED = 20;
const STEP4 = {
  name: ID, type: 'MarketMaking', symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 },
};

let tmp = '';
let srv: CliProcess;
let base = '';
beforeAll(async () => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-walk-'));
  srv = await startCli(['serve', '--port', '0', '--feed-port', '0', '--data-dir', tmp, '--seed', '16', '--universe', '0'],
    /control API listening on (http:\/\/[^ ]+)\/api /, { SPREADCORE_SIM_SPEED: String(SPEED) }, 30_000);
  base = srv.match[1]!;
});
afterAll(() => {
  stopAll();
  rmSync(tmp, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const r = await fetch(base + path, {
    method, signal: AbortSignal.timeout(10_000),
    ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
  });
  return { status: r.status, json: await r.json() };
}

interface Ev { event: string; data: any }

/** Reads an SSE response into `out` until aborted. */
async function collect(res: Response, out: Ev[]): Promise<void> {
  const reader = res.body!.getReader();
  const dec = new TextDecoder();
  let buf = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buf += dec.decode(value, { stream: true });
      let k: number;
      while ((k = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, k);
        buf = buf.slice(k + 2);
        const ev = /^event: (.+)$/m.exec(frame)?.[1];
        const data = /^data: (.+)$/m.exec(frame)?.[1];
        if (ev !== undefined && data !== undefined) out.push({ event: ev, data: JSON.parse(data) });
      }
    }
  } catch { /* aborted */ }
}

describe('seed 000 walk on spreadcore serve', () => {
  it('Steps 3-12 with the tutorial\'s parameters', async () => {
    const health = await call('GET', '/api/health');
    expect(health.json).toMatchObject({ ok: true, market: 'sim', sim_speed: SPEED, seed: 16 });

    // Step 3 (quoted in the README: an unquoted & would background curl)
    const depth = await call('GET', '/api/market/depth?symbol=BTCUSDT&limit=5');
    expect(depth.status).toBe(200);
    expect(depth.json.bids).toHaveLength(5);
    expect(depth.json.asks).toHaveLength(5);
    // a one-tick market as recorded on Binance (a trade can open it for a few ticks until the next
    // re-quote: under load that can be the moment read, so it is read again until it has closed)
    expect(depth.json.spread).toBeGreaterThan(0);
    let spread = depth.json.spread as number;
    for (let i = 0; i < 50 && spread > 0.05; i++) {
      await new Promise((r) => setTimeout(r, 100));
      spread = (await call('GET', '/api/market/depth?symbol=BTCUSDT&limit=5')).json.spread as number;
    }
    expect(spread).toBeGreaterThan(0);
    expect(spread).toBeLessThanOrEqual(0.05);

    // Step 4
    const load = await call('POST', '/api/strategy/load', STEP4);
    expect(load.json).toMatchObject({ ok: true, strategy_id: ID, config: { spread_bps: 4, half_spread_bps: 2, quote_levels: 3 } });

    // Step 6's stream, opened before Step 5 so it sees everything from the start
    const ac = new AbortController();
    const stream = await fetch(`${base}/api/stream?filter=strategy&strategy_id=${ID}`, { signal: ac.signal });
    expect(stream.status).toBe(200);
    const events: Ev[] = [];
    const reading = collect(stream, events);

    // Step 5
    const started = await call('POST', `/api/strategy/${ID}/start`);
    expect(started.json).toMatchObject({ ok: true, strategy_id: ID, status: 'running' });
    expect(started.json.initial_quotes.bid_levels).toHaveLength(3);
    expect(started.json.initial_quotes.ask_levels).toHaveLength(3);

    // five simulated minutes (15 s at 20x)
    const wall0 = Date.now();
    while (Date.now() - wall0 < 40_000) {
      await sleep(500);
      const running = events.find((e) => e.event === 'strategy_state' && e.data.status === 'running');
      const last = events.at(-1);
      if (running !== undefined && last !== undefined && last.data.timestamp - running.data.timestamp >= 300_000) break;
    }
    const runningAt: number = events.find((e) => e.event === 'strategy_state' && e.data.status === 'running')!.data.timestamp;
    const fills = events.filter((e) => e.event === 'fill');
    const updates = events.filter((e) => e.event === 'quote_update');
    const simMinutes = (events.at(-1)!.data.timestamp - runningAt) / 60_000;
    expect(simMinutes).toBeGreaterThanOrEqual(4.5);

    // a fill within the first simulated minute, and tens of them in five minutes
    expect(fills.length).toBeGreaterThan(0);
    expect(fills[0]!.data.timestamp - runningAt).toBeLessThanOrEqual(60_000);
    expect(fills.length).toBeGreaterThanOrEqual(5);
    expect(fills.some((f) => f.data.round_trip_profit !== undefined)).toBe(true); // a round trip
    // quotes skew after a fill once the inventory passes the skew threshold
    expect(updates.some((u) => u.data.skew !== undefined && u.data.timestamp >= fills[0]!.data.timestamp)).toBe(true);
    // the default stream: quote updates, fills, P&L, states; no order events
    expect(events.some((e) => e.event === 'order')).toBe(false);
    expect(events.some((e) => e.event === 'pnl')).toBe(true);
    // churn: orders placed (summed from the quote updates) per simulated minute and per 10 s
    const placed = updates.reduce((a, u) => a + u.data.orders_placed, 0);
    expect(placed / simMinutes).toBeLessThanOrEqual(120);
    const times = updates.flatMap((u) => Array<number>(u.data.orders_placed).fill(u.data.timestamp));
    let max10 = 0;
    for (let i = 0, j = 0; i < times.length; i++) {
      while (times[i]! - times[j]! >= 10_000) j++;
      max10 = Math.max(max10, i - j + 1);
    }
    expect(max10).toBeLessThanOrEqual(32);

    // Step 7
    const q = await call('GET', `/api/strategy/${ID}/quotes`);
    expect(q.json.strategy_id).toBe(ID);
    expect(q.json.quotes.bids.length + q.json.quotes.asks.length).toBeGreaterThan(0);

    // Step 8
    const patch = await call('PATCH', `/api/strategy/${ID}/parameters`, { max_position: 0.005, stop_loss_bps: 50.0, pause_on_volatility: true, volatility_threshold: 100.0 });
    expect(patch.json).toMatchObject({ ok: true, strategy_id: ID, updated_parameters: { max_position: 0.005, stop_loss_bps: 50 } });

    // Step 9: fill rate counted against orders placed
    const m = await call('GET', `/api/strategy/${ID}/metrics`);
    expect(m.json.performance.total_trades).toBeGreaterThanOrEqual(fills.length);
    expect(m.json.quoting.fill_rate_pct).toBeGreaterThan(1);
    expect(m.json.quoting.fill_rate_pct).toBeLessThan(25);

    // Step 10
    const inv = await call('GET', `/api/strategy/${ID}/inventory`);
    expect(inv.json.strategy_id).toBe(ID);
    const reduce = await call('POST', `/api/strategy/${ID}/reduce_inventory`, { target_position: 0, aggression: 'moderate' });
    expect([200, 409]).toContain(reduce.status);

    // Step 11
    const trades = await call('GET', `/api/strategy/${ID}/trades?limit=10`);
    expect(trades.json.trades.length).toBeGreaterThan(0);

    // Step 12
    const stop = await call('POST', `/api/strategy/${ID}/stop`);
    expect(stop.json).toMatchObject({ ok: true, strategy_id: ID, status: 'stopped' });
    ac.abort();
    await reading;
  }, 90_000);
});
