// A funding payment of a perpetual position, as a ledger sees it: a cash flow in the
// quote currency that changes realized P&L and leaves the position and its average
// entry as they are. Positive: received; negative: paid. One venue payment may be
// split between several accounts holding the symbol (each share is one record).

export interface FundingRecord {
  /** Unique per venue payment and account (e.g. `BTCUSDT:<tranId>`). */
  readonly fundingId: string;
  readonly strategyId: string | null;
  readonly symbol: string;
  /** Plain decimal string, quote currency; positive received, negative paid. */
  readonly fundingQuote: string;
  /** The venue's funding time, Unix epoch ns. */
  readonly tsEventNs: bigint;
}
