// The replica's orders, fills, positions, balance and settlement, transport-free. Orders
// go to the universe's PaperExchange (zero latency: its reports arrive before submit /
// cancel return) and come back as Kalshi orders and fills with Kalshi's field names;
// fees are charged with the published formula (../fees.ts). Positions are signed YES
// contracts (negative = NO); buying YES while short closes NO at 1 − p, and so on, so the
// balance moves as Kalshi's collateral model does. A settled market pays $1 per YES
// contract (result yes) or per NO contract (result no).
import type { VenueReports } from '../../../execution/venue.js';
import type { Liquidity } from '../../../trading/types.js';
import { DecimalGrid } from '../../../numeric/decimal-grid.js';
import { kalshiFee, MAKER_RATE, TAKER_RATE } from '../fees.js';
import { isValidPriceTick } from '../price-grid.js';
import type { KalshiUniverse, SimMarket } from './universe.js';

const E4 = new DecimalGrid('0.0001');
const E2 = new DecimalGrid('0.01');
const E6 = new DecimalGrid('0.000001');

export class KalshiReplicaError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly details = '') { super(message); }
  body(): Record<string, unknown> { return { error: { code: this.code, message: this.message, details: this.details } }; }
}

export interface ReplicaOrder {
  order_id: string; client_order_id: string; ticker: string; side: 'yes' | 'no'; action: 'buy' | 'sell'; type: 'limit';
  status: 'resting' | 'canceled' | 'executed'; yesE4: number; initial: number; filled: number; post_only: boolean;
  time_in_force: string; created_ms: number; updated_ms: number; fees_e6: bigint; taker_fees_e6: bigint;
}

export interface ReplicaFill {
  fill_id: string; trade_id: string; order_id: string; client_order_id: string; ticker: string; side: 'yes' | 'no';
  action: 'buy' | 'sell'; count: number; yesE4: number; is_taker: boolean; fee_cost: string; ts_ms: number;
}

export type UserEvent = { type: 'fill' | 'user_order' | 'market_lifecycle_v2'; msg: Record<string, unknown> };

export class ReplicaKalshiExchange implements VenueReports {
  readonly orders = new Map<string, ReplicaOrder>();
  readonly byClientId = new Map<string, ReplicaOrder>();
  readonly fills: ReplicaFill[] = [];
  /** Signed YES contracts per market. */
  readonly positions = new Map<string, number>();
  /** Balance in 1/1,000,000 dollars. */
  balanceE6: bigint;
  feesPaidE6 = 0n;
  readonly settlements: Array<{ ticker: string; result: 'yes' | 'no'; position: number; payout: string; ts_ms: number }> = [];
  /** Every user event (fills, order updates, lifecycle) goes here (the server fans it out). */
  onEvent: (e: UserEvent) => void = () => undefined;
  private readonly byPaperId = new Map<string, ReplicaOrder>();
  private nextPaper = 1;
  private nextOrder = 1;
  private nextFill = 1;
  private rejectedNow: string | null = null;
  private readonly now: () => number;

  constructor(readonly universe: KalshiUniverse, opts: { balanceDollars?: string; now?: () => number } = {}) {
    this.balanceE6 = BigInt(E6.toUnits(opts.balanceDollars ?? '10000', 'balance'));
    this.now = opts.now ?? Date.now;
    universe.market.paper.connect(this);
  }

