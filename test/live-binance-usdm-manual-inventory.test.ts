// GET /api/strategy/manual/inventory across a restart of serve on live Binance USD-M: the
// project's Binance USD-M replica and `spreadcore serve --execution binance-usdm-testnet`
// as a real process, stopped and started again on the same data directory. The manual
// account's limit is sized at the mid of its first order on a symbol in a run; before that
// order the route answered 400 (max_position must be > 0): right after a restart, although
// the journal held the account's position, and on a symbol it had not traded yet.
//   - before any manual order: ?symbol= answers a flat inventory; without a symbol it says
//     to name one (nothing traded); a strategy that does not exist is 404;
//   - after a restart: the restored position, its average entry, and its share of the limit,
//     before any new manual order; a manual order afterwards closes it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, signedRequest, startUsdmServe, waitUntil } from './support/live-binance.js';

const KEY = 'usdm-minv-key-6b17';
const SECRET = 'usdm-minv-secret-2f8c5d90';

interface Inventory {
  ok?: boolean;
  strategy_id?: string;
  inventory?: { position: number; direction: string; avg_entry: number; current_price: number; unrealized_pnl: number; pct_of_max: number };
  recommendation?: string;
  error?: { code: string; message: string };
}
interface OrderAnswer { ok: boolean; error?: { code: string; message: string } }

let replica: BinanceReplica;
let dir = '';
let apiPort = 0;

async function get(path: string): Promise<{ status: number; body: Inventory }> {
  const res = await fetch(`http://127.0.0.1:${apiPort}${path}`);
  return { status: res.status, body: await res.json() as Inventory };
}
async function venuePosition(): Promise<number> {
  const risk = await signedRequest<{ symbol: string; positionAmt: string }[]>(replica.restUrl, KEY, SECRET, '/fapi/v2/positionRisk', { symbol: 'BTCUSDT' });
  return risk.filter((p) => p.symbol === 'BTCUSDT').reduce((a, p) => a + Number(p.positionAmt), 0);
}
async function inSync(serve: CliProcess): Promise<void> {
  await waitUntil('the book in sync at serve', async () => serve.out().includes('BTCUSDT in sync with Binance'), 30_000, serve.out);
}
/** Market-data refusals of the risk gate that pass with the next book update (a refused order changes nothing: it is sent again). */
const TRANSIENT = ['DENY_BOOK_CROSSED', 'DENY_BOOK_STALE', 'DENY_FEED_STALE', 'DENY_NO_MARKET'];
/** A manual market order, sent again while the gate refuses it for the book's state. */
async function marketOrder(side: 'BUY' | 'SELL', qty: number): Promise<void> {
  let r: OrderAnswer = { ok: false };
  await waitUntil(`the market ${side} of ${qty} taken`, async () => {
    r = await apiRequest<OrderAnswer>(apiPort, '/api/order', { side, symbol: 'BTCUSDT', qty, type: 'MARKET' });
    return !TRANSIENT.some((c) => r.error?.message.includes(c));
  }, 90_000, () => JSON.stringify(r));
  expect(r.error, JSON.stringify(r.error)).toBeUndefined();
}

beforeAll(async () => {
  requireDist();
  replica = await BinanceReplica.start({ futures: true, market: { kind: 'sim', seed: 23 }, apiKeys: [{ apiKey: KEY, secret: SECRET }] });
  dir = mkdtempSync(join(tmpdir(), 'sc-live-usdm-minv-'));
  apiPort = await freePort();
}, 60_000);

afterAll(async () => {
  stopAll();
  await replica?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('the manual account\'s inventory across a restart on USD-M', () => {
  it('answers the restored position right after the restart, and a flat one before any order', async () => {
    let serve = await startUsdmServe(apiPort, dir, replica.restUrl, KEY, SECRET);
    await inSync(serve);

    // nothing traded yet: flat on a named symbol; without one, a clear 422; no such strategy: 404
    const unnamed = await get('/api/strategy/manual/inventory');
    expect(unnamed.status).toBe(422);
    expect(unnamed.body.error).toMatchObject({ code: 'SPREADCORE_ERR_UNKNOWN_SYMBOL' });
    expect(unnamed.body.error!.message).toContain('name a symbol');
    const flat = await get('/api/strategy/manual/inventory?symbol=BTCUSDT');
    expect(flat.status, JSON.stringify(flat.body)).toBe(200);
    expect(flat.body).toMatchObject({ strategy_id: 'manual', inventory: { position: 0, direction: 'flat', avg_entry: 0, unrealized_pnl: 0, pct_of_max: 0 }, recommendation: 'none' });
    expect(flat.body.inventory!.current_price).toBeGreaterThan(0);
    const none = await get('/api/strategy/nope/inventory');
    expect(none.status).toBe(404);
    expect(none.body.error?.code).toBe('SPREADCORE_ERR_STRATEGY_NOT_FOUND');
    expect((await get('/api/strategy/manual/inventory?symbol=NOPEUSDT')).status).toBe(422);

    // a long of 0.002 through the manual account
    await marketOrder('BUY', 0.002);
    await waitUntil('the long at the venue and in the engine', async () => {
      const i = await get('/api/strategy/manual/inventory');
      return Math.abs((await venuePosition()) - 0.002) < 1e-9 && i.status === 200 && i.body.inventory?.position === 0.002;
    }, 30_000, serve.out);
    const before = (await get('/api/strategy/manual/inventory')).body;
    expect(before.inventory).toMatchObject({ position: 0.002, direction: 'long' });
    expect(before.inventory!.pct_of_max).toBeGreaterThan(0);

    // serve stops and starts again on the same data directory
    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    serve = await startUsdmServe(apiPort, dir, replica.restUrl, KEY, SECRET);

    // at once, before any manual order and before the book is necessarily in: the restored position
    const after = await get('/api/strategy/manual/inventory');
    expect(after.status, JSON.stringify(after.body)).toBe(200);
    expect(after.body).toMatchObject({ strategy_id: 'manual', inventory: { position: 0.002, direction: 'long', avg_entry: before.inventory!.avg_entry } });
    // the share of the limit, sized at the mid (or the last fill's price before the book is in): what it was, give or take the price's move
    expect(after.body.inventory!.pct_of_max).toBeGreaterThan(before.inventory!.pct_of_max * 0.9);
    expect(after.body.inventory!.pct_of_max).toBeLessThan(before.inventory!.pct_of_max * 1.1);
    const named = await get('/api/strategy/manual/inventory?symbol=BTCUSDT');
    expect(named.status).toBe(200);
    expect(named.body.inventory!.position).toBe(0.002);

    // and the account trades on: the restored position closes
    await inSync(serve);
    await marketOrder('SELL', 0.002);
    await waitUntil('the position closed', async () => {
      const i = await get('/api/strategy/manual/inventory');
      return Math.abs(await venuePosition()) < 1e-9 && i.body.inventory?.position === 0;
    }, 30_000, serve.out);
    expect((await get('/api/strategy/manual/inventory')).body).toMatchObject({ inventory: { direction: 'flat', pct_of_max: 0 }, recommendation: 'none' });
    expect(serve.out()).not.toContain(SECRET);
  }, 180_000);
});
