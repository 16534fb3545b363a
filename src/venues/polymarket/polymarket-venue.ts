// PolymarketExecutionVenue: the `Venue` the order manager trades Polymarket's CLOB V2
// through. Our orders are on a YES token: priceTick on the market's current tick grid
// (0.1 … 0.0001), qtyLot in 0.01 shares.
//
// The fill rule. A Polymarket trade is MATCHED off-chain, then MINED and CONFIRMED on
// Polygon — or, after RETRYING, FAILED, in which case nothing changed hands. The engine's
// ledger has no way to take a fill back, so a fill is reported (onFill) only when its trade
// is CONFIRMED; a FAILED trade is never reported. Until then the matched quantity is
// "pending": pendingLots(orderId) / pendingExposure(symbol) expose it so risk can count it
// as exposure, and a cancel's outcome waits for the order's pending trades to settle (the
// order manager never hears "cancelled" while a fill of that order may still arrive).
//
// Ids. The venue's order id is the EIP-712 hash of the signed order, which we compute
// before sending: an unknown outcome (timeout, 5xx, dropped connection) is resolved by
// GET /data/order/{hash}, never by sending again; only after `notFoundThreshold` answers
// of "not found", the last at least `notFoundGraceMs` after the send, is it rejected.
// Fills are keyed `${tradeId}:${orderHash}` (one trade can match several of our orders),
// so duplicated user events, REST answers and reconciliation report each fill once.
//
// The heartbeat dead-man switch (POST /v1/heartbeats) runs while the user channel is
// connected: if this process stops, the CLOB cancels our open orders.
//
// After close() nothing more is reported: answers still in flight, user-channel messages and
// pending look-ups are dropped (the next start reconciles them), and nothing more is sent.
import { hashTypedData } from 'viem';
import { nearestUnits } from '../../execution/grid-change.js';
import { Instrument } from '../../orderbook/instrument.js';
import type { Venue, VenueOrder, VenueReports } from '../../execution/venue.js';
import type { Liquidity } from '../../trading/types.js';
import { decimalToMicro, formatMicro, orderAmounts, POLYMARKET_LOT_SIZE, toMicro } from './amounts.js';
import type { PolymarketCredentials } from './credentials.js';
import { exchangeFor, type ExchangeContracts } from './endpoints.js';
import { polymarketFee, type FeeSchedule } from './fees.js';
import { orderDomain, ORDER_V2_TYPES, signOrderV2, SignatureType, type SignedOrderV2 } from './order-signing.js';
import { Priority } from './rate-budget.js';
import { BudgetRefusedError, PolymarketApiError, type PolymarketRestClient, type TradeRecord } from './rest-client.js';
import { parseUserMessage, type OrderMessage, type TradeMessage, type TradeStatus } from './user-messages.js';
import { PolymarketChannel } from './ws-channel.js';

export interface PolymarketMarketSpec {
  /** The engine's symbol of the YES token. */
  readonly symbol: string;
  readonly tokenId: string;
  /** Condition id (the user channel subscribes by market). */
  readonly conditionId: string;
  readonly tickSize: string;
  readonly negRisk: boolean;
  readonly fees?: FeeSchedule;
}

export interface PolymarketVenueOptions {
  rest: PolymarketRestClient;
  credentials: PolymarketCredentials;
  chainId: number;
  contracts: ExchangeContracts;
  markets: readonly PolymarketMarketSpec[];
  /** The user channel's URL; without it events come only through handleUserFrame (tests) and reconcile. */
  userWsUrl?: string;
  name?: string;
  /** Funder address and signature type for proxy / safe wallets (default: EOA, the signer). */
  funder?: string;
  signatureType?: number;
  heartbeatMs?: number;
  notFoundThreshold?: number;
  notFoundGraceMs?: number;
  queryDelayMs?: number;
  now?: () => number;
  /**
   * Per token id, the high-water mark of the trades already handled (Unix seconds of a trade's
   * match_time, from an earlier run's reconciles): a reconcile lists only the trades after it,
   * less `tradeMarginS`. A token without a mark is read through its whole history.
   */
  tradeMarks?: ReadonlyMap<string, number>;
  /** How far before a token's mark a reconcile reads (clock differences, trades listed late); default 900 s. */
  tradeMarginS?: number;
}

