// The strategy parameter schema: defaults, the seeds' configurations, every alias,
// and the exact messages of bad input.
import { describe, it, expect } from 'vitest';
import {
  validateParams, configView, ParameterError, PARAM_SPECS, DEFAULT_PARAMS, ALIASES_BY_NAME,
  type StrategyParams,
} from '../src/strategy/params/index.js';
import { Instrument } from '../src/orderbook/instrument.js';
import { SpreadcoreError } from '../src/errors.js';

function errorOf(fn: () => unknown): ParameterError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ParameterError);
    expect(e).toBeInstanceOf(SpreadcoreError);
    expect((e as SpreadcoreError).code).toBe('SPREADCORE_ERR_BAD_PARAM');
    return e as ParameterError;
  }
  throw new Error('expected a ParameterError');
}

describe('defaults', () => {
  it('an empty object validates to the defaults', () => {
    expect(validateParams({})).toEqual(DEFAULT_PARAMS);
  });

  it('every parameter given its own default validates to the defaults', () => {
    // A skew parameter given on its own also selects its skew style.
    const style: Record<string, string> = { skew_price_per_unit: 'per_unit', skew_step_price: 'stepped', skew_step_size: 'stepped' };
    for (const spec of PARAM_SPECS) {
      const expected = { ...DEFAULT_PARAMS, skew_mode: style[spec.name] ?? DEFAULT_PARAMS.skew_mode };
      expect(validateParams({ [spec.name]: spec.default }), spec.name).toEqual(expected);
    }
  });

  it('all defaults given together validate to themselves', () => {
    expect(validateParams({ ...DEFAULT_PARAMS })).toEqual(DEFAULT_PARAMS);
  });

  it('every default is inside its own bounds and every parameter names a seed or a paper', () => {
    for (const spec of PARAM_SPECS) {
      expect(spec.description.length, spec.name).toBeGreaterThan(20);
      expect(spec.unit.length, spec.name).toBeGreaterThan(0);
      if ((spec.type === 'number' || spec.type === 'integer') && spec.default === null) expect(spec.nullable, spec.name).toBe(true);
    }
  });

  it('returns a frozen object with every parameter, in table order', () => {
    const p = validateParams({ level_sizes: [1, 2], quote_levels: 2 });
    expect(Object.isFrozen(p)).toBe(true);
    expect(Object.isFrozen(p.level_sizes)).toBe(true);
    expect(Object.keys(p)).toEqual(PARAM_SPECS.map((s) => s.name));
    expect(Object.isFrozen(DEFAULT_PARAMS)).toBe(true);
    expect(Object.isFrozen(DEFAULT_PARAMS.level_sizes)).toBe(true);
  });
});

describe('seed 000', () => {
  it('Step 4: the load request validates to the config the seed shows', () => {
    const body = JSON.parse(`{
      "spread_bps": 4.0, "order_size": 0.001, "max_position": 0.01, "quote_levels": 3,
      "level_spacing_bps": 2.0, "inventory_skew": true, "skew_factor": 0.5
    }`) as unknown;
    const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' });
    const p = validateParams(body, { instrument: btc });
    expect(JSON.stringify(configView(p))).toBe(JSON.stringify({
      spread_bps: 4.0, half_spread_bps: 2.0, order_size: 0.001, max_position: 0.01, quote_levels: 3,
    }));
    expect(p).toMatchObject({
      spread_bps: 4, spread_price: null, level_spacing_bps: 2, inventory_skew: true, skew_factor: 0.5, skew_mode: 'factor',
    });
  });

  it('configView shows a price spread as spread_price / half_spread_price', () => {
    expect(configView(validateParams({ target_spread: 0.04, order_size: 10, max_inventory: 100 }))).toEqual({
      spread_price: 0.04, half_spread_price: 0.02, order_size: 10, max_position: 100, quote_levels: 1,
    });
  });
});

