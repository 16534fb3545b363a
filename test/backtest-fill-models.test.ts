// Honest fills: the naive model (zero latency, first in every queue: filled whenever
// the market trades at or through the quote) against the realistic one (order and
// cancel latency, queue position, fills limited by traded volume and depletion) on
// real Binance recordings. The naive model claims more fills and a better edge per
// fill; with quotes 10 bps out it also claims more P&L. Numbers are in the messages.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseBacktestSpec, runBacktest, type BacktestResult } from '../src/backtest/index.js';
import { ROOT } from './support/run-cli.js';

function fixture(name: string): Buffer {
  return readFileSync(join(ROOT, 'test/fixtures/binance', name));
}

function both(file: string, params: Record<string, unknown>): { queue: BacktestResult; naive: BacktestResult } {
  const bytes = fixture(file);
  const base = { symbols: ['BTCUSDT'], parameters: params, maker_fee_bps: 0 };
  return {
    queue: runBacktest(bytes, parseBacktestSpec({ ...base, fill_model: 'queue' }), { seed: 1 }),
    naive: runBacktest(bytes, parseBacktestSpec({ ...base, fill_model: 'naive' }), { seed: 1 }),
  };
}

describe('naive fills against queue-position fills on real Binance data', () => {
  it('spot BTCUSDT, quotes 10 bps out: the naive model overstates net P&L and fills', () => {
    const { queue, naive } = both('spot_btcusdt_20240808.gz', {
      spread_bps: 10, order_size: 0.001, max_position: 0.01, quote_levels: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100,
    });
    const q = queue.objectives;
    const n = naive.objectives;
    const msg = `naive net P&L ${n.net_pnl} with ${n.fills} fills vs queue ${q.net_pnl} with ${q.fills} fills`;
    console.info(`spot BTCUSDT 10 bps: ${msg}`);
    expect(n.net_pnl, msg).toBeGreaterThan(q.net_pnl);
    expect(n.fills, msg).toBeGreaterThan(q.fills);
    // every queue fill follows a market trade or a book change; none appear without market activity
    expect(queue.config).toMatchObject({ fill_model: 'queue', order_latency_ms: 2, cancel_latency_ms: 2 });
    expect(naive.config).toMatchObject({ fill_model: 'naive', order_latency_ms: 0, cancel_latency_ms: 0 });
  });

  it('USD-M BTCUSDT, joining the touch: the naive model fills far more often and claims a better edge per unit', () => {
    const { queue, naive } = both('usdm_btcusdt_20240808.gz', {
      spread_bps: 0.02, order_size: 0.001, max_position: 0.005, quote_levels: 1, requote_threshold_price: 0.1, quote_refresh_ms: 100,
    });
    const qa = queue.symbols['BTCUSDT']!.analytics;
    const na = naive.symbols['BTCUSDT']!.analytics;
    const qEdge = qa.spread_captured.per_unit!;
    const nEdge = na.spread_captured.per_unit!;
    const qm = qa.markouts[0]!;
    const nm = na.markouts[0]!;
    const msg = `naive ${na.fills.total} fills (${na.fills.buy_qty + na.fills.sell_qty} BTC), spread captured ${nEdge}/BTC, 1 s markouts ${nm.buy.avg_pnl_per_unit} / ${nm.sell.avg_pnl_per_unit}; `
      + `queue ${qa.fills.total} fills (${qa.fills.buy_qty + qa.fills.sell_qty} BTC), spread captured ${qEdge}/BTC, 1 s markouts ${qm.buy.avg_pnl_per_unit} / ${qm.sell.avg_pnl_per_unit}; `
      + `net P&L naive ${naive.objectives.net_pnl}, queue ${queue.objectives.net_pnl}`;
    console.info(`USD-M BTCUSDT at the touch: ${msg}`);
    expect(na.fills.total, msg).toBeGreaterThan(2 * qa.fills.total);
    expect(na.fills.buy_qty + na.fills.sell_qty, msg).toBeGreaterThan(qa.fills.buy_qty + qa.fills.sell_qty);
    expect(nEdge, msg).toBeGreaterThan(qEdge);
    expect(nm.buy.avg_pnl_per_unit!, msg).toBeGreaterThan(qm.buy.avg_pnl_per_unit!);
    expect(nm.sell.avg_pnl_per_unit!, msg).toBeGreaterThan(qm.sell.avg_pnl_per_unit!);
  });
});

describe('fees', () => {
  it('reports the fees the strategy is charged: its own fee parameters win over the file\'s top-level schedule', () => {
    const bytes = fixture('usdm_btcusdt_20240808.gz');
    const parameters = { spread_bps: 0.02, order_size: 0.001, max_position: 0.005, quote_levels: 1, requote_threshold_price: 0.1, quote_refresh_ms: 100 };
    const r = runBacktest(bytes, parseBacktestSpec({
      symbols: ['BTCUSDT'], parameters: { ...parameters, maker_fee_bps: 1.5 }, maker_fee_bps: 0, taker_fee_bps: 4, duration_s: 60,
    }), { seed: 1 });
    const maker = r.fills.filter((f) => f.liquidity === 'MAKER');
    expect(maker.length).toBeGreaterThan(0);
    // every maker fill paid 1.5 bps of its notional
    for (const f of maker) expect(f.fee).toBeCloseTo(f.price * f.qty * 1.5e-4, 8);
    expect(r.config).toMatchObject({ maker_fee_bps: 1.5, taker_fee_bps: 4 });
    expect(r.config.parameters).toMatchObject({ maker_fee_bps: 1.5, taker_fee_bps: 4 });
    // without the parameter, the schedule is what is charged and shown
    const s = runBacktest(bytes, parseBacktestSpec({ symbols: ['BTCUSDT'], parameters, maker_fee_bps: 0, taker_fee_bps: 4, duration_s: 60 }), { seed: 1 });
    expect(s.config).toMatchObject({ maker_fee_bps: 0, taker_fee_bps: 4 });
    expect(s.fills.filter((f) => f.liquidity === 'MAKER').every((f) => f.fee === 0)).toBe(true);
  });
});
