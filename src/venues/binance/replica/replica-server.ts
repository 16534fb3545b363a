// The Binance replica server: one port serving
//   spot (default)  REST /api/v3/*, WebSocket API /ws-api/v3 (user data through
//                   userDataStream.subscribe.signature)
//   USD-M (futures) REST /fapi/v1/*, /fapi/v2/positionRisk, listenKey user data on
//                   /ws/<listenKey>, WebSocket API /ws-fapi/v1; funding every
//                   fundingIntervalMs (funding.ts), GET /fapi/v1/income, premiumIndex
//   market data     GET /api/v3/depth (/fapi/v1/depth), WS /stream?streams=… and
//                   /ws/<stream>; a replayed recording is served by a
//                   BinanceProtocolServer on an internal port behind this one
//   admin           GET /__replica/state, GET|POST|DELETE /__replica/faults,
//                   POST /__replica/market (manual market), GET /__replica/info,
//                   GET|POST /__replica/grid (a symbol's tickSize / stepSize while it runs)
// node:http + ws (the same stack as src/feed/binance-server), bound to 127.0.0.1 by default.
import { randomBytes } from 'node:crypto';
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { BinanceProtocolServer } from '../../../feed/binance-server/binance-protocol-server.js';
import { Auth, DEMO_API_KEY, DEMO_API_SECRET, type ApiKeySpec } from './auth.js';
import { applyFaults, noFaults, type FaultState } from './faults.js';
import { MarketStreams } from './market-streams.js';
import { ReplicaOperations } from './operations.js';
import type { Params } from './order-params.js';
import { FUTURES_RATE_LIMITS, RateLimiter, SPOT_RATE_LIMITS, type RateLimitDef } from './rate-limiter.js';
import { err, ReplicaError } from './replica-error.js';
import { fundingSettings } from './funding.js';
import { ReplicaExchange } from './replica-exchange.js';
import { ReplicaMarket, type Level, type ReplicaMarketSpec } from './replica-market.js';
import { formatE8 } from './fixed.js';
import { DEFAULT_FILTERS, type FilterSettings, type ReplicaSymbol } from './replica-symbol.js';

export interface ReplicaOptions {
  readonly market: ReplicaMarketSpec;
  /** Serve USD-M futures instead of spot. */
  readonly futures?: boolean;
  readonly host?: string;
  /** 0 (default) picks a free port. */
  readonly port?: number;
  /** Default: the demo key pair (DEMO_API_KEY / DEMO_API_SECRET). */
  readonly apiKeys?: readonly ApiKeySpec[];
  readonly makerFeeBps?: number;
  readonly takerFeeBps?: number;
  readonly balances?: Readonly<Record<string, string>>;
  readonly filters?: Partial<FilterSettings>;
  readonly rateLimits?: readonly RateLimitDef[];
  readonly banAfter429s?: number;
  readonly banMs?: number;
  /** Initial faults (the JSON of POST /__replica/faults). */
  readonly faults?: unknown;
  /** listenKey lifetime without keepalive. Default 60 min. */
  readonly listenKeyTtlMs?: number;
  /** USD-M funding interval, ms (default 8 h; funding at every multiple of it since the epoch). */
  readonly fundingIntervalMs?: number;
  /** USD-M funding rate per interval, a decimal of at most 8 decimals (default 0.0001). */
  readonly fundingRate?: string;
}

type Security = 'NONE' | 'API_KEY' | 'SIGNED';
interface Ctx { readonly p: Params; readonly now: number; readonly apiKey: string | undefined }
interface Route {
  readonly security: Security;
  /** Request weight (may depend on the parameters). */
  readonly weight: (p: Params) => number;
  /** Counts toward the ORDERS limits. */
  readonly order: boolean;
  /** A trading action: ack delay and unknown-outcome faults apply. */
  readonly trading: boolean;
  readonly run: (c: Ctx) => unknown;
}

const w = (n: number) => (): number => n;

function depthWeightSpot(p: Params): number {
  const l = Number(p.get('limit') ?? 100);
  return l <= 100 ? 5 : l <= 500 ? 25 : l <= 1000 ? 50 : 250;
}
function depthWeightFutures(p: Params): number {
  const l = Number(p.get('limit') ?? 500);
  return l <= 50 ? 2 : l <= 100 ? 5 : l <= 500 ? 10 : 20;
}

interface ApiConn {
  readonly ws: WebSocket; readonly ip: string; readonly subs: Set<number>; nextSub: number; returnRateLimits: boolean;
  readonly connectedSince: number;
  /** The key authenticated by session.logon, and since when (ms). */
  session: { readonly apiKey: string; readonly since: number } | null;
}
interface ListenKey { readonly key: string; expiresAt: number; readonly conns: Set<WebSocket> }

const MAX_BODY = 1 << 20;

export class BinanceReplica {
  readonly futures: boolean;
  readonly market: ReplicaMarket;
  readonly exchange: ReplicaExchange;
  readonly ops: ReplicaOperations;
  readonly limiter: RateLimiter;
  readonly faults: FaultState = noFaults();
  readonly apiKeys: readonly ApiKeySpec[];
  private readonly auth: Auth;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly streams: MarketStreams;
  private recorded: BinanceProtocolServer | null = null;
  private readonly routes = new Map<string, Route>();
  private readonly wsMethods = new Map<string, Route>();
  private readonly apiConns = new Set<ApiConn>();
  private readonly listenKeys = new Map<string, ListenKey>();
  private readonly sockets = new Set<Socket>();
  private readonly listenKeyTtlMs: number;
  private keyTimer: NodeJS.Timeout | null = null;
  private pingTimer: NodeJS.Timeout | null = null;
  private fundingTimer: NodeJS.Timeout | null = null;
  private readonly lastPong = new WeakMap<WebSocket, number>();
  /** New orders (and replacements) refused with a 4xx other than 418/429, per Binance error code. */
  private readonly orderRefusals = new Map<number, number>();
  private held: Record<string, unknown> | null = null;
  private heldTimer: NodeJS.Timeout | null = null;
  private closed = false;

