// BinanceExecutionVenue end to end against the project's Binance replica
// (src/venues/binance/replica), written independently from the same public docs: two
// readings of the docs have to agree. Spot through the WebSocket API (orders + user data)
// with REST queries; USD-M through REST with the listenKey stream; the replica's faults
// drive the unknown outcomes, clock skew, 429s, duplicated events and listenKey expiry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { VenueOrder } from '../src/execution/venue.js';
import { ReportLog as Recorder, until, replicaAdmin } from './support/venue-reports.js';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { BinanceExecutionVenue } from '../src/venues/binance/binance-venue.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { ListenKeyStream } from '../src/venues/binance/listen-key-stream.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { Ed25519Signer, HmacSigner } from '../src/venues/binance/signing.js';
import { generateKeyPairSync } from 'node:crypto';
import { BinanceWsApiClient } from '../src/venues/binance/ws-api-client.js';

const KEY = 'exec-test-key';
const SECRET = 'exec-test-secret-0123456789';


const waitFor = (cond: () => boolean, ms = 5000): Promise<void> => until(cond, ms);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const admin = replicaAdmin;

let seq = 0;
function order(over: Partial<VenueOrder> = {}): VenueOrder {
  seq++;
  return { orderId: `o${seq}`, clientOrderId: `rx${seq}-a`, strategyId: 's1', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'POST_ONLY', priceTick: 9_998, qtyLot: 10_000, ...over };
}

function clients(r: BinanceReplica, market: 'spot' | 'usdm') {
  const signer = new HmacSigner(KEY, SECRET);
  let rest: BinanceRestClient | null = null;
  const clock = new ServerClock({ samples: 1, fetchServerTime: () => rest!.serverTime() });
  const budget = new RateBudget({ now: () => clock.serverNowMs() });
  rest = new BinanceRestClient({ market, baseUrl: r.restUrl, signer, clock, budget, timeoutMs: 1500 });
  return { signer, clock, budget, rest };
}

