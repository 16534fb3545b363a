// KalshiExecutionVenue: the `Venue` the order manager trades a Kalshi market through. Our
// orders are on the YES contract: priceTick on the market's YES price grid, BUY YES / SELL
// YES. They map to Kalshi's V2 order model (POST /portfolio/events/orders): side bid (BUY
// YES) or ask (SELL YES, economically buying NO at 1 − p), count, price, time_in_force,
// post_only, self_trade_prevention_type; POST_ONLY → post_only: true, IOC →
// immediate_or_cancel. MARKET orders are refused locally (limit orders only).
//
// It never loses track of an order (like BinanceExecutionVenue):
// - client_order_id is the order manager's client id (idempotency at Kalshi);
// - fills are keyed by fill id (trade id when absent): WebSocket `fill` messages, REST
//   fills of an order and reconcile() report each once;
// - an unknown outcome (timeout, 5xx, dropped connection) is resolved by looking the order
//   up by client_order_id among the market's orders, never by sending it again; an order
//   still not found after `notFoundThreshold` looks is rejected as not_found;
// - reconcile() compares open orders, fills since a timestamp and positions with what we know.
// Fees: the fill's `fee_cost` when Kalshi reports it, else the published formula (fees.ts)
// with the taker rate, or the maker rate on markets that charge makers.
// After close() nothing more is reported: answers still in flight, WebSocket messages and
// pending look-ups are dropped (the next start reconciles them), and nothing more is sent.
import type { Instrument } from '../../orderbook/instrument.js';
import type { Venue, VenueOrder, VenueReports } from '../../execution/venue.js';
import { DecimalGrid } from '../../numeric/decimal-grid.js';
import { KalshiApiError, KalshiBudgetError } from './errors.js';
import { kalshiFee, MAKER_RATE, TAKER_RATE } from './fees.js';
import { isPriceLevelStructure, isValidPriceTick, kalshiInstrument, priceRangesOf, type PriceRange } from './price-grid.js';
import { KalshiPriority } from './rate-budget.js';
import type { CancelAckV2, CreateOrderV2, KalshiFill, KalshiMarket, KalshiOrder, KalshiRestClient, OrderAckV2 } from './rest-client.js';
import type { KalshiWsClient } from './ws-client.js';

/** Kalshi's client id rule (FIX ClOrdID: at most 64 of letters, digits, - _ : + = /). */
export const CLIENT_ORDER_ID = /^[-\w:+=/]{1,64}$/;

const E2 = new DecimalGrid('0.01');
const E4 = new DecimalGrid('0.0001');

export interface KalshiMarketInfo {
  readonly ticker: string;
  readonly instrument: Instrument;
  readonly ranges: readonly PriceRange[];
  /** Whether the market's series charges maker fees. */
  readonly makerFees: boolean;
  readonly closeTime?: string;
  readonly status?: string;
  /** Kalshi's price_level_structure of the market. */
  readonly structure?: string;
}

/** The engine-side description of a market from Kalshi's Market object. */
export function marketInfo(m: KalshiMarket, makerFees = false, lotSize: '1' | '0.1' | '0.01' = '1'): KalshiMarketInfo {
  const structure = isPriceLevelStructure(m.price_level_structure) ? m.price_level_structure : 'linear_cent';
  return {
    ticker: m.ticker, instrument: kalshiInstrument(m.ticker, structure, lotSize), ranges: priceRangesOf(structure, m.price_ranges), makerFees,
    ...(m.close_time !== undefined ? { closeTime: m.close_time } : {}), status: m.status, structure,
  };
}

export interface KalshiVenueOptions {
  rest: KalshiRestClient;
  ws?: KalshiWsClient;
  markets?: Iterable<KalshiMarketInfo>;
  name?: string;
  notFoundThreshold?: number;
  queryDelayMs?: number;
  /** Which markets charge maker fees (used when a fill carries no fee_cost). */
  makerFees?: (ticker: string) => boolean;
  now?: () => number;
  /** How long a closed order is remembered for late or duplicated events; default 10 min. */
  retainClosedMs?: number;
}

type Phase = 'sending' | 'unknown' | 'open' | 'closed';

interface Tracked {
  readonly orderId: string;
  readonly clientId: string;
  readonly order: VenueOrder;
  readonly market: KalshiMarketInfo;
  venueId: string;
  phase: Phase;
  accepted: boolean;
  filledLots: number;
  cancelWanted: boolean;
  cancelInFlight: boolean;
  looks: number;
  timer: NodeJS.Timeout | null;
  closedMs: number;
}

