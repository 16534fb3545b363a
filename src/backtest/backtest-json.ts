// The JSON document of a backtest (`spreadcore backtest --json`, result.json): seed
// 000's metrics fields at the top (strategy_id, uptime_seconds, performance,
// inventory, quoting, risk), then everything else the run produced (objectives,
// curves, fills, markouts, settings). One line, fixed key order: the same run gives
// the same bytes.
import type { MetricsJson } from '../accounting/metrics-view.js';
import type { BacktestResult } from './backtest-result.js';

export type BacktestJson = MetricsJson & Omit<BacktestResult, 'summary'>;

export function backtestJson(r: BacktestResult): BacktestJson {
  const { summary, ...rest } = r;
  return { ...summary, ...rest };
}

export function backtestJsonText(r: BacktestResult): string {
  return JSON.stringify(backtestJson(r));
}