  private constructor(o: ReplicaOptions) {
    this.futures = o.futures ?? false;
    this.market = new ReplicaMarket(o.market);
    this.apiKeys = o.apiKeys ?? [{ apiKey: DEMO_API_KEY, secret: DEMO_API_SECRET }];
    this.auth = new Auth(this.apiKeys);
    const limits = o.rateLimits ?? (this.futures ? FUTURES_RATE_LIMITS : SPOT_RATE_LIMITS);
    this.limiter = new RateLimiter({ limits, ...(o.banAfter429s !== undefined ? { banAfter429s: o.banAfter429s } : {}), ...(o.banMs !== undefined ? { banMs: o.banMs } : {}) });
    this.exchange = new ReplicaExchange(this.market, {
      futures: this.futures, filters: { ...DEFAULT_FILTERS, ...o.filters },
      ...(o.makerFeeBps !== undefined ? { makerFeeBps: o.makerFeeBps } : {}),
      ...(o.takerFeeBps !== undefined ? { takerFeeBps: o.takerFeeBps } : {}),
      ...(o.balances !== undefined ? { balances: o.balances } : {}),
      funding: fundingSettings(o.fundingIntervalMs, o.fundingRate),
    });
    this.exchange.clock = () => this.now();
    // spot's unfilled order count: a first fill gives back 1 (taker) or 5 (maker, the FAQ's example)
    if (!this.futures) this.exchange.onFirstFill = (maker) => this.limiter.orderFilled(this.now(), maker ? 5 : 1);
    this.exchange.listeners.add((e) => this.userEvent(e));
    this.ops = new ReplicaOperations(this.exchange, limits);
    this.streams = new MarketStreams(this.market, this.futures, () => {
      if (this.faults.omitDepthRemovals <= 0) return false;
      this.faults.omitDepthRemovals--;
      return true;
    });
    this.listenKeyTtlMs = o.listenKeyTtlMs ?? 3_600_000;
    if (o.faults !== undefined) applyFaults(this.faults, o.faults);
    this.http = createServer((req, res) => this.onRequest(req, res));
    this.http.on('connection', (s: Socket) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    this.wss = new WebSocketServer({ noServer: true, perMessageDeflate: false, clientTracking: true });
    this.http.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => this.onUpgrade(req, socket, head));
    if (this.futures) this.futuresRoutes(); else this.spotRoutes();
  }

  /** Opens the market, starts it and listens. */
  static async start(o: ReplicaOptions): Promise<BinanceReplica> {
    const r = new BinanceReplica(o);
    await r.market.prepare(r.futures);
    if (o.market.kind === 'replay') {
      r.recorded = await BinanceProtocolServer.start({
        market: r.futures ? 'usdm' : 'spot', recordings: [o.market.path], host: '127.0.0.1', port: 0, speed: o.market.speed ?? 1, startOn: 'listen',
      });
    }
    r.market.start();
    await new Promise<void>((resolve, reject) => {
      r.http.once('error', reject);
      r.http.listen(o.port ?? 0, o.host ?? '127.0.0.1', () => { r.http.off('error', reject); resolve(); });
    });
    r.keyTimer = setInterval(() => r.expireListenKeys(false), 1000);
    r.keyTimer.unref();
    // like Binance: a ping every 20 s (USD-M 3 min); a connection silent to pings for 60 s (USD-M 10 min) is dropped
    const [every, patience] = r.futures ? [180_000, 600_000] : [20_000, 60_000];
    r.pingTimer = setInterval(() => r.pingAll(patience), every);
    r.pingTimer.unref();
    if (r.futures) r.scheduleFunding();
    return r;
  }

  /** Funding at every funding time (server time, the clock-skew fault included), until close. */
  private scheduleFunding(): void {
    const at = this.exchange.nextFundingTimeMs(this.now());
    this.fundingTimer = setTimeout(() => {
      if (this.closed) return;
      this.exchange.fund(at);
      this.scheduleFunding();
    }, Math.max(0, at - this.now()));
    this.fundingTimer.unref();
  }

  get port(): number { return (this.http.address() as AddressInfo).port; }
  get host(): string { return (this.http.address() as AddressInfo).address; }
  get restUrl(): string { return `http://${this.host}:${this.port}`; }
  get wsUrl(): string { return `ws://${this.host}:${this.port}`; }

  /** What the replica serves, by name. */
  urls(): Record<string, string> {
    const base = this.restUrl;
    const ws = this.wsUrl;
    const sym = (this.market.symbols()[0]?.symbol ?? 'BTCUSDT').toLowerCase();
    return this.futures
      ? { rest: `${base}/fapi/v1`, wsApi: `${ws}/ws-fapi/v1`, userData: `${ws}/ws/<listenKey>`, marketStreams: `${ws}/stream?streams=${sym}@bookTicker`, admin: `${base}/__replica/state` }
      : { rest: `${base}/api/v3`, wsApi: `${ws}/ws-api/v3`, marketStreams: `${ws}/stream?streams=${sym}@bookTicker`, admin: `${base}/__replica/state` };
  }

