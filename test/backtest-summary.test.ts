// What the summary and the report say was replayed: the recording's kind (Binance lines,
// a prediction-market recording, a spreadcore binary recording) and its span; the
// drawdown the equity chart's title states.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { drawdownTitle, equityDrawdownChart } from '../src/backtest/backtest-charts.js';
import { backtestHtmlOptions } from '../src/backtest/backtest-html.js';
import { parseBacktestSpec, runBacktest, type BacktestResult } from '../src/backtest/index.js';
import { backtestSummaryText, recordingLabel } from '../src/backtest/summary-table.js';
import { ROOT } from './support/run-cli.js';

describe('the recording in the summary and the report', () => {
  const r = runBacktest(readFileSync(join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz')),
    parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01 }, duration_s: 20 }), { seed: 1 });
  const as = (format: BacktestResult['data']['format'], market: string | null): BacktestResult => ({ ...r, data: { ...r.data, format, market } });

  it('names each format', () => {
    expect(recordingLabel(r.data)).toBe('Binance spot recording');
    expect(recordingLabel(as('prediction', null).data)).toBe('prediction-market recording');
    expect(recordingLabel(as('screc', null).data)).toBe('spreadcore recording');
  });

  it('a prediction-market recording is called one in the summary and the report, not a spreadcore recording', () => {
    const p = as('prediction', null);
    expect(backtestSummaryText(p).split('\n')[0]).toMatch(/^backtest backtest on BTCUSDT: prediction-market recording, 2024-08-08 23:54:13 → /);
    expect(backtestHtmlOptions(p, []).subtitle).toMatch(/^prediction-market recording, 2024-08-08 23:54:13\.937 UTC → /);
  });
});

describe('the equity and drawdown chart\'s title', () => {
  const r = runBacktest(readFileSync(join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz')),
    parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01 }, duration_s: 20 }), { seed: 1 });
  const withCurve = (maxDrawdown: number, values: number[]): BacktestResult => ({
    ...r, objectives: { ...r.objectives, max_drawdown: maxDrawdown },
    curves: { ...r.curves, equity: { t_ms: values.map((_, i) => 1_000 * i), values } },
  });

  it('states the ledger\'s max drawdown, and the plotted curve\'s when its samples miss part of it', () => {
    // equity 0 → 1 → 0.8 at 1 s samples: the curve falls 0.2; the ledger, marking every 100 ms, saw 0.5
    expect(drawdownTitle(withCurve(0.5, [0, 1, 0.8]))).toBe('max drawdown 0.5000 (1 s curve 0.2000)');
    expect(equityDrawdownChart(withCurve(0.5, [0, 1, 0.8])).title).toMatch(/\| max drawdown 0\.5000 \(1 s curve 0\.2000\)$/);
    expect(drawdownTitle(withCurve(0.2, [0, 1, 0.8]))).toBe('max drawdown 0.2000');
  });
});

describe('the Sortino ratio in the summary and the report', () => {
  const r = runBacktest(readFileSync(join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz')),
    parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01 }, duration_s: 20 }), { seed: 1 });

  it('is shown next to the Sharpe ratio, with the reason when there is none', () => {
    const risk = r.symbols['BTCUSDT']!.analytics.risk;
    expect(risk.sortino).toBeNull();
    expect(backtestSummaryText(r)).toMatch(new RegExp(`^ {2}sortino \\(annualised, 60 s buckets\\) +— \\(${risk.sortino_note!.replace(/[()]/g, '\\$&')}\\)$`, 'm'));
    const card = backtestHtmlOptions(r, []).summary.find((c) => c.label.startsWith('sortino'));
    expect(card).toEqual({ label: `sortino (60 s buckets, ${risk.return_buckets} of them)`, value: `— (${risk.sortino_note!})` });
  });
});
