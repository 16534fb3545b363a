// Live execution on a symbol the built-in instrument table does not carry, as a user runs it:
// `spreadcore replica binance --futures` (its simulator carries USD-M SOLUSDT, tick 0.01, step
// 0.01, which src/feed/binance/instruments.ts does not list) and `spreadcore serve --execution
// binance-usdm-testnet --symbols SOLUSDT`, both real processes; on spot the same with LTCUSDT
// (tick 0.01, step 0.001), whose book takes quantities down to 10^-baseAssetPrecision while
// orders go on the step.
//   - the grids come from the venue's exchangeInfo: the book syncs, quotes rest at the venue on
//     the venue's tick, and every fill is journaled once with the venue's price and quantity;
//   - a symbol the venue does not list is refused before anything is placed: exit 2 (a bad
//     command line), the message names the symbol and the market, and the venue saw no order.
// Paper execution on the same symbols (grids from the public exchangeInfo) is
// test/paper-binance-venue-grids.test.ts.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireDist, runCli, startCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, signedRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-grids-key-3b9e51';
const SECRET = 'usdm-grids-secret-c47d2a90e6';
const SYMBOL = 'SOLUSDT';
/** The replica's exchangeInfo grid for SOLUSDT (Binance's USD-M values). */
const TICK = 0.01;
const STEP = 0.01;

interface VenueTrade { price: string; qty: string; buyer: boolean }
interface EngineTrade { side: string; price: number; qty: number }
interface StateOrder { symbol: string; price: string; origQty: string; type: string; timeInForce: string }
interface Depth { symbol: string; bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] }
interface Health { market_state: string; binance_market: string; symbols: string[]; synced: boolean }

const dirs: string[] = [];
let replicaUrl = '';
let dir = '';

const signed = <T>(path: string, params: Record<string, string> = {}): Promise<T> => signedRequest<T>(replicaUrl, KEY, SECRET, path, params);
const venueTrades = (): Promise<VenueTrade[]> => signed<VenueTrade[]>('/fapi/v1/userTrades', { symbol: SYMBOL, limit: '1000' });
const venueOpen = (): Promise<unknown[]> => signed<unknown[]>('/fapi/v1/openOrders', { symbol: SYMBOL });
async function venuePosition(): Promise<number> {
  const risk = await signed<{ symbol: string; positionAmt: string }[]>('/fapi/v2/positionRisk', { symbol: SYMBOL });
  return risk.filter((p) => p.symbol === SYMBOL).reduce((a, p) => a + Number(p.positionAmt), 0);
}
async function replicaOrders(): Promise<StateOrder[]> {
  return (await (await fetch(`${replicaUrl}/__replica/state`)).json() as { orders: StateOrder[] }).orders;
}
/** True when x lies on the grid of step `step` (within float noise). */
const onGrid = (x: number, step: number): boolean => Math.abs(x / step - Math.round(x / step)) < 1e-6;

beforeAll(async () => {
  requireDist();
  const r = await startUsdmReplica('sc-usdm-grids-', 31, KEY, SECRET);
  dirs.push(r.dir);
  dir = r.dir;
  replicaUrl = r.replicaUrl;
}, 60_000);

