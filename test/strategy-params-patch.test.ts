// PATCH /parameters: seed 000's request and echo, the audit trail, rules a patch
// triggers, bad patches changing nothing, and properties over random valid parameters.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import {
  validateParams, patchParams, ParameterError, PARAM_SPECS, DEFAULT_PARAMS,
  type StrategyParams, type ParamSpec, type ParamValue,
} from '../src/strategy/params/index.js';
import { Instrument } from '../src/orderbook/instrument.js';

const seed000Step4 = validateParams({
  spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3,
  level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5,
});

function patchError(current: StrategyParams, partial: unknown): ParameterError {
  try {
    patchParams(current, partial);
  } catch (e) {
    expect(e).toBeInstanceOf(ParameterError);
    return e as ParameterError;
  }
  throw new Error('expected a ParameterError');
}

describe('seed 000', () => {
  it('Step 8: the risk PATCH is accepted and updated_parameters echoes the seed', () => {
    const body = JSON.parse(`{
      "max_position": 0.005, "stop_loss_bps": 50.0, "pause_on_volatility": true, "volatility_threshold": 100.0
    }`) as unknown;
    const { next, changes, updatedParameters } = patchParams(seed000Step4, body);
    expect(JSON.stringify(updatedParameters)).toBe(JSON.stringify({
      max_position: 0.005, stop_loss_bps: 50.0, pause_on_volatility: true, volatility_threshold: 100.0,
    }));
    expect(next).toMatchObject({ max_position: 0.005, stop_loss_bps: 50, pause_on_volatility: true, volatility_threshold_bps: 100 });
    expect(changes).toEqual([
      { field: 'max_position', old: 0.01, new: 0.005 },
      { field: 'stop_loss_bps', old: 200, new: 50 },
      { field: 'pause_on_volatility', old: false, new: true },
    ]);
  });

  it('troubleshooting: skew_factor 0.8 and volatility_threshold 200', () => {
    const a = patchParams(seed000Step4, { skew_factor: 0.8 });
    expect(a.changes).toEqual([{ field: 'skew_factor', old: 0.5, new: 0.8 }]);
    expect(a.updatedParameters).toEqual({ skew_factor: 0.8 });
    const b = patchParams(a.next, { volatility_threshold: 200.0 });
    expect(b.changes).toEqual([{ field: 'volatility_threshold_bps', old: 100, new: 200 }]);
    expect(b.updatedParameters).toEqual({ volatility_threshold: 200 });
  });

  it('echoes a scaled alias in its own units', () => {
    const r = patchParams(seed000Step4, { half_spread_bps: 3 });
    expect(r.updatedParameters).toEqual({ half_spread_bps: 3 });
    expect(r.changes).toEqual([{ field: 'spread_bps', old: 4, new: 6 }]);
  });
});

describe('rules a patch triggers', () => {
  it('setting a price spread clears the bps spread, and back', () => {
    const toPrice = patchParams(seed000Step4, { target_spread: 20 });
    expect(toPrice.changes).toEqual([
      { field: 'spread_bps', old: 4, new: null },
      { field: 'spread_price', old: null, new: 20 },
    ]);
    const back = patchParams(toPrice.next, { spread_bps: 5 });
    expect(back.next).toMatchObject({ spread_bps: 5, spread_price: null });
  });

  it('a skew parameter without skew_mode selects its style; with skew_mode it does not', () => {
    const stepped = patchParams(seed000Step4, { skew_price_adjustment_per_10: 0.0001 });
    expect(stepped.changes).toEqual([
      { field: 'skew_mode', old: 'factor', new: 'stepped' },
      { field: 'skew_step_price', old: 0, new: 0.0001 },
    ]);
    expect(patchParams(stepped.next, { skew_factor: 0.9, skew_mode: 'stepped' }).next.skew_mode).toBe('stepped');
    expect(patchParams(stepped.next, { skew_factor: 0.9 }).next.skew_mode).toBe('factor');
  });

  it('seed 004 troubleshooting patches on the aggressive config', () => {
    const aggressive = validateParams({
      min_spread: 0.015, base_spread: 0.03, max_spread: 0.08, max_inventory: 75, inventory_skew_threshold: 15,
      rebalance_threshold: 30, quote_size: 20, max_position_size: 150, max_markets: 15, min_liquidity: 3000,
      max_time_to_resolution_hours: 168,
    });
    const skew = patchParams(aggressive, { skew_price_adjustment_per_10: 0.015, inventory_skew_threshold: 8, rebalance_threshold: 15 });
    expect(skew.next).toMatchObject({ skew_mode: 'stepped', skew_step_price: 0.015, skew_step_size: 10, inventory_skew_threshold: 8, rebalance_threshold: 15 });
    const fresh = patchParams(skew.next, { max_quote_age_seconds: 15, base_spread: 0.05, price_change_requote_threshold: 0.015 });
    expect(fresh.next).toMatchObject({ max_quote_age_seconds: 15, spread_price: 0.05, requote_threshold_price: 0.015 });
    const fills = patchParams(fresh.next, { base_spread: 0.03, min_spread: 0.015, quote_size: 15 });
    expect(fills.updatedParameters).toEqual({ base_spread: 0.03, min_spread: 0.015, quote_size: 15 });
  });
});

