// BinanceExecutionVenue: the `Venue` the order manager trades through, for Binance spot and
// USD-M futures. It maps our orders (ticks/lots) to Binance requests (exact decimal strings
// through the instrument's grids), Binance's answers and user-data events back to
// VenueReports, and never loses track of an order:
//
// - post-only is spot `type=LIMIT_MAKER` / USD-M `timeInForce=GTX`; a crossing one
//   (-2010 "Order would immediately match and take." / -5022) → onRejected `post_only_would_cross`.
// - fills are keyed by venue trade id: duplicated or out-of-order user events, REST answers
//   and reconciliation all report each trade once, accepted before filled.
// - an unknown outcome (timeout, 5xx, -1007, dropped connection) is resolved by querying the
//   order by its client id, never by sending it again; a -2013 "Order does not exist." right
//   after placing is only final once seen `notFoundThreshold` times and `notFoundGraceMs` after
//   the send (the venue can briefly not know an order it has just accepted).
// - reconcile() compares open orders, trades since a trade id, balances (spot) or positions
//   (USD-M) with what we know, and returns a report for the engine to act on.
// - cancelAll(symbol) is confirmed with an open-orders query; on USD-M a countdownCancelAll
//   heartbeat runs while the user stream is connected (the venue cancels if we go silent).
//
// The per-order path is lean: grids format ticks/lots, the signer holds pre-built keys, no
// decimal.js (used only for fees charged in the base asset and in reconcile).
import { Decimal } from 'decimal.js';
import type { Instrument } from '../../orderbook/instrument.js';
import { decimalRatio } from '../../strategy/params/param-decimal.js';
import type { Venue, VenueOrder, VenueReports } from '../../execution/venue.js';
import type { Liquidity, OrderSide } from '../../trading/types.js';
import { ClientOrderIdGenerator, isValidClientOrderId, type BinanceMarket } from './client-order-id.js';
import { BinanceApiError, BinanceError, apiError } from './errors.js';
import { fillUnits } from './fill-units.js';
import { isGridRefusal } from './grid-refusal.js';
import { readSymbolsExchangeInfo } from './exchange-info.js';
import { checkOrder, rulesFromExchangeInfo, type SymbolRules } from './filters.js';
import { Priority } from './rate-budget.js';
import { BudgetRefusedError, type BinanceRestClient, type OrderAnswer, type Params, type SpotTrade, type UsdmTrade } from './rest-client.js';
import { parseSpotUserEvent, parseUsdmUserEvent, type FuturesAccountUpdate, type OrderUpdate, type UserEvent } from './user-events.js';
import type { BinanceWsApiClient } from './ws-api-client.js';
import type { ListenKeyStream } from './listen-key-stream.js';

/** Where orders and cancels go: the REST client or the WebSocket API client (same methods). */
export interface OrderEntry {
  placeOrder(params: Params, priority: Priority): Promise<OrderAnswer>;
  cancelOrder(symbol: string, ref: { orderId?: number; origClientOrderId?: string }, priority: Priority): Promise<OrderAnswer>;
  /** Spot `order.cancelReplace` (REST `POST /api/v3/order/cancelReplace`), STOP_ON_FAILURE. */
  cancelReplace?(params: Params, priority: Priority): Promise<unknown>;
}

/** The answer to a cancel-replace, and the `data` of its -2021 / -2022 errors (rest-api.md "Cancel an Existing Order and Send a New Order"). */
interface ReplaceResult {
  cancelResult: 'SUCCESS' | 'FAILURE';
  newOrderResult: 'SUCCESS' | 'FAILURE' | 'NOT_ATTEMPTED';
  cancelResponse: unknown;
  newOrderResponse: unknown;
}

function isReplaceResult(x: unknown): x is ReplaceResult {
  if (x === null || typeof x !== 'object') return false;
  const r = x as Record<string, unknown>;
  return (r['cancelResult'] === 'SUCCESS' || r['cancelResult'] === 'FAILURE')
    && (r['newOrderResult'] === 'SUCCESS' || r['newOrderResult'] === 'FAILURE' || r['newOrderResult'] === 'NOT_ATTEMPTED');
}

/** The error one part of a cancel-replace answered (`{"code","msg"}`), as if that part had been sent alone. */
function partError(resp: unknown, status: number): BinanceApiError {
  const r = (resp ?? {}) as { code?: unknown; msg?: unknown };
  const code = typeof r.code === 'number' ? r.code : 0;
  return apiError(status === 409 ? 400 : status, code, typeof r.msg === 'string' ? r.msg : 'cancel-replace part failed');
}

export interface BinanceVenueOptions {
  market: BinanceMarket;
  rest: BinanceRestClient;
  /** Order entry; the REST client when absent. */
  orderEntry?: OrderEntry;
  /** Symbol rules from exchangeInfo (or call loadExchangeInfo()). */
  rules?: Map<string, SymbolRules>;
  name?: string;
  /** Venue client ids from a journal-persisted prefix/sequence; without it the order manager's ids are used (and must match the venue's pattern). */
  clientIds?: ClientOrderIdGenerator;
  /** Budget priority of an order (default TOP_REQUOTE). */
  priorityOf?: (order: VenueOrder) => Priority;
  /**
   * PERCENT_PRICE reference per symbol, in the engine's ticks (converted to the exchange's
   * like an order's price); NaN skips the rule.
   */
  refPriceTick?: (symbol: string) => number;
  /**
   * How much wider than the exchange's PERCENT_PRICE band the local check is, as a fraction
   * of each bound (default 0: the band itself): room for a reference (the engine's mid) that
   * is not the one Binance compares with, so the local check never refuses an order Binance
   * would take because the two references differ by less than that.
   */
  refPriceMargin?: number;
  /**
   * The price (the engine's ticks) a market order of a side would meet: the book's best ask
   * for a buy, best bid for a sell; NaN when unknown. A USD-M market exit's notional is
   * estimated from it (a market order has no price of its own).
   */
  marketPriceTick?: (symbol: string, side: OrderSide) => number;
  notFoundThreshold?: number;
  notFoundGraceMs?: number;
  /** Delay before (re)querying an order whose outcome is unknown. */
  queryDelayMs?: number;
  /** Local wall clock, ms. */
  now?: () => number;
  /** How long a closed order (and its trade ids) is remembered for late or duplicated events; default 10 min. */
  retainClosedMs?: number;
  /**
   * The engine's instrument of a symbol, when its grids are finer than the exchange's
   * (the book's quantity grid on spot is finer than the order LOT_SIZE): orders arrive
   * in the engine's ticks/lots and are converted to the exchange's (an order that is not
   * a whole number of exchange steps is refused locally), fills are reported back in
   * the engine's. Without it the two grids are the same.
   */
  engineInstrument?: (symbol: string) => Instrument | undefined;
  /**
   * Spot: a cancel and a new order of the same symbol and side made in one synchronous run
   * (a requote: the order diff cancels a level, then places its replacement) go out as one
   * `order.cancelReplace` (STOP_ON_FAILURE): one request, one signature, one unit of the
   * order budget instead of two requests. Cancels wait until the end of the run to be
   * paired; those left alone go out then, as plain cancels. Default true when the order
   * entry has cancelReplace (spot); false sends every cancel and order on its own.
   */
  cancelReplace?: boolean;
}

