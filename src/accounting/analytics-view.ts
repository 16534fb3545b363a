// Every ledger metric beyond seed 000's /metrics shape, as JSON (snake_case,
// units in names): fees by liquidity, win rate, closed round-trip profit and
// duration, spread captured, time in position, Sharpe and Sortino, order
// counts, cancel-to-fill, markouts. Missing ratios are null here (not 0).
import { type JsonPrecision, DEFAULT_JSON_PRECISION, jsonNumber, jsonNumberOrNull } from './json-number.js';
import { summarizeLedger } from './ledger-summary.js';
import type { SymbolLedger } from './symbol-ledger.js';

export interface SideMarkoutJson { fills: number; avg_pnl_per_unit: number | null }

export interface AnalyticsJson {
  strategy_id: string | null;
  symbol: string;
  pnl: {
    realized_gross: number; maker_fees: number; taker_fees: number; fees_paid: number;
    /** Funding payments (perpetuals): received positive, paid negative; included in realized_net. */
    funding: number; realized_net: number;
    unrealized: number; total: number; mark_price: number | null;
  };
  fills: { total: number; buy: number; sell: number; buy_qty: number; sell_qty: number; volume_notional: number };
  round_trips: {
    count: number; matched_qty: number; flat_to_flat: number; winners: number; win_rate_pct: number | null; profit_per_round_trip: number | null;
    avg_closed_profit: number | null; avg_duration_seconds: number | null;
  };
  spread_captured: { per_unit: number | null; bps: number | null };
  inventory: {
    position: number; avg_entry: number | null; max_position_reached: number; avg_holding_time_seconds: number | null;
    time_in_position_seconds: number; time_in_position_pct: number | null;
  };
  risk: {
    max_drawdown: number; sharpe: number | null; sortino: number | null; return_bucket_seconds: number; return_buckets: number;
    /** Why sharpe / sortino is null (too few buckets, no variation), else null. */
    sharpe_note: string | null; sortino_note: string | null;
    volatility_pauses: number; adverse_selection_events: number; adverse_markout_fills: number; adverse_triggers: number;
  };
  quoting: {
    orders_placed: number; orders_cancelled: number; quote_updates: number; fill_rate_pct: number | null;
    cancel_to_fill_ratio: number | null; time_at_best_bid_pct: number | null; time_at_best_ask_pct: number | null;
  };
  markouts: { horizon_ms: number; buy: SideMarkoutJson; sell: SideMarkoutJson; pending: number }[];
}

export function analyticsView(ledger: SymbolLedger, markPrice?: string, p: JsonPrecision = DEFAULT_JSON_PRECISION): AnalyticsJson {
  const x = summarizeLedger(ledger, markPrice);
  const m = p.moneyDp;
  return {
    strategy_id: x.strategyId,
    symbol: x.symbol,
    pnl: {
      realized_gross: jsonNumber(x.realizedGross, m),
      maker_fees: jsonNumber(x.makerFees, m),
      taker_fees: jsonNumber(x.takerFees, m),
      fees_paid: jsonNumber(x.feesPaid, m),
      funding: jsonNumber(x.funding, m),
      realized_net: jsonNumber(x.realizedNet, m),
      unrealized: jsonNumber(x.unrealizedPnl, m),
      total: jsonNumber(x.totalPnl, m),
      mark_price: jsonNumberOrNull(x.markPrice, m),
    },
    fills: {
      total: x.fills,
      buy: x.buyFills,
      sell: x.sellFills,
      buy_qty: jsonNumber(x.buyQty),
      sell_qty: jsonNumber(x.sellQty),
      volume_notional: jsonNumber(x.volumeNotional, m),
    },
    round_trips: {
      count: x.roundTrips,
      matched_qty: jsonNumber(x.roundTripQty),
      flat_to_flat: x.flatToFlatCycles,
      winners: x.winningRoundTrips,
      win_rate_pct: jsonNumberOrNull(x.winRatePct, p.pctDp),
      profit_per_round_trip: jsonNumberOrNull(x.profitPerRoundTrip, m),
      avg_closed_profit: jsonNumberOrNull(x.avgClosedRoundTripProfit, m),
      avg_duration_seconds: jsonNumberOrNull(x.avgRoundTripSeconds, p.secondsDp),
    },
    spread_captured: {
      per_unit: jsonNumberOrNull(x.avgSpreadCapturedPerUnit, m),
      bps: jsonNumberOrNull(x.avgSpreadCapturedBps, p.ratioDp),
    },
    inventory: {
      position: jsonNumber(x.position),
      avg_entry: jsonNumberOrNull(x.avgEntry, m),
      max_position_reached: jsonNumber(x.maxAbsPosition),
      avg_holding_time_seconds: jsonNumberOrNull(x.avgHoldingSecondsPerUnit, p.secondsDp),
      time_in_position_seconds: jsonNumber(x.timeInPositionSeconds, p.secondsDp),
      time_in_position_pct: jsonNumberOrNull(x.timeInPositionPct, p.pctDp),
    },
    risk: {
      max_drawdown: jsonNumber(x.maxDrawdown, m),
      sharpe: jsonNumberOrNull(x.sharpe, p.ratioDp),
      sortino: jsonNumberOrNull(x.sortino, p.ratioDp),
      return_bucket_seconds: jsonNumber(x.returnBucketSeconds),
      return_buckets: x.returnBuckets,
      sharpe_note: x.sharpeNote,
      sortino_note: x.sortinoNote,
      volatility_pauses: x.volatilityPauses,
      adverse_selection_events: x.adverseSelectionEvents,
      adverse_markout_fills: x.adverseMarkoutFills,
      adverse_triggers: x.adverseTriggers,
    },
    quoting: {
      orders_placed: x.ordersPlaced,
      orders_cancelled: x.ordersCancelled,
      quote_updates: x.quoteUpdates,
      fill_rate_pct: jsonNumberOrNull(x.fillRatePct, p.pctDp),
      cancel_to_fill_ratio: jsonNumberOrNull(x.cancelToFillRatio, p.ratioDp),
      time_at_best_bid_pct: jsonNumberOrNull(x.timeAtBestBidPct, p.pctDp),
      time_at_best_ask_pct: jsonNumberOrNull(x.timeAtBestAskPct, p.pctDp),
    },
    markouts: x.markouts.map((h) => ({
      horizon_ms: h.horizonMs,
      buy: { fills: h.buy.fills, avg_pnl_per_unit: jsonNumberOrNull(h.buy.avgPerUnit, m) },
      sell: { fills: h.sell.fills, avg_pnl_per_unit: jsonNumberOrNull(h.sell.avgPerUnit, m) },
      pending: h.pending,
    })),
  };
}
