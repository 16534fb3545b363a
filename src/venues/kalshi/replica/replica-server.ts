// `spreadcore replica kalshi`: a local replica of Kalshi's Trade API v2 on one port —
// REST under /trade-api/v2 and the WebSocket at /trade-api/ws/v2 — with Kalshi's field
// names (fixed-point `*_dollars` / `*_fp`), error bodies {"error":{code,message,details}},
// RSA-PSS signature checks against the public keys it is given, read/write rate limits
// (429), cursor paging, a universe of binary markets (universe.ts) whose books move and
// whose markets settle, matching through the project's PaperExchange, fault injection and
// admin endpoints for tests:
//   GET  /__replica/state                 markets, orders, fills, positions, balance, counters
//   POST /__replica/faults                {seqGaps, disconnect, rejectOrders, failAfterPlace, duplicateFills, failRequests, refuseCancels, omitLevelRemovals, refuseUpdates}
//   POST /__replica/book                  {ticker, yes:[[p,c]], no:[[p,c]]}  (a market's own book)
//   POST /__replica/trade                 {ticker, taker_side, yes_price_dollars, count}
//   POST /__replica/settle                {ticker, result, finalize?} (finalize false: determined only)
import { createPublicKey, type KeyObject } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { DecimalGrid } from '../../../numeric/decimal-grid.js';
import { REST_PREFIX, WS_PATH } from '../endpoints.js';
import { KalshiRateBudget, KALSHI_TIERS, type KalshiTier } from '../rate-budget.js';
import { verifyKalshiSignature } from '../signing.js';
import { fillJson, fp, KalshiReplicaError, orderJson, ReplicaKalshiExchange, type ReplicaOrder, type UserEvent } from './replica-exchange.js';
import { DEFAULT_UNIVERSE, KalshiUniverse, type MarketSpec, type SimMarket } from './universe.js';

const E4 = new DecimalGrid('0.0001');

export interface ReplicaKey { readonly keyId: string; readonly publicKeyPem: string }

export interface KalshiReplicaOptions {
  port?: number;
  host?: string;
  /** 'sim': the default universe with moving books; 'manual': the given markets, books set by hand. */
  market?: 'sim' | 'manual';
  markets?: readonly MarketSpec[];
  seed?: number;
  keys: readonly ReplicaKey[];
  tier?: KalshiTier;
  /** Signed timestamps older or newer than this are refused (ms, default 30 s). */
  maxSkewMs?: number;
  stepMs?: number;
  balanceDollars?: string;
  faults?: Partial<Faults>;
  /** WebSocket ping interval, ms (default 10 000; 0 = none). */
  pingMs?: number;
}

export interface Faults {
  /** The next N order book messages skip a sequence number. */
  seqGaps: number;
  /** The next N order creations are refused (400 order_rejected). */
  rejectOrders: number;
  /** The next N order creations are placed, but answered 500 (the outcome is unknown to the client). */
  failAfterPlace: number;
  /** Every fill message is sent twice. */
  duplicateFills: boolean;
  /** The next N REST requests (any route under /trade-api/v2) are answered 503 without doing anything: Kalshi unavailable. */
  failRequests: number;
  /**
   * The next N cancels (CancelOrderV2, and each order of a batch cancel) are refused and the order
   * keeps resting, as during an exchange pause (no cancels accepted): 503 exchange_unavailable.
   */
  refuseCancels: number;
  /**
   * The next N orderbook_delta messages that take a price level to zero are left out (the
   * sequence numbers stay contiguous): a client's book keeps those levels, as one that missed an
   * update would, and can end up crossed.
   */
  omitLevelRemovals: number;
  /** The next N update_subscription commands that pass validation are answered with error 17 (Internal error) and change nothing. */
  refuseUpdates: number;
}

interface Sub { sid: number; channel: string; tickers: Set<string> | null; seq: number }
interface Conn { ws: WebSocket; authed: boolean; subs: Map<number, Sub> }

const PRIVATE_CHANNELS = new Set(['orderbook_delta', 'fill', 'user_orders', 'market_positions']);
const CHANNELS = new Set(['orderbook_delta', 'trade', 'fill', 'user_orders', 'market_lifecycle_v2', 'ticker']);

/** A CreateOrderV2 body in the exchange's terms (YES side, buy for bid, sell for ask). */
function v2Body(b: Record<string, unknown>): Record<string, unknown> {
  const bad = (f: string, why: string): KalshiReplicaError => new KalshiReplicaError(400, 'invalid_parameters', `${f}: ${why}`);
  if (b['side'] !== 'bid' && b['side'] !== 'ask') throw bad('side', 'bid or ask (the YES book)');
  if (typeof b['count'] !== 'string') throw bad('count', 'a fixed-point count string');
  if (typeof b['price'] !== 'string') throw bad('price', 'a fixed-point dollar string');
  if (b['time_in_force'] === undefined) throw bad('time_in_force', 'required');
  const stp = b['self_trade_prevention_type'];
  if (stp !== 'taker_at_cross' && stp !== 'maker') throw bad('self_trade_prevention_type', 'taker_at_cross or maker (required)');
  if (b['reduce_only'] === true && b['time_in_force'] !== 'immediate_or_cancel') throw bad('reduce_only', 'requires time_in_force immediate_or_cancel');
  return {
    ticker: b['ticker'], client_order_id: b['client_order_id'], side: 'yes', action: b['side'] === 'bid' ? 'buy' : 'sell', count_fp: b['count'],
    yes_price_dollars: b['price'], time_in_force: b['time_in_force'], post_only: b['post_only'] === true,
  };
}

