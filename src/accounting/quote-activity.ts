// Quoting activity that the ledger is told about rather than derives from fills:
// counters (orders placed and cancelled, quote updates, volatility pauses,
// adverse-selection events) and the time the strategy's quote sat at the best bid
// or best ask. Each mark says whether the strategy's bid / ask was at the best at
// that moment; the state holds until the next mark, so the interval [mark, next
// mark) is credited to the state of the first one. Time observed runs from the
// first mark to the last.
import { SpreadcoreError } from '../errors.js';

export const ACTIVITY_COUNTERS = ['orders_placed', 'orders_cancelled', 'quote_updates', 'volatility_pauses', 'adverse_selection_events'] as const;
export type ActivityCounter = (typeof ACTIVITY_COUNTERS)[number];

export interface QuoteActivityState {
  counters: Record<ActivityCounter, number>;
  firstMarkNs: bigint | null;
  lastMarkNs: bigint | null;
  atBestBid: boolean;
  atBestAsk: boolean;
  bestBidNs: bigint;
  bestAskNs: bigint;
}

export function emptyQuoteActivity(): QuoteActivityState {
  return {
    counters: { orders_placed: 0, orders_cancelled: 0, quote_updates: 0, volatility_pauses: 0, adverse_selection_events: 0 },
    firstMarkNs: null,
    lastMarkNs: null,
    atBestBid: false,
    atBestAsk: false,
    bestBidNs: 0n,
    bestAskNs: 0n,
  };
}

export function addCount(s: QuoteActivityState, counter: ActivityCounter, n: number): void {
  if (!(ACTIVITY_COUNTERS as readonly string[]).includes(counter)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `unknown counter ${JSON.stringify(counter)}`);
  }
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `a count must be a non-negative integer, got ${n}`);
  }
  s.counters[counter] += n;
}

/** A mark at time `tNs` (non-decreasing) with the strategy's quote state from then on. */
export function onActivityMark(s: QuoteActivityState, tNs: bigint, atBestBid: boolean, atBestAsk: boolean): void {
  if (s.lastMarkNs === null) {
    s.firstMarkNs = tNs;
  } else {
    const dt = tNs - s.lastMarkNs;
    if (s.atBestBid) s.bestBidNs += dt;
    if (s.atBestAsk) s.bestAskNs += dt;
  }
  s.lastMarkNs = tNs;
  s.atBestBid = atBestBid;
  s.atBestAsk = atBestAsk;
}

/** Time observed through marks (first mark to last), ns. */
export function observedNs(s: QuoteActivityState): bigint {
  return s.firstMarkNs === null || s.lastMarkNs === null ? 0n : s.lastMarkNs - s.firstMarkNs;
}

export interface QuoteActivityJson {
  counters: Record<ActivityCounter, number>;
  firstMarkNs: string | null;
  lastMarkNs: string | null;
  atBestBid: boolean;
  atBestAsk: boolean;
  bestBidNs: string;
  bestAskNs: string;
}

export function encodeQuoteActivity(s: QuoteActivityState): QuoteActivityJson {
  return {
    counters: { ...s.counters },
    firstMarkNs: s.firstMarkNs === null ? null : s.firstMarkNs.toString(),
    lastMarkNs: s.lastMarkNs === null ? null : s.lastMarkNs.toString(),
    atBestBid: s.atBestBid,
    atBestAsk: s.atBestAsk,
    bestBidNs: s.bestBidNs.toString(),
    bestAskNs: s.bestAskNs.toString(),
  };
}

export function decodeQuoteActivity(j: QuoteActivityJson): QuoteActivityState {
  return {
    counters: { ...j.counters },
    firstMarkNs: j.firstMarkNs === null ? null : BigInt(j.firstMarkNs),
    lastMarkNs: j.lastMarkNs === null ? null : BigInt(j.lastMarkNs),
    atBestBid: j.atBestBid,
    atBestAsk: j.atBestAsk,
    bestBidNs: BigInt(j.bestBidNs),
    bestAskNs: BigInt(j.bestAskNs),
  };
}