  // ---- orders ----
  create(b: Record<string, unknown>): ReplicaOrder {
    const bad = (field: string, why: string): KalshiReplicaError => new KalshiReplicaError(400, 'invalid_parameters', `${field}: ${why}`);
    const ticker = b['ticker'];
    if (typeof ticker !== 'string') throw bad('ticker', 'required');
    const m = this.universe.markets.get(ticker);
    if (m === undefined) throw new KalshiReplicaError(404, 'market_not_found', `market ${ticker} not found`);
    if (m.status !== 'active') throw new KalshiReplicaError(400, 'market_closed', `market ${ticker} is ${m.status}`);
    const side = b['side'], action = b['action'];
    if (side !== 'yes' && side !== 'no') throw bad('side', 'yes or no');
    if (action !== 'buy' && action !== 'sell') throw bad('action', 'buy or sell');
    const cid = b['client_order_id'];
    if (cid !== undefined && (typeof cid !== 'string' || !/^[-\w:+=/]{1,64}$/.test(cid))) throw bad('client_order_id', 'at most 64 of A-Z a-z 0-9 - _ : + = /');
    if (typeof cid === 'string' && this.byClientId.has(cid)) throw new KalshiReplicaError(409, 'order_already_exists', `an order with client_order_id ${cid} exists`);
    const countFp = b['count_fp'] ?? (typeof b['count'] === 'number' ? String(b['count']) : undefined);
    const countE2 = typeof countFp === 'string' ? E2.toUnitsOrNaN(countFp) : Number.NaN;
    if (!(countE2 > 0) || countE2 % 100 !== 0) throw bad('count_fp', 'a positive whole number of contracts (fractional trading is not enabled)');
    if (typeof b['count'] === 'number' && b['count'] * 100 !== countE2) throw bad('count', 'must match count_fp');
    const yesD = b['yes_price_dollars'], noD = b['no_price_dollars'];
    let yesE4: number;
    if (typeof yesD === 'string' && noD === undefined) yesE4 = E4.toUnitsOrNaN(yesD);
    else if (typeof noD === 'string' && yesD === undefined) yesE4 = 10000 - E4.toUnitsOrNaN(noD);
    else throw bad('yes_price_dollars', 'exactly one of yes_price_dollars and no_price_dollars');
    const tick = this.universe.tick(m, yesE4);
    if (!(yesE4 > 0 && yesE4 < 10000) || !isValidPriceTick(m.inst, m.ranges, tick)) throw new KalshiReplicaError(400, 'invalid_price', `price is not on ${ticker}'s price grid (${m.structure})`);
    const tif = (b['time_in_force'] as string | undefined) ?? 'good_till_canceled';
    if (tif !== 'good_till_canceled' && tif !== 'immediate_or_cancel' && tif !== 'fill_or_kill') throw bad('time_in_force', 'good_till_canceled, immediate_or_cancel or fill_or_kill');
    const postOnly = b['post_only'] === true;
    // our YES-book direction: buy yes / sell no = bid on YES; sell yes / buy no = ask on YES
    const nowMs = this.now();
    const o: ReplicaOrder = {
      order_id: `ord-${String(this.nextOrder++).padStart(8, '0')}`, client_order_id: typeof cid === 'string' ? cid : '', ticker, side, action, type: 'limit',
      status: 'resting', yesE4, initial: countE2 / 100, filled: 0, post_only: postOnly, time_in_force: tif, created_ms: nowMs, updated_ms: nowMs, fees_e6: 0n, taker_fees_e6: 0n,
    };
    this.rejectedNow = null;
    this.orders.set(o.order_id, o);
    if (o.client_order_id !== '') this.byClientId.set(o.client_order_id, o);
    this.toPaper(o, postOnly ? 'POST_ONLY' : tif === 'good_till_canceled' ? 'GTC' : 'IOC', o.initial);
    if (this.rejectedNow !== null) {
      this.orders.delete(o.order_id);
      if (o.client_order_id !== '') this.byClientId.delete(o.client_order_id);
      const why = this.rejectedNow;
      this.rejectedNow = null;
      if (/post/i.test(why)) throw new KalshiReplicaError(400, 'post_only_cross', 'post only order would cross the book');
      throw new KalshiReplicaError(400, 'order_rejected', why);
    }
    this.orderEvent(o);
    return o;
  }

  cancel(orderId: string): ReplicaOrder {
    const o = this.orders.get(orderId);
    if (o === undefined) throw new KalshiReplicaError(404, 'not_found', `order ${orderId} not found`);
    if (o.status !== 'resting') throw new KalshiReplicaError(404, 'not_found', `order ${orderId} is ${o.status}`);
    this.universe.market.paper.cancel(this.paperIdOf(o));
    if (o.status === 'resting') { o.status = 'canceled'; o.updated_ms = this.now(); this.orderEvent(o); }
    return o;
  }

  /** Reduces a resting order's remaining count (cancel of the remainder when it reaches 0). */
  decrease(orderId: string, reduceBy: number | undefined, reduceTo: number | undefined): ReplicaOrder {
    const o = this.orders.get(orderId);
    if (o === undefined || o.status !== 'resting') throw new KalshiReplicaError(404, 'not_found', `order ${orderId} not found or not resting`);
    const remaining = o.initial - o.filled;
    const to = reduceTo !== undefined ? reduceTo : remaining - (reduceBy ?? 0);
    if (!(to >= 0 && to < remaining)) throw new KalshiReplicaError(400, 'invalid_parameters', 'reduce_by_fp / reduce_to_fp must reduce the remaining count');
    if (to === 0) return this.cancel(orderId);
    // re-queue with the smaller size (the paper exchange has no in-place decrease): priority kept only in Kalshi; documented
    this.universe.market.paper.cancel(this.paperIdOf(o));
    o.initial = o.filled + to;
    o.status = 'resting';
    this.toPaper(o, 'GTC', to);
    o.updated_ms = this.now();
    this.orderEvent(o);
    return o;
  }

  private readonly paperIds = new Map<string, string>();
  private paperIdOf(o: ReplicaOrder): string { return this.paperIds.get(o.order_id) ?? o.order_id; }

