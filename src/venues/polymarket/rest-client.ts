// The Polymarket CLOB REST client: public market data (/book, /tick-size, /neg-risk,
// /fee-rate, /version), L1 key derivation, and L2-signed trading (POST /order, POST /orders,
// DELETE /order, DELETE /orders, DELETE /cancel-all, GET /data/order/{id}, /data/orders, /data/trades,
// POST /v1/heartbeats). Trading requests spend the rate budget first and are refused
// locally (BudgetRefusedError, nothing sent) when it cannot pay.
//
// Paths and bodies follow Polymarket/clob-client-v2 src/client.ts: the L2 signature covers
// the path without its query string; DELETE /order's body is {"orderID"}; an order body is
// {order, owner (the API key), orderType, postOnly, deferExec}.
//
// Lists (GET /data/trades, /data/orders, /markets) come in pages {limit, count, next_cursor,
// data}: the first is asked with next_cursor "MA==", each next one with the cursor the last
// answered, and "LTE=" marks the end (clob-client-v2 src/constants.ts INITIAL_CURSOR /
// END_CURSOR and its getTrades / getOpenOrders loops; 100 a page on /data/trades and
// /data/orders per docs.polymarket.com). Every page is read up to a bound; past it the call
// fails (PolymarketPagingError) rather than answer part of the list.
import { SpreadcoreError } from '../../errors.js';
import { describeTransportError } from '../prediction-transport-error.js';
import type { PolymarketCredentials } from './credentials.js';
import { PATHS } from './endpoints.js';
import { l1Headers } from './l1-auth.js';
import { l2Headers } from './l2-auth.js';
import { Priority, RateBudget } from './rate-budget.js';
import type { SignedOrderV2 } from './order-signing.js';

export type OrderType = 'GTC' | 'GTD' | 'FOK' | 'FAK';

export interface BookLevel { readonly price: string; readonly size: string }
export interface BookSummary {
  readonly market: string; readonly asset_id: string; readonly timestamp: string; readonly hash: string;
  readonly bids: BookLevel[]; readonly asks: BookLevel[];
  readonly min_order_size?: string; readonly tick_size?: string; readonly neg_risk?: boolean;
}
export interface OrderResponse {
  readonly success: boolean; readonly errorMsg: string; readonly orderID: string; readonly status: string;
  readonly takingAmount?: string; readonly makingAmount?: string; readonly tradeIDs?: string[]; readonly transactionsHashes?: string[];
}
export interface CancelResponse { readonly canceled: string[]; readonly not_canceled: Record<string, string> }
export interface OpenOrder {
  readonly id: string; readonly status: string; readonly owner: string; readonly maker_address: string; readonly market: string;
  readonly asset_id: string; readonly side: string; readonly original_size: string; readonly size_matched: string; readonly price: string;
  readonly associate_trades: string[]; readonly outcome: string; readonly created_at: number; readonly expiration: string; readonly order_type: string;
}
export interface MakerOrder { readonly order_id: string; readonly owner: string; readonly maker_address: string; readonly matched_amount: string; readonly price: string; readonly asset_id: string; readonly outcome: string; readonly side?: string; readonly fee_rate_bps?: string }
export interface TradeRecord {
  readonly id: string; readonly taker_order_id: string; readonly market: string; readonly asset_id: string; readonly side: 'BUY' | 'SELL';
  readonly size: string; readonly fee_rate_bps: string; readonly price: string; readonly status: string; readonly match_time: string;
  readonly last_update: string; readonly outcome: string; readonly owner: string; readonly maker_address: string;
  readonly maker_orders: MakerOrder[]; readonly transaction_hash?: string; readonly trader_side: 'TAKER' | 'MAKER';
}

/** The filter of GET /data/trades (clob-client-v2 TradeParams): after / before in Unix seconds, as decimal strings. */
export interface TradeQuery { readonly asset_id?: string; readonly id?: string; readonly after?: string; readonly before?: string }

