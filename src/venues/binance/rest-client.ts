// Signed REST for Binance spot (/api/v3) and USD-M futures (/fapi). Node's fetch (undici),
// no extra dependency. Every answer's rate headers feed the budget; every send first asks
// the budget. Outcomes:
//   2xx                          → the parsed JSON
//   4xx with {"code","msg"}      → BinanceApiError, classified (errors.ts)
//   429 / 418                    → BinanceApiError rate_limited / banned, and the budget blocks until Retry-After
//   5xx, timeout, network error,
//   -1007 / -1006 / -1000        → BinanceApiError unknown_outcome: the caller queries, never resends blindly
//   -1021                        → one clock resync and one retry (clock.ts)
// Sources: rest-api.md "General API Information", "LIMITS", "SIGNED Endpoint security".
import { ServerClock } from './clock.js';
import { BinanceApiError, BinanceError, apiError, retryAfterMs } from './errors.js';
import { DEFAULT_SPOT_LIMITS, DEFAULT_USDM_LIMITS, Priority, RateBudget } from './rate-budget.js';
import { signatureParam, toQueryString, type ParamValue, type RequestSigner } from './signing.js';
import type { BinanceMarket } from './client-order-id.js';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';
export type Params = Record<string, ParamValue | undefined>;

/** What a request costs against the budget, and how much it matters. */
export interface Cost { weight: number; orders?: number; priority?: Priority }

export interface RestClientOptions {
  market: BinanceMarket;
  /** e.g. https://testnet.binance.vision or https://testnet.binancefuture.com (no trailing slash). */
  baseUrl: string;
  signer?: RequestSigner;
  budget?: RateBudget;
  clock?: ServerClock;
  recvWindowMs?: number;
  timeoutMs?: number;
  fetch?: typeof fetch;
  /** USD-M position endpoint: `/fapi/v3/positionRisk` ("Position Information V3", default) or `/fapi/v2/positionRisk`. */
  positionRiskPath?: string;
}

/** The budget refused: nothing was sent. */
export class BudgetRefusedError extends BinanceError {
  constructor(readonly waitMs: number, readonly blocked: boolean) {
    super('BINANCE_ERR_BUDGET', blocked ? `sending is blocked for ${waitMs} ms (429/418 Retry-After)` : `rate budget exhausted for this priority; retry in ${waitMs} ms`);
  }
}

// ---- answer shapes (the fields this client reads) ----
export interface OrderAnswer {
  symbol: string; orderId: number; clientOrderId: string; price: string; origQty: string; executedQty: string;
  status: string; timeInForce: string; type: string; side: string;
  transactTime?: number; updateTime?: number; time?: number; workingTime?: number;
}
export interface SpotTrade {
  symbol: string; id: number; orderId: number; price: string; qty: string; quoteQty: string;
  commission: string; commissionAsset: string; time: number; isBuyer: boolean; isMaker: boolean;
}
export interface UsdmTrade {
  symbol: string; id: number; orderId: number; side: string; price: string; qty: string; quoteQty: string;
  realizedPnl: string; commission: string; commissionAsset: string; time: number; buyer: boolean; maker: boolean;
}
/** GET /fapi/v1/income's records ("Get Income History (USER_DATA)"). */
export interface IncomeAnswer {
  symbol: string; incomeType: string; income: string; asset: string; info: string; time: number; tranId: number | string; tradeId: string;
}
export interface SpotAccount { balances: Array<{ asset: string; free: string; locked: string }> }
export interface PositionRisk { symbol: string; positionAmt: string; entryPrice: string; positionSide: string }

const SPOT = {
  time: '/api/v3/time', exchangeInfo: '/api/v3/exchangeInfo', order: '/api/v3/order', cancelReplace: '/api/v3/order/cancelReplace',
  openOrders: '/api/v3/openOrders', cancelAll: '/api/v3/openOrders', myTrades: '/api/v3/myTrades', account: '/api/v3/account',
} as const;
const USDM = {
  time: '/fapi/v1/time', exchangeInfo: '/fapi/v1/exchangeInfo', order: '/fapi/v1/order', openOrders: '/fapi/v1/openOrders',
  cancelAll: '/fapi/v1/allOpenOrders', userTrades: '/fapi/v1/userTrades', positionRisk: '/fapi/v3/positionRisk', listenKey: '/fapi/v1/listenKey',
  countdownCancelAll: '/fapi/v1/countdownCancelAll', income: '/fapi/v1/income',
} as const;