/** The default look-back before a token's trade mark: 15 minutes. */
export const DEFAULT_TRADE_MARGIN_S = 900;

/**
 * A trade's match_time as Unix seconds: the CLOB answers seconds as a decimal string; a value
 * that looks like milliseconds is read as such, an ISO time is parsed; NaN when unreadable.
 */
export function tradeTimeS(t: string | number | undefined): number {
  if (t === undefined || t === '') return NaN;
  const n = Number(t);
  if (Number.isFinite(n)) return Math.floor(n > 1e11 ? n / 1000 : n);
  const ms = Date.parse(String(t));
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : NaN;
}

/**
 * When a trade listed by GET /data/trades happened, Unix epoch ns: its match_time, else its
 * last_update (seconds, milliseconds or an ISO time, as tradeTimeS reads them, with the
 * milliseconds kept); NaN when neither can be read.
 */
export function tradeTimeNs(tr: { match_time?: string; last_update?: string }): number {
  for (const v of [tr.match_time, tr.last_update]) {
    if (v === undefined || v === '') continue;
    const n = Number(v);
    if (Number.isFinite(n) && n > 0) return n > 1e11 ? Math.round(n * 1e6) : Math.round(n * 1e9);
    const ms = Date.parse(v);
    if (Number.isFinite(ms)) return ms * 1e6;
  }
  return NaN;
}

type Phase = 'signing' | 'sending' | 'unknown' | 'open' | 'closed';

interface Tracked {
  readonly order: VenueOrder;
  readonly market: PolymarketMarketSpec;
  /** The limit price as a decimal string (fixed at submit; the grid may change later). */
  readonly price: string;
  hash: string;
  phase: Phase;
  accepted: boolean;
  cancelWanted: boolean;
  /** The venue confirmed the cancel; onCancelled waits for pending trades. */
  cancelDone: boolean;
  cancelRefused: string | null;
  filledLots: number;
  notFound: number;
  sentMs: number;
  timer: NodeJS.Timeout | null;
  /** fill key → lots matched but not yet CONFIRMED */
  readonly pending: Map<string, number>;
}

type FillState = 'pending' | 'reported' | 'failed';

export interface PolymarketReconcileReport {
  readonly atMs: number;
  readonly unknownToUs: Array<{ id: string; asset_id: string; side: string; price: string; original_size: string; size_matched: string }>;
  readonly missingAtVenue: Array<{ orderId: string; hash: string; status: string }>;
  readonly missedFills: Array<{ tradeId: string; orderId: string; status: string; applied: boolean }>;
  readonly ok: boolean;
}

/** What a closed venue reports: nothing. */
const NO_REPORTS: VenueReports = {
  onAccepted: () => undefined, onRejected: () => undefined, onFill: () => undefined, onCancelled: () => undefined, onCancelRejected: () => undefined,
};

export interface PolymarketVenueCounters {
  submitted: number; rejected: number; fills: number; failedTrades: number; duplicates: number; heartbeats: number; heartbeatErrors: number; queries: number;
  /** Fills of an order sent before a tick_size_change at a price off the market's new tick: reported at the nearest tick. */
  offGridFills: number;
}

export class PolymarketExecutionVenue implements Venue {
  readonly name: string;
  readonly counters: PolymarketVenueCounters = { submitted: 0, rejected: 0, fills: 0, failedTrades: 0, duplicates: 0, heartbeats: 0, heartbeatErrors: 0, queries: 0, offGridFills: 0 };
  private reports: VenueReports | null = null;
  private readonly bySymbol = new Map<string, PolymarketMarketSpec>();
  private readonly instruments = new Map<string, Instrument>();
  private readonly byId = new Map<string, Tracked>();
  private readonly byHash = new Map<string, Tracked>();
  private readonly fills = new Map<string, FillState>();
  private channel: PolymarketChannel | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private heartbeatId = '';
  private lastEventNs = 0;
  private readonly now: () => number;
  /** token id → Unix seconds: the trades at or before it were read and are settled (see reconcile). */
  private readonly marks = new Map<string, number>();
  private closedVenue = false;

