// Every metric of one ledger, as exact decimals (views turn them into JSON
// numbers). Definitions are in docs/accounting.md; ratios with nothing to divide
// by are null.
import { Decimal, ZERO, parseDecimal } from './decimal.js';
import { averageEntry } from './average-cost-position.js';
import { timeInPositionNs } from './round-trip-stats.js';
import { ratioStats } from './equity-stats.js';
import { averagePerUnit, pendingCount } from './markout-stats.js';
import { observedNs } from './quote-activity.js';
import type { SymbolLedger } from './symbol-ledger.js';

export interface SideMarkoutSummary {
  fills: number;
  /** Quantity-weighted average P&L per unit against the mid `horizonMs` after the fill; null without resolved fills. */
  avgPerUnit: Decimal | null;
}

export interface MarkoutSummary {
  horizonMs: number;
  buy: SideMarkoutSummary;
  sell: SideMarkoutSummary;
  /** Fills whose horizon has not passed yet (no mark at or after it). */
  pending: number;
}

export interface LedgerSummary {
  strategyId: string | null;
  symbol: string;
  // position
  position: Decimal;
  avgEntry: Decimal | null;
  /** The price unrealized P&L was measured at (argument, else last mark, else last fill price); null before any. */
  markPrice: Decimal | null;
  unrealizedPnl: Decimal;
  // P&L
  /** Realized price P&L before fees (the seed's gross_profit). */
  realizedGross: Decimal;
  makerFees: Decimal;
  takerFees: Decimal;
  /** Fees net of rebates. */
  feesPaid: Decimal;
  /** Funding payments of a perpetual: received positive, paid negative. */
  funding: Decimal;
  fundingPayments: number;
  /** realizedGross − feesPaid + funding (the seed's net_profit and final realized_pnl). */
  realizedNet: Decimal;
  /** realizedNet + unrealizedPnl. */
  totalPnl: Decimal;
  // fills
  fills: number;
  buyFills: number;
  sellFills: number;
  buyQty: Decimal;
  sellQty: Decimal;
  volumeNotional: Decimal;
  // round trips (FIFO matches of closing fills against open lots; round-trip-stats.ts)
  roundTrips: number;
  /** Σ quantity matched by the round trips. */
  roundTripQty: Decimal;
  /** Flat-to-flat cycles of the position (the old round-trip count). */
  flatToFlatCycles: number;
  winningRoundTrips: number;
  winRatePct: Decimal | null;
  /** realizedNet / roundTrips, as seed 000 computes it (392 / 22 = 17.8). */
  profitPerRoundTrip: Decimal | null;
  /** Σ profit of the round trips / their number (each: the closing fill's net profit per unit × matched quantity). */
  avgClosedRoundTripProfit: Decimal | null;
  avgRoundTripSeconds: Decimal | null;
  /** realizedGross / closed quantity: price edge earned per unit closed. */
  avgSpreadCapturedPerUnit: Decimal | null;
  /** realizedGross / what the closed quantity cost × 10,000. */
  avgSpreadCapturedBps: Decimal | null;
  // inventory
  maxAbsPosition: Decimal;
  /** Average time a unit was held from entry to exit (average-cost), closed quantity only. */
  avgHoldingSecondsPerUnit: Decimal | null;
  timeInPositionSeconds: Decimal;
  /** Time in position / time from the first event to the last × 100. */
  timeInPositionPct: Decimal | null;
  // risk
  maxDrawdown: Decimal;
  returnBucketSeconds: Decimal;
  returnBuckets: number;
  sharpe: Decimal | null;
  sortino: Decimal | null;
  /** Why sharpe is null (too few buckets, no variation), else null. */
  sharpeNote: string | null;
  sortinoNote: string | null;
  volatilityPauses: number;
  /** adverseMarkoutFills + adverseTriggers. */
  adverseSelectionEvents: number;
  /** Fills whose first-horizon markout lost more than adverseMarkoutBps. */
  adverseMarkoutFills: number;
  /** Large-trade and volume-spike triggers of the risk layer (counted by the engine). */
  adverseTriggers: number;
  // quoting
  ordersPlaced: number;
  ordersCancelled: number;
  quoteUpdates: number;
  /** fills / orders placed × 100 (each fill record counts). */
  fillRatePct: Decimal | null;
  /** orders cancelled / fills. */
  cancelToFillRatio: Decimal | null;
  timeAtBestBidPct: Decimal | null;
  timeAtBestAskPct: Decimal | null;
  markouts: MarkoutSummary[];
}

const NS_PER_S = new Decimal(1e9);

function ratio(num: Decimal | number, den: Decimal | number): Decimal | null {
  const d = new Decimal(den);
  return d.isZero() ? null : new Decimal(num).div(d);
}

function pct(num: Decimal | number | bigint, den: Decimal | number | bigint): Decimal | null {
  const r = ratio(typeof num === 'bigint' ? new Decimal(num.toString()) : num, typeof den === 'bigint' ? new Decimal(den.toString()) : den);
  return r === null ? null : r.times(100);
}