/** `base&recvWindow=…&timestamp=…&signature=…`: the signed query string or form body of a SIGNED request. */
export function buildSignedQuery(base: string, recvWindowMs: number, timestamp: number, signer: RequestSigner): string {
  const payload = (base.length > 0 ? base + '&' : '') + 'recvWindow=' + recvWindowMs + '&timestamp=' + timestamp;
  return payload + '&signature=' + signatureParam(signer, payload);
}

export class BinanceRestClient {
  readonly market: BinanceMarket;
  readonly clock: ServerClock;
  readonly budget: RateBudget;
  private readonly baseUrl: string;
  private readonly signer: RequestSigner | undefined;
  private readonly timeoutMs: number;
  private readonly doFetch: typeof fetch;
  private readonly positionRiskPath: string;
  /** Counters for metrics. */
  readonly counters = { requests: 0, errors: 0, unknownOutcomes: 0 };

  constructor(opts: RestClientOptions) {
    this.market = opts.market;
    this.baseUrl = opts.baseUrl.replace(/\/+$/, '');
    this.signer = opts.signer;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.doFetch = opts.fetch ?? fetch;
    this.positionRiskPath = opts.positionRiskPath ?? USDM.positionRisk;
    this.clock = opts.clock ?? new ServerClock({ fetchServerTime: () => this.serverTime(), recvWindowMs: opts.recvWindowMs ?? 5000 });
    this.budget = opts.budget ?? new RateBudget({ now: () => this.clock.serverNowMs(), limits: opts.market === 'spot' ? DEFAULT_SPOT_LIMITS : DEFAULT_USDM_LIMITS });
  }

  private get paths() { return this.market === 'spot' ? SPOT : USDM; }

  /** An unsigned request (market data, time, exchangeInfo). */
  async publicRequest<T>(method: HttpMethod, path: string, params: Params, cost: Cost): Promise<T> {
    const qs = toQueryString(params);
    return this.send<T>(method, path, qs, '', false, cost);
  }

  /**
   * A SIGNED request: `timestamp` and `recvWindow` appended, the signature over the
   * query string (GET/DELETE) or the form body (POST/PUT). -1021 → resync + one retry.
   */
  signedRequest<T>(method: HttpMethod, path: string, params: Params, cost: Cost): Promise<T> {
    const signer = this.signer;
    if (signer === undefined) return Promise.reject(new BinanceError('BINANCE_ERR_KEYS', 'no API keys configured for a SIGNED request'));
    const base = toQueryString(params);
    return this.clock.withSkewRetry(() => {
      const signed = buildSignedQuery(base, this.clock.recvWindowMs, this.clock.timestamp(), signer);
      return method === 'GET' || method === 'DELETE'
        ? this.send<T>(method, path, signed, '', true, cost)
        : this.send<T>(method, path, '', signed, true, cost);
    });
  }

  /** A USER_STREAM request: API key header, no signature (USD-M listenKey). */
  private keyedRequest<T>(method: HttpMethod, path: string, params: Params, cost: Cost): Promise<T> {
    if (this.signer === undefined) return Promise.reject(new BinanceError('BINANCE_ERR_KEYS', 'no API key configured'));
    return this.send<T>(method, path, '', toQueryString(params), true, cost);
  }

