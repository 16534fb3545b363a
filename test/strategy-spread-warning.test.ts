// Seed 001's break-even check: load and PATCH warn when the total spread is below
// 2 × the maker fee (every round trip would lose money), and say nothing otherwise.
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { spreadWarning } from '../src/strategy/spread-warning.js';
import { validateParams } from '../src/strategy/params/index.js';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

function engine(): TradingEngine {
  const e = new TradingEngine();
  cleanup.push(() => e.close());
  new SimDriver(e, new MarketSimulator({}, 5)).run(2);
  return e;
}

describe('break-even spread warning', () => {
  it('seed 000 Step 4 (4 bps with the default 10 bps maker fee) loads with a warning naming both numbers', () => {
    const r = engine().load({ name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'],
      parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 } });
    expect(r.config).toMatchObject({ spread_bps: 4 });
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'spread_below_break_even', spread_bps: 4, break_even_spread_bps: 20 })]);
    expect(r.warnings![0]!.message).toMatch(/4 bps is below the break-even spread of 20 bps/);
  });

  it('a spread at or above break-even loads without warnings; PATCH re-checks', () => {
    const e = engine();
    const r = e.load({ name: 'wide', symbols: ['BTCUSDT'], parameters: { spread_bps: 25, order_size: 0.001, max_position: 0.01 } });
    expect(r.warnings).toBeUndefined();
    expect(e.patchParameters('wide', { spread_bps: 20 }).warnings).toBeUndefined();
    const p = e.patchParameters('wide', { spread_bps: 10 });
    expect(p.updated_parameters).toEqual({ spread_bps: 10 });
    expect(p.warnings?.[0]?.break_even_spread_bps).toBe(20);
    // a maker rebate makes any positive spread break even
    expect(e.patchParameters('wide', { maker_fee_bps: -1 }).warnings).toBeUndefined();
  });

  it('a spread in price units is judged at the mid; with no mid it is not judged', () => {
    const p = validateParams({ target_spread: 5, order_size: 0.001, max_position: 0.01 });
    expect(spreadWarning(p, 50_000)?.spread_bps).toBe(1); // 5 USDT on 50,000 = 1 bp
    expect(spreadWarning(p, 1_000)).toBeNull(); // 50 bps
    expect(spreadWarning(p)).toBeNull();
  });
});
