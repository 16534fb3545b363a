// A fill's price and quantity in units of an instrument other than the one its order was sent
// on: the venue changed the symbol's tick or step, the instrument was redefined, and an order
// sent on the old grid filled before its cancel took effect. The venue's decimal strings are
// converted exactly when they lie on the instrument's grid; otherwise (an old-grid price under a
// coarser tick) to the nearest whole tick / lot, since the engine's prices and quantities are
// whole numbers of them, and `exact` is false.
import { nearestUnits } from '../../execution/grid-change.js';
import type { Instrument } from '../../orderbook/instrument.js';

export interface FillUnits { readonly ticks: number; readonly lots: number; readonly exact: boolean }

export function fillUnits(inst: Instrument, price: string, qty: string): FillUnits {
  let ticks = inst.price.toUnitsOrNaN(price);
  let lots = inst.qty.toUnitsOrNaN(qty);
  const exact = !Number.isNaN(ticks) && !Number.isNaN(lots);
  if (Number.isNaN(ticks)) ticks = nearestUnits(inst.price, price);
  if (Number.isNaN(lots)) lots = nearestUnits(inst.qty, qty);
  return { ticks, lots, exact };
}
