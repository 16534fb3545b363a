// Orders sent on one grid, in units of another (src/execution/grid-change.ts): exact when the
// decimal lies on the new grid; otherwise a price to the nearest tick, a working quantity up to
// whole lots (exposure is never under-counted) and a filled quantity down.
import { describe, expect, it } from 'vitest';
import { gridChange } from '../src/execution/grid-change.js';
import { Instrument } from '../src/orderbook/instrument.js';

const inst = (tickSize: string, lotSize: string): Instrument => new Instrument({ symbol: 'BTCUSDT', tickSize, lotSize });

describe('gridChange', () => {
  it('to a finer grid: every price and quantity exactly', () => {
    const c = gridChange(inst('0.1', '0.001'), inst('0.01', '0.0001'));
    expect(c.tick(600_001)).toBe(6_000_010); // 60000.1
    expect(c.lotUp(3)).toBe(30);
    expect(c.lotDown(3)).toBe(30);
    expect([c.tickScale, c.lotScale]).toEqual([10, 10]);
  });

  it('to a coarser grid: prices to the nearest tick, working lots up, filled lots down', () => {
    const c = gridChange(inst('0.01', '0.0001'), inst('0.1', '0.001'));
    expect(c.tick(6_000_010)).toBe(600_001); // on the new grid: exact
    expect(c.tick(6_000_014)).toBe(600_001); // 60000.14 → 60000.1
    expect(c.tick(6_000_016)).toBe(600_002); // 60000.16 → 60000.2
    expect(c.lotUp(30)).toBe(3);
    expect(c.lotUp(25)).toBe(3); // 0.0025 works as 0.003
    expect(c.lotDown(25)).toBe(2); // 0.0025 filled counts as 0.002
    expect(c.lotUp(1)).toBe(1);
    expect(c.lotDown(1)).toBe(0);
  });

  it('leaves what is not a number of units alone', () => {
    const c = gridChange(inst('0.01', '0.001'), inst('0.1', '0.01'));
    expect(c.tick(Infinity)).toBe(Infinity); // a MARKET buy in the risk gate
    expect(c.tick(-Infinity)).toBe(-Infinity);
    expect(c.tick(Number.NaN)).toBeNaN();
    expect(c.lotUp(0)).toBe(0);
    expect(c.lotDown(0)).toBe(0);
  });
});
