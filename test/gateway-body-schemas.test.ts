// The API's compiled JSON Schemas agree with the parameter reader: for every
// parameter name (canonical and alias) and any JSON value — bounds exactly, just
// inside and just outside, wrong types, null — the schema accepts exactly what the
// reader accepts; and a failed body names the field with the reader's words.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bodyMatches, checkBody } from '../src/gateway/body-validator.js';
import { ALIASES_BY_NAME, PARAM_SPECS, SPEC_BY_NAME } from '../src/strategy/params/index.js';
import type { ParamIssue } from '../src/strategy/params/param-errors.js';
import { readParamInput } from '../src/strategy/params/read-param-input.js';
import { spreadcoreErrorOf } from './support/thrown.js';

const NAMES: string[] = [...new Set([...SPEC_BY_NAME.keys(), ...ALIASES_BY_NAME.keys()])].sort();

function readerAccepts(input: Record<string, unknown>): boolean {
  const issues: ParamIssue[] = [];
  readParamInput(input, issues);
  return issues.length === 0;
}

/** Every bound of every numeric parameter, in each name's own units, and its neighbours. */
function boundaryValues(): number[] {
  const out = new Set<number>([0, -0, 1, -1, 0.5, 2, 3, 1e9, -1e9, 1e-12, Number.MAX_VALUE, Number.MIN_VALUE]);
  const scales = new Set<number>([1]);
  for (const entries of ALIASES_BY_NAME.values()) for (const e of entries) scales.add(e.alias.scale ?? 1);
  for (const spec of PARAM_SPECS) {
    const bounds = spec.type === 'array' ? [spec.items.min, spec.items.max] : spec.type === 'number' || spec.type === 'integer' ? [spec.min, spec.max] : [];
    for (const b of bounds) {
      if (b === undefined) continue;
      for (const s of scales) {
        const v = b / s;
        for (const x of [v, v + Number.EPSILON * Math.max(1, Math.abs(v)), v - Number.EPSILON * Math.max(1, Math.abs(v)), v + 1, v - 1, v + 0.5]) out.add(x);
      }
    }
  }
  return [...out].filter((x) => Number.isFinite(x));
}

const jsonValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(...boundaryValues()),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer({ min: -1000, max: 100_000 }),
  fc.boolean(),
  fc.constant(null),
  fc.string({ maxLength: 8 }),
  fc.constantFrom('NaN', 'Infinity', '0.002', 'linear', 'glft', 'mid', 'microprice', 'factor', 'per_unit', 'stepped', 'avellaneda_stoikov'),
  fc.array(fc.oneof(fc.constantFrom(...boundaryValues()), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.string({ maxLength: 3 })), { maxLength: 12 }),
  fc.dictionary(fc.string({ maxLength: 4 }), fc.integer(), { maxKeys: 2 }),
);