/** The trade id a fill is reported and journaled under: Binance trade ids are per symbol. */
export function binanceTradeKey(symbol: string, tradeId: number): string {
  return `${symbol}:${tradeId}`;
}

/** How many engine units make one exchange unit (tick or lot); NaN when the exchange step is not a whole number of engine steps. */
function unitRatio(exchangeStep: string, engineStep: string): number {
  const r = decimalRatio(exchangeStep, engineStep);
  return Number.isInteger(r) && r >= 1 ? r : Number.NaN;
}

type Phase = 'sending' | 'unknown' | 'open' | 'closed';

interface Tracked {
  readonly orderId: string;
  readonly clientId: string;
  readonly symbol: string;
  readonly rules: SymbolRules;
  readonly order: VenueOrder;
  readonly postOnly: boolean;
  venueOrderId: number;
  phase: Phase;
  accepted: boolean;
  cancelWanted: boolean;
  cancelInFlight: boolean;
  cancelAttempts: number;
  filledLots: number;
  notFound: number;
  sentMs: number;
  queryAttempts: number;
  resolveTimer: NodeJS.Timeout | null;
  closedMs: number;
  readonly tradeKeys: string[];
  /** Engine ticks / lots per exchange tick / lot (1 when the grids are the same). */
  readonly tickMul: number;
  readonly lotMul: number;
  /** The instrument whose ticks / lots the order was sent in (the engine's, else the exchange's). */
  readonly engine: Instrument;
}

export interface ReconcileOptions {
  symbols?: string[];
  /** Trades after this id (exclusive) per symbol are fetched; absent → trades of tracked orders only. */
  sinceTradeId?: Record<string, number>;
  /** Spot: expected total (free + locked) per asset. */
  expectedBalances?: Record<string, string>;
  /** USD-M: expected net position per symbol (signed decimal string). */
  expectedPositions?: Record<string, string>;
}

export interface ReconcileReport {
  readonly market: BinanceMarket;
  readonly atMs: number;
  /** Open at the venue, unknown to us (not ours, or lost by a crash): the engine cancels or adopts them. */
  readonly unknownToUs: Array<{ symbol: string; venueOrderId: number; clientOrderId: string; side: string; price: string; origQty: string; executedQty: string; status: string }>;
  /** We thought them open; the venue does not list them. Each was queried; `status` is what the venue said (or NOT_FOUND). */
  readonly missingAtVenue: Array<{ orderId: string; clientOrderId: string; symbol: string; status: string }>;
  /** Trades we had not seen; `applied` when reported to the order manager as a fill of a known order. */
  readonly missedFills: Array<{ symbol: string; tradeId: number; venueOrderId: number; orderId: string | null; price: string; qty: string; applied: boolean }>;
  /** The highest trade id seen per symbol (persist it for the next reconcile). */
  readonly lastTradeId: Record<string, number>;
  readonly balanceMismatches: Array<{ asset: string; expected: string; venue: string }>;
  readonly positionMismatches: Array<{ symbol: string; expected: string; venue: string }>;
  readonly ok: boolean;
}

/**
 * The new-order params of an order: ticks/lots as exact decimal strings on the symbol's
 * grids; post-only = spot `type=LIMIT_MAKER` (no timeInForce) / USD-M `timeInForce=GTX`
 * (rest-api.md "New order"; USDⓈ-M "New Order (TRADE)").
 */
export function orderParams(market: BinanceMarket, order: VenueOrder, inst: Instrument, clientId: string): Params {
  const isMarket = order.type === 'MARKET';
  const postOnly = order.timeInForce === 'POST_ONLY';
  return {
    symbol: order.symbol, side: order.side,
    type: isMarket ? 'MARKET' : postOnly && market === 'spot' ? 'LIMIT_MAKER' : 'LIMIT',
    timeInForce: isMarket ? undefined : postOnly ? (market === 'spot' ? undefined : 'GTX') : order.timeInForce,
    quantity: inst.qty.format(order.qtyLot),
    price: isMarket ? undefined : inst.price.format(order.priceTick),
    newClientOrderId: clientId,
    newOrderRespType: 'RESULT',
  };
}

/**
 * A USD-M market exit whose notional at the book's price is below MIN_NOTIONAL × this goes out
 * reduce-only: the price Binance checks the notional at may differ from the book's by then.
 */
const MARKET_NOTIONAL_MARGIN = 1.05;

/** A cancel refused before reaching the venue waits at least this long before it is sent again. */
const CANCEL_RETRY_MIN_MS = 100;
/** … and this long when the WebSocket API connection is down (it reconnects with its own backoff). */
const CANCEL_RETRY_OFFLINE_MS = 500;

const NO_REPORTS: VenueReports = {
  onAccepted() {}, onRejected() {}, onFill() {}, onCancelled() {}, onCancelRejected() {},
};

export class BinanceExecutionVenue implements Venue {
  readonly name: string;
  readonly market: BinanceMarket;
  private readonly rest: BinanceRestClient;
  private readonly entry: OrderEntry;
  private rules: Map<string, SymbolRules>;
  private readonly clientIds: ClientOrderIdGenerator | undefined;
  private readonly priorityOf: (o: VenueOrder) => Priority;
  private readonly refPriceTick: (symbol: string) => number;
  private readonly refPriceMargin: number;
  private readonly marketPriceTick: (symbol: string, side: OrderSide) => number;
  private readonly engineInstrument: ((symbol: string) => Instrument | undefined) | undefined;
  private readonly notFoundThreshold: number;
  private readonly notFoundGraceMs: number;
  private readonly queryDelayMs: number;
  private readonly now: () => number;
  private reports: VenueReports = NO_REPORTS;
  private readonly byOrderId = new Map<string, Tracked>();
  private readonly byClientId = new Map<string, Tracked>();
  private readonly byVenueId = new Map<string, Tracked>();
  private readonly seenTrades = new Set<string>();
  /** Engine ticks / lots per exchange tick / lot, per symbol, for the instruments they were computed from. */
  private readonly gridRatios = new Map<string, { engine: Instrument; exchange: Instrument; tickMul: number; lotMul: number }>();
  private readonly lastTrade: Record<string, number> = {};
  private heartbeat: NodeJS.Timeout | null = null;
  /** While a reconcile runs: every fill it reports. */
  private collect: ReconcileReport['missedFills'] | null = null;
  private reconcileListeners: Array<() => void> = [];
  private readonly untrackedFillListeners: Array<(symbol: string, clientOrderId: string, venueOrderId: number) => void> = [];
  private readonly gridRefusalListeners: Array<(symbol: string) => void> = [];
  private readonly fundingListeners: Array<(ev: FuturesAccountUpdate) => void> = [];
  /** Closed orders in closing order; forgotten `retainClosedMs` after closing (late events for them count as foreign). */
  private readonly closedQueue: Tracked[] = [];
  private closedHead = 0;
  private readonly retainClosedMs: number;
  /** The order entry's cancel-replace when requotes are paired (spot), else null. */
  private readonly replaceEntry: ((params: Params, priority: Priority) => Promise<unknown>) | null;
  /** Cancels of this synchronous run waiting to be paired with a new order of the same side (sent alone at its end). */
  private readonly held: Tracked[] = [];
  private flushScheduled = false;
  /** close() was called: nothing is scheduled any more. */
  private closed = false;
  private readonly flushHeld = (): void => {
    this.flushScheduled = false;
    const h = this.held;
    for (let i = 0; i < h.length; i++) this.releaseHeld(h[i]!);
    h.length = 0;
  };
  /** Counters for metrics. */
  readonly counters = {
    replaces: 0, submitted: 0, rejectedLocally: 0, postOnlyRejects: 0, unknownOutcomes: 0, queries: 0, duplicateFills: 0,
    foreignEvents: 0, badEvents: 0, lateFills: 0, otherAssetFees: 0, heartbeats: 0, heartbeatFailures: 0,
    /** Cancels sent again after the budget, a 429/418 or a closed connection kept them from the venue. */
    cancelRetries: 0,
    /** Orders the venue refused for a price or quantity off the symbol's tick or step (grid-refusal.ts). */
    gridRefusals: 0,
    /** Fills of orders sent on a grid the venue has since changed, off the current grid: reported at the nearest tick / lot (fill-units.ts). */
    offGridFills: 0,
  };

