// The Kalshi REST client (Trade API v2): markets, events, order books, orders, fills,
// positions, balance. Every request is signed (signing.ts) — public market data does not
// need it, but a signed read costs nothing more — and paid for from the rate budget first
// (reads and writes separately); a request the budget cannot pay for is not sent
// (KalshiBudgetError). Field names are Kalshi's fixed-point ones: prices `*_dollars`
// strings, counts `*_fp` strings (getting_started/fixed_point_migration); orders use the
// V2 event-order routes (/portfolio/events/orders: side bid|ask on the YES book, count,
// price, time_in_force, self_trade_prevention_type); the legacy /portfolio/orders create
// is deprecated (docs/kalshi.md, "Orders"). Reads stay on /portfolio/orders.
import { describeTransportError } from '../prediction-transport-error.js';
import { KalshiApiError, KalshiBudgetError } from './errors.js';
import { KALSHI_DEMO, REST_PREFIX, type KalshiEndpoints } from './endpoints.js';
import { KalshiPriority, KalshiRateBudget, type BucketName } from './rate-budget.js';
import type { KalshiSigner } from './signing.js';

export type Query = Record<string, string | number | boolean | undefined>;

export interface KalshiMarket {
  ticker: string; event_ticker: string; status: string; close_time?: string;
  price_level_structure?: string; price_ranges?: unknown; result?: string;
  yes_bid_dollars?: string; yes_ask_dollars?: string; [k: string]: unknown;
}
export interface KalshiOrder {
  order_id: string; client_order_id: string; ticker: string; side: 'yes' | 'no'; action: 'buy' | 'sell'; type?: string;
  status: 'resting' | 'canceled' | 'executed' | 'pending'; yes_price_dollars: string; no_price_dollars: string;
  outcome_side?: 'yes' | 'no'; book_side?: BookSide;
  initial_count_fp?: string; fill_count_fp: string; remaining_count_fp: string; post_only?: boolean;
  created_time?: string; last_update_time?: string; [k: string]: unknown;
}
export interface KalshiFill {
  fill_id: string; trade_id: string; order_id: string; client_order_id?: string; ticker: string;
  side: 'yes' | 'no'; action: 'buy' | 'sell'; count_fp: string; yes_price_dollars: string; no_price_dollars: string;
  is_taker: boolean; fee_cost?: string; created_time?: string; ts?: number; [k: string]: unknown;
}
export interface KalshiPosition { ticker: string; position_fp: string; [k: string]: unknown }
export interface OrderbookFp { yes_dollars: Array<[string, string]>; no_dollars: Array<[string, string]> }

export type BookSide = 'bid' | 'ask';

/** CreateOrderV2Request: side on the YES book (bid = buy YES, ask = sell YES), count and price as fixed-point strings. */
export interface CreateOrderV2 {
  ticker: string; client_order_id: string; side: BookSide; count: string; price: string;
  time_in_force: 'good_till_canceled' | 'immediate_or_cancel' | 'fill_or_kill';
  self_trade_prevention_type: 'taker_at_cross' | 'maker';
  post_only?: boolean; reduce_only?: boolean; cancel_order_on_pause?: boolean; expiration_time?: number;
}
/** CreateOrderV2Response (also the amend answer). */
export interface OrderAckV2 {
  order_id: string; client_order_id?: string; fill_count: string; remaining_count: string;
  average_fill_price?: string; average_fee_paid?: string; ts_ms: number;
}
/** CancelOrderV2Response: reduced_by = the count still resting when cancelled. */
export interface CancelAckV2 { order_id: string; client_order_id?: string; reduced_by: string; ts_ms: number }

export interface KalshiRestOptions {
  endpoints?: KalshiEndpoints;
  signer?: KalshiSigner;
  budget?: KalshiRateBudget;
  timeoutMs?: number;
}

export class KalshiRestClient {
  readonly endpoints: KalshiEndpoints;
  readonly budget: KalshiRateBudget;
  private readonly signer: KalshiSigner | undefined;
  private readonly timeoutMs: number;
  readonly counters = { requests: 0, errors: 0, transportErrors: 0 };

  constructor(o: KalshiRestOptions = {}) {
    this.endpoints = o.endpoints ?? KALSHI_DEMO;
    this.signer = o.signer;
    this.budget = o.budget ?? new KalshiRateBudget();
    this.timeoutMs = o.timeoutMs ?? 10_000;
  }

