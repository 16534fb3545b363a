// The sweep space file: names and values checked against the strategy parameter
// schema before anything runs; each mistake is a coded error naming the parameter.
import { describe, expect, it } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { expandGrid, MAX_SWEEP_POINTS } from '../src/sweep/expand.js';
import { parseSweepSpace } from '../src/sweep/space.js';

function spaceError(json: unknown): SpreadcoreError {
  try {
    const space = parseSweepSpace(json);
    expandGrid(space);
  } catch (e) {
    expect(e).toBeInstanceOf(SpreadcoreError);
    return e as SpreadcoreError;
  }
  throw new Error(`no error for ${JSON.stringify(json)}`);
}

describe('sweep space file', () => {
  it('accepts lists, step ranges, counted and log ranges, aliases and enum lists', () => {
    const space = parseSweepSpace({
      spread_bps: [2, 4, 8],
      order_size: { min: 0.001, max: 0.003, step: 0.001 },
      k: { min: 0.5, max: 8, count: 5, log: true },
      max_inventory: [0.01],
      fair_value: ['mid', 'microprice'],
    });
    expect(space.axes.map((a) => a.name)).toEqual(['spread_bps', 'order_size', 'k', 'max_inventory', 'fair_value']);
    expect(space.axes.map((a) => a.spec.name)).toEqual(['spread_bps', 'order_size', 'k', 'max_position', 'fair_value']);
  });

  it.each([
    ['unknown parameter, with the closest name', { spread_bsp: [1, 2] }, /unknown parameter "spread_bsp" \(did you mean spread_bps\?\)/],
    ['unknown parameter with no close name', { bid_spread: [0.001] }, /unknown parameter "bid_spread"/],
    ['empty list', { spread_bps: [] }, /spread_bps: the list of values is empty/],
    ['min > max', { spread_bps: { min: 8, max: 2, step: 1 } }, /spread_bps: min 8 is greater than max 2/],
    ['non-numeric list value', { spread_bps: [2, '4'] }, /spread_bps\[1\].*must be a number.*string "4"/],
    ['non-numeric range end', { spread_bps: { min: 'a', max: 4, step: 1 } }, /spread_bps\.min must be a finite number, got string "a"/],
    ['out-of-bounds value', { spread_bps: [2, -1] }, /spread_bps\[1\]: spread_bps must be in \(0, 10000\], got -1/],
    ['non-integer value for an integer parameter', { quote_levels: [1, 2.5] }, /quote_levels\[1\].*must be an integer, got 2.5/],
    ['duplicate value', { spread_bps: [2, 2] }, /spread_bps\[1\]: 2 is listed twice/],
    ['zero step', { spread_bps: { min: 1, max: 4, step: 0 } }, /spread_bps\.step must be > 0, got 0/],
    ['unknown range key', { spread_bps: { min: 1, max: 4, steps: 1 } }, /unknown range key "steps"/],
    ['range on an enum', { fair_value: { min: 0, max: 1, step: 1 } }, /fair_value/],
    ['grid range without step or count', { spread_bps: { min: 1, max: 4 } }, /spread_bps: a grid range needs "step" or "count"/],
    ['log range from zero', { imbalance_spread_adjust_pct: { min: 0, max: 10, count: 3, log: true } }, /a log range needs min > 0/],
    ['one parameter under two names', { max_position: [1], max_inventory: [2] }, /max_position and max_inventory both set max_position/],
    ['not an object', [1, 2], /space file must be a JSON object/],
    ['no parameters', {}, /names no parameter/],
    ['a scalar instead of values', { spread_bps: 4 }, /spread_bps must be a list of values or a range/],
  ])('%s', (_what, json, message) => {
    const e = spaceError(json);
    expect(e.code).toMatch(/^SPREADCORE_ERR_BAD_SWEEP_SPACE$/);
    expect(e.message).toMatch(message);
  });

  it('refuses a grid with too many combinations, saying how many and the limit', () => {
    const e = spaceError({
      spread_bps: { min: 1, max: 100, step: 1 },
      order_size: { min: 0.001, max: 0.2, step: 0.001 },
    });
    expect(e.code).toBe('SPREADCORE_ERR_BAD_SWEEP_SPACE');
    expect(e.message).toContain('20,000 combinations (spread_bps 100 × order_size 200)');
    expect(e.message).toContain(`the limit is ${MAX_SWEEP_POINTS.toLocaleString('en-US')}`);
  });

  it('refuses a range whose step makes an absurd number of values before building it', () => {
    const e = spaceError({ spread_bps: { min: 1, max: 10000, step: 1e-9 } });
    expect(e.message).toMatch(/makes 9999000000001 values, at most 10000 allowed/);
  });
});
