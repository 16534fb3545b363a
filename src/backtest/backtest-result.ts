// What a backtest returns: seed 000's metrics JSON (`summary`), the curves, the
// fills and the markouts, the settings it ran with, and `objectives` (plain numbers
// for ranking many runs). Everything is a plain JSON value built in a fixed order,
// so JSON.stringify of the same run is the same bytes.
import type { AnalyticsJson } from '../accounting/analytics-view.js';
import type { MetricsJson } from '../accounting/metrics-view.js';
import type { FillModel, QueueModel } from '../execution/paper-config.js';
import type { RecordingFormat } from './recording-plan.js';

export const BACKTEST_RESULT_VERSION = 1;

/** Compact figures for ranking runs (sweeps). */
export interface BacktestObjectives {
  /** Realized net of fees + unrealized at the last mid, quote currency, summed over the symbols. */
  net_pnl: number;
  /**
   * The first symbol's annualised Sharpe ratio of its equity buckets (sharpe_interval_s
   * wide); 0 when equity never moved; null when the run has fewer than 30 buckets
   * (sharpe_note says why).
   */
  sharpe: number | null;
  /** Width of the return buckets behind sharpe, s. */
  sharpe_interval_s: number;
  /** Return buckets behind sharpe. */
  sharpe_samples: number;
  /** Why sharpe is null, else null. */
  sharpe_note: string | null;
  /** Largest peak-to-trough fall of equity, quote currency (largest over the symbols). */
  max_drawdown: number;
  /** Fills / orders placed × 100 (0 with no order). */
  fill_rate: number;
  fills: number;
  /** Market events replayed: price levels written to the book plus trades. */
  events: number;
}

/**
 * Receive time − exchange time of a recording's steps that carried a new exchange
 * time, ms, after the clock correction (the feed latency the replay applies).
 */
export interface FeedLagJson {
  steps: number;
  /** Added to every receive time so that none is before its exchange time (the recorder's clock was behind). */
  clock_correction_ms: number;
  p1: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Points of a curve: x is exchange time in Unix epoch ms. */
export interface CurveJson {
  t_ms: number[];
  values: number[];
}

export interface BacktestFillJson {
  t_ms: number;
  symbol: string;
  side: 'BUY' | 'SELL';
  price: number;
  qty: number;
  fee: number;
  liquidity: string;
  /** Position after the fill. */
  inventory: number;
  client_order_id: string;
  trade_id: string;
}

export interface BacktestSymbolJson {
  metrics: MetricsJson;
  /** Every ledger metric (fees by liquidity, Sharpe, Sortino, markouts, ...). */
  analytics: AnalyticsJson;
}

export interface BacktestResult {
  version: typeof BACKTEST_RESULT_VERSION;
  seed: number;
  /** True when shouldStop() ended the run before the end of the recording. */
  stopped: boolean;
  data: {
    format: RecordingFormat;
    market: string | null;
    symbols: string[];
    first_ts_ms: number | null;
    last_ts_ms: number | null;
    duration_seconds: number;
    steps: number;
    events: number;
    skipped_lines: number;
    /** What the recording says about its feed latency (null: no step carried a new exchange time). */
    feed_latency_ms: FeedLagJson | null;
  };
  config: {
    strategy_id: string;
    symbols: string[];
    /** Every strategy parameter, defaults filled in. */
    parameters: Record<string, unknown>;
    fill_model: FillModel;
    queue_model: QueueModel;
    order_latency_ms: number;
    cancel_latency_ms: number;
    /** Extra latency per order and cancel, uniform in [0, this) ms, drawn from the seed. */
    latency_jitter_ms: number;
    /** Exponent of the power queue model; null for the other models. */
    queue_exponent: number | null;
    /** When the strategy saw each event: "recorded" (receive time), "none" (exchange time), or exchange time + ms. */
    feed_latency: 'recorded' | 'none' | number;
    /** Added to the corrected receive times with feed_latency "recorded" (hftbacktest's base_latency). */
    feed_base_latency_ms: number;
    /** Delay of every report (accept, fill, cancel) before the strategy hears of it. */
    response_latency_ms: number;
    /** The latency samples that replaced the constant latencies, or null. */
    order_latency_file: { path: string | null; samples: number } | null;
    maker_fee_bps: number;
    taker_fee_bps: number;
    instruments: Record<string, { tick_size: string; lot_size: string }>;
    sample_interval_ms: number;
  };
  /** Seed 000's GET /api/strategy/{id}/metrics of the first symbol. */
  summary: MetricsJson;
  /** Metrics and analytics per symbol. */
  symbols: Record<string, BacktestSymbolJson>;
  objectives: BacktestObjectives;
  /** Exchange time the strategy started quoting (all its books live), ms; null if it never could. */
  started_ts_ms: number | null;
  final_state: { quotes_cancelled: number; position: number; unrealized_pnl: number; realized_pnl: number; total_pnl: number } | null;
  curves: {
    /** Total P&L (realized net + unrealized at the mid) over all symbols, every sample interval and at the end. */
    equity: CurveJson;
    /** Position per symbol: at the start, after every fill, at the end (a step curve). */
    inventory: Record<string, CurveJson>;
    /** Mid price per symbol, every sample interval. */
    mid: Record<string, CurveJson>;
  };
  fills: BacktestFillJson[];
  /** Fills beyond the list's cap (counted in the metrics, not listed). */
  fills_not_listed: number;
  /** Per symbol and horizon, P&L per unit against the mid h after each fill. */
  markouts: Record<string, AnalyticsJson['markouts']>;
  counters: {
    batches: number;
    decisions: number;
    orders_placed: number;
    orders_cancelled: number;
    fills: number;
    gaps: number;
    /** Fills the strategy heard of after it had sent a cancel for the order. */
    fills_after_cancel_sent: number;
    /** Reports held back by the response latency. */
    delayed_reports: number;
  };
  warnings: string[];
}