  /** Sends (or re-sends, after a decrease) an order's remainder to the paper exchange under a fresh paper id. */
  private toPaper(o: ReplicaOrder, tif: 'GTC' | 'IOC' | 'POST_ONLY', lots: number): void {
    const pid = `${o.order_id}#${this.nextPaper++}`;
    this.paperIds.set(o.order_id, pid);
    this.byPaperId.set(pid, o);
    const m = this.universe.need(o.ticker);
    const buyYes = (o.action === 'buy') === (o.side === 'yes');
    this.universe.market.paper.submit({
      orderId: pid, clientOrderId: pid, strategyId: 'replica', symbol: o.ticker, side: buyYes ? 'BUY' : 'SELL',
      type: 'LIMIT', timeInForce: tif, priceTick: this.universe.tick(m, o.yesE4), qtyLot: lots,
    });
  }

  // ---- paper exchange reports ----
  onAccepted(): void { /* resting already */ }
  onRejected(_id: string, reason: string): void { this.rejectedNow = reason; }
  onCancelled(paperId: string): void {
    const o = this.byPaperId.get(paperId);
    if (o !== undefined && this.paperIds.get(o.order_id) !== paperId) return; // an earlier incarnation (decrease)
    if (o === undefined || o.status !== 'resting') return;
    if (o.time_in_force !== 'good_till_canceled' || o.post_only) { o.status = o.filled >= o.initial ? 'executed' : 'canceled'; o.updated_ms = this.now(); }
  }
  onCancelRejected(): void { /* the order was closed already */ }
  onFill(paperId: string, _paperTrade: string, tick: number, lots: number, _fee: string, liquidity: Liquidity): void {
    const o = this.byPaperId.get(paperId);
    if (o === undefined) return;
    const m = this.universe.need(o.ticker);
    const yesE4 = this.universe.e4(m, tick);
    const taker = liquidity === 'TAKER';
    const sidePriceE4 = o.side === 'yes' ? yesE4 : 10000 - yesE4;
    const fee = kalshiFee({ count: String(lots), price: E4.format(sidePriceE4), rate: taker ? TAKER_RATE : m.spec.makerFees === true ? MAKER_RATE : '0', buyer: o.action === 'buy' });
    const feeE6 = BigInt(E6.toUnits(fee, 'fee'));
    const nowMs = this.now();
    o.filled += lots;
    o.fees_e6 += feeE6;
    if (taker) o.taker_fees_e6 += feeE6;
    o.updated_ms = nowMs;
    if (o.filled >= o.initial) o.status = 'executed';
    // position and balance (signed YES contracts)
    const buyYes = (o.action === 'buy') === (o.side === 'yes');
    this.trade(o.ticker, buyYes ? lots : -lots, yesE4);
    this.balanceE6 -= feeE6;
    this.feesPaidE6 += feeE6;
    const id = String(this.nextFill++).padStart(8, '0');
    const f: ReplicaFill = {
      fill_id: `fill-${id}`, trade_id: `trd-${id}`, order_id: o.order_id, client_order_id: o.client_order_id, ticker: o.ticker, side: o.side,
      action: o.action, count: lots, yesE4, is_taker: taker, fee_cost: fee, ts_ms: nowMs,
    };
    this.fills.push(f);
    m.volume += lots;
    this.onEvent({ type: 'fill', msg: fillJson(f, true) });
    this.orderEvent(o);
  }

  /** Moves position and balance for `delta` YES contracts at a YES price (1/10000 dollars). */
  private trade(ticker: string, delta: number, yesE4: number): void {
    let pos = this.positions.get(ticker) ?? 0;
    let d = delta;
    const yes = BigInt(yesE4) * 100n, no = BigInt(10000 - yesE4) * 100n; // 1e-6 dollars
    while (d !== 0) {
      if (d > 0) {
        if (pos < 0) { const c = Math.min(d, -pos); this.balanceE6 += BigInt(c) * no; pos += c; d -= c; } // close NO: sell NO at 1 − p
        else { this.balanceE6 -= BigInt(d) * yes; pos += d; d = 0; } // buy YES at p
      } else {
        if (pos > 0) { const c = Math.min(-d, pos); this.balanceE6 += BigInt(c) * yes; pos -= c; d += c; } // close YES: sell at p
        else { this.balanceE6 -= BigInt(-d) * no; pos += d; d = 0; } // buy NO at 1 − p
      }
    }
    this.positions.set(ticker, pos);
  }

  private orderEvent(o: ReplicaOrder): void { this.onEvent({ type: 'user_order', msg: orderJson(o) }); }

