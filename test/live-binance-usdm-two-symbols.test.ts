// Two USD-M symbols at once, as a user runs them: `spreadcore replica binance --futures`
// (its simulator carries BTCUSDT and ETHUSDT) and `spreadcore serve --symbols
// BTCUSDT,ETHUSDT`, both real processes.
//   - live USD-M testnet execution: both books sync and stay live, one strategy quotes both
//     symbols at the venue (post-only GTX on each symbol's tick), and every fill of each
//     symbol is journaled once with the venue's price and quantity; each symbol's position
//     equals positionRisk's;
//   - USD-M market data with the paper exchange (--market binance:usdm): both books sync and
//     a strategy quotes both.
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, startCli, stopAll } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, signedRequest, startUsdmReplica, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-two-key-7d21c4';
const SECRET = 'usdm-two-secret-5e93b0a6f1';
const SYMBOLS = ['BTCUSDT', 'ETHUSDT'] as const;
/** USD-M grids (the replica's exchangeInfo): BTCUSDT tick 0.1, ETHUSDT tick 0.01, both step 0.001. */
const TICK: Readonly<Record<string, number>> = { BTCUSDT: 0.1, ETHUSDT: 0.01 };

interface VenueTrade { price: string; qty: string; buyer: boolean }
interface EngineTrade { side: string; price: number; qty: number }
interface StateOrder { symbol: string; price: string; type: string; timeInForce: string }
interface Depth { symbol: string; bids: { price: number; qty: number }[]; asks: { price: number; qty: number }[] }
interface Health { market_state: string; binance_market: string; symbols: string[]; synced: boolean }
interface Quotes { symbol: string; quotes: { bids: { price: number }[]; asks: { price: number }[] } }

const dirs: string[] = [];
let replicaUrl = '';

const signed = <T>(path: string, params: Record<string, string> = {}): Promise<T> => signedRequest<T>(replicaUrl, KEY, SECRET, path, params);
const venueTrades = (symbol: string): Promise<VenueTrade[]> => signed<VenueTrade[]>('/fapi/v1/userTrades', { symbol, limit: '1000' });
const venueOpen = (symbol: string): Promise<unknown[]> => signed<unknown[]>('/fapi/v1/openOrders', { symbol });
async function venuePosition(symbol: string): Promise<number> {
  const risk = await signed<{ symbol: string; positionAmt: string }[]>('/fapi/v2/positionRisk', { symbol });
  return risk.filter((p) => p.symbol === symbol).reduce((a, p) => a + Number(p.positionAmt), 0);
}
async function replicaOrders(): Promise<StateOrder[]> {
  return (await (await fetch(`${replicaUrl}/__replica/state`)).json() as { orders: StateOrder[] }).orders;
}
/** True when x lies on the grid of step `tick` (within float noise). */
const onGrid = (x: number, tick: number): boolean => Math.abs(x / tick - Math.round(x / tick)) < 1e-6;

/** Both books in sync and live, with levels on each symbol's tick. */
async function expectBothBooksLive(apiPort: number, out: () => string): Promise<void> {
  const api = <T>(path: string): Promise<T> => apiRequest<T>(apiPort, path);
  await waitUntil('both USD-M books in sync', async () => {
    const h = await api<Health>('/api/health');
    return h.synced && h.market_state === 'open';
  }, 60_000, out);
  const h = await api<Health>('/api/health');
  expect(h).toMatchObject({ binance_market: 'usdm', symbols: [...SYMBOLS], synced: true });
  for (const s of SYMBOLS) {
    expect(out()).toContain(`market: ${s} in sync with Binance`);
    const d = await api<Depth>(`/api/market/depth?symbol=${s}&limit=5`);
    expect(d.symbol).toBe(s);
    expect(d.bids.length, s).toBeGreaterThan(0);
    expect(d.asks.length, s).toBeGreaterThan(0);
    expect(d.bids[0]!.price, s).toBeLessThan(d.asks[0]!.price);
    for (const l of [...d.bids, ...d.asks]) expect(onGrid(l.price, TICK[s]!), `${s} ${l.price}`).toBe(true);
  }
}

beforeAll(async () => {
  requireDist();
  const r = await startUsdmReplica('sc-usdm-two-', 23, KEY, SECRET);
  dirs.push(r.dir);
  replicaUrl = r.replicaUrl;
}, 60_000);

