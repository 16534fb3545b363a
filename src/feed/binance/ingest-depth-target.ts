// A DepthSyncTarget that drives the common ingest path (FeedIngest) instead of a
// book slot of its own. Binance update ids do not fit the ingest's per-symbol
// seq (one number per message, contiguous), so seq numbers are synthesized: a
// snapshot takes seq N, then every level and trade message of the symbol N+1,
// N+2, ... (the counter is shared with the adapter's trades). Each applied depth
// event ends with endOfBatch: the books are consistent there.
//
// The snapshot is held back until the first event that bridges it is applied,
// and emitted in the same batch: the ingest's book only ever shows a book Binance
// had at some update id, and is quotable only once the sync is live (a snapshot
// without a bridging event is not yet known to be in sequence).
// A Binance gap or bad event invalidates the symbol in the ingest (stale, book
// cleared, no quotes) until the next snapshot.
import type { FeedIngest } from '../ingest/feed-ingest.js';
import type { DepthSyncTarget } from './depth-sync.js';
import type { DepthUpdate } from './messages.js';

/** The per-symbol seq counter, shared by depth and trades: the last seq used. */
export interface SeqCounter { seq: number }

/** Exchange time of a depth event in ns: T (futures transaction time) when present, else E. */
export function depthEventTsNs(ev: DepthUpdate): number {
  return (ev.transactTimeMs >= 0 ? ev.transactTimeMs : ev.eventTimeMs) * 1e6;
}

export class IngestDepthTarget implements DepthSyncTarget {
  readonly ingest: FeedIngest;
  readonly symbolId: number;
  readonly counter: SeqCounter;
  /** A snapshot is waiting for its bridging event. */
  pending = false;
  private bids = new Float64Array(2048);
  private asks = new Float64Array(2048);
  private nBids = 0;
  private nAsks = 0;

  constructor(ingest: FeedIngest, symbolId: number, counter: SeqCounter) {
    this.ingest = ingest;
    this.symbolId = symbolId;
    this.counter = counter;
  }

  replaceBook(pairs: Float64Array, nBids: number, n: number): number {
    const nAsks = n - nBids;
    if (this.bids.length < 2 * nBids) this.bids = new Float64Array(2 * nBids);
    if (this.asks.length < 2 * nAsks) this.asks = new Float64Array(2 * nAsks);
    this.bids.set(pairs.subarray(0, 2 * nBids));
    this.asks.set(pairs.subarray(2 * nBids, 2 * n));
    this.nBids = nBids;
    this.nAsks = nAsks;
    this.pending = true;
    return 0;
  }

  applyEvent(pairs: Float64Array, nBids: number, n: number, ev: DepthUpdate): number {
    const ingest = this.ingest;
    const id = this.symbolId;
    const c = this.counter;
    const ts = depthEventTsNs(ev);
    if (this.pending) {
      this.pending = false;
      ingest.snapshot(id, ++c.seq, ts, this.bids, this.nBids, this.asks, this.nAsks);
    }
    ingest.levelSetRun(id, c.seq + 1, ts, pairs, nBids, n);
    c.seq += n;
    ingest.endOfBatch(0);
    // the ingest clears the book and leaves the live state when it refuses a level
    return ingest.symbolState(id)?.state === 'live' ? 0 : Math.max(1, n);
  }

  invalidate(): void {
    this.pending = false;
    this.ingest.invalidate(this.symbolId);
    this.ingest.endOfBatch(0);
  }

  reset(): void {
    this.invalidate();
  }

  refusalReason(): string {
    const s = this.ingest.symbolState(this.symbolId);
    return s === undefined ? 'the symbol is not declared in the ingest' : `the ingest marked the book ${s.state} (${s.staleReason ?? 'no reason'})`;
  }
}