export interface KalshiReconcileReport {
  readonly atMs: number;
  readonly unknownToUs: Array<{ ticker: string; orderId: string; clientOrderId: string; action: string; yesPrice: string; remaining: string }>;
  /**
   * Orders we held open that the venue does not list as resting, each looked up: `resolved` when
   * the look-up closed it here too (filled or cancelled, told to the engine), so it no longer
   * differs; one not found or still open here keeps the report unclean.
   */
  readonly missingAtVenue: Array<{ orderId: string; clientOrderId: string; status: string; resolved: boolean }>;
  /**
   * Fills since `sinceTs` not applied through a tracked order: `applied` false ones belong to
   * orders this process did not send (ours from before a restart, or foreign) and carry the
   * venue's fill (`fill`) and its fee for the engine to journal.
   */
  readonly missedFills: Array<{
    fillId: string; ticker: string; orderId: string | null; price: string; count: string; applied: boolean;
    fill?: KalshiFill; fee?: string;
  }>;
  /** Latest fill time seen, Unix seconds: pass it as sinceTs next time. */
  readonly lastFillTs: number;
  readonly positionMismatches: Array<{ ticker: string; expected: string; venue: string }>;
  readonly ok: boolean;
}

const NO_REPORTS: VenueReports = { onAccepted() {}, onRejected() {}, onFill() {}, onCancelled() {}, onCancelRejected() {} };

function tsNsOf(x: { created_time?: unknown; ts?: unknown; ts_ms?: unknown }, fallbackNs: number): number {
  if (typeof x.ts_ms === 'number' && x.ts_ms > 0) return x.ts_ms * 1e6; // WebSocket messages since Apr 2026
  if (typeof x.ts === 'number' && x.ts > 0) return x.ts < 1e11 ? x.ts * 1e9 : x.ts < 1e14 ? x.ts * 1e6 : x.ts;
  if (typeof x.created_time === 'string') { const t = Date.parse(x.created_time); if (Number.isFinite(t)) return t * 1e6; }
  return fallbackNs;
}

export class KalshiExecutionVenue implements Venue {
  readonly name: string;
  private readonly rest: KalshiRestClient;
  private readonly markets = new Map<string, KalshiMarketInfo>();
  private reports: VenueReports = NO_REPORTS;
  private readonly byOrderId = new Map<string, Tracked>();
  private readonly byClientId = new Map<string, Tracked>();
  private readonly byVenueId = new Map<string, Tracked>();
  private readonly seenFills = new Set<string>();
  private readonly notFoundThreshold: number;
  private readonly queryDelayMs: number;
  private readonly makerFees: (ticker: string) => boolean;
  private readonly now: () => number;
  private lastFillTs = 0;
  private readonly closedQueue: Tracked[] = [];
  private closedHead = 0;
  private readonly retainClosedMs: number;
  private collect: KalshiReconcileReport['missedFills'] | null = null;
  private closedVenue = false;
  readonly counters = { submitted: 0, rejectedLocally: 0, postOnlyRejects: 0, unknownOutcomes: 0, queries: 0, duplicateFills: 0, foreignFills: 0, badEvents: 0 };

  constructor(o: KalshiVenueOptions) {
    this.rest = o.rest;
    this.name = o.name ?? 'kalshi';
    for (const m of o.markets ?? []) this.markets.set(m.ticker, m);
    this.notFoundThreshold = o.notFoundThreshold ?? 3;
    this.queryDelayMs = o.queryDelayMs ?? 500;
    this.makerFees = o.makerFees ?? ((t) => this.markets.get(t)?.makerFees ?? false);
    this.now = o.now ?? Date.now;
    this.retainClosedMs = o.retainClosedMs ?? 10 * 60_000;
    if (o.ws !== undefined) this.attach(o.ws);
  }

  /** Takes fills and order updates from a WebSocket client (subscribe it to fill and user_orders). */
  attach(ws: KalshiWsClient): void {
    const prev = ws.handlers;
    ws.handlers = {
      ...prev,
      onFill: (m) => { prev.onFill?.(m); if (!this.closedVenue) this.onFillMessage(m as unknown as KalshiFill); },
      onUserOrder: (m) => { prev.onUserOrder?.(m); if (!this.closedVenue) this.onOrderMessage(m as unknown as KalshiOrder); },
    };
  }

