// Applies the simulator's book changes to its mirror (two SimBookSides) and emits the
// same changes to a FeedSink with the symbol's sequence numbers: levelChange for adds,
// cancels and executions, trade for each level a market order consumes, snapshot on
// demand, endOfBatch after each exchange event. Counts what it emitted.
import { SIDE_ASK, SIDE_BID, type FeedSink, type SideCode } from '../feed-sink.js';
import { SimBookSide } from './sim-book-side.js';

const NULL_SINK: FeedSink = {
  instrument() {}, snapshot() {}, levelSet() {}, levelChange() {}, trade() {}, heartbeat() {}, endOfBatch() {},
};

export interface BookWriterCounters {
  batches: number;
  levelUpdates: number;
  trades: number;
  tradedLots: number;
  snapshots: number;
}

export class BookWriter {
  readonly symbolId: number;
  readonly bids: SimBookSide;
  readonly asks: SimBookSide;
  /** Where messages go (set by the simulator for each advance). */
  sink: FeedSink = NULL_SINK;
  /** Exchange timestamp of the messages being emitted, Unix epoch ns. */
  tsNs = 0;
  /** Last sequence number used. */
  seq = 0;
  /** Last trade id used. */
  tradeId = 0;
  readonly counters: BookWriterCounters = { batches: 0, levelUpdates: 0, trades: 0, tradedLots: 0, snapshots: 0 };
  private readonly snapBids: Float64Array;
  private readonly snapAsks: Float64Array;

  constructor(symbolId: number, capacityPerSide: number) {
    this.symbolId = symbolId;
    this.bids = new SimBookSide(SIDE_BID, capacityPerSide);
    this.asks = new SimBookSide(SIDE_ASK, capacityPerSide);
    this.snapBids = new Float64Array(2 * capacityPerSide);
    this.snapAsks = new Float64Array(2 * capacityPerSide);
  }

  sideOf(side: SideCode): SimBookSide { return side === SIDE_BID ? this.bids : this.asks; }

  /** Adds lots at tick on a side and emits it; false (nothing emitted) when the side is full. */
  add(side: SideCode, tick: number, lots: number): boolean {
    if (!this.sideOf(side).add(tick, lots)) return false;
    this.sink.levelChange(this.symbolId, ++this.seq, this.tsNs, side, tick, lots);
    this.counters.levelUpdates++;
    return true;
  }

  /** Cancels lots (<= the level's lots) at level index i. */
  cancelAt(side: SideCode, i: number, lots: number): void {
    const s = this.sideOf(side);
    const tick = s.ticks[i]!;
    s.reduceAt(i, lots);
    this.sink.levelChange(this.symbolId, ++this.seq, this.tsNs, side, tick, -lots);
    this.counters.levelUpdates++;
  }

  /** An execution of lots (<= the level's lots) at level index i of the resting side: a trade, then the depletion. */
  executeAt(restingSide: SideCode, i: number, lots: number): void {
    const s = this.sideOf(restingSide);
    const tick = s.ticks[i]!;
    const aggressor: SideCode = restingSide === SIDE_BID ? SIDE_ASK : SIDE_BID;
    this.sink.trade(this.symbolId, ++this.seq, this.tsNs, aggressor, tick, lots, ++this.tradeId);
    s.reduceAt(i, lots);
    this.sink.levelChange(this.symbolId, ++this.seq, this.tsNs, restingSide, tick, -lots);
    this.counters.trades++;
    this.counters.tradedLots += lots;
    this.counters.levelUpdates++;
  }

  /** The whole book as one snapshot message. */
  snapshot(): void {
    const nb = this.fill(this.bids, this.snapBids);
    const na = this.fill(this.asks, this.snapAsks);
    this.sink.snapshot(this.symbolId, ++this.seq, this.tsNs, this.snapBids, nb, this.snapAsks, na);
    this.counters.snapshots++;
  }

  endBatch(): void {
    this.sink.endOfBatch(0);
    this.counters.batches++;
  }

  private fill(side: SimBookSide, out: Float64Array): number {
    for (let i = 0; i < side.n; i++) {
      out[2 * i] = side.ticks[i]!;
      out[2 * i + 1] = side.lots[i]!;
    }
    return side.n;
  }
}