  constructor(opts: BinanceVenueOptions) {
    this.market = opts.market;
    this.name = opts.name ?? (opts.market === 'spot' ? 'binance' : 'binance-usdm');
    this.rest = opts.rest;
    this.entry = opts.orderEntry ?? opts.rest;
    this.rules = opts.rules ?? new Map();
    this.clientIds = opts.clientIds;
    this.priorityOf = opts.priorityOf ?? (() => Priority.TOP_REQUOTE);
    this.refPriceTick = opts.refPriceTick ?? (() => Number.NaN);
    this.refPriceMargin = opts.refPriceMargin ?? 0;
    this.marketPriceTick = opts.marketPriceTick ?? (() => Number.NaN);
    this.notFoundThreshold = opts.notFoundThreshold ?? 3;
    this.notFoundGraceMs = opts.notFoundGraceMs ?? 5000;
    this.queryDelayMs = opts.queryDelayMs ?? 500;
    this.now = opts.now ?? Date.now;
    this.retainClosedMs = opts.retainClosedMs ?? 10 * 60_000;
    this.engineInstrument = opts.engineInstrument;
    const entry = this.entry;
    this.replaceEntry = opts.market === 'spot' && opts.cancelReplace !== false && typeof entry.cancelReplace === 'function'
      ? (params, priority) => entry.cancelReplace!(params, priority) : null;
  }

  // ---- Venue ----
  nowNs(): number { return Math.round(this.rest.clock.serverNowMs()) * 1e6; }
  /** The instrument whose ticks/lots orders and reports use: the engine's when given (engineInstrument), else the exchange's. */
  instrument(symbol: string): Instrument | undefined {
    const rules = this.rules.get(symbol);
    if (rules === undefined) return undefined;
    return this.engineInstrument?.(symbol) ?? rules.instrument;
  }
  connect(reports: VenueReports): void { this.reports = reports; }

  /**
   * Loads symbol rules and rate limits from exchangeInfo. Without `symbols`, every entry
   * (one that cannot be read fails the load). With them (readSymbolsExchangeInfo): spot asks
   * for those symbols only, an entry of another symbol that cannot be read is skipped, and
   * the answer says which of them the venue does not list.
   */
  async loadExchangeInfo(symbols?: readonly string[]): Promise<{ unlisted: string[]; skipped: number; firstSkipped: string | null }> {
    if (symbols === undefined) {
      const info = await this.rest.exchangeInfo();
      this.rules = rulesFromExchangeInfo(info, this.market === 'spot' ? 'spot' : 'perp');
      if (Array.isArray(info.rateLimits)) this.rest.budget.setLimits(info.rateLimits as never);
      return { unlisted: [], skipped: 0, firstSkipped: null };
    }
    const r = await readSymbolsExchangeInfo(this.rest, symbols);
    this.rules = r.rules;
    if (r.rateLimits !== null) this.rest.budget.setLimits(r.rateLimits as never);
    return { unlisted: r.unlisted, skipped: r.skipped, firstSkipped: r.firstSkipped };
  }
  setRules(rules: Map<string, SymbolRules>): void { this.rules = rules; }
  /**
   * The symbol's rules read again from exchangeInfo (the venue changed its tick or step size
   * while we run): orders from now on are converted, checked and sent on them; orders already
   * sent keep the rules they were sent with.
   */
  setSymbolRules(symbol: string, rules: SymbolRules): void {
    if (rules.symbol !== symbol) throw new BinanceError('BINANCE_ERR_CONFIG', `rules of ${rules.symbol} given for ${symbol}`);
    const next = new Map(this.rules);
    next.set(symbol, rules);
    this.rules = next;
    this.gridRatios.delete(symbol);
  }
  /** The exchange's rules of a symbol (assets, grids, filters), as exchangeInfo gave them. */
  symbolRules(symbol: string): SymbolRules | undefined { return this.rules.get(symbol); }

