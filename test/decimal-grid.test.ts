// Exact decimal strings <-> integer ticks/lots, never through parseFloat.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { DecimalGrid } from '../src/numeric/decimal-grid.js';
import { SpreadcoreError } from '../src/errors.js';

describe('DecimalGrid', () => {
  const cents = new DecimalGrid('0.01');
  const sats = new DecimalGrid('0.00001');
  const halves = new DecimalGrid('0.5');
  const tens = new DecimalGrid('10');

  it.each([
    [cents, '61234.56000000', 6123456],
    [cents, '61234.56', 6123456],
    [cents, '0.01', 1],
    [cents, '0', 0],
    [cents, '-37.00', -3700],
    [cents, '+1.5', 150],
    [cents, '.5', 50],
    [sats, '0.00012000', 12],
    [sats, '1.54698000', 154698],
    [sats, '0.00000000', 0],
    [halves, '1.5', 3],
    [halves, '100', 200],
    [tens, '120', 12],
    [tens, '120.000', 12],
  ])('%s: %s -> %i units', (grid, s, units) => {
    expect(grid.toUnits(s)).toBe(units);
    expect(grid.toUnitsOrNaN(s)).toBe(units);
  });

  it.each([
    [cents, '61234.565', 'SPREADCORE_ERR_OFF_GRID'],
    [halves, '1.25', 'SPREADCORE_ERR_OFF_GRID'],
    [tens, '125', 'SPREADCORE_ERR_OFF_GRID'],
    [cents, 'NaN', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, 'Infinity', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, '1e5', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, '', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, ' 1.00', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, '1.0.0', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, '-', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, '0x10', 'SPREADCORE_ERR_BAD_DECIMAL'],
    [cents, '1234567890123456.7', 'SPREADCORE_ERR_OUT_OF_RANGE'], // beyond 15 significant digits
    [sats, '0.1234567890123456', 'SPREADCORE_ERR_OUT_OF_RANGE'],
  ])('%s refuses %j with %s', (grid, s, code) => {
    expect(grid.toUnitsOrNaN(s)).toBeNaN();
    try {
      grid.toUnits(s, 'price');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(SpreadcoreError);
      expect((e as SpreadcoreError).code).toBe(code);
      expect((e as Error).message).toContain('price');
    }
  });

  it('refuses non-strings with a coded error', () => {
    expect(() => cents.toUnits(12 as unknown as string)).toThrow(SpreadcoreError);
  });

  it('refuses invalid grid steps', () => {
    for (const s of ['0', '-0.01', 'abc', '', '1e-2']) expect(() => new DecimalGrid(s)).toThrow(SpreadcoreError);
  });

  it.each([
    [cents, 6123456, '61234.56'],
    [cents, 5, '0.05'],
    [cents, -3700, '-37.00'],
    [cents, 0, '0.00'],
    [sats, 154698, '1.54698'],
    [halves, 3, '1.5'],
    [tens, 12, '120'],
  ])('%s formats %i as %s', (grid, units, s) => {
    expect(grid.format(units)).toBe(s);
  });

  it('round-trips every integer on several grids', () => {
    fc.assert(fc.property(fc.constantFrom('0.01', '0.00001', '0.5', '0.1', '1', '25', '0.0025'),
      fc.integer({ min: -(2 ** 40), max: 2 ** 40 }), (step, units) => {
        const g = new DecimalGrid(step);
        expect(g.toUnits(g.format(units))).toBe(units);
      }), { numRuns: 2000 });
  });

  it('agrees with exact BigInt arithmetic on random decimal strings', () => {
    fc.assert(fc.property(fc.bigInt({ min: 0n, max: 10n ** 14n }), fc.integer({ min: 0, max: 8 }), (m, scale) => {
      const digits = m.toString().padStart(scale + 1, '0');
      const s = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
      // on the 10^-8 grid every such string is exactly m * 10^(8 - scale) units
      const g = new DecimalGrid('0.00000001');
      const expected = m * 10n ** BigInt(8 - scale);
      if (expected <= BigInt(Number.MAX_SAFE_INTEGER)) expect(g.toUnits(s)).toBe(Number(expected));
      else expect(g.toUnitsOrNaN(s)).toBeNaN();
    }), { numRuns: 2000 });
  });
});