describe('spot venue against the replica (WebSocket API order entry)', () => {
  let replica: BinanceReplica;
  let venue: BinanceExecutionVenue;
  let ws: BinanceWsApiClient;
  let rest: BinanceRestClient;
  let clock: ServerClock;
  const rec = new Recorder();

  beforeAll(async () => {
    replica = await BinanceReplica.start({
      market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
      apiKeys: [{ apiKey: KEY, secret: SECRET }],
      balances: { USDT: '100000', BTC: '10' },
    });
    await admin(replica, 'market', { symbol: 'BTCUSDT', bids: [['100.00', '1.00000'], ['99.99', '2.00000']], asks: [['100.01', '1.50000'], ['100.02', '3.00000']] });
    const c = clients(replica, 'spot');
    rest = c.rest;
    clock = c.clock;
    ws = new BinanceWsApiClient({ market: 'spot', url: `${replica.wsUrl}/ws-api/v3`, signer: c.signer, clock: c.clock, budget: c.budget, requestTimeoutMs: 500, reconnectMinMs: 20 });
    await ws.connect();
    venue = new BinanceExecutionVenue({ market: 'spot', rest, orderEntry: ws, notFoundGraceMs: 200, queryDelayMs: 50 });
    await venue.loadExchangeInfo();
    venue.connect(rec);
    venue.attachSpotUserStream(ws);
    await ws.subscribeUserData();
  });
  afterAll(async () => { venue.close(); ws.close(); await replica.close(); });

  it('reads the replica exchangeInfo into an instrument', () => {
    expect(venue.instrument('BTCUSDT')?.price.format(9_998)).toBe('99.98');
  });

  it('a post-only bid rests; a crossing one is post_only_would_cross', async () => {
    const a = order();
    const b = order({ priceTick: 10_001 });
    venue.submit(a);
    venue.submit(b);
    await waitFor(() => rec.of(a.orderId).length > 0 && rec.of(b.orderId).length > 0);
    expect(rec.of(a.orderId)).toEqual([`accepted ${a.orderId}`]);
    expect(rec.of(b.orderId)).toEqual([`rejected ${b.orderId} post_only_would_cross`]);
  });

  it('a fill with duplicated user events is reported once, fee converted from BTC to USDT', async () => {
    const o = order({ priceTick: 9_997 });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    await admin(replica, 'faults', { duplicateUserEvents: 10 });
    await admin(replica, 'market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.96', qty: '5.00000' } }); // through both our bids
    await waitFor(() => rec.of(o.orderId).some((l) => l.startsWith('fill')));
    await sleep(100);
    const fills = rec.of(o.orderId).filter((l) => l.startsWith('fill'));
    expect(fills).toHaveLength(1);
    expect(fills[0]).toMatch(/ 9997x10000 fee=[0-9.]+ MAKER$/);
    expect(venue.counters.duplicateFills).toBeGreaterThanOrEqual(1);
    await fetch(`${replica.restUrl}/__replica/faults`, { method: 'DELETE' });
  });

  it('an unknown outcome (5xx) is queried, never resent: exactly one order at the venue', async () => {
    await admin(replica, 'faults', { unknownOutcome: { count: 1, mode: '5xx' } });
    const o = order({ priceTick: 9_990 });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    const open = await rest.openOrders('BTCUSDT');
    expect(open.filter((x) => x.clientOrderId === o.clientOrderId)).toHaveLength(1);
  });

  it('clock skew: -1021, one resync, one retry', async () => {
    await sleep(300); // let the previous test's query finish (it would meet the skew too)
    await admin(replica, 'faults', { clockSkewMs: 30_000 });
    const before = clock.skewRetries;
    const syncsBefore = clock.syncCount;
    const wsBefore = ws.counters.requests;
    const o = order({ priceTick: 9_980 });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    expect(clock.skewRetries).toBe(before + 1);
    expect(clock.syncCount).toBe(syncsBefore + 1);
    expect(ws.counters.requests).toBe(wsBefore + 2); // the refused order.place and its one retry
    expect(clock.offsetMs).toBeGreaterThan(29_000);
    await admin(replica, 'faults', { clockSkewMs: 0 });
    await clock.sync();
  });

  it('reconcile agrees with the replica; cancelAll is confirmed and every close reported', async () => {
    const r = await venue.reconcile({ symbols: ['BTCUSDT'] });
    expect(r.unknownToUs).toEqual([]);
    expect(r.missingAtVenue).toEqual([]);
    const open = await rest.openOrders('BTCUSDT');
    expect(open.length).toBeGreaterThanOrEqual(2); // the unknown-outcome and the clock-skew orders
    const cancelledBefore = rec.log.filter((l) => l.startsWith('cancelled')).length;
    const res = await venue.cancelAll('BTCUSDT');
    expect(res).toEqual({ confirmed: true, remaining: 0 });
    await waitFor(() => rec.log.filter((l) => l.startsWith('cancelled')).length === cancelledBefore + open.length);
    expect(await rest.openOrders('BTCUSDT')).toEqual([]);
  });

  it('a 429 blocks the next order locally until Retry-After', async () => {
    await admin(replica, 'faults', { rateLimit429: { count: 1, retryAfterS: 2 } });
    const a = order({ priceTick: 9_970 });
    venue.submit(a);
    await waitFor(() => rec.of(a.orderId).length > 0);
    expect(rec.of(a.orderId)).toEqual([`rejected ${a.orderId} rate_limited`]);
    const b = order({ priceTick: 9_970 });
    venue.submit(b);
    await waitFor(() => rec.of(b.orderId).length > 0);
    expect(rec.of(b.orderId)).toEqual([`rejected ${b.orderId} rate_limited`]);
    expect(rest.budget.counters.blocked).toBeGreaterThanOrEqual(1);
  });

  it('a cancel refused by a 429 is sent again after Retry-After: the order does not stay live at the venue', async () => {
    await waitFor(() => rest.budget.blockedUntilMs === 0, 5000); // the previous test's block has passed
    const a = order({ priceTick: 9_960 });
    venue.submit(a);
    await waitFor(() => rec.of(a.orderId).length > 0);
    expect(rec.of(a.orderId)).toEqual([`accepted ${a.orderId}`]);
    const http429 = rest.budget.counters.http429;
    await admin(replica, 'faults', { rateLimit429: { count: 1, retryAfterS: 1 } });
    venue.cancel(a.orderId);
    await waitFor(() => rest.budget.counters.http429 > http429);
    // nothing is reported while sending is blocked (the order manager keeps it pending cancel) …
    await sleep(300);
    expect(rec.of(a.orderId)).toEqual([`accepted ${a.orderId}`]);
    // … and once Retry-After has passed the cancel goes out again
    await waitFor(() => rec.of(a.orderId).length > 1, 5000);
    expect(rec.of(a.orderId)).toEqual([`accepted ${a.orderId}`, `cancelled ${a.orderId} cancelled`]);
    expect((await rest.openOrders('BTCUSDT')).filter((x) => x.clientOrderId === a.clientOrderId)).toEqual([]);
  });
});