  submit(input: VenueOrder): void {
    let order = input;
    const ts = this.nowNs();
    if (this.closedQueue.length > 0) this.prune();
    if (this.byOrderId.has(order.orderId)) return; // the same order twice: already in hand
    const rules = this.rules.get(order.symbol);
    if (rules === undefined) { this.counters.rejectedLocally++; this.reports.onRejected(order.orderId, 'unknown_symbol', ts); return; }
    const isMarket = order.type === 'MARKET';
    let tickMul = 1;
    let lotMul = 1;
    const eng = this.engineInstrument?.(order.symbol);
    if (eng !== undefined && eng !== rules.instrument) {
      // the grid ratios of this pair of instruments, computed once (decimal arithmetic) and reused per order
      let g = this.gridRatios.get(order.symbol);
      if (g === undefined || g.engine !== eng || g.exchange !== rules.instrument) {
        g = { engine: eng, exchange: rules.instrument, tickMul: unitRatio(rules.instrument.tickSize, eng.tickSize), lotMul: unitRatio(rules.instrument.lotSize, eng.lotSize) };
        this.gridRatios.set(order.symbol, g);
      }
      tickMul = g.tickMul;
      lotMul = g.lotMul;
      if (Number.isNaN(tickMul) || Number.isNaN(lotMul)) { this.counters.rejectedLocally++; this.reports.onRejected(order.orderId, 'grid_mismatch', ts); return; }
      const exTick = isMarket ? order.priceTick : order.priceTick / tickMul;
      const exLot = order.qtyLot / lotMul;
      if (!isMarket && !Number.isInteger(exTick)) { this.counters.rejectedLocally++; this.reports.onRejected(order.orderId, 'filter_price_tick', ts); return; }
      if (!Number.isInteger(exLot)) { this.counters.rejectedLocally++; this.reports.onRejected(order.orderId, 'filter_lot_size', ts); return; }
      order = { ...order, priceTick: exTick, qtyLot: exLot };
    }
    const ref = this.refPriceTick(order.symbol) / tickMul;
    // USD-M takes an order below MIN_NOTIONAL only as reduce-only (-4164 "…unless you choose
    // reduce only"): an exit of a small position goes out with reduceOnly=true. Larger exits
    // go without the flag: the venue's one-way position nets every account of the engine, so
    // one account's exit need not reduce it (Binance would refuse it, -2022)
    const smallExit = this.market === 'usdm' && order.reduceOnly === true
      && (isMarket ? this.smallMarketExit(order, rules, tickMul) : order.priceTick * order.qtyLot < rules.minNotionalUnits);
    const why = checkOrder(rules, order.side, isMarket, order.priceTick, order.qtyLot, ref, smallExit, this.refPriceMargin);
    if (why !== null) { this.counters.rejectedLocally++; this.reports.onRejected(order.orderId, why, ts); return; }
    const clientId = this.clientIds !== undefined ? this.clientIds.next() : order.clientOrderId;
    if (!isValidClientOrderId(clientId, this.market) || this.byClientId.has(clientId)) {
      this.counters.rejectedLocally++; this.reports.onRejected(order.orderId, 'bad_client_order_id', ts); return;
    }
    const postOnly = order.timeInForce === 'POST_ONLY';
    const t: Tracked = {
      orderId: order.orderId, clientId, symbol: order.symbol, rules, order, postOnly, venueOrderId: -1, phase: 'sending',
      accepted: false, cancelWanted: false, cancelInFlight: false, cancelAttempts: 0, filledLots: 0, notFound: 0,
      sentMs: this.now(), queryAttempts: 0, resolveTimer: null, closedMs: 0, tradeKeys: [], tickMul, lotMul, engine: eng ?? rules.instrument,
    };
    this.byOrderId.set(order.orderId, t);
    this.byClientId.set(clientId, t);
    this.counters.submitted++;
    const params = orderParams(this.market, order, rules.instrument, clientId);
    if (smallExit) params['reduceOnly'] = 'true';
    const old = this.held.length > 0 ? this.pairHeld(order, isMarket) : null;
    if (old !== null) { this.sendReplace(old, t, params, this.priorityOf(order)); return; }
    this.entry.placeOrder(params, this.priorityOf(order)).then((a) => this.applySnapshot(t, a), (e) => this.onPlaceError(t, e)).catch(() => undefined);
  }

  /**
   * A USD-M market exit (exchange lots) is small when its notional at the price it would meet
   * is below MIN_NOTIONAL with a margin of MARKET_NOTIONAL_MARGIN (Binance checks it at its own
   * price, which may have moved), or when that price is unknown.
   */
  private smallMarketExit(order: VenueOrder, rules: SymbolRules, tickMul: number): boolean {
    const price = this.marketPriceTick(order.symbol, order.side) / tickMul;
    if (!(price > 0 && Number.isFinite(price))) return true;
    return price * order.qtyLot < rules.minNotionalUnits * MARKET_NOTIONAL_MARGIN;
  }

  cancel(orderId: string): void {
    const t = this.byOrderId.get(orderId);
    if (t === undefined) { this.reports.onCancelRejected(orderId, 'unknown_order', this.nowNs()); return; }
    if (t.phase === 'closed') { this.reports.onCancelRejected(orderId, 'already_closed', this.nowNs()); return; }
    t.cancelWanted = true;
    if (t.cancelInFlight) return;
    if (this.replaceEntry !== null && t.phase === 'open' && t.venueOrderId >= 0) {
      // held to the end of this run: a new order of the same side may take it along (cancelReplace)
      t.cancelInFlight = true;
      this.held.push(t);
      if (!this.flushScheduled) { this.flushScheduled = true; process.nextTick(this.flushHeld); }
      return;
    }
    this.sendCancel(t);
  }

  /** A held cancel goes out on its own (no new order took it along). */
  private releaseHeld(t: Tracked): void {
    t.cancelInFlight = false;
    if (t.phase !== 'closed' && t.cancelWanted) this.sendCancel(t);
  }

  /**
   * The held cancel a new order replaces: same symbol and side, the same quote level first.
   * Held cancels of the other side that the new order could trade with (a new bid at or
   * above a held ask, a market order) are sent first, on their own, so a replacement never
   * goes out ahead of the cancel of an order it could match.
   */
  private pairHeld(order: VenueOrder, isMarket: boolean): Tracked | null {
    const h = this.held;
    let pick = -1;
    for (let i = 0; i < h.length; i++) {
      const o = h[i]!;
      if (o.symbol !== order.symbol) continue;
      if (o.order.side !== order.side) {
        const crosses = isMarket || (order.side === 'BUY' ? order.priceTick >= o.order.priceTick : order.priceTick <= o.order.priceTick);
        if (crosses) { h.splice(i, 1); i--; this.releaseHeld(o); }
        continue;
      }
      if (isMarket) continue;
      if (pick < 0 || (o.order.level === order.level && h[pick]!.order.level !== order.level)) pick = i;
    }
    if (pick < 0) return null;
    const o = h[pick]!;
    h.splice(pick, 1);
    return o;
  }

  /** One order.cancelReplace: cancel `old` (by its venue id), then place `t`. */
  private sendReplace(old: Tracked, t: Tracked, params: Params, priority: Priority): void {
    old.cancelAttempts++;
    this.counters.replaces++;
    params['cancelOrderId'] = old.venueOrderId;
    this.replaceEntry!(params, priority).then((r) => this.onReplaced(old, t, r), (e) => this.onReplaceError(old, t, e)).catch(() => undefined);
  }

  private onReplaced(old: Tracked, t: Tracked, r: unknown): void {
    old.cancelInFlight = false;
    if (!isReplaceResult(r)) {
      // an answer we cannot read: learn both orders' states by queries
      const e = new BinanceApiError(200, 0, 'unreadable cancel-replace answer', 'unknown_outcome');
      this.onCancelError(old, e);
      this.onPlaceError(t, e);
      return;
    }
    void this.applySnapshot(old, r.cancelResponse as OrderAnswer);
    void this.applySnapshot(t, r.newOrderResponse as OrderAnswer);
  }

  private onReplaceError(old: Tracked, t: Tracked, e: unknown): void {
    old.cancelInFlight = false;
    if (e instanceof BinanceApiError && (e.binanceCode === -2021 || e.binanceCode === -2022) && isReplaceResult(e.data)) {
      const d = e.data;
      if (d.cancelResult === 'SUCCESS') void this.applySnapshot(old, d.cancelResponse as OrderAnswer);
      else this.onCancelError(old, partError(d.cancelResponse, e.status));
      if (d.newOrderResult === 'SUCCESS') void this.applySnapshot(t, d.newOrderResponse as OrderAnswer);
      else if (d.newOrderResult === 'NOT_ATTEMPTED') this.reject(t, 'replace_cancel_failed', this.nowNs());
      else this.onPlaceError(t, partError(d.newOrderResponse, e.status));
      return;
    }
    // nothing is known of either part (no answer, the budget, not connected, the request refused as a whole)
    this.onCancelError(old, e);
    this.onPlaceError(t, e);
  }