  /**
   * Stops every later report: REST answers still in flight, WebSocket messages and pending
   * look-ups are dropped, and later submits, cancels and reconciles send nothing (a
   * reconcile throws). The orders stay as they are at Kalshi; the WebSocket client is the
   * owner's to close.
   */
  close(): void {
    if (this.closedVenue) return;
    this.closedVenue = true;
    this.reports = NO_REPORTS;
    for (const t of this.byOrderId.values()) if (t.timer !== null) { clearTimeout(t.timer); t.timer = null; }
  }

  /** Whether close() was called. */
  get closed(): boolean { return this.closedVenue; }

  // ---- Venue ----
  nowNs(): number { return this.now() * 1e6; }
  instrument(symbol: string): Instrument | undefined { return this.markets.get(symbol)?.instrument; }
  connect(reports: VenueReports): void { if (!this.closedVenue) this.reports = reports; }
  market(ticker: string): KalshiMarketInfo | undefined { return this.markets.get(ticker); }
  setMarket(m: KalshiMarketInfo): void { this.markets.set(m.ticker, m); }

  /** Loads markets by ticker from GET /markets/{ticker}. */
  async loadMarkets(tickers: readonly string[], makerFees: (m: KalshiMarket) => boolean = () => false): Promise<void> {
    for (const t of tickers) { const { market } = await this.rest.getMarket(t); this.markets.set(t, marketInfo(market, makerFees(market))); }
  }

  submit(order: VenueOrder): void {
    if (this.closedVenue) return;
    const ts = this.nowNs();
    if (this.closedHead < this.closedQueue.length) this.prune();
    if (this.byOrderId.has(order.orderId)) return;
    const refuse = (why: string): void => { this.counters.rejectedLocally++; this.reports.onRejected(order.orderId, why, ts); };
    const m = this.markets.get(order.symbol);
    if (m === undefined) return refuse('unknown_symbol');
    if (order.type !== 'LIMIT') return refuse('market_orders_unsupported');
    if (!isValidPriceTick(m.instrument, m.ranges, order.priceTick)) return refuse('price_off_grid');
    if (!Number.isSafeInteger(order.qtyLot) || order.qtyLot <= 0) return refuse('bad_quantity');
    if (!CLIENT_ORDER_ID.test(order.clientOrderId) || this.byClientId.has(order.clientOrderId)) return refuse('bad_client_order_id');
    const t: Tracked = {
      orderId: order.orderId, clientId: order.clientOrderId, order, market: m, venueId: '', phase: 'sending', accepted: false,
      filledLots: 0, cancelWanted: false, cancelInFlight: false, looks: 0, timer: null, closedMs: 0,
    };
    this.byOrderId.set(order.orderId, t);
    this.byClientId.set(t.clientId, t);
    this.counters.submitted++;
    const prio = order.reduceOnly === true ? KalshiPriority.TOP_REQUOTE : (order.level ?? 1) <= 1 ? KalshiPriority.TOP_REQUOTE : order.level! <= 3 ? KalshiPriority.NORMAL : KalshiPriority.DEEP;
    this.rest.createOrder(orderBody(order, m.instrument), prio).then(
      (a) => this.applyAck(t, a),
      (e) => this.onPlaceError(t, e),
    ).catch(() => undefined);
  }

  cancel(orderId: string): void {
    if (this.closedVenue) return;
    const t = this.byOrderId.get(orderId);
    if (t === undefined) { this.reports.onCancelRejected(orderId, 'unknown_order', this.nowNs()); return; }
    if (t.phase === 'closed') { this.reports.onCancelRejected(orderId, 'already_closed', this.nowNs()); return; }
    t.cancelWanted = true;
    if (t.venueId !== '' && !t.cancelInFlight) this.sendCancel(t);
  }

  // ---- reports ----
  private accept(t: Tracked, ts: number): void {
    if (t.accepted || t.phase === 'closed') return;
    t.accepted = true;
    t.phase = 'open';
    this.reports.onAccepted(t.orderId, ts);
  }
  private closeOrder(t: Tracked): void {
    if (t.timer !== null) { clearTimeout(t.timer); t.timer = null; }
    if (t.phase === 'closed') return;
    t.phase = 'closed';
    t.closedMs = this.now();
    this.closedQueue.push(t);
    if (t.timer !== null) { clearTimeout(t.timer); t.timer = null; }
  }

