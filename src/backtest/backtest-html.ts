// The HTML report of a backtest: what ran, the headline figures, interactive charts
// (mid with our fills, equity and drawdown, inventory), every setting (strategy
// parameters and the fill model's), the metric groups, the markouts and the fills,
// with the report's PNGs.
import { renderHtmlReport } from '../report/index.js';
import type { HtmlReportOptions, ReportTable } from '../report/types.js';
import { fillModelText, reportCharts } from './backtest-charts.js';
import type { ReportPng } from './backtest-report.js';
import type { BacktestResult } from './backtest-result.js';
import { recordingLabel } from './summary-table.js';

/** Fills listed in the report's table at most (result.json has them all). */
export const REPORT_FILL_ROWS = 2000;

function utc(ms: number | null): string {
  return ms === null ? '?' : new Date(ms).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

const text = (v: number | null | undefined): string => (v === null || v === undefined ? '—' : String(v));

/** Every setting the run used: the fill model's, then each strategy parameter (defaults filled in). */
export function settingsRows(r: BacktestResult): (string | number)[][] {
  const c = r.config;
  const fl = r.data.feed_latency_ms;
  const feed = c.feed_latency === 'recorded' && fl !== null
    ? `recorded (after a ${fl.clock_correction_ms} ms clock correction: p50 ${fl.p50} ms, p90 ${fl.p90} ms, p99 ${fl.p99} ms)`
    : String(c.feed_latency);
  const rows: (string | number)[][] = [
    ['fill model', 'fill_model', c.fill_model],
    ['fill model', 'queue_model', c.queue_model],
    ['fill model', 'queue_exponent', text(c.queue_exponent)],
    ['fill model', 'feed_latency', feed],
    ['fill model', 'feed_base_latency_ms', c.feed_base_latency_ms],
    ['fill model', 'order_latency_ms', c.order_latency_file === null ? c.order_latency_ms : 'from order_latency_file'],
    ['fill model', 'cancel_latency_ms', c.order_latency_file === null ? c.cancel_latency_ms : 'from order_latency_file'],
    ['fill model', 'response_latency_ms', c.order_latency_file === null ? c.response_latency_ms : 'from order_latency_file'],
    ['fill model', 'order_latency_file', c.order_latency_file === null ? '—' : `${c.order_latency_file.path ?? '?'} (${c.order_latency_file.samples} samples)`],
    ['fill model', 'latency_jitter_ms', c.latency_jitter_ms],
    ['fees', 'maker_fee_bps', c.maker_fee_bps],
    ['fees', 'taker_fee_bps', c.taker_fee_bps],
    ['run', 'seed', r.seed],
    ['run', 'sample_interval_ms', c.sample_interval_ms],
  ];
  for (const [s, g] of Object.entries(c.instruments)) rows.push(['instrument', s, `tick ${g.tick_size}, lot ${g.lot_size}`]);
  for (const [k, v] of Object.entries(c.parameters)) rows.push(['strategy', k, typeof v === 'object' ? JSON.stringify(v) : String(v)]);
  return rows;
}

export function backtestHtmlOptions(r: BacktestResult, pngs: readonly ReportPng[]): HtmlReportOptions {
  const c = r.config;
  const d = r.data;
  const m = r.summary;
  const o = r.objectives;
  const a = r.symbols[c.symbols[0] ?? '']?.analytics;
  const fillModel = fillModelText(r);
  const tables: ReportTable[] = [];
  tables.push({ title: 'Settings: the fill model and every strategy parameter', columns: ['group', 'setting', 'value'], rows: settingsRows(r) });
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
    subtitle: `${recordingLabel(d)}, ${utc(d.first_ts_ms)} → ${utc(d.last_ts_ms)}, `
      + `${d.events} events; ${fillModel}; fees maker ${c.maker_fee_bps} bps, taker ${c.taker_fee_bps} bps; seed ${r.seed}`,
    summary: [
      { label: 'net P&L (realized + unrealized)', value: String(o.net_pnl) },
      { label: 'net profit (realized)', value: String(m.performance.net_profit) },
      { label: 'fills', value: String(o.fills) },
      { label: 'fill rate %', value: String(o.fill_rate) },
      { label: 'max drawdown', value: String(o.max_drawdown) },
      { label: `sharpe (${o.sharpe_interval_s} s buckets, ${o.sharpe_samples} of them)`, value: o.sharpe === null ? `— (${o.sharpe_note ?? 'undefined'})` : String(o.sharpe) },
      ...(a === undefined ? [] : [{
        label: `sortino (${a.risk.return_bucket_seconds} s buckets, ${a.risk.return_buckets} of them)`,
        value: a.risk.sortino === null ? `— (${a.risk.sortino_note ?? 'undefined'})` : String(a.risk.sortino),
      }]),
      { label: 'final position', value: String(m.inventory.current_position) },
      { label: 'round trips (FIFO matches)', value: String(m.performance.round_trips) },
      { label: 'fills after a cancel was sent', value: String(r.counters.fills_after_cancel_sent) },
    ],
    charts: reportCharts(r),
    tables,
    images: pngs.map((p) => ({ title: `${p.name}: ${p.title}`, svg: p.svg })),
  };
}

/** The report as one self-contained HTML page (src/report's renderer: uPlot inlined). */
export function backtestHtml(r: BacktestResult, pngs: readonly ReportPng[]): string {
  return renderHtmlReport(backtestHtmlOptions(r, pngs));
}