  // ---- reports, each at most once per order / trade ----
  private accept(t: Tracked, tsNs: number): void {
    if (t.accepted || t.phase === 'closed') return;
    t.accepted = true;
    if (t.phase !== 'open') t.phase = 'open';
    this.reports.onAccepted(t.orderId, tsNs);
  }
  private reject(t: Tracked, reason: string, tsNs: number): void {
    if (t.phase === 'closed') return;
    if (t.accepted) { this.closeCancelled(t, reason, tsNs); return; }
    this.markClosed(t);
    if (reason === 'post_only_would_cross') this.counters.postOnlyRejects++;
    this.reports.onRejected(t.orderId, reason, tsNs);
  }
  private closeCancelled(t: Tracked, reason: string, tsNs: number): void {
    if (t.phase === 'closed') return;
    t.cancelWanted = false; // whatever closed it, a cancel still wanted has nothing left to do (no later "already closed")
    this.accept(t, tsNs);
    this.markClosed(t);
    this.reports.onCancelled(t.orderId, reason, tsNs);
  }
  private fill(t: Tracked, tradeId: number, price: string, qty: string, commission: string, commissionAsset: string | null, maker: boolean, tsNs: number): boolean {
    const key = t.symbol + ':' + tradeId;
    if (this.seenTrades.has(key)) { this.counters.duplicateFills++; return false; }
    const inst = t.rules.instrument;
    const ticks = inst.price.toUnitsOrNaN(price);
    const lots = inst.qty.toUnitsOrNaN(qty);
    if (Number.isNaN(ticks) || Number.isNaN(lots) || lots <= 0) { this.counters.badEvents++; return false; }
    this.seenTrades.add(key);
    t.tradeKeys.push(key);
    if ((this.lastTrade[t.symbol] ?? -1) < tradeId) this.lastTrade[t.symbol] = tradeId;
    if (t.phase === 'closed') this.counters.lateFills++;
    else this.accept(t, tsNs);
    t.filledLots += lots;
    this.collect?.push({ symbol: t.symbol, tradeId, venueOrderId: t.venueOrderId, orderId: t.orderId, price, qty, applied: true });
    const liquidity: Liquidity = maker ? 'MAKER' : 'TAKER';
    let engTicks = ticks * t.tickMul;
    let engLots = lots * t.lotMul;
    // the symbol was redefined since the order went out (the venue changed its grid): the fill in the current units
    const current = this.engineInstrument !== undefined ? this.engineInstrument(t.symbol) : this.rules.get(t.symbol)?.instrument;
    if (current !== undefined && current !== t.engine) {
      const u = fillUnits(current, price, qty);
      engTicks = u.ticks;
      engLots = u.lots;
      if (!u.exact) this.counters.offGridFills++;
    }
    this.reports.onFill(t.orderId, binanceTradeKey(t.symbol, tradeId), engTicks, engLots, this.feeInQuote(t.rules, commission, commissionAsset, price), liquidity, tsNs);
    if (t.filledLots >= t.order.qtyLot && t.phase !== 'closed') this.markClosed(t);
    return true;
  }

  /**
   * Fee in the quote currency: quote-asset fees (a USD-M commission in the contract's quote
   * and margin asset) as is, spot base-asset fees × price; other assets (BNB, spot's discount
   * and USD-M's BNB fee deduction alike) are counted and reported as 0, never taken as quote.
   */
  private feeInQuote(r: SymbolRules, commission: string, asset: string | null, price: string): string {
    if (asset === null || asset === '' || /^0(\.0*)?$/.test(commission)) return '0';
    if (asset === r.quoteAsset) return commission;
    if (this.market === 'spot' && asset === r.baseAsset) return new Decimal(commission).mul(price).toFixed();
    this.counters.otherAssetFees++;
    return '0';
  }

  // ---- answers ----
  private track(t: Tracked, venueOrderId: number): void {
    if (t.venueOrderId === venueOrderId) return;
    t.venueOrderId = venueOrderId;
    this.byVenueId.set(t.symbol + ':' + venueOrderId, t);
  }

  /** An order as the venue reports it (place/cancel/query answers, open orders). */
  private async applySnapshot(t: Tracked, a: OrderAnswer): Promise<void> {
    if (typeof a?.orderId === 'number') this.track(t, a.orderId);
    t.notFound = 0;
    const ts = (a.updateTime ?? a.transactTime ?? a.workingTime ?? 0) > 0 ? (a.updateTime ?? a.transactTime ?? a.workingTime)! * 1e6 : this.nowNs();
    const executed = t.rules.instrument.qty.toUnitsOrNaN(a.executedQty ?? '0');
    const missing = executed > t.filledLots;
    const status = a.status;
    // an ACK answer (no status; newOrderRespType=ACK) says only that the order was taken
    const open = status === 'NEW' || status === 'PARTIALLY_FILLED' || status === 'PENDING_NEW' || typeof status !== 'string';
    if (open || status === 'FILLED') {
      if (t.phase === 'sending' || t.phase === 'unknown') t.phase = 'open';
      this.accept(t, ts);
      if (missing) await this.fetchFills(t);
      if (open && t.cancelWanted && !t.cancelInFlight && t.phase !== 'closed') this.sendCancel(t);
      return;
    }
    const close = (): void => {
      if (status === 'REJECTED') this.reject(t, 'rejected', ts);
      else if (status === 'EXPIRED' && t.postOnly && !t.accepted && t.filledLots === 0) this.reject(t, 'post_only_would_cross', ts); // USD-M GTX
      else if (status === 'EXPIRED_IN_MATCH') this.closeCancelled(t, 'self_trade_prevention', ts);
      else this.closeCancelled(t, status === 'EXPIRED' ? 'expired' : 'cancelled', ts);
    };
    if (missing) await this.fetchFills(t);
    close();
  }

  private onPlaceError(t: Tracked, e: unknown): void {
    const ts = this.nowNs();
    if (e instanceof BudgetRefusedError) { this.reject(t, e.blocked ? 'rate_limited' : 'rate_budget', ts); return; }
    if (e instanceof BinanceError && e.code === 'BINANCE_ERR_CLOSED') { this.reject(t, 'not_connected', ts); return; }
    if (e instanceof BinanceApiError && e.cls !== 'unknown_outcome') {
      this.reject(t, e.cls === 'rate_limited' || e.cls === 'banned' ? 'rate_limited' : e.reason, ts);
      if (isGridRefusal(e)) {
        this.counters.gridRefusals++;
        for (const cb of this.gridRefusalListeners) {
          try { cb(t.symbol); } catch { /* a listener's failure must not stop the order's report */ }
        }
      }
      return;
    }
    // unknown outcome: the order may be live. Query it by client id; never send it again.
    t.phase = 'unknown';
    this.counters.unknownOutcomes++;
    this.scheduleResolve(t, this.queryDelayMs);
  }