/** A market of GET /markets (clob-client-v2 src/types: the fields the engine reads). */
export interface ClobMarket {
  readonly condition_id: string;
  readonly question?: string;
  readonly market_slug?: string;
  readonly active?: boolean;
  readonly closed?: boolean;
  readonly neg_risk?: boolean;
  readonly minimum_tick_size?: number | string;
  readonly minimum_order_size?: number | string;
  readonly end_date_iso?: string | null;
  readonly fee_schedule?: { rate: string; exponent: number };
  readonly tokens: ReadonlyArray<{ token_id: string; outcome: string; winner?: boolean }>;
}

export class PolymarketApiError extends Error {
  constructor(readonly status: number, readonly errorMsg: string, readonly path: string) {
    super(`Polymarket ${path}: HTTP ${status} ${errorMsg}`);
    this.name = 'PolymarketApiError';
  }
  /** The request may or may not have taken effect (5xx, timeouts are thrown as other errors). */
  get outcomeUnknown(): boolean { return this.status >= 500; }
}

/** The first cursor of a paginated CLOB list (base64 of offset 0). */
export const INITIAL_CURSOR = 'MA==';
/** The cursor that marks the end of a paginated CLOB list (base64 of -1). */
export const END_CURSOR = 'LTE=';

/** One page of a CLOB list. */
export interface ClobPage<T> { readonly data: T[]; readonly next_cursor: string; readonly limit?: number; readonly count?: number }

/** A list longer than the page bound, or a page the client cannot follow: nothing of the list is answered. */
export class PolymarketPagingError extends Error {
  constructor(readonly path: string, why: string) {
    super(`Polymarket ${path}: ${why}`);
    this.name = 'PolymarketPagingError';
  }
}

export class BudgetRefusedError extends Error {
  constructor(readonly bucket: string) { super(`rate budget refused a request (${bucket})`); this.name = 'BudgetRefusedError'; }
}

export interface RestClientOptions {
  baseUrl: string;
  credentials: PolymarketCredentials;
  chainId: number;
  budget?: RateBudget;
  timeoutMs?: number;
  /** Wall clock, ms (the L1/L2 timestamps are its seconds). */
  now?: () => number;
  /** At most this many pages of one list (trades, open orders); default 1000 (100 000 entries at 100 a page). */
  maxPages?: number;
}

export class PolymarketRestClient {
  readonly budget: RateBudget;
  private readonly base: string;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly maxPages: number;