  /** One request. `path` is relative to /trade-api/v2. */
  async request<T>(method: string, path: string, opts: { query?: Query; body?: unknown; bucket?: BucketName; cost?: number; priority?: KalshiPriority } = {}): Promise<T> {
    const bucket = opts.bucket ?? (method === 'GET' ? 'read' : 'write');
    const cost = opts.cost ?? 1;
    const prio = opts.priority ?? KalshiPriority.NORMAL;
    if (!this.budget.tryTake(bucket, cost, prio)) throw new KalshiBudgetError(bucket, this.budget.waitMs(bucket, cost, prio));
    let qs = '';
    if (opts.query !== undefined) {
      const p = new URLSearchParams();
      for (const [k, v] of Object.entries(opts.query)) if (v !== undefined) p.set(k, String(v));
      const s = p.toString();
      if (s !== '') qs = `?${s}`;
    }
    const url = `${this.endpoints.restBase}${path}${qs}`;
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.signer !== undefined) Object.assign(headers, this.signer.headers(method, new URL(url).pathname));
    let body: string | undefined;
    if (opts.body !== undefined) { body = JSON.stringify(opts.body); headers['content-type'] = 'application/json'; }
    this.counters.requests++;
    let res: Response;
    try {
      res = await fetch(url, { method, headers, ...(body !== undefined ? { body } : {}), signal: AbortSignal.timeout(this.timeoutMs) });
    } catch (e) {
      this.counters.transportErrors++;
      throw new KalshiApiError(0, 'transport', describeTransportError(method, url, e, this.timeoutMs));
    }
    const text = await res.text().catch(() => '');
    if (res.status === 429) {
      const ra = Number(res.headers.get('retry-after') ?? '');
      this.budget.on429(Number.isFinite(ra) ? ra : undefined);
    }
    if (!res.ok) {
      this.counters.errors++;
      let code = 'http_error';
      let msg = text.slice(0, 200);
      try {
        const j = JSON.parse(text) as { error?: { code?: string; message?: string } };
        if (j.error !== undefined) { code = String(j.error.code ?? code); msg = String(j.error.message ?? msg); }
      } catch { /* not JSON */ }
      throw new KalshiApiError(res.status, code, msg);
    }
    try {
      return (text === '' ? {} : JSON.parse(text)) as T;
    } catch {
      throw new KalshiApiError(0, 'bad_json', `${method} ${REST_PREFIX}${path}: the answer is not JSON`);
    }
  }

  // ---- market data ----
  getMarkets(q: { limit?: number; cursor?: string; status?: string; event_ticker?: string; series_ticker?: string; tickers?: string; min_close_ts?: number; max_close_ts?: number } = {}): Promise<{ markets: KalshiMarket[]; cursor: string }> {
    return this.request('GET', '/markets', { query: q });
  }
  /**
   * The pages of /markets (cursor paging until the cursor is empty), at most maxPages of them:
   * a listing to pick markets from, which a venue with more open markets than that answers in
   * part (unlike all(), whose lists a reconcile needs whole).
   */
  async getAllMarkets(q: Omit<Parameters<KalshiRestClient['getMarkets']>[0] & object, 'cursor'> = {}, maxPages = 100): Promise<KalshiMarket[]> {
    const out: KalshiMarket[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const page = await this.getMarkets({ ...q, ...(cursor !== undefined ? { cursor } : {}) });
      out.push(...page.markets);
      if (page.cursor === undefined || page.cursor === '') break;
      cursor = page.cursor;
    }
    return out;
  }
  getMarket(ticker: string): Promise<{ market: KalshiMarket }> { return this.request('GET', `/markets/${encodeURIComponent(ticker)}`); }
  getEvents(q: { limit?: number; cursor?: string; status?: string; series_ticker?: string } = {}): Promise<{ events: Array<Record<string, unknown>>; cursor: string }> {
    return this.request('GET', '/events', { query: q });
  }
  getOrderbook(ticker: string, depth?: number): Promise<{ orderbook_fp: OrderbookFp }> {
    return this.request('GET', `/markets/${encodeURIComponent(ticker)}/orderbook`, { query: { depth } });
  }

  // ---- orders (write bucket): the V2 event-order routes ----
  /** POST /portfolio/events/orders (CreateOrderV2): 201 with the order id and what filled at once. */
  createOrder(body: CreateOrderV2, priority: KalshiPriority = KalshiPriority.NORMAL): Promise<OrderAckV2> {
    return this.request('POST', '/portfolio/events/orders', { body, priority });
  }
  /** DELETE /portfolio/events/orders/{id} (CancelOrderV2, 2 tokens): reduced_by = what was still resting. */
  cancelOrder(orderId: string, priority: KalshiPriority = KalshiPriority.CANCEL): Promise<CancelAckV2> {
    return this.request('DELETE', `/portfolio/events/orders/${encodeURIComponent(orderId)}`, { priority, cost: 0.2 });
  }
  /** AmendOrderV2: `count` is the new total (filled + resting); only a size decrease keeps queue position. */
  amendOrder(orderId: string, body: { ticker: string; side: BookSide; price: string; count: string; client_order_id?: string; updated_client_order_id?: string }): Promise<OrderAckV2> {
    return this.request('POST', `/portfolio/events/orders/${encodeURIComponent(orderId)}/amend`, { body });
  }
  /** DecreaseOrderV2: exactly one of reduce_by / reduce_to. */
  decreaseOrder(orderId: string, body: { reduce_by?: string; reduce_to?: string }): Promise<{ order_id: string; client_order_id?: string; remaining_count: string; ts_ms: number }> {
    return this.request('POST', `/portfolio/events/orders/${encodeURIComponent(orderId)}/decrease`, { body, priority: KalshiPriority.CANCEL });
  }
  /** BatchCreateOrdersV2: billed per order. */
  batchCreateOrders(orders: CreateOrderV2[]): Promise<{ orders: Array<OrderAckV2 & { error: { code: string; message: string } | null }> }> {
    return this.request('POST', '/portfolio/events/orders/batched', { body: { orders }, cost: orders.length });
  }
  /** BatchCancelOrdersV2: 2 tokens (0.2 of a default request) per order. */
  batchCancelOrders(ids: string[]): Promise<{ orders: Array<CancelAckV2 & { error: { code: string; message: string } | null }> }> {
    return this.request('DELETE', '/portfolio/events/orders/batched', { body: { orders: ids.map((order_id) => ({ order_id })) }, cost: ids.length * 0.2, priority: KalshiPriority.CANCEL });
  }

  // ---- portfolio (read bucket) ----
  /** GetOrder costs 2 tokens (0.2 of a default request). */
  getOrder(orderId: string): Promise<{ order: KalshiOrder }> { return this.request('GET', `/portfolio/orders/${encodeURIComponent(orderId)}`, { priority: KalshiPriority.TOP_REQUOTE, cost: 0.2 }); }
  getOrders(q: { ticker?: string; status?: string; cursor?: string; limit?: number } = {}): Promise<{ orders: KalshiOrder[]; cursor: string }> {
    return this.request('GET', '/portfolio/orders', { query: q });
  }
  getFills(q: { ticker?: string; order_id?: string; min_ts?: number; max_ts?: number; cursor?: string; limit?: number } = {}): Promise<{ fills: KalshiFill[]; cursor: string }> {
    return this.request('GET', '/portfolio/fills', { query: q });
  }
  getPositions(q: { ticker?: string; cursor?: string; limit?: number } = {}): Promise<{ market_positions: KalshiPosition[]; event_positions?: unknown[]; cursor: string }> {
    return this.request('GET', '/portfolio/positions', { query: q });
  }
  getBalance(): Promise<{ balance: number; balance_dollars?: string }> { return this.request('GET', '/portfolio/balance'); }

  /**
   * Every page of a cursor-paged list, until the cursor is empty, or until a page holds an
   * entry `until` accepts (the pages read so far are answered). A list longer than maxPages
   * pages is an error (KalshiApiError, code "too_many_pages"), never part of it answered as
   * if it were all: a reconcile working from part of the orders or fills would miss some.
   */
  async all<T>(
    fetchPage: (cursor: string | undefined) => Promise<{ cursor: string } & Record<string, unknown>>, key: string, maxPages = 100,
    until?: (entry: T) => boolean,
  ): Promise<T[]> {
    const out: T[] = [];
    let cursor: string | undefined;
    for (let i = 0; i < maxPages; i++) {
      const page = await fetchPage(cursor);
      const entries = (page[key] as T[] | undefined) ?? [];
      out.push(...entries);
      if (page.cursor === undefined || page.cursor === '') return out;
      if (until !== undefined && entries.some(until)) return out;
      cursor = page.cursor;
    }
    throw new KalshiApiError(0, 'too_many_pages', `the ${key} list runs past ${maxPages} pages (${out.length} read): not answered in part`);
  }
}