describe('bad patches change nothing', () => {
  const cases: [string, unknown, string][] = [
    ['max below the order size', { max_position: 0.0005 }, 'order_size 0.001 (current value) must be <= max_position 0.0005'],
    ['a string number', { stop_loss_bps: '50' }, 'stop_loss_bps must be a number or null, got string "50"'],
    ['an unknown name', { stop_loss: 50 }, 'unknown parameter "stop_loss" (did you mean stop_loss_bps?)'],
    ['both spreads', { spread_bps: 5, target_spread: 10 }, 'two different spreads'],
    ['no spread left', { spread_bps: null }, 'a spread is required'],
    ['__proto__', JSON.parse('{"__proto__": {"max_position": 1}}'), 'parameter name "__proto__" is not allowed'],
    ['not an object', [['max_position', 1]], 'parameters must be a JSON object, got an array'],
  ];
  for (const [name, partial, fragment] of cases) {
    it(`${name}: "${fragment}"`, () => {
      const current = structuredClone(seed000Step4) as StrategyParams;
      const before = structuredClone(current);
      expect(patchError(current, partial).message).toContain(fragment);
      expect(current).toEqual(before);
    });
  }

  it('-0 is stored as 0, so a JSON round trip changes nothing', () => {
    const p = validateParams({ taker_fee_bps: -0, level_sizes: [] });
    expect(Object.is(p.taker_fee_bps, 0)).toBe(true);
    expect(patchParams(p, { maker_fee_bps: -0, taker_fee_bps: 0 }).changes).toEqual([{ field: 'maker_fee_bps', old: 10, new: 0 }]);
  });

  it('an empty patch changes nothing and echoes nothing', () => {
    expect(patchParams(seed000Step4, {})).toEqual({ next: seed000Step4, changes: [], updatedParameters: {} });
  });

  it('checks the instrument grid when given one', () => {
    const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' });
    expect(() => patchParams(seed000Step4, { order_size: 0.0015 }, { instrument: btc })).toThrow('order_size 0.0015 is not a whole number of lots');
    expect(patchParams(seed000Step4, { order_size: 0.002 }, { instrument: btc }).next.order_size).toBe(0.002);
  });
});

// ── properties ───────────────────────────────────────────────────────────────────

const BIG = 1e9;

function valueArb(spec: ParamSpec): fc.Arbitrary<ParamValue> {
  let arb: fc.Arbitrary<ParamValue>;
  switch (spec.type) {
    case 'boolean': arb = fc.boolean(); break;
    case 'enum': arb = fc.constantFrom(...spec.values); break;
    case 'array':
      arb = fc.array(fc.double({ min: spec.items?.min ?? 0, minExcluded: spec.items?.minExclusive ?? false, max: BIG, noNaN: true }), { maxLength: 4 })
        .map((a) => a.map((x) => x + 0));
      break;
    case 'integer':
      arb = fc.integer({ min: Math.ceil(spec.min ?? -BIG), max: Math.floor(spec.max ?? BIG) });
      break;
    case 'number':
      arb = fc.double({
        min: spec.min ?? -BIG, max: spec.max ?? BIG, minExcluded: spec.minExclusive ?? false,
        maxExcluded: spec.maxExclusive ?? false, noNaN: true, noDefaultInfinity: true,
      }).map((x) => x + 0); // canonical values never hold -0 (see the -0 test)
      break;
  }
  return spec.type !== 'boolean' && spec.type !== 'enum' && spec.type !== 'array' && spec.nullable ? fc.option(arb, { nil: null }) : arb;
}

