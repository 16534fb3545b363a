// The accounting of one strategy on one symbol, fed fills, marks, activity counts
// and settlements in order. Average-cost method: see average-cost-position.ts and
// docs/accounting.md. Everything is exact decimal arithmetic (decimal.js); the
// ledger is a pure function of its event sequence and round-trips through
// snapshot() / SymbolLedger.restore() without any change.
//
// Time never runs backwards inside a ledger: an event older than the last one
// seen is accounted at the last one's time (its own timestamp is still recorded
// on its trade entry).
import { SpreadcoreError } from '../errors.js';
import type { FillRecord } from '../trading/types.js';
import { Decimal, ZERO, nsDecimal, parseDecimal } from './decimal.js';
import {
  type AverageCostJson, type AverageCostState, applyTrade, decodeAverageCost, emptyAverageCost, encodeAverageCost, unrealizedAt,
} from './average-cost-position.js';
import { type RoundTripJson, type RoundTripState, decodeRoundTrips, emptyRoundTrips, encodeRoundTrips, onTradeSplit } from './round-trip-stats.js';
import { type EquityJson, type EquityState, decodeEquity, emptyEquity, encodeEquity, onEquity } from './equity-stats.js';
import { type MarkoutJson, type MarkoutState, decodeMarkouts, emptyMarkouts, encodeMarkouts, onMarkoutFill, onMarkoutMark } from './markout-stats.js';
import {
  type ActivityCounter, type QuoteActivityJson, type QuoteActivityState, addCount, decodeQuoteActivity, emptyQuoteActivity,
  encodeQuoteActivity, onActivityMark,
} from './quote-activity.js';
import { type LedgerConfig, type ResolvedLedgerConfig, resolveLedgerConfig } from './ledger-config.js';
import type { FundingRecord } from './funding-record.js';
import type { LedgerEvent, MarkEvent } from './ledger-events.js';
import { type TradeEntry, type TradeEntryJson, decodeTradeEntry, encodeTradeEntry } from './trade-entry.js';

export interface FillTotals {
  fills: number;
  buyFills: number;
  sellFills: number;
  buyQty: Decimal;
  sellQty: Decimal;
  /** Σ qty × price per side. */
  buyNotional: Decimal;
  sellNotional: Decimal;
  /** Price P&L of all closed quantity against average entry (settlements included), before fees. */
  realizedGross: Decimal;
  /** Fees by liquidity; a rebate is negative. */
  makerFees: Decimal;
  takerFees: Decimal;
  /** Quantity closed and what it had cost (qty × average entry, unsigned). */
  closedQty: Decimal;
  closedEntryNotional: Decimal;
  /** Σ qty × time held of the closed quantity, unit·ns. */
  heldUnitNs: Decimal;
  /** Largest |position| reached. */
  maxAbsPosition: Decimal;
  settlements: number;
  /** Funding payments of a perpetual, quote currency: received positive, paid negative (realized P&L, not a fee). */
  funding: Decimal;
  fundingPayments: number;
}

export interface LedgerState {
  config: ResolvedLedgerConfig;
  position: AverageCostState;
  totals: FillTotals;
  roundTrips: RoundTripState;
  equity: EquityState;
  markouts: MarkoutState;
  activity: QuoteActivityState;
  /** Most recent trades (at least config.tradeHistoryLimit of them once that many fills came), oldest first. */
  trades: TradeEntry[];
  firstTsNs: bigint | null;
  lastTsNs: bigint | null;
  lastMid: Decimal | null;
  lastFillPrice: Decimal | null;
}

export const LEDGER_SNAPSHOT_VERSION = 1;

export interface LedgerSnapshot {
  version: 1;
  config: ResolvedLedgerConfig;
  position: AverageCostJson;
  totals: Record<keyof FillTotals, string | number>;
  roundTrips: RoundTripJson;
  equity: EquityJson;
  markouts: MarkoutJson;
  activity: QuoteActivityJson;
  trades: TradeEntryJson[];
  firstTsNs: string | null;
  lastTsNs: string | null;
  lastMid: string | null;
  lastFillPrice: string | null;
}

