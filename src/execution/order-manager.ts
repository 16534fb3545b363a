// The order manager: the one interface a strategy uses to trade, whatever the venue.
// It checks intents, gives each order an id, keeps client order ids unique and
// idempotent, follows every order's status from the venue's reports, keeps position
// and working exposure per strategy and symbol, and tells its listener about order
// updates and fills (as FillRecords with the strategy's inventory after the fill).
//
//   const om = new OrderManager(venue, { listener: { onFill(e) {...}, onOrderUpdate(o, prev) {...} } });
//   om.submit(intent);            // SENT | DUPLICATE | REJECTED | ID_CONFLICT
//   om.cancel(clientOrderId);     // SENT | ALREADY_PENDING | CLOSED | UNKNOWN
//   om.cancelAll('btc_mm_1');     // every open order of the strategy (optionally one symbol)
//   om.replace(clientOrderId, newIntent);  // cancel, then the new order (new client id)
//
// Idempotency: a submit whose client order id is known and whose fields are the same
// is the same order (DUPLICATE: nothing is sent again); with different fields it is
// refused (ID_CONFLICT) and the existing order is untouched. Client ids of closed
// orders are remembered for the last retainClosedOrders closed orders.
//
// Venue reports can arrive inside submit/cancel (a zero-latency venue) and the
// listener can call back into the order manager; every state change is complete
// before any listener call.
import { SpreadcoreError } from '../errors.js';
import type { Instrument } from '../orderbook/instrument.js';
import type { FillRecord, Liquidity, OrderIntent, OrderRecord, OrderSide, OrderStatus } from '../trading/types.js';
import type { GridChange } from './grid-change.js';
import { ManagedOrder, orderRecordOf } from './managed-order.js';
import { StrategyExposure, type SymbolExposure } from './strategy-exposure.js';
import type { Venue, VenueOrder, VenueReports } from './venue.js';

export type SubmitOutcome = 'SENT' | 'DUPLICATE' | 'REJECTED' | 'ID_CONFLICT';
export type CancelOutcome = 'SENT' | 'ALREADY_PENDING' | 'CLOSED' | 'UNKNOWN';

export interface SubmitResult {
  readonly outcome: SubmitOutcome;
  /** The order (for DUPLICATE and ID_CONFLICT: the existing one); null when no order could be created. */
  readonly order: ManagedOrder | null;
  readonly reason: string | null;
}

export interface ReplaceResult {
  /** NOT_SENT: the replacement was refused and the old order left alone. */
  readonly cancel: CancelOutcome | 'NOT_SENT';
  /** The new order's submit, or null when the old order was not open (nothing was sent). */
  readonly submit: SubmitResult | null;
  readonly reason: string | null;
}

export interface OrderFillEvent {
  readonly fill: FillRecord;
  readonly order: ManagedOrder;
  readonly priceTick: number;
  readonly qtyLot: number;
  /** The strategy's position in the symbol after this fill, lots and exact decimal. */
  readonly inventoryAfterLot: number;
  readonly inventoryAfter: string;
}

export interface OrderManagerListener {
  /** The order was created or changed (status, filled quantity, reason). previous is null for a new order. */
  onOrderUpdate?(order: ManagedOrder, previous: OrderStatus | null): void;
  onFill?(event: OrderFillEvent): void;
}

export interface OrderManagerOptions {
  listener?: OrderManagerListener;
  /** Prefix of order ids ("<prefix>-<n>"). Default "o"; give each run its own when orders of several runs share a journal. */
  orderIdPrefix?: string;
  /** How many closed orders (and their client ids) are remembered. Default 100,000. */
  retainClosedOrders?: number;
  /** tsInitNs of records; default: the event's own time (deterministic in backtests). */
  clockNs?: () => bigint;
}

export interface OrderManagerCounters {
  submitted: number;
  duplicates: number;
  idConflicts: number;
  rejected: number;
  fills: number;
  /** Fills reported twice (same trade id) and ignored. */
  duplicateFills: number;
  /** Fills for an order already closed (applied to the position all the same). */
  lateFills: number;
  /** Reports naming an order this manager does not know (or no longer remembers). */
  unknownReports: number;
}

/** How many of the latest venue trade ids are checked for a fill reported twice. */
export const TRADE_IDS_REMEMBERED = 65_536;

