// A manual MARKET order that closes part of a USD-M position worth less than the symbol's
// minimum notional, end to end: the project's Binance USD-M replica (BTCUSDT's 100 USDT
// MIN_NOTIONAL, simulated market) and `spreadcore serve --execution binance-usdm-testnet`
// as a real process. Binance refuses such an order "(unless you choose reduce only)"
// (-4164): the exit must go out with reduceOnly=true. It went without it, was refused, and
// the position could not be closed with a market order.
//   - a market order that only reduces the manual account's position goes out reduce-only
//     and fills when it is below the minimum, without the flag when above it;
//   - a LIMIT order that only reduces the position is an exit as well (reduce-only below the
//     minimum); a small limit order that adds to it is refused before it is sent;
//   - a market order that would open or flip a position carries no flag (a small one is
//     refused by the venue as before, a larger one fills);
//   - on spot (no reduceOnly parameter: the spot replica refuses it) the same exit goes out
//     without it and fills.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, signedRequest, startLiveServe, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-mexit-key-4d20';
const SECRET = 'usdm-mexit-secret-93ae1c07';

interface StateOrder { clientOrderId: string; type: string; side: string; status: string; reduceOnly: boolean }
interface OrderAnswer { ok: boolean; order?: { client_order_id: string; status: string }; error?: { code: string; message: string } }
interface Accounts { accounts: { account: string; positions: { symbol: string; position: number }[] }[] }

let replica: BinanceReplica;
let dir = '';
let apiPort = 0;
let serve: CliProcess;

const api = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(apiPort, path, body);

async function venuePosition(): Promise<number> {
  const risk = await signedRequest<{ symbol: string; positionAmt: string }[]>(replica.restUrl, KEY, SECRET, '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' });
  return risk.filter((p) => p.symbol === 'BTCUSDT').reduce((a, p) => a + Number(p.positionAmt), 0);
}
async function manualPosition(): Promise<number> {
  const a = await api<Accounts>('/api/accounts');
  return a.accounts.find((x) => x.account === 'manual')?.positions.find((p) => p.symbol === 'BTCUSDT')?.position ?? 0;
}
/** The venue's order (its reduceOnly flag from GET /fapi/v1/order), undefined when the venue never took it. */
async function replicaOrder(clientOrderId: string): Promise<StateOrder | undefined> {
  const s = await (await fetch(`${replica.restUrl}/__replica/state`)).json() as { orders: StateOrder[] };
  if (!s.orders.some((o) => o.clientOrderId === clientOrderId)) return undefined;
  return await signedRequest<StateOrder>(replica.restUrl, KEY, SECRET, '/fapi/v1/order', { symbol: 'BTCUSDT', origClientOrderId: clientOrderId });
}
async function bestBid(): Promise<number> {
  const d = await api<{ bids: { price: number }[] }>('/api/market/depth?symbol=BTCUSDT&limit=1');
  return d.bids[0]?.price ?? 0;
}
/** Market-data refusals of the risk gate that pass with the next book update (a refused order changes nothing: it is sent again). */
const TRANSIENT = ['DENY_BOOK_CROSSED', 'DENY_BOOK_STALE', 'DENY_FEED_STALE', 'DENY_NO_MARKET'];
/** A manual market order on `port`, sent again while the gate refuses it for the book's state; its answer. */
async function placeMarket(port: number, side: 'BUY' | 'SELL', qty: number): Promise<OrderAnswer> {
  let r: OrderAnswer = { ok: false };
  await waitUntil(`the market ${side} of ${qty} taken`, async () => {
    r = await apiRequest<OrderAnswer>(port, '/api/order', { side, symbol: 'BTCUSDT', qty, type: 'MARKET' });
    return !TRANSIENT.some((c) => r.error?.message.includes(c));
  }, 90_000, () => JSON.stringify(r));
  expect(r.error, `${side} ${qty}: ${JSON.stringify(r.error)}`).toBeUndefined();
  expect(r.ok).toBe(true);
  return r;
}
/** A manual market order; its client order id. */
async function marketOrder(side: 'BUY' | 'SELL', qty: number): Promise<string> {
  return (await placeMarket(apiPort, side, qty)).order!.client_order_id;
}
/** Waits until the venue and the engine both hold `qty`. */
async function positionIs(qty: number, what: string): Promise<void> {
  await waitUntil(what, async () => Math.abs((await venuePosition()) - qty) < 1e-9 && Math.abs((await manualPosition()) - qty) < 1e-9, 30_000,
    () => `venue/engine positions differ from ${qty}; serve: ${serve.out().slice(-3000)}`);
}