  constructor(private readonly opts: PolymarketVenueOptions) {
    this.name = opts.name ?? 'polymarket';
    this.now = opts.now ?? Date.now;
    for (const [token, s] of opts.tradeMarks ?? []) if (Number.isFinite(s)) this.marks.set(token, s);
    for (const m of opts.markets) {
      this.bySymbol.set(m.symbol, m);
      this.instruments.set(m.symbol, new Instrument({ symbol: m.symbol, tickSize: m.tickSize, lotSize: POLYMARKET_LOT_SIZE, kind: 'binary' }));
    }
  }

  nowNs(): number { return Math.max(this.lastEventNs, this.now() * 1e6); }
  instrument(symbol: string): Instrument | undefined { return this.instruments.get(symbol); }
  connect(reports: VenueReports): void { if (!this.closedVenue) this.reports = reports; }

  /** The market's tick size changed (market channel tick_size_change): new orders use the new grid. */
  setTickSize(symbol: string, tickSize: string): void {
    if (!this.bySymbol.has(symbol)) return;
    this.instruments.set(symbol, new Instrument({ symbol, tickSize, lotSize: POLYMARKET_LOT_SIZE, kind: 'binary' }));
  }

  /** Matched but not yet confirmed lots of an order. */
  pendingLots(orderId: string): number {
    const t = this.byId.get(orderId);
    let n = 0;
    if (t !== undefined) for (const v of t.pending.values()) n += v;
    return n;
  }
  /** Signed pending lots of a symbol (BUY +, SELL −): exposure the ledger does not hold yet. */
  pendingExposure(symbol: string): number {
    let n = 0;
    for (const t of this.byId.values()) if (t.order.symbol === symbol) { const p = this.pendingLots(t.order.orderId); n += t.order.side === 'BUY' ? p : -p; }
    return n;
  }
  /** The venue's order id (hash) of one of our orders. */
  venueOrderId(orderId: string): string | undefined { return this.byId.get(orderId)?.hash; }

  private r(): VenueReports {
    if (this.closedVenue) return NO_REPORTS;
    if (this.reports === null) throw new Error('PolymarketExecutionVenue: connect() first');
    return this.reports;
  }

  // ---- orders -------------------------------------------------------------------------
  submit(order: VenueOrder): void {
    if (this.closedVenue) return;
    const reports = this.r();
    const market = this.bySymbol.get(order.symbol);
    const inst = this.instruments.get(order.symbol);
    const ts = this.nowNs();
    if (market === undefined || inst === undefined) { this.counters.rejected++; reports.onRejected(order.orderId, 'unknown_symbol', ts); return; }
    if (order.type !== 'LIMIT' || !Number.isFinite(order.priceTick)) { this.counters.rejected++; reports.onRejected(order.orderId, 'limit_orders_only', ts); return; }
    let amounts;
    try {
      amounts = orderAmounts(order.side, order.priceTick, order.qtyLot, inst.tickSize);
    } catch (e) {
      this.counters.rejected++;
      reports.onRejected(order.orderId, `invalid_order: ${(e as Error).message}`, ts);
      return;
    }
    const t: Tracked = {
      order, market, price: inst.price.format(order.priceTick), hash: '', phase: 'signing', accepted: false, cancelWanted: false, cancelDone: false,
      cancelRefused: null, filledLots: 0, notFound: 0, sentMs: 0, timer: null, pending: new Map(),
    };
    this.byId.set(order.orderId, t);
    this.counters.submitted++;
    void this.send(t, amounts.makerAmount, amounts.takerAmount);
  }