/** CreateOrderV2Response of an order just placed. */
function ackJson(o: ReplicaOrder): Record<string, unknown> {
  return {
    order_id: o.order_id, client_order_id: o.client_order_id, fill_count: fp(o.filled), remaining_count: fp(o.status === 'resting' ? o.initial - o.filled : 0),
    ...(o.filled > 0 ? { average_fill_price: E4.format(o.yesE4), average_fee_paid: E4.format(Number(o.fees_e6 / 100n) / o.filled | 0) } : {}),
    ts_ms: Date.now(),
  };
}

function errorJson(e: unknown): unknown {
  return e instanceof KalshiReplicaError ? e.body()['error'] : { code: 'bad_request', message: String(e), details: '' };
}

function encodeCursor(n: number): string { return Buffer.from(`o:${n}`).toString('base64url'); }
function decodeCursor(c: string | null): number {
  if (c === null || c === '') return 0;
  const m = /^o:(\d+)$/.exec(Buffer.from(c, 'base64url').toString());
  if (m === null) throw new KalshiReplicaError(400, 'invalid_parameters', 'cursor: not a cursor this server gave');
  return Number(m[1]);
}

const FAULT_COUNTS = ['seqGaps', 'rejectOrders', 'failAfterPlace', 'failRequests', 'refuseCancels', 'omitLevelRemovals', 'refuseUpdates'] as const;
const FAULT_KEYS = [...FAULT_COUNTS, 'duplicateFills', 'disconnect'];

/**
 * The faults a POST /__replica/faults body (or --faults) sets; a 400 naming the key for an
 * unknown fault (a misspelt one would inject nothing) or a value of the wrong type.
 */
export function faultsOf(b: Record<string, unknown>): Partial<Faults> & { disconnect?: boolean } {
  const out: Partial<Faults> & { disconnect?: boolean } = {};
  for (const k of Object.keys(b)) if (!FAULT_KEYS.includes(k)) throw new KalshiReplicaError(400, 'invalid_parameters', `unknown fault ${JSON.stringify(k)} (one of ${FAULT_KEYS.join(', ')})`);
  for (const k of FAULT_COUNTS) if (b[k] !== undefined) {
    const v = b[k];
    if (!Number.isInteger(v) || (v as number) < 0) throw new KalshiReplicaError(400, 'invalid_parameters', `${k} must be a non-negative integer`);
    out[k] = v as number;
  }
  for (const k of ['duplicateFills', 'disconnect'] as const) if (b[k] !== undefined) {
    if (typeof b[k] !== 'boolean') throw new KalshiReplicaError(400, 'invalid_parameters', `${k} must be true or false`);
    out[k] = b[k];
  }
  return out;
}

export class KalshiReplica {
  readonly universe: KalshiUniverse;
  readonly exchange: ReplicaKalshiExchange;
  readonly faults: Faults;
  readonly counters = { requests: 0, authFailures: 0, http429: 0, wsConnections: 0, seqGapsInjected: 0, disconnects: 0, requestsFailed: 0, cancelsRefused: 0, levelRemovalsOmitted: 0, updatesRefused: 0 };
  private readonly keys = new Map<string, KeyObject>();
  private readonly server: Server;
  private readonly wss = new WebSocketServer({ noServer: true });
  private readonly conns = new Set<Conn>();
  private readonly budgets = new Map<string, KalshiRateBudget>();
  private readonly published = new Map<string, { yes: Map<number, number>; no: Map<number, number> }>();
  private readonly tier: KalshiTier;
  private readonly maxSkewMs: number;
  private nextSid = 1;
  private nextTradeId = 1;
  private timer: NodeJS.Timeout | null = null;
  private pinger: NodeJS.Timeout | null = null;
  port = 0;

  private constructor(private readonly o: KalshiReplicaOptions) {
    for (const k of o.keys) this.keys.set(k.keyId, createPublicKey(k.publicKeyPem));
    this.tier = o.tier ?? 'basic';
    this.maxSkewMs = o.maxSkewMs ?? 30_000;
    this.faults = { seqGaps: 0, rejectOrders: 0, failAfterPlace: 0, duplicateFills: false, failRequests: 0, refuseCancels: 0, omitLevelRemovals: 0, refuseUpdates: 0, ...o.faults };
    const sim = (o.market ?? 'sim') === 'sim';
    this.universe = new KalshiUniverse(o.markets ?? DEFAULT_UNIVERSE, { simulated: sim, seed: o.seed ?? 1 });
    this.exchange = new ReplicaKalshiExchange(this.universe, o.balanceDollars !== undefined ? { balanceDollars: o.balanceDollars } : {});
    this.exchange.onEvent = (e) => this.userEvent(e);
    this.universe.market.onTrade = (t) => this.publicTrade(t.symbol, t.tick, t.lot, t.buyerAggressor);
    this.server = createServer((req, res) => { this.handle(req, res).catch(() => { if (!res.headersSent) this.send(res, 500, { error: { code: 'internal', message: 'internal error', details: '' } }); }); });
    this.server.on('upgrade', (req, sock, head) => this.upgrade(req, sock, head));
  }

  static async start(o: KalshiReplicaOptions): Promise<KalshiReplica> {
    const r = new KalshiReplica(o);
    r.universe.start();
    await new Promise<void>((resolve, reject) => {
      r.server.once('error', reject);
      r.server.listen(o.port ?? 8092, o.host ?? '127.0.0.1', () => { r.server.off('error', reject); resolve(); });
    });
    r.port = (r.server.address() as AddressInfo).port;
    for (const m of r.universe.markets.values()) r.published.set(m.ticker, { yes: new Map(), no: new Map() });
    r.publishBooks();
    r.timer = setInterval(() => r.tick(), o.stepMs ?? 100);
    const ping = o.pingMs ?? 10_000;
    if (ping > 0) r.pinger = setInterval(() => { for (const c of r.conns) if (c.ws.readyState === 1) c.ws.ping(); }, ping);
    return r;
  }

