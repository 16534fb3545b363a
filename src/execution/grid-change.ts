// Prices and quantities of orders sent on one grid, in units of another: the venue changed a
// symbol's tick or step (the instrument was redefined) while orders sent on the old grid are
// still open, their cancels on the way. Until they close they count as exposure, and a late
// fill of one is reported in the new units, so what the order manager and the risk gate hold
// of them is converted too. Exact when the decimal lies on the new grid; otherwise a price
// goes to the nearest tick, and a working quantity up to the next whole lot (exposure is never
// understated) while a filled quantity goes down.
import type { DecimalGrid } from '../numeric/decimal-grid.js';
import type { Instrument } from '../orderbook/instrument.js';

/**
 * The nearest whole unit of `grid` to a venue's decimal that is not on it (a fill's price or
 * quantity of an order sent before the venue changed the grid); NaN for text that is not a number.
 */
export function nearestUnits(grid: DecimalGrid, text: string): number {
  return Math.round(Number(text) / Number(grid.step));
}

export interface GridChange {
  /** Old tick size / new tick size: a price level (a mid) in new ticks is old ticks × this. */
  readonly tickScale: number;
  /** Old lot size / new lot size: a volume in new lots is old lots × this. */
  readonly lotScale: number;
  /** A limit price in ticks of the new grid (±Infinity and NaN unchanged). */
  tick(priceTick: number): number;
  /** A working quantity in lots of the new grid, rounded up when it is off it. */
  lotUp(qtyLot: number): number;
  /** A filled quantity in lots of the new grid, rounded down when it is off it. */
  lotDown(qtyLot: number): number;
}

export function gridChange(from: Instrument, to: Instrument): GridChange {
  const tickRatio = Number(from.tickSize) / Number(to.tickSize);
  const lotRatio = Number(from.lotSize) / Number(to.lotSize);
  const lots = (qtyLot: number, round: (x: number) => number): number => {
    if (qtyLot === 0 || !Number.isFinite(qtyLot)) return qtyLot;
    const exact = to.qty.toUnitsOrNaN(from.qty.format(qtyLot));
    // 1e-9 absorbs the binary error of the ratio, never a real fraction of a lot
    return Number.isNaN(exact) ? round(qtyLot * lotRatio + (round === Math.ceil ? -1e-9 : 1e-9)) : exact;
  };
  return {
    tickScale: tickRatio, lotScale: lotRatio,
    tick(priceTick) {
      if (!Number.isFinite(priceTick)) return priceTick;
      const exact = to.price.toUnitsOrNaN(from.price.format(priceTick));
      return Number.isNaN(exact) ? Math.round(priceTick * tickRatio) : exact;
    },
    lotUp: (q) => lots(q, Math.ceil),
    lotDown: (q) => lots(q, Math.floor),
  };
}