  /** Server time (ms) with the clock-skew fault. */
  now(): number { return Date.now() + this.faults.clockSkewMs; }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.keyTimer !== null) clearInterval(this.keyTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    if (this.fundingTimer !== null) clearTimeout(this.fundingTimer);
    if (this.heldTimer !== null) clearTimeout(this.heldTimer);
    this.ops.close();
    this.streams.closeAll();
    for (const c of this.wss.clients) c.terminate();
    this.wss.close();
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
    await this.market.stop();
    if (this.recorded !== null) await this.recorded.close();
  }

  // ---- routes ----------------------------------------------------------------------------------

  private route(method: string, path: string, security: Security, weight: (p: Params) => number, run: (c: Ctx) => unknown, order = false, trading = false): void {
    this.routes.set(`${method} ${path}`, { security, weight, order, trading, run });
  }

  private spotRoutes(): void {
    const ops = this.ops;
    this.route('GET', '/api/v3/ping', 'NONE', w(1), () => ({}));
    this.route('GET', '/api/v3/time', 'NONE', w(1), (c) => ops.time(c.now));
    this.route('GET', '/api/v3/exchangeInfo', 'NONE', w(20), (c) => ops.exchangeInfo(c.p, c.now));
    this.route('POST', '/api/v3/order', 'SIGNED', w(1), (c) => ops.orderPlace(c.p, c.now), true, true);
    this.route('DELETE', '/api/v3/order', 'SIGNED', w(1), (c) => ops.orderCancel(c.p, c.now), false, true);
    this.route('GET', '/api/v3/order', 'SIGNED', w(4), (c) => ops.orderStatus(c.p));
    this.route('POST', '/api/v3/order/cancelReplace', 'SIGNED', w(1), (c) => ops.cancelReplace(c.p, c.now), true, true);
    this.route('GET', '/api/v3/openOrders', 'SIGNED', (p) => (p.has('symbol') ? 6 : 80), (c) => ops.openOrders(c.p));
    this.route('DELETE', '/api/v3/openOrders', 'SIGNED', w(1), (c) => ops.cancelAll(c.p, c.now), false, true);
    this.route('GET', '/api/v3/myTrades', 'SIGNED', (p) => (p.has('orderId') ? 5 : 20), (c) => ops.myTrades(c.p));
    this.route('GET', '/api/v3/account', 'SIGNED', w(20), (c) => ops.account(c.p));
    this.route('GET', '/api/v3/allOrders', 'SIGNED', w(20), (c) => ops.allOrders(c.p));
    this.route('GET', '/api/v3/rateLimit/order', 'SIGNED', w(40), (c) => this.limiter.orderCounts(c.now));
    const ws = (method: string, security: Security, weight: (p: Params) => number, run: (c: Ctx) => unknown, order = false, trading = false): void => {
      this.wsMethods.set(method, { security, weight, order, trading, run });
    };
    ws('ping', 'NONE', w(1), () => ({}));
    ws('time', 'NONE', w(1), (c) => ops.time(c.now));
    ws('exchangeInfo', 'NONE', w(20), (c) => ops.exchangeInfo(c.p, c.now));
    ws('order.place', 'SIGNED', w(1), (c) => ops.orderPlace(c.p, c.now), true, true);
    ws('order.cancel', 'SIGNED', w(1), (c) => ops.orderCancel(c.p, c.now), false, true);
    ws('order.cancelReplace', 'SIGNED', w(1), (c) => ops.cancelReplace(c.p, c.now), true, true);
    ws('order.status', 'SIGNED', w(4), (c) => ops.orderStatus(c.p));
    ws('openOrders.status', 'SIGNED', (p) => (p.has('symbol') ? 6 : 80), (c) => ops.openOrders(c.p));
    ws('openOrders.cancelAll', 'SIGNED', w(1), (c) => ops.cancelAll(c.p, c.now), false, true);
    ws('account.status', 'SIGNED', w(20), (c) => ops.account(c.p));
    ws('myTrades', 'SIGNED', (p) => (p.has('orderId') ? 5 : 20), (c) => ops.myTrades(c.p));
    ws('allOrders', 'SIGNED', w(20), (c) => ops.allOrders(c.p));
    ws('account.rateLimits.orders', 'SIGNED', w(40), (c) => this.limiter.orderCounts(c.now));
  }

  private futuresRoutes(): void {
    const ops = this.ops;
    this.route('GET', '/fapi/v1/ping', 'NONE', w(1), () => ({}));
    this.route('GET', '/fapi/v1/time', 'NONE', w(1), (c) => ops.time(c.now));
    this.route('GET', '/fapi/v1/exchangeInfo', 'NONE', w(1), (c) => ops.exchangeInfo(c.p, c.now));
    this.route('POST', '/fapi/v1/order', 'SIGNED', w(0), (c) => ops.orderPlace(c.p, c.now), true, true);
    this.route('PUT', '/fapi/v1/order', 'SIGNED', w(0), (c) => ops.orderModify(c.p), true, true);
    this.route('DELETE', '/fapi/v1/order', 'SIGNED', w(1), (c) => ops.orderCancel(c.p, c.now), false, true);
    this.route('GET', '/fapi/v1/order', 'SIGNED', w(1), (c) => ops.orderStatus(c.p));
    this.route('GET', '/fapi/v1/openOrders', 'SIGNED', (p) => (p.has('symbol') ? 1 : 40), (c) => ops.openOrders(c.p));
    this.route('DELETE', '/fapi/v1/allOpenOrders', 'SIGNED', w(1), (c) => ops.cancelAll(c.p, c.now), false, true);
    this.route('GET', '/fapi/v1/userTrades', 'SIGNED', w(5), (c) => ops.myTrades(c.p));
    this.route('GET', '/fapi/v1/allOrders', 'SIGNED', w(5), (c) => ops.allOrders(c.p));
    this.route('GET', '/fapi/v2/positionRisk', 'SIGNED', w(5), (c) => ops.positionRisk(c.p));
    this.route('GET', '/fapi/v3/positionRisk', 'SIGNED', w(5), (c) => ops.positionRiskV3(c.p));
    this.route('GET', '/fapi/v3/account', 'SIGNED', w(5), () => ops.futuresAccount());
    this.route('GET', '/fapi/v1/income', 'SIGNED', w(30), (c) => ops.income(c.p, c.now));
    this.route('GET', '/fapi/v1/premiumIndex', 'NONE', (p) => (p.has('symbol') ? 1 : 10), (c) => ops.premiumIndex(c.p, c.now));
    this.route('GET', '/fapi/v2/balance', 'SIGNED', w(5), () => ops.futuresBalance());
    this.route('GET', '/fapi/v3/balance', 'SIGNED', w(5), () => ops.futuresBalance());
    this.route('POST', '/fapi/v1/countdownCancelAll', 'SIGNED', w(10), (c) => ops.countdownCancelAll(c.p), false, true);
    this.route('POST', '/fapi/v1/listenKey', 'API_KEY', w(1), (c) => this.listenKeyCreate(c.now));
    this.route('PUT', '/fapi/v1/listenKey', 'API_KEY', w(1), (c) => this.listenKeyKeepalive(c.p, c.now));
    this.route('DELETE', '/fapi/v1/listenKey', 'API_KEY', w(1), (c) => this.listenKeyClose(c.p));
    const ws = (method: string, weight: number, run: (c: Ctx) => unknown, order = false, trading = false): void => {
      this.wsMethods.set(method, { security: 'SIGNED', weight: w(weight), order, trading, run });
    };
    this.wsMethods.set('time', { security: 'NONE', weight: w(1), order: false, trading: false, run: (c) => ops.time(c.now) });
    ws('order.place', 0, (c) => ops.orderPlace(c.p, c.now), true, true);
    ws('order.cancel', 1, (c) => ops.orderCancel(c.p, c.now), false, true);
    ws('order.modify', 1, (c) => ops.orderModify(c.p), true, true);
    ws('order.status', 1, (c) => ops.orderStatus(c.p));
  }

  // ---- HTTP ---------------------------------------------------------------------------------

  private reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { ...headers, 'Content-Type': 'application/json;charset=UTF-8', 'Content-Length': String(Buffer.byteLength(text)) });
    res.end(text);
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/__replica') && this.faults.dropRequests > 0) {
      this.faults.dropRequests--;
      req.socket.destroy();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) { req.socket.destroy(); return; }
      chunks.push(c);
    });
    req.on('end', () => {
      try {
        this.handle(req, res, url, Buffer.concat(chunks).toString('utf8'));
      } catch (e) {
        this.reply(res, 500, { code: -1000, msg: e instanceof Error ? e.message : String(e) });
      }
    });
  }

  private handle(req: IncomingMessage, res: ServerResponse, url: URL, body: string): void {
    const method = req.method ?? 'GET';
    const path = url.pathname;
    if (path.startsWith('/__replica/')) {
      if (!isLoopback(req.socket.remoteAddress)) { this.reply(res, 403, { ok: false, error: 'the admin endpoints answer loopback clients only' }); return; }
      this.admin(method, path, body, res, req.socket);
      return;
    }
    const depthPath = this.futures ? '/fapi/v1/depth' : '/api/v3/depth';
    if (path === depthPath && method === 'GET' && this.recorded !== null) { this.proxyRest(req, res); return; }
    const ip = req.socket.remoteAddress ?? '?';
    const now = this.now();
    const rawQuery = url.search.startsWith('?') ? url.search.slice(1) : '';
    let route = this.routes.get(`${method} ${path}`);
    if (path === depthPath && method === 'GET') {
      route = { security: 'NONE', weight: this.futures ? depthWeightFutures : depthWeightSpot, order: false, trading: false, run: (c) => this.depth(c.p) };
    }
    const headers = (withOrders: boolean): Record<string, string> => this.limiter.headers(ip, now, withOrders);
    if (route === undefined) { this.reply(res, 404, err.unknownPath(method, path).body(), headers(false)); return; }
    let outcome: 'normal' | '5xx' | 'timeout' = 'normal';
    try {
      const p = mergeParams(rawQuery, body);
      this.rateLimitFault(now);
      const fail = this.faults.failRequests;
      if (fail.count > 0 && fail.path === path) { fail.count--; throw err.unknownOutcome(fail.status); }
      this.limiter.request(ip, route.weight(p), now);
      const apiKey = headerValue(req.headers['x-mbx-apikey']);
      if (route.security === 'SIGNED') this.auth.verifyRest(apiKey, rawQuery, body, p, now);
      else if (route.security === 'API_KEY') this.auth.key(apiKey);
      if (route.order) this.limiter.order(now);
      if (route.trading) outcome = this.takeUnknownOutcome();
      const result = route.run({ p, now, apiKey });
      this.answer(res, route, outcome, () => this.reply(res, 200, result, headers(route!.order)));
    } catch (e) {
      if (!(e instanceof ReplicaError)) throw e;
      if (route.order) this.countRefusal(e);
      const h = headers(route.order);
      if (e.retryAfterS !== undefined) h['Retry-After'] = String(e.retryAfterS);
      const b = e.status === 418 || e.status === 429 ? { code: e.code, msg: e.message } : e.body();
      this.answer(res, route, outcome, () => this.reply(res, e.status, b, h));
    }
  }

  /** Sends a trading answer through the ack-delay and unknown-outcome faults. */
  private answer(res: ServerResponse, route: Route, outcome: 'normal' | '5xx' | 'timeout', send: () => void): void {
    if (outcome === 'timeout') {
      const t = setTimeout(() => res.socket?.destroy(), this.faults.unknownOutcome.timeoutMs);
      res.on('close', () => clearTimeout(t));
      return;
    }
    const go = outcome === '5xx'
      ? () => this.reply(res, this.faults.unknownOutcome.status, err.unknownOutcome(this.faults.unknownOutcome.status).body())
      : send;
    const delay = route.trading ? this.faults.ackDelayMs : 0;
    if (delay > 0) setTimeout(go, delay); else go();
  }

  private rateLimitFault(now: number): void {
    const f = this.faults.rateLimit429;
    if (f.count <= 0) return;
    f.count--;
    const limit = this.limiter.limits.find((d) => d.rateLimitType === 'REQUEST_WEIGHT');
    throw new ReplicaError(429, -1003, `Too much request weight used; current limit is ${limit?.limit ?? 6000} request weight per 1 MINUTE. Please use WebSocket Streams for live updates to avoid polling the API.`,
      { serverTime: now, retryAfter: now + f.retryAfterS * 1000 }, f.retryAfterS);
  }

  private takeUnknownOutcome(): 'normal' | '5xx' | 'timeout' {
    const u = this.faults.unknownOutcome;
    if (u.count <= 0) return 'normal';
    u.count--;
    return u.mode;
  }

  private depth(p: Params): Record<string, unknown> {
    const symbol = p.get('symbol');
    if (symbol === undefined || symbol === '') throw err.mandatory('symbol');
    const limitText = p.get('limit');
    const limit = limitText === undefined ? (this.futures ? 500 : 100) : Number(limitText);
    if (!Number.isInteger(limit) || limit < 1 || limit > 5000) throw err.illegal('limit', '1..5000');
    // the diff-depth stream catches up first: the snapshot is then the state its next event starts from
    this.streams.flushSymbol(symbol);
    const d = this.market.depth(symbol, limit);
    if (d === undefined) throw err.badSymbol();
    const now = this.now();
    return this.futures ? { lastUpdateId: d.lastUpdateId, E: now, T: now, bids: d.bids, asks: d.asks } : d;
  }

  private proxyRest(req: IncomingMessage, res: ServerResponse): void {
    const up = httpRequest({ host: '127.0.0.1', port: this.recorded!.port, path: req.url ?? '/', method: 'GET' }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on('error', (e) => this.reply(res, 502, { code: -1000, msg: `market data: ${e.message}` }));
    up.end();
  }

  // ---- admin ----------------------------------------------------------------------------------

  private admin(method: string, path: string, body: string, res: ServerResponse, own: Socket): void {
    const bad = (msg: string): void => this.reply(res, 400, { ok: false, error: msg });
    if (path === '/__replica/state' && method === 'GET') {
      this.reply(res, 200, { serverTime: this.now(), market: { kind: this.market.spec.kind, state: this.market.state }, limits: { ...this.limiter.counters }, orderRefusals: Object.fromEntries(this.orderRefusals), ...this.exchange.state() });
      return;
    }
    if (path === '/__replica/info' && method === 'GET') {
      this.reply(res, 200, { futures: this.futures, urls: this.urls(), apiKeys: this.apiKeys.map((k) => k.apiKey), symbols: this.market.symbols().map((s) => s.symbol) });
      return;
    }
    if (path === '/__replica/faults') {
      if (method === 'GET') { this.reply(res, 200, this.faults); return; }
      if (method === 'DELETE') { Object.assign(this.faults, noFaults()); this.reply(res, 200, this.faults); return; }
      if (method === 'POST') {
        let input: unknown;
        try { input = JSON.parse(body); } catch { bad('the body must be JSON'); return; }
        try {
          const a = applyFaults(this.faults, input);
          // after this answer is out, sparing the connection it goes on
          if (a.dropConnections) res.once('finish', () => setImmediate(() => this.dropConnections(own)));
          if (a.expireListenKeys) this.expireListenKeys(true);
          if (a.ban418Ms > 0) this.limiter.ban('*', this.now(), a.ban418Ms);
        } catch (e) {
          bad(e instanceof Error ? e.message : String(e));
          return;
        }
        this.reply(res, 200, this.faults);
        return;
      }
    }
    if (path === '/__replica/grid') {
      if (method === 'GET') { this.reply(res, 200, { symbols: this.exchange.allSymbols().map(gridView) }); return; }
      if (method === 'POST') {
        let sym: ReplicaSymbol | undefined;
        try {
          const o = JSON.parse(body) as { symbol?: unknown; tickSize?: unknown; stepSize?: unknown };
          if (typeof o.symbol !== 'string') throw new Error('symbol is required');
          if (o.tickSize === undefined && o.stepSize === undefined) throw new Error('tickSize or stepSize (decimal strings) is required');
          if (this.recorded !== null) throw new Error('a replayed recording\'s market data is served as recorded: its grid cannot change');
          if ((o.tickSize !== undefined && typeof o.tickSize !== 'string') || (o.stepSize !== undefined && typeof o.stepSize !== 'string')) {
            throw new Error('tickSize and stepSize are decimal strings');
          }
          this.market.setPublishedGrid(o.symbol, o.tickSize, o.stepSize);
          sym = this.exchange.symbol(o.symbol);
          if (sym === undefined) throw new Error(`${o.symbol} does not trade here`);
        } catch (e) {
          bad(e instanceof Error ? e.message : String(e));
          return;
        }
        this.reply(res, 200, { ok: true, ...gridView(sym) });
        return;
      }
    }
    if (path === '/__replica/market' && method === 'POST') {
      try {
        const o = JSON.parse(body) as { symbol?: unknown; bids?: unknown; asks?: unknown; trade?: { side?: unknown; price?: unknown; qty?: unknown } };
        if (typeof o.symbol !== 'string') throw new Error('symbol is required');
        if (o.bids !== undefined || o.asks !== undefined) this.market.setBook(o.symbol, levels(o.bids), levels(o.asks));
        if (o.trade !== undefined) {
          const t = o.trade;
          if ((t.side !== 'BUY' && t.side !== 'SELL') || typeof t.price !== 'string' || typeof t.qty !== 'string') throw new Error('trade needs side BUY|SELL (the aggressor), price and qty strings');
          this.market.trade(o.symbol, t.side, t.price, t.qty);
        }
      } catch (e) {
        bad(e instanceof Error ? e.message : String(e));
        return;
      }
      this.reply(res, 200, { ok: true });
      return;
    }
    this.reply(res, 404, { ok: false, error: `unknown admin endpoint ${method} ${path}` });
  }

  private countRefusal(e: ReplicaError): void {
    if (e.status < 400 || e.status >= 500 || e.status === 418 || e.status === 429) return;
    this.orderRefusals.set(e.code, (this.orderRefusals.get(e.code) ?? 0) + 1);
  }

  private dropConnections(spare: Socket | null): void {
    for (const c of this.wss.clients) c.terminate();
    if (this.recorded !== null) this.recorded.dropConnections();
    for (const s of this.sockets) if (s !== spare) s.destroy();
  }

  // ---- listenKey (USD-M user data) --------------------------------------------------------------

  private listenKeyCreate(now: number): Record<string, unknown> {
    for (const k of this.listenKeys.values()) {
      k.expiresAt = now + this.listenKeyTtlMs;
      return { listenKey: k.key };
    }
    const key = randomBytes(48).toString('base64url').replace(/[-_]/g, 'x').slice(0, 64);
    this.listenKeys.set(key, { key, expiresAt: now + this.listenKeyTtlMs, conns: new Set() });
    return { listenKey: key };
  }

  private listenKeyKeepalive(p: Params, now: number): Record<string, unknown> {
    const only = [...this.listenKeys.values()];
    const named = p.get('listenKey');
    const k = named !== undefined ? this.listenKeys.get(named) : only[0];
    if (k === undefined) throw err.unknownListenKey();
    k.expiresAt = now + this.listenKeyTtlMs;
    return { listenKey: k.key };
  }

  private listenKeyClose(p: Params): Record<string, unknown> {
    const named = p.get('listenKey');
    const k = named !== undefined ? this.listenKeys.get(named) : [...this.listenKeys.values()][0];
    if (k !== undefined) {
      this.listenKeys.delete(k.key);
      for (const c of k.conns) c.close(1000, 'listenKey closed');
    }
    return {};
  }

  /** Expired listenKeys (all with force): a listenKeyExpired event, then the stream stops. Spot subscriptions end with eventStreamTerminated. */
  private expireListenKeys(force: boolean): void {
    const now = this.now();
    for (const k of [...this.listenKeys.values()]) {
      if (!force && k.expiresAt > now) continue;
      this.listenKeys.delete(k.key);
      const ev = JSON.stringify({ e: 'listenKeyExpired', E: now, listenKey: k.key });
      for (const c of k.conns) { c.send(ev); c.close(1000, 'listenKey expired'); }
    }
    if (force) {
      for (const c of this.apiConns) {
        for (const id of c.subs) c.ws.send(JSON.stringify({ subscriptionId: id, event: { e: 'eventStreamTerminated', E: now } }));
        c.subs.clear();
      }
    }
  }

  // ---- user data delivery ----------------------------------------------------------------------

  private userEvent(e: Record<string, unknown>): void {
    const f = this.faults;
    if (f.reorderUserEvents > 0) {
      if (this.held === null) {
        this.held = e;
        this.heldTimer = setTimeout(() => this.flushHeld(), 500);
        return;
      }
      const first = this.held;
      this.held = null;
      if (this.heldTimer !== null) clearTimeout(this.heldTimer);
      f.reorderUserEvents--;
      this.deliver(e);
      this.deliver(first);
      return;
    }
    this.deliver(e);
    if (f.duplicateUserEvents > 0) { f.duplicateUserEvents--; this.deliver(e); }
  }

  private flushHeld(): void {
    const h = this.held;
    this.held = null;
    if (h !== null) this.deliver(h);
  }

  private deliver(e: Record<string, unknown>): void {
    if (this.futures) {
      const text = JSON.stringify(e);
      for (const k of this.listenKeys.values()) for (const c of k.conns) c.send(text);
      return;
    }
    for (const c of this.apiConns) for (const id of c.subs) c.ws.send(JSON.stringify({ subscriptionId: id, event: e }));
  }

  // ---- WebSocket -----------------------------------------------------------------------------

  private pingAll(patienceMs: number): void {
    const now = Date.now();
    for (const ws of this.wss.clients) {
      const last = this.lastPong.get(ws);
      if (last === undefined) { this.lastPong.set(ws, now); ws.on('pong', () => this.lastPong.set(ws, Date.now())); } else if (now - last > patienceMs) { ws.terminate(); continue; }
      ws.ping();
    }
  }

  private onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
      socket.destroy();
    };
    const ip = (socket as Socket).remoteAddress ?? '?';
    const apiPath = this.futures ? '/ws-fapi/v1' : '/ws-api/v3';
    if (path === apiPath) {
      try {
        this.limiter.request(ip, 2, this.now());
      } catch (e) {
        if (e instanceof ReplicaError) { refuse(e.status, e.status === 418 ? 'I\'m a teapot' : 'Too Many Requests'); return; }
        throw e;
      }
      const returnRateLimits = url.searchParams.get('returnRateLimits') !== 'false';
      this.wss.handleUpgrade(req, socket, head, (ws) => this.onApiOpen(ws, ip, returnRateLimits));
      return;
    }
    if (path === '/stream' && this.recorded !== null) { this.proxyUpgrade(req, socket, head); return; }
    let names: string[] | null = null;
    let combined = true;
    if (path === '/stream') names = (url.searchParams.get('streams') ?? '').split('/');
    else if (path.startsWith('/ws/') && path.includes('@')) { names = path.slice(4).split('/'); combined = false; }
    if (names !== null) {
      if (this.recorded !== null) { refuse(404, 'Not Found'); return; }
      if (names.length === 0 || !names.every((n) => MarketStreams.valid(n))) { refuse(400, 'Bad Request'); return; }
      this.wss.handleUpgrade(req, socket, head, (ws) => this.streams.add(ws, names!, combined));
      return;
    }
    if (this.futures && path.startsWith('/ws/')) {
      const k = this.listenKeys.get(path.slice(4));
      if (k === undefined) { refuse(400, 'Bad Request'); return; }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        k.conns.add(ws);
        ws.on('close', () => k.conns.delete(ws));
      });
      return;
    }
    refuse(404, 'Not Found');
  }

  /** Hands a market-stream connection to the internal BinanceProtocolServer as it is. */
  private proxyUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const up = connect(this.recorded!.port, '127.0.0.1', () => {
      let text = `${req.method ?? 'GET'} ${req.url ?? '/'} HTTP/1.1\r\n`;
      for (let i = 0; i < req.rawHeaders.length; i += 2) text += `${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}\r\n`;
      up.write(`${text}\r\n`);
      if (head.length > 0) up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  }

  private onApiOpen(ws: WebSocket, ip: string, returnRateLimits: boolean): void {
    const c: ApiConn = { ws, ip, subs: new Set(), nextSub: 0, returnRateLimits, connectedSince: this.now(), session: null };
    this.apiConns.add(c);
    ws.on('close', () => this.apiConns.delete(c));
    ws.on('error', () => this.apiConns.delete(c));
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (isBinary) return;
      this.onApiMessage(c, data.toString('utf8'));
    });
  }

  private onApiMessage(c: ApiConn, text: string): void {
    let id: unknown = null;
    let method = '';
    let params: Record<string, unknown> = {};
    const now = this.now();
    try {
      const msg = JSON.parse(text) as { id?: unknown; method?: unknown; params?: unknown };
      id = msg.id ?? null;
      if (typeof msg.method !== 'string') throw err.mandatory('method');
      method = msg.method;
      if (msg.params !== undefined) {
        if (typeof msg.params !== 'object' || msg.params === null || Array.isArray(msg.params)) throw err.invalidParam('params');
        params = msg.params as Record<string, unknown>;
      }
    } catch (e) {
      const error = e instanceof ReplicaError ? e : new ReplicaError(400, -1135, 'Invalid JSON: the request is not valid JSON.');
      c.ws.send(JSON.stringify({ id, status: error.status, error: error.body() }));
      return;
    }
    const p = new Map<string, string>();
    for (const [k, v] of Object.entries(params)) p.set(k, typeof v === 'string' ? v : JSON.stringify(v));
    const withLimits = params['returnRateLimits'] === undefined ? c.returnRateLimits : params['returnRateLimits'] === true;
    let route = this.wsMethods.get(method);
    if (method === 'userDataStream.subscribe.signature' && !this.futures) {
      route = { security: 'SIGNED', weight: w(2), order: false, trading: false, run: () => this.subscribe(c) };
    } else if (method === 'userDataStream.unsubscribe' && !this.futures) {
      route = { security: 'NONE', weight: w(2), order: false, trading: false, run: (x) => this.unsubscribe(c, x.p) };
    } else if (method === 'session.subscriptions' && !this.futures) {
      route = { security: 'NONE', weight: w(2), order: false, trading: false, run: () => [...c.subs].map((s) => ({ subscriptionId: s })) };
    } else if (method === 'session.logon' && !this.futures) {
      route = {
        security: 'NONE', weight: w(2), order: false, trading: false,
        run: (x) => { c.session = { apiKey: this.auth.logon(params, x.p, x.now), since: x.now }; return this.sessionStatus(c, x.now); },
      };
    } else if (method === 'session.status' && !this.futures) {
      route = { security: 'NONE', weight: w(2), order: false, trading: false, run: (x) => this.sessionStatus(c, x.now) };
    } else if (method === 'session.logout' && !this.futures) {
      route = { security: 'NONE', weight: w(2), order: false, trading: false, run: (x) => { c.session = null; return this.sessionStatus(c, x.now); } };
    }
    let outcome: 'normal' | '5xx' | 'timeout' = 'normal';
    const send = (status: number, body: Record<string, unknown>, order: boolean): void => {
      const m: Record<string, unknown> = { id, status, ...body };
      if (withLimits) m['rateLimits'] = this.limiter.json(c.ip, now, order);
      const deliver = (): void => { if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(m)); };
      if (outcome === 'timeout') return;
      if (outcome === '5xx') {
        const u = this.faults.unknownOutcome.status;
        const mm: Record<string, unknown> = { id, status: u, error: err.unknownOutcome(u).body() };
        const d = (): void => { if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(mm)); };
        if (this.faults.ackDelayMs > 0) setTimeout(d, this.faults.ackDelayMs); else d();
        return;
      }
      if (route?.trading === true && this.faults.ackDelayMs > 0) setTimeout(deliver, this.faults.ackDelayMs); else deliver();
    };
    if (route === undefined) {
      send(400, { error: { code: -1100, msg: `Illegal characters found in parameter 'method'; legal range is '${[...this.wsMethods.keys()].join(', ')}'.` } }, false);
      return;
    }
    try {
      this.rateLimitFault(now);
      this.limiter.request(c.ip, route.weight(p), now);
      // on a session authenticated by session.logon a SIGNED request may leave out apiKey and signature
      const bySession = c.session !== null && !p.has('apiKey') && !p.has('signature');
      if (route.security === 'SIGNED') {
        if (bySession) this.auth.verifySession(c.session!.apiKey, p, now); else this.auth.verifyWs(params, p, now);
      }
      if (route.order) this.limiter.order(now);
      if (route.trading) outcome = this.takeUnknownOutcome();
      const result = route.run({ p, now, apiKey: bySession ? c.session!.apiKey : p.get('apiKey') });
      send(200, { result }, route.order);
    } catch (e) {
      if (!(e instanceof ReplicaError)) {
        send(500, { error: { code: -1000, msg: e instanceof Error ? e.message : String(e) } }, false);
        return;
      }
      if (route.order) this.countRefusal(e);
      let body = e.body();
      if ((e.status === 429 || e.status === 418) && e.data === undefined) body = { code: e.code, msg: e.message, data: { serverTime: now, retryAfter: now + (e.retryAfterS ?? 1) * 1000 } };
      send(e.status, { error: body }, route.order);
      if (e.status === 418) setTimeout(() => c.ws.terminate(), 10);
    }
  }

  /** session.logon / session.status / session.logout's result (web-socket-api.md "Query session status"). */
  private sessionStatus(c: ApiConn, now: number): Record<string, unknown> {
    return {
      apiKey: c.session?.apiKey ?? null, authorizedSince: c.session?.since ?? null, connectedSince: c.connectedSince,
      returnRateLimits: c.returnRateLimits, serverTime: now, userDataStream: c.subs.size > 0,
    };
  }

  private subscribe(c: ApiConn): Record<string, unknown> {
    if (c.subs.size > 0) throw new ReplicaError(400, -2035, 'User Data Stream subscription already active.');
    const id = c.nextSub++;
    c.subs.add(id);
    return { subscriptionId: id };
  }

  private unsubscribe(c: ApiConn, p: Params): Record<string, unknown> {
    const s = p.get('subscriptionId');
    if (s === undefined) c.subs.clear();
    else if (!c.subs.delete(Number(s))) throw new ReplicaError(400, -2036, 'User Data Stream subscription not active.');
    return {};
  }
}

