// PERCENT_PRICE_BY_SIDE on Binance spot, checked by serve before anything is sent: the
// project's Binance replica (in this process, its band narrowed to ±2 % so that an order
// inside the risk gate's 5 % price band can break it) and `spreadcore serve` in live
// spot-testnet mode as a real process. The local check compares with the book's mid and is
// 2 % wider than the exchange's band (PERCENT_PRICE_REF_MARGIN: the mid is not Binance's
// reference), so:
//   - a manual buy far below the band and a manual sell far above it are refused at once
//     (422, reason filter_percent_price_below / _above) and the replica never sees them;
//   - a buy just outside the exchange's band but inside the local margin goes out, and the
//     replica decides (it refuses it): the local check never refuses on the approximation;
//   - a buy inside the band goes out and rests.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { requireDist, stopAll, type CliProcess } from './support/cli-process.js';
import { freePort } from './support/free-port.js';
import { apiRequest, startLiveServe, waitUntil } from './support/live-binance.js';

const KEY = 'spot-pctprice-key-3d61';
const SECRET = 'spot-pctprice-secret-8e0b4c27';

interface OrderAnswer { ok: boolean; order?: { order_id: string; status: string }; error?: { code: string; message: string; detail?: { reason?: string } } }
interface Depth { mid_price: number | null }

let replica: BinanceReplica;
let serve: CliProcess;
let dir = '';
let apiPort = 0;
/** Every order the replica received (order.place and cancelReplace), as "SIDE price". */
const received: string[] = [];

/** Market-data refusals of the risk gate that pass with the next book update. */
const TRANSIENT = ['DENY_BOOK_CROSSED', 'DENY_BOOK_STALE', 'DENY_FEED_STALE', 'DENY_NO_MARKET'];

/** A manual limit order at `factor` × the engine's mid (on the 0.01 grid); sent again while the gate refuses it for the book's state. */
async function limitAt(side: 'BUY' | 'SELL', factor: number): Promise<{ answer: OrderAnswer; price: string }> {
  let answer: OrderAnswer = { ok: false };
  let price = '';
  await waitUntil(`the ${side} at ${factor} × mid answered`, async () => {
    const d = await apiRequest<Depth>(apiPort, '/api/market/depth?symbol=BTCUSDT&limit=1');
    if (d.mid_price === null) return false;
    price = (Math.round(d.mid_price * factor * 100) / 100).toFixed(2);
    answer = await apiRequest<OrderAnswer>(apiPort, '/api/order', { side, symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price: Number(price) });
    return !TRANSIENT.some((c) => answer.error?.message.includes(c));
  }, 60_000, () => JSON.stringify(answer));
  return { answer, price };
}
const sentToReplica = (side: string, price: string): boolean => received.some((r) => r === `${side} ${Number(price)}`);

beforeAll(async () => {
  requireDist();
  replica = await BinanceReplica.start({
    market: { kind: 'sim', seed: 41 }, apiKeys: [{ apiKey: KEY, secret: SECRET }],
    filters: { bidMultiplierUp: '1.02', bidMultiplierDown: '0.98', askMultiplierUp: '1.02', askMultiplierDown: '0.98' },
  });
  // every order that reaches the replica, whichever way it came
  type Place = (p: Map<string, string>, now: number) => Record<string, unknown>;
  const ops = replica.ops as unknown as { orderPlace: Place; cancelReplace: Place };
  for (const name of ['orderPlace', 'cancelReplace'] as const) {
    const orig = ops[name].bind(ops);
    ops[name] = (p, now) => { received.push(`${p.get('side')} ${Number(p.get('price'))}`); return orig(p, now); };
  }
  dir = mkdtempSync(join(tmpdir(), 'sc-live-spot-pctprice-'));
  apiPort = await freePort();
  serve = await startLiveServe(apiPort, dir, replica.restUrl, KEY, SECRET);
  await waitUntil('the book in sync at serve', async () => serve.out().includes('BTCUSDT in sync with Binance'), 30_000, serve.out);
}, 60_000);

afterAll(async () => {
  stopAll();
  await replica?.close();
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('PERCENT_PRICE_BY_SIDE on spot, checked before sending', () => {
  it('refuses orders far outside the band locally, leaves those near its edge to Binance, and sends those inside', async () => {
    // 0.953 × mid: inside the risk gate's 5 % band, below 0.98 × 0.98 of the local check
    const low = await limitAt('BUY', 0.953);
    expect(low.answer.ok, JSON.stringify(low.answer)).toBe(false);
    expect(low.answer.error).toMatchObject({ code: 'SPREADCORE_ERR_ORDER_REJECTED', detail: { reason: 'filter_percent_price_below' } });
    expect(low.answer.error!.message).toContain('filter_percent_price_below');
    const high = await limitAt('SELL', 1.047);
    expect(high.answer.ok, JSON.stringify(high.answer)).toBe(false);
    expect(high.answer.error).toMatchObject({ code: 'SPREADCORE_ERR_ORDER_REJECTED', detail: { reason: 'filter_percent_price_above' } });

    // inside the band: sent, and it rests at the venue
    const inside = await limitAt('BUY', 0.99);
    expect(inside.answer.ok, JSON.stringify(inside.answer)).toBe(true);
    await waitUntil('the order inside the band at the replica', async () => sentToReplica('BUY', inside.price), 10_000, serve.out);
    let open: unknown = null;
    await waitUntil('the order inside the band working', async () => {
      const o = await apiRequest<{ orders: { order_id: string; status: string }[] }>(apiPort, '/api/orders?account=manual');
      open = o;
      return o.orders.some((x) => x.order_id === inside.answer.order!.order_id && x.status === 'ACTIVE');
    }, 10_000, () => `${JSON.stringify(open)} ${JSON.stringify(received)} ${serve.out().slice(-2000)}`);

    // outside the exchange's band (0.98) but inside the local margin (0.9604): Binance decides, and refuses it
    const edge = await limitAt('BUY', 0.97);
    expect(edge.answer.ok, JSON.stringify(edge.answer)).toBe(true);
    await waitUntil('the order near the edge at the replica', async () => sentToReplica('BUY', edge.price), 10_000, serve.out);
    await waitUntil('the order near the edge refused by the replica', async () => {
      const o = await apiRequest<{ orders: { order_id: string }[] }>(apiPort, '/api/orders?account=manual');
      return !o.orders.some((x) => x.order_id === edge.answer.order!.order_id);
    }, 10_000, serve.out);

    // the orders refused locally never reached the replica
    expect(sentToReplica('BUY', low.price)).toBe(false);
    expect(sentToReplica('SELL', high.price)).toBe(false);
    expect(received.filter((r) => r.startsWith('SELL'))).toEqual([]);

    serve.child.kill('SIGTERM');
    expect(await serve.exited).toBe(0);
    expect(serve.out()).not.toContain(SECRET);
  }, 120_000);
});