  get url(): string { return `http://${this.o.host ?? '127.0.0.1'}:${this.port}`; }
  get restBase(): string { return `${this.url}${REST_PREFIX}`; }
  get wsUrl(): string { return `ws://${this.o.host ?? '127.0.0.1'}:${this.port}${WS_PATH}`; }

  async close(): Promise<void> {
    if (this.timer !== null) clearInterval(this.timer);
    if (this.pinger !== null) clearInterval(this.pinger);
    for (const c of this.conns) c.ws.terminate();
    this.wss.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
    this.server.closeAllConnections?.();
    await this.universe.stop();
  }

  private tick(): void {
    try {
      const closing = this.universe.step(Date.now());
      for (const m of closing) this.exchange.settle(m, this.universe.drawResult(m));
      this.publishBooks();
    } catch { /* keep serving */ }
  }

  // ---- auth ----
  /** The key id of a validly signed request, null when unsigned; throws 401 when signed wrongly. */
  private auth(method: string, path: string, h: IncomingMessage['headers']): string | null {
    const key = h['kalshi-access-key'], ts = h['kalshi-access-timestamp'], sig = h['kalshi-access-signature'];
    if (key === undefined && ts === undefined && sig === undefined) return null;
    const fail = (why: string): KalshiReplicaError => { this.counters.authFailures++; return new KalshiReplicaError(401, 'authentication_error', why); };
    if (typeof key !== 'string' || typeof ts !== 'string' || typeof sig !== 'string') throw fail('KALSHI-ACCESS-KEY, KALSHI-ACCESS-TIMESTAMP and KALSHI-ACCESS-SIGNATURE go together');
    const pub = this.keys.get(key);
    if (pub === undefined) throw fail('unknown API key');
    if (!/^\d{13}$/.test(ts) || Math.abs(Date.now() - Number(ts)) > this.maxSkewMs) throw fail('timestamp outside the allowed window');
    if (!verifyKalshiSignature(pub, ts, method, path, sig)) throw fail('invalid signature');
    return key;
  }

  private budget(key: string): KalshiRateBudget {
    let b = this.budgets.get(key);
    if (b === undefined) { b = new KalshiRateBudget({ tier: this.tier, floors: [0, 0, 0, 0], backoffMs: 0 }); this.budgets.set(key, b); }
    return b;
  }

  // ---- HTTP ----
  private send(res: ServerResponse, status: number, body: unknown): void {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  }

  private async body(req: IncomingMessage): Promise<Record<string, unknown>> {
    const chunks: Buffer[] = [];
    let n = 0;
    for await (const c of req) { n += (c as Buffer).length; if (n > 1 << 20) throw new KalshiReplicaError(413, 'payload_too_large', 'body too large'); chunks.push(c as Buffer); }
    if (n === 0) return {};
    try {
      const j = JSON.parse(Buffer.concat(chunks).toString()) as unknown;
      if (j === null || typeof j !== 'object' || Array.isArray(j)) throw new Error();
      return j as Record<string, unknown>;
    } catch { throw new KalshiReplicaError(400, 'invalid_json', 'the body is not a JSON object'); }
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.counters.requests++;
    const u = new URL(req.url ?? '/', 'http://replica');
    const method = req.method ?? 'GET';
    try {
      if (u.pathname.startsWith('/__replica/')) { this.send(res, 200, await this.admin(method, u.pathname, req)); return; }
      if (!u.pathname.startsWith(REST_PREFIX + '/')) throw new KalshiReplicaError(404, 'not_found', 'no such route');
      if (this.faults.failRequests > 0) {
        this.faults.failRequests--;
        this.counters.requestsFailed++;
        throw new KalshiReplicaError(503, 'service_unavailable', 'service unavailable (fault injection)');
      }
      const key = this.auth(method, u.pathname, req.headers);
      const path = u.pathname.slice(REST_PREFIX.length);
      const isPortfolio = path.startsWith('/portfolio/');
      if (isPortfolio && key === null) { this.counters.authFailures++; throw new KalshiReplicaError(401, 'authentication_error', 'this route needs a signed request'); }
      const write = method !== 'GET' && isPortfolio && (path.startsWith('/portfolio/orders') || path.startsWith('/portfolio/events/orders'));
      if (key !== null) {
        const b = await (write ? this.body(req) : Promise.resolve({} as Record<string, unknown>));
        const n = (b['orders'] as unknown[] | undefined)?.length ?? 1;
        // default cost 1 (10 tokens); CancelOrderV2, GetOrder and each batch cancel 0.2 (2 tokens); batch create per order
        const cost = path === '/portfolio/events/orders/batched' ? (method === 'DELETE' ? 0.2 * n : n)
          : (method === 'DELETE' && path.startsWith('/portfolio/events/orders/')) || (method === 'GET' && /^\/portfolio\/orders\/[^/]+$/.test(path)) ? 0.2 : 1;
        if (!this.budget(key).tryTake(write ? 'write' : 'read', cost, 0)) { this.counters.http429++; throw new KalshiReplicaError(429, 'too_many_requests', `rate limit: ${KALSHI_TIERS[this.tier].read} reads / ${KALSHI_TIERS[this.tier].write} writes per second`); }
        this.send(res, ...(await this.route(method, path, u.searchParams, b)));
      } else {
        this.send(res, ...(await this.route(method, path, u.searchParams, method === 'GET' ? {} : await this.body(req))));
      }
    } catch (e) {
      if (e instanceof KalshiReplicaError) { this.send(res, e.status, e.body()); return; }
      this.send(res, 400, { error: { code: 'bad_request', message: e instanceof Error ? e.message : String(e), details: '' } });
    } finally {
      this.publishBooks();
    }
  }