  private async send(t: Tracked, makerAmount: bigint, takerAmount: bigint): Promise<void> {
    const { order, market } = t;
    const verifying = exchangeFor(this.opts.contracts, market.negRisk);
    let signed: SignedOrderV2;
    try {
      signed = await signOrderV2(this.opts.credentials.account(), this.opts.chainId, verifying, {
        tokenId: market.tokenId, side: order.side, makerAmount, takerAmount, timestampMs: this.now(),
        ...(this.opts.funder !== undefined ? { maker: this.opts.funder } : {}),
        signatureType: this.opts.signatureType ?? SignatureType.EOA,
      });
    } catch (e) {
      if (this.closedVenue) return;
      this.finish(t);
      this.counters.rejected++;
      this.r().onRejected(order.orderId, `signing_failed: ${(e as Error).message}`, this.nowNs());
      return;
    }
    // closed while it was signed: it is not sent
    if (this.closedVenue) return;
    t.hash = orderHash(signed, this.opts.chainId, verifying);
    this.byHash.set(t.hash, t);
    // before the order leaves: a restart finds its trades by this hash
    this.onOrderHash?.(order.orderId, order.clientOrderId, t.hash);
    t.phase = 'sending';
    t.sentMs = this.now();
    const postOnly = order.timeInForce === 'POST_ONLY';
    const orderType = order.timeInForce === 'IOC' ? 'FAK' : 'GTC';
    const priority = order.reduceOnly === true ? Priority.CANCEL : (order.level ?? 1) <= 1 ? Priority.TOP_REQUOTE : (order.level ?? 1) <= 3 ? Priority.NORMAL : Priority.DEEP;
    try {
      const res = await this.opts.rest.postOrder(signed, orderType, postOnly, priority);
      if (this.closedVenue) return;
      if (res.success) {
        if (res.orderID !== '' && res.orderID !== t.hash) { this.byHash.set(res.orderID, t); t.hash = res.orderID; }
        this.markAccepted(t);
        // FAK: whatever did not match at once is gone (its remainder is reported cancelled once its trades settle)
        if (orderType === 'FAK' && res.status !== 'live') { t.cancelDone = true; this.closeIfDone(t, true); }
      } else {
        this.reject(t, res.errorMsg || 'rejected');
      }
    } catch (e) {
      if (this.closedVenue) return;
      if (e instanceof BudgetRefusedError) { this.reject(t, 'rate_budget'); return; }
      if (e instanceof PolymarketApiError && !e.outcomeUnknown) { this.reject(t, e.errorMsg); return; }
      // timeout, 5xx, connection dropped: the order may be live. Query it, never resend.
      t.phase = 'unknown';
      this.scheduleQuery(t);
    }
  }

  private reject(t: Tracked, reason: string): void {
    if (t.phase === 'closed' || t.accepted) return;
    this.finish(t);
    this.counters.rejected++;
    this.r().onRejected(t.order.orderId, /post.?only|cross/i.test(reason) ? 'post_only_would_cross' : reason, this.nowNs());
  }

  private markAccepted(t: Tracked): void {
    if (t.phase === 'closed') return;
    if (t.phase !== 'open') t.phase = 'open';
    if (!t.accepted) {
      t.accepted = true;
      this.r().onAccepted(t.order.orderId, this.nowNs());
    }
    if (t.cancelWanted && !t.cancelDone) void this.sendCancel(t);
  }

  private scheduleQuery(t: Tracked): void {
    if (t.timer !== null || this.closedVenue) return;
    t.timer = setTimeout(() => { t.timer = null; void this.query(t); }, this.opts.queryDelayMs ?? 500);
  }

  private async query(t: Tracked): Promise<void> {
    if (t.phase !== 'unknown' || this.closedVenue) return;
    this.counters.queries++;
    try {
      const o = await this.opts.rest.getOrder(t.hash);
      if (this.closedVenue) return;
      if (o !== null && o !== undefined && typeof o === 'object' && 'id' in o) {
        this.markAccepted(t);
        if (o.status === 'CANCELED' || o.status === 'CANCELLED') { t.cancelDone = true; this.closeIfDone(t, true); }
        return;
      }
      t.notFound++;
    } catch (e) {
      if (this.closedVenue) return;
      if (e instanceof PolymarketApiError && e.status === 404) t.notFound++;
    }
    const threshold = this.opts.notFoundThreshold ?? 3;
    const grace = this.opts.notFoundGraceMs ?? 3000;
    if (t.notFound >= threshold && this.now() - t.sentMs >= grace) { this.reject(t, 'not_found_after_unknown_outcome'); return; }
    this.scheduleQuery(t);
  }

