// A requote as one request: on spot, the venue pairs the cancel of a resting quote with the
// new order of the same side made in the same synchronous run and sends one
// `order.cancelReplace` (STOP_ON_FAILURE) over the WebSocket API, against the project's
// replica. Each part's outcome is reported as if it had been sent alone: both succeed; the
// cancel succeeds and the new post-only order would cross (-2021); the cancel fails so the
// new order is never attempted (-2022); no answer (both queried, nothing resent). A new
// order that could trade with a held cancel of the other side waits behind that cancel.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { VenueOrder } from '../src/execution/venue.js';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { BinanceExecutionVenue } from '../src/venues/binance/binance-venue.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { BinanceWsApiClient } from '../src/venues/binance/ws-api-client.js';
import { ReportLog as Recorder, until as waitFor, replicaAdmin } from './support/venue-reports.js';

const KEY = 'replace-test-key';
const SECRET = 'replace-test-secret-0123456789';

const admin = replicaAdmin;

let seq = 0;
function order(over: Partial<VenueOrder> = {}): VenueOrder {
  seq++;
  return { orderId: `o${seq}`, clientOrderId: `cr${seq}-a`, strategyId: 's1', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'POST_ONLY', priceTick: 9_990, qtyLot: 10_000, level: 1, ...over };
}

/** Counts the order-entry methods the venue calls (the real client still sends every request). */
function countCalls(ws: BinanceWsApiClient): Record<string, number> {
  const n: Record<string, number> = { placeOrder: 0, cancelOrder: 0, cancelReplace: 0 };
  for (const m of ['placeOrder', 'cancelOrder', 'cancelReplace'] as const) {
    const orig = ws[m].bind(ws) as (...a: unknown[]) => Promise<unknown>;
    (ws as unknown as Record<string, unknown>)[m] = (...a: unknown[]) => { n[m]!++; return orig(...a); };
  }
  return n;
}

interface Rig { replica: BinanceReplica; venue: BinanceExecutionVenue; ws: BinanceWsApiClient; rest: BinanceRestClient; rec: Recorder; calls: Record<string, number> }

async function rig(cancelReplace?: boolean): Promise<Rig> {
  const replica = await BinanceReplica.start({
    market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
    apiKeys: [{ apiKey: KEY, secret: SECRET }],
    balances: { USDT: '100000', BTC: '10' },
  });
  await admin(replica, 'market', { symbol: 'BTCUSDT', bids: [['100.00', '1.00000']], asks: [['100.10', '1.50000']] });
  const signer = new HmacSigner(KEY, SECRET);
  let rest: BinanceRestClient | null = null;
  const clock = new ServerClock({ samples: 1, fetchServerTime: () => rest!.serverTime() });
  const budget = new RateBudget({ now: () => clock.serverNowMs() });
  rest = new BinanceRestClient({ market: 'spot', baseUrl: replica.restUrl, signer, clock, budget, timeoutMs: 1500 });
  const ws = new BinanceWsApiClient({ market: 'spot', url: `${replica.wsUrl}/ws-api/v3`, signer, clock, budget, requestTimeoutMs: 400, reconnectMinMs: 20 });
  await ws.connect();
  const calls = countCalls(ws);
  const venue = new BinanceExecutionVenue({ market: 'spot', rest, orderEntry: ws, notFoundGraceMs: 200, queryDelayMs: 50, ...(cancelReplace === undefined ? {} : { cancelReplace }) });
  await venue.loadExchangeInfo();
  const rec = new Recorder();
  venue.connect(rec);
  venue.attachSpotUserStream(ws);
  await ws.subscribeUserData();
  return { replica, venue, ws, rest, rec, calls };
}

async function close(r: Rig): Promise<void> { r.venue.close(); r.ws.close(); await r.replica.close(); }

/** Places orders and waits until each is accepted. */
async function rest(r: Rig, ...os: VenueOrder[]): Promise<void> {
  for (const o of os) r.venue.submit(o);
  await waitFor(() => os.every((o) => r.rec.of(o.orderId).includes(`accepted ${o.orderId}`)));
}