  private limit(q: URLSearchParams, def: number, max: number): number {
    const l = q.get('limit');
    if (l === null) return def;
    const n = Number(l);
    if (!Number.isInteger(n) || n < 1 || n > max) throw new KalshiReplicaError(400, 'invalid_parameters', `limit must be 1-${max}`);
    return n;
  }

  private page<T>(items: T[], q: URLSearchParams, def: number, max: number): { items: T[]; cursor: string } {
    const lim = this.limit(q, def, max);
    const off = decodeCursor(q.get('cursor'));
    const slice = items.slice(off, off + lim);
    return { items: slice, cursor: off + lim < items.length ? encodeCursor(off + lim) : '' };
  }

  private marketJson(m: SimMarket): Record<string, unknown> {
    const shown = this.displayed(m);
    const bestYes = Math.max(0, ...shown.yes.keys());
    const bestNo = Math.max(0, ...shown.no.keys());
    return {
      ticker: m.ticker, event_ticker: m.eventTicker, series_ticker: m.seriesTicker, title: m.spec.title ?? m.ticker, market_type: 'binary',
      status: m.status, result: m.result, open_time: new Date(m.openMs).toISOString(), close_time: new Date(m.closeMs).toISOString(),
      price_level_structure: m.structure,
      price_ranges: m.ranges.map((r) => ({ start: E4.format(r.startE4), end: E4.format(r.endE4), step: E4.format(r.stepE4) })),
      fractional_trading_enabled: false,
      yes_bid_dollars: E4.format(bestYes), yes_ask_dollars: E4.format(bestNo > 0 ? 10000 - bestNo : 10000),
      no_bid_dollars: E4.format(bestNo), no_ask_dollars: E4.format(bestYes > 0 ? 10000 - bestYes : 10000),
      last_price_dollars: E4.format(m.lastTradeE4), volume_fp: fp(m.volume), maker_fees: m.spec.makerFees === true,
    };
  }