afterAll(() => {
  stopAll();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('serve on Binance USD-M with two symbols (BTCUSDT,ETHUSDT) against the USD-M replica', () => {
  it('live execution: both books live, quotes on both at the venue, fills of both journaled once, positions match positionRisk', async () => {
    const apiPort = await freePort();
    const serve = await startUsdmServe(apiPort, dirs[0]!, replicaUrl, KEY, SECRET, ['--symbols', SYMBOLS.join(',')]);
    const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
    expect(serve.out()).toContain('Binance usdm BTCUSDT, ETHUSDT');
    expect(serve.out()).not.toContain('MISMATCH');
    await expectBothBooksLive(apiPort, serve.out);

    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'usdm_two', type: 'MarketMaking', symbols: [...SYMBOLS],
      parameters: { spread_bps: 0.5, order_size: 0.01, max_position: 0.05, quote_levels: 1 },
    });
    expect(load.ok, JSON.stringify(load)).toBe(true);
    expect((await api<{ status: string }>('/api/strategy/usdm_two/start', {})).status).toBe('running');
    // quoting on both: the venue has received orders on each symbol, post-only GTX on the symbol's tick
    await waitUntil('orders on both symbols at the venue', async () => {
      const sent = await replicaOrders();
      return SYMBOLS.every((s) => sent.some((o) => o.symbol === s));
    }, 30_000, serve.out);
    for (const o of await replicaOrders()) {
      expect([o.type, o.timeInForce]).toEqual(['LIMIT', 'GTX']);
      expect(onGrid(Number(o.price), TICK[o.symbol]!), `${o.symbol} ${o.price}`).toBe(true);
    }
    await waitUntil('fills on both symbols at the venue', async () => {
      for (const s of SYMBOLS) if ((await venueTrades(s)).length === 0) return false;
      return true;
    }, 90_000, serve.out);

    await api('/api/strategy/usdm_two/stop', {});
    await waitUntil('no open order at the venue', async () => {
      for (const s of SYMBOLS) if ((await venueOpen(s)).length > 0) return false;
      return true;
    }, 30_000, serve.out);
    for (const s of SYMBOLS) {
      const venue = await venueTrades(s);
      // every fill the venue made is journaled, once, with its price and quantity
      await waitUntil(`${s}: the venue's fills journaled`, async () => {
        const t = (await api<{ trades: EngineTrade[] }>(`/api/strategy/usdm_two/trades?limit=10000&symbol=${s}`)).trades;
        return t.length >= venue.length;
      }, 30_000, serve.out);
      const trades = (await api<{ trades: EngineTrade[] }>(`/api/strategy/usdm_two/trades?limit=10000&symbol=${s}`)).trades;
      expect(trades.map((t) => [t.side, t.price, t.qty]), s).toEqual(venue.map((t) => [t.buyer ? 'BUY' : 'SELL', Number(t.price), Number(t.qty)]));
      const pos = (await api<{ inventory: { position: number } }>(`/api/strategy/usdm_two/inventory?symbol=${s}`)).inventory.position;
      expect(pos, s).toBeCloseTo(await venuePosition(s), 9);
    }
    expect(serve.out()).not.toContain('MISMATCH');
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 240_000);

  it('market data only (--market binance:usdm, paper execution): both books live and quotes on both', async () => {
    const apiPort = await freePort();
    const wsUrl = replicaUrl.replace('http:', 'ws:');
    const dir = `${dirs[0]!}-paper`;
    dirs.push(dir);
    const serve = await startCli(
      ['serve', '--market', 'binance:usdm', '--symbols', SYMBOLS.join(','), '--binance-rest-url', replicaUrl, '--binance-ws-url', wsUrl,
        '--port', String(apiPort), '--data-dir', dir, '--rate-limit', '0'],
      /control API listening/, {}, 30_000,
    );
    const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);
    await expectBothBooksLive(apiPort, serve.out);
    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'paper_two', type: 'MarketMaking', symbols: [...SYMBOLS], parameters: { spread_bps: 2, order_size: 0.01, max_position: 0.05, quote_levels: 1 },
    });
    expect(load.ok, JSON.stringify(load)).toBe(true);
    expect((await api<{ status: string }>('/api/strategy/paper_two/start', {})).status).toBe('running');
    for (const s of SYMBOLS) {
      await waitUntil(`${s} quoted`, async () => {
        const q = await api<Quotes>(`/api/strategy/paper_two/quotes?symbol=${s}`);
        return q.quotes.bids.length > 0 && q.quotes.asks.length > 0;
      }, 30_000, serve.out);
      const q = await api<Quotes>(`/api/strategy/paper_two/quotes?symbol=${s}`);
      expect(q.symbol).toBe(s);
      expect(q.quotes.bids[0]!.price, s).toBeLessThan(q.quotes.asks[0]!.price);
      expect(onGrid(q.quotes.bids[0]!.price, TICK[s]!), s).toBe(true);
    }
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
  }, 120_000);
});