/** Random parameters, then adjusted until every cross-field rule holds. */
const validParamsArb: fc.Arbitrary<StrategyParams> = fc.tuple(
  fc.record(Object.fromEntries(PARAM_SPECS.map((s) => [s.name, valueArb(s)])) as Record<string, fc.Arbitrary<ParamValue>>),
  fc.boolean(),
).map(([raw, bpsSpread]) => {
  const p = raw as Record<string, ParamValue> & { level_sizes: number[] };
  const num = (k: string): number | null => p[k] as number | null;
  if (bpsSpread) { p.spread_bps = num('spread_bps') ?? 10; p.spread_price = null; } else { p.spread_price = num('spread_price') ?? 0.05; p.spread_bps = null; }
  for (const unit of ['bps', 'price']) {
    const spread = num(`spread_${unit}`);
    let lo = num(`min_spread_${unit}`);
    let hi = num(`max_spread_${unit}`);
    if (spread !== null) {
      if (lo !== null && lo > spread) lo = spread;
      if (hi !== null && hi < spread) hi = spread;
    } else if (lo !== null && hi !== null && lo > hi) {
      lo = hi;
    }
    p[`min_spread_${unit}`] = lo;
    p[`max_spread_${unit}`] = hi;
  }
  p.quote_levels = Math.max(num('quote_levels')!, p.level_sizes.length);
  const max = Math.max(num('max_position')!, num('order_size')!, ...p.level_sizes);
  p.max_position = max;
  const gross = num('max_gross_position');
  if (gross !== null) p.max_gross_position = Math.max(gross, max);
  const rebalance = num('rebalance_threshold') === null ? null : Math.min(num('rebalance_threshold')!, max);
  let skewAt = num('inventory_skew_threshold') === null ? null : Math.min(num('inventory_skew_threshold')!, max);
  if (skewAt !== null && rebalance !== null) skewAt = Math.min(skewAt, rebalance);
  p.rebalance_threshold = rebalance;
  p.inventory_skew_threshold = skewAt;
  if (num('volume_spike_window_seconds')! >= num('volume_baseline_seconds')!) p.volume_baseline_seconds = num('volume_spike_window_seconds')! * 2;
  // one multiplier per resolution tier
  const tiers = p['resolution_tier_hours'] as number[];
  const mults = p['resolution_tier_multipliers'] as number[];
  p['resolution_tier_multipliers'] = tiers.map((_, i) => mults[i] ?? 1);
  return p as unknown as StrategyParams;
});

/** A random subset of another valid parameter set's fields, under their canonical names. */
const partialArb = fc.tuple(validParamsArb, fc.array(fc.constantFrom(...PARAM_SPECS.map((s) => s.name)), { maxLength: 8 }))
  .map(([q, names]) => Object.fromEntries(names.map((n) => [n, q[n]])));

describe('properties', () => {
  it('random adjusted parameters are valid and validate to themselves', () => {
    fc.assert(fc.property(validParamsArb, (p) => {
      expect(validateParams(p)).toEqual(p);
    }), { numRuns: 300 });
  });

  it('any valid parameters patched with themselves: no changes, same parameters', () => {
    fc.assert(fc.property(validParamsArb, (raw) => {
      const p = validateParams(raw);
      const r = patchParams(p, { ...p });
      expect(r.changes).toEqual([]);
      expect(r.next).toEqual(p);
      const viaJson = patchParams(p, JSON.parse(JSON.stringify(p)));
      expect(viaJson.changes).toEqual([]);
    }), { numRuns: 300 });
  });

  it('a patch never mutates its input, and the changes lead from current to next', () => {
    fc.assert(fc.property(validParamsArb, partialArb, (raw, partial) => {
      const current = structuredClone(validateParams(raw)) as StrategyParams; // unfrozen copy
      const before = structuredClone(current);
      const partialBefore = structuredClone(partial);
      let result: ReturnType<typeof patchParams> | null = null;
      try {
        result = patchParams(current, partial);
      } catch (e) {
        expect(e).toBeInstanceOf(ParameterError);
      }
      expect(current).toEqual(before);
      expect(partial).toEqual(partialBefore);
      if (result) {
        const replayed: Record<string, ParamValue> = { ...before };
        for (const c of result.changes) {
          expect(c.old).toEqual(before[c.field]);
          replayed[c.field] = c.new;
        }
        expect(replayed).toEqual({ ...result.next });
        expect(validateParams(result.next)).toEqual(result.next);
      }
    }), { numRuns: 300 });
  });

  it('the defaults patched with any valid parameters give those parameters', () => {
    fc.assert(fc.property(validParamsArb, (raw) => {
      expect(patchParams(DEFAULT_PARAMS, raw).next).toEqual(validateParams(raw));
    }), { numRuns: 200 });
  });
});
