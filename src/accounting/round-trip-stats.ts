// Round trips, counted on matched quantity with FIFO lots: every fill that adds to
// the position (or opens it) is an open lot; a fill that reduces it is matched
// against the oldest lots first, and each (lot, closing fill) match is one round
// trip of the matched quantity, held from the lot's fill to the closing fill. Its
// profit is the closing fill's net profit per unit closed (the per-fill
// round_trip_profit of seed 000: price P&L against the average entry minus both
// legs' fees, TradeSplit.closedNet) times the matched quantity, so the round trips'
// profits add up to the realized P&L net of the fees of the closed quantity. A buy
// of 2 then two sells of 1 are two round trips; a buy of 1 then a sell of 2 is one
// round trip and an open lot of 1 short.
//
// Flat to flat (kept for time in position and the per-trade closedRoundTripProfit):
// a cycle opens when the position leaves zero and closes when it
// returns to zero or crosses through it (a crossing trade closes one round trip and
// opens the next at the same time). Its profit is the sum of the net profits of the
// quantity closed inside it (price P&L minus the fees of both legs of that
// quantity), so a closed round trip's profit is its realized P&L minus every fee
// paid inside it. Because crossing trades reopen at once, the time spent in round
// trips is exactly the time the position was non-zero.
import { Decimal, ZERO } from './decimal.js';
import type { TradeSplit } from './average-cost-position.js';

/** An open FIFO lot: quantity not yet matched (unsigned, on the position's side) and when it was filled. */
export interface OpenLot { qty: Decimal; tNs: bigint }

export interface RoundTripState {
  /** FIFO matches (round trips) closed. */
  matches: number;
  /** Σ matched quantity. */
  matchedQty: Decimal;
  /** Matches whose profit was > 0. */
  matchWinners: number;
  /** Σ profit of the matches. */
  matchNet: Decimal;
  /** Σ holding time of the matches (close − lot open), ns. */
  matchNs: bigint;
  /** Open lots, oldest first (all on the side of the position). */
  lots: OpenLot[];
  /** Flat-to-flat cycles closed. */
  closed: number;
  /** Closed round trips whose profit was > 0. */
  winners: number;
  /** Σ profit of closed round trips. */
  closedNet: Decimal;
  /** Σ duration of closed round trips, ns. */
  closedNs: bigint;
  /** Start of the open round trip, or null when flat. */
  openSinceNs: bigint | null;
  /** Profit accumulated so far by the open round trip. */
  openNet: Decimal;
}

export function emptyRoundTrips(): RoundTripState {
  return {
    matches: 0, matchedQty: ZERO, matchWinners: 0, matchNet: ZERO, matchNs: 0n, lots: [],
    closed: 0, winners: 0, closedNet: ZERO, closedNs: 0n, openSinceNs: null, openNet: ZERO,
  };
}

/** FIFO matching of one trade's split: the closed quantity against the oldest lots, then the opened quantity as a new lot. */
function matchFifo(s: RoundTripState, split: TradeSplit, tNs: bigint): void {
  const closed = split.closedQty;
  if (!closed.isZero()) {
    const perUnit = split.closedNet.div(closed);
    let left = closed;
    while (left.gt(0) && s.lots.length > 0) {
      const lot = s.lots[0]!;
      const q = Decimal.min(lot.qty, left);
      const profit = perUnit.times(q);
      s.matches++;
      s.matchedQty = s.matchedQty.plus(q);
      s.matchNet = s.matchNet.plus(profit);
      if (profit.gt(0)) s.matchWinners++;
      s.matchNs += tNs - lot.tNs;
      left = left.minus(q);
      lot.qty = lot.qty.minus(q);
      if (lot.qty.isZero()) s.lots.shift();
    }
  }
  // adding to the position, or the part of a crossing fill beyond flat (its closing part used up every lot)
  if (split.openedQty.gt(0)) s.lots.push({ qty: split.openedQty, tNs });
}

/**
 * Feeds one trade's split at time `tNs`. Returns the profit of the round trip the
 * trade closed, or null when it closed none.
 */
export function onTradeSplit(s: RoundTripState, split: TradeSplit, tNs: bigint): Decimal | null {
  matchFifo(s, split, tNs);
  let closedProfit: Decimal | null = null;
  if (!split.closedQty.isZero()) {
    s.openNet = s.openNet.plus(split.closedNet);
    if (split.flattened) {
      closedProfit = s.openNet;
      s.closed++;
      if (s.openNet.gt(0)) s.winners++;
      s.closedNet = s.closedNet.plus(s.openNet);
      if (s.openSinceNs !== null) s.closedNs += tNs - s.openSinceNs;
      s.openSinceNs = null;
      s.openNet = ZERO;
    }
  }
  if (split.opened) {
    s.openSinceNs = tNs;
    s.openNet = ZERO;
  }
  return closedProfit;
}

/** Time the position has been non-zero up to `nowNs`, ns. */
export function timeInPositionNs(s: RoundTripState, nowNs: bigint): bigint {
  return s.closedNs + (s.openSinceNs === null ? 0n : nowNs - s.openSinceNs);
}

export interface RoundTripJson {
  /** FIFO fields (absent in snapshots written before they existed). */
  matches?: number; matchedQty?: string; matchWinners?: number; matchNet?: string; matchNs?: string;
  lots?: { qty: string; tNs: string }[];
  closed: number; winners: number; closedNet: string; closedNs: string; openSinceNs: string | null; openNet: string }

export function encodeRoundTrips(s: RoundTripState): RoundTripJson {
  return {
    matches: s.matches,
    matchedQty: s.matchedQty.toString(),
    matchWinners: s.matchWinners,
    matchNet: s.matchNet.toString(),
    matchNs: s.matchNs.toString(),
    lots: s.lots.map((l) => ({ qty: l.qty.toString(), tNs: l.tNs.toString() })),
    closed: s.closed,
    winners: s.winners,
    closedNet: s.closedNet.toString(),
    closedNs: s.closedNs.toString(),
    openSinceNs: s.openSinceNs === null ? null : s.openSinceNs.toString(),
    openNet: s.openNet.toString(),
  };
}

/**
 * position: the open position's size (unsigned) when the snapshot predates FIFO lots:
 * it becomes one lot opened when the flat-to-flat cycle opened.
 */
export function decodeRoundTrips(j: RoundTripJson, position: Decimal = ZERO): RoundTripState {
  const old = j.lots === undefined;
  const lots: OpenLot[] = old
    ? (position.isZero() ? [] : [{ qty: position.abs(), tNs: j.openSinceNs === null ? 0n : BigInt(j.openSinceNs) }])
    : j.lots!.map((l) => ({ qty: new Decimal(l.qty), tNs: BigInt(l.tNs) }));
  return {
    matches: old ? j.closed : j.matches ?? 0,
    matchedQty: new Decimal(j.matchedQty ?? '0'),
    matchWinners: old ? j.winners : j.matchWinners ?? 0,
    matchNet: new Decimal(old ? j.closedNet : j.matchNet ?? '0'),
    matchNs: BigInt(old ? j.closedNs : j.matchNs ?? '0'),
    lots,
    closed: j.closed,
    winners: j.winners,
    closedNet: new Decimal(j.closedNet),
    closedNs: BigInt(j.closedNs),
    openSinceNs: j.openSinceNs === null ? null : BigInt(j.openSinceNs),
    openNet: new Decimal(j.openNet),
  };
}