  cancel(orderId: string): void {
    if (this.closedVenue) return;
    const t = this.byId.get(orderId);
    const reports = this.r();
    if (t === undefined || t.phase === 'closed') { reports.onCancelRejected(orderId, 'unknown_or_closed', this.nowNs()); return; }
    t.cancelWanted = true;
    if (t.phase === 'open') void this.sendCancel(t);
    // signing / sending / unknown: sent once the order is known to be live
  }

  private async sendCancel(t: Tracked): Promise<void> {
    if (t.cancelDone || this.closedVenue) return;
    try {
      const res = await this.opts.rest.cancelOrder(t.hash);
      if (this.closedVenue) return;
      if (res.canceled.includes(t.hash)) { t.cancelDone = true; this.closeIfDone(t, true); return; }
      t.cancelRefused = res.not_canceled[t.hash] ?? 'not_canceled';
    } catch (e) {
      if (this.closedVenue) return;
      t.cancelRefused = e instanceof BudgetRefusedError ? 'rate_budget' : e instanceof PolymarketApiError ? e.errorMsg : 'cancel_outcome_unknown';
    }
    this.flushCancelRefused(t);
  }

  /** A refused cancel is told once the order's pending trades have settled. */
  private flushCancelRefused(t: Tracked): void {
    if (t.cancelRefused === null || t.pending.size > 0) return;
    const reason = t.cancelRefused;
    t.cancelRefused = null;
    t.cancelWanted = false;
    if (t.filledLots >= t.order.qtyLot) return; // filled: the order manager knows from the fills
    this.r().onCancelRejected(t.order.orderId, reason, this.nowNs());
  }

  /** Closes the order when nothing can happen to it any more; onCancelled for a cancelled remainder. */
  private closeIfDone(t: Tracked, ended: boolean): void {
    if (t.phase === 'closed') return;
    if (t.filledLots >= t.order.qtyLot) { if (t.pending.size === 0) this.finish(t); return; }
    if (ended && t.pending.size === 0) {
      this.finish(t);
      this.r().onCancelled(t.order.orderId, t.cancelWanted ? 'cancelled' : 'venue_cancelled', this.nowNs());
    }
  }

  private finish(t: Tracked): void {
    if (t.phase !== 'closed' && t.hash !== '') this.onOrderFinal?.(t.hash);
    t.phase = 'closed';
    if (t.timer !== null) clearTimeout(t.timer);
    t.timer = null;
  }

  // ---- user events --------------------------------------------------------------------
  /** One user-channel frame (a message or an array of them). */
  handleUserFrame(text: string): void {
    if (this.closedVenue) return;
    let v: unknown;
    try { v = JSON.parse(text); } catch { return; }
    for (const item of Array.isArray(v) ? v : [v]) {
      const m = parseUserMessage(item);
      if (m === null) continue;
      if (m.event_type === 'trade') this.onTrade(m); else this.onOrder(m);
    }
  }

  private onOrder(m: OrderMessage): void {
    const t = this.byHash.get(m.id);
    if (t === undefined) return;
    const ts = Number(m.timestamp);
    if (Number.isFinite(ts) && ts > 0) this.lastEventNs = Math.max(this.lastEventNs, ts * 1e6);
    if (m.type === 'PLACEMENT' || m.type === 'UPDATE') {
      if (t.phase === 'unknown' || t.phase === 'sending') this.markAccepted(t);
      return;
    }
    // CANCELLATION (ours, the heartbeat switch, or market resolution)
    if (!t.accepted) this.markAccepted(t);
    t.cancelDone = true;
    this.closeIfDone(t, true);
  }

