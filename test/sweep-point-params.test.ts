// A point's params file: the base params file with the swept values set, replacing
// the base's value of the same parameter under any of its names.
import { describe, expect, it } from 'vitest';
import { parseBacktestSpec } from '../src/backtest/index.js';
import { pointParams } from '../src/sweep/point-params.js';
import { parseSweepSpace } from '../src/sweep/space.js';

const BASE = {
  symbols: ['BTCUSDT'],
  parameters: { base_spread_bps: 10, order_size: 0.001, max_inventory: 0.01, inventory_skew: true, skew_factor: 0.5 },
  fill_model: 'naive',
};

function point(space: unknown, values: unknown[]): Record<string, unknown> {
  const axes = parseSweepSpace(space).axes;
  return pointParams(BASE, axes.map((a) => a.name), axes.map((a) => a.spec.name), values as never[]) as Record<string, unknown>;
}

describe('sweep point params', () => {
  it('sets the swept values and keeps everything else, without touching the base', () => {
    const p = point({ quote_levels: [1, 2] }, [2]);
    expect(p).toEqual({ ...BASE, parameters: { ...BASE.parameters, quote_levels: 2 } });
    expect(BASE.parameters).not.toHaveProperty('quote_levels');
  });

  it('replaces the base value given under another name (alias) instead of conflicting with it', () => {
    const p = point({ spread_bps: [4], max_position: [0.02] }, [4, 0.02]);
    expect(p['parameters']).toEqual({ order_size: 0.001, inventory_skew: true, skew_factor: 0.5, spread_bps: 4, max_position: 0.02 });
    expect(parseBacktestSpec(p).parameters).toMatchObject({ spread_bps: 4, max_position: 0.02 });
    // the same base with only the swept value added would be refused: two names, two values
    expect(() => parseBacktestSpec({ ...BASE, parameters: { ...BASE.parameters, max_position: 0.02 } })).toThrow(/max_inventory.*max_position|max_position.*max_inventory/);
  });

  it('a value-typed alias only replaces what it names: sweeping skew_factor keeps the inventory_skew switch', () => {
    const p = point({ skew_factor: [0.1] }, [0.1]);
    expect(p['parameters']).toEqual({ base_spread_bps: 10, order_size: 0.001, max_inventory: 0.01, inventory_skew: true, skew_factor: 0.1 });
  });
});