function emptyTotals(): FillTotals {
  return {
    fills: 0, buyFills: 0, sellFills: 0, buyQty: ZERO, sellQty: ZERO, buyNotional: ZERO, sellNotional: ZERO, realizedGross: ZERO,
    makerFees: ZERO, takerFees: ZERO, closedQty: ZERO, closedEntryNotional: ZERO, heldUnitNs: ZERO, maxAbsPosition: ZERO, settlements: 0,
    funding: ZERO, fundingPayments: 0,
  };
}

const COUNT_FIELDS: ReadonlySet<string> = new Set(['fills', 'buyFills', 'sellFills', 'settlements', 'fundingPayments']);
/** Totals a snapshot written before they existed lacks: restored as zero. */
const LATER_FIELDS: ReadonlySet<string> = new Set(['funding', 'fundingPayments']);

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

export class SymbolLedger {
  private s: LedgerState;
  // The last mark's inputs and results. Every Decimal is immutable and every change to the
  // position or the totals puts new objects in place, so the same objects mean the same values:
  // a mark at the same mid with nothing applied since reuses the parsed mid, the unrealized
  // P&L, the realized net and their sum instead of recomputing them with decimal.js (the
  // backtest marks every 100 ms; the mid and the position mostly stay put between two marks).
  private memoMidText: string | null = null;
  private memoMid: Decimal = ZERO;
  private memoUnrealMid: Decimal | null = null;
  private memoQty: Decimal | null = null;
  private memoCost: Decimal | null = null;
  private memoUnreal: Decimal = ZERO;
  private memoGross: Decimal | null = null;
  private memoMaker: Decimal | null = null;
  private memoTaker: Decimal | null = null;
  private memoFunding: Decimal | null = null;
  private memoRealNet: Decimal = ZERO;
  private memoEqR: Decimal | null = null;
  private memoEqU: Decimal | null = null;
  private memoEq: Decimal = ZERO;
  // pnlAt's numbers, converted again only when their Decimal changed (NaN first: double fields from the start)
  private numR: Decimal | null = null;
  private numRv = Number.NaN;
  private numU: Decimal | null = null;
  private numUv = Number.NaN;
  private numC: Decimal | null = null;
  private numCv = Number.NaN;

  constructor(config: LedgerConfig) {
    const c = resolveLedgerConfig(config);
    this.s = {
      config: c,
      position: emptyAverageCost(),
      totals: emptyTotals(),
      roundTrips: emptyRoundTrips(),
      equity: emptyEquity(BigInt(c.returnBucketMs) * 1_000_000n),
      markouts: emptyMarkouts(c.markoutHorizonsMs.map((ms) => BigInt(ms) * 1_000_000n), c.adverseMarkoutBps),
      activity: emptyQuoteActivity(),
      trades: [],
      firstTsNs: null,
      lastTsNs: null,
      lastMid: null,
      lastFillPrice: null,
    };
  }

  /** The state, read-only (views and summaries read it; only the apply methods change it). */
  get state(): Readonly<LedgerState> {
    return this.s;
  }

  get config(): ResolvedLedgerConfig {
    return this.s.config;
  }

  apply(e: LedgerEvent): void {
    switch (e.kind) {
      case 'fill': this.applyFill(e.fill); return;
      case 'mark': this.applyMark(e.mark); return;
      case 'count': this.count(e.counter, e.n); return;
      case 'settle': this.settle(e.price, e.tsNs); return;
      case 'funding': this.applyFunding(e.funding); return;
      default: throw bad(`unknown ledger event ${JSON.stringify((e as { kind?: unknown }).kind)}`);
    }
  }

  private clock(tsNs: bigint): bigint {
    if (typeof tsNs !== 'bigint') throw bad('timestamps must be bigint nanoseconds');
    const s = this.s;
    const t = s.lastTsNs !== null && tsNs < s.lastTsNs ? s.lastTsNs : tsNs;
    if (s.firstTsNs === null) s.firstTsNs = t;
    s.lastTsNs = t;
    return t;
  }