  private sendCancel(t: Tracked): void {
    if (t.cancelAttempts >= 5) { t.cancelWanted = false; this.reports.onCancelRejected(t.orderId, 'cancel_attempts_exhausted', this.nowNs()); return; }
    t.cancelInFlight = true;
    t.cancelAttempts++;
    const ref = t.venueOrderId >= 0 ? { orderId: t.venueOrderId } : { origClientOrderId: t.clientId };
    this.entry.cancelOrder(t.symbol, ref, Priority.CANCEL).then(
      (a) => { t.cancelInFlight = false; return this.applySnapshot(t, a); },
      (e) => { t.cancelInFlight = false; this.onCancelError(t, e); },
    ).catch(() => undefined);
  }

  private onCancelError(t: Tracked, e: unknown): void {
    if (t.phase === 'closed') { if (t.cancelWanted) { t.cancelWanted = false; this.reports.onCancelRejected(t.orderId, 'already_closed', this.nowNs()); } return; }
    // refused before the matching engine (the budget, a 429/418, no connection): the order is
    // still live at the venue and the cancel still wanted; it goes out again once sending is
    // allowed. (Reported as refused, the order would stay live with its strategy already past it.)
    if (e instanceof BudgetRefusedError) { this.retryCancelLater(t, e.waitMs); return; }
    if (e instanceof BinanceError && e.code === 'BINANCE_ERR_CLOSED') { this.retryCancelLater(t, CANCEL_RETRY_OFFLINE_MS); return; }
    if (e instanceof BinanceApiError && (e.cls === 'rate_limited' || e.cls === 'banned')) {
      this.retryCancelLater(t, Math.max(e.retryAfterMs, this.rest.budget.waitMs(1, 0, Priority.CANCEL)));
      return;
    }
    // the place is still in flight: its answer (or the query after an unknown outcome)
    // sees cancelWanted and sends the cancel again; a query now could not tell "not yet
    // there" from "never will be"
    if (t.phase === 'sending') return;
    // -2011 / -2013 / unknown outcome: learn the order's state by a query; an open order
    // with cancelWanted gets the cancel again (a cancel is safe to repeat), a closed one
    // reports its close and then the cancel's refusal.
    if (e instanceof BinanceApiError && e.cls !== 'unknown_outcome' && t.phase === 'open') {
      void this.resolve(t).then(() => {
        if (t.phase !== 'closed' && t.cancelWanted && !t.cancelInFlight) { t.cancelWanted = false; this.reports.onCancelRejected(t.orderId, e.reason, this.nowNs()); }
        else if (t.phase === 'closed' && t.cancelWanted) { t.cancelWanted = false; this.reports.onCancelRejected(t.orderId, 'already_closed', this.nowNs()); }
      });
      return;
    }
    this.scheduleResolve(t, this.queryDelayMs);
  }

  /** A cancel that never reached the matching engine, sent again after delayMs (it does not count as an attempt). */
  private retryCancelLater(t: Tracked, delayMs: number): void {
    t.cancelAttempts--;
    if (this.closed) return;
    this.counters.cancelRetries++;
    if (t.resolveTimer !== null) return; // a query is due: an open order with cancelWanted gets the cancel from it
    t.resolveTimer = setTimeout(() => {
      t.resolveTimer = null;
      // while the place is in flight its answer sends the cancel
      if (t.phase === 'closed' || t.phase === 'sending' || !t.cancelWanted || t.cancelInFlight) return;
      this.sendCancel(t);
    }, Math.max(CANCEL_RETRY_MIN_MS, delayMs));
    t.resolveTimer.unref();
  }

  private markClosed(t: Tracked): void {
    t.phase = 'closed';
    t.closedMs = this.now();
    this.clearResolve(t);
    this.closedQueue.push(t);
  }

  /** Forgets orders closed longer than retainClosedMs ago (bounded memory over a long run). */
  private prune(): void {
    const cutoff = this.now() - this.retainClosedMs;
    const q = this.closedQueue;
    while (this.closedHead < q.length && q[this.closedHead]!.closedMs <= cutoff) {
      const t = q[this.closedHead++]!;
      if (this.byOrderId.get(t.orderId) !== t) continue;
      this.byOrderId.delete(t.orderId);
      this.byClientId.delete(t.clientId);
      if (t.venueOrderId >= 0) this.byVenueId.delete(t.symbol + ':' + t.venueOrderId);
      for (const k of t.tradeKeys) this.seenTrades.delete(k);
    }
    if (this.closedHead > 1024 && this.closedHead * 2 > q.length) { q.splice(0, this.closedHead); this.closedHead = 0; }
  }

  /** Orders tracked (open or recently closed), for metrics. */
  get trackedOrders(): number { return this.byOrderId.size; }

  /** Every counter of this venue, its REST client and its rate budget, for /metrics. */
  metrics(): Record<string, number> {
    const out: Record<string, number> = { tracked_orders: this.trackedOrders };
    for (const [k, v] of Object.entries(this.counters)) out[`venue_${k}`] = v;
    for (const [k, v] of Object.entries(this.rest.counters)) out[`rest_${k}`] = v;
    // the WebSocket API's own counters (requests, reconnects, session.logon) when it carries the orders
    const ws = this.entry as OrderEntry & { readonly counters?: Readonly<Record<string, number>> };
    if (ws !== (this.rest as OrderEntry) && ws.counters !== undefined) for (const [k, v] of Object.entries(ws.counters)) out[`ws_api_${k}`] = v;
    const b = this.rest.budget.counters;
    out['budget_allowed'] = b.allowed;
    b.deferred.forEach((v, i) => { out[`budget_deferred_p${i}`] = v; });
    out['budget_blocked'] = b.blocked;
    out['budget_http429'] = b.http429;
    out['budget_http418'] = b.http418;
    out['budget_corrected'] = b.corrected;
    out['budget_blocked_until_ms'] = this.rest.budget.blockedUntilMs;
    for (const u of this.rest.budget.usage()) out[`budget_used_${u.key.replace(/[^A-Za-z0-9]/g, '_').toLowerCase()}`] = u.used;
    out['clock_offset_ms'] = this.rest.clock.offsetMs;
    out['clock_skew_retries'] = this.rest.clock.skewRetries;
    return out;
  }

  private clearResolve(t: Tracked): void { if (t.resolveTimer !== null) { clearTimeout(t.resolveTimer); t.resolveTimer = null; } }

  private scheduleResolve(t: Tracked, delayMs: number): void {
    if (t.resolveTimer !== null || t.phase === 'closed') return;
    t.resolveTimer = setTimeout(() => { t.resolveTimer = null; void this.resolve(t); }, delayMs);
    t.resolveTimer.unref();
  }

