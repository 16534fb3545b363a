// Live trading on USD-M futures end to end, as a user runs it: `spreadcore replica binance
// --futures` (the local Binance USD-M, simulated market) and `spreadcore serve --execution
// binance-usdm-testnet` pointed at it, both real processes. The replica's own REST answers
// (userTrades, openOrders, positionRisk) and its admin state are the truth:
//   - quotes rest at the venue as post-only LIMIT orders with timeInForce GTX;
//   - user data comes through a listenKey stream (the replica sees one issued), and every
//     fill the venue made is journaled once with the venue's price, quantity and fee;
//   - the ledger's position equals positionRisk's positionAmt (the reconcile check passes:
//     no MISMATCH, strategies not halted);
//   - kill -9 while orders rest; the venue keeps filling them while the engine is down; after
//     a restart every fill made while down is journaled exactly once, no order of ours stays
//     open, and the position still equals positionRisk.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireDist, startCli, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { sleep } from './support/wait.js';
import { apiRequest, signedRequest, waitBothSides, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-live-key-51c0e7';
const SECRET = 'usdm-live-secret-a83f6d21b4';

interface VenueTrade { id: number; orderId: number; price: string; qty: string; buyer: boolean; maker: boolean; commission: string; commissionAsset: string }
interface EngineTrade { side: string; price: number; qty: number; fee: number; liquidity?: string }
interface StateOrder { symbol: string; clientOrderId: string; type: string; timeInForce: string; status: string }

let dir = '';
let replicaUrl = '';
let apiPort = 0;

const signed = <T>(path: string, params: Record<string, string> = {}, method = 'GET'): Promise<T> => signedRequest<T>(replicaUrl, KEY, SECRET, path, params, { method });
const api = <T>(path: string, body?: unknown, method?: string): Promise<T> => apiRequest<T>(apiPort, path, body, method);


const venueTrades = (): Promise<VenueTrade[]> => signed<VenueTrade[]>('/fapi/v1/userTrades', { symbol: 'BTCUSDT', limit: '1000' });
const venueOpen = (): Promise<unknown[]> => signed<unknown[]>('/fapi/v1/openOrders', { symbol: 'BTCUSDT' });
async function venuePosition(): Promise<number> {
  const risk = await signed<{ symbol: string; positionAmt: string }[]>('/fapi/v2/positionRisk', { symbol: 'BTCUSDT' });
  return risk.filter((p) => p.symbol === 'BTCUSDT').reduce((a, p) => a + Number(p.positionAmt), 0);
}
async function replicaOrders(): Promise<StateOrder[]> {
  const s = await (await fetch(`${replicaUrl}/__replica/state`)).json() as { orders: StateOrder[] };
  return s.orders;
}


function startServe(): Promise<CliProcess> {
  return startCli(
    ['serve', '--execution', 'binance-usdm-testnet', '--port', String(apiPort), '--data-dir', dir, '--binance-rest-url', replicaUrl, '--rate-limit', '0'],
    /control API listening/,
    { SPREADCORE_BINANCE_API_KEY: KEY, SPREADCORE_BINANCE_API_SECRET: SECRET },
    30_000,
  );
}


/** The journal's trades against the venue's, in order; USD-M commissions are in USDT already. */
function sameTrades(engine: EngineTrade[], venue: VenueTrade[]): void {
  expect(engine.map((t) => [t.side, t.price, t.qty])).toEqual(venue.map((t) => [t.buyer ? 'BUY' : 'SELL', Number(t.price), Number(t.qty)]));
  for (let i = 0; i < venue.length; i++) {
    expect(venue[i]!.commissionAsset).toBe('USDT');
    expect(engine[i]!.fee).toBeCloseTo(Number(venue[i]!.commission), 8);
  }
}

beforeAll(async () => {
  requireDist();
  dir = mkdtempSync(join(tmpdir(), 'sc-live-usdm-'));
  const port = await freePort();
  await startCli(['replica', 'binance', '--futures', '--port', String(port), '--seed', '11', '--api-key', KEY, '--api-secret', SECRET], /Ctrl-C stops it/);
  replicaUrl = `http://127.0.0.1:${port}`;
  apiPort = await freePort();
}, 60_000);

afterAll(() => {
  stopAll();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('serve --execution binance-usdm-testnet against the USD-M replica', () => {
  it('quotes GTX at the venue, journals every fill once, matches positionRisk, survives kill -9 with fills made while down', async () => {
    expect(await venuePosition()).toBe(0);
    let serve = await startServe();
    expect(serve.out()).toContain('binance-usdm-testnet execution');
    expect(serve.out()).not.toContain('MISMATCH');
    const health = await api<{ execution: { mode: string; venue: string; market: string; rest_url: string; user_stream_url: string } }>('/api/health');
    expect(health.execution).toMatchObject({ mode: 'binance-usdm-testnet', venue: 'binance-usdm', market: 'usdm', rest_url: replicaUrl });
    expect(health.execution.user_stream_url).toBe(replicaUrl.replace('http:', 'ws:'));

    const load = await api<{ ok: boolean }>('/api/strategy/load', {
      name: 'usdm_mm', type: 'MarketMaking', symbols: ['BTCUSDT'],
      // max_position well above the fills this test waits for: the position never holds a side back
      parameters: { spread_bps: 0.5, order_size: 0.001, max_position: 0.05, quote_levels: 1 },
    });
    expect(load.ok).toBe(true);
    expect((await api<{ status: string }>('/api/strategy/usdm_mm/start', {})).status).toBe('running');
    await waitUntil('orders at the venue', async () => (await venueOpen()).length > 0, 20_000);
    // post-only on USD-M: LIMIT with timeInForce GTX, for every order the engine sent
    const sent = await replicaOrders();
    expect(sent.length).toBeGreaterThan(0);
    for (const o of sent) expect([o.type, o.timeInForce]).toEqual(['LIMIT', 'GTX']);
    await waitUntil('three fills at the venue', async () => (await venueTrades()).length >= 3, 90_000);
    await api('/api/strategy/usdm_mm/stop', {});
    await waitUntil('no open order at the venue', async () => (await venueOpen()).length === 0, 20_000);
    await sleep(500);
    let trades = (await api<{ trades: EngineTrade[] }>('/api/strategy/usdm_mm/trades?limit=10000')).trades;
    sameTrades(trades, await venueTrades());
    const pos1 = (await api<{ inventory: { position: number } }>('/api/strategy/usdm_mm/inventory')).inventory.position;
    expect(pos1).toBeCloseTo(await venuePosition(), 9);
    const metrics = await (await fetch(`http://127.0.0.1:${apiPort}/metrics`)).text();
    expect(metrics).toMatch(/spreadcore_venue\{venue="binance-usdm",name="venue_submitted"\} [1-9]/);

    // quoting again, then kill -9 while orders rest; the venue goes on filling them. At 0.5 bps a
    // quote here fills or is moved within about a second, less than the 1.5 s in which the placement
    // budget (one ladder per 3 x quote_refresh_ms) gives back one order once fills have spent it, so
    // bid and ask rest at the same time only by chance; 2 bps quotes rest for seconds
    await api('/api/strategy/usdm_mm/parameters', { spread_bps: 2 }, 'PATCH');
    await api('/api/strategy/usdm_mm/start', {});
    // both sides resting (a post-only quote can be refused for a moment): whichever way the
    // simulated market moves while the engine is down, it meets one of them
    await waitBothSides(venueOpen, serve.out, 60_000, apiPort);
    const before = (await venueTrades()).length;
    serve.child.kill('SIGKILL');
    await serve.exited;
    await waitUntil('a fill made while the engine is down', async () => (await venueTrades()).length > before, 90_000);
    expect((await venueTrades()).length).toBeGreaterThan(before);

    serve = await startServe();
    const m = /reconciled: (\d+) missed fills journaled/.exec(serve.out());
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(serve.out()).not.toContain('MISMATCH');
    await waitUntil('no open order after the restart', async () => (await venueOpen()).length === 0, 20_000);
    trades = (await api<{ trades: EngineTrade[] }>('/api/strategy/usdm_mm/trades?limit=10000')).trades;
    const venue = await venueTrades();
    sameTrades(trades, venue);
    const pos2 = (await api<{ inventory: { position: number } }>('/api/strategy/usdm_mm/inventory')).inventory.position;
    expect(pos2).toBeCloseTo(await venuePosition(), 9);
    // the position check found nothing wrong: the strategy is not halted and can run again
    expect((await api<{ status: string }>('/api/strategy/usdm_mm/start', {})).status).toBe('running');
    await api('/api/strategy/usdm_mm/stop', {});

    // a clean stop and a second restart: nothing more to journal, still no mismatch
    serve.child.kill('SIGTERM');
    await serve.exited;
    const afterStop = (await venueTrades()).length;
    serve = await startServe();
    expect(serve.out()).toContain('reconciled: 0 missed fills journaled');
    expect(serve.out()).not.toContain('MISMATCH');
    expect((await api<{ trades: EngineTrade[] }>('/api/strategy/usdm_mm/trades?limit=10000')).trades).toHaveLength(afterStop);
    expect(serve.out()).not.toContain(SECRET);
    serve.child.kill('SIGTERM');
    await serve.exited;
  }, 300_000);
});