  /** Applies one fill of this ledger's strategy and symbol; returns its trade entry. */
  applyFill(fill: FillRecord): TradeEntry {
    const s = this.s;
    if (fill.symbol !== s.config.symbol || fill.strategyId !== s.config.strategyId) {
      throw bad(`fill ${fill.tradeId} is for ${fill.strategyId ?? '(no strategy)'}/${fill.symbol}, not ${s.config.strategyId ?? '(no strategy)'}/${s.config.symbol}`);
    }
    if (fill.side !== 'BUY' && fill.side !== 'SELL') throw bad(`fill ${fill.tradeId} has side ${JSON.stringify(fill.side)}`);
    const side: 1 | -1 = fill.side === 'BUY' ? 1 : -1;
    if (fill.liquidity !== 'MAKER' && fill.liquidity !== 'TAKER') throw bad(`fill ${fill.tradeId} has liquidity ${JSON.stringify(fill.liquidity)}`);
    const price = parseDecimal(fill.price, 'fill price');
    const qty = parseDecimal(fill.qty, 'fill qty');
    const fee = parseDecimal(fill.fee, 'fill fee');
    if (!qty.gt(0)) throw bad(`fill ${fill.tradeId} has quantity ${fill.qty}; it must be > 0`);
    const t = this.clock(fill.tsEventNs);

    const split = applyTrade(s.position, side, qty, price, fee, nsDecimal(t));
    const closedRoundTrip = onTradeSplit(s.roundTrips, split, t);

    const tot = s.totals;
    tot.fills++;
    const notional = qty.times(price);
    if (side === 1) {
      tot.buyFills++;
      tot.buyQty = tot.buyQty.plus(qty);
      tot.buyNotional = tot.buyNotional.plus(notional);
    } else {
      tot.sellFills++;
      tot.sellQty = tot.sellQty.plus(qty);
      tot.sellNotional = tot.sellNotional.plus(notional);
    }
    if (fill.liquidity === 'MAKER') tot.makerFees = tot.makerFees.plus(fee);
    else tot.takerFees = tot.takerFees.plus(fee);
    const closed = !split.closedQty.isZero();
    if (closed) {
      tot.realizedGross = tot.realizedGross.plus(split.realizedGross);
      tot.closedQty = tot.closedQty.plus(split.closedQty);
      tot.closedEntryNotional = tot.closedEntryNotional.plus(split.closedEntryNotional);
      tot.heldUnitNs = tot.heldUnitNs.plus(split.heldUnitNs);
    }
    const absPos = s.position.qty.abs();
    if (absPos.gt(tot.maxAbsPosition)) tot.maxAbsPosition = absPos;
    s.lastFillPrice = price;

    onMarkoutFill(s.markouts, side, price, qty, t);

    const entry: TradeEntry = {
      tradeId: fill.tradeId,
      orderId: fill.orderId,
      side: fill.side,
      price: fill.price,
      qty: fill.qty,
      fee: fill.fee,
      liquidity: fill.liquidity,
      tsEventNs: fill.tsEventNs,
      positionAfter: s.position.qty,
      roundTripProfit: closed ? split.closedNet : null,
      roundTripGross: closed ? split.realizedGross : null,
      closedRoundTripProfit: closedRoundTrip,
    };
    const limit = s.config.tradeHistoryLimit;
    if (limit > 0) {
      s.trades.push(entry);
      if (s.trades.length >= 2 * limit + 64) s.trades = s.trades.slice(-limit);
    }
    return entry;
  }

  /**
   * Applies a funding payment of this ledger's strategy and symbol: a cash flow added to
   * realized P&L (totals.funding); the position, its open cost and average entry, the round
   * trips and the fill counts stay as they are. Returns the amount.
   */
  applyFunding(f: FundingRecord): Decimal {
    const s = this.s;
    if (f.symbol !== s.config.symbol || f.strategyId !== s.config.strategyId) {
      throw bad(`funding ${f.fundingId} is for ${f.strategyId ?? '(no strategy)'}/${f.symbol}, not ${s.config.strategyId ?? '(no strategy)'}/${s.config.symbol}`);
    }
    const amount = parseDecimal(f.fundingQuote, 'funding amount');
    this.clock(f.tsEventNs);
    s.totals.funding = s.totals.funding.plus(amount);
    s.totals.fundingPayments++;
    return amount;
  }