describe('the seeds\' configurations validate', () => {
  it('seed 001: the parameter block', () => {
    const p = validateParams({ spread_bps: 20, max_inventory: 10, order_size: 1.0, skew_factor: 0.001, update_freq: 1 });
    expect(p).toMatchObject({ spread_bps: 20, max_position: 10, order_size: 1, skew_factor: 0.001, skew_mode: 'factor', update_freq_bars: 1 });
  });

  it('seed 001: every point of the parameter space', () => {
    let n = 0;
    for (const spread_bps of [10, 15, 20, 25, 30]) {
      for (const max_inventory of [5, 10, 15, 20]) {
        for (const order_size of [0.5, 1.0, 1.5, 2.0]) {
          for (const skew_factor of [0.0005, 0.001, 0.0015, 0.002]) {
            for (const update_freq of [1, 2, 5]) {
              const p = validateParams({ spread_bps, max_inventory, order_size, skew_factor, update_freq });
              expect(p.max_position).toBe(max_inventory);
              n++;
            }
          }
        }
      }
    }
    expect(n).toBe(960);
  });

  it('seed 001: multi-level quoting as spread, even spacing and per-level sizes', () => {
    const p = validateParams({ spread_bps: 20, quote_levels: 3, level_spacing_bps: 10, level_sizes: [2.0, 1.5, 1.0] });
    expect(p.level_sizes).toEqual([2, 1.5, 1]);
  });

  it('seed 002: conservative and experienced configs', () => {
    expect(validateParams({ target_spread: 0.05, order_size: 5, max_inventory: 50, rebalance_threshold: 25 })).toMatchObject({
      spread_price: 0.05, spread_bps: null, order_size: 5, max_position: 50, rebalance_threshold: 25, inventory_skew_threshold: null,
    });
    expect(validateParams({ target_spread: 0.03, order_size: 20, max_inventory: 100, rebalance_threshold: 50 })).toMatchObject({
      spread_price: 0.03, order_size: 20, max_position: 100, rebalance_threshold: 50,
    });
  });

  it('seed 002: inventory_adjustment_factor selects the per-unit skew', () => {
    expect(validateParams({ target_spread: 0.04, inventory_adjustment_factor: 0.01, max_inventory: 100, order_size: 10 })).toMatchObject({
      skew_mode: 'per_unit', skew_price_per_unit: 0.01,
    });
  });

  it('seed 003: key parameters, inventory_skew as a number, the regime table defaults', () => {
    const p = validateParams({
      base_spread_bps: 10, spread_multiplier: 2.5, min_spread_bps: 5, max_inventory: 100,
      inventory_skew: 0.5, quote_refresh_ms: 500, cancel_on_fill: true,
    });
    expect(p).toMatchObject({
      spread_bps: 10, spread_multiplier: 2.5, min_spread_bps: 5, max_position: 100, skew_factor: 0.5,
      skew_mode: 'factor', inventory_skew: true, quote_refresh_ms: 500, cancel_on_fill: true,
    });
    expect(DEFAULT_PARAMS).toMatchObject({
      spread_bps: 10, spread_multiplier: 1, skew_factor: 0.5,
      regime_trending_spread_multiplier: 1.5, regime_trending_skew_factor: 0.3, regime_trending_size_pct: 80,
      regime_high_vol_spread_multiplier: 2, regime_high_vol_skew_factor: 1, regime_high_vol_size_pct: 50,
      regime_news_pause: true, stop_loss_bps: 200, daily_loss_limit_pct: 5,
    });
  });

  const seed004: Record<string, Record<string, unknown>> = {
    conservative: {
      min_spread: 0.03, base_spread: 0.06, max_spread: 0.15, max_inventory: 30, inventory_skew_threshold: 8,
      rebalance_threshold: 15, quote_size: 5, max_position_size: 50, max_markets: 5, min_liquidity: 10000,
      max_time_to_resolution_hours: 72,
    },
    aggressive: {
      min_spread: 0.015, base_spread: 0.03, max_spread: 0.08, max_inventory: 75, inventory_skew_threshold: 15,
      rebalance_threshold: 30, quote_size: 20, max_position_size: 150, max_markets: 15, min_liquidity: 3000,
      max_time_to_resolution_hours: 168,
    },
    'high-frequency': {
      min_spread: 0.01, base_spread: 0.02, max_quote_age_seconds: 5, price_change_requote_threshold: 0.01,
      quote_size: 3, max_markets: 25, max_inventory: 20, inventory_skew_threshold: 5,
    },
    'usage example': { base_spread: 0.03, max_inventory: 40, quote_size: 15 },
    'cross-platform': { max_markets: 8, base_spread: 0.045 },
    'paper mode': { paper_mode: true },
  };
  for (const [name, config] of Object.entries(seed004)) {
    it(`seed 004: the ${name} config`, () => {
      const p = validateParams(config);
      if ('base_spread' in config) expect(p.spread_price).toBe(config.base_spread);
      if ('quote_size' in config) expect(p.order_size).toBe(config.quote_size);
      if ('max_inventory' in config) expect(p.max_position).toBe(config.max_inventory);
      if ('max_position_size' in config) expect(p.max_gross_position).toBe(config.max_position_size);
      if ('price_change_requote_threshold' in config) expect(p.requote_threshold_price).toBe(config.price_change_requote_threshold);
    });
  }

  it('seed 004: the stepped skew of scenario 2', () => {
    expect(validateParams({ base_spread: 0.04, skew_price_adjustment_per_10: 0.01, inventory_skew_threshold: 10, max_inventory: 40, quote_size: 10 }))
      .toMatchObject({ spread_price: 0.04, skew_mode: 'stepped', skew_step_price: 0.01, skew_step_size: 10, inventory_spread_multiplier: 1.3 });
  });
});