describe('parameter JSON Schema vs the parameter reader', () => {
  it('every known name: the exact bounds and their neighbours', () => {
    const values = [...boundaryValues(), true, false, null, 'x', [], [1, 2], {}];
    let checked = 0;
    for (const name of NAMES) {
      for (const v of values) {
        const body = { [name]: v };
        expect({ name, v, schema: bodyMatches('parameters', body) }).toEqual({ name, v, schema: readerAccepts(body) });
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(NAMES.length * 50);
  });

  it('any value for any name (and unknown names): same verdict', () => {
    fc.assert(fc.property(
      fc.oneof(fc.constantFrom(...NAMES), fc.string({ minLength: 1, maxLength: 12 })),
      jsonValue,
      (name, v) => {
        const body = { [name]: v };
        return bodyMatches('parameters', body) === readerAccepts(body);
      },
    ), { numRuns: 5000 });
  });

  it('objects of several parameters (one name per parameter): same verdict', () => {
    const canonical = (n: string): string => (SPEC_BY_NAME.has(n) ? n : ALIASES_BY_NAME.get(n)![0]!.spec.name);
    const noImplies = NAMES.filter((n) => !(ALIASES_BY_NAME.get(n) ?? []).some((e) => e.alias.implies !== undefined));
    fc.assert(fc.property(
      fc.uniqueArray(fc.constantFrom(...noImplies), { minLength: 1, maxLength: 12, selector: canonical }),
      fc.array(jsonValue, { minLength: 12, maxLength: 12 }),
      (names, values) => {
        const body: Record<string, unknown> = {};
        names.forEach((n, i) => { body[n] = values[i]; });
        return bodyMatches('parameters', body) === readerAccepts(body);
      },
    ), { numRuns: 2000 });
  });
});


describe('request body schemas', () => {
  it('a bad parameter is BAD_PARAM with the reader\'s message, in PATCH and inside load', () => {
    const patch = spreadcoreErrorOf(() => checkBody('parameters', { order_size: -0.001 }));
    const issues: ParamIssue[] = [];
    readParamInput({ order_size: -0.001 }, issues);
    expect(patch.code).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(patch.message).toBe(issues[0]!.message);
    const load = spreadcoreErrorOf(() => checkBody('load', { name: 'a', symbols: ['BTCUSDT'], parameters: { spred_bps: 4 } }));
    expect(load.code).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(load.message).toContain('unknown parameter "spred_bps"');
    expect(load.message).toContain('did you mean spread_bps');
  });

  it('envelope problems name the field', () => {
    const cases: [Parameters<typeof checkBody>[0], unknown, string, RegExp][] = [
      ['load', { symbols: ['BTCUSDT'] }, 'SPREADCORE_ERR_BAD_INPUT', /needs the field "name"/],
      ['load', { name: 'a b', symbols: ['BTCUSDT'] }, 'SPREADCORE_ERR_BAD_INPUT', /^name /],
      ['load', { name: 'a', symbols: [] }, 'SPREADCORE_ERR_BAD_INPUT', /^symbols /],
      ['load', { name: 'a', symbols: ['BTCUSDT', 7] }, 'SPREADCORE_ERR_BAD_INPUT', /^symbols\[1\] must be a string, got 7/],
      ['load', { name: 'a', symbols: ['X'], parameters: [1] }, 'SPREADCORE_ERR_BAD_INPUT', /parameters must be a JSON object/],
      ['load', { name: 'a', symbols: ['X'], owner: 'me' }, 'SPREADCORE_ERR_BAD_INPUT', /unknown field "owner" in the strategy definition/],
      ['order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, leverage: 10 }, 'SPREADCORE_ERR_BAD_INPUT', /unknown field "leverage" in the order/],
      ['order', { side: 'buy', symbol: 'BTCUSDT', qty: 0.001 }, 'SPREADCORE_ERR_BAD_INPUT', /side must be one of "BUY", "SELL", got string "buy"/],
      ['order', { side: 'BUY', symbol: 'BTCUSDT' }, 'SPREADCORE_ERR_BAD_INPUT', /needs the field "qty"/],
      ['order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0 }, 'SPREADCORE_ERR_BAD_INPUT', /^qty must be > 0, got 0/],
      ['reduce', { target_position: 0, urgency: 'high' }, 'SPREADCORE_ERR_BAD_INPUT', /unknown field "urgency"/],
      ['reduce', { aggression: 'fast' }, 'SPREADCORE_ERR_BAD_INPUT', /aggression must be one of/],
      ['note', { note: 'x'.repeat(501) }, 'SPREADCORE_ERR_BAD_JSON', /^note /],
      ['empty', { force: true }, 'SPREADCORE_ERR_BAD_JSON', /unknown field "force"/],
    ];
    for (const [schema, body, code, re] of cases) {
      const e = spreadcoreErrorOf(() => checkBody(schema, body));
      expect({ schema, body, code: e.code }).toEqual({ schema, body, code });
      expect(e.message).toMatch(re);
    }
  });

  it('valid seed 000 bodies pass', () => {
    expect(() => checkBody('load', {
      name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'],
      parameters: { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 },
    })).not.toThrow();
    expect(() => checkBody('parameters', { spread_bps: 5.0, max_position: 0.02 })).not.toThrow();
    expect(() => checkBody('order', { side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' })).not.toThrow();
    expect(() => checkBody('order', { side: 'SELL', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price: 43300.5, strategy_id: 'btc_mm_1' })).not.toThrow();
    expect(() => checkBody('reduce', { target_position: 0.005, aggression: 'moderate' })).not.toThrow();
    expect(() => checkBody('note', {})).not.toThrow();
    expect(() => checkBody('empty', {})).not.toThrow();
  });
});
