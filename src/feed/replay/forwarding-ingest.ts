// A FeedIngest that also forwards every call it gets to another FeedSink (a frame
// encoder, a test log). It lets a source that must run against an ingest (the
// Binance adapter reads the ingest's symbol state and books) drive any sink: the
// ingest keeps a shadow of the books, the sink receives exactly the calls.
//
// invalidate() (a source lost sync in its own terms, e.g. a Binance update-id gap)
// is not a FeedSink call. It is forwarded as what the protocol can express: a
// sequence gap — a zero-quantity level set whose seq skips one past the last seq
// forwarded for that symbol. A receiving ingest counts the gap, clears the book
// and keeps the symbol stale (reason "gap") until the next snapshot, as the
// shadow does (reason "invalidated").
import type { WasmBooks } from '../../wasm/book-api.js';
import { SIDE_BID, type FeedSink, type InstrumentDefinition, type SideCode } from '../feed-sink.js';
import { FeedIngest, MAX_SYMBOL_ID, type FeedIngestOptions } from '../ingest/feed-ingest.js';

export class ForwardingIngest extends FeedIngest {
  readonly downstream: FeedSink;
  /** Invalidations forwarded as sequence gaps. */
  gapsForwarded = 0;
  private readonly lastSeq = new Float64Array(MAX_SYMBOL_ID + 1).fill(-1);
  private readonly lastTs = new Float64Array(MAX_SYMBOL_ID + 1);

  constructor(downstream: FeedSink, books?: WasmBooks, options?: FeedIngestOptions) {
    super(books, options);
    this.downstream = downstream;
  }

  private seen(symbolId: number, seq: number, tsExchNs: number): void {
    if (symbolId >= 0 && symbolId <= MAX_SYMBOL_ID) {
      this.lastSeq[symbolId] = seq;
      this.lastTs[symbolId] = tsExchNs;
    }
  }

  override instrument(def: InstrumentDefinition): void {
    super.instrument(def);
    this.downstream.instrument(def);
  }

  override snapshot(symbolId: number, seq: number, tsExchNs: number, bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void {
    super.snapshot(symbolId, seq, tsExchNs, bids, nBids, asks, nAsks);
    this.seen(symbolId, seq, tsExchNs);
    this.downstream.snapshot(symbolId, seq, tsExchNs, bids, nBids, asks, nAsks);
  }

  override levelSet(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, qtyLot: number): void {
    super.levelSet(symbolId, seq, tsExchNs, side, tick, qtyLot);
    this.seen(symbolId, seq, tsExchNs);
    this.downstream.levelSet(symbolId, seq, tsExchNs, side, tick, qtyLot);
  }

  /** Level by level, so that the sink gets every levelSet call. */
  override levelSetRun(symbolId: number, firstSeq: number, tsExchNs: number, pairs: Float64Array, nBids: number, n: number): void {
    for (let i = 0; i < n; i++) this.levelSet(symbolId, firstSeq + i, tsExchNs, i < nBids ? 0 : 1, pairs[2 * i]!, pairs[2 * i + 1]!);
  }

  override levelChange(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, deltaLot: number): void {
    super.levelChange(symbolId, seq, tsExchNs, side, tick, deltaLot);
    this.seen(symbolId, seq, tsExchNs);
    this.downstream.levelChange(symbolId, seq, tsExchNs, side, tick, deltaLot);
  }

  override trade(symbolId: number, seq: number, tsExchNs: number, aggressorSide: SideCode, tick: number, qtyLot: number, tradeId: number): void {
    super.trade(symbolId, seq, tsExchNs, aggressorSide, tick, qtyLot, tradeId);
    this.seen(symbolId, seq, tsExchNs);
    this.downstream.trade(symbolId, seq, tsExchNs, aggressorSide, tick, qtyLot, tradeId);
  }

  override heartbeat(tsExchNs: number): void {
    super.heartbeat(tsExchNs);
    this.downstream.heartbeat(tsExchNs);
  }

  override endOfBatch(sendTsNs: number): void {
    super.endOfBatch(sendTsNs);
    this.downstream.endOfBatch(sendTsNs);
  }

  override invalidate(symbolId: number): void {
    super.invalidate(symbolId);
    if (this.symbolState(symbolId) === undefined) return;
    const last = this.lastSeq[symbolId]!;
    if (last < 0) return; // nothing sent yet: the receiver has no book to drop
    const seq = last + 2;
    this.lastSeq[symbolId] = seq;
    this.gapsForwarded++;
    this.downstream.levelSet(symbolId, seq, this.lastTs[symbolId]!, SIDE_BID, 0, 0);
  }
}