function isLoopback(a: string | undefined): boolean {
  return a === '127.0.0.1' || a === '::1' || a === '::ffff:127.0.0.1';
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

/** Query string and form body parameters; the query string wins on a name in both (rest-api.md). A name twice in one part is -1101. */
export function mergeParams(rawQuery: string, body: string): Map<string, string> {
  const out = new Map<string, string>();
  const add = (part: string, overwrite: boolean): void => {
    const seen = new Set<string>();
    for (const [k, v] of new URLSearchParams(part)) {
      if (seen.has(k)) throw new ReplicaError(400, -1101, 'Duplicate values for a parameter detected.');
      seen.add(k);
      if (overwrite || !out.has(k)) out.set(k, v);
    }
  };
  add(rawQuery, true);
  add(body, false);
  return out;
}

function levels(v: unknown): Level[] {
  if (v === undefined) return [];
  if (!Array.isArray(v) || !v.every((l) => Array.isArray(l) && l.length === 2 && typeof l[0] === 'string' && typeof l[1] === 'string')) {
    throw new Error('bids and asks must be arrays of ["price","qty"] strings');
  }
  return v as Level[];
}

/** A symbol's published PRICE_FILTER tickSize and LOT_SIZE stepSize (GET|POST /__replica/grid). */
function gridView(s: ReplicaSymbol): { symbol: string; tickSize: string; stepSize: string } {
  return { symbol: s.symbol, tickSize: formatE8(s.filterTickE8, s.pricePrecision), stepSize: formatE8(s.filterLotE8, s.quantityPrecision) };
}