/** Summarizes a ledger; `markPrice` (plain decimal string) overrides the price unrealized P&L is measured at. */
/** Position, average entry and unrealized P&L only: the fields of GET …/quotes, without the whole summary (equity ratios, markouts, round trips). */
export function inventorySnapshot(ledger: SymbolLedger, markPrice?: string): { position: Decimal; avgEntry: Decimal | null; unrealizedPnl: Decimal } {
  const mark = markPrice !== undefined ? parseDecimal(markPrice, 'mark price') : ledger.markPrice;
  return {
    position: ledger.state.position.qty,
    avgEntry: averageEntry(ledger.state.position),
    unrealizedPnl: mark === null ? ZERO : ledger.unrealizedAt(mark),
  };
}

export function summarizeLedger(ledger: SymbolLedger, markPrice?: string): LedgerSummary {
  const s = ledger.state;
  const t = s.totals;
  const mark = markPrice !== undefined ? parseDecimal(markPrice, 'mark price') : ledger.markPrice;
  const unrealized = mark === null ? ZERO : ledger.unrealizedAt(mark);
  const feesPaid = ledger.feesPaid;
  const realizedNet = t.realizedGross.minus(feesPaid).plus(t.funding);
  const rt = s.roundTrips;
  const now = s.lastTsNs ?? 0n;
  const inPositionNs = timeInPositionNs(rt, now);
  const spanNs = s.firstTsNs === null || s.lastTsNs === null ? 0n : s.lastTsNs - s.firstTsNs;
  const ratios = ratioStats(s.equity, s.config.minReturnBuckets);
  const a = s.activity;
  const observed = observedNs(a);
  return {
    strategyId: s.config.strategyId,
    symbol: s.config.symbol,
    position: s.position.qty,
    avgEntry: averageEntry(s.position),
    markPrice: mark,
    unrealizedPnl: unrealized,
    realizedGross: t.realizedGross,
    makerFees: t.makerFees,
    takerFees: t.takerFees,
    feesPaid,
    funding: t.funding,
    fundingPayments: t.fundingPayments,
    realizedNet,
    totalPnl: realizedNet.plus(unrealized),
    fills: t.fills,
    buyFills: t.buyFills,
    sellFills: t.sellFills,
    buyQty: t.buyQty,
    sellQty: t.sellQty,
    volumeNotional: t.buyNotional.plus(t.sellNotional),
    roundTrips: rt.matches,
    roundTripQty: rt.matchedQty,
    flatToFlatCycles: rt.closed,
    winningRoundTrips: rt.matchWinners,
    winRatePct: pct(rt.matchWinners, rt.matches),
    profitPerRoundTrip: ratio(realizedNet, rt.matches),
    avgClosedRoundTripProfit: ratio(rt.matchNet, rt.matches),
    avgRoundTripSeconds: rt.matches === 0 ? null : new Decimal(rt.matchNs.toString()).div(rt.matches).div(NS_PER_S),
    avgSpreadCapturedPerUnit: ratio(t.realizedGross, t.closedQty),
    avgSpreadCapturedBps: t.closedEntryNotional.isZero() ? null : t.realizedGross.div(t.closedEntryNotional).times(10_000),
    maxAbsPosition: t.maxAbsPosition,
    avgHoldingSecondsPerUnit: t.closedQty.isZero() ? null : t.heldUnitNs.div(t.closedQty).div(NS_PER_S),
    timeInPositionSeconds: new Decimal(inPositionNs.toString()).div(NS_PER_S),
    timeInPositionPct: pct(inPositionNs, spanNs),
    maxDrawdown: s.equity.maxDrawdown,
    returnBucketSeconds: new Decimal(s.config.returnBucketMs).div(1000),
    returnBuckets: ratios.buckets,
    sharpe: ratios.sharpe,
    sortino: ratios.sortino,
    sharpeNote: ratios.sharpeNote,
    sortinoNote: ratios.sortinoNote,
    volatilityPauses: a.counters.volatility_pauses,
    adverseSelectionEvents: a.counters.adverse_selection_events + s.markouts.adverseFills,
    adverseMarkoutFills: s.markouts.adverseFills,
    adverseTriggers: a.counters.adverse_selection_events,
    ordersPlaced: a.counters.orders_placed,
    ordersCancelled: a.counters.orders_cancelled,
    quoteUpdates: a.counters.quote_updates,
    fillRatePct: pct(t.fills, a.counters.orders_placed),
    cancelToFillRatio: ratio(a.counters.orders_cancelled, t.fills),
    timeAtBestBidPct: pct(a.bestBidNs, observed),
    timeAtBestAskPct: pct(a.bestAskNs, observed),
    markouts: s.markouts.horizons.map((h, i) => ({
      horizonMs: s.config.markoutHorizonsMs[i] ?? Number(h.horizonNs / 1_000_000n),
      buy: { fills: h.buy.fills, avgPerUnit: averagePerUnit(h.buy) },
      sell: { fills: h.sell.fills, avgPerUnit: averagePerUnit(h.sell) },
      pending: pendingCount(h),
    })),
  };
}
