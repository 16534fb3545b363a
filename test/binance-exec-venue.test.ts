// BinanceExecutionVenue end to end against a small local Binance written here: node:http
// for REST (spot /api/v3, USD-M /fapi) and a ws WebSocketServer for the spot WebSocket API
// and the USD-M listenKey stream. It checks HMAC signatures and timestamps and answers with
// the documented shapes (rest-api.md, web-socket-api.md, user-data-stream.md).
import { createHmac, generateKeyPairSync, verify as edVerify, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Decimal } from 'decimal.js';
import { WebSocketServer, type WebSocket } from 'ws';
import { afterEach, describe, expect, it } from 'vitest';
import type { VenueOrder } from '../src/execution/venue.js';
import { ReportLog as Recorder, until } from './support/venue-reports.js';
import { BinanceExecutionVenue } from '../src/venues/binance/binance-venue.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { ClientOrderIdGenerator } from '../src/venues/binance/client-order-id.js';
import { rulesFromExchangeInfo } from '../src/venues/binance/filters.js';
import { ListenKeyStream } from '../src/venues/binance/listen-key-stream.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { Ed25519Signer, HmacSigner } from '../src/venues/binance/signing.js';
import { BinanceWsApiClient } from '../src/venues/binance/ws-api-client.js';

const API_KEY = 'test-api-key-0123456789';
const SECRET = 'test-secret-abcdefghijklmnopqrstuvwxyz';

type Market = 'spot' | 'usdm';
interface FakeOrder {
  symbol: string; orderId: number; clientOrderId: string; price: string; origQty: string; executedQty: string;
  status: string; timeInForce: string; type: string; side: string; time: number;
}
interface FakeTrade { symbol: string; id: number; orderId: number; price: string; qty: string; commission: string; commissionAsset: string; time: number; maker: boolean; side: string }
type PlaceAction = 'ok' | '503' | 'create-then-503' | 'slow' | '429';

const EXCHANGE_INFO = (market: Market) => ({
  timezone: 'UTC', serverTime: Date.now(),
  rateLimits: [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000 },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: 50 },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: 160000 },
  ],
  symbols: [{
    symbol: 'BTCUSDT', status: 'TRADING', baseAsset: 'BTC', quoteAsset: 'USDT',
    filters: market === 'spot'
      ? [
        { filterType: 'PRICE_FILTER', minPrice: '0.01000000', maxPrice: '1000000.00000000', tickSize: '0.01000000' },
        { filterType: 'LOT_SIZE', minQty: '0.00001000', maxQty: '9000.00000000', stepSize: '0.00001000' },
        { filterType: 'NOTIONAL', minNotional: '5.00000000', applyMinToMarket: true, maxNotional: '9000000.00000000', applyMaxToMarket: false, avgPriceMins: 5 },
      ]
      : [
        { filterType: 'PRICE_FILTER', minPrice: '556.80', maxPrice: '4529764', tickSize: '0.10' },
        { filterType: 'LOT_SIZE', minQty: '0.001', maxQty: '1000', stepSize: '0.001' },
        { filterType: 'MIN_NOTIONAL', notional: '100' },
      ],
  }],
});

class FakeBinance {
  server!: Server;
  wss!: WebSocketServer;
  url = '';
  wsUrl = '';
  skewMs = 0;
  readonly calls: string[] = [];
  readonly orders = new Map<string, FakeOrder>();
  readonly trades: FakeTrade[] = [];
  readonly placeActions: PlaceAction[] = [];
  queryNotFoundTimes = 0;
  askPrice = new Decimal('60000');
  bidPrice = new Decimal('59999');
  wsSilenceNext = false;
  keepAliveExpired = false;
  /** Ed25519 public key accepted besides the HMAC secret (WS API). */
  edPublicKey: KeyObject | null = null;
  readonly wsFrames: Array<{ method: string; params: Record<string, unknown> }> = [];
  balances: Record<string, { free: string; locked: string }> = { USDT: { free: '1000', locked: '0' }, BTC: { free: '0.5', locked: '0' } };
  positions: Record<string, string> = { BTCUSDT: '0' };
  private nextOrderId = 1000;
  private nextTradeId = 5000;
  private subscribers = new Set<WebSocket>();
  private listenKeys = new Map<string, Set<WebSocket>>();
  private keySeq = 0;
  private sockets = new Set<WebSocket>();

  async start(): Promise<void> {
    this.server = createServer((req, res) => { void this.onHttp(req, res); });
    this.wss = new WebSocketServer({ server: this.server });
    this.wss.on('connection', (ws, req) => this.onWs(ws, req.url ?? ''));
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const port = (this.server.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port}`;
    this.wsUrl = `ws://127.0.0.1:${port}`;
  }
  async stop(): Promise<void> {
    for (const s of this.sockets) s.terminate();
    this.wss.close();
    await new Promise<void>((r) => this.server.close(() => r()));
  }
  count(call: string): number { return this.calls.filter((c) => c === call).length; }
  serverTime(): number { return Date.now() + this.skewMs; }
  dropWsConnections(): void { for (const s of this.sockets) s.terminate(); }

  // ---- matching-engine-free order book of our own orders ----
  private marketOf(path: string): Market { return path.startsWith('/fapi') ? 'usdm' : 'spot'; }