  private async route(method: string, path: string, q: URLSearchParams, b: Record<string, unknown>): Promise<[number, unknown]> {
    const ex = this.exchange;
    const seg = path.split('/').filter((s) => s !== '').map(decodeURIComponent);
    const isId = (i: number, s: string): boolean =>
      (i === 1 && (seg[0] === 'markets' || seg[0] === 'events')) ||
      (seg[0] === 'portfolio' && seg[1] === 'orders' && i === 2 && s !== 'batched') ||
      (seg[0] === 'portfolio' && seg[1] === 'events' && seg[2] === 'orders' && i === 3 && s !== 'batched');
    const key = `${method} /${seg.map((s, i) => (isId(i, s) ? ':id' : s)).join('/')}`;
    if (method !== 'GET' && seg[0] === 'portfolio' && seg[1] === 'orders') {
      throw new KalshiReplicaError(410, 'deprecated_v1_order_endpoint', 'the legacy /portfolio/orders order routes are deprecated: use /portfolio/events/orders');
    }
    switch (key) {
      case 'GET /exchange/status': return [200, { exchange_active: true, trading_active: true }];
      case 'GET /markets': {
        let list = [...this.universe.markets.values()];
        const st = q.get('status');
        // the status filter (unopened, open, paused, closed, settled) is not the status field's enum
        const want = (m: SimMarket, f: string): boolean => (f === 'open' ? m.status === 'active' : f === 'closed' ? m.status === 'closed' || m.status === 'determined' : f === 'settled' ? m.status === 'finalized' : m.status === f);
        if (st !== null) list = list.filter((m) => st.split(',').some((f) => want(m, f)));
        const ev = q.get('event_ticker'); if (ev !== null) list = list.filter((m) => m.eventTicker === ev);
        const se = q.get('series_ticker'); if (se !== null) list = list.filter((m) => m.seriesTicker === se);
        const tk = q.get('tickers'); if (tk !== null) { const s = new Set(tk.split(',')); list = list.filter((m) => s.has(m.ticker)); }
        const p = this.page(list, q, 100, 1000);
        return [200, { markets: p.items.map((m) => this.marketJson(m)), cursor: p.cursor }];
      }
      case 'GET /markets/:id': return [200, { market: this.marketJson(this.market(seg[1]!)) }];
      case 'GET /markets/:id/orderbook': {
        const m = this.market(seg[1]!);
        const d = q.get('depth') === null ? 0 : Number(q.get('depth'));
        const shown = this.displayed(m);
        const side = (s: Map<number, number>): Array<[string, string]> => {
          const l = [...s.entries()].sort((a, c) => c[0] - a[0]);
          return (d > 0 ? l.slice(0, d) : l).reverse().map(([pE, n]) => [E4.format(pE), fp(n)]);
        };
        return [200, { orderbook_fp: { yes_dollars: side(shown.yes), no_dollars: side(shown.no) } }];
      }
      case 'GET /events': {
        const events = new Map<string, SimMarket[]>();
        for (const m of this.universe.markets.values()) events.set(m.eventTicker, [...(events.get(m.eventTicker) ?? []), m]);
        const list = [...events.entries()].map(([ev, ms]) => ({ event_ticker: ev, series_ticker: ms[0]!.seriesTicker, title: ms[0]!.spec.title ?? ev, markets_count: ms.length }));
        const p = this.page(list, q, 100, 200);
        return [200, { events: p.items, cursor: p.cursor }];
      }
      case 'POST /portfolio/events/orders': return [201, ackJson(this.createWithFaults(v2Body(b)))];
      case 'POST /portfolio/events/orders/batched': {
        const list = b['orders'];
        if (!Array.isArray(list) || list.length === 0 || list.length > 20) throw new KalshiReplicaError(400, 'invalid_parameters', 'orders: 1-20 orders');
        return [201, { orders: list.map((o) => { try { return { ...ackJson(this.createWithFaults(v2Body(o as Record<string, unknown>))), error: null }; } catch (e) { return { order_id: '', client_order_id: String((o as Record<string, unknown>)['client_order_id'] ?? ''), fill_count: '0.00', remaining_count: '0.00', error: errorJson(e) }; } }) }];
      }
      case 'DELETE /portfolio/events/orders/batched': {
        const list = b['orders'];
        if (!Array.isArray(list) || list.length === 0 || list.length > 20) throw new KalshiReplicaError(400, 'invalid_parameters', 'orders: 1-20 {order_id}');
        return [200, { orders: list.map((x) => { const id = String((x as Record<string, unknown>)?.['order_id'] ?? ''); try { return { ...this.cancelAck(id), error: null }; } catch (e) { return { order_id: id, reduced_by: '0.00', error: errorJson(e) }; } }) }];
      }
      case 'DELETE /portfolio/events/orders/:id': return [200, this.cancelAck(seg[3]!)];
      case 'POST /portfolio/events/orders/:id/decrease': {
        const by = typeof b['reduce_by'] === 'string' ? this.count(b['reduce_by']) : undefined;
        const to = typeof b['reduce_to'] === 'string' ? this.count(b['reduce_to']) : undefined;
        if ((by === undefined) === (to === undefined)) throw new KalshiReplicaError(400, 'invalid_parameters', 'exactly one of reduce_by and reduce_to');
        const o = ex.decrease(seg[3]!, by, to);
        return [200, { order_id: o.order_id, client_order_id: o.client_order_id, remaining_count: fp(o.status === 'resting' ? o.initial - o.filled : 0), ts_ms: Date.now() }];
      }
      case 'POST /portfolio/events/orders/:id/amend': {
        const old = this.order(seg[3]!);
        if (old.status !== 'resting') throw new KalshiReplicaError(404, 'not_found', `order ${old.order_id} is ${old.status}`);
        if (b['client_order_id'] !== undefined && b['client_order_id'] !== old.client_order_id) throw new KalshiReplicaError(400, 'invalid_parameters', 'client_order_id must be the order\'s');
        const total = this.count(b['count']);
        if (total <= old.filled) throw new KalshiReplicaError(400, 'invalid_parameters', 'count is the new total (filled + resting) and must exceed the filled count');
        const side = b['side'];
        if ((side === 'bid') !== ((old.action === 'buy') === (old.side === 'yes'))) throw new KalshiReplicaError(400, 'invalid_parameters', 'side cannot change');
        ex.cancel(old.order_id);
        const n = ex.create({ ticker: old.ticker, side: 'yes', action: side === 'bid' ? 'buy' : 'sell', client_order_id: b['updated_client_order_id'] ?? old.client_order_id + '-a',
          count_fp: fp(total - old.filled), yes_price_dollars: b['price'] });
        return [200, { ...ackJson(n), old_order_id: old.order_id }];
      }
      case 'GET /portfolio/orders': {
        let list = [...ex.orders.values()];
        const t = q.get('ticker'); if (t !== null) list = list.filter((o) => o.ticker === t);
        const s = q.get('status'); if (s !== null) list = list.filter((o) => o.status === s);
        list.reverse();
        const p = this.page(list, q, 100, 1000);
        return [200, { orders: p.items.map(orderJson), cursor: p.cursor }];
      }
      case 'GET /portfolio/orders/:id': return [200, { order: orderJson(this.order(seg[2]!)) }];
      case 'GET /portfolio/fills': {
        let list = [...ex.fills];
        const t = q.get('ticker'); if (t !== null) list = list.filter((f) => f.ticker === t);
        const oid = q.get('order_id'); if (oid !== null) list = list.filter((f) => f.order_id === oid);
        const min = q.get('min_ts'); if (min !== null) list = list.filter((f) => f.ts_ms >= Number(min) * 1000);
        const max = q.get('max_ts'); if (max !== null) list = list.filter((f) => f.ts_ms <= Number(max) * 1000);
        list.reverse();
        const p = this.page(list, q, 100, 1000);
        return [200, { fills: p.items.map((f) => fillJson(f)), cursor: p.cursor }];
      }
      case 'GET /portfolio/positions': {
        let list = [...ex.positions.entries()].filter(([, n]) => n !== 0);
        const t = q.get('ticker'); if (t !== null) list = list.filter(([k]) => k === t);
        const p = this.page(list, q, 100, 1000);
        return [200, { market_positions: p.items.map(([k, n]) => ({ ticker: k, position_fp: n < 0 ? `-${fp(-n)}` : fp(n), position: n })), event_positions: [], cursor: p.cursor }];
      }
      case 'GET /portfolio/balance': return [200, { balance: ex.balanceCents(), balance_dollars: ex.balanceDollars() }];
      case 'GET /portfolio/settlements': {
        const p = this.page([...ex.settlements].reverse(), q, 100, 1000);
        return [200, { settlements: p.items.map((s) => ({ ticker: s.ticker, market_result: s.result, position_fp: s.position < 0 ? `-${fp(-s.position)}` : fp(s.position), revenue_dollars: s.payout, settled_time: new Date(s.ts_ms).toISOString() })), cursor: p.cursor }];
      }
      default: throw new KalshiReplicaError(404, 'not_found', `no route ${method} ${REST_PREFIX}${path}`);
    }
  }

