// The strategy metrics JSON of GET /api/strategy/{id}/metrics (seed 000's
// shape, field for field). Metrics with nothing to divide by (no round trip yet,
// no order placed, no mark) are 0 here; the summary has them as null.
import { type JsonPrecision, DEFAULT_JSON_PRECISION, jsonNumber } from './json-number.js';
import type { Decimal } from './decimal.js';
import { type LedgerSummary, summarizeLedger } from './ledger-summary.js';
import type { SymbolLedger } from './symbol-ledger.js';

export interface PerformanceJson {
  total_trades: number;
  buy_fills: number;
  sell_fills: number;
  round_trips: number;
  gross_profit: number;
  fees_paid: number;
  net_profit: number;
  profit_per_round_trip: number;
}

export interface InventoryMetricsJson {
  current_position: number;
  max_position_reached: number;
  avg_holding_time_seconds: number;
}

export interface QuotingJson {
  quote_updates: number;
  time_at_best_bid_pct: number;
  time_at_best_ask_pct: number;
  fill_rate_pct: number;
}

export interface RiskJson {
  max_drawdown: number;
  volatility_pauses: number;
  adverse_selection_events: number;
}

export interface MetricsJson {
  strategy_id: string;
  uptime_seconds: number;
  performance: PerformanceJson;
  inventory: InventoryMetricsJson;
  quoting: QuotingJson;
  risk: RiskJson;
}

export interface MetricsViewOptions {
  /** Defaults to the ledger's strategy id ('' for a ledger without one). */
  strategyId?: string;
  /** Time the strategy has been running, s (the ledger does not know when it started). */
  uptimeSeconds: number;
  precision?: JsonPrecision;
}

const zeroIfNull = (d: Decimal | null, dp: number): number => (d === null ? 0 : jsonNumber(d, dp));

export function performanceJson(x: LedgerSummary, p: JsonPrecision = DEFAULT_JSON_PRECISION): PerformanceJson {
  return {
    total_trades: x.fills,
    buy_fills: x.buyFills,
    sell_fills: x.sellFills,
    round_trips: x.roundTrips,
    gross_profit: jsonNumber(x.realizedGross, p.moneyDp),
    fees_paid: jsonNumber(x.feesPaid, p.moneyDp),
    net_profit: jsonNumber(x.realizedNet, p.moneyDp),
    profit_per_round_trip: zeroIfNull(x.profitPerRoundTrip, p.moneyDp),
  };
}

export function inventoryMetricsJson(x: LedgerSummary, p: JsonPrecision = DEFAULT_JSON_PRECISION): InventoryMetricsJson {
  return {
    current_position: jsonNumber(x.position),
    max_position_reached: jsonNumber(x.maxAbsPosition),
    avg_holding_time_seconds: zeroIfNull(x.avgHoldingSecondsPerUnit, p.secondsDp),
  };
}

export function quotingJson(x: LedgerSummary, p: JsonPrecision = DEFAULT_JSON_PRECISION): QuotingJson {
  return {
    quote_updates: x.quoteUpdates,
    time_at_best_bid_pct: zeroIfNull(x.timeAtBestBidPct, p.pctDp),
    time_at_best_ask_pct: zeroIfNull(x.timeAtBestAskPct, p.pctDp),
    fill_rate_pct: zeroIfNull(x.fillRatePct, p.pctDp),
  };
}

export function riskJson(x: LedgerSummary, p: JsonPrecision = DEFAULT_JSON_PRECISION): RiskJson {
  return {
    max_drawdown: jsonNumber(x.maxDrawdown, p.moneyDp),
    volatility_pauses: x.volatilityPauses,
    adverse_selection_events: x.adverseSelectionEvents,
  };
}

export function metricsView(ledger: SymbolLedger, o: MetricsViewOptions): MetricsJson {
  const p = o.precision ?? DEFAULT_JSON_PRECISION;
  const x = summarizeLedger(ledger);
  return {
    strategy_id: o.strategyId ?? ledger.config.strategyId ?? '',
    uptime_seconds: o.uptimeSeconds,
    performance: performanceJson(x, p),
    inventory: inventoryMetricsJson(x, p),
    quoting: quotingJson(x, p),
    risk: riskJson(x, p),
  };
}