  private place(market: Market, p: URLSearchParams): { status: number; body: unknown; created?: FakeOrder } {
    const type = p.get('type')!;
    const tif = p.get('timeInForce');
    const price = p.get('price');
    const side = p.get('side')!;
    const crosses = price !== null && (side === 'BUY' ? new Decimal(price).gte(this.askPrice) : new Decimal(price).lte(this.bidPrice));
    if (market === 'spot' && type === 'LIMIT_MAKER' && tif !== null) return { status: 400, body: { code: -1106, msg: "Parameter 'timeInForce' sent when not required." } };
    if (market === 'spot' && type === 'LIMIT_MAKER' && crosses) return { status: 400, body: { code: -2010, msg: 'Order would immediately match and take.' } };
    if (market === 'usdm' && tif === 'GTX' && crosses) return { status: 400, body: { code: -5022, msg: 'Due to the order could not be executed as maker, the Post Only order will be rejected.' } };
    const cid = p.get('newClientOrderId')!;
    if ([...this.orders.values()].some((o) => o.clientOrderId === cid && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'))) return { status: 400, body: { code: -2010, msg: 'Duplicate order sent.' } };
    const o: FakeOrder = { symbol: p.get('symbol')!, orderId: this.nextOrderId++, clientOrderId: cid, price: price ?? '0', origQty: p.get('quantity')!, executedQty: '0', status: 'NEW', timeInForce: tif ?? 'GTC', type, side, time: this.serverTime() };
    this.orders.set(cid, o);
    this.pushOrderEvent(market, o, 'NEW', null);
    return { status: 200, body: this.answer(o), created: o };
  }
  private answer(o: FakeOrder): Record<string, unknown> {
    return { symbol: o.symbol, orderId: o.orderId, orderListId: -1, clientOrderId: o.clientOrderId, transactTime: o.time, updateTime: o.time, price: o.price, origQty: o.origQty, executedQty: o.executedQty, cummulativeQuoteQty: '0', status: o.status, timeInForce: o.timeInForce, type: o.type, side: o.side, workingTime: o.time, selfTradePreventionMode: 'NONE' };
  }
  private find(p: URLSearchParams): FakeOrder | undefined {
    const cid = p.get('origClientOrderId');
    if (cid !== null) return this.orders.get(cid);
    const id = Number(p.get('orderId'));
    return [...this.orders.values()].find((o) => o.orderId === id);
  }
  private cancelOne(market: Market, o: FakeOrder): Record<string, unknown> {
    o.status = 'CANCELED';
    this.pushOrderEvent(market, o, 'CANCELED', null, 'cancel-' + o.orderId);
    return { ...this.answer(o), origClientOrderId: o.clientOrderId, clientOrderId: 'cancel-' + o.orderId };
  }

  /** A fill of one of our orders: trade recorded, order updated, user event pushed; returns the event. */
  fill(market: Market, cid: string, qty: string, price: string, maker = true, fee?: { commission: string; asset: string }): Record<string, unknown> {
    const o = this.orders.get(cid)!;
    o.executedQty = new Decimal(o.executedQty).add(qty).toFixed();
    o.status = new Decimal(o.executedQty).gte(o.origQty) ? 'FILLED' : 'PARTIALLY_FILLED';
    const t: FakeTrade = { symbol: o.symbol, id: this.nextTradeId++, orderId: o.orderId, price, qty, commission: fee?.commission ?? (market === 'spot' ? new Decimal(qty).mul(price).mul('0.001').toFixed() : '0.01'), commissionAsset: fee?.asset ?? 'USDT', time: this.serverTime(), maker, side: o.side };
    this.trades.push(t);
    return this.pushOrderEvent(market, o, 'TRADE', t);
  }
  /** The frame the user stream carries for an order change. */
  orderEvent(market: Market, o: FakeOrder, x: string, t: FakeTrade | null, cancelId?: string): Record<string, unknown> {
    if (market === 'spot') {
      return { subscriptionId: 0, event: {
        e: 'executionReport', E: this.serverTime(), s: o.symbol, c: x === 'CANCELED' ? cancelId ?? o.clientOrderId : o.clientOrderId, S: o.side, o: o.type, f: o.timeInForce,
        q: o.origQty, p: o.price, P: '0.00000000', F: '0.00000000', g: -1, C: x === 'CANCELED' ? o.clientOrderId : '', x, X: o.status, r: 'NONE', i: o.orderId,
        l: t?.qty ?? '0.00000000', z: o.executedQty, L: t?.price ?? '0.00000000', n: t?.commission ?? '0', N: t?.commissionAsset ?? null, T: t?.time ?? this.serverTime(),
        t: t?.id ?? -1, v: 0, I: 1, w: o.status === 'NEW', m: t?.maker ?? false, M: false, O: o.time, Z: '0', Y: '0', Q: '0', W: o.time, V: 'NONE',
      } };
    }
    return { e: 'ORDER_TRADE_UPDATE', E: this.serverTime(), T: this.serverTime(), o: {
      s: o.symbol, c: o.clientOrderId, S: o.side, o: o.type, f: o.timeInForce, q: o.origQty, p: o.price, ap: '0', sp: '0', x, X: o.status, i: o.orderId,
      l: t?.qty ?? '0', z: o.executedQty, L: t?.price ?? '0', N: t?.commissionAsset ?? 'USDT', n: t?.commission ?? '0', T: t?.time ?? this.serverTime(), t: t?.id ?? 0,
      b: '0', a: '0', m: t?.maker ?? false, R: false, wt: 'CONTRACT_PRICE', ot: o.type, ps: 'BOTH', cp: false, rp: '0', pP: false, si: 0, ss: 0, V: 'NONE', pm: 'NONE', gtd: 0,
    } };
  }
  private pushOrderEvent(market: Market, o: FakeOrder, x: string, t: FakeTrade | null, cancelId?: string): Record<string, unknown> {
    const ev = this.orderEvent(market, o, x, t, cancelId);
    this.push(market, ev);
    return ev;
  }
  push(market: Market, frame: unknown): void {
    const text = JSON.stringify(frame);
    if (market === 'spot') for (const s of this.subscribers) s.send(text);
    else for (const set of this.listenKeys.values()) for (const s of set) s.send(text);
  }

  // ---- REST ----
  private send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'Content-Type': 'application/json', 'X-MBX-USED-WEIGHT-1M': String(this.calls.length), ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  }

  private async onHttp(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString();
    const u = new URL(req.url!, 'http://x');
    const path = u.pathname;
    const method = req.method!;
    this.calls.push(`${method} ${path}`);
    const market = this.marketOf(path);
    if (path === '/api/v3/time' || path === '/fapi/v1/time') return this.send(res, 200, { serverTime: this.serverTime() });
    if (path === '/api/v3/exchangeInfo' || path === '/fapi/v1/exchangeInfo') return this.send(res, 200, EXCHANGE_INFO(market));
    if (req.headers['x-mbx-apikey'] !== API_KEY) return this.send(res, 401, { code: -2015, msg: 'Invalid API-key, IP, or permissions for action.' });
    if (path === '/fapi/v1/listenKey') {
      if (method === 'POST') { const k = `lk${++this.keySeq}`; this.listenKeys.set(k, new Set()); return this.send(res, 200, { listenKey: k }); }
      if (method === 'PUT') return this.keepAliveExpired ? this.send(res, 400, { code: -1125, msg: 'This listenKey does not exist.' }) : this.send(res, 200, {});
      return this.send(res, 200, {});
    }
    // SIGNED: payload = query string + body, signature last
    const raw = u.search.slice(1) + body;
    const at = raw.lastIndexOf('&signature=');
    if (at < 0) return this.send(res, 400, { code: -1102, msg: "Mandatory parameter 'signature' was not sent, was empty/null, or malformed." });
    const payload = raw.slice(0, at);
    const sig = decodeURIComponent(raw.slice(at + '&signature='.length));
    if (createHmac('sha256', SECRET).update(payload).digest('hex') !== sig.toLowerCase()) return this.send(res, 400, { code: -1022, msg: 'Signature for this request is not valid.' });
    const p = new URLSearchParams(payload);
    const ts = Number(p.get('timestamp'));
    const recv = Number(p.get('recvWindow') ?? 5000);
    const now = this.serverTime();
    if (!(ts < now + 1000 && now - ts <= recv)) return this.send(res, 400, { code: -1021, msg: 'Timestamp for this request is outside of the recvWindow.' });

    const route = `${method} ${path.replace(/^\/(api\/v3|fapi\/v\d)/, '')}`;
    switch (route) {
      case 'POST /order': {
        const action = this.placeActions.shift() ?? 'ok';
        if (action === '429') return this.send(res, 429, { code: -1015, msg: 'Too many new orders; current limit is 50 orders per 10 SECOND.' }, { 'Retry-After': '2' });
        if (action === '503') return this.send(res, 503, '<html>Service Unavailable</html>');
        if (action === 'slow') await new Promise((r) => setTimeout(r, 150)); // the matching engine is slow: the order does not exist yet
        const r = this.place(market, p);
        if (action === 'create-then-503') return this.send(res, 503, '<html>Service Unavailable</html>');
        return this.send(res, r.status, r.body, { 'X-MBX-ORDER-COUNT-10S': '1', 'X-MBX-ORDER-COUNT-1D': '1' });
      }
      case 'GET /order': {
        const o = this.find(p);
        if (o === undefined || this.queryNotFoundTimes > 0) { this.queryNotFoundTimes = Math.max(0, this.queryNotFoundTimes - 1); return this.send(res, 400, { code: -2013, msg: 'Order does not exist.' }); }
        return this.send(res, 200, this.answer(o));
      }
      case 'DELETE /order': {
        const o = this.find(p);
        if (o === undefined || (o.status !== 'NEW' && o.status !== 'PARTIALLY_FILLED')) return this.send(res, 400, { code: -2011, msg: 'Unknown order sent.' });
        return this.send(res, 200, this.cancelOne(market, o));
      }
      case 'GET /openOrders': {
        const sym = p.get('symbol');
        return this.send(res, 200, [...this.orders.values()].filter((o) => (sym === null || o.symbol === sym) && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED')).map((o) => this.answer(o)));
      }
      case 'DELETE /openOrders':
      case 'DELETE /allOpenOrders': {
        const open = [...this.orders.values()].filter((o) => o.symbol === p.get('symbol') && (o.status === 'NEW' || o.status === 'PARTIALLY_FILLED'));
        if (market === 'spot' && open.length === 0) return this.send(res, 400, { code: -2011, msg: 'Unknown order sent.' });
        const out = open.map((o) => this.cancelOne(market, o));
        return this.send(res, 200, market === 'spot' ? out : { code: 200, msg: 'The operation of cancel all open order is done.' });
      }
      case 'GET /myTrades':
      case 'GET /userTrades': {
        const fromId = p.get('fromId');
        const orderId = p.get('orderId');
        const list = this.trades.filter((t) => t.symbol === p.get('symbol') && (fromId === null || t.id >= Number(fromId)) && (orderId === null || t.orderId === Number(orderId)));
        return this.send(res, 200, list.map((t) => market === 'spot'
          ? { symbol: t.symbol, id: t.id, orderId: t.orderId, orderListId: -1, price: t.price, qty: t.qty, quoteQty: '0', commission: t.commission, commissionAsset: t.commissionAsset, time: t.time, isBuyer: t.side === 'BUY', isMaker: t.maker, isBestMatch: true }
          : { symbol: t.symbol, id: t.id, orderId: t.orderId, side: t.side, price: t.price, qty: t.qty, realizedPnl: '0', quoteQty: '0', commission: t.commission, commissionAsset: t.commissionAsset, time: t.time, buyer: t.side === 'BUY', maker: t.maker, positionSide: 'BOTH' }));
      }
      case 'GET /account':
        return this.send(res, 200, { makerCommission: 10, canTrade: true, accountType: 'SPOT', balances: Object.entries(this.balances).map(([asset, b]) => ({ asset, ...b })), permissions: ['SPOT'] });
      case 'GET /positionRisk':
        return this.send(res, 200, Object.entries(this.positions).map(([symbol, amt]) => ({ symbol, positionSide: 'BOTH', positionAmt: amt, entryPrice: '0', markPrice: '0', unRealizedProfit: '0' })));
      case 'POST /countdownCancelAll':
        return this.send(res, 200, { symbol: p.get('symbol'), countdownTime: p.get('countdownTime') });
      default:
        return this.send(res, 404, { code: -1000, msg: `no route ${route}` });
    }
  }

  // ---- WebSocket API (spot) and listenKey streams (USD-M) ----
  private onWs(ws: WebSocket, url: string): void {
    this.sockets.add(ws);
    ws.on('close', () => { this.sockets.delete(ws); this.subscribers.delete(ws); for (const s of this.listenKeys.values()) s.delete(ws); });
    const m = /^\/ws\/(.+)$/.exec(url);
    if (m !== null) {
      const set = this.listenKeys.get(m[1]!);
      if (set === undefined) { ws.close(); return; }
      set.add(ws);
      return;
    }
    let session = false;
    ws.on('message', (data) => {
      const req = JSON.parse(data.toString()) as { id: string; method: string; params: Record<string, string | number> };
      this.calls.push(`WS ${req.method}`);
      this.wsFrames.push({ method: req.method, params: req.params });
      if (this.wsSilenceNext) {
        this.wsSilenceNext = false;
        if (req.method === 'order.place') this.place('spot', new URLSearchParams(Object.entries(req.params).map(([k, v]): [string, string] => [k, String(v)])));
        return; // executed, never answered
      }
      const reply = (status: number, r: unknown) => ws.send(JSON.stringify(status === 200
        ? { id: req.id, status, result: r, rateLimits: [{ rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: 6000, count: this.calls.length }] }
        : { id: req.id, status, error: r }));
      const { signature, ...rest } = req.params;
      const payload = Object.keys(rest).sort().map((k) => `${k}=${rest[k]}`).join('&');
      const sigOk = typeof signature === 'string' && (/^[0-9a-f]{64}$/.test(signature)
        ? createHmac('sha256', SECRET).update(payload).digest('hex') === signature
        : this.edPublicKey !== null && edVerify(null, Buffer.from(payload), this.edPublicKey, Buffer.from(signature, 'base64')));
      const bySession = session && signature === undefined && rest['apiKey'] === undefined;
      if (!bySession && (rest['apiKey'] !== API_KEY || !sigOk)) return reply(400, { code: -1022, msg: 'Signature for this request is not valid.' });
      if (req.method === 'session.logon') { session = true; return reply(200, { apiKey: API_KEY, authorizedSince: Date.now(), connectedSince: Date.now(), returnRateLimits: false, serverTime: Date.now(), userDataStream: false }); }
      const p = new URLSearchParams(Object.entries(rest).map(([k, v]): [string, string] => [k, String(v)]));
      if (req.method === 'userDataStream.subscribe.signature') { this.subscribers.add(ws); return reply(200, { subscriptionId: 0 }); }
      if (req.method === 'order.place') { const r = this.place('spot', p); return reply(r.status, r.body); }
      if (req.method === 'order.cancel') {
        const o = this.find(p);
        if (o === undefined || o.status !== 'NEW') return reply(400, { code: -2011, msg: 'Unknown order sent.' });
        return reply(200, this.cancelOne('spot', o));
      }
      return reply(400, { code: -1020, msg: 'This operation is not supported.' });
    });
  }
}

// ---- helpers ----

const waitFor = (cond: () => boolean, ms = 3000): Promise<void> => until(cond, ms);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let seq = 0;
function order(over: Partial<VenueOrder> = {}): VenueOrder {
  seq++;
  return { orderId: `o${seq}`, clientOrderId: `c${seq}-x`, strategyId: 's1', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'POST_ONLY', priceTick: 5_990_000, qtyLot: 100, ...over };
}

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => { while (cleanups.length > 0) await cleanups.pop()!(); });

async function setup(market: Market, opts: { secret?: string; ws?: boolean; samples?: number } = {}) {
  const fake = new FakeBinance();
  await fake.start();
  cleanups.push(() => fake.stop());
  const signer = new HmacSigner(API_KEY, opts.secret ?? SECRET);
  let restRef: BinanceRestClient | null = null;
  const clock = new ServerClock({ samples: opts.samples ?? 1, fetchServerTime: () => restRef!.serverTime() });
  const budget = new RateBudget({ now: () => clock.serverNowMs() });
  const rest = new BinanceRestClient({ market, baseUrl: fake.url, signer, clock, budget, timeoutMs: 2000 });
  restRef = rest;
  let ws: BinanceWsApiClient | undefined;
  if (opts.ws === true) {
    ws = new BinanceWsApiClient({ market, url: `${fake.wsUrl}/ws-api/v3`, signer, clock, budget, requestTimeoutMs: 300, reconnectMinMs: 20, reconnectMaxMs: 100 });
    await ws.connect();
    cleanups.push(() => ws!.close());
  }
  const rules = rulesFromExchangeInfo(EXCHANGE_INFO(market), market === 'spot' ? 'spot' : 'perp');
  const venue = new BinanceExecutionVenue({ market, rest, rules, orderEntry: ws, notFoundGraceMs: 100, queryDelayMs: 20 });
  cleanups.push(() => venue.close());
  const rec = new Recorder();
  venue.connect(rec);
  if (ws !== undefined) { venue.attachSpotUserStream(ws); await ws.subscribeUserData(); }
  return { fake, rest, venue, rec, ws, clock, budget };
}

describe('Binance spot venue against a local Binance', () => {
  it('places a post-only order as LIMIT_MAKER with exact decimal strings and is accepted once', async () => {
    const { fake, venue, rec } = await setup('spot');
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    await sleep(30);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    const placed = fake.orders.get(o.clientOrderId)!;
    expect([placed.type, placed.price, placed.origQty]).toEqual(['LIMIT_MAKER', '59900.00', '0.00100']);
    expect(fake.count('POST /api/v3/order')).toBe(1);
  });

  it('a wrong signature is refused (-1022) and reported as a rejection', async () => {
    const { fake, venue, rec } = await setup('spot', { secret: 'not-the-secret' });
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`rejected ${o.orderId} binance_-1022_invalid_signature`]);
    expect(fake.orders.size).toBe(0);
  });

  it('-1021 leads to exactly one clock resync and one retry', async () => {
    const { fake, venue, rec, clock } = await setup('spot');
    fake.skewMs = 20_000; // the server is 20 s ahead: our first timestamp is outside recvWindow
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    expect(fake.count('POST /api/v3/order')).toBe(2);
    expect(fake.count('GET /api/v3/time')).toBe(1);
    expect(clock.skewRetries).toBe(1);
    expect(venue.metrics()).toMatchObject({ clock_skew_retries: 1, venue_submitted: 1, rest_requests: 3, budget_used_request_weight_1minute: expect.any(Number) });
    expect(clock.offsetMs).toBeGreaterThan(19_000);
  });

  it('a crossing post-only order (-2010 "Order would immediately match and take.") → post_only_would_cross', async () => {
    const { venue, rec } = await setup('spot');
    const o = order({ priceTick: 6_000_000 }); // at the ask
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`rejected ${o.orderId} post_only_would_cross`]);
    expect(venue.counters.postOnlyRejects).toBe(1);
  });

  it('an order breaking a filter never leaves the process', async () => {
    const { fake, venue, rec } = await setup('spot');
    const o = order({ qtyLot: 5 }); // 59900 × 0.00005 = 2.995 < 5 USDT
    venue.submit(o);
    expect(rec.of(o.orderId)).toEqual([`rejected ${o.orderId} filter_notional_below_min`]);
    expect(fake.count('POST /api/v3/order')).toBe(0);
  });

  it('a 503 on place leads to a query by client id, never a resend', async () => {
    const { fake, venue, rec } = await setup('spot');
    fake.placeActions.push('create-then-503');
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    await sleep(60);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    expect(fake.count('POST /api/v3/order')).toBe(1);
    expect(fake.count('GET /api/v3/order')).toBeGreaterThanOrEqual(1);
    expect(venue.counters.unknownOutcomes).toBe(1);
  });

  it('-2013 right after an unknown outcome is not final: found on the third query → accepted', async () => {
    const { fake, venue, rec } = await setup('spot');
    fake.placeActions.push('create-then-503');
    fake.queryNotFoundTimes = 2;
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    expect(fake.count('GET /api/v3/order')).toBe(3);
    expect(fake.count('POST /api/v3/order')).toBe(1);
  });

  it('an order that never reached the venue is rejected only after 3 not-found answers and the grace period', async () => {
    const { fake, venue, rec } = await setup('spot');
    fake.placeActions.push('503');
    const o = order();
    const t0 = Date.now();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`rejected ${o.orderId} not_found_at_venue`]);
    expect(fake.count('GET /api/v3/order')).toBeGreaterThanOrEqual(3);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(100);
    expect(fake.count('POST /api/v3/order')).toBe(1);
  });

  it('a 429 stops sending until Retry-After: the next order is refused locally', async () => {
    const { fake, venue, rec, budget } = await setup('spot');
    fake.placeActions.push('429');
    const a = order();
    venue.submit(a);
    await waitFor(() => rec.of(a.orderId).length > 0);
    expect(rec.of(a.orderId)).toEqual([`rejected ${a.orderId} rate_limited`]);
    expect(budget.blockedUntilMs).toBeGreaterThan(0);
    const b = order();
    venue.submit(b);
    await waitFor(() => rec.of(b.orderId).length > 0);
    expect(rec.of(b.orderId)).toEqual([`rejected ${b.orderId} rate_limited`]);
    expect(fake.count('POST /api/v3/order')).toBe(1);
  });

  it('fills through the WebSocket API user stream: a duplicated executionReport gives one fill, fees in quote', async () => {
    const { fake, venue, rec } = await setup('spot', { ws: true });
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    const ev = fake.fill('spot', o.clientOrderId, '0.00040', '59900.00');
    fake.push('spot', ev); // the same event again
    await waitFor(() => rec.of(o.orderId).length >= 2);
    await sleep(50);
    const tradeId = (ev['event'] as { t: number }).t;
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`, `fill ${o.orderId} BTCUSDT:${tradeId} 5990000x40 fee=0.02396 MAKER`]);
    expect(venue.counters.duplicateFills).toBe(1);
    expect(fake.count('WS order.place')).toBe(1);
  });

  it('out of order: a TRADE event before NEW and before the place answer → accepted, then one fill', async () => {
    const { fake, venue, rec, ws } = await setup('spot', { ws: true });
    const o = order();
    // build the events the venue will see first, by hand, before the order even exists at the fake
    fake.wsSilenceNext = true; // the fake executes the place but never answers (→ unknown outcome → query)
    venue.submit(o);
    await waitFor(() => fake.orders.has(o.clientOrderId));
    const trade = fake.fill('spot', o.clientOrderId, '0.00100', '59900.00');
    await waitFor(() => rec.of(o.orderId).length >= 2);
    await sleep(400); // the WS request timed out and the query answered too
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`, `fill ${o.orderId} BTCUSDT:${(trade['event'] as { t: number }).t} 5990000x100 fee=0.0599 MAKER`]);
    expect(fake.count('WS order.place')).toBe(1);
    expect(ws!.counters.timeouts).toBe(1);
  });

  it('a WebSocket API request with no answer is an unknown outcome: queried over REST, not resent', async () => {
    const { fake, venue, rec } = await setup('spot', { ws: true });
    const o = order();
    fake.wsSilenceNext = true;
    venue.submit(o);
    // the NEW event from the stream already accepts it; the timeout then queries, and nothing is resent
    await waitFor(() => fake.count('GET /api/v3/order') >= 1, 3000);
    await sleep(50);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    expect(fake.count('WS order.place')).toBe(1);
    expect(fake.count('POST /api/v3/order')).toBe(0);
  });

  it('cancel: the answer and the CANCELED event give one onCancelled; a second cancel is refused locally', async () => {
    const { fake, venue, rec } = await setup('spot', { ws: true });
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    venue.cancel(o.orderId);
    await waitFor(() => rec.of(o.orderId).length >= 2);
    await sleep(50);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`, `cancelled ${o.orderId} cancelled`]);
    venue.cancel(o.orderId);
    expect(rec.of(o.orderId)[2]).toBe(`cancel_rejected ${o.orderId} already_closed`);
    expect(fake.count('WS order.cancel')).toBe(1);
  });

  it('a cancel sent while the place is still in flight is sent again once the order exists', async () => {
    const { fake, venue, rec } = await setup('spot');
    fake.placeActions.push('slow');
    const o = order();
    venue.submit(o);
    await sleep(20);
    venue.cancel(o.orderId); // the venue does not know the order yet: -2011
    await waitFor(() => rec.of(o.orderId).length >= 2);
    await sleep(50);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`, `cancelled ${o.orderId} cancelled`]);
    expect(fake.count('POST /api/v3/order')).toBe(1);
    expect(fake.count('DELETE /api/v3/order')).toBe(2);
    expect(fake.orders.get(o.clientOrderId)!.status).toBe('CANCELED');
  });

  it('a cancel racing a fill: -2011 → query → the missing fill, then the cancel refusal', async () => {
    const { fake, venue, rec } = await setup('spot'); // REST only: no user stream, so the fill is only learnt by query
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    fake.fill('spot', o.clientOrderId, '0.00100', '59900.00'); // fully filled at the venue, nobody told us
    venue.cancel(o.orderId);
    await waitFor(() => rec.of(o.orderId).length >= 3);
    const log = rec.of(o.orderId);
    expect(log[0]).toBe(`accepted ${o.orderId}`);
    expect(log[1]).toMatch(new RegExp(`^fill ${o.orderId} BTCUSDT:\\d+ 5990000x100 `));
    expect(log[2]).toBe(`cancel_rejected ${o.orderId} already_closed`);
    expect(log.length).toBe(3);
  });

  it('reconcile: unknown orders, orders gone at the venue, missed fills, balance mismatches', async () => {
    const { fake, venue, rec } = await setup('spot');
    const a = order();
    const b = order();
    venue.submit(a);
    venue.submit(b);
    await waitFor(() => rec.of(a.orderId).length > 0 && rec.of(b.orderId).length > 0);
    const sinceTradeId = 4999;
    fake.fill('spot', a.clientOrderId, '0.00050', '59900.00'); // missed fill on an open order
    fake.orders.get(b.clientOrderId)!.status = 'CANCELED'; // cancelled at the venue without telling us
    // an order placed by someone else (or before a crash)
    fake.orders.set('foreign-1', { symbol: 'BTCUSDT', orderId: 42, clientOrderId: 'foreign-1', price: '50000.00', origQty: '0.01000', executedQty: '0', status: 'NEW', timeInForce: 'GTC', type: 'LIMIT', side: 'BUY', time: Date.now() });
    const report = await venue.reconcile({ symbols: ['BTCUSDT'], sinceTradeId: { BTCUSDT: sinceTradeId }, expectedBalances: { USDT: '1000', BTC: '0.4' } });
    expect(report.ok).toBe(false);
    expect(report.unknownToUs.map((u) => u.clientOrderId)).toEqual(['foreign-1']);
    expect(report.missingAtVenue).toEqual([{ orderId: b.orderId, clientOrderId: b.clientOrderId, symbol: 'BTCUSDT', status: 'CANCELED' }]);
    expect(report.missedFills).toHaveLength(1);
    expect(report.missedFills[0]).toMatchObject({ orderId: a.orderId, qty: '0.00050', applied: true });
    expect(report.lastTradeId['BTCUSDT']).toBe(report.missedFills[0]!.tradeId);
    expect(report.balanceMismatches).toEqual([{ asset: 'BTC', expected: '0.4', venue: '0.5' }]);
    expect(rec.of(b.orderId)).toEqual([`accepted ${b.orderId}`, `cancelled ${b.orderId} cancelled`]);
    expect(rec.of(a.orderId).filter((l) => l.startsWith('fill'))).toHaveLength(1);
    // a second reconcile finds nothing new (idempotent)
    fake.orders.delete('foreign-1');
    const again = await venue.reconcile({ symbols: ['BTCUSDT'], sinceTradeId: { BTCUSDT: sinceTradeId }, expectedBalances: { USDT: '1000', BTC: '0.5' } });
    expect(again.ok).toBe(true);
    expect(rec.of(a.orderId).filter((l) => l.startsWith('fill'))).toHaveLength(1);
  });

  it('cancelAll is confirmed by an open-orders query and reports every close', async () => {
    const { fake, venue, rec } = await setup('spot');
    const os = [order(), order(), order()];
    for (const o of os) venue.submit(o);
    await waitFor(() => os.every((o) => rec.of(o.orderId).length > 0));
    const r = await venue.cancelAll('BTCUSDT');
    expect(r).toEqual({ confirmed: true, remaining: 0 });
    expect(fake.count('DELETE /api/v3/openOrders')).toBe(1);
    expect(fake.count('GET /api/v3/openOrders')).toBe(1);
    for (const o of os) expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`, `cancelled ${o.orderId} cancelled`]);
  });

  it('the WebSocket API reconnects, re-subscribes the user stream and asks for a reconcile', async () => {
    const { fake, venue, ws } = await setup('spot', { ws: true });
    let reconciles = 0;
    venue.onNeedsReconcile(() => { reconciles++; });
    fake.dropWsConnections();
    await waitFor(() => reconciles === 1 && ws!.connected);
    expect(fake.count('WS userDataStream.subscribe.signature')).toBe(2);
    expect(ws!.counters.reconnects).toBe(1);
  });

  it('Ed25519 session.logon: orders carry no per-request signature; the session is renewed after a reconnect', async () => {
    const fake = new FakeBinance();
    await fake.start();
    cleanups.push(() => fake.stop());
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    fake.edPublicKey = publicKey;
    const signer = new Ed25519Signer(API_KEY, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    let restRef: BinanceRestClient | null = null;
    const clock = new ServerClock({ samples: 1, fetchServerTime: () => restRef!.serverTime() });
    const budget = new RateBudget();
    restRef = new BinanceRestClient({ market: 'spot', baseUrl: fake.url, signer: new HmacSigner(API_KEY, SECRET), clock, budget });
    const ws = new BinanceWsApiClient({ market: 'spot', url: `${fake.wsUrl}/ws-api/v3`, signer, clock, budget, sessionLogon: true, reconnectMinMs: 10, reconnectMaxMs: 50 });
    cleanups.push(() => ws.close());
    await ws.connect();
    expect(ws.sessionAuthenticated).toBe(true);
    const venue = new BinanceExecutionVenue({ market: 'spot', rest: restRef, rules: rulesFromExchangeInfo(EXCHANGE_INFO('spot')), orderEntry: ws });
    const rec = new Recorder();
    venue.connect(rec);
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    const placed = fake.wsFrames.find((f) => f.method === 'order.place')!;
    expect(placed.params['signature']).toBeUndefined();
    expect(placed.params['apiKey']).toBeUndefined();
    expect(typeof placed.params['timestamp']).toBe('number');
    const logon = fake.wsFrames.find((f) => f.method === 'session.logon')!;
    expect(String(logon.params['signature'])).toMatch(/^[A-Za-z0-9+/]{86}==$/);
    fake.dropWsConnections();
    await waitFor(() => fake.count('WS session.logon') === 2 && ws.sessionAuthenticated);
    expect(() => new BinanceWsApiClient({ market: 'spot', url: 'ws://x', signer: new HmacSigner('k', 's'), clock, budget, sessionLogon: true })).toThrow(/Ed25519/);
  });

  it('venue client ids from a persisted prefix/sequence', async () => {
    const fake0 = await setup('spot');
    const gen = new ClientOrderIdGenerator('runA', 41);
    const venue = new BinanceExecutionVenue({ market: 'spot', rest: fake0.rest, rules: rulesFromExchangeInfo(EXCHANGE_INFO('spot')), clientIds: gen });
    const rec = new Recorder();
    venue.connect(rec);
    const o = order({ clientOrderId: 'not valid for binance!' });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    expect(fake0.fake.orders.has('runA-16')).toBe(true); // 42 in base 36
    expect(gen.sequence).toBe(42);
  });
});

describe('answers without a status', () => {
  it('an ACK answer (newOrderRespType=ACK shape) accepts the order; it does not close it', async () => {
    const s = await setup('spot');
    const entry = {
      placeOrder: async (p: Record<string, unknown>) => ({ symbol: 'BTCUSDT', orderId: 77, orderListId: -1, clientOrderId: String(p['newClientOrderId']), transactTime: Date.now() }) as never,
      cancelOrder: async () => { throw new Error('unused'); },
    };
    const venue = new BinanceExecutionVenue({ market: 'spot', rest: s.rest, rules: rulesFromExchangeInfo(EXCHANGE_INFO('spot')), orderEntry: entry });
    const rec = new Recorder();
    venue.connect(rec);
    const o = order();
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    await sleep(20);
    expect(rec.of(o.orderId)).toEqual([`accepted ${o.orderId}`]);
    expect(venue.orderState(o.orderId)).toMatchObject({ phase: 'open', venueOrderId: 77 });
  });
});

describe('bounded memory', () => {
  it('closed orders and their trade ids are forgotten after retainClosedMs; open ones are kept', async () => {
    const s = await setup('spot');
    const venue = new BinanceExecutionVenue({ market: 'spot', rest: s.rest, rules: rulesFromExchangeInfo(EXCHANGE_INFO('spot')), retainClosedMs: 50 });
    const rec = new Recorder();
    venue.connect(rec);
    const a = order({ priceTick: 6_000_000 }); // crosses → rejected → closed
    const b = order();
    venue.submit(a);
    venue.submit(b);
    await waitFor(() => rec.of(a.orderId).length > 0 && rec.of(b.orderId).length > 0);
    expect(venue.trackedOrders).toBe(2);
    await sleep(80);
    venue.submit(order({ priceTick: 6_000_001 }));
    expect(venue.orderState(a.orderId)).toBeUndefined();
    expect(venue.orderState(b.orderId)?.phase).toBe('open');
  });
});

describe('Binance USD-M venue against a local Binance', () => {
  async function setupUsdm() {
    const s = await setup('usdm');
    const stream = new ListenKeyStream({ rest: s.rest, streamBaseUrl: s.fake.wsUrl, keepAliveMs: 60_000, reconnectMinMs: 20 });
    s.venue.attachUsdmUserStream(stream, { symbols: ['BTCUSDT'], countdownMs: 120_000, heartbeatMs: 50 });
    await stream.start();
    cleanups.push(() => stream.stop());
    return { ...s, stream };
  }

  it('post-only is timeInForce=GTX; -5022 → post_only_would_cross', async () => {
    const { fake, venue, rec } = await setupUsdm();
    const ok = order({ priceTick: 599_000, qtyLot: 2 });
    venue.submit(ok);
    await waitFor(() => rec.of(ok.orderId).length > 0);
    expect(rec.of(ok.orderId)).toEqual([`accepted ${ok.orderId}`]);
    expect(fake.orders.get(ok.clientOrderId)).toMatchObject({ type: 'LIMIT', timeInForce: 'GTX', price: '59900.0', origQty: '0.002' });
    const cross = order({ priceTick: 600_000, qtyLot: 2 });
    venue.submit(cross);
    await waitFor(() => rec.of(cross.orderId).length > 0);
    expect(rec.of(cross.orderId)).toEqual([`rejected ${cross.orderId} post_only_would_cross`]);
  });

  it('ORDER_TRADE_UPDATE fills are idempotent; positionRisk mismatches are reported', async () => {
    const { fake, venue, rec } = await setupUsdm();
    const o = order({ priceTick: 599_000, qtyLot: 2 });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    const ev = fake.fill('usdm', o.clientOrderId, '0.001', '59900.0');
    fake.push('usdm', ev);
    await waitFor(() => rec.of(o.orderId).length >= 2);
    await sleep(50);
    expect(rec.of(o.orderId).filter((l) => l.startsWith('fill'))).toEqual([`fill ${o.orderId} BTCUSDT:${(ev['o'] as { t: number }).t} 599000x1 fee=0.01 MAKER`]);
    fake.positions['BTCUSDT'] = '0.001';
    const r = await venue.reconcile({ symbols: ['BTCUSDT'], expectedPositions: { BTCUSDT: '0.002' } });
    expect(r.positionMismatches).toEqual([{ symbol: 'BTCUSDT', expected: '0.002', venue: '0.001' }]);
    expect(fake.count('GET /fapi/v3/positionRisk')).toBe(1);
  });

  it('a commission paid in BNB (the futures BNB fee discount) is not taken as USDT: reported 0 and counted, like spot', async () => {
    const { fake, venue, rec } = await setupUsdm();
    const o = order({ priceTick: 599_000, qtyLot: 2 });
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    const ev = fake.fill('usdm', o.clientOrderId, '0.001', '59900.0', true, { commission: '0.00002161', asset: 'BNB' });
    await waitFor(() => rec.of(o.orderId).some((l) => l.startsWith('fill')));
    expect(rec.of(o.orderId).filter((l) => l.startsWith('fill'))).toEqual([`fill ${o.orderId} BTCUSDT:${(ev['o'] as { t: number }).t} 599000x1 fee=0 MAKER`]);
    expect(venue.counters.otherAssetFees).toBe(1);
    // a USDT commission still passes through as is
    const ev2 = fake.fill('usdm', o.clientOrderId, '0.001', '59900.0', true, { commission: '0.01198', asset: 'USDT' });
    await waitFor(() => rec.of(o.orderId).filter((l) => l.startsWith('fill')).length === 2);
    expect(rec.of(o.orderId).filter((l) => l.startsWith('fill'))[1]).toBe(`fill ${o.orderId} BTCUSDT:${(ev2['o'] as { t: number }).t} 599000x1 fee=0.01198 MAKER`);
  });

  it('countdownCancelAll heartbeats while connected; -1125 on keepalive → a new listenKey', async () => {
    const { fake, stream, venue } = await setupUsdm();
    await waitFor(() => fake.count('POST /fapi/v1/countdownCancelAll') >= 3);
    expect(venue.counters.heartbeats).toBeGreaterThanOrEqual(2);
    const first = stream.listenKey;
    fake.keepAliveExpired = true;
    await stream.keepAlive();
    expect(stream.listenKey).not.toBe(first);
    expect(fake.count('POST /fapi/v1/listenKey')).toBe(2);
    expect(stream.connected).toBe(true);
    // events on the new key still reach the venue
    const o = order({ priceTick: 599_000, qtyLot: 2 });
    const rec = new Recorder();
    venue.connect(rec);
    venue.submit(o);
    await waitFor(() => rec.of(o.orderId).length > 0);
    const ev = fake.fill('usdm', o.clientOrderId, '0.002', '59900.0');
    await waitFor(() => rec.of(o.orderId).some((l) => l.includes(String((ev['o'] as { t: number }).t))));
  });
});