  /** Our (order, lots, price, liquidity) legs of a trade. */
  private legs(m: Pick<TradeMessage, 'id' | 'taker_order_id' | 'maker_orders' | 'size' | 'price'>): Array<{ t: Tracked; lots: number; price: string; liq: Liquidity }> {
    const out: Array<{ t: Tracked; lots: number; price: string; liq: Liquidity }> = [];
    const lot = toMicro(1n, POLYMARKET_LOT_SIZE);
    const lotsOf = (s: string): number => Number(decimalToMicro(s) / lot);
    const taker = this.byHash.get(m.taker_order_id);
    if (taker !== undefined) out.push({ t: taker, lots: lotsOf(m.size), price: m.price, liq: 'TAKER' });
    for (const mo of m.maker_orders) {
      const t = this.byHash.get(mo.order_id);
      if (t !== undefined) out.push({ t, lots: lotsOf(mo.matched_amount), price: mo.price, liq: 'MAKER' });
    }
    return out;
  }

  private onTrade(m: TradeMessage): void {
    const ts = Number(m.last_update ?? m.timestamp);
    const tsNs = Number.isFinite(ts) && ts > 0 ? ts * (ts < 1e11 ? 1e9 : 1e6) : this.nowNs();
    this.lastEventNs = Math.max(this.lastEventNs, tsNs);
    for (const leg of this.legs(m)) this.applyLeg(m.id, m.status, leg, tsNs);
  }

  private applyLeg(tradeId: string, status: TradeStatus | string, leg: { t: Tracked; lots: number; price: string; liq: Liquidity }, tsNs: number): boolean {
    const { t } = leg;
    const key = `${tradeId}:${t.hash}`;
    const state = this.fills.get(key);
    if (state === 'reported' || state === 'failed') { this.counters.duplicates++; return false; }
    if (!t.accepted && t.phase !== 'closed') this.markAccepted(t);
    if (status === 'FAILED') {
      this.fills.set(key, 'failed');
      t.pending.delete(key);
      this.counters.failedTrades++;
      this.afterSettle(t);
      return false;
    }
    if (status !== 'CONFIRMED') {
      this.fills.set(key, 'pending');
      t.pending.set(key, leg.lots);
      return false;
    }
    this.fills.set(key, 'reported');
    t.pending.delete(key);
    // in ticks of the market's current grid (the engine's instrument): an order sent before a
    // tick_size_change to a coarser tick can fill at a price off it, reported at the nearest tick
    const inst = this.instruments.get(t.order.symbol)!;
    let tick = inst.price.toUnitsOrNaN(leg.price);
    if (Number.isNaN(tick)) {
      tick = nearestUnits(inst.price, leg.price);
      this.counters.offGridFills++;
    }
    const fee = polymarketFee(formatMicro(BigInt(leg.lots) * toMicro(1n, POLYMARKET_LOT_SIZE)), leg.price, t.market.fees ?? { rate: '0', exponent: 1 }, leg.liq);
    t.filledLots += leg.lots;
    this.counters.fills++;
    this.r().onFill(t.order.orderId, key, tick, leg.lots, fee, leg.liq, tsNs);
    this.afterSettle(t);
    return true;
  }

  private afterSettle(t: Tracked): void {
    if (t.pending.size > 0) return;
    this.flushCancelRefused(t);
    if (t.filledLots >= t.order.qtyLot) this.finish(t);
    else if (t.cancelDone) this.closeIfDone(t, true);
  }

  // ---- connection, heartbeat, reconcile -----------------------------------------------
  /** Opens the user channel and runs the heartbeat while it is connected. */
  start(): void {
    const url = this.opts.userWsUrl;
    if (url === undefined || this.channel !== null || this.closedVenue) return;
    const creds = this.opts.credentials;
    this.channel = new PolymarketChannel({
      url,
      subscription: () => { const c = creds.creds(); return { auth: { apiKey: c.key, secret: c.secret, passphrase: c.passphrase }, markets: this.opts.markets.map((m) => m.conditionId), type: 'user' }; },
      onFrame: (text) => this.handleUserFrame(text),
      onOpen: () => { this.startHeartbeat(); this.onReconnect?.(); },
      onClose: () => { this.stopHeartbeat(); if (!this.closedVenue) this.onDisconnect?.(); },
    });
    this.channel.open();
  }

  /** Called after the user channel (re)connects: events may have been missed — reconcile before quoting. */
  onReconnect: (() => void) | null = null;