  /** Forgets orders closed more than retainClosedMs ago (their late events then count as foreign; fill ids stay known). */
  private prune(): void {
    const cutoff = this.now() - this.retainClosedMs;
    while (this.closedHead < this.closedQueue.length && this.closedQueue[this.closedHead]!.closedMs <= cutoff) {
      const t = this.closedQueue[this.closedHead++]!;
      this.byOrderId.delete(t.orderId);
      this.byClientId.delete(t.clientId);
      if (t.venueId !== '') this.byVenueId.delete(t.venueId);
    }
    if (this.closedHead > 1024 && this.closedHead * 2 > this.closedQueue.length) { this.closedQueue.splice(0, this.closedHead); this.closedHead = 0; }
  }
  private reject(t: Tracked, reason: string, ts: number): void {
    if (t.phase === 'closed') return;
    if (t.accepted) { this.cancelled(t, reason, ts); return; }
    this.closeOrder(t);
    if (reason === 'post_only_would_cross') this.counters.postOnlyRejects++;
    this.reports.onRejected(t.orderId, reason, ts);
  }
  private cancelled(t: Tracked, reason: string, ts: number): void {
    if (t.phase === 'closed') return;
    t.cancelWanted = false; // a wanted cancel is satisfied: no cancel-rejected after this
    this.accept(t, ts);
    this.closeOrder(t);
    this.reports.onCancelled(t.orderId, reason, ts);
  }

  private track(t: Tracked, venueId: string): void {
    if (venueId === '' || t.venueId === venueId) return;
    t.venueId = venueId;
    this.byVenueId.set(venueId, t);
  }

  /**
   * A CreateOrderV2 answer: {order_id, fill_count, remaining_count}. Something still resting
   * → accepted (open); nothing resting → its fills are fetched, and an IOC remainder that did
   * not fill is cancelled (expired).
   */
  private async applyAck(t: Tracked, a: OrderAckV2): Promise<void> {
    if (this.closedVenue) return;
    this.track(t, String(a.order_id ?? ''));
    const ts = typeof a.ts_ms === 'number' ? a.ts_ms * 1e6 : this.nowNs();
    const inst = t.market.instrument;
    const filled = inst.qty.toUnitsOrNaN(a.fill_count ?? '0');
    const remaining = inst.qty.toUnitsOrNaN(a.remaining_count ?? '0');
    if (t.phase === 'sending' || t.phase === 'unknown') t.phase = 'open';
    this.accept(t, ts);
    if (filled > t.filledLots) await this.fetchFills(t);
    if (remaining > 0) {
      if (t.cancelWanted && !t.cancelInFlight) this.sendCancel(t);
      return;
    }
    if (t.filledLots < t.order.qtyLot && (Number.isNaN(filled) || filled < t.order.qtyLot)) this.cancelled(t, t.order.timeInForce === 'IOC' ? 'expired' : 'cancelled_by_venue', ts);
    else if (t.filledLots >= t.order.qtyLot) this.closeOrder(t);
  }

  /** A CancelOrderV2 answer: the resting remainder is gone. */
  private cancelAck(t: Tracked, a: CancelAckV2): void {
    if (this.closedVenue) return;
    this.cancelled(t, 'cancelled', typeof a.ts_ms === 'number' ? a.ts_ms * 1e6 : this.nowNs());
  }

  /** An order as Kalshi reports it (GET /portfolio/orders, user_orders messages). */
  private async applyOrder(t: Tracked, o: KalshiOrder): Promise<void> {
    if (this.closedVenue) return;
    this.track(t, String(o.order_id ?? ''));
    const ts = tsNsOf({ created_time: o.last_update_time ?? o.created_time }, this.nowNs());
    const filled = t.market.instrument.qty.toUnitsOrNaN(o.fill_count_fp ?? '0');
    if (filled > t.filledLots) await this.fetchFills(t);
    if (o.status === 'resting' || o.status === 'pending') {
      if (t.phase === 'sending' || t.phase === 'unknown') t.phase = 'open';
      this.accept(t, ts);
      if (t.cancelWanted && !t.cancelInFlight) this.sendCancel(t);
    } else if (o.status === 'executed') {
      this.accept(t, ts);
      if (t.filledLots >= t.order.qtyLot) this.closeOrder(t);
    } else if (o.status === 'canceled') {
      this.cancelled(t, t.cancelWanted ? 'cancelled' : t.order.timeInForce === 'IOC' ? 'expired' : 'cancelled_by_venue', ts);
    }
  }