describe('aliases', () => {
  // alias input → the canonical fields it sets
  const cases: [string, Record<string, unknown>, Partial<StrategyParams>][] = [
    ['base_spread_bps', { base_spread_bps: 12 }, { spread_bps: 12, spread_price: null }],
    ['half_spread_bps', { half_spread_bps: 2 }, { spread_bps: 4 }],
    ['target_spread', { target_spread: 0.04 }, { spread_price: 0.04, spread_bps: null }],
    ['base_spread', { base_spread: 0.04 }, { spread_price: 0.04, spread_bps: null }],
    ['min_spread', { min_spread: 0.02, base_spread: 0.04 }, { min_spread_price: 0.02 }],
    ['max_spread', { max_spread: 0.15, base_spread: 0.04 }, { max_spread_price: 0.15 }],
    ['quote_size', { quote_size: 5 }, { order_size: 5 }],
    ['max_inventory', { max_inventory: 50 }, { max_position: 50 }],
    ['max_position_size', { max_position_size: 50 }, { max_gross_position: 50 }],
    ['inventory_skew', { inventory_skew: 0.3 }, { skew_factor: 0.3, skew_mode: 'factor', inventory_skew: true }],
    ['inventory_adjustment_factor', { inventory_adjustment_factor: 0.001 }, { skew_price_per_unit: 0.001, skew_mode: 'per_unit' }],
    ['adjustment_factor', { adjustment_factor: 0.002 }, { skew_price_per_unit: 0.002, skew_mode: 'per_unit' }],
    ['skew_price_adjustment_per_10', { skew_price_adjustment_per_10: 0.015 }, { skew_step_price: 0.015, skew_step_size: 10, skew_mode: 'stepped' }],
    ['update_freq', { update_freq: 5 }, { update_freq_bars: 5 }],
    ['price_change_requote_threshold', { price_change_requote_threshold: 0.02 }, { requote_threshold_price: 0.02 }],
    ['volatility_threshold', { volatility_threshold: 200.0 }, { volatility_threshold_bps: 200 }],
    ['fee_rate_bps', { fee_rate_bps: 5 }, { maker_fee_bps: 5 }],
    ['fee_bps', { fee_bps: -1 }, { maker_fee_bps: -1 }],
    ['A', { A: 50 }, { a: 50 }],
  ];

  for (const [, input, expected] of cases) {
    it(`${Object.keys(input).join(' + ')} → ${Object.keys(expected).join(', ')}`, () => {
      expect(validateParams(input)).toMatchObject(expected);
    });
  }

  it('every alias of the table has a case', () => {
    expect(new Set(cases.map((c) => c[0]))).toEqual(new Set(ALIASES_BY_NAME.keys()));
  });

  it('inventory_skew as a boolean is still the on/off switch', () => {
    expect(validateParams({ inventory_skew: false })).toMatchObject({ inventory_skew: false, skew_factor: 0.5 });
  });

  it('an alias and its parameter with the same value are accepted', () => {
    expect(validateParams({ max_position: 0.01, max_inventory: 0.01, order_size: 0.001 }).max_position).toBe(0.01);
    expect(validateParams({ spread_bps: 4, half_spread_bps: 2 }).spread_bps).toBe(4);
    expect(validateParams({ skew_price_adjustment_per_10: 0.01, skew_step_size: 10 }).skew_step_size).toBe(10);
  });

  it('skew_mode given explicitly wins over the inference', () => {
    expect(validateParams({ skew_mode: 'stepped', skew_factor: 1, skew_price_per_unit: 0.01 }).skew_mode).toBe('stepped');
  });
});