afterAll(() => {
  stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('live Binance execution takes the grids of a symbol the built-in table lacks from exchangeInfo', () => {
  it('the replica lists SOLUSDT with its USD-M grid', async () => {
    // USD-M's exchangeInfo has no symbol filter: the whole answer
    const info = await (await fetch(`${replicaUrl}/fapi/v1/exchangeInfo`)).json() as { symbols: { symbol: string; filters: Record<string, string>[] }[] };
    const f = info.symbols.find((s) => s.symbol === SYMBOL)!.filters;
    expect(Number(f.find((x) => x['filterType'] === 'PRICE_FILTER')!['tickSize'])).toBe(TICK);
    expect(Number(f.find((x) => x['filterType'] === 'LOT_SIZE')!['stepSize'])).toBe(STEP);
  });

  it('a symbol the venue does not list: exit 2 naming it and the market, before any order', async () => {
    const apiPort = await freePort();
    const r = await runCli(
      ['serve', '--execution', 'binance-usdm-testnet', '--symbols', 'BTCUSDT,NOSUCHUSDT', '--port', String(apiPort), '--data-dir', `${dir}-unlisted`,
        '--binance-rest-url', replicaUrl, '--rate-limit', '0'],
      { SPREADCORE_BINANCE_API_KEY: KEY, SPREADCORE_BINANCE_API_SECRET: SECRET }, 60_000,
    );
    dirs.push(`${dir}-unlisted`);
    expect(r.code, r.out).toBe(2);
    expect(r.out).toContain('--symbols: Binance USD-M');
    expect(r.out).toContain('does not list NOSUCHUSDT');
    expect(r.out).not.toContain('control API listening');
    expect(r.out).not.toContain(KEY);
    expect(r.out).not.toContain(SECRET);
    expect(await replicaOrders()).toEqual([]);
  }, 90_000);

  it('SOLUSDT: book in sync on the venue grid, quotes on its tick, fills journaled with the venue price and quantity', async () => {
    const apiPort = await freePort();
    const serve = await startUsdmServe(apiPort, dir, replicaUrl, KEY, SECRET, ['--symbols', SYMBOL]);
    const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
    expect(serve.out()).toContain(`${SYMBOL} grids from the venue's exchangeInfo: tick 0.01, order step 0.01, book quantities on 0.01`);
    expect(serve.out()).not.toContain('MISMATCH');

    await waitUntil('the SOLUSDT book in sync', async () => {
      const h = await api<Health>('/api/health');
      return h.synced && h.market_state === 'open';
    }, 60_000, serve.out);
    expect(await api<Health>('/api/health')).toMatchObject({ binance_market: 'usdm', symbols: [SYMBOL], synced: true });
    expect(serve.out()).toContain(`market: ${SYMBOL} in sync with Binance`);
    const d = await api<Depth>(`/api/market/depth?symbol=${SYMBOL}&limit=10`);
    expect(d.bids.length).toBeGreaterThan(0);
    expect(d.asks.length).toBeGreaterThan(0);
    expect(d.bids[0]!.price).toBeLessThan(d.asks[0]!.price);
    for (const l of [...d.bids, ...d.asks]) {
      expect(onGrid(l.price, TICK), `price ${l.price}`).toBe(true);
      expect(onGrid(l.qty, STEP), `qty ${l.qty}`).toBe(true);
    }

    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'sol_mm', type: 'MarketMaking', symbols: [SYMBOL],
      parameters: { spread_bps: 0.5, order_size: 0.5, max_position: 3, quote_levels: 1 },
    });
    expect(load.ok, JSON.stringify(load)).toBe(true);
    expect((await api<{ status: string }>('/api/strategy/sol_mm/start', {})).status).toBe('running');
    await waitUntil('SOLUSDT orders at the venue', async () => (await replicaOrders()).some((o) => o.symbol === SYMBOL), 30_000, serve.out);
    const sent = await replicaOrders();
    expect(sent.length).toBeGreaterThan(0);
    for (const o of sent) {
      expect(o.symbol).toBe(SYMBOL);
      expect([o.type, o.timeInForce]).toEqual(['LIMIT', 'GTX']);
      expect(onGrid(Number(o.price), TICK), `order price ${o.price}`).toBe(true);
      expect(onGrid(Number(o.origQty), STEP), `order qty ${o.origQty}`).toBe(true);
    }
    await waitUntil('SOLUSDT fills at the venue', async () => (await venueTrades()).length > 0, 120_000, serve.out);

    await api('/api/strategy/sol_mm/stop', {});
    await waitUntil('no open order at the venue', async () => (await venueOpen()).length === 0, 30_000, serve.out);
    const venue = await venueTrades();
    await waitUntil('the venue\'s fills journaled', async () => {
      const t = (await api<{ trades: EngineTrade[] }>(`/api/strategy/sol_mm/trades?limit=10000&symbol=${SYMBOL}`)).trades;
      return t.length >= venue.length;
    }, 30_000, serve.out);
    const trades = (await api<{ trades: EngineTrade[] }>(`/api/strategy/sol_mm/trades?limit=10000&symbol=${SYMBOL}`)).trades;
    expect(trades.map((t) => [t.side, t.price, t.qty])).toEqual(venue.map((t) => [t.buyer ? 'BUY' : 'SELL', Number(t.price), Number(t.qty)]));
    for (const t of trades) {
      expect(onGrid(t.price, TICK), `fill price ${t.price}`).toBe(true);
      expect(onGrid(t.qty, STEP), `fill qty ${t.qty}`).toBe(true);
    }
    const pos = (await api<{ inventory: { position: number } }>(`/api/strategy/sol_mm/inventory?symbol=${SYMBOL}`)).inventory.position;
    expect(pos).toBeCloseTo(await venuePosition(), 9);
    expect(serve.out()).not.toContain('MISMATCH');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 300_000);
});

describe('live Binance spot execution on a symbol the built-in table lacks (LTCUSDT)', () => {
  const SPOT_KEY = 'spot-grids-key-8e21f4';
  const SPOT_SECRET = 'spot-grids-secret-71ac0b3d95';
  const LTC = 'LTCUSDT';
  const LTC_STEP = 0.001;
  let spotUrl = '';

  interface SpotTrade { price: string; qty: string; isBuyer: boolean }
  const spotSigned = <T>(path: string, params: Record<string, string> = {}): Promise<T> => signedRequest<T>(spotUrl, SPOT_KEY, SPOT_SECRET, path, params);
  const spotTrades = (): Promise<SpotTrade[]> => spotSigned<SpotTrade[]>('/api/v3/myTrades', { symbol: LTC, limit: '1000' });
  const spotOpen = (): Promise<unknown[]> => spotSigned<unknown[]>('/api/v3/openOrders', { symbol: LTC });
  async function spotOrders(): Promise<StateOrder[]> {
    return (await (await fetch(`${spotUrl}/__replica/state`)).json() as { orders: StateOrder[] }).orders;
  }

  beforeAll(async () => {
    const port = await freePort();
    await startCli(['replica', 'binance', '--port', String(port), '--seed', '37', '--api-key', SPOT_KEY, '--api-secret', SPOT_SECRET], /Ctrl-C stops it/);
    spotUrl = `http://127.0.0.1:${port}`;
  }, 60_000);

  it('book in sync, quotes LIMIT_MAKER on the tick and the LOT_SIZE step, fills journaled with the venue price and quantity', async () => {
    const spotDir = mkdtempSync(join(tmpdir(), 'sc-spot-grids-'));
    dirs.push(spotDir);
    const apiPort = await freePort();
    const serve = await startCli(
      ['serve', '--execution', 'binance-spot-testnet', '--symbols', LTC, '--port', String(apiPort), '--data-dir', spotDir, '--binance-rest-url', spotUrl, '--rate-limit', '0'],
      /control API listening/, { SPREADCORE_BINANCE_API_KEY: SPOT_KEY, SPREADCORE_BINANCE_API_SECRET: SPOT_SECRET }, 30_000,
    );
    const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
    expect(serve.out()).toContain(`${LTC} grids from the venue's exchangeInfo: tick 0.01, order step 0.001, book quantities on 0.00000001`);
    await waitUntil('the LTCUSDT book in sync', async () => {
      const h = await api<Health>('/api/health');
      return h.synced && h.market_state === 'open';
    }, 60_000, serve.out);
    expect(await api<Health>('/api/health')).toMatchObject({ binance_market: 'spot', symbols: [LTC], synced: true });
    const d = await api<Depth>(`/api/market/depth?symbol=${LTC}&limit=10`);
    expect(d.bids.length).toBeGreaterThan(0);
    expect(d.asks.length).toBeGreaterThan(0);
    for (const l of [...d.bids, ...d.asks]) expect(onGrid(l.price, TICK), `price ${l.price}`).toBe(true);

    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'ltc_mm', type: 'MarketMaking', symbols: [LTC],
      parameters: { spread_bps: 0.5, order_size: 0.25, max_position: 1.5, quote_levels: 1 },
    });
    expect(load.ok, JSON.stringify(load)).toBe(true);
    expect((await api<{ status: string }>('/api/strategy/ltc_mm/start', {})).status).toBe('running');
    await waitUntil('LTCUSDT orders at the venue', async () => (await spotOrders()).some((o) => o.symbol === LTC), 30_000, serve.out);
    await waitUntil('LTCUSDT fills at the venue', async () => (await spotTrades()).length > 0, 120_000, serve.out);
    await api('/api/strategy/ltc_mm/stop', {});
    await waitUntil('no open order at the venue', async () => (await spotOpen()).length === 0, 30_000, serve.out);
    for (const o of await spotOrders()) {
      expect(o.symbol).toBe(LTC);
      expect(o.type).toBe('LIMIT_MAKER');
      expect(onGrid(Number(o.price), TICK), `order price ${o.price}`).toBe(true);
      expect(onGrid(Number(o.origQty), LTC_STEP), `order qty ${o.origQty}`).toBe(true);
    }
    const venue = await spotTrades();
    await waitUntil('the venue\'s fills journaled', async () => {
      const t = (await api<{ trades: EngineTrade[] }>(`/api/strategy/ltc_mm/trades?limit=10000&symbol=${LTC}`)).trades;
      return t.length >= venue.length;
    }, 30_000, serve.out);
    const trades = (await api<{ trades: EngineTrade[] }>(`/api/strategy/ltc_mm/trades?limit=10000&symbol=${LTC}`)).trades;
    expect(trades.map((t) => [t.side, t.price, t.qty])).toEqual(venue.map((t) => [t.isBuyer ? 'BUY' : 'SELL', Number(t.price), Number(t.qty)]));
    expect(serve.out()).not.toContain('MISMATCH');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 300_000);
});