const SIDES: readonly string[] = ['BUY', 'SELL'];
const TYPES: readonly string[] = ['LIMIT', 'MARKET'];
const TIFS: readonly string[] = ['GTC', 'IOC', 'POST_ONLY'];

function toNs(x: number): bigint {
  return Number.isFinite(x) && x > 0 ? BigInt(Math.trunc(x)) : 0n;
}

/** orderRecordOf gives a record (not null) for this intent. */
function recordable(i: OrderIntent): boolean {
  return (i.type === 'MARKET' || Number.isSafeInteger(i.priceTick)) && Number.isSafeInteger(i.qtyLot);
}

function sameIntent(a: OrderIntent, b: OrderIntent): boolean {
  return a.strategyId === b.strategyId && a.symbol === b.symbol && a.side === b.side && a.type === b.type
    && a.timeInForce === b.timeInForce && Object.is(a.priceTick, b.priceTick) && a.qtyLot === b.qtyLot
    && a.reduceOnly === b.reduceOnly && a.level === b.level;
}

export class OrderManager implements VenueReports {
  readonly venue: Venue;
  listener: OrderManagerListener;
  readonly exposure = new StrategyExposure();
  readonly counters: OrderManagerCounters = {
    submitted: 0, duplicates: 0, idConflicts: 0, rejected: 0, fills: 0, duplicateFills: 0, lateFills: 0, unknownReports: 0,
  };

  private readonly byClientId = new Map<string, ManagedOrder>();
  private readonly byOrderId = new Map<string, ManagedOrder>();
  private readonly openSet = new Set<ManagedOrder>();
  /** Recent venue trade ids (a fill reported twice is applied once), oldest first in the ring. */
  private readonly seenTradeIds = new Set<string>();
  private readonly tradeIdRing: string[] = [];
  private tradeIdNext = 0;
  private readonly closedQueue: ManagedOrder[] = [];
  private closedHead = 0;
  private readonly prefix: string;
  private readonly retain: number;
  private readonly clockNs: (() => bigint) | undefined;
  private nextId = 1;