describe('bad input', () => {
  const many = Array.from({ length: 33 }, () => 1);
  const cases: [string, unknown, string][] = [
    ['a string that looks like a number', { spread_bps: '4.0' }, 'spread_bps must be a number or null, got string "4.0"'],
    ['NaN', { spread_bps: NaN }, 'spread_bps must be a finite number, got NaN'],
    ['Infinity', { order_size: Infinity }, 'order_size must be a finite number, got Infinity'],
    ['-Infinity', { maker_fee_bps: -Infinity }, 'maker_fee_bps must be a finite number, got -Infinity'],
    ['an array for a scalar', { spread_bps: [4] }, 'spread_bps must be a number or null, got an array'],
    ['an object for a scalar', { order_size: { value: 1 } }, 'order_size must be a number, got an object'],
    ['a boolean for a number', { spread_bps: true }, 'spread_bps must be a number or null, got boolean true'],
    ['null for a required number', { order_size: null }, 'order_size must be a number, got null'],
    ['zero where > 0', { spread_bps: 0 }, 'spread_bps must be in (0, 10000], got 0'],
    ['above the maximum', { spread_bps: 20000 }, 'spread_bps must be in (0, 10000], got 20000'],
    ['negative', { order_size: -1 }, 'order_size must be > 0, got -1'],
    ['percent out of range', { daily_loss_limit_pct: 0 }, 'daily_loss_limit_pct must be in (0, 100], got 0'],
    ['multiplier below 1', { spread_multiplier: 0.5 }, 'spread_multiplier must be in [1, 3], got 0.5'],
    ['an alias out of range, in its own units', { half_spread_bps: 6000 }, 'half_spread_bps (alias of spread_bps) must be in (0, 5000], got 6000'],
    ['an alias with a string', { target_spread: '0.04' }, 'target_spread (alias of spread_price) must be a number or null, got string "0.04"'],
    ['a non-integer level count', { quote_levels: 2.5 }, 'quote_levels must be an integer, got 2.5'],
    ['a string level count', { quote_levels: '3' }, 'quote_levels must be an integer, got string "3"'],
    ['too many levels', { quote_levels: 33 }, 'quote_levels must be in [1, 32], got 33'],
    ['a number for a boolean', { post_only: 1 }, 'post_only must be a boolean, got 1'],
    ['a string for inventory_skew', { inventory_skew: 'true' }, 'inventory_skew must be a boolean or a number (skew factor), got string "true"'],
    ['inventory_skew as a number out of range', { inventory_skew: 20 }, 'inventory_skew (alias of skew_factor) must be in [0, 10], got 20'],
    ['an unknown enum value', { quote_model: 'as' }, 'quote_model must be one of linear, avellaneda_stoikov, glft, got string "as"'],
    ['a scalar for an array', { level_sizes: 1 }, 'level_sizes must be an array of numbers, got 1'],
    ['a string in an array', { level_sizes: [1, '2'] }, 'level_sizes[1] must be a number, got string "2"'],
    ['a zero in an array', { level_sizes: [1, 0] }, 'level_sizes[1] must be > 0, got 0'],
    ['NaN in an array', { level_sizes: [NaN] }, 'level_sizes[0] must be a finite number, got NaN'],
    ['an array too long', { level_sizes: many }, 'level_sizes has 33 entries, at most 32 allowed'],
    ['two spreads', { spread_bps: 4, target_spread: 0.04 }, 'spread_bps in bps of the fair value and target_spread (alias of spread_price) in price units are two different spreads: give one'],
    ['two spreads through aliases', { base_spread_bps: 10, base_spread: 0.04 }, 'base_spread_bps (alias of spread_bps) in bps of the fair value and base_spread (alias of spread_price) in price units are two different spreads'],
    ['an alias disagreeing with its parameter', { max_position: 5, max_inventory: 6 }, 'max_position and max_inventory (alias of max_position) set max_position to different values (5 and 6): give one'],
    ['two aliases disagreeing', { target_spread: 0.04, base_spread: 0.05 }, 'target_spread (alias of spread_price) and base_spread (alias of spread_price) set spread_price to different values (0.04 and 0.05)'],
    ['a scaled alias disagreeing', { spread_bps: 4, half_spread_bps: 4 }, 'set spread_bps to different values (4 and 8)'],
    ['an implied value contradicted', { skew_price_adjustment_per_10: 0.01, skew_step_size: 5 }, 'skew_price_adjustment_per_10 implies skew_step_size 10, but skew_step_size is given as 5'],
    ['no spread at all', { spread_bps: null }, 'a spread is required: set spread_bps (bps of the fair value) or spread_price (price units; target_spread, base_spread)'],
    ['two skew styles', { skew_factor: 1, inventory_adjustment_factor: 0.01 }, 'skew_factor, inventory_adjustment_factor belong to different skew styles (factor, per_unit): set skew_mode to choose one'],
    ['__proto__', JSON.parse('{"__proto__": {"polluted": true}}'), 'parameter name "__proto__" is not allowed'],
    ['constructor', { constructor: 1 }, 'parameter name "constructor" is not allowed'],
    ['prototype', { prototype: {} }, 'parameter name "prototype" is not allowed'],
    ['an unknown name close to a known one', { spred_bps: 4 }, 'unknown parameter "spred_bps" (did you mean spread_bps?)'],
    ['an unknown alias close to a known one', { max_inventry: 4 }, 'unknown parameter "max_inventry" (did you mean max_inventory?)'],
    ['a name without its unit suffix', { quote_refresh: 500 }, 'unknown parameter "quote_refresh" (did you mean quote_refresh_ms?)'],
    ['another name without its unit suffix', { horizon: 60 }, 'unknown parameter "horizon" (did you mean horizon_seconds?)'],
    ['a seed name that is not a parameter', { hedge_threshold: 5 }, 'unknown parameter "hedge_threshold"'],
    ['an array as the parameters', [], 'parameters must be a JSON object, got an array'],
    ['null as the parameters', null, 'parameters must be a JSON object, got null'],
    ['a string as the parameters', '{"spread_bps":4}', 'parameters must be a JSON object, got string'],
    ['a class instance as the parameters', new Map([['spread_bps', 4]]), 'parameters must be a JSON object, got an object'],
    ['order size above the default max', { order_size: 20 }, 'order_size 20 must be <= max_position 10 (default)'],
    ['default order size above an alias max', { max_inventory: 0.5 }, 'order_size 1 (default) must be <= max_inventory 0.5 (alias of max_position)'],
    ['min spread above max spread', { min_spread_bps: 8, max_spread_bps: 6, spread_bps: 7 }, 'min_spread_bps 8 must be <= max_spread_bps 6'],
    ['spread below its floor', { min_spread: 0.05, base_spread: 0.04 }, 'min_spread 0.05 (alias of min_spread_price) must be <= base_spread 0.04 (alias of spread_price)'],
    ['spread above its ceiling', { spread_bps: 30, max_spread_bps: 20 }, 'spread_bps 30 must be <= max_spread_bps 20'],
    ['spread given as half, below its floor', { half_spread_bps: 1, min_spread_bps: 4 }, 'min_spread_bps 4 must be <= half_spread_bps 1 (spread_bps 2)'],
    ['soft limit above the max', { inventory_skew_threshold: 20 }, 'inventory_skew_threshold 20 must be <= max_position 10 (default)'],
    ['rebalance threshold above the max', { rebalance_threshold: 60, max_inventory: 50 }, 'rebalance_threshold 60 must be <= max_inventory 50 (alias of max_position)'],
    ['skew threshold above the rebalance threshold', { rebalance_threshold: 5, inventory_skew_threshold: 8 }, 'inventory_skew_threshold 8 must be <= rebalance_threshold 5'],
    ['gross limit below the net limit', { max_position_size: 5 }, 'max_position 10 (default) must be <= max_position_size 5 (alias of max_gross_position)'],
    ['more level sizes than levels', { level_sizes: [1, 1] }, 'level_sizes [1, 1] has 2 entries, more than quote_levels 1 (default)'],
    ['a level size above the max', { level_sizes: [20], quote_levels: 1 }, 'level_sizes[0] 20 must be <= max_position 10 (default)'],
    ['spike window not shorter than its baseline', { volume_spike_window_seconds: 7200 }, 'volume_spike_window_seconds 7200 must be < volume_baseline_seconds 3600 (default)'],
  ];

  for (const [name, input, fragment] of cases) {
    it(`${name}: "${fragment}"`, () => {
      expect(errorOf(() => validateParams(input)).message).toContain(fragment);
    });
  }

  it('lists every problem, each with its field', () => {
    const e = errorOf(() => validateParams({ spread_bps: '4', quote_levels: 0, nope: 1 }));
    expect(e.issues.map((i) => i.field)).toEqual(['spread_bps', 'quote_levels', 'nope']);
    expect(e.message).toBe('spread_bps must be a number or null, got string "4"; quote_levels must be in [1, 32], got 0; unknown parameter "nope"');
  });

  it('__proto__ in the input never reaches a prototype', () => {
    errorOf(() => validateParams(JSON.parse('{"__proto__": {"spread_bps": 1}, "order_size": 1}')));
    expect(({} as Record<string, unknown>).spread_bps).toBeUndefined();
  });
});