  constructor(private readonly opts: RestClientOptions) {
    this.base = opts.baseUrl.replace(/\/+$/, '');
    this.budget = opts.budget ?? new RateBudget();
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.now = opts.now ?? Date.now;
    this.maxPages = opts.maxPages ?? 1000;
    if (!Number.isSafeInteger(this.maxPages) || this.maxPages < 1) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `maxPages must be a whole number ≥ 1, got ${String(opts.maxPages)}`);
  }

  /**
   * Every entry of a paginated list: from "MA==", each page's next_cursor until "LTE=". Fails
   * with PolymarketPagingError when the list runs past `maxPages` pages, a page is not a page,
   * or a cursor does not move on: never part of a list.
   */
  private async allPages<T>(path: string, query: Record<string, string>, auth: 'l2' | undefined, maxPages: number): Promise<T[]> {
    const out: T[] = [];
    let cursor = INITIAL_CURSOR;
    for (let n = 0; n < maxPages; n++) {
      const page = await this.call<ClobPage<T> | null>('GET', path, { query: { ...query, next_cursor: cursor }, ...(auth !== undefined ? { auth } : {}) });
      if (page === null || typeof page !== 'object' || !Array.isArray(page.data) || typeof page.next_cursor !== 'string') {
        throw new PolymarketPagingError(path, `page ${n + 1} is not a {data, next_cursor} page`);
      }
      out.push(...page.data);
      if (page.next_cursor === END_CURSOR || page.next_cursor === '') return out;
      if (page.next_cursor === cursor) throw new PolymarketPagingError(path, `page ${n + 1} answers its own cursor ${JSON.stringify(cursor)} as the next one`);
      cursor = page.next_cursor;
    }
    throw new PolymarketPagingError(path, `the list runs past ${maxPages} pages (${out.length} entries read); refusing to answer part of it`);
  }

  private async call<T>(method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; auth?: 'l2' | Record<string, string>; bucket?: 'orders' | 'cancels' } = {}): Promise<T> {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (opts.auth === 'l2') {
      const c = this.opts.credentials;
      const address = c.address;
      if (address === null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'L2 requests need the wallet address (POLYMARKET_PRIVATE_KEY)');
      Object.assign(headers, l2Headers(address, c.creds(), Math.floor(this.now() / 1000), method, path, body));
    } else if (opts.auth !== undefined) {
      Object.assign(headers, opts.auth);
    }
    const qs = opts.query === undefined ? '' : `?${new URLSearchParams(opts.query).toString()}`;
    const url = `${this.base}${path}${qs}`;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, body, signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      // not a PolymarketApiError: the outcome of an order sent this way is unknown (queried, never resent)
      throw new Error(`Polymarket ${describeTransportError(method, url, e, this.timeoutMs)}`, { cause: e });
    }
    this.budget.observe(opts.bucket ?? null, res.status, res.headers);
    const text = await res.text();
    let json: unknown = null;
    try { json = text === '' ? null : JSON.parse(text); } catch { json = null; }
    if (!res.ok) {
      const msg = json !== null && typeof json === 'object' && 'error' in json ? String((json as { error: unknown }).error) : text.slice(0, 200);
      throw new PolymarketApiError(res.status, msg, path);
    }
    return json as T;
  }

  // ---- public -------------------------------------------------------------------------
  /** The CLOB's order version (2 = CTF Exchange V2); clob-client-v2 defaults to 2 when absent. */
  async getVersion(): Promise<number> {
    const r = await this.call<{ version?: number } | null>('GET', PATHS.version);
    return r?.version ?? 2;
  }
  getBook(tokenId: string): Promise<BookSummary> { return this.call('GET', PATHS.book, { query: { token_id: tokenId } }); }
  async getTickSize(tokenId: string): Promise<string> {
    const r = await this.call<{ minimum_tick_size: number | string }>('GET', PATHS.tickSize, { query: { token_id: tokenId } });
    return String(r.minimum_tick_size);
  }
  /** GET /markets: one page of the CLOB's markets (cursor "LTE=" = the end). */
  getMarkets(cursor = INITIAL_CURSOR): Promise<ClobPage<ClobMarket>> {
    return this.call('GET', '/markets', { query: { next_cursor: cursor } });
  }
  /** GET /markets/{condition_id}: one market. */
  getMarket(conditionId: string): Promise<ClobMarket> {
    return this.call('GET', `/markets/${encodeURIComponent(conditionId)}`, {});
  }
  /** Every market, following next_cursor; fails (PolymarketPagingError) past `maxPages` pages. */
  getAllMarkets(maxPages = this.maxPages): Promise<ClobMarket[]> {
    return this.allPages<ClobMarket>('/markets', {}, undefined, maxPages);
  }
  async getNegRisk(tokenId: string): Promise<boolean> {
    const r = await this.call<{ neg_risk: boolean }>('GET', PATHS.negRisk, { query: { token_id: tokenId } });
    return r.neg_risk === true;
  }

  // ---- L1 -----------------------------------------------------------------------------
  /** GET /auth/derive-api-key with L1 headers: the API credentials of the wallet and nonce. */
  async deriveApiKey(nonce = 0): Promise<{ apiKey: string; secret: string; passphrase: string }> {
    const h = await l1Headers(this.opts.credentials.account(), this.opts.chainId, Math.floor(this.now() / 1000), nonce);
    return this.call('GET', PATHS.deriveApiKey, { auth: { ...h } });
  }
  async createApiKey(nonce = 0): Promise<{ apiKey: string; secret: string; passphrase: string }> {
    const h = await l1Headers(this.opts.credentials.account(), this.opts.chainId, Math.floor(this.now() / 1000), nonce);
    return this.call('POST', PATHS.createApiKey, { auth: { ...h } });
  }

  // ---- L2 trading ---------------------------------------------------------------------
  private orderBody(order: SignedOrderV2, orderType: OrderType, postOnly: boolean): object {
    return { order, owner: this.opts.credentials.creds().key, orderType, postOnly, deferExec: false };
  }
  async postOrder(order: SignedOrderV2, orderType: OrderType, postOnly: boolean, priority: Priority = Priority.TOP_REQUOTE): Promise<OrderResponse> {
    if (!this.budget.tryTake('orders', 1, priority)) throw new BudgetRefusedError('orders');
    return this.call('POST', PATHS.order, { body: this.orderBody(order, orderType, postOnly), auth: 'l2', bucket: 'orders' });
  }
  async postOrders(orders: ReadonlyArray<{ order: SignedOrderV2; orderType: OrderType }>, postOnly: boolean, priority: Priority = Priority.NORMAL): Promise<OrderResponse[]> {
    if (orders.length === 0) return [];
    if (!this.budget.tryTake('orders', orders.length, priority)) throw new BudgetRefusedError('orders');
    return this.call('POST', PATHS.orders, { body: orders.map((o) => this.orderBody(o.order, o.orderType, postOnly)), auth: 'l2', bucket: 'orders' });
  }
  async cancelOrder(orderId: string): Promise<CancelResponse> {
    if (!this.budget.tryTake('cancels', 1, Priority.CANCEL)) throw new BudgetRefusedError('cancels');
    return this.call('DELETE', PATHS.order, { body: { orderID: orderId }, auth: 'l2', bucket: 'cancels' });
  }
  /** DELETE /orders with the order ids (hashes) as the body: one cancel token per id. */
  async cancelOrders(orderIds: readonly string[]): Promise<CancelResponse> {
    if (orderIds.length === 0) return { canceled: [], not_canceled: {} };
    if (!this.budget.tryTake('cancels', orderIds.length, Priority.CANCEL)) throw new BudgetRefusedError('cancels');
    return this.call('DELETE', PATHS.orders, { body: [...orderIds], auth: 'l2', bucket: 'cancels' });
  }
  async cancelAll(): Promise<CancelResponse> {
    if (!this.budget.tryTake('cancels', 1, Priority.CANCEL)) throw new BudgetRefusedError('cancels');
    const r = await this.call<CancelResponse>('DELETE', PATHS.cancelAll, { auth: 'l2', bucket: 'cancels' });
    this.budget.cancels.charge(r.canceled.length);
    return r;
  }
  getOrder(orderId: string): Promise<OpenOrder | null> { return this.call('GET', `${PATHS.orderById}${orderId}`, { auth: 'l2' }); }
  /** Every open order (of a token when given), all pages of GET /data/orders. */
  getOpenOrders(assetId?: string, maxPages = this.maxPages): Promise<OpenOrder[]> {
    return this.allPages<OpenOrder>(PATHS.openOrders, assetId !== undefined ? { asset_id: assetId } : {}, 'l2', maxPages);
  }
  /**
   * Every trade matching the filter, all pages of GET /data/trades. `after` / `before` are Unix
   * seconds (clob-client-v2 src/types/clob.ts TradeParams), compared with the trade's match_time.
   */
  getTrades(q: TradeQuery = {}, maxPages = this.maxPages): Promise<TradeRecord[]> {
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(q)) if (v !== undefined) query[k] = v;
    return this.allPages<TradeRecord>(PATHS.trades, query, 'l2', maxPages);
  }
  /** One page of GET /data/trades from `cursor`. */
  getTradesPage(q: TradeQuery = {}, cursor = INITIAL_CURSOR): Promise<ClobPage<TradeRecord>> {
    const query: Record<string, string> = { next_cursor: cursor };
    for (const [k, v] of Object.entries(q)) if (v !== undefined) query[k] = v;
    return this.call('GET', PATHS.trades, { auth: 'l2', query });
  }
  /** The dead-man switch: open orders are cancelled when heartbeats stop. Returns the heartbeat id to send next. */
  async heartbeat(heartbeatId = ''): Promise<string> {
    const r = await this.call<{ heartbeat_id?: string }>('POST', PATHS.heartbeat, { body: { heartbeat_id: heartbeatId }, auth: 'l2' });
    return r.heartbeat_id ?? heartbeatId;
  }
}