  private onPlaceError(t: Tracked, e: unknown): void {
    if (this.closedVenue) return;
    const ts = this.nowNs();
    if (e instanceof KalshiBudgetError) { this.reject(t, 'rate_budget', ts); return; }
    if (e instanceof KalshiApiError && e.cls !== 'unknown_outcome') {
      const code = e.code.toLowerCase();
      this.reject(t, code.includes('post_only') ? 'post_only_would_cross' : e.cls === 'rate_limited' ? 'rate_limited' : code || 'rejected', ts);
      return;
    }
    // the order may be live: look it up by client id, never send it again
    t.phase = 'unknown';
    this.counters.unknownOutcomes++;
    this.scheduleLookup(t);
  }

  private scheduleLookup(t: Tracked): void {
    if (t.timer !== null || this.closedVenue) return;
    t.timer = setTimeout(() => { t.timer = null; void this.lookup(t); }, this.queryDelayMs);
  }

  /** Finds an order whose outcome is unknown among the market's orders by client_order_id. */
  private async lookup(t: Tracked): Promise<void> {
    if (t.phase !== 'unknown' || this.closedVenue) return; // resolved meanwhile (an answer or a user_orders event), or closed
    this.counters.queries++;
    t.looks++;
    try {
      const found = t.venueId !== ''
        ? (await this.rest.getOrder(t.venueId)).order
        : (await this.rest.all<KalshiOrder>((c) => this.rest.getOrders({ ticker: t.market.ticker, limit: 200, ...(c !== undefined ? { cursor: c } : {}) }), 'orders',
          100, (o) => o.client_order_id === t.clientId)).find((o) => o.client_order_id === t.clientId);
      if (found !== undefined) { await this.applyOrder(t, found); return; }
      if (t.looks >= this.notFoundThreshold) { this.reject(t, 'not_found_at_venue', this.nowNs()); return; }
    } catch { /* still unknown: look again */ }
    this.scheduleLookup(t);
  }

  private sendCancel(t: Tracked): void {
    if (this.closedVenue) return;
    t.cancelInFlight = true;
    this.rest.cancelOrder(t.venueId).then(
      (a) => { t.cancelInFlight = false; this.cancelAck(t, a); },
      async (e) => {
        t.cancelInFlight = false;
        if (this.closedVenue) return;
        if (e instanceof KalshiApiError && (e.cls === 'not_found' || e.cls === 'rejected')) {
          // gone already (filled or cancelled): ask what happened
          try { await this.applyOrder(t, (await this.rest.getOrder(t.venueId)).order); } catch { /* reconcile will tell */ }
          if (t.phase === 'closed' && t.cancelWanted) { t.cancelWanted = false; this.reports.onCancelRejected(t.orderId, 'already_closed', this.nowNs()); }
          return;
        }
        t.cancelWanted = false;
        this.reports.onCancelRejected(t.orderId, e instanceof KalshiBudgetError ? 'rate_budget' : 'cancel_failed', this.nowNs());
      },
    ).catch(() => undefined);
  }

  private async fetchFills(t: Tracked): Promise<void> {
    if (t.venueId === '' || this.closedVenue) return;
    try {
      const fills = await this.rest.all<KalshiFill>((c) => this.rest.getFills({ order_id: t.venueId, limit: 200, ...(c !== undefined ? { cursor: c } : {}) }), 'fills');
      for (const f of fills) this.applyFill(t, f);
    } catch { /* the WebSocket or reconcile will bring them */ }
  }

  // ---- fills ----
  private onFillMessage(f: KalshiFill): void {
    const t = this.byVenueId.get(String(f.order_id)) ?? (f.client_order_id !== undefined ? this.byClientId.get(f.client_order_id) : undefined);
    if (t === undefined) { this.counters.foreignFills++; return; }
    this.track(t, String(f.order_id));
    this.applyFill(t, f);
  }

  private onOrderMessage(o: KalshiOrder): void {
    const t = this.byVenueId.get(String(o.order_id)) ?? this.byClientId.get(String(o.client_order_id));
    if (t === undefined) return;
    void this.applyOrder(t, o);
  }