  private count(s: unknown): number {
    const n = typeof s === 'string' ? new DecimalGrid('0.01').toUnitsOrNaN(s) : Number.NaN;
    if (!(n >= 0) || n % 100 !== 0) throw new KalshiReplicaError(400, 'invalid_parameters', 'counts are whole contracts');
    return n / 100;
  }
  private market(t: unknown): SimMarket {
    if (typeof t !== 'string' || t === '') throw new KalshiReplicaError(400, 'invalid_parameters', 'ticker: a market ticker is required');
    const m = this.universe.markets.get(t);
    if (m === undefined) throw new KalshiReplicaError(404, 'market_not_found', `market ${t} not found`);
    return m;
  }
  private order(id: string): ReplicaOrder {
    const o = this.exchange.orders.get(id);
    if (o === undefined) throw new KalshiReplicaError(404, 'not_found', `order ${id} not found`);
    return o;
  }

  private cancelAck(id: string): Record<string, unknown> {
    const before = this.order(id);
    if (this.faults.refuseCancels > 0 && before.status === 'resting') {
      this.faults.refuseCancels--;
      this.counters.cancelsRefused++;
      throw new KalshiReplicaError(503, 'exchange_unavailable', 'the exchange is paused: orders cannot be cancelled now (fault injection)');
    }
    const rem = before.status === 'resting' ? before.initial - before.filled : 0;
    const o = this.exchange.cancel(id);
    return { order_id: o.order_id, client_order_id: o.client_order_id, reduced_by: fp(rem), ts_ms: Date.now() };
  }

  private createWithFaults(b: Record<string, unknown>): ReplicaOrder {
    if (this.faults.rejectOrders > 0) { this.faults.rejectOrders--; throw new KalshiReplicaError(400, 'order_rejected', 'rejected by fault injection'); }
    const o = this.exchange.create(b);
    if (this.faults.failAfterPlace > 0) { this.faults.failAfterPlace--; throw new KalshiReplicaError(500, 'internal_server_error', 'internal error (fault injection: the order was placed)'); }
    return o;
  }

  // ---- admin ----
  private async admin(method: string, path: string, req: IncomingMessage): Promise<unknown> {
    if (method === 'GET' && path === '/__replica/state') return this.state();
    if (method !== 'POST') throw new KalshiReplicaError(404, 'not_found', 'no such admin route');
    const b = await this.body(req);
    switch (path) {
      case '/__replica/faults': {
        const { disconnect, ...set } = faultsOf(b);
        Object.assign(this.faults, set);
        if (disconnect === true) { this.counters.disconnects++; for (const c of this.conns) c.ws.terminate(); }
        return { ok: true, faults: this.faults };
      }
      case '/__replica/book': {
        const t = this.market(b['ticker']).ticker;
        this.universe.setBook(t, (b['yes'] ?? []) as Array<[string, string]>, (b['no'] ?? []) as Array<[string, string]>);
        return { ok: true };
      }
      case '/__replica/trade': {
        const m = this.market(b['ticker']);
        const side = b['taker_side'];
        if (side !== 'yes' && side !== 'no') throw new KalshiReplicaError(400, 'invalid_parameters', 'taker_side: yes or no');
        const p = E4.toUnitsOrNaN(String(b['yes_price_dollars']));
        const c = Number(b['count']);
        if (!(p > 0 && p < 10000) || !Number.isInteger(c) || c <= 0) throw new KalshiReplicaError(400, 'invalid_parameters', 'yes_price_dollars and a whole count');
        this.universe.trade(m.ticker, side, p, c);
        return { ok: true };
      }
      case '/__replica/settle': {
        const m = this.market(b['ticker']);
        const r = b['result'];
        if (r !== 'yes' && r !== 'no') throw new KalshiReplicaError(400, 'invalid_parameters', 'result: yes or no');
        if (b['finalize'] !== undefined && typeof b['finalize'] !== 'boolean') throw new KalshiReplicaError(400, 'invalid_parameters', 'finalize must be true or false');
        this.exchange.settle(m, r, b['finalize'] !== false);
        return { ok: true };
      }
      default: throw new KalshiReplicaError(404, 'not_found', 'no such admin route');
    }
  }

  state(): Record<string, unknown> {
    const ex = this.exchange;
    return {
      markets: [...this.universe.markets.values()].map((m) => ({ ticker: m.ticker, status: m.status, result: m.result, structure: m.structure, close_time: new Date(m.closeMs).toISOString(), fair_dollars: E4.format(m.fairE4) })),
      orders: [...ex.orders.values()].map(orderJson), fills: ex.fills.map((f) => fillJson(f)),
      positions: Object.fromEntries(ex.positions), balance: ex.balanceCents(), balance_dollars: ex.balanceDollars(),
      settlements: ex.settlements, faults: this.faults, counters: this.counters,
      subscriptions: [...this.conns].reduce((n, c) => n + c.subs.size, 0), connections: this.conns.size,
    };
  }

