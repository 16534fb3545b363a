// What a ledger is fed. A ledger is a pure function of the sequence of these
// events: replaying the same sequence (from the journal) gives the same state.
import type { FillRecord } from '../trading/types.js';
import type { FundingRecord } from './funding-record.js';
import type { ActivityCounter } from './quote-activity.js';

/** A mark: the mid at a moment, and whether the strategy's quote was at the best bid / ask from then on. */
export interface MarkEvent {
  readonly tsNs: bigint;
  /** Mid price, plain decimal string. Unrealized P&L, equity and markouts use it. */
  readonly mid: string;
  readonly atBestBid?: boolean;
  readonly atBestAsk?: boolean;
}

export type LedgerEvent =
  | { readonly kind: 'fill'; readonly fill: FillRecord }
  | { readonly kind: 'mark'; readonly mark: MarkEvent }
  | { readonly kind: 'count'; readonly counter: ActivityCounter; readonly n: number }
  /** Closes the whole position at `price` without a fill (contract resolution, expiry). */
  | { readonly kind: 'settle'; readonly tsNs: bigint; readonly price: string }
  /** A funding payment: realized P&L without a trade (the position and its average entry stay). */
  | { readonly kind: 'funding'; readonly funding: FundingRecord };