describe('with an instrument', () => {
  const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.00001' });
  const yes = new Instrument({ symbol: 'YES', tickSize: '0.01', lotSize: '1', kind: 'binary' });
  const cases: [string, Instrument, Record<string, unknown>, string][] = [
    ['order size off the lot grid', btc, { order_size: 0.0000015 }, 'order_size 0.0000015 is not a whole number of lots (lot size 0.00001 on BTCUSDT)'],
    ['order size from float arithmetic', new Instrument({ symbol: 'X', tickSize: '0.1', lotSize: '0.1' }), { order_size: 0.1 + 0.2 }, 'order_size 0.30000000000000004 is not a whole number of lots'],
    ['fractional contracts', yes, { quote_size: 2.5, max_inventory: 50 }, 'quote_size 2.5 (alias of order_size) is not a whole number of lots (lot size 1 on YES)'],
    ['a level size off the grid', btc, { order_size: 0.001, max_position: 0.01, quote_levels: 2, level_sizes: [0.001, 0.0015001] }, 'level_sizes[1] 0.0015001 is not a whole number of lots'],
    ['a spread under one tick', yes, { target_spread: 0.005 }, 'target_spread 0.005 (alias of spread_price) is less than one tick (tick size 0.01 on YES)'],
  ];
  for (const [name, inst, input, fragment] of cases) {
    it(`${name}: "${fragment}"`, () => {
      expect(errorOf(() => validateParams(input, { instrument: inst })).message).toContain(fragment);
    });
  }

  it('accepts exact decimals on the grid', () => {
    expect(validateParams({ order_size: 0.001, max_position: 0.01, quote_levels: 2, level_sizes: [0.002, 0.00123] }, { instrument: btc }).order_size).toBe(0.001);
    expect(validateParams({ order_size: 0.00001, max_position: 0.01 }, { instrument: btc }).order_size).toBe(0.00001);
    expect(validateParams({ target_spread: 0.01, order_size: 10, max_inventory: 100 }, { instrument: yes }).spread_price).toBe(0.01);
  });
});