describe('USD-M venue against the replica (REST + listenKey stream)', () => {
  let replica: BinanceReplica;
  let venue: BinanceExecutionVenue;
  let stream: ListenKeyStream;
  let rest: BinanceRestClient;
  const rec = new Recorder();

  beforeAll(async () => {
    replica = await BinanceReplica.start({ futures: true, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' }] }, apiKeys: [{ apiKey: KEY, secret: SECRET }] });
    await admin(replica, 'market', { symbol: 'BTCUSDT', bids: [['100.00', '1.000']], asks: [['100.01', '1.000']] });
    rest = clients(replica, 'usdm').rest;
    venue = new BinanceExecutionVenue({ market: 'usdm', rest, notFoundGraceMs: 200, queryDelayMs: 50 });
    await venue.loadExchangeInfo();
    venue.connect(rec);
    stream = new ListenKeyStream({ rest, streamBaseUrl: replica.wsUrl, keepAliveMs: 60_000, reconnectMinMs: 20 });
    venue.attachUsdmUserStream(stream, { symbols: ['BTCUSDT'], countdownMs: 120_000, heartbeatMs: 100 });
    await stream.start();
  });
  afterAll(async () => { venue.close(); await stream.stop(); await replica.close(); });

  it('GTX rests; a crossing GTX is -5022 → post_only_would_cross', async () => {
    const a = order({ priceTick: 9_990, qtyLot: 100 });
    const b = order({ priceTick: 10_001, qtyLot: 100 });
    venue.submit(a);
    venue.submit(b);
    await waitFor(() => rec.of(a.orderId).length > 0 && rec.of(b.orderId).length > 0);
    expect(rec.of(a.orderId)).toEqual([`accepted ${a.orderId}`]);
    expect(rec.of(b.orderId)).toEqual([`rejected ${b.orderId} post_only_would_cross`]);
  });

  it('a fill arrives through ORDER_TRADE_UPDATE; positionRisk agrees', async () => {
    const o = order({ priceTick: 9_995, qtyLot: 100 });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    await admin(replica, 'market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.94', qty: '1.000' } });
    await waitFor(() => rec.of(o.orderId).some((l) => l.startsWith('fill')));
    // the trade at 99.94 fills our bid at 99.95, not the one at 99.90
    const r = await venue.reconcile({ symbols: ['BTCUSDT'], expectedPositions: { BTCUSDT: '0.1' } });
    expect(r.positionMismatches).toEqual([]);
    const wrong = await venue.reconcile({ symbols: ['BTCUSDT'], expectedPositions: { BTCUSDT: '0.2' } });
    expect(wrong.positionMismatches).toEqual([{ symbol: 'BTCUSDT', expected: '0.2', venue: '0.1' }]);
  });

  it('the countdownCancelAll heartbeat runs while the stream is connected', async () => {
    const before = venue.counters.heartbeats;
    await waitFor(() => venue.counters.heartbeats >= before + 2);
    expect(venue.counters.heartbeatFailures).toBe(0);
  });

  it('order entry over ws-fapi: order.place (GTX), order.modify, order.cancel through the venue', async () => {
    const c = clients(replica, 'usdm');
    const wsf = new BinanceWsApiClient({ market: 'usdm', url: `${replica.wsUrl}/ws-fapi/v1`, signer: c.signer, clock: c.clock, budget: c.budget, requestTimeoutMs: 1000 });
    await wsf.connect();
    const v2 = new BinanceExecutionVenue({ market: 'usdm', rest: c.rest, orderEntry: wsf });
    await v2.loadExchangeInfo();
    const r2 = new Recorder();
    v2.connect(r2);
    const o = order({ priceTick: 9_950, qtyLot: 100 });
    v2.submit(o);
    await waitFor(() => r2.of(o.orderId).length > 0);
    expect(r2.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    const modified = await wsf.modifyOrder({ symbol: 'BTCUSDT', origClientOrderId: o.clientOrderId, side: 'BUY', quantity: '0.100', price: '99.40' });
    expect(modified.price).toMatch(/^99\.40*$/);
    v2.cancel(o.orderId);
    await waitFor(() => r2.of(o.orderId).length > 1);
    expect(r2.of(o.orderId)[1]).toBe(`cancelled ${o.orderId} cancelled`);
    v2.close();
    wsf.close();
  });

  it('an expired listenKey (-1125 on keepalive) is replaced and events flow again', async () => {
    const first = stream.listenKey;
    await admin(replica, 'faults', { expireListenKeys: true });
    await stream.keepAlive();
    await waitFor(() => stream.connected && stream.listenKey !== first);
    const o = order({ priceTick: 9_985, qtyLot: 100 });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    await admin(replica, 'market', { symbol: 'BTCUSDT', trade: { side: 'SELL', price: '99.84', qty: '1.000' } });
    await waitFor(() => rec.of(o.orderId).some((l) => l.startsWith('fill')));
  });
});

describe('Ed25519 keys and cancelReplace against the replica', () => {
  it('REST (percent-encoded base64 signature) and WS API requests signed with Ed25519 are accepted; a wrong key is refused', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    const other = generateKeyPairSync('ed25519').privateKey;
    const replica = await BinanceReplica.start({
      market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' }] },
      apiKeys: [{ apiKey: 'ed-key', ed25519PublicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }],
    });
    try {
      await admin(replica, 'market', { symbol: 'BTCUSDT', bids: [['100.00', '1.00000']], asks: [['100.01', '1.00000']] });
      const signer = new Ed25519Signer('ed-key', privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
      let rest: BinanceRestClient | null = null;
      const clock = new ServerClock({ samples: 1, fetchServerTime: () => rest!.serverTime() });
      const budget = new RateBudget({ now: () => clock.serverNowMs() });
      rest = new BinanceRestClient({ market: 'spot', baseUrl: replica.restUrl, signer, clock, budget });
      // many signatures, so some contain + / = (percent-encoding matters)
      for (let i = 0; i < 5; i++) await expect(rest.openOrders('BTCUSDT')).resolves.toEqual([]);
      const placed = await rest.placeOrder({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.10000', price: '99.00', newClientOrderId: 'ed-1', newOrderRespType: 'RESULT' });
      expect(placed.status).toBe('NEW');
      // cancelReplace: the resting order replaced by a new price in one request
      const cr = await rest.cancelReplace({ symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT_MAKER', quantity: '0.10000', price: '99.50', cancelOrigClientOrderId: 'ed-1', newClientOrderId: 'ed-2', newOrderRespType: 'RESULT' }) as { cancelResult: string; newOrderResult: string; newOrderResponse: { clientOrderId: string; price: string } };
      expect([cr.cancelResult, cr.newOrderResult, cr.newOrderResponse.clientOrderId]).toEqual(['SUCCESS', 'SUCCESS', 'ed-2']);
      const ws = new BinanceWsApiClient({ market: 'spot', url: `${replica.wsUrl}/ws-api/v3`, signer, clock, budget, requestTimeoutMs: 1000 });
      await ws.connect();
      expect((await ws.openOrders('BTCUSDT')).map((o) => o.clientOrderId)).toEqual(['ed-2']);
      const cancelled = await ws.cancelOrder('BTCUSDT', { origClientOrderId: 'ed-2' });
      expect(cancelled.status).toBe('CANCELED');
      ws.close();
      const wrong = new BinanceRestClient({ market: 'spot', baseUrl: replica.restUrl, signer: new Ed25519Signer('ed-key', other.export({ type: 'pkcs8', format: 'pem' }).toString()), clock, budget: new RateBudget() });
      await expect(wrong.openOrders('BTCUSDT')).rejects.toMatchObject({ binanceCode: -1022, cls: 'rejected' });
    } finally {
      await replica.close();
    }
  });
});
