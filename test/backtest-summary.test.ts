// What the summary and the report say was replayed: the recording's kind (Binance lines,
// a prediction-market recording, a spreadcore binary recording) and its span.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
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
