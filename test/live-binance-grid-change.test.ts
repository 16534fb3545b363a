// A live symbol whose tick size Binance changes while serve runs, end to end with real
// processes: `spreadcore replica binance` (USD-M: --futures) and `spreadcore serve` in live
// testnet mode on it. The replica publishes BTCUSDT on a 1.0 tick when serve starts
// (POST /__replica/grid; its market runs on 0.1, spot 0.01), serve quotes on it; then the
// replica moves BTCUSDT back to its market's tick. Its depth is then off serve's grid: serve
// reads exchangeInfo again (on USD-M the first read fails with a 503: said once, read again
// at a refusal 3 s later, as --grid-reread-s 3 sets), says so once (tick 1 → 0.1), counts it in GET /api/health, the
// book syncs on the new grid, and the strategy quotes again at the venue on the new grid, with
// no order refused by the venue for a filter failure (USD-M -4014 price off tick, -4023
// quantity off step, -1111 too many decimals; spot -1013 "Filter failure: …").
// A coarser tick (USD-M 0.1 → 1) leaves the depth on the old grid too: there the venue's
// refusals of orders off the new tick (-4014) start the read, and after the change the orders
// are on the new tick and refused no more.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDist, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, startLiveServe, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-grid-change-key-6d21';
const SECRET = 'usdm-grid-change-secret-9a4f70c3e1';

interface StateOrder { symbol: string; orderId: number; price: string | null; status: string }
interface ReplicaState { orders: StateOrder[]; orderRefusals: Record<string, number> }
interface Health { synced: boolean; refused_depth: Record<string, number>; grid_changes?: Record<string, number>; market_warnings?: string[] }

let dir = '';
let replicaUrl = '';
let apiPort = 0;
let serve: CliProcess | null = null;
const dirs: string[] = [];

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
const replicaState = async (): Promise<ReplicaState> => await (await fetch(`${replicaUrl}/__replica/state`)).json() as ReplicaState;
const setTick = async (tickSize: string): Promise<void> => {
  const res = await fetch(`${replicaUrl}/__replica/grid`, { method: 'POST', body: JSON.stringify({ symbol: 'BTCUSDT', tickSize }) });
  expect(res.status).toBe(200);
};
/** The price is a whole number of `tick`. */
const onTick = (price: string, tick: number): boolean => Math.abs(Math.round(Number(price) / tick) * tick - Number(price)) < 1e-9;
const filterRefusals = (s: ReplicaState): number => ['-4014', '-4023', '-1111', '-1013'].reduce((n, c) => n + (s.orderRefusals[c] ?? 0), 0);
const out = (): string => serve?.out() ?? '';

/** A spot replica (`--seed`, the account's key and secret) and a new data directory. */
async function startSpotReplica(seed: number): Promise<{ dir: string; replicaUrl: string; apiPort: number }> {
  const d = mkdtempSync(join(tmpdir(), 'sc-live-spot-grid-'));
  const port = await freePort();
  await startCli(['replica', 'binance', '--port', String(port), '--seed', String(seed), '--api-key', KEY, '--api-secret', SECRET], /Ctrl-C stops it/);
  return { dir: d, replicaUrl: `http://127.0.0.1:${port}`, apiPort: await freePort() };
}

beforeAll(() => { requireDist(); });

