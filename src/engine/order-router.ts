// Orders from the strategies to the venue: every order passes the risk gate, then
// the order manager. It names orders (client order ids unique per engine run),
// remembers which leg each open order belongs to, counts placements and cancels in
// the leg's ledger, and keeps the risk gate's view of each order in step with the
// order manager's (cancel requested, closed).
//
// The risk check runs on one reused intent object; a new client order id and the
// intent the order manager keeps are created only for an order the gate allowed, so
// a refused quote (retried at the next decision) allocates nothing.
import type { OrderManager, SubmitResult } from '../execution/order-manager.js';
import { ALLOW, type RiskCheckContext, type RiskEngine } from '../risk/index.js';
import { QUOTE_NOT_SENT, QUOTE_SENT, type QuoteOrderSink } from '../strategy/order-diff.js';
import type { StrategyLeg } from '../strategy/strategy-leg.js';
import type { OrderIntent, OrderSide, OrderType, TimeInForce } from '../trading/types.js';

/** What an order placed through a leg is to it (place()'s role). */
export const ROLE_OTHER = 0;
export const ROLE_QUOTE = 1;
export const ROLE_EXIT = 2;

type MutableIntent = { -readonly [K in keyof OrderIntent]: OrderIntent[K] };

export interface PlaceOutcome {
  /** ALLOW (0) or the risk gate's DENY_* code. */
  readonly code: number;
  /** The order manager's answer when the gate allowed it. */
  readonly submit: SubmitResult | null;
  readonly clientOrderId: string | null;
}

/** A refusal's outcome, one per code, made once: refused quotes are retried often and allocate nothing. */
const REFUSED: readonly PlaceOutcome[] = Array.from({ length: 64 }, (_, code) => Object.freeze({ code, submit: null, clientOrderId: null }));

export class OrderRouter implements QuoteOrderSink {
  readonly risk: RiskEngine;
  readonly orders: OrderManager;
  /** The leg of each open order placed through a leg (quotes and exits). */
  readonly legByOrder = new Map<string, StrategyLeg>();
  /** Risk gate refusals by code. */
  readonly denials = new Float64Array(64);
  /** Code of the last refusal. */
  lastDeny = ALLOW;
  private readonly prefix: string;
  private seq = 0;
  private readonly probe: MutableIntent = {
    clientOrderId: '', strategyId: '', symbol: '', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC',
    priceTick: 0, qtyLot: 0, reduceOnly: false, level: 0,
  };
  private readonly ctx: RiskCheckContext = { nowNs: 0 };
  private pendingId: string;

  constructor(risk: RiskEngine, orders: OrderManager, idPrefix: string) {
    this.risk = risk;
    this.orders = orders;
    this.prefix = idPrefix;
    this.pendingId = this.makeId();
  }

  private makeId(): string {
    return `${this.prefix}-${++this.seq}`;
  }

  /**
   * Risk gate, then the order manager. With a leg, the order is recorded on it before
   * it is sent, since the venue may answer (even fill it) inside submit: a quote
   * (ROLE_QUOTE) in its resting quotes at `level` − 1, an exit (ROLE_EXIT) as its
   * working reduce-only order.
   */
  place(
    strategyId: string, symbol: string, side: OrderSide, type: OrderType, tif: TimeInForce, priceTick: number, qtyLot: number,
    reduceOnly: boolean, level: number, nowNs: number, leg: StrategyLeg | undefined, role = ROLE_OTHER,
  ): PlaceOutcome {
    const p = this.probe;
    p.clientOrderId = this.pendingId;
    p.strategyId = strategyId;
    p.symbol = symbol;
    p.side = side;
    p.type = type;
    p.timeInForce = tif;
    p.priceTick = type === 'MARKET' ? NaN : priceTick;
    p.qtyLot = qtyLot;
    p.reduceOnly = reduceOnly;
    p.level = level;
    this.ctx.nowNs = nowNs;
    const code = this.risk.check(p, this.ctx);
    if (code !== ALLOW) {
      this.lastDeny = code;
      this.denials[code]!++;
      return REFUSED[code] ?? { code, submit: null, clientOrderId: null };
    }
    const id = this.pendingId;
    this.pendingId = this.makeId();
    const intent: OrderIntent = {
      clientOrderId: id, strategyId, symbol, side, type, timeInForce: tif, priceTick: p.priceTick, qtyLot, reduceOnly, level,
    };
    if (leg !== undefined) {
      this.legByOrder.set(id, leg);
      if (role === ROLE_QUOTE) leg.resting.add(side === 'BUY' ? 0 : 1, level - 1, id, priceTick, qtyLot, nowNs);
      else if (role === ROLE_EXIT) leg.exitOrderId = id;
    }
    const submit = this.orders.submit(intent);
    if (submit.outcome !== 'SENT') {
      // refused by the order manager (its listener already closed it), or never created
      this.risk.onOrderClosed(id);
      this.legByOrder.delete(id);
    } else {
      leg?.ledger?.count('orders_placed');
    }
    return { code, submit, clientOrderId: id };
  }

  // ---- QuoteOrderSink ----
  placeQuote(leg: StrategyLeg, side: 0 | 1, level: number, tick: number, qtyLot: number, nowNs: number): number {
    const tif: TimeInForce = leg.strategy.params.post_only ? 'POST_ONLY' : 'GTC';
    const r = this.place(leg.strategy.id, leg.symbol, side === 0 ? 'BUY' : 'SELL', 'LIMIT', tif, tick, qtyLot, false, level + 1, nowNs, leg, ROLE_QUOTE);
    if (r.submit === null) return r.code;
    if (r.submit.outcome !== 'SENT') { leg.resting.remove(r.clientOrderId!); return QUOTE_NOT_SENT; }
    return QUOTE_SENT;
  }

  hasOrderToken(leg: StrategyLeg, nowNs: number): boolean {
    this.ctx.nowNs = nowNs;
    return this.risk.hasOrderToken(leg.strategy.id, this.ctx);
  }

  cancelQuote(leg: StrategyLeg, clientOrderId: string): void {
    this.cancel(clientOrderId, leg);
  }

  /** Sends a cancel; returns whether one was sent. */
  cancel(clientOrderId: string, leg?: StrategyLeg): boolean {
    const outcome = this.orders.cancel(clientOrderId);
    if (outcome !== 'SENT') return false;
    this.risk.onCancelRequested(clientOrderId);
    (leg ?? this.legByOrder.get(clientOrderId))?.ledger?.count('orders_cancelled');
    return true;
  }

  /** The order manager closed the order (filled, cancelled, rejected). */
  closed(clientOrderId: string, filled: boolean): StrategyLeg | undefined {
    const leg = this.legByOrder.get(clientOrderId);
    this.legByOrder.delete(clientOrderId);
    if (!filled) this.risk.onOrderClosed(clientOrderId);
    return leg;
  }
}