  /** Applies a mark: equity sample (drawdown, returns), markouts, time at best. */
  applyMark(mark: MarkEvent): void {
    const s = this.s;
    const mid = this.midOf(mark.mid);
    const t = this.clock(mark.tsNs);
    s.lastMid = mid;
    const r = this.realizedNetMemo();
    const u = this.unrealizedMemo(mid);
    if (r !== this.memoEqR || u !== this.memoEqU) { this.memoEqR = r; this.memoEqU = u; this.memoEq = r.plus(u); }
    onEquity(s.equity, this.memoEq, t);
    onMarkoutMark(s.markouts, mid, t);
    onActivityMark(s.activity, t, mark.atBestBid === true, mark.atBestAsk === true);
  }

  /** The mark's mid parsed (the last one's Decimal again when the text is the same). */
  private midOf(text: string): Decimal {
    if (text !== this.memoMidText) {
      const mid = parseDecimal(text, 'mark mid');
      this.memoMidText = text;
      this.memoMid = mid;
    }
    return this.memoMid;
  }

  private unrealizedMemo(mid: Decimal): Decimal {
    const p = this.s.position;
    if (mid !== this.memoUnrealMid || p.qty !== this.memoQty || p.openCost !== this.memoCost) {
      this.memoUnreal = unrealizedAt(p, mid);
      this.memoUnrealMid = mid;
      this.memoQty = p.qty;
      this.memoCost = p.openCost;
    }
    return this.memoUnreal;
  }

  private realizedNetMemo(): Decimal {
    const t = this.s.totals;
    if (t.realizedGross !== this.memoGross || t.makerFees !== this.memoMaker || t.takerFees !== this.memoTaker || t.funding !== this.memoFunding) {
      this.memoRealNet = this.realizedNet;
      this.memoGross = t.realizedGross;
      this.memoMaker = t.makerFees;
      this.memoTaker = t.takerFees;
      this.memoFunding = t.funding;
    }
    return this.memoRealNet;
  }

  /**
   * The risk gate's P&L inputs at a mid given as text: realized net of fees, unrealized at the
   * mid, and |open cost|, as numbers (the values of realizedNet, unrealizedAt and openCost).
   */
  pnlAt(midText: string): { realizedQuote: number; unrealizedQuote: number; entryValueQuote: number } {
    const mid = this.midOf(midText);
    const r = this.realizedNetMemo();
    if (r !== this.numR) { this.numR = r; this.numRv = r.toNumber(); }
    const u = this.unrealizedMemo(mid);
    if (u !== this.numU) { this.numU = u; this.numUv = u.toNumber(); }
    const c = this.s.position.openCost;
    if (c !== this.numC) { this.numC = c; this.numCv = Math.abs(c.toNumber()); }
    return { realizedQuote: this.numRv, unrealizedQuote: this.numUv, entryValueQuote: this.numCv };
  }

  /** Adds `n` (default 1) to an activity counter. */
  count(counter: ActivityCounter, n = 1): void {
    addCount(this.s.activity, counter, n);
  }

  /**
   * Closes the whole position at `price` without a fill (a binary contract's
   * payout at resolution, an expiry): realizes its P&L, closes the round trip,
   * and samples equity at that price. Not counted as a fill or trade. Returns the
   * price P&L realized.
   */
  settle(price: string, tsNs: bigint): Decimal {
    const s = this.s;
    const p = parseDecimal(price, 'settlement price');
    const t = this.clock(tsNs);
    let realized = ZERO;
    if (!s.position.qty.isZero()) {
      const side: 1 | -1 = s.position.qty.isPositive() ? -1 : 1;
      const split = applyTrade(s.position, side, s.position.qty.abs(), p, ZERO, nsDecimal(t));
      onTradeSplit(s.roundTrips, split, t);
      const tot = s.totals;
      tot.realizedGross = tot.realizedGross.plus(split.realizedGross);
      tot.closedQty = tot.closedQty.plus(split.closedQty);
      tot.closedEntryNotional = tot.closedEntryNotional.plus(split.closedEntryNotional);
      tot.heldUnitNs = tot.heldUnitNs.plus(split.heldUnitNs);
      realized = split.realizedGross;
    }
    s.totals.settlements++;
    s.lastMid = p;
    onEquity(s.equity, this.equityAt(p), t);
    return realized;
  }

  // ---- reads ----

  get position(): Decimal {
    return this.s.position.qty;
  }

  /** Fees paid, net of rebates. */
  get feesPaid(): Decimal {
    return this.s.totals.makerFees.plus(this.s.totals.takerFees);
  }