  /** The fee of a fill as a dollar string: fee_cost when given, else the formula. */
  feeOf(f: KalshiFill, ticker: string): string {
    if (typeof f.fee_cost === 'string' && f.fee_cost !== '') return f.fee_cost;
    const price = (f.side === 'no' ? f.no_price_dollars : f.yes_price_dollars) ?? '';
    const rate = f.is_taker ? TAKER_RATE : this.makerFees(ticker) ? MAKER_RATE : '0';
    try { return kalshiFee({ count: f.count_fp ?? String(f['count']), price, rate, buyer: f.action === 'buy' }); } catch { return '0'; }
  }

  private applyFill(t: Tracked, f: KalshiFill): boolean {
    const key = String(f.fill_id ?? f.trade_id ?? '');
    if (key === '') { this.counters.badEvents++; return false; }
    if (this.seenFills.has(key)) { this.counters.duplicateFills++; return false; }
    const inst = t.market.instrument;
    // fixed-point fields first; older Fill models name the price yes_price_fixed and the count an integer `count`
    const yesStr = f.yes_price_dollars ?? (typeof f['yes_price_fixed'] === 'string' ? f['yes_price_fixed'] : undefined);
    const noStr = f.no_price_dollars ?? (typeof f['no_price_fixed'] === 'string' ? f['no_price_fixed'] : undefined);
    const yes = yesStr ?? (noStr !== undefined ? inst.price.format(inst.price.toUnits('1') - inst.price.toUnitsOrNaN(noStr)) : '');
    const countStr = typeof f.count_fp === 'string' ? f.count_fp : Number.isSafeInteger(f['count']) ? String(f['count']) : '';
    const ticks = inst.price.toUnitsOrNaN(yes);
    const lots = inst.qty.toUnitsOrNaN(countStr);
    if (Number.isNaN(ticks) || Number.isNaN(lots) || lots <= 0) { this.counters.badEvents++; return false; }
    this.seenFills.add(key);
    const ts = tsNsOf(f, this.nowNs());
    const sec = Math.floor(ts / 1e9);
    if (sec > this.lastFillTs) this.lastFillTs = sec;
    if (t.phase !== 'closed') this.accept(t, ts);
    t.filledLots += lots;
    this.collect?.push({ fillId: key, ticker: t.market.ticker, orderId: t.orderId, price: yes, count: countStr, applied: true });
    this.reports.onFill(t.orderId, `kalshi:${key}`, ticks, lots, this.feeOf({ ...f, yes_price_dollars: yes, count_fp: countStr, ...(noStr !== undefined ? { no_price_dollars: noStr } : { no_price_dollars: inst.price.format(inst.price.toUnits('1') - ticks) }) }, t.market.ticker), f.is_taker ? 'TAKER' : 'MAKER', ts);
    if (t.filledLots >= t.order.qtyLot && t.phase !== 'closed') this.closeOrder(t);
    return true;
  }

