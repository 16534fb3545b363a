// The readable summary of a backtest for a terminal: what was replayed and how,
// then seed 000's metric groups and the markouts, one figure per line.
import { fillModelText } from './backtest-charts.js';
import type { BacktestResult } from './backtest-result.js';

function utc(ms: number | null): string {
  if (ms === null) return '?';
  return new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, '');
}

function num(v: number | null | undefined, dp?: number): string {
  if (v === null || v === undefined) return '—';
  if (dp !== undefined) return v.toFixed(dp);
  return String(v);
}

function count(n: number): string {
  return n.toLocaleString('en-US');
}

/** What was replayed, in a few words: "Binance spot recording", "prediction-market recording", "spreadcore recording". */
export function recordingLabel(d: BacktestResult['data']): string {
  if (d.format === 'binance') return `Binance ${d.market ?? ''} recording`;
  return d.format === 'prediction' ? 'prediction-market recording' : 'spreadcore recording';
}

export function backtestSummaryText(r: BacktestResult): string {
  const lines: string[] = [];
  const d = r.data;
  const c = r.config;
  const sym = c.symbols[0] ?? '';
  const a = r.symbols[sym]?.analytics;
  const m = r.summary;
  const row = (label: string, value: string): void => { lines.push(`  ${label.padEnd(34)} ${value}`); };
  const source = recordingLabel(d);
  lines.push(`backtest ${c.strategy_id} on ${c.symbols.join(', ')}: ${source}, ${utc(d.first_ts_ms)} → ${utc(d.last_ts_ms)} UTC (${d.duration_seconds} s)`);
  lines.push(`  ${fillModelText(r)}; fees maker ${c.maker_fee_bps} bps, taker ${c.taker_fee_bps} bps; seed ${r.seed}`);
  const fl = d.feed_latency_ms;
  if (c.feed_latency === 'recorded' && fl !== null) {
    lines.push(`  recorded feed latency p50 ${fl.p50} / p90 ${fl.p90} / p99 ${fl.p99} ms (receive times shifted ${fl.clock_correction_ms} ms for the recorder's clock)`);
  }
  lines.push(`  parameters ${Object.entries(c.parameters).map(([k, v]) => `${k}=${typeof v === 'object' ? JSON.stringify(v) : String(v)}`).join(' ')}`);
  lines.push(`  ${count(d.events)} events (book levels + trades) in ${count(d.steps)} steps${r.stopped ? ' — stopped early' : ''}`);
  lines.push('');
  lines.push('performance');
  row('net P&L (realized + unrealized)', num(r.objectives.net_pnl));
  row('net profit (realized, after fees)', num(m.performance.net_profit));
  row('gross profit', num(m.performance.gross_profit));
  row('fees paid', num(m.performance.fees_paid));
  row('fills (buy / sell)', `${m.performance.total_trades} (${m.performance.buy_fills} / ${m.performance.sell_fills})`);
  row('round trips (FIFO matches)', String(m.performance.round_trips));
  row('profit per round trip', num(m.performance.profit_per_round_trip));
  lines.push('inventory');
  row('current position', num(m.inventory.current_position));
  row('max position reached', num(m.inventory.max_position_reached));
  row('avg holding time, s', num(m.inventory.avg_holding_time_seconds));
  lines.push('quoting');
  row('quote updates', String(m.quoting.quote_updates));
  row('orders placed / cancelled', a === undefined ? '—' : `${a.quoting.orders_placed} / ${a.quoting.orders_cancelled}`);
  row('fill rate %', num(m.quoting.fill_rate_pct));
  row('time at best bid / ask %', `${num(m.quoting.time_at_best_bid_pct)} / ${num(m.quoting.time_at_best_ask_pct)}`);
  lines.push('risk');
  row('max drawdown', num(m.risk.max_drawdown));
  const o = r.objectives;
  row(`sharpe (annualised, ${o.sharpe_interval_s} s buckets)`, o.sharpe === null ? `— (${o.sharpe_note ?? 'undefined'})` : `${num(o.sharpe)} from ${o.sharpe_samples} buckets`);
  if (a !== undefined) {
    const k = a.risk;
    row(`sortino (annualised, ${k.return_bucket_seconds} s buckets)`, k.sortino === null ? `— (${k.sortino_note ?? 'undefined'})` : `${num(k.sortino)} from ${k.return_buckets} buckets`);
  }
  row('volatility pauses', String(m.risk.volatility_pauses));
  row('adverse selection events', a === undefined ? String(m.risk.adverse_selection_events)
    : `${m.risk.adverse_selection_events} (${a.risk.adverse_markout_fills} adverse fills, ${a.risk.adverse_triggers} large-trade / volume-spike triggers)`);
  row('fills after a cancel was sent', String(r.counters.fills_after_cancel_sent));
  if (a !== undefined && a.markouts.length > 0) {
    lines.push('markouts (P&L per unit against the mid after the fill)');
    for (const k of a.markouts) row(`${k.horizon_ms / 1000} s (buy / sell)`, `${num(k.buy.avg_pnl_per_unit)} / ${num(k.sell.avg_pnl_per_unit)}`);
  }
  for (const w of r.warnings) lines.push(`warning: ${w}`);
  return `${lines.join('\n')}\n`;
}
