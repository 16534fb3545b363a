// The curves and fills of a backtest agree with each other and with the metrics:
// the inventory curve steps by each fill and ends at the sum of the signed fills
// (and at the metrics' current position), the equity curve ends at the net P&L,
// times stay inside the recording.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from '../src/accounting/decimal.js';
import { parseBacktestSpec, runBacktest } from '../src/backtest/index.js';
import { ROOT } from './support/run-cli.js';

describe('backtest curves and fills', () => {
  const bytes = readFileSync(join(ROOT, 'test/fixtures/binance/usdm_btcusdt_20240808.gz'));
  const r = runBacktest(bytes, parseBacktestSpec({
    symbols: ['BTCUSDT'],
    parameters: { spread_bps: 1, order_size: 0.002, max_position: 0.01, quote_levels: 2, level_spacing_bps: 1, requote_threshold_price: 0.1, quote_refresh_ms: 100 },
    maker_fee_bps: 1, sample_interval_ms: 500,
  }), { seed: 3 });

  it('fills are the metrics\' fills', () => {
    expect(r.fills.length).toBeGreaterThan(20);
    expect(r.fills_not_listed).toBe(0);
    expect(r.fills.length).toBe(r.summary.performance.total_trades);
    expect(r.fills.filter((f) => f.side === 'BUY').length).toBe(r.summary.performance.buy_fills);
    expect(r.objectives.fills).toBe(r.fills.length);
    const fees = r.fills.reduce((a, f) => a.plus(String(f.fee)), new Decimal(0));
    expect(fees.toNumber()).toBeCloseTo(r.summary.performance.fees_paid, 6);
  });

  it('the inventory curve steps by each fill and ends at the sum of the signed fills', () => {
    const inv = r.curves.inventory['BTCUSDT']!;
    // start at 0, one point per fill, one at the end
    expect(inv.values[0]).toBe(0);
    expect(inv.values.length).toBe(r.fills.length + 2);
    let pos = new Decimal(0);
    let t = inv.t_ms[0]!;
    r.fills.forEach((f, i) => {
      pos = f.side === 'BUY' ? pos.plus(String(f.qty)) : pos.minus(String(f.qty));
      expect(inv.values[i + 1]).toBe(pos.toNumber());
      // fills carry their trade's time, a late trade message's a little before the previous fill's: the curve never goes back
      t = Math.max(t, f.t_ms);
      expect(inv.t_ms[i + 1]).toBe(t);
    });
    expect(r.fills.some((f, i) => i > 0 && f.t_ms < r.fills[i - 1]!.t_ms)).toBe(true);
    expect(inv.values[inv.values.length - 1]).toBe(pos.toNumber());
    expect(r.summary.inventory.current_position).toBe(pos.toNumber());
    for (let i = 1; i < inv.t_ms.length; i++) expect(inv.t_ms[i]!).toBeGreaterThanOrEqual(inv.t_ms[i - 1]!);
  });

  it('the equity curve is sampled on the interval and ends at the net P&L', () => {
    const eq = r.curves.equity;
    expect(eq.values[0]).toBe(0);
    expect(eq.values[eq.values.length - 1]).toBeCloseTo(r.objectives.net_pnl, 6);
    // ~345 s of data every 500 ms of exchange time
    expect(eq.t_ms.length).toBeGreaterThan(600);
    expect(eq.t_ms.length).toBeLessThan(740);
    for (let i = 1; i < eq.t_ms.length - 1; i++) expect(eq.t_ms[i]! - eq.t_ms[i - 1]!).toBeGreaterThanOrEqual(0);
    expect(eq.t_ms[0]).toBe(r.started_ts_ms);
    const first = r.data.first_ts_ms!;
    expect(eq.t_ms[0]!).toBeGreaterThanOrEqual(first);
    // exchange time runs ~1.3 s ahead of the recorder's clock (test/fixtures/README.md)
    expect(eq.t_ms[eq.t_ms.length - 1]!).toBeLessThan(r.data.last_ts_ms! + 5000);
    const mid = r.curves.mid['BTCUSDT']!;
    expect(mid.values.length).toBe(eq.values.length);
    for (const v of mid.values) expect(v).toBeGreaterThan(50_000);
  });

  it('markouts and objectives are filled in', () => {
    expect(r.markouts['BTCUSDT']!.map((m) => m.horizon_ms)).toEqual([1000, 5000, 30000]);
    expect(r.objectives.events).toBe(r.data.events);
    expect(r.objectives.fill_rate).toBeCloseTo((r.fills.length / r.counters.orders_placed) * 100, 6);
    expect(r.objectives.max_drawdown).toBe(r.summary.risk.max_drawdown);
    expect(r.final_state).not.toBeNull();
    expect(r.warnings).toEqual([]);
  });
});