  private async send<T>(method: HttpMethod, path: string, query: string, body: string, withKey: boolean, cost: Cost): Promise<T> {
    const prio = cost.priority ?? Priority.NORMAL;
    const orders = cost.orders ?? 0;
    if (!this.budget.tryAcquire(cost.weight, orders, prio)) {
      const blocked = this.budget.blockedUntilMs > 0;
      throw new BudgetRefusedError(this.budget.waitMs(cost.weight, orders, prio), blocked);
    }
    const headers: Record<string, string> = {};
    if (withKey && this.signer !== undefined) headers['X-MBX-APIKEY'] = this.signer.apiKey();
    if (body.length > 0) headers['Content-Type'] = 'application/x-www-form-urlencoded';
    const url = this.baseUrl + path + (query.length > 0 ? '?' + query : '');
    this.counters.requests++;
    let res: Response;
    let text: string;
    try {
      res = await this.doFetch(url, { method, headers, body: body.length > 0 ? body : undefined, signal: AbortSignal.timeout(this.timeoutMs) });
      text = await res.text();
    } catch (e) {
      this.counters.errors++; this.counters.unknownOutcomes++;
      const what = e instanceof Error && e.name === 'TimeoutError' ? `no answer within ${this.timeoutMs} ms` : 'network error';
      throw new BinanceApiError(0, 0, `${what} on ${method} ${path}`, 'unknown_outcome');
    }
    this.budget.observeHeaders(res.headers);
    if (res.status >= 200 && res.status < 300) {
      try { return JSON.parse(text) as T; } catch {
        this.counters.errors++; this.counters.unknownOutcomes++;
        throw new BinanceApiError(res.status, 0, `unreadable answer on ${method} ${path}`, 'unknown_outcome');
      }
    }
    this.counters.errors++;
    let code = 0;
    let msg = `HTTP ${res.status}`;
    let data: unknown;
    try {
      const j = JSON.parse(text) as { code?: unknown; msg?: unknown; data?: unknown };
      if (typeof j.code === 'number') code = j.code;
      if (typeof j.msg === 'string') msg = j.msg;
      data = j.data;
    } catch { /* a body that is not JSON (5xx pages) */ }
    const err = apiError(res.status, code, msg, retryAfterMs(res.headers.get('retry-after'), 0), data);
    if (err.cls === 'rate_limited' || err.cls === 'banned') this.budget.onRateLimited(res.status, err.retryAfterMs);
    if (err.cls === 'unknown_outcome') this.counters.unknownOutcomes++;
    throw err;
  }

  // ---- common ----
  async serverTime(): Promise<number> {
    const r = await this.publicRequest<{ serverTime: number }>('GET', this.paths.time, {}, { weight: 1, priority: Priority.CANCEL });
    if (typeof r.serverTime !== 'number') throw new BinanceApiError(200, 0, 'time answer without serverTime', 'rejected');
    return r.serverTime;
  }
  exchangeInfo(symbols?: string[]): Promise<{ rateLimits: unknown[]; symbols: unknown[] }> {
    const params: Params = symbols === undefined || this.market === 'usdm' ? {} : { symbols: JSON.stringify(symbols) };
    return this.publicRequest('GET', this.paths.exchangeInfo, params, { weight: this.market === 'spot' ? 20 : 1, priority: Priority.CANCEL });
  }

  // ---- orders (both markets; the paths differ) ----
  placeOrder(params: Params, priority: Priority = Priority.NORMAL): Promise<OrderAnswer> {
    return this.signedRequest('POST', this.paths.order, params, { weight: this.market === 'spot' ? 1 : 0, orders: 1, priority });
  }
  cancelOrder(symbol: string, ref: { orderId?: number; origClientOrderId?: string }, priority: Priority = Priority.CANCEL): Promise<OrderAnswer> {
    return this.signedRequest('DELETE', this.paths.order, { symbol, orderId: ref.orderId, origClientOrderId: ref.origClientOrderId }, { weight: 1, priority });
  }
  queryOrder(symbol: string, ref: { orderId?: number; origClientOrderId?: string }): Promise<OrderAnswer> {
    return this.signedRequest('GET', this.paths.order, { symbol, orderId: ref.orderId, origClientOrderId: ref.origClientOrderId }, { weight: this.market === 'spot' ? 4 : 1, priority: Priority.CANCEL });
  }
  openOrders(symbol?: string): Promise<OrderAnswer[]> {
    const w = symbol === undefined ? (this.market === 'spot' ? 80 : 40) : (this.market === 'spot' ? 6 : 1);
    return this.signedRequest('GET', this.paths.openOrders, { symbol }, { weight: w, priority: Priority.CANCEL });
  }

