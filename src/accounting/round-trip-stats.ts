// Round trips: a round trip opens when the position leaves zero and closes when it
// returns to zero or crosses through it (a crossing trade closes one round trip and
// opens the next at the same time). Its profit is the sum of the net profits of the
// quantity closed inside it (price P&L minus the fees of both legs of that
// quantity), so a closed round trip's profit is its realized P&L minus every fee
// paid inside it. Because crossing trades reopen at once, the time spent in round
// trips is exactly the time the position was non-zero.
import { Decimal, ZERO } from './decimal.js';
import type { TradeSplit } from './average-cost-position.js';

export interface RoundTripState {
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
  return { closed: 0, winners: 0, closedNet: ZERO, closedNs: 0n, openSinceNs: null, openNet: ZERO };
}

/**
 * Feeds one trade's split at time `tNs`. Returns the profit of the round trip the
 * trade closed, or null when it closed none.
 */
export function onTradeSplit(s: RoundTripState, split: TradeSplit, tNs: bigint): Decimal | null {
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

export interface RoundTripJson { closed: number; winners: number; closedNet: string; closedNs: string; openSinceNs: string | null; openNet: string }

export function encodeRoundTrips(s: RoundTripState): RoundTripJson {
  return {
    closed: s.closed,
    winners: s.winners,
    closedNet: s.closedNet.toString(),
    closedNs: s.closedNs.toString(),
    openSinceNs: s.openSinceNs === null ? null : s.openSinceNs.toString(),
    openNet: s.openNet.toString(),
  };
}

export function decodeRoundTrips(j: RoundTripJson): RoundTripState {
  return {
    closed: j.closed,
    winners: j.winners,
    closedNet: new Decimal(j.closedNet),
    closedNs: BigInt(j.closedNs),
    openSinceNs: j.openSinceNs === null ? null : BigInt(j.openSinceNs),
    openNet: new Decimal(j.openNet),
  };
}