  constructor(venue: Venue, options: OrderManagerOptions = {}) {
    this.venue = venue;
    this.listener = options.listener ?? {};
    this.prefix = options.orderIdPrefix ?? 'o';
    this.retain = options.retainClosedOrders ?? 100_000;
    if (!(Number.isSafeInteger(this.retain) && this.retain >= 0)) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `retainClosedOrders must be a whole number >= 0, got ${this.retain}`);
    }
    if (typeof this.prefix !== 'string' || this.prefix.length === 0) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `orderIdPrefix must be a non-empty string, got ${JSON.stringify(this.prefix)}`);
    }
    this.clockNs = options.clockNs;
    venue.connect(this);
  }

  // ---- reads ---------------------------------------------------------------------------
  order(clientOrderId: string): ManagedOrder | undefined { return this.byClientId.get(clientOrderId); }
  orderById(orderId: string): ManagedOrder | undefined { return this.byOrderId.get(orderId); }

  /** Open orders, optionally of one strategy and/or symbol, oldest first (allocates). */
  openOrders(strategyId?: string, symbol?: string): ManagedOrder[] {
    const out: ManagedOrder[] = [];
    for (const o of this.openSet) {
      if ((strategyId === undefined || o.intent.strategyId === strategyId) && (symbol === undefined || o.intent.symbol === symbol)) out.push(o);
    }
    return out;
  }

  /** Unfilled quantity of the strategy's open orders on one side of a symbol (working or on their way), lots. */
  pendingExposureLot(strategyId: string, symbol: string, side: OrderSide): number {
    const e = this.exposure.get(strategyId, symbol);
    if (e === undefined) return 0;
    return side === 'BUY' ? e.openBuyLot : e.openSellLot;
  }

  /** The strategy's net position in the symbol from fills, lots. */
  positionLot(strategyId: string, symbol: string): number {
    return this.exposure.get(strategyId, symbol)?.positionLot ?? 0;
  }

  // ---- commands ------------------------------------------------------------------------
  submit(intent: OrderIntent): SubmitResult {
    const id = intent.clientOrderId;
    if (typeof id !== 'string' || id.length === 0) {
      this.counters.rejected++;
      return { outcome: 'REJECTED', order: null, reason: 'clientOrderId must be a non-empty string' };
    }
    const known = this.byClientId.get(id);
    if (known !== undefined) {
      if (sameIntent(known.intent, intent)) {
        this.counters.duplicates++;
        return { outcome: 'DUPLICATE', order: known, reason: null };
      }
      this.counters.idConflicts++;
      return { outcome: 'ID_CONFLICT', order: known, reason: `client order id ${id} is already used by an order with different fields` };
    }
    const nowNs = this.venue.nowNs();
    const instrument = typeof intent.symbol === 'string' ? this.venue.instrument(intent.symbol) : undefined;
    const problem = instrument === undefined ? `unknown symbol ${String(intent.symbol)}` : this.check(intent);
    const orderId = `${this.prefix}-${this.nextId++}`;
    // the record (decimal strings) is built when first read, unless the clock is the host's (read now)
    const order = instrument === undefined ? new ManagedOrder(orderId, intent, null, nowNs)
      : this.clockNs !== undefined ? new ManagedOrder(orderId, intent, recordable(intent) ? orderRecordOf(orderId, intent, instrument, this.clockNs()) : null, nowNs)
        : new ManagedOrder(orderId, intent, undefined, nowNs, instrument);
    if (problem === null && !recordable(intent)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'order record missing');
    this.byClientId.set(id, order);
    this.byOrderId.set(order.orderId, order);
    if (problem !== null) {
      this.counters.rejected++;
      order.status = 'REJECTED';
      order.reason = problem;
      this.remember(order);
      this.listener.onOrderUpdate?.(order, null);
      return { outcome: 'REJECTED', order, reason: problem };
    }
    this.counters.submitted++;
    const e = this.exposure.getOrCreate(intent.strategyId, intent.symbol);
    if (intent.side === 'BUY') e.openBuyLot += intent.qtyLot;
    else e.openSellLot += intent.qtyLot;
    e.openOrders++;
    this.openSet.add(order);
    this.listener.onOrderUpdate?.(order, null);
    const sent: VenueOrder = {
      orderId: order.orderId, clientOrderId: id, strategyId: intent.strategyId, symbol: intent.symbol, side: intent.side,
      type: intent.type, timeInForce: intent.timeInForce, priceTick: intent.type === 'MARKET' ? NaN : intent.priceTick, qtyLot: intent.qtyLot,
      level: intent.level, reduceOnly: intent.reduceOnly,
    };
    this.venue.submit(sent);
    return { outcome: order.status === 'REJECTED' ? 'REJECTED' : 'SENT', order, reason: order.status === 'REJECTED' ? order.reason : null };
  }

  cancel(clientOrderId: string): CancelOutcome {
    const o = this.byClientId.get(clientOrderId);
    if (o === undefined) return 'UNKNOWN';
    return this.cancelOrder(o);
  }

  /** Cancels every open order (of a strategy, of a symbol); returns how many cancels were sent. */
  cancelAll(strategyId?: string, symbol?: string): number {
    let n = 0;
    for (const o of this.openOrders(strategyId, symbol)) if (this.cancelOrder(o) === 'SENT') n++;
    return n;
  }

  /**
   * Cancel-replace: cancels the open order and submits newIntent (with its own client
   * order id; same strategy, symbol and side). The new order takes a new place in the
   * queue; until the cancel is confirmed both count as exposure and the old one can
   * still fill.
   */
  replace(clientOrderId: string, newIntent: OrderIntent): ReplaceResult {
    const old = this.byClientId.get(clientOrderId);
    if (old === undefined) return { cancel: 'UNKNOWN', submit: null, reason: `no order with client order id ${clientOrderId}` };
    if (!old.isOpen) return { cancel: 'CLOSED', submit: null, reason: `order ${clientOrderId} is ${old.status}` };
    const a = old.intent;
    if (newIntent.clientOrderId === clientOrderId) return { cancel: 'NOT_SENT', submit: null, reason: 'the replacement needs its own client order id' };
    if (newIntent.strategyId !== a.strategyId || newIntent.symbol !== a.symbol || newIntent.side !== a.side) {
      return { cancel: 'NOT_SENT', submit: null, reason: 'a replacement keeps the strategy, symbol and side' };
    }
    const cancel = this.cancelOrder(old);
    return { cancel, submit: this.submit(newIntent), reason: null };
  }

  /**
   * The venue changed the symbol's grid (the instrument was redefined): every open order on
   * it is converted to the new units (intent, filled quantity) and the working exposure of
   * each strategy on the symbol is counted again from them, so a late fill (reported in the
   * new units) and the limits on new orders never mix the two grids.
   */
  regrid(symbol: string, change: GridChange): void {
    for (const o of this.openSet) {
      const i = o.intent;
      if (i.symbol !== symbol) continue;
      const e = this.exposure.getOrCreate(i.strategyId, symbol);
      const leaves = o.leavesLot;
      if (i.side === 'BUY') e.openBuyLot -= leaves; else e.openSellLot -= leaves;
      o.regrid({ ...i, priceTick: i.type === 'MARKET' ? i.priceTick : change.tick(i.priceTick), qtyLot: change.lotUp(i.qtyLot) }, change.lotDown(o.filledLot));
      if (i.side === 'BUY') e.openBuyLot += o.leavesLot; else e.openSellLot += o.leavesLot;
    }
  }

  // ---- venue reports ------------------------------------------------------------------------
  onAccepted(orderId: string, tsEventNs: number): void {
    const o = this.find(orderId);
    if (o === undefined || !o.isOpen) return;
    o.accepted = true;
    o.updatedTsNs = tsEventNs;
    if (o.status === 'PENDING_NEW') this.setStatus(o, 'ACTIVE');
  }

  onRejected(orderId: string, reason: string, tsEventNs: number): void {
    const o = this.find(orderId);
    if (o === undefined || !o.isOpen) return;
    this.counters.rejected++;
    o.reason = reason;
    o.updatedTsNs = tsEventNs;
    this.close(o, 'REJECTED');
  }

  onFill(orderId: string, tradeId: string, priceTick: number, qtyLot: number, fee: string, liquidity: Liquidity, tsEventNs: number): void {
    const o = this.find(orderId);
    if (o === undefined) return;
    if (this.seenTradeIds.has(tradeId)) { this.counters.duplicateFills++; return; }
    this.rememberTradeId(tradeId);
    this.counters.fills++;
    o.fills++;
    const intent = o.intent;
    const instrument = this.venue.instrument(intent.symbol);
    const e = this.exposure.getOrCreate(intent.strategyId, intent.symbol);
    const wasOpen = o.isOpen;
    const working = o.leavesLot;
    o.filledLot += qtyLot;
    o.updatedTsNs = tsEventNs;
    e.positionLot += intent.side === 'BUY' ? qtyLot : -qtyLot;
    const previous = o.status;
    if (wasOpen) {
      const used = qtyLot < working ? qtyLot : working;
      if (intent.side === 'BUY') e.openBuyLot -= used;
      else e.openSellLot -= used;
      if (o.filledLot >= intent.qtyLot) this.closeQuietly(o, e, 'FILLED');
      else if (o.status === 'PENDING_NEW' || o.status === 'ACTIVE') o.status = 'PARTIALLY_FILLED';
    } else {
      this.counters.lateFills++;
    }
    const fmtPrice = instrument !== undefined ? instrument.price.format(priceTick) : String(priceTick);
    const fmtQty = instrument !== undefined ? instrument.qty.format(qtyLot) : String(qtyLot);
    const event: OrderFillEvent = {
      fill: {
        tradeId, orderId, clientOrderId: intent.clientOrderId, strategyId: intent.strategyId, symbol: intent.symbol, side: intent.side,
        price: fmtPrice, qty: fmtQty, fee, liquidity, tsEventNs: toNs(tsEventNs), tsInitNs: this.initNs(tsEventNs),
      },
      order: o,
      priceTick,
      qtyLot,
      inventoryAfterLot: e.positionLot,
      inventoryAfter: instrument !== undefined ? instrument.qty.format(e.positionLot) : String(e.positionLot),
    };
    this.listener.onFill?.(event);
    this.listener.onOrderUpdate?.(o, previous);
  }

  onCancelled(orderId: string, reason: string, tsEventNs: number): void {
    const o = this.find(orderId);
    if (o === undefined || !o.isOpen) return;
    o.reason = reason;
    o.updatedTsNs = tsEventNs;
    this.close(o, 'CANCELLED');
  }

  onCancelRejected(orderId: string, reason: string, tsEventNs: number): void {
    const o = this.find(orderId);
    if (o === undefined) return;
    if (!o.isOpen || o.status !== 'PENDING_CANCEL') return; // already closed: the cancel simply came too late
    o.reason = reason;
    o.updatedTsNs = tsEventNs;
    this.setStatus(o, o.workingStatus);
  }

  // ---- internals ------------------------------------------------------------------------
  private check(i: OrderIntent): string | null {
    if (typeof i.strategyId !== 'string' || i.strategyId.length === 0) return 'strategyId must be a non-empty string';
    if (!SIDES.includes(i.side)) return `side must be BUY or SELL, got ${String(i.side)}`;
    if (!TYPES.includes(i.type)) return `type must be LIMIT or MARKET, got ${String(i.type)}`;
    if (!TIFS.includes(i.timeInForce)) return `timeInForce must be GTC, IOC or POST_ONLY, got ${String(i.timeInForce)}`;
    if (!Number.isSafeInteger(i.qtyLot) || i.qtyLot <= 0) return 'quantity must be a positive whole number of lots';
    if (i.type === 'LIMIT' && (!Number.isSafeInteger(i.priceTick) || i.priceTick <= 0)) return 'limit price must be a positive whole number of ticks';
    if (i.type === 'MARKET' && i.timeInForce === 'POST_ONLY') return 'a market order cannot be post-only';
    if (i.reduceOnly) {
      const e = this.exposure.get(i.strategyId, i.symbol);
      const pos = e?.positionLot ?? 0;
      // what the position could become if every working order on this side fills too
      const after = i.side === 'BUY' ? pos + (e?.openBuyLot ?? 0) + i.qtyLot : pos - (e?.openSellLot ?? 0) - i.qtyLot;
      if (i.side === 'BUY' ? after > 0 : after < 0) return 'reduce-only order would increase the position';
    }
    return null;
  }

  private initNs(tsNs: number): bigint { return this.clockNs !== undefined ? this.clockNs() : toNs(tsNs); }

  private find(orderId: string): ManagedOrder | undefined {
    const o = this.byOrderId.get(orderId);
    if (o === undefined) this.counters.unknownReports++;
    return o;
  }

  private cancelOrder(o: ManagedOrder): CancelOutcome {
    if (!o.isOpen) return 'CLOSED';
    if (o.status === 'PENDING_CANCEL') return 'ALREADY_PENDING';
    this.setStatus(o, 'PENDING_CANCEL');
    this.venue.cancel(o.orderId);
    return 'SENT';
  }

  private setStatus(o: ManagedOrder, status: OrderStatus): void {
    const previous = o.status;
    if (previous === status) return;
    o.status = status;
    this.listener.onOrderUpdate?.(o, previous);
  }

  /** Closes an open order (releasing its working quantity) and tells the listener. */
  private close(o: ManagedOrder, status: 'REJECTED' | 'CANCELLED'): void {
    const previous = o.status;
    this.closeQuietly(o, this.exposure.getOrCreate(o.intent.strategyId, o.intent.symbol), status);
    this.listener.onOrderUpdate?.(o, previous);
  }

  private closeQuietly(o: ManagedOrder, e: SymbolExposure, status: 'FILLED' | 'REJECTED' | 'CANCELLED'): void {
    const leaves = o.leavesLot;
    if (o.intent.side === 'BUY') e.openBuyLot -= leaves;
    else e.openSellLot -= leaves;
    e.openOrders--;
    o.status = status;
    this.openSet.delete(o);
    this.remember(o);
  }

  private rememberTradeId(tradeId: string): void {
    const ring = this.tradeIdRing;
    if (ring.length < TRADE_IDS_REMEMBERED) {
      ring.push(tradeId);
    } else {
      this.seenTradeIds.delete(ring[this.tradeIdNext]!);
      ring[this.tradeIdNext] = tradeId;
      this.tradeIdNext = (this.tradeIdNext + 1) % TRADE_IDS_REMEMBERED;
    }
    this.seenTradeIds.add(tradeId);
  }

  /** Keeps the last `retain` closed orders findable by client id; forgets older ones. */
  private remember(o: ManagedOrder): void {
    const q = this.closedQueue;
    q.push(o);
    while (q.length - this.closedHead > this.retain) {
      const old = q[this.closedHead++]!;
      if (this.byClientId.get(old.clientOrderId) === old) this.byClientId.delete(old.clientOrderId);
      if (this.byOrderId.get(old.orderId) === old) this.byOrderId.delete(old.orderId);
    }
    if (this.closedHead > 1024 && this.closedHead * 2 > q.length) {
      q.splice(0, this.closedHead);
      this.closedHead = 0;
    }
  }
}