  /** Funding received (positive) or paid (negative), quote currency. */
  get fundingQuote(): Decimal {
    return this.s.totals.funding;
  }

  /** Realized P&L after every fee paid: realized price P&L − fees + funding. */
  get realizedNet(): Decimal {
    return this.s.totals.realizedGross.minus(this.feesPaid).plus(this.s.totals.funding);
  }

  /** The price unrealized P&L is measured at by default: last mark, else last fill price; null before either. */
  get markPrice(): Decimal | null {
    return this.s.lastMid ?? this.s.lastFillPrice;
  }

  unrealizedAt(mark: Decimal): Decimal {
    return unrealizedAt(this.s.position, mark);
  }

  /** Equity at `mark`: realized − fees + funding + unrealized at `mark`. */
  equityAt(mark: Decimal): Decimal {
    return this.realizedNet.plus(unrealizedAt(this.s.position, mark));
  }

  /** The last `n` trades, oldest first (at most config.tradeHistoryLimit). */
  recentTrades(n: number): TradeEntry[] {
    const keep = Math.max(0, Math.min(Math.floor(n), this.s.config.tradeHistoryLimit));
    return keep === 0 ? [] : this.s.trades.slice(-keep);
  }

  // ---- snapshot / restore ----

  snapshot(): LedgerSnapshot {
    const s = this.s;
    const totals = {} as Record<keyof FillTotals, string | number>;
    for (const [k, v] of Object.entries(s.totals) as [keyof FillTotals, Decimal | number][]) {
      totals[k] = typeof v === 'number' ? v : v.toString();
    }
    return {
      version: LEDGER_SNAPSHOT_VERSION,
      config: { ...s.config, markoutHorizonsMs: [...s.config.markoutHorizonsMs] },
      position: encodeAverageCost(s.position),
      totals,
      roundTrips: encodeRoundTrips(s.roundTrips),
      equity: encodeEquity(s.equity),
      markouts: encodeMarkouts(s.markouts),
      activity: encodeQuoteActivity(s.activity),
      trades: this.recentTrades(s.config.tradeHistoryLimit).map(encodeTradeEntry),
      firstTsNs: s.firstTsNs === null ? null : s.firstTsNs.toString(),
      lastTsNs: s.lastTsNs === null ? null : s.lastTsNs.toString(),
      lastMid: s.lastMid === null ? null : s.lastMid.toString(),
      lastFillPrice: s.lastFillPrice === null ? null : s.lastFillPrice.toString(),
    };
  }

  static restore(snap: LedgerSnapshot): SymbolLedger {
    if (snap.version !== LEDGER_SNAPSHOT_VERSION) {
      throw bad(`ledger snapshot version ${String(snap.version)} is not ${LEDGER_SNAPSHOT_VERSION}`);
    }
    const ledger = new SymbolLedger(snap.config);
    const totals = emptyTotals() as unknown as Record<string, Decimal | number>;
    for (const k of Object.keys(totals)) {
      const v = (snap.totals as Record<string, string | number | undefined>)[k] ?? (LATER_FIELDS.has(k) ? 0 : undefined);
      if (v === undefined) throw bad(`ledger snapshot lacks totals.${k}`);
      totals[k] = COUNT_FIELDS.has(k) ? Number(v) : new Decimal(String(v));
    }
    ledger.s = {
      config: ledger.s.config,
      position: decodeAverageCost(snap.position),
      totals: totals as unknown as FillTotals,
      roundTrips: decodeRoundTrips(snap.roundTrips, decodeAverageCost(snap.position).qty),
      equity: decodeEquity(snap.equity),
      markouts: decodeMarkouts(snap.markouts, ledger.s.config.adverseMarkoutBps),
      activity: decodeQuoteActivity(snap.activity),
      trades: snap.trades.map(decodeTradeEntry),
      firstTsNs: snap.firstTsNs === null ? null : BigInt(snap.firstTsNs),
      lastTsNs: snap.lastTsNs === null ? null : BigInt(snap.lastTsNs),
      lastMid: snap.lastMid === null ? null : new Decimal(snap.lastMid),
      lastFillPrice: snap.lastFillPrice === null ? null : new Decimal(snap.lastFillPrice),
    };
    return ledger;
  }
}
