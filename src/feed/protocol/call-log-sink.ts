// A FeedSink that records every call as a plain tuple (snapshot levels copied):
// for comparing what two sources produce, in tests and tools. Allocates per call.
import type { FeedSink, InstrumentDefinition, SideCode } from '../feed-sink.js';

export type SinkCall =
  | ['instrument', InstrumentDefinition]
  | ['snapshot', number, number, number, number[], number[]]
  | ['levelSet', number, number, number, number, number, number]
  | ['levelChange', number, number, number, number, number, number]
  | ['trade', number, number, number, number, number, number, number]
  | ['heartbeat', number]
  | ['endOfBatch', number];

export class CallLogSink implements FeedSink {
  readonly calls: SinkCall[] = [];

  instrument(def: InstrumentDefinition): void {
    this.calls.push(['instrument', { ...def }]);
  }
  snapshot(symbolId: number, seq: number, tsExchNs: number, bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void {
    this.calls.push(['snapshot', symbolId, seq, tsExchNs, Array.from(bids.subarray(0, 2 * nBids)), Array.from(asks.subarray(0, 2 * nAsks))]);
  }
  levelSet(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, qtyLot: number): void {
    this.calls.push(['levelSet', symbolId, seq, tsExchNs, side, tick, qtyLot]);
  }
  levelChange(symbolId: number, seq: number, tsExchNs: number, side: SideCode, tick: number, deltaLot: number): void {
    this.calls.push(['levelChange', symbolId, seq, tsExchNs, side, tick, deltaLot]);
  }
  trade(symbolId: number, seq: number, tsExchNs: number, aggressorSide: SideCode, tick: number, qtyLot: number, tradeId: number): void {
    this.calls.push(['trade', symbolId, seq, tsExchNs, aggressorSide, tick, qtyLot, tradeId]);
  }
  heartbeat(tsExchNs: number): void {
    this.calls.push(['heartbeat', tsExchNs]);
  }
  endOfBatch(sendTsNs: number): void {
    this.calls.push(['endOfBatch', sendTsNs]);
  }

  /** Replays the recorded calls into another sink. */
  replay(sink: FeedSink): void {
    for (const c of this.calls) {
      switch (c[0]) {
        case 'instrument': sink.instrument(c[1]); break;
        case 'snapshot': sink.snapshot(c[1], c[2], c[3], Float64Array.from(c[4]), c[4].length / 2, Float64Array.from(c[5]), c[5].length / 2); break;
        case 'levelSet': sink.levelSet(c[1], c[2], c[3], c[4] as SideCode, c[5], c[6]); break;
        case 'levelChange': sink.levelChange(c[1], c[2], c[3], c[4] as SideCode, c[5], c[6]); break;
        case 'trade': sink.trade(c[1], c[2], c[3], c[4] as SideCode, c[5], c[6], c[7]); break;
        case 'heartbeat': sink.heartbeat(c[1]); break;
        case 'endOfBatch': sink.endOfBatch(c[1]); break;
      }
    }
  }
}