  /** Cancels every open order of a symbol (spot DELETE /api/v3/openOrders, USD-M DELETE /fapi/v1/allOpenOrders). */
  cancelAllOpenOrders(symbol: string): Promise<unknown> {
    return this.signedRequest('DELETE', this.paths.cancelAll, { symbol }, { weight: 1, priority: Priority.CANCEL });
  }
  /** The account's trades of one order (spot myTrades / USD-M userTrades with orderId). */
  tradesForOrder(symbol: string, orderId: number): Promise<Array<SpotTrade | UsdmTrade>> {
    return this.market === 'spot'
      ? this.signedRequest('GET', SPOT.myTrades, { symbol, orderId }, { weight: 5, priority: Priority.CANCEL })
      : this.signedRequest('GET', USDM.userTrades, { symbol, orderId }, { weight: 5, priority: Priority.CANCEL });
  }

  // ---- spot only ----
  /** POST /api/v3/order/cancelReplace (rest-api.md "Cancel an Existing Order and Send a New Order"). */
  cancelReplace(params: Params, priority: Priority = Priority.TOP_REQUOTE): Promise<unknown> {
    this.only('spot');
    return this.signedRequest('POST', SPOT.cancelReplace, { cancelReplaceMode: 'STOP_ON_FAILURE', ...params }, { weight: 1, orders: 1, priority });
  }
  myTrades(symbol: string, fromId?: number, limit = 1000): Promise<SpotTrade[]> {
    this.only('spot');
    return this.signedRequest('GET', SPOT.myTrades, { symbol, fromId, limit }, { weight: 20, priority: Priority.CANCEL });
  }
  account(): Promise<SpotAccount> {
    this.only('spot');
    return this.signedRequest('GET', SPOT.account, { omitZeroBalances: 'true' }, { weight: 20, priority: Priority.CANCEL });
  }

  // ---- USD-M only ----
  /** PUT /fapi/v1/order: modify a LIMIT order (price and quantity both required). */
  modifyOrder(params: Params, priority: Priority = Priority.TOP_REQUOTE): Promise<OrderAnswer> {
    this.only('usdm');
    return this.signedRequest('PUT', USDM.order, params, { weight: 1, orders: 1, priority });
  }
  userTrades(symbol: string, fromId?: number, limit = 1000): Promise<UsdmTrade[]> {
    this.only('usdm');
    return this.signedRequest('GET', USDM.userTrades, { symbol, fromId, limit }, { weight: 5, priority: Priority.CANCEL });
  }
  /** GET /fapi/v1/income (weight 30): the account's income history, oldest first; `limit` at most 1000. */
  income(q: { symbol?: string; incomeType?: string; startTime?: number; endTime?: number; page?: number; limit?: number }): Promise<IncomeAnswer[]> {
    this.only('usdm');
    return this.signedRequest('GET', USDM.income, { ...q }, { weight: 30, priority: Priority.CANCEL });
  }
  positionRisk(symbol?: string): Promise<PositionRisk[]> {
    this.only('usdm');
    return this.signedRequest('GET', this.positionRiskPath, { symbol }, { weight: 5, priority: Priority.CANCEL });
  }
  createListenKey(): Promise<{ listenKey: string }> {
    this.only('usdm');
    return this.keyedRequest('POST', USDM.listenKey, {}, { weight: 1, priority: Priority.CANCEL });
  }
  keepAliveListenKey(): Promise<unknown> {
    this.only('usdm');
    return this.keyedRequest('PUT', USDM.listenKey, {}, { weight: 1, priority: Priority.CANCEL });
  }
  closeListenKey(): Promise<unknown> {
    this.only('usdm');
    return this.keyedRequest('DELETE', USDM.listenKey, {}, { weight: 1, priority: Priority.CANCEL });
  }
  /** POST /fapi/v1/countdownCancelAll: the dead-man switch (countdownTime 0 stops it). */
  countdownCancelAll(symbol: string, countdownTimeMs: number): Promise<{ symbol: string; countdownTime: string }> {
    this.only('usdm');
    return this.signedRequest('POST', USDM.countdownCancelAll, { symbol, countdownTime: countdownTimeMs }, { weight: 10, priority: Priority.CANCEL });
  }

  private only(m: BinanceMarket): void {
    if (this.market !== m) throw new BinanceError('BINANCE_ERR_CONFIG', `this endpoint exists on ${m} only`);
  }
}