  // ---- WebSocket ----
  private upgrade(req: IncomingMessage, sock: Duplex, head: Buffer): void {
    const u = new URL(req.url ?? '/', 'http://replica');
    const refuse = (code: number, msg: string): void => { sock.write(`HTTP/1.1 ${code} ${msg}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`); sock.destroy(); };
    if (u.pathname !== WS_PATH) { refuse(404, 'Not Found'); return; }
    let key: string | null;
    try { key = this.auth('GET', u.pathname, req.headers); } catch { refuse(401, 'Unauthorized'); return; }
    this.wss.handleUpgrade(req, sock, head, (ws) => {
      const c: Conn = { ws, authed: key !== null, subs: new Map() };
      this.conns.add(c);
      this.counters.wsConnections++;
      ws.on('message', (d) => this.command(c, String(d)));
      ws.on('close', () => this.conns.delete(c));
      ws.on('error', () => undefined);
    });
  }

  private wsSend(c: Conn, o: unknown): void { if (c.ws.readyState === 1) c.ws.send(JSON.stringify(o)); }

  private command(c: Conn, text: string): void {
    let m: { id?: number; cmd?: string; params?: Record<string, unknown> };
    try { m = JSON.parse(text); } catch { this.wsSend(c, { type: 'error', msg: { code: 1, msg: 'Unable to process message' } }); return; }
    const id = m.id;
    const p = m.params;
    if (m.cmd === 'subscribe') {
      if (p === undefined) { this.wsSend(c, { id, type: 'error', msg: { code: 2, msg: 'Params required' } }); return; }
      const chans = p['channels'];
      if (!Array.isArray(chans) || chans.length === 0) { this.wsSend(c, { id, type: 'error', msg: { code: 3, msg: 'Channels required' } }); return; }
      const tl = p['market_tickers'] ?? (typeof p['market_ticker'] === 'string' ? [p['market_ticker']] : undefined);
      const tickers = Array.isArray(tl) ? new Set(tl.map(String)) : null;
      for (const ch of chans) {
        if (!CHANNELS.has(String(ch))) { this.wsSend(c, { id, type: 'error', msg: { code: 8, msg: 'Unknown channel name' } }); continue; }
        if (PRIVATE_CHANNELS.has(String(ch)) && !c.authed) { this.wsSend(c, { id, type: 'error', msg: { code: 9, msg: 'Authentication required' } }); continue; }
        if (ch === 'orderbook_delta' && (tickers === null || tickers.size === 0)) { this.wsSend(c, { id, type: 'error', msg: { code: 11, msg: 'Invalid parameter: market_tickers required' } }); continue; }
        const sub: Sub = { sid: this.nextSid++, channel: String(ch), tickers, seq: 0 };
        c.subs.set(sub.sid, sub);
        this.wsSend(c, { id, type: 'subscribed', msg: { channel: sub.channel, sid: sub.sid } });
        if (sub.channel === 'orderbook_delta') for (const t of tickers!) this.sendSnapshot(c, sub, t);
      }
      return;
    }
    if (m.cmd === 'update_subscription') { this.updateSubscription(c, id, p); return; }
    if (m.cmd === 'unsubscribe') {
      const sids = p?.['sids'];
      if (!Array.isArray(sids) || sids.length === 0) { this.wsSend(c, { id, type: 'error', msg: { code: 4, msg: 'Subscription IDs required' } }); return; }
      for (const s of sids) {
        const sub = c.subs.get(Number(s));
        if (sub === undefined) { this.wsSend(c, { id, type: 'error', msg: { code: 7, msg: 'Unknown subscription ID' } }); continue; }
        c.subs.delete(sub.sid);
        // {id, sid, seq, type:"unsubscribed"}: the answer takes the subscription's next seq, as an update's `ok` does
        this.wsSend(c, { id, sid: sub.sid, seq: ++sub.seq, type: 'unsubscribed' });
      }
      return;
    }
    this.wsSend(c, { id, type: 'error', msg: { code: 5, msg: 'Unknown command' } });
  }

  /** An orderbook_snapshot of one market on an order book subscription (seq continues the subscription's). */
  private sendSnapshot(c: Conn, sub: Sub, ticker: string): void {
    const mk = this.universe.markets.get(ticker);
    if (mk === undefined) return;
    const shown = this.published.get(ticker) ?? this.displayed(mk);
    const lv = (s: Map<number, number>): Array<[string, string]> => [...s.entries()].sort((a, b) => a[0] - b[0]).map(([pe, n]) => [E4.format(pe), fp(n)]);
    this.wsSend(c, { type: 'orderbook_snapshot', sid: sub.sid, seq: ++sub.seq, msg: { market_ticker: ticker, yes_dollars_fp: lv(shown.yes), no_dollars_fp: lv(shown.no) } });
  }

