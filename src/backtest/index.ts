// Backtests: a recording through the live engine path, deterministic. See docs/backtest.md.
export { parseBacktestSpec, type BacktestSpec, type InstrumentOverride, DEFAULT_SAMPLE_INTERVAL_MS, DEFAULT_STRATEGY_NAME } from './backtest-spec.js';
export { runBacktest, type BacktestOptions, BACKTEST_ID_PREFIX, TICK_MS, MAX_LISTED_FILLS } from './run-backtest.js';
export type {
  BacktestResult, BacktestObjectives, BacktestFillJson, BacktestSymbolJson, CurveJson,
} from './backtest-result.js';
export { BACKTEST_RESULT_VERSION } from './backtest-result.js';
export { checkRecording, planRecording, type RecordingPlan, type RecordingFormat } from './recording-plan.js';
export type { PlanCacheOptions } from './plan-cache.js';
export { BACKTEST_EXTRA_INSTRUMENTS, backtestInstrumentSpecs } from './backtest-instruments.js';
