// The one shape every market-data source speaks. A source (binary feed decoder,
// simulator, recording replay, Binance adapter) *drives* a FeedSink; consumers
// (the ingest engine that updates the WASM books, the binary encoder that writes
// frames, a collecting sink in tests) *implement* it. Calls carry plain numbers
// only, so a source → sink path allocates nothing per event.
//
// Units: prices in integer ticks, quantities in integer lots (of the instrument's
// grids), as f64 holding exact integers. Timestamps are nanoseconds as f64:
//  - exchange timestamps (tsExchNs) are Unix epoch ns (f64 keeps them to 256 ns);
//  - send timestamps (sendTsNs) are the sender's CLOCK_MONOTONIC ns
//    (process.hrtime.bigint()), exact in f64, so a receiver on the same host can
//    measure one-way latency precisely.
// seq is the per-symbol sequence number: each message for a symbol carries the
// previous one's seq + 1; a jump is a gap.

export const SIDE_BID = 0;
export const SIDE_ASK = 1;
export type SideCode = 0 | 1;

export type InstrumentKind = 'spot' | 'perp' | 'binary';

export interface InstrumentDefinition {
  /** Per-feed numeric id used by every other message for this symbol (0..65535). */
  readonly symbolId: number;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  /** Decimal strings, e.g. "0.01". */
  readonly tickSize: string;
  readonly lotSize: string;
  /** Binary contracts: resolution time, Unix epoch ns; 0 otherwise. */
  readonly resolutionTsNs: number;
}

export interface FeedSink {
  /** Declares (or re-declares) a symbol. Comes before any other message for symbolId. */
  instrument(def: InstrumentDefinition): void;
  /**
   * Replaces a symbol's whole book. Levels are (tick, lots) pairs: bids[2i] = tick,
   * bids[2i+1] = lots, best first; nBids/nAsks pairs are valid.
   */
  snapshot(symbolId: number, seq: number, tsExchNs: number,
    bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void;
  /** Absolute quantity at a price level (0 removes). */
  levelSet(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, qtyLot: number): void;
  /** Signed quantity change at a price level (LOBSTER/ITCH style). */
  levelChange(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, deltaLot: number): void;
  /** A trade; aggressorSide is the side of the taker (SIDE_BID = buyer lifted the ask). */
  trade(symbolId: number, seq: number, tsExchNs: number, aggressorSide: SideCode, tick: number, qtyLot: number, tradeId: number): void;
  /** Liveness when nothing else is sent. */
  heartbeat(tsExchNs: number): void;
  /**
   * A binary contract resolved: YES pays 1 and NO 0 ('yes'), or the reverse ('no'). Nothing
   * trades on the symbol afterwards. Optional: sinks that keep no positions ignore it.
   */
  settle?(symbolId: number, tsExchNs: number, outcome: 'yes' | 'no'): void;
  /**
   * The end of a batch of messages that belong together (one exchange event, one
   * frame): books are consistent here, and this is where quoting decisions run.
   * sendTsNs is the sender's monotonic clock when the batch left it (0 if unknown).
   */
  endOfBatch(sendTsNs: number): void;
}