afterAll(() => {
  stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe.each([
  { market: 'USD-M', usdm: true, newTick: '0.1', tickText: 'tick 1 → 0.1', step: 'step 0.001 → 0.001', infoPath: '/fapi/v1/exchangeInfo', failFirstRead: true },
  { market: 'spot', usdm: false, newTick: '0.01', tickText: 'tick 1 → 0.01', step: 'step 0.00001 → 0.00001', infoPath: '/api/v3/exchangeInfo', failFirstRead: false },
])('serve live on Binance $market when Binance changes a symbol\'s tick size', ({ usdm, newTick, tickText, step, infoPath, failFirstRead }) => {
  it('reads exchangeInfo again, resyncs on the new tick and quotes on it without a filter refusal', async () => {
    ({ dir, replicaUrl, apiPort } = usdm ? await startUsdmReplica('sc-live-usdm-grid-', 23, KEY, SECRET) : await startSpotReplica(23));
    dirs.push(dir);
    await setTick('1');
    // reads of exchangeInfo at most every 3 s (--grid-reread-s; 30 s by default)
    serve = usdm ? await startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET, ['--grid-reread-s', '3']) : await startLiveServe(apiPort, dir, replicaUrl, KEY, SECRET);
    await waitUntil('BTCUSDT in sync', async () => (await api<Health>('/api/health')).synced, 20_000, out);
    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'grid_mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 1, order_size: 0.001, max_position: 0.05, quote_levels: 1 },
    });
    expect(load.ok).toBe(true);
    expect((await api<{ status: string }>('/api/strategy/grid_mm/start', {})).status).toBe('running');
    await waitUntil('quotes at the venue on the 1.0 tick', async () => (await replicaState()).orders.some((o) => o.symbol === 'BTCUSDT' && o.status === 'NEW'), 30_000, out);
    const before = await replicaState();
    for (const o of before.orders) if (o.price !== null) expect(onTick(o.price, 1)).toBe(true);
    const lastIdBefore = Math.max(...before.orders.map((o) => o.orderId));
    const refusalsBefore = filterRefusals(before);
    expect(out()).not.toContain('changed its grid');

    if (failFirstRead) {
      // the first exchangeInfo read after the change fails (503): said once, read again at a refusal 3 s later
      const fault = await fetch(`${replicaUrl}/__replica/faults`, { method: 'POST', body: JSON.stringify({ failRequests: { count: 1, path: infoPath, status: 503 } }) });
      expect(fault.status).toBe(200);
    }
    await setTick(newTick);
    if (failFirstRead) {
      await waitUntil('serve says exchangeInfo could not be read', async () => out().includes('exchangeInfo could not be read'), 20_000, out);
      const failedAtMs = Date.now();
      expect(out()).not.toContain('Binance changed its grid');
      await waitUntil('serve picks up the new tick', async () => out().includes('Binance changed its grid'), 60_000, out);
      expect(Date.now() - failedAtMs).toBeGreaterThan(2_500);
      const failed = out().split('\n').filter((l) => l.includes('exchangeInfo could not be read'));
      expect(failed).toHaveLength(1);
      expect(failed[0]).toContain('read again at the next refusal after 3 s');
    }
    await waitUntil('serve picks up the new tick', async () => out().includes('Binance changed its grid'), 20_000, out);
    await waitUntil('the book in sync on the new grid', async () => out().includes('BTCUSDT in sync with Binance on its new grid'), 20_000, out);
    // quoting again: orders sent after the change rest at the venue, some on a price only the new tick allows
    await waitUntil('quotes on the new tick', async () => {
      const s = await replicaState();
      const after = s.orders.filter((o) => o.symbol === 'BTCUSDT' && o.orderId > lastIdBefore && o.price !== null);
      return after.some((o) => o.status === 'NEW') && after.some((o) => !onTick(o.price!, 1));
    }, 60_000, out);

    const lines = out().split('\n').filter((l) => l.includes('Binance changed its grid'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('BTCUSDT');
    expect(lines[0]).toContain(tickText);
    expect(lines[0]).toContain(step);
    // the restart advice is not given: the change was picked up
    expect(out()).not.toContain('restart serve to pick up the new grid');
    const health = await api<Health>('/api/health');
    expect(health.grid_changes).toEqual({ BTCUSDT: 1 });
    expect(health.refused_depth['BTCUSDT']).toBeGreaterThan(0);
    expect(health.market_warnings).toBeUndefined();
    expect(health.synced).toBe(true);
    const after = await replicaState();
    for (const o of after.orders) if (o.orderId > lastIdBefore && o.price !== null) expect(onTick(o.price, Number(newTick))).toBe(true);
    expect(filterRefusals(after)).toBe(refusalsBefore);
    // the strategy runs on the new grid: not paused for its instrument
    const listed = (await api<{ strategies: { strategy_id: string; status: string; pause_reasons: string[] }[] }>('/api/strategies')).strategies.find((x) => x.strategy_id === 'grid_mm');
    expect([listed?.status, listed?.pause_reasons]).toEqual(['running', []]);
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 180_000);
});

describe('serve live on Binance USD-M when Binance makes a symbol\'s tick coarser', () => {
  it('reads exchangeInfo again after orders refused off the new tick, then quotes on it and is refused no more', async () => {
    ({ dir, replicaUrl, apiPort } = await startUsdmReplica('sc-live-usdm-coarse-', 29, KEY, SECRET));
    dirs.push(dir);
    serve = await startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET);
    await waitUntil('BTCUSDT in sync', async () => (await api<Health>('/api/health')).synced, 20_000, out);
    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'coarse_mm', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 1, order_size: 0.001, max_position: 0.05, quote_levels: 1 },
    });
    expect(load.ok).toBe(true);
    expect((await api<{ status: string }>('/api/strategy/coarse_mm/start', {})).status).toBe('running');
    await waitUntil('quotes at the venue on the 0.1 tick', async () => (await replicaState()).orders.some((o) => o.symbol === 'BTCUSDT' && o.status === 'NEW'), 30_000, out);
    const refusalsBefore = filterRefusals(await replicaState());

    await setTick('1');
    await waitUntil('serve picks up the new tick', async () => out().includes('Binance changed its grid'), 60_000, out);
    await waitUntil('the book in sync on the new grid', async () => out().includes('BTCUSDT in sync with Binance on its new grid'), 20_000, out);
    const atSync = await replicaState();
    const refusalsAtSync = filterRefusals(atSync);
    // the change showed as orders refused off the new tick
    expect(refusalsAtSync).toBeGreaterThan(refusalsBefore);
    const lastIdAtSync = Math.max(...atSync.orders.map((o) => o.orderId));
    await waitUntil('quotes on the 1.0 tick', async () => (await replicaState()).orders.some((o) => o.symbol === 'BTCUSDT' && o.orderId > lastIdAtSync && o.status === 'NEW'), 60_000, out);
    // a few more requotes: none refused for the grid
    await new Promise((r) => setTimeout(r, 3000));

    const lines = out().split('\n').filter((l) => l.includes('Binance changed its grid'));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('BTCUSDT: Binance changed its grid (exchangeInfo read again after an order refused off the grid): tick 0.1 → 1, step 0.001 → 0.001');
    const health = await api<Health>('/api/health');
    expect(health.grid_changes).toEqual({ BTCUSDT: 1 });
    expect(health.market_warnings).toBeUndefined();
    const after = await replicaState();
    const newOrders = after.orders.filter((o) => o.orderId > lastIdAtSync && o.price !== null);
    expect(newOrders.length).toBeGreaterThan(0);
    for (const o of newOrders) expect(onTick(o.price!, 1)).toBe(true);
    expect(filterRefusals(after)).toBe(refusalsAtSync);
    const listed = (await api<{ strategies: { strategy_id: string; status: string; pause_reasons: string[] }[] }>('/api/strategies')).strategies.find((x) => x.strategy_id === 'coarse_mm');
    expect([listed?.status, listed?.pause_reasons]).toEqual(['running', []]);
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 180_000);
});
