// A FeedIngest that times every batch from its first message to the return of its
// end of batch: the book updates, then the engine's decision (paper matching,
// volatility, risk, quote ladder, order diff, orders) and whatever listens to the
// engine's events synchronously (the SSE hub's publish). One clock read at each end.
import type { SideCode } from '../../src/feed/feed-sink.js';
import { FeedIngest } from '../../src/feed/ingest/feed-ingest.js';
import { monoNowNs } from '../../src/net/clock.js';

export class TimedIngest extends FeedIngest {
  /** ns per batch, while recording. */
  readonly samples: Float64Array;
  n = 0;
  recording = false;
  /** Called after each batch with its duration (e.g. to tell batches that published events). */
  onTimed: ((ns: number) => void) | null = null;
  /** Called as each batch begins. */
  onBegin: (() => void) | null = null;
  private t0 = 0;
  private inBatch = false;

  constructor(maxSamples = 1 << 21) {
    super();
    this.samples = new Float64Array(maxSamples);
  }

  private begin(): void {
    if (this.inBatch) return;
    this.inBatch = true;
    this.onBegin?.();
    this.t0 = monoNowNs();
  }

  override snapshot(symbolId: number, seq: number, ts: number, bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void {
    this.begin();
    super.snapshot(symbolId, seq, ts, bids, nBids, asks, nAsks);
  }

  override levelSet(symbolId: number, seq: number, ts: number, side: SideCode, tick: number, qtyLot: number): void {
    this.begin();
    super.levelSet(symbolId, seq, ts, side, tick, qtyLot);
  }

  override levelChange(symbolId: number, seq: number, ts: number, side: SideCode, tick: number, deltaLot: number): void {
    this.begin();
    super.levelChange(symbolId, seq, ts, side, tick, deltaLot);
  }

  override trade(symbolId: number, seq: number, ts: number, side: SideCode, tick: number, qtyLot: number, tradeId: number): void {
    this.begin();
    super.trade(symbolId, seq, ts, side, tick, qtyLot, tradeId);
  }

  override heartbeat(ts: number): void {
    this.begin();
    super.heartbeat(ts);
  }

  override endOfBatch(sendTsNs: number): void {
    this.begin();
    super.endOfBatch(sendTsNs);
    const ns = monoNowNs() - this.t0;
    this.inBatch = false;
    if (!this.recording) return;
    if (this.n < this.samples.length) this.samples[this.n++] = ns;
    this.onTimed?.(ns);
  }
}
