// A signed position under the average-cost method: one trade at a time, split
// into the part that closes existing quantity and the part that opens new
// quantity (a trade that crosses through zero has both).
//
// The open quantity is carried as sums, not averages, so nothing is lost to
// rounding when a position is closed in full:
//   openCost      Σ signed qty × price of the open quantity (buys +, sells −)
//   openEntryFees fees of the opening trades not yet charged to a closing trade
//   openUnitNs    Σ qty × time of the open quantity (for holding time per unit)
// Closing q out of |P| takes the share q/|P| of each sum (rounded to DIV_DP
// decimal places; the whole remainder when q = |P|), so realized + unrealized
// always equals the cash-flow P&L exactly and the average entry (openCost / P)
// only rounds when it is displayed.
import { Decimal, ZERO, share } from './decimal.js';

export interface AverageCostState {
  /** Signed position: positive long, negative short. */
  qty: Decimal;
  openCost: Decimal;
  openEntryFees: Decimal;
  openUnitNs: Decimal;
}

/** What one trade did; fields are zero when the trade had no closing (or opening) part. */
export interface TradeSplit {
  closedQty: Decimal;
  openedQty: Decimal;
  /** Price P&L of the closed quantity against its average entry, before any fee. */
  realizedGross: Decimal;
  /** Closed quantity × its average entry price (unsigned): what the closed quantity cost. */
  closedEntryNotional: Decimal;
  /** The closing part's share of this trade's fee (pro rata by quantity). */
  closingFee: Decimal;
  /** The entry fees of the closed quantity (charged when it was opened). */
  entryFees: Decimal;
  /** Σ qty × time held of the closed quantity, in unit·ns. */
  heldUnitNs: Decimal;
  /** realizedGross − closingFee − entryFees: the closed quantity's profit net of both legs' fees. */
  closedNet: Decimal;
  /** The position was non-zero before and the closing part took it to zero. */
  flattened: boolean;
  /** The position was zero (before, or after the closing part) and the opening part made it non-zero. */
  opened: boolean;
}

export function emptyAverageCost(): AverageCostState {
  return { qty: ZERO, openCost: ZERO, openEntryFees: ZERO, openUnitNs: ZERO };
}

/**
 * Applies one trade: side +1 buys, −1 sells; qty > 0; fee signed (negative for a
 * rebate); timeNs the trade's time in ns. Mutates `state`.
 */
export function applyTrade(state: AverageCostState, side: 1 | -1, qty: Decimal, price: Decimal, fee: Decimal, timeNs: Decimal): TradeSplit {
  const pos = state.qty;
  const posSign = pos.isZero() ? 0 : pos.isPositive() ? 1 : -1;
  let closedQty = ZERO;
  if (posSign !== 0 && posSign !== side) {
    const held = pos.abs();
    closedQty = qty.lte(held) ? qty : held;
  }
  const openedQty = closedQty.isZero() ? qty : qty.minus(closedQty);

  let realizedGross = ZERO;
  let closedEntryNotional = ZERO;
  let closingFee = ZERO;
  let entryFees = ZERO;
  let heldUnitNs = ZERO;
  let flattened = false;
  if (!closedQty.isZero()) {
    const held = pos.abs();
    const whole = closedQty.eq(held);
    const costPart = whole ? state.openCost : share(state.openCost, closedQty, held);
    entryFees = whole ? state.openEntryFees : share(state.openEntryFees, closedQty, held);
    const unitNsPart = whole ? state.openUnitNs : share(state.openUnitNs, closedQty, held);
    closingFee = openedQty.isZero() ? fee : share(fee, closedQty, qty);
    // Selling closes a long (+q·price in), buying closes a short (−q·price out).
    realizedGross = closedQty.times(price).times(-side).minus(costPart);
    closedEntryNotional = costPart.abs();
    heldUnitNs = closedQty.times(timeNs).minus(unitNsPart);
    if (whole) {
      state.qty = ZERO;
      state.openCost = ZERO;
      state.openEntryFees = ZERO;
      state.openUnitNs = ZERO;
      flattened = true;
    } else {
      state.qty = side === 1 ? pos.plus(closedQty) : pos.minus(closedQty);
      state.openCost = state.openCost.minus(costPart);
      state.openEntryFees = state.openEntryFees.minus(entryFees);
      state.openUnitNs = state.openUnitNs.minus(unitNsPart);
    }
  }

  let opened = false;
  if (!openedQty.isZero()) {
    opened = state.qty.isZero();
    const openingFee = closedQty.isZero() ? fee : fee.minus(closingFee);
    const signedQty = side === 1 ? openedQty : openedQty.neg();
    state.qty = state.qty.plus(signedQty);
    state.openCost = state.openCost.plus(signedQty.times(price));
    state.openEntryFees = state.openEntryFees.plus(openingFee);
    state.openUnitNs = state.openUnitNs.plus(openedQty.times(timeNs));
  }

  return {
    closedQty,
    openedQty,
    realizedGross,
    closedEntryNotional,
    closingFee,
    entryFees,
    heldUnitNs,
    closedNet: realizedGross.minus(closingFee).minus(entryFees),
    flattened,
    opened,
  };
}

/** Average entry price of the open position (openCost / qty); null when flat. */
export function averageEntry(state: AverageCostState): Decimal | null {
  return state.qty.isZero() ? null : state.openCost.div(state.qty);
}

/** Unrealized P&L of the open position at `mark`: qty × mark − openCost. */
export function unrealizedAt(state: AverageCostState, mark: Decimal): Decimal {
  return state.qty.isZero() ? ZERO : state.qty.times(mark).minus(state.openCost);
}

export interface AverageCostJson { qty: string; openCost: string; openEntryFees: string; openUnitNs: string }

export function encodeAverageCost(s: AverageCostState): AverageCostJson {
  return { qty: s.qty.toString(), openCost: s.openCost.toString(), openEntryFees: s.openEntryFees.toString(), openUnitNs: s.openUnitNs.toString() };
}

export function decodeAverageCost(j: AverageCostJson): AverageCostState {
  return { qty: new Decimal(j.qty), openCost: new Decimal(j.openCost), openEntryFees: new Decimal(j.openEntryFees), openUnitNs: new Decimal(j.openUnitNs) };
}