  /**
   * update_subscription on one subscription (`sid`, or `sids` holding exactly one):
   * add_markets / delete_markets change its markets, get_snapshot sends snapshots of markets it
   * holds. Answered {id, sid, seq, type:"ok", msg:{market_tickers}} (the markets after the update;
   * the answer takes the subscription's next seq), then, on an order book subscription, an
   * orderbook_snapshot for each market added or asked for. Errors: 2 params, 15 action, 12 not
   * exactly one sid, 7 unknown sid, 13 unsupported action, 14 no market, 16 unknown market,
   * 11 a subscription without a market list.
   */
  private updateSubscription(c: Conn, id: number | undefined, p: Record<string, unknown> | undefined): void {
    const fail = (code: number, msg: string, extra: Record<string, unknown> = {}): void => { this.wsSend(c, { id, type: 'error', msg: { code, msg, ...extra } }); };
    if (p === undefined) return fail(2, 'Params required');
    const action = p['action'];
    if (action === undefined) return fail(15, 'Action required');
    const sids = p['sids'] ?? (p['sid'] !== undefined ? [p['sid']] : undefined);
    if ((p['sid'] !== undefined && p['sids'] !== undefined) || !Array.isArray(sids) || sids.length !== 1) return fail(12, 'Exactly one subscription ID is required');
    const sub = c.subs.get(Number(sids[0]));
    if (sub === undefined) return fail(7, 'Unknown subscription ID');
    if (action !== 'add_markets' && action !== 'delete_markets' && action !== 'get_snapshot') return fail(13, 'Unsupported action');
    const tl = p['market_tickers'] ?? (typeof p['market_ticker'] === 'string' ? [p['market_ticker']] : undefined);
    if (!Array.isArray(tl) || tl.length === 0) return fail(14, 'Market Ticker required');
    if (sub.tickers === null) return fail(11, 'Invalid parameter: the subscription has no market list');
    const held = sub.tickers;
    const tickers = tl.map(String);
    const unknown = tickers.find((t) => !this.universe.markets.has(t));
    if (unknown !== undefined && action !== 'delete_markets') return fail(16, 'Market not found', { market_ticker: unknown });
    if (this.faults.refuseUpdates > 0) { this.faults.refuseUpdates--; this.counters.updatesRefused++; return fail(17, 'Internal error'); }
    let snapshots: string[] = [];
    if (action === 'add_markets') { snapshots = tickers.filter((t) => !held.has(t)); for (const t of snapshots) held.add(t); }
    else if (action === 'delete_markets') for (const t of tickers) held.delete(t);
    else snapshots = tickers.filter((t) => held.has(t));
    this.wsSend(c, { id, sid: sub.sid, seq: ++sub.seq, type: 'ok', msg: { market_tickers: [...held] } });
    if (sub.channel === 'orderbook_delta') for (const t of snapshots) this.sendSnapshot(c, sub, t);
  }

  private broadcast(channel: string, ticker: string | null, type: string, msg: Record<string, unknown>, times = 1): void {
    for (const c of this.conns) for (const s of c.subs.values()) {
      if (s.channel !== channel || (ticker !== null && s.tickers !== null && !s.tickers.has(ticker))) continue;
      for (let i = 0; i < times; i++) this.wsSend(c, { type, sid: s.sid, seq: ++s.seq, msg });
    }
  }

  /** The book as Kalshi shows it: the market's own levels plus our resting orders. */
  private displayed(m: SimMarket): { yes: Map<number, number>; no: Map<number, number> } {
    const mine = this.exchange.restingLevels(m.ticker);
    for (const [p, n] of m.yes) mine.yes.set(p, (mine.yes.get(p) ?? 0) + n);
    for (const [p, n] of m.no) mine.no.set(p, (mine.no.get(p) ?? 0) + n);
    return mine;
  }

  /** Sends orderbook_delta messages for every level that changed since the last publication. */
  publishBooks(): void {
    const ts = new Date().toISOString();
    for (const m of this.universe.markets.values()) {
      const prev = this.published.get(m.ticker);
      if (prev === undefined) continue;
      const now = this.displayed(m);
      for (const side of ['yes', 'no'] as const) {
        const keys = new Set([...prev[side].keys(), ...now[side].keys()]);
        for (const pE of [...keys].sort((a, b) => a - b)) {
          const d = (now[side].get(pE) ?? 0) - (prev[side].get(pE) ?? 0);
          if (d === 0) continue;
          if (!now[side].has(pE) && this.faults.omitLevelRemovals > 0) { this.faults.omitLevelRemovals--; this.counters.levelRemovalsOmitted++; continue; }
          for (const c of this.conns) for (const s of c.subs.values()) {
            if (s.channel !== 'orderbook_delta' || s.tickers === null || !s.tickers.has(m.ticker)) continue;
            if (this.faults.seqGaps > 0) { this.faults.seqGaps--; this.counters.seqGapsInjected++; s.seq++; }
            this.wsSend(c, { type: 'orderbook_delta', sid: s.sid, seq: ++s.seq, msg: { market_ticker: m.ticker, price_dollars: E4.format(pE), delta_fp: d < 0 ? `-${fp(-d)}` : fp(d), side, ts } });
          }
        }
      }
      this.published.set(m.ticker, now);
    }
  }

  private publicTrade(ticker: string, tick: number, lot: number, buyerAggressor: boolean): void {
    const m = this.universe.markets.get(ticker);
    if (m === undefined) return;
    const yesE4 = this.universe.e4(m, tick);
    this.publishBooks();
    this.broadcast('trade', ticker, 'trade', {
      trade_id: `pub-${this.nextTradeId++}`, market_ticker: ticker, yes_price_dollars: E4.format(yesE4), no_price_dollars: E4.format(10000 - yesE4),
      count_fp: fp(lot), taker_side: buyerAggressor ? 'yes' : 'no', ts: Math.floor(Date.now() / 1000),
    });
  }

  private userEvent(e: UserEvent): void {
    const ticker = String(e.msg['market_ticker'] ?? e.msg['ticker'] ?? '');
    if (e.type === 'fill') this.broadcast('fill', ticker, 'fill', e.msg, this.faults.duplicateFills ? 2 : 1);
    else if (e.type === 'user_order') this.broadcast('user_orders', ticker, 'user_order', e.msg);
    else this.broadcast('market_lifecycle_v2', ticker, 'market_lifecycle_v2', e.msg);
  }
}