  /** Queries an order by its client id and applies what the venue says. */
  private async resolve(t: Tracked): Promise<string> {
    if (t.phase === 'closed') return 'CLOSED';
    this.counters.queries++;
    t.queryAttempts++;
    try {
      const a = await this.rest.queryOrder(t.symbol, { origClientOrderId: t.clientId });
      await this.applySnapshot(t, a);
      return a.status;
    } catch (e) {
      if (e instanceof BinanceApiError && e.cls === 'not_found') {
        t.notFound++;
        // final only once the place itself came back without an outcome (never while it is in flight)
        if (t.phase === 'unknown' && !t.accepted && t.notFound >= this.notFoundThreshold && this.now() - t.sentMs >= this.notFoundGraceMs) {
          this.reject(t, 'not_found_at_venue', this.nowNs());
          if (t.cancelWanted) { t.cancelWanted = false; this.reports.onCancelRejected(t.orderId, 'already_closed', this.nowNs()); }
        } else if (t.phase !== 'open') {
          this.scheduleResolve(t, this.queryDelayMs);
        }
        return 'NOT_FOUND';
      }
      // still unknown (timeout, 5xx, budget): try again later, backing off
      if (t.phase !== 'open') this.scheduleResolve(t, Math.min(30_000, this.queryDelayMs * 2 ** Math.min(6, t.queryAttempts)));
      return 'UNKNOWN';
    }
  }

  private async fetchFills(t: Tracked): Promise<void> {
    if (t.venueOrderId < 0) return;
    try {
      const trades = await this.rest.tradesForOrder(t.symbol, t.venueOrderId);
      for (const tr of trades) this.applyTrade(t, tr);
    } catch { /* reconcile picks these up */ }
  }

  private applyTrade(t: Tracked, tr: SpotTrade | UsdmTrade): boolean {
    const maker = 'isMaker' in tr ? tr.isMaker : tr.maker;
    return this.fill(t, tr.id, tr.price, tr.qty, tr.commission, tr.commissionAsset, maker, tr.time * 1e6);
  }

  // ---- user data ----
  /** A raw user-data frame from the spot WebSocket API or the USD-M listenKey stream. */
  onUserFrame(frame: unknown): void {
    let ev: UserEvent;
    try { ev = this.market === 'spot' ? parseSpotUserEvent(frame) : parseUsdmUserEvent(frame); } catch { this.counters.badEvents++; return; }
    this.onUserEvent(ev);
  }

  onUserEvent(ev: UserEvent): void {
    if (ev.kind === 'order') this.onOrderUpdate(ev);
    else if (ev.kind === 'stream_ended') for (const cb of this.reconcileListeners) cb();
    else if (ev.kind === 'futures_account' && ev.reason === 'FUNDING_FEE') for (const cb of this.fundingListeners) cb(ev);
  }

  private onOrderUpdate(u: OrderUpdate): void {
    const t = this.byClientId.get(u.clientOrderId) ?? this.byVenueId.get(u.symbol + ':' + u.orderId);
    if (t === undefined) {
      this.counters.foreignEvents++;
      // a trade of an order this process does not track: an order of an earlier run kept at the
      // reconciliation (--orphan-orders keep) is still ours; the listener tells
      if (u.execType === 'TRADE') for (const cb of this.untrackedFillListeners) cb(u.symbol, u.clientOrderId, u.orderId);
      return;
    }
    this.track(t, u.orderId);
    const ts = u.transactTimeMs * 1e6;
    switch (u.execType) {
      case 'NEW':
        if (t.phase === 'sending' || t.phase === 'unknown') t.phase = 'open';
        this.accept(t, ts);
        if (t.cancelWanted && !t.cancelInFlight && t.phase === 'open' && t.venueOrderId >= 0 && t.cancelAttempts === 0) this.sendCancel(t);
        break;
      case 'TRADE':
      case 'CALCULATED':
        this.fill(t, u.tradeId, u.lastPrice, u.lastQty, u.commission, u.commissionAsset, u.isMaker, ts);
        break;
      case 'CANCELED':
      case 'EXPIRED':
      case 'TRADE_PREVENTION':
      case 'REJECTED': {
        if (u.execType === 'TRADE_PREVENTION' && u.status !== 'EXPIRED') break;
        const status = u.execType === 'REJECTED' ? 'REJECTED' : u.execType === 'TRADE_PREVENTION' ? 'EXPIRED_IN_MATCH' : u.status === 'EXPIRED_IN_MATCH' ? 'EXPIRED_IN_MATCH' : u.execType;
        void this.applySnapshot(t, { symbol: u.symbol, orderId: u.orderId, clientOrderId: t.clientId, price: u.price, origQty: u.origQty, executedQty: u.cumQty, status, timeInForce: u.timeInForce, type: u.orderType, side: u.side, updateTime: u.transactTimeMs });
        break;
      }
      default:
        break; // AMENDMENT, REPLACED: nothing for the order manager
    }
  }

  /** Wires the spot WebSocket API: user frames in, reconcile after every reconnect. */
  attachSpotUserStream(ws: BinanceWsApiClient): void {
    ws.onUserFrame((f) => this.onUserFrame(f));
    ws.onReconnected(() => { for (const cb of this.reconcileListeners) cb(); });
  }

  /** Wires a USD-M listenKey stream, with the countdownCancelAll heartbeat while it is connected. */
  attachUsdmUserStream(stream: ListenKeyStream, deadMan?: { symbols: string[]; countdownMs?: number; heartbeatMs?: number }): void {
    stream.onFrame((f) => this.onUserFrame(f));
    stream.onConnected((first) => {
      if (deadMan !== undefined) this.startDeadManSwitch(deadMan.symbols, deadMan.countdownMs, deadMan.heartbeatMs);
      if (!first) for (const cb of this.reconcileListeners) cb();
    });
    stream.onDisconnected(() => this.stopDeadManSwitch());
  }

  /** The engine registers here: called when a reconnect may have lost events (reconcile before quoting again). */
  onNeedsReconcile(cb: () => void): void { this.reconcileListeners.push(cb); }
  /** Called with a user-data trade of an order this venue does not track (another client's, or one of an earlier run left open). */
  onUntrackedFill(cb: (symbol: string, clientOrderId: string, venueOrderId: number) => void): void { this.untrackedFillListeners.push(cb); }
  /** An order of `symbol` refused for its price or quantity off the symbol's tick or step: the venue may have changed them. */
  onGridRefusal(cb: (symbol: string) => void): void { this.gridRefusalListeners.push(cb); }

  /** Called with a USD-M ACCOUNT_UPDATE of reason FUNDING_FEE (on a cross-margin position it names no symbol). */
  onFunding(cb: (ev: FuturesAccountUpdate) => void): void { this.fundingListeners.push(cb); }