async function openAtVenue(r: Rig): Promise<string[]> {
  return (await r.rest.openOrders('BTCUSDT')).map((o) => `${o.side} ${o.price} ${o.clientOrderId}`).sort();
}

describe('spot requotes as order.cancelReplace', () => {
  let r: Rig;
  beforeAll(async () => { r = await rig(); });
  afterAll(async () => { await close(r); });
  beforeEach(async () => { await fetch(`${r.replica.restUrl}/__replica/faults`, { method: 'DELETE' }); });

  it('a two-sided requote is two cancelReplace requests: the old quotes cancelled, the new ones resting', async () => {
    const bid = order({ priceTick: 9_990 });
    const ask = order({ side: 'SELL', priceTick: 10_020, clientOrderId: `cr${seq}-s` });
    await rest(r, bid, ask);
    const before = { ...r.calls };
    const requests = r.ws.counters.requests;
    // as the order diff does it: both cancels, then both new orders, in one synchronous run
    const bid2 = order({ priceTick: 9_992 });
    const ask2 = order({ side: 'SELL', priceTick: 10_018 });
    r.venue.cancel(bid.orderId);
    r.venue.cancel(ask.orderId);
    r.venue.submit(bid2);
    r.venue.submit(ask2);
    await waitFor(() => r.rec.of(bid2.orderId).length > 0 && r.rec.of(ask2.orderId).length > 0 && r.rec.of(bid.orderId).length > 1 && r.rec.of(ask.orderId).length > 1);
    expect(r.calls['cancelReplace']! - before['cancelReplace']!).toBe(2);
    expect(r.calls['cancelOrder']! - before['cancelOrder']!).toBe(0);
    expect(r.calls['placeOrder']! - before['placeOrder']!).toBe(0);
    expect(r.ws.counters.requests - requests).toBe(2);
    expect(r.rec.of(bid.orderId)).toEqual([`accepted ${bid.orderId}`, `cancelled ${bid.orderId} cancelled`]);
    expect(r.rec.of(ask.orderId)).toEqual([`accepted ${ask.orderId}`, `cancelled ${ask.orderId} cancelled`]);
    expect(r.rec.of(bid2.orderId)).toEqual([`accepted ${bid2.orderId}`]);
    expect(r.rec.of(ask2.orderId)).toEqual([`accepted ${ask2.orderId}`]);
    const ids = [bid2, ask2].map((o) => r.venue.orderState(o.orderId)!.clientId);
    expect(await openAtVenue(r)).toEqual([`BUY 99.92000000 ${ids[0]}`, `SELL 100.18000000 ${ids[1]}`].sort());
    // the user events of the cancel and the new order changed nothing more
    await new Promise((d) => setTimeout(d, 100));
    expect(r.rec.of(bid2.orderId)).toHaveLength(1);
    await r.venue.cancelAll('BTCUSDT');
  });

  it('a cancel with nothing to pair goes out on its own at the end of the run; a lone new order is an order.place', async () => {
    const bid = order({ priceTick: 9_980 });
    await rest(r, bid);
    const before = { ...r.calls };
    r.venue.cancel(bid.orderId);
    const ask = order({ side: 'SELL', priceTick: 10_050 }); // the other side, not crossing: no pair
    r.venue.submit(ask);
    expect(r.calls['cancelOrder']! - before['cancelOrder']!).toBe(0); // held until the run ends
    await waitFor(() => r.rec.of(bid.orderId).length > 1 && r.rec.of(ask.orderId).length > 0);
    expect(r.calls['cancelOrder']! - before['cancelOrder']!).toBe(1);
    expect(r.calls['placeOrder']! - before['placeOrder']!).toBe(1);
    expect(r.calls['cancelReplace']! - before['cancelReplace']!).toBe(0);
    expect(r.rec.of(bid.orderId)).toEqual([`accepted ${bid.orderId}`, `cancelled ${bid.orderId} cancelled`]);
    await r.venue.cancelAll('BTCUSDT');
  });

  it('a new bid at or above a held ask waits behind that ask\'s cancel (sent first, on its own)', async () => {
    const ask = order({ side: 'SELL', priceTick: 10_005 }); // inside the replica's market (100.00 / 100.10)
    const bid = order({ priceTick: 9_970 });
    await rest(r, ask, bid);
    const before = { ...r.calls };
    const order0: string[] = [];
    const wsRaw = r.ws as unknown as Record<string, (...a: unknown[]) => Promise<unknown>>;
    const saved = { cancelOrder: wsRaw['cancelOrder']!, cancelReplace: wsRaw['cancelReplace']! };
    for (const m of ['cancelOrder', 'cancelReplace'] as const) {
      const f = saved[m];
      wsRaw[m] = (...a: unknown[]) => { order0.push(m); return f(...a); };
    }
    r.venue.cancel(ask.orderId);
    r.venue.cancel(bid.orderId);
    const bid2 = order({ priceTick: 10_005, timeInForce: 'GTC' }); // at the held ask's price, below the market's ask
    r.venue.submit(bid2);
    await waitFor(() => r.rec.of(bid2.orderId).length > 0 && r.rec.of(ask.orderId).length > 1 && r.rec.of(bid.orderId).length > 1);
    Object.assign(wsRaw, saved);
    expect(order0).toEqual(['cancelOrder', 'cancelReplace']); // the ask's cancel, then the bid's replacement
    expect(r.calls['cancelReplace']! - before['cancelReplace']!).toBe(1);
    expect(r.rec.of(ask.orderId)).toEqual([`accepted ${ask.orderId}`, `cancelled ${ask.orderId} cancelled`]);
    expect(r.rec.of(bid.orderId)).toEqual([`accepted ${bid.orderId}`, `cancelled ${bid.orderId} cancelled`]);
    // our own ask was gone when the bid arrived: no self-trade, the bid rests against the replica's book
    expect(r.rec.of(bid2.orderId)[0]).toBe(`accepted ${bid2.orderId}`);
    expect(r.rec.of(bid2.orderId).some((l) => l.startsWith('fill'))).toBe(false);
    await r.venue.cancelAll('BTCUSDT');
  });

  it('-2021: the cancel succeeds, the new post-only order would cross → old cancelled, new post_only_would_cross', async () => {
    const bid = order({ priceTick: 9_985 });
    await rest(r, bid);
    const before = { ...r.calls };
    r.venue.cancel(bid.orderId);
    const bid2 = order({ priceTick: 10_010 }); // through the replica's ask at 100.10: LIMIT_MAKER would take
    r.venue.submit(bid2);
    await waitFor(() => r.rec.of(bid2.orderId).length > 0 && r.rec.of(bid.orderId).length > 1);
    expect(r.calls['cancelReplace']! - before['cancelReplace']!).toBe(1);
    expect(r.rec.of(bid.orderId)).toEqual([`accepted ${bid.orderId}`, `cancelled ${bid.orderId} cancelled`]);
    expect(r.rec.of(bid2.orderId)).toEqual([`rejected ${bid2.orderId} post_only_would_cross`]);
    expect(await openAtVenue(r)).toEqual([]);
  });

  it('-2022: the old order was filled before the cancel → the new order is never attempted; the fill is reported once', async () => {
    const bid = order({ priceTick: 9_995 });
    await rest(r, bid);
    // fill it at the replica without our venue having seen the events yet: drop the user stream's effect by sending the trade and requoting in the same turn
    await admin(r.replica, 'faults', { ackDelayMs: 0 });
    await admin(r.replica, 'market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.95', qty: '1.00000' } });
    // the venue may or may not have the fill yet; it still believes the order open only if not: force the requote now
    const before = { ...r.calls };
    const wasOpen = r.venue.orderState(bid.orderId)!.phase === 'open';
    r.venue.cancel(bid.orderId);
    const bid2 = order({ priceTick: 9_994 });
    r.venue.submit(bid2);
    await waitFor(() => r.rec.of(bid2.orderId).length > 0 && r.rec.of(bid.orderId).some((l) => l.startsWith('fill')));
    await new Promise((d) => setTimeout(d, 300));
    const fills = r.rec.of(bid.orderId).filter((l) => l.startsWith('fill'));
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatch(new RegExp(`^fill ${bid.orderId} BTCUSDT:\\d+ 9995x10000 fee=`));
    if (wasOpen) {
      expect(r.calls['cancelReplace']! - before['cancelReplace']!).toBe(1);
      expect(r.rec.of(bid2.orderId)).toEqual([`rejected ${bid2.orderId} replace_cancel_failed`]);
      expect(r.rec.of(bid.orderId).at(-1)).toBe(`cancel_rejected ${bid.orderId} already_closed`);
    } else {
      // the fill's event had already closed it: the cancel was refused locally and the new order went alone
      expect(r.rec.of(bid2.orderId)).toEqual([`accepted ${bid2.orderId}`]);
    }
    await r.venue.cancelAll('BTCUSDT');
  });

  it('no answer (timeout): both orders are queried, nothing is resent; the venue ends with exactly the new order', async () => {
    const bid = order({ priceTick: 9_975 });
    await rest(r, bid);
    await admin(r.replica, 'faults', { unknownOutcome: { count: 1, mode: 'timeout', timeoutMs: 2000 } });
    const before = { ...r.calls };
    const unknown = r.venue.counters.unknownOutcomes;
    r.venue.cancel(bid.orderId);
    const bid2 = order({ priceTick: 9_976 });
    r.venue.submit(bid2);
    const queries = r.venue.counters.queries;
    // the user events may tell both outcomes before the request times out (400 ms); the timeout still makes both queried
    await waitFor(() => r.venue.counters.unknownOutcomes === unknown + 1 && r.venue.counters.queries >= queries + 1, 8000);
    await waitFor(() => r.rec.of(bid2.orderId).length > 0 && r.rec.of(bid.orderId).length > 1, 8000);
    await new Promise((d) => setTimeout(d, 300));
    expect(r.calls['cancelReplace']! - before['cancelReplace']!).toBe(1);
    expect(r.calls['placeOrder']! - before['placeOrder']!).toBe(0); // never resent
    expect(r.venue.counters.unknownOutcomes).toBe(unknown + 1);
    expect(r.rec.of(bid.orderId)).toEqual([`accepted ${bid.orderId}`, `cancelled ${bid.orderId} cancelled`]);
    expect(r.rec.of(bid2.orderId)).toEqual([`accepted ${bid2.orderId}`]);
    const id2 = r.venue.orderState(bid2.orderId)!.clientId;
    expect(await openAtVenue(r)).toEqual([`BUY 99.76000000 ${id2}`]);
    await r.venue.cancelAll('BTCUSDT');
  });
});

describe('cancelReplace: false', () => {
  it('sends the cancel and the new order as two requests, the cancel first', async () => {
    const r = await rig(false);
    try {
      const bid = order({ priceTick: 9_990 });
      await rest(r, bid);
      const before = { ...r.calls };
      r.venue.cancel(bid.orderId);
      expect(r.calls['cancelOrder']! - before['cancelOrder']!).toBe(1); // at once
      const bid2 = order({ priceTick: 9_991 });
      r.venue.submit(bid2);
      await waitFor(() => r.rec.of(bid2.orderId).length > 0 && r.rec.of(bid.orderId).length > 1);
      expect(r.calls['cancelReplace']! - before['cancelReplace']!).toBe(0);
      expect(r.calls['placeOrder']! - before['placeOrder']!).toBe(1);
      expect(r.rec.of(bid2.orderId)).toEqual([`accepted ${bid2.orderId}`]);
    } finally {
      await close(r);
    }
  });
});
