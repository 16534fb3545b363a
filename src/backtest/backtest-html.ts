// The HTML report of a backtest: what ran, the headline figures, interactive charts
// (mid with our fills, equity, inventory), the metric groups, the markouts and the
// fills, with the PNG of the main chart.
import { renderHtmlReport } from '../report/index.js';
import type { HtmlReportOptions, ReportTable } from '../report/types.js';
import { reportCharts } from './backtest-charts.js';
import type { BacktestResult } from './backtest-result.js';

/** Fills listed in the report's table at most (result.json has them all). */
export const REPORT_FILL_ROWS = 2000;

function utc(ms: number | null): string {
  return ms === null ? '?' : new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

const text = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : String(v));

export function backtestHtmlOptions(r: BacktestResult, png: Buffer): HtmlReportOptions {
  const c = r.config;
  const d = r.data;
  const m = r.summary;
  const o = r.objectives;
  const a = r.symbols[c.symbols[0] ?? '']?.analytics;
  const fillModel = c.fill_model === 'naive'
    ? 'naive (no latency, first in every queue)'
    : `queue (${c.queue_model}; latency ${c.order_latency_ms} ms order, ${c.cancel_latency_ms} ms cancel${c.latency_jitter_ms > 0 ? `, + up to ${c.latency_jitter_ms} ms jitter` : ''})`;
  const tables: ReportTable[] = [];
  tables.push({
    title: 'Metrics (GET /api/strategy/{id}/metrics)',
    columns: ['group', 'metric', 'value'],
    rows: [
      ...Object.entries(m.performance).map(([k, v]) => ['performance', k, v]),
      ...Object.entries(m.inventory).map(([k, v]) => ['inventory', k, v]),
      ...Object.entries(m.quoting).map(([k, v]) => ['quoting', k, v]),
      ...Object.entries(m.risk).map(([k, v]) => ['risk', k, v]),
    ],
  });
  const markoutRows: (string | number)[][] = [];
  for (const [symbol, list] of Object.entries(r.markouts)) {
    for (const k of list) {
      markoutRows.push([symbol, k.horizon_ms, k.buy.fills, text(k.buy.avg_pnl_per_unit), k.sell.fills, text(k.sell.avg_pnl_per_unit), k.pending]);
    }
  }
  tables.push({ title: 'Markouts: P&L per unit against the mid h after each fill', columns: ['symbol', 'h, ms', 'buy fills', 'buy', 'sell fills', 'sell', 'pending'], rows: markoutRows });
  const shown = r.fills.slice(0, REPORT_FILL_ROWS);
  tables.push({
    title: r.fills.length > shown.length || r.fills_not_listed > 0
      ? `Fills (first ${shown.length} of ${r.fills.length + r.fills_not_listed})` : `Fills (${shown.length})`,
    columns: ['time (UTC)', 'symbol', 'side', 'price', 'qty', 'fee', 'liquidity', 'position after'],
    rows: shown.map((f) => [utc(f.t_ms), f.symbol, f.side, f.price, f.qty, f.fee, f.liquidity, f.inventory]),
  });
  return {
    title: `Backtest ${c.strategy_id}: ${c.symbols.join(', ')}`,
    subtitle: `${d.format === 'binance' ? `Binance ${d.market ?? ''}` : 'spreadcore'} recording, ${utc(d.first_ts_ms)} → ${utc(d.last_ts_ms)}, `
      + `${d.events} events; fills ${fillModel}; fees maker ${c.maker_fee_bps} bps, taker ${c.taker_fee_bps} bps; seed ${r.seed}`,
    summary: [
      { label: 'net P&L (realized + unrealized)', value: String(o.net_pnl) },
      { label: 'net profit (realized)', value: String(m.performance.net_profit) },
      { label: 'fills', value: String(o.fills) },
      { label: 'fill rate %', value: String(o.fill_rate) },
      { label: 'max drawdown', value: String(o.max_drawdown) },
      { label: 'sharpe', value: text(a?.risk.sharpe) },
      { label: 'final position', value: String(m.inventory.current_position) },
      { label: 'round trips', value: String(m.performance.round_trips) },
    ],
    charts: reportCharts(r),
    tables,
    images: [{ title: 'Main chart (equity.png)', pngBase64: png.toString('base64') }],
  };
}

/** The report as one self-contained HTML page (src/report's renderer: uPlot inlined). */
export function backtestHtml(r: BacktestResult, png: Buffer): string {
  return renderHtmlReport(backtestHtmlOptions(r, png));
}