  /** USD-M dead-man switch: countdownCancelAll(symbol, countdownMs) every heartbeatMs (docs' example: 120 s every 30 s). */
  startDeadManSwitch(symbols: string[], countdownMs = 120_000, heartbeatMs = 30_000): void {
    if (this.market !== 'usdm') throw new BinanceError('BINANCE_ERR_CONFIG', 'countdownCancelAll is USD-M only');
    this.stopDeadManSwitch();
    const beat = (): void => {
      for (const s of symbols) {
        this.rest.countdownCancelAll(s, countdownMs).then(() => { this.counters.heartbeats++; }, () => { this.counters.heartbeatFailures++; });
      }
    };
    beat();
    this.heartbeat = setInterval(beat, heartbeatMs);
    this.heartbeat.unref();
  }
  stopDeadManSwitch(): void { if (this.heartbeat !== null) { clearInterval(this.heartbeat); this.heartbeat = null; } }

  /** Cancels every open order of a symbol and confirms with an open-orders query. */
  async cancelAll(symbol: string): Promise<{ confirmed: boolean; remaining: number }> {
    try {
      const r = await this.rest.cancelAllOpenOrders(symbol);
      if (Array.isArray(r)) {
        for (const a of r as Array<OrderAnswer & { origClientOrderId?: string }>) {
          // a spot cancel answer's clientOrderId is the cancel's own id; the order's is origClientOrderId
          const t = this.byClientId.get(a.origClientOrderId ?? a.clientOrderId) ?? this.byVenueId.get(symbol + ':' + a.orderId);
          if (t !== undefined) await this.applySnapshot(t, a);
        }
      }
    } catch (e) {
      if (!(e instanceof BinanceApiError) || (e.cls !== 'rejected' && e.cls !== 'not_found' && e.cls !== 'unknown_outcome')) throw e;
    }
    let open: OrderAnswer[] = [];
    for (let i = 0; i < 3; i++) {
      open = await this.rest.openOrders(symbol);
      if (open.length === 0) break;
      await Promise.allSettled(open.map((o) => this.rest.cancelOrder(symbol, { orderId: o.orderId })));
    }
    if (open.length > 0) open = await this.rest.openOrders(symbol);
    if (open.length === 0) {
      // nothing is open at the venue: learn how each order we still think open ended
      const pending = [...this.byOrderId.values()].filter((t) => t.symbol === symbol && t.phase !== 'closed');
      await Promise.allSettled(pending.map((t) => this.resolve(t)));
    }
    return { confirmed: open.length === 0, remaining: open.length };
  }

  /** Open orders, trades since a trade id, balances / positions vs what we know. */
  async reconcile(opts: ReconcileOptions = {}): Promise<ReconcileReport> {
    const missedFills: ReconcileReport['missedFills'] = [];
    this.collect = missedFills;
    try {
      return await this.doReconcile(opts, missedFills);
    } finally {
      this.collect = null;
    }
  }

  private async doReconcile(opts: ReconcileOptions, missedFills: ReconcileReport['missedFills']): Promise<ReconcileReport> {
    const symbols = opts.symbols ?? [...new Set([...this.byOrderId.values()].map((t) => t.symbol))];
    const unknownToUs: ReconcileReport['unknownToUs'] = [];
    const missingAtVenue: ReconcileReport['missingAtVenue'] = [];
    for (const symbol of symbols) {
      const open = await this.rest.openOrders(symbol);
      const openIds = new Set<string>();
      for (const a of open) {
        openIds.add(a.clientOrderId);
        const t = this.byClientId.get(a.clientOrderId) ?? this.byVenueId.get(symbol + ':' + a.orderId);
        if (t === undefined) {
          unknownToUs.push({ symbol, venueOrderId: a.orderId, clientOrderId: a.clientOrderId, side: a.side, price: a.price, origQty: a.origQty, executedQty: a.executedQty, status: a.status });
        } else {
          openIds.add(t.clientId);
          await this.applySnapshot(t, a); // fetches the trades of a partly filled order we had not seen
        }
      }
      const since = opts.sinceTradeId?.[symbol];
      if (since !== undefined) {
        let fromId = since + 1;
        for (;;) {
          const page = this.market === 'spot' ? await this.rest.myTrades(symbol, fromId) : await this.rest.userTrades(symbol, fromId);
          for (const tr of page) {
            if ((this.lastTrade[symbol] ?? -1) < tr.id) this.lastTrade[symbol] = tr.id;
            if (this.seenTrades.has(symbol + ':' + tr.id)) continue;
            const t = this.byVenueId.get(symbol + ':' + tr.orderId);
            if (t !== undefined) this.applyTrade(t, tr);
            else missedFills.push({ symbol, tradeId: tr.id, venueOrderId: tr.orderId, orderId: null, price: tr.price, qty: tr.qty, applied: false });
          }
          if (page.length < 1000) break;
          fromId = page[page.length - 1]!.id + 1;
        }
      }
      // orders we think open that the venue does not list: ask how each ended (fills first, then the close)
      for (const t of [...this.byOrderId.values()]) {
        if (t.symbol !== symbol || t.phase === 'closed' || openIds.has(t.clientId)) continue;
        const status = await this.resolve(t);
        missingAtVenue.push({ orderId: t.orderId, clientOrderId: t.clientId, symbol, status });
      }
    }
    const balanceMismatches: ReconcileReport['balanceMismatches'] = [];
    const positionMismatches: ReconcileReport['positionMismatches'] = [];
    if (this.market === 'spot' && opts.expectedBalances !== undefined) {
      const acct = await this.rest.account();
      const venue = new Map(acct.balances.map((b) => [b.asset, new Decimal(b.free).add(b.locked)]));
      for (const [asset, expected] of Object.entries(opts.expectedBalances)) {
        const v = venue.get(asset) ?? new Decimal(0);
        if (!v.eq(expected)) balanceMismatches.push({ asset, expected, venue: v.toFixed() });
      }
    }
    if (this.market === 'usdm' && opts.expectedPositions !== undefined) {
      const risk = await this.rest.positionRisk();
      const venue = new Map<string, Decimal>();
      for (const p of risk) venue.set(p.symbol, (venue.get(p.symbol) ?? new Decimal(0)).add(p.positionAmt));
      for (const [symbol, expected] of Object.entries(opts.expectedPositions)) {
        const v = venue.get(symbol) ?? new Decimal(0);
        if (!v.eq(expected)) positionMismatches.push({ symbol, expected, venue: v.toFixed() });
      }
    }
    return {
      market: this.market, atMs: this.now(), unknownToUs, missingAtVenue, missedFills: [...missedFills], lastTradeId: { ...this.lastTrade },
      balanceMismatches, positionMismatches,
      ok: unknownToUs.length === 0 && missingAtVenue.length === 0 && missedFills.length === 0 && balanceMismatches.length === 0 && positionMismatches.length === 0,
    };
  }

  /** The state of an order as this venue sees it (tests, diagnostics). */
  orderState(orderId: string): { phase: Phase; accepted: boolean; venueOrderId: number; filledLots: number; clientId: string } | undefined {
    const t = this.byOrderId.get(orderId);
    return t === undefined ? undefined : { phase: t.phase, accepted: t.accepted, venueOrderId: t.venueOrderId, filledLots: t.filledLots, clientId: t.clientId };
  }

  close(): void {
    this.closed = true;
    this.stopDeadManSwitch();
    for (const t of this.byOrderId.values()) this.clearResolve(t);
  }
}