  // ---- settlement ----
  /** Closes a market: resting orders are cancelled, the book emptied. */
  close(m: SimMarket): void {
    if (m.status !== 'active') return;
    for (const o of this.orders.values()) if (o.ticker === m.ticker && o.status === 'resting') this.cancel(o.order_id);
    m.status = 'closed';
    this.universe.clear(m);
    this.onEvent({ type: 'market_lifecycle_v2', msg: { market_ticker: m.ticker, event_type: 'deactivated', is_deactivated: true, close_ts: Math.floor(this.now() / 1000) } });
  }

  /**
   * Determines and settles a market: YES pays $1 per YES contract held, NO per NO contract.
   * With `finalize` false it is only determined (status determined, positions still held, as
   * at Kalshi until settlement); a later call settles it with the same result.
   */
  settle(m: SimMarket, result: 'yes' | 'no', finalize = true): void {
    if (m.status === 'finalized') throw new KalshiReplicaError(400, 'market_settled', `${m.ticker} is settled already`);
    if (m.status === 'determined' && m.result !== result) throw new KalshiReplicaError(400, 'invalid_parameters', `${m.ticker} is determined ${m.result} already`);
    const ts = Math.floor(this.now() / 1000);
    if (m.status !== 'determined') {
      this.close(m);
      m.status = 'determined';
      m.result = result;
      this.onEvent({ type: 'market_lifecycle_v2', msg: { market_ticker: m.ticker, event_type: 'determined', result, determination_ts: ts } });
    }
    if (!finalize) return;
    const pos = this.positions.get(m.ticker) ?? 0;
    const won = (result === 'yes' && pos > 0) || (result === 'no' && pos < 0) ? Math.abs(pos) : 0;
    const payout = BigInt(won) * 1_000_000n;
    this.balanceE6 += payout;
    this.settlements.push({ ticker: m.ticker, result, position: pos, payout: E6.format(Number(payout)), ts_ms: this.now() });
    this.positions.set(m.ticker, 0);
    m.status = 'finalized';
    this.onEvent({ type: 'market_lifecycle_v2', msg: { market_ticker: m.ticker, event_type: 'settled', result, settled_ts: ts } });
  }

  /** Our resting orders' remaining counts per YES price (for the published book). */
  restingLevels(ticker: string): { yes: Map<number, number>; no: Map<number, number> } {
    const yes = new Map<number, number>(), no = new Map<number, number>();
    for (const o of this.orders.values()) {
      if (o.ticker !== ticker || o.status !== 'resting') continue;
      const buyYes = (o.action === 'buy') === (o.side === 'yes');
      const rem = o.initial - o.filled;
      if (buyYes) yes.set(o.yesE4, (yes.get(o.yesE4) ?? 0) + rem);
      else no.set(10000 - o.yesE4, (no.get(10000 - o.yesE4) ?? 0) + rem);
    }
    return { yes, no };
  }

  balanceCents(): number { return Number(this.balanceE6 / 10_000n); }
  balanceDollars(): string { return E4.format(Number(this.balanceE6 / 100n)); }
}

export function fp(n: number): string { return E2.format(n * 100); }

export function orderJson(o: ReplicaOrder): Record<string, unknown> {
  return {
    order_id: o.order_id, client_order_id: o.client_order_id, ticker: o.ticker, side: o.side, action: o.action, type: o.type, status: o.status,
    outcome_side: (o.action === 'buy') === (o.side === 'yes') ? 'yes' : 'no', book_side: (o.action === 'buy') === (o.side === 'yes') ? 'bid' : 'ask',
    yes_price_dollars: E4.format(o.yesE4), no_price_dollars: E4.format(10000 - o.yesE4), initial_count_fp: fp(o.initial),
    fill_count_fp: fp(o.filled), remaining_count_fp: fp(o.status === 'resting' ? o.initial - o.filled : 0), post_only: o.post_only,
    time_in_force: o.time_in_force, taker_fees_dollars: E6.format(Number(o.taker_fees_e6)), maker_fees_dollars: E6.format(Number(o.fees_e6 - o.taker_fees_e6)),
    self_trade_prevention_type: 'taker_at_cross',
    created_time: new Date(o.created_ms).toISOString(), last_update_time: new Date(o.updated_ms).toISOString(),
  };
}

export function fillJson(f: ReplicaFill, ws = false): Record<string, unknown> {
  return {
    fill_id: f.fill_id, trade_id: f.trade_id, order_id: f.order_id, client_order_id: f.client_order_id, [ws ? 'market_ticker' : 'ticker']: f.ticker,
    ...(ws ? { ticker: f.ticker } : {}), side: f.side, action: f.action, count_fp: fp(f.count), yes_price_dollars: E4.format(f.yesE4),
    no_price_dollars: E4.format(10000 - f.yesE4), is_taker: f.is_taker, fee_cost: f.fee_cost,
    created_time: new Date(f.ts_ms).toISOString(), ts: Math.floor(f.ts_ms / 1000),
  };
}