beforeAll(async () => {
  requireDist();
  replica = await BinanceReplica.start({
    futures: true, market: { kind: 'sim', seed: 17 }, apiKeys: [{ apiKey: KEY, secret: SECRET }], filters: { minNotional: '100' },
  });
  dir = mkdtempSync(join(tmpdir(), 'sc-live-usdm-mexit-'));
  apiPort = await freePort();
  serve = await startUsdmServe(apiPort, dir, replica.restUrl, KEY, SECRET);
}, 60_000);

afterAll(async () => {
  stopAll();
  await replica?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('USD-M market exits below the minimum notional', () => {
  it('go out reduce-only and close the position; orders that open or flip carry no flag', async () => {
    await waitUntil('the book in sync at serve', async () => serve.out().includes('BTCUSDT in sync with Binance') && (await bestBid()) > 0, 30_000, serve.out);
    const bid = await bestBid();
    // one lot is worth less than the 100 USDT minimum, three lots more
    expect(bid * 0.001).toBeLessThan(95);
    expect(bid * 0.003).toBeGreaterThan(110);

    // a long of 0.003 (above the minimum): an ordinary market order
    const open = await marketOrder('BUY', 0.003);
    await positionIs(0.003, 'the long of 0.003');
    expect((await replicaOrder(open))?.reduceOnly).toBe(false);

    // a market order of 0.001 below the minimum that opens nothing: Binance refuses it (-4164)
    // unless it is reduce-only; this one reduces the long, so it goes out with the flag
    const exit = await marketOrder('SELL', 0.001);
    await positionIs(0.002, 'the market exit of 0.001 filled');
    const sent = await replicaOrder(exit);
    expect(sent).toMatchObject({ type: 'MARKET', side: 'SELL', status: 'FILLED', reduceOnly: true });

    // the rest of the position, again below the minimum
    const rest = await marketOrder('SELL', 0.002);
    await positionIs(0, 'the position closed');
    expect(await replicaOrder(rest)).toMatchObject({ status: 'FILLED', reduceOnly: true });

    // flat: a small market order opens a position, is not reduce-only, and Binance refuses it
    const small = await marketOrder('SELL', 0.001);
    await waitUntil('the small opening order settled', async () => {
      const o = await api<{ orders: { client_order_id: string }[] }>('/api/orders?account=manual');
      return !o.orders.some((x) => x.client_order_id === small);
    }, 30_000, serve.out);
    expect(await replicaOrder(small)).toBeUndefined();
    expect(await venuePosition()).toBe(0);
    expect(await manualPosition()).toBe(0);

    // a market exit above the minimum carries no flag (the venue's position may net other accounts)
    await marketOrder('BUY', 0.003);
    await positionIs(0.003, 'the long of 0.003 again');
    const large = await marketOrder('SELL', 0.003);
    await positionIs(0, 'the large market exit filled');
    expect(await replicaOrder(large)).toMatchObject({ status: 'FILLED', reduceOnly: false });

    // a market order that flips a position is not an exit either: no flag (it is above the minimum)
    await marketOrder('BUY', 0.003);
    await positionIs(0.003, 'the long of 0.003 once more');
    const flip = await marketOrder('SELL', 0.005);
    await positionIs(-0.002, 'the flip to a short of 0.002');
    expect(await replicaOrder(flip)).toMatchObject({ status: 'FILLED', reduceOnly: false });
    expect(serve.out()).not.toContain(SECRET);
  }, 180_000);

  it('a LIMIT order that only reduces the position below the minimum goes out reduce-only too; one that opens is refused before sending', async () => {
    // the first test ends short 0.002
    await positionIs(-0.002, 'the short of 0.002 left by the first test');
    const ask = async (): Promise<number> => (await api<{ asks: { price: number }[] }>('/api/market/depth?symbol=BTCUSDT&limit=1')).asks[0]?.price ?? 0;
    // a marketable buy of one lot (below the 100 USDT minimum) that reduces the short
    let r: OrderAnswer = { ok: false };
    await waitUntil('the limit exit taken', async () => {
      const price = Math.round((await ask()) * 1.001 * 10) / 10;
      r = await api<OrderAnswer>('/api/order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price });
      return !TRANSIENT.some((c) => r.error?.message.includes(c));
    }, 30_000, () => JSON.stringify(r));
    expect(r.error, JSON.stringify(r.error)).toBeUndefined();
    const exit = r.order!.client_order_id;
    await positionIs(-0.001, 'the limit exit of 0.001 filled');
    expect(await replicaOrder(exit)).toMatchObject({ type: 'LIMIT', side: 'BUY', status: 'FILLED', reduceOnly: true });
    // a small limit sell adds to the short: not an exit, and below the minimum it is refused before it is sent
    const bid = await bestBid();
    const add = await api<OrderAnswer>('/api/order', { side: 'SELL', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price: Math.round(bid * 1.01 * 10) / 10 });
    const refused = add.ok ? add.order!.client_order_id : null;
    if (refused !== null) {
      await waitUntil('the small opening limit order settled', async () => {
        const o = await api<{ orders: { client_order_id: string }[] }>('/api/orders?account=manual');
        return !o.orders.some((x) => x.client_order_id === refused);
      }, 30_000, serve.out);
      expect(await replicaOrder(refused)).toBeUndefined();
    } else {
      expect(add.error?.message).toContain('notional');
    }
    expect(await manualPosition()).toBeCloseTo(-0.001, 9);
  }, 120_000);

  it('on spot the market exit goes out without reduceOnly (spot has no such parameter) and fills', async () => {
    const spot = await BinanceReplica.start({ market: { kind: 'sim', seed: 17 }, apiKeys: [{ apiKey: KEY, secret: SECRET }] });
    const spotDir = mkdtempSync(join(tmpdir(), 'sc-live-spot-mexit-'));
    const port = await freePort();
    try {
      const sp = await startLiveServe(port, spotDir, spot.restUrl, KEY, SECRET);
      const call = <T>(path: string, body?: unknown): Promise<T> => apiRequest<T>(port, path, body);
      const position = async (): Promise<number> => (await call<Accounts>('/api/accounts')).accounts
        .find((x) => x.account === 'manual')?.positions.find((p) => p.symbol === 'BTCUSDT')?.position ?? 0;
      await waitUntil('the book in sync at serve', async () => sp.out().includes('BTCUSDT in sync with Binance'), 30_000, sp.out);
      await placeMarket(port, 'BUY', 0.003);
      await waitUntil('the spot long of 0.003', async () => Math.abs((await position()) - 0.003) < 1e-9, 30_000, sp.out);
      const sell = await placeMarket(port, 'SELL', 0.001);
      await waitUntil('the spot market exit filled', async () => Math.abs((await position()) - 0.002) < 1e-9, 30_000, sp.out);
      const s = await (await fetch(`${spot.restUrl}/__replica/state`)).json() as { orders: StateOrder[] };
      expect(s.orders.find((o) => o.clientOrderId === sell.order!.client_order_id)?.status).toBe('FILLED');
    } finally {
      await spot.close();
      rmSync(spotDir, { recursive: true, force: true });
    }
  }, 120_000);
});
