// The charts of a backtest as series for the report renderer (src/report): the main
// chart (each symbol's mid with our buys and sells on it), equity, inventory.
// Times are exchange time, Unix epoch ms.
import type { ChartSeries, LineChartOptions, ReportChart } from '../report/types.js';
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

export function inventorySeries(r: BacktestResult): ChartSeries[] {
  return Object.entries(r.curves.inventory).map(([symbol, c]) => ({ name: `${symbol} position`, x: c.t_ms, y: c.values, style: 'step' as const }));
}

/** The PNG's chart: the first symbol's mid with our fills (the picture of what the strategy did). */
export function mainChart(r: BacktestResult): LineChartOptions {
  const symbol = r.config.symbols[0] ?? '';
  return {
    title: `${symbol}: mid and our fills (${r.config.fill_model} fills, net P&L ${r.objectives.net_pnl})`,
    width: 1200,
    height: 600,
    xIsTime: true,
    xLabel: 'exchange time',
    yLabel: 'price',
    series: midWithFillsSeries(r, symbol),
  };
}

/** The interactive charts of the HTML report. */
export function reportCharts(r: BacktestResult): ReportChart[] {
  const charts: ReportChart[] = r.config.symbols.map((s) => ({ title: `${s}: mid and our fills`, yLabel: 'price', xIsTime: true, series: midWithFillsSeries(r, s) }));
  charts.push({ title: 'Equity: realized net + unrealized P&L', yLabel: 'quote currency', xIsTime: true, series: equitySeries(r) });
  charts.push({ title: 'Inventory', yLabel: 'position', xIsTime: true, series: inventorySeries(r) });
  return charts;
}
