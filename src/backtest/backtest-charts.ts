// The charts of a backtest as series for the report renderer (src/report), each named
// for what it shows: each symbol's mid with our buys and sells on it, equity with its
// drawdown from the running peak, inventory. Times are exchange time, Unix epoch ms.
import type { ChartSeries, LineChartOptions, ReportChart } from '../report/types.js';
import { DEFAULT_PARAMS } from '../strategy/params/param-table.js';
import type { BacktestResult } from './backtest-result.js';

const BUY_COLOR = '#1a9850';
const SELL_COLOR = '#d73027';
const MID_COLOR = '#4a4a4a';

/** Mid of `symbol` with the fills on it as points. */
export function midWithFillsSeries(r: BacktestResult, symbol: string): ChartSeries[] {
  const mid = r.curves.mid[symbol] ?? { t_ms: [], values: [] };
  const buys = r.fills.filter((f) => f.symbol === symbol && f.side === 'BUY');
  const sells = r.fills.filter((f) => f.symbol === symbol && f.side === 'SELL');
  return [
    { name: `${symbol} mid`, color: MID_COLOR, x: mid.t_ms, y: mid.values, style: 'line' },
    { name: 'our buys', color: BUY_COLOR, x: buys.map((f) => f.t_ms), y: buys.map((f) => f.price), style: 'points' },
    { name: 'our sells', color: SELL_COLOR, x: sells.map((f) => f.t_ms), y: sells.map((f) => f.price), style: 'points' },
  ];
}

export function equitySeries(r: BacktestResult): ChartSeries[] {
  return [{ name: 'total P&L', color: '#2166ac', x: r.curves.equity.t_ms, y: r.curves.equity.values, style: 'line' }];
}

/**
 * Drawdown at each equity sample: equity − its running peak (≤ 0; the peak starts at
 * 0, the equity of an empty ledger, as the ledger's max drawdown does).
 */
export function drawdownValues(equity: readonly number[]): number[] {
  let peak = 0;
  return equity.map((v) => {
    if (v > peak) peak = v;
    return Math.round((v - peak) * 1e8) / 1e8;
  });
}

export function equityDrawdownSeries(r: BacktestResult): ChartSeries[] {
  const e = r.curves.equity;
  return [
    ...equitySeries(r),
    { name: 'drawdown from peak', color: '#b2182b', x: e.t_ms, y: drawdownValues(e.values), style: 'line' },
  ];
}

/** The fill model in a few words, for chart titles: "queue (proportional), feed recorded, order 2 ms…" or "naive". */
export function fillModelText(r: BacktestResult): string {
  const c = r.config;
  if (c.fill_model === 'naive') return 'naive fills (no latency, first in every queue)';
  const q = c.queue_model === 'power' ? `power n=${c.queue_exponent}` : c.queue_model;
  const feed = c.feed_latency === 'recorded' ? 'recorded' : c.feed_latency === 'none' ? 'none' : `${c.feed_latency} ms`;
  const lat = c.order_latency_file !== null
    ? `latency from ${c.order_latency_file.samples} samples`
    : `order ${c.order_latency_ms} / cancel ${c.cancel_latency_ms} / response ${c.response_latency_ms} ms`;
  return `queue fills (${q}; feed latency ${feed}; ${lat}${c.latency_jitter_ms > 0 ? ` + jitter < ${c.latency_jitter_ms} ms` : ''})`;
}

/**
 * What a chart's numbers came from, under its title: the fill model, fees, seed and the
 * strategy parameters that differ from their defaults (report.html lists every one).
 */
export function settingsSubtitle(r: BacktestResult): string {
  const c = r.config;
  const defaults = DEFAULT_PARAMS as unknown as Record<string, unknown>;
  const show = (v: unknown): string => (typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v));
  const set = Object.entries(c.parameters).filter(([k, v]) => show(v) !== show(defaults[k]));
  const params = set.length === 0 ? 'all defaults' : `${set.map(([k, v]) => `${k}=${show(v)}`).join(', ')} (others default)`;
  return `${fillModelText(r)}; fees maker ${c.maker_fee_bps} / taker ${c.taker_fee_bps} bps; seed ${r.seed}; parameters: ${params}`;
}

/** The fill model in a few words for chart titles: "queue proportional, feed recorded, latency 2/2/0 ms". */
export function fillModelShort(r: BacktestResult): string {
  const c = r.config;
  if (c.fill_model === 'naive') return 'naive fills';
  const q = c.queue_model === 'power' ? `power n=${c.queue_exponent}` : c.queue_model;
  const feed = typeof c.feed_latency === 'number' ? `${c.feed_latency} ms` : c.feed_latency;
  const lat = c.order_latency_file !== null ? 'latency file' : `latency ${c.order_latency_ms}/${c.cancel_latency_ms}/${c.response_latency_ms} ms`;
  return `queue ${q}, feed ${feed}, ${lat}`;
}

export function inventorySeries(r: BacktestResult): ChartSeries[] {
  return Object.entries(r.curves.inventory).map(([symbol, c]) => ({ name: `${symbol} position`, x: c.t_ms, y: c.values, style: 'step' as const }));
}

/** mid-fills.png: the first symbol's mid with our fills (the picture of what the strategy did). */
export function midFillsChart(r: BacktestResult): LineChartOptions {
  const symbol = r.config.symbols[0] ?? '';
  return {
    title: `${symbol} mid and our fills | ${fillModelShort(r)} | net P&L ${r.objectives.net_pnl.toFixed(4)}`,
    subtitle: settingsSubtitle(r),
    width: 1200,
    height: 600,
    xIsTime: true,
    xLabel: 'exchange time',
    yLabel: 'price',
    series: midWithFillsSeries(r, symbol),
  };
}

/**
 * The max drawdown for the chart's title: the ledger's (marks every 100 ms), and the plotted curve's
 * when its samples (every sample_interval_ms) miss part of it, so the title never states a trough
 * the picture does not show without saying so.
 */
export function drawdownTitle(r: BacktestResult): string {
  const ledger = r.objectives.max_drawdown;
  const curve = -Math.min(0, ...drawdownValues(r.curves.equity.values));
  const text = `max drawdown ${ledger.toFixed(4)}`;
  return curve.toFixed(4) === ledger.toFixed(4) ? text : `${text} (${r.config.sample_interval_ms / 1000} s curve ${curve.toFixed(4)})`;
}

/** equity-drawdown.png: total P&L and its drawdown from the running peak. */
export function equityDrawdownChart(r: BacktestResult): LineChartOptions {
  return {
    title: `Equity and drawdown | ${fillModelShort(r)} | ${drawdownTitle(r)}`,
    subtitle: settingsSubtitle(r),
    width: 1200,
    height: 500,
    xIsTime: true,
    xLabel: 'exchange time',
    yLabel: 'quote currency',
    series: equityDrawdownSeries(r),
  };
}

/** The interactive charts of the HTML report. */
export function reportCharts(r: BacktestResult): ReportChart[] {
  const charts: ReportChart[] = r.config.symbols.map((s) => ({ title: `${s}: mid and our fills`, yLabel: 'price', xIsTime: true, series: midWithFillsSeries(r, s) }));
  charts.push({ title: 'Equity (realized net + unrealized P&L) and drawdown from its peak', yLabel: 'quote currency', xIsTime: true, series: equityDrawdownSeries(r) });
  charts.push({ title: 'Inventory', yLabel: 'position', xIsTime: true, series: inventorySeries(r) });
  return charts;
}