  /**
   * Called when a connected user channel drops (once per drop, not at each failed attempt to
   * reconnect; not after close()): our fills are not reported until it is back — stop quoting.
   */
  onDisconnect: (() => void) | null = null;

  /** Whether close() was called. */
  get closed(): boolean { return this.closedVenue; }

  get userConnected(): boolean { return this.channel?.connected === true; }

  private startHeartbeat(): void {
    this.stopHeartbeat();
    const beat = async (): Promise<void> => {
      try { this.heartbeatId = await this.opts.rest.heartbeat(this.heartbeatId); this.counters.heartbeats++; } catch { this.counters.heartbeatErrors++; }
    };
    void beat();
    this.heartbeatTimer = setInterval(() => { void beat(); }, this.opts.heartbeatMs ?? 5000);
  }
  private stopHeartbeat(): void { if (this.heartbeatTimer !== null) clearInterval(this.heartbeatTimer); this.heartbeatTimer = null; }

  /**
   * Compares the venue with what we track: open orders we do not know, orders we think
   * open that the venue does not list (each queried), and trades of our orders we have
   * not reported — CONFIRMED ones are reported now (once, by fill key), MATCHED ones
   * become pending, FAILED ones are recorded as such. Throws once the venue is closed, also
   * when it is closed during the reconcile (nothing it read after the close is applied).
   */
  async reconcile(): Promise<PolymarketReconcileReport> {
    this.notClosed();
    const open = await this.opts.rest.getOpenOrders();
    this.notClosed();
    const openIds = new Set(open.map((o) => o.id));
    const unknownToUs = open.filter((o) => !this.byHash.has(o.id)).map((o) => ({ id: o.id, asset_id: o.asset_id, side: o.side, price: o.price, original_size: o.original_size, size_matched: o.size_matched }));
    for (const o of open) { const t = this.byHash.get(o.id); if (t !== undefined && !t.accepted) this.markAccepted(t); }
    const missedFills: PolymarketReconcileReport['missedFills'] = [];
    for (const m of this.opts.markets) {
      const after = this.tradesAfter(m.tokenId);
      const trades: TradeRecord[] = await this.opts.rest.getTrades({ asset_id: m.tokenId, ...(after !== undefined ? { after: String(after) } : {}) });
      this.notClosed();
      for (const tr of trades) {
        for (const leg of this.legs(tr)) {
          const key = `${tr.id}:${leg.t.hash}`;
          const before = this.fills.get(key);
          if (before === 'reported' || before === 'failed') continue;
          // the fill's time is the trade's (a reconcile finds it late), not the reconcile's
          const tsNs = tradeTimeNs(tr);
          const applied = this.applyLeg(tr.id, tr.status, leg, Number.isFinite(tsNs) ? tsNs : this.nowNs());
          missedFills.push({ tradeId: tr.id, orderId: leg.t.order.orderId, status: tr.status, applied });
        }
      }
      this.advanceMark(m.tokenId, trades);
    }
    const missingAtVenue: PolymarketReconcileReport['missingAtVenue'] = [];
    for (const t of this.byId.values()) {
      if (t.phase !== 'open' || openIds.has(t.hash)) continue;
      let status = 'NOT_FOUND';
      try { const o = await this.opts.rest.getOrder(t.hash); if (o !== null && typeof o === 'object' && 'status' in o) status = o.status; } catch { /* NOT_FOUND */ }
      this.notClosed();
      missingAtVenue.push({ orderId: t.order.orderId, hash: t.hash, status });
      if (status !== 'LIVE') { t.cancelDone = true; this.closeIfDone(t, true); }
    }
    return { atMs: this.now(), unknownToUs, missingAtVenue, missedFills, ok: unknownToUs.length === 0 && missingAtVenue.length === 0 };
  }

  /** Throws once close() was called: a reconcile stops there. */
  private notClosed(): void {
    if (this.closedVenue) throw new Error('the Polymarket venue is closed');
  }