  // ---- reconciliation ----
  /**
   * Open orders, fills since `sinceTs` (Unix seconds) and positions against what we know:
   * fills of our orders we missed are reported (once); open orders we do not know, orders
   * we think open that the venue does not list (each looked up), and positions that differ
   * from `expectedPositions` (signed YES contracts per ticker) are returned for the engine.
   */
  /**
   * expectedPositions: a record, or a function read once Kalshi's positions are in (so fills
   * applied while the orders and fills were read count on both sides).
   */
  async reconcile(o: { sinceTs?: number; expectedPositions?: Record<string, number> | (() => Record<string, number>) } = {}): Promise<KalshiReconcileReport> {
    if (this.closedVenue) throw new Error('the Kalshi venue is closed');
    const missed: KalshiReconcileReport['missedFills'] = [];
    this.collect = missed;
    try {
      const open = await this.rest.all<KalshiOrder>((c) => this.rest.getOrders({ status: 'resting', limit: 200, ...(c !== undefined ? { cursor: c } : {}) }), 'orders');
      const unknownToUs: KalshiReconcileReport['unknownToUs'] = [];
      const openIds = new Set<string>();
      for (const v of open) {
        openIds.add(v.order_id);
        const t = this.byVenueId.get(v.order_id) ?? this.byClientId.get(v.client_order_id);
        if (t === undefined) { unknownToUs.push({ ticker: v.ticker, orderId: v.order_id, clientOrderId: v.client_order_id, action: v.action, yesPrice: v.yes_price_dollars, remaining: v.remaining_count_fp }); continue; }
        this.track(t, v.order_id);
        await this.applyOrder(t, v);
      }
      const fills = await this.rest.all<KalshiFill>((c) => this.rest.getFills({ limit: 200, ...(o.sinceTs !== undefined ? { min_ts: o.sinceTs } : {}), ...(c !== undefined ? { cursor: c } : {}) }), 'fills');
      for (const f of fills) {
        const t = this.byVenueId.get(f.order_id) ?? (f.client_order_id !== undefined ? this.byClientId.get(f.client_order_id) : undefined);
        const key = String(f.fill_id ?? f.trade_id);
        if (t === undefined) {
          // a fill of an order this process did not send: reported once, for the engine to journal
          if (!this.seenFills.has(key)) {
            this.seenFills.add(key);
            const sec = Math.floor(tsNsOf(f, this.nowNs()) / 1e9);
            if (sec > this.lastFillTs) this.lastFillTs = sec;
            missed.push({ fillId: key, ticker: f.ticker, orderId: null, price: f.yes_price_dollars, count: f.count_fp, applied: false, fill: f, fee: this.feeOf(f, f.ticker) });
          }
          continue;
        }
        this.applyFill(t, f);
      }
      const missingAtVenue: KalshiReconcileReport['missingAtVenue'] = [];
      for (const t of this.byOrderId.values()) {
        if (t.phase !== 'open' || t.venueId === '' || openIds.has(t.venueId)) continue;
        let status = 'NOT_FOUND';
        try { const a = await this.rest.getOrder(t.venueId); status = a.order.status; await this.applyOrder(t, a.order); } catch { /* not found */ }
        missingAtVenue.push({ orderId: t.orderId, clientOrderId: t.clientId, status, resolved: (t.phase as Tracked['phase']) === 'closed' });
      }
      const positionMismatches: KalshiReconcileReport['positionMismatches'] = [];
      if (o.expectedPositions !== undefined) {
        const pos = await this.rest.all<{ ticker: string; position_fp: string }>((c) => this.rest.getPositions({ limit: 200, ...(c !== undefined ? { cursor: c } : {}) }), 'market_positions');
        const venue = new Map(pos.map((p) => [p.ticker, p.position_fp]));
        const expected = typeof o.expectedPositions === 'function' ? o.expectedPositions() : o.expectedPositions;
        for (const [ticker, exp] of Object.entries(expected)) {
          const v = venue.get(ticker) ?? '0.00';
          const neg = v.startsWith('-');
          const units = E2.toUnitsOrNaN(neg ? v.slice(1) : v);
          if ((neg ? -units : units) !== exp * 100) positionMismatches.push({ ticker, expected: String(exp), venue: v });
        }
      }
      // closed meanwhile: its fills of other orders are for the next start's reconcile, not for a closed journal
      if (this.closedVenue) throw new Error('the Kalshi venue was closed during the reconcile');
      return {
        atMs: this.now(), unknownToUs, missingAtVenue, missedFills: missed, lastFillTs: this.lastFillTs, positionMismatches,
        ok: unknownToUs.length === 0 && missingAtVenue.every((m) => m.resolved) && positionMismatches.length === 0 && missed.every((m) => m.applied),
      };
    } finally {
      this.collect = null;
    }
  }

  /** Venue order id of one of our orders ('' until known). */
  venueOrderId(orderId: string): string { return this.byOrderId.get(orderId)?.venueId ?? ''; }
}

/**
 * Kalshi's CreateOrderV2 body of one of our YES orders: BUY → bid, SELL → ask on the YES
 * book, count and price as fixed-point strings (price with 4 decimals), self-trade
 * prevention taker_at_cross (the field is required). reduce_only is only allowed with
 * immediate_or_cancel, so it is sent on IOC orders only.
 */
export function orderBody(order: VenueOrder, inst: Instrument): CreateOrderV2 {
  const ioc = order.timeInForce === 'IOC';
  return {
    ticker: order.symbol, client_order_id: order.clientOrderId, side: order.side === 'BUY' ? 'bid' : 'ask',
    count: E2.format(E2.toUnits(inst.qty.format(order.qtyLot), 'count')),
    price: E4.format(E4.toUnits(inst.price.format(order.priceTick))),
    time_in_force: ioc ? 'immediate_or_cancel' : 'good_till_canceled', self_trade_prevention_type: 'taker_at_cross',
    ...(order.timeInForce === 'POST_ONLY' ? { post_only: true } : {}),
    ...(order.reduceOnly === true && ioc ? { reduce_only: true } : {}),
  };
}