  /**
   * The `after` (Unix seconds) a read of a token's trades asks: its mark less the margin, or
   * undefined (the whole history) when it has none.
   */
  tradesAfter(tokenId: string): number | undefined {
    const mark = this.marks.get(tokenId);
    return mark === undefined ? undefined : Math.max(0, mark - (this.opts.tradeMarginS ?? DEFAULT_TRADE_MARGIN_S));
  }

  /** Every token's trade mark (Unix seconds). */
  tradeMarks(): ReadonlyMap<string, number> { return this.marks; }

  /**
   * After a read of a token's trades: the mark moves to the newest match_time read, but never
   * past a trade not settled yet (MATCHED, MINED, RETRYING), whose later statuses the next
   * reconcile must still list. A trade whose time cannot be read leaves the mark where it was.
   */
  private advanceMark(tokenId: string, trades: readonly TradeRecord[]): void {
    if (trades.length === 0) return;
    const old = this.marks.get(tokenId);
    let newest = old ?? -Infinity;
    let oldestOpen = Infinity;
    for (const tr of trades) {
      const t = tradeTimeS(tr.match_time);
      if (Number.isNaN(t)) return;
      if (t > newest) newest = t;
      if (tr.status !== 'CONFIRMED' && tr.status !== 'FAILED' && t < oldestOpen) oldestOpen = t;
    }
    const mark = Math.min(newest, oldestOpen);
    if (!Number.isFinite(mark) || mark === old) return;
    this.marks.set(tokenId, mark);
    this.onTradeMark?.(tokenId, mark);
  }

  /** Told when a reconcile moves a token's trade mark (Unix seconds); serve keeps it in the journal. */
  onTradeMark: ((tokenId: string, markS: number) => void) | null = null;

  /** Told each order's venue id (its hash) before the order is sent. */
  onOrderHash: ((orderId: string, clientOrderId: string, hash: string) => void) | null = null;
  /** Told when an order is closed with no trade of it pending. */
  onOrderFinal: ((hash: string) => void) | null = null;

  /** Whether this process sent the order with that hash. */
  tracks(hash: string): boolean { return this.byHash.has(hash); }

  /** The market spec of a token id. */
  marketOfToken(tokenId: string): PolymarketMarketSpec | undefined { return this.opts.markets.find((m) => m.tokenId === tokenId); }

  /**
   * Cancels every open order (DELETE /cancel-all); outcomes arrive as usual. After close() it
   * still cancels at the venue (an owner's last safety step) but reports nothing.
   */
  async cancelAll(): Promise<string[]> {
    const res = await this.opts.rest.cancelAll();
    for (const h of res.canceled) { const t = this.byHash.get(h); if (t !== undefined) { t.cancelDone = true; this.closeIfDone(t, true); } }
    return res.canceled;
  }

  /**
   * Stops every later report: REST answers still in flight, user-channel messages and pending
   * look-ups are dropped, and later submits, cancels and reconciles send nothing (a reconcile
   * throws). The user channel and the heartbeat stop; the orders stay as they are at
   * Polymarket (the heartbeat switch cancels them once heartbeats stop).
   */
  close(): void {
    this.closedVenue = true;
    this.reports = NO_REPORTS;
    this.stopHeartbeat();
    this.channel?.close();
    this.channel = null;
    for (const t of this.byId.values()) if (t.timer !== null) { clearTimeout(t.timer); t.timer = null; }
  }
}

/** The order's id at the venue: the EIP-712 hash of the signed order. */
export function orderHash(o: SignedOrderV2, chainId: number, verifyingContract: string): string {
  return hashTypedData({
    domain: orderDomain(chainId, verifyingContract), types: ORDER_V2_TYPES, primaryType: 'Order',
    message: {
      salt: BigInt(o.salt), maker: o.maker as `0x${string}`, signer: o.signer as `0x${string}`, tokenId: BigInt(o.tokenId),
      makerAmount: BigInt(o.makerAmount), takerAmount: BigInt(o.takerAmount), side: o.side === 'BUY' ? 0 : 1,
      signatureType: o.signatureType, timestamp: BigInt(o.timestamp), metadata: o.metadata as `0x${string}`, builder: o.builder as `0x${string}`,
    },
  });
}
