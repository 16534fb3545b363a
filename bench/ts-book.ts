// The pure-TypeScript comparison book for the book-update benchmark: what a
// competent TS developer would write for an L2 book keyed by integer ticks.
// One Map<tick, lots> per side plus the cached best price of each side; the best
// is updated in O(1) on insert and recomputed by a scan only when the best level
// itself is removed. Same semantics as the WASM book's set: absolute quantity,
// 0 removes.

export class TsBook {
  private readonly bids = new Map<number, number>();
  private readonly asks = new Map<number, number>();
  private bestBid = -Infinity;
  private bestAsk = Infinity;

  clear(): void {
    this.bids.clear();
    this.asks.clear();
    this.bestBid = -Infinity;
    this.bestAsk = Infinity;
  }

  /** side 0 = bid, 1 = ask. */
  set(side: number, tick: number, qtyLot: number): void {
    if (side === 0) this.setBid(tick, qtyLot);
    else this.setAsk(tick, qtyLot);
  }

  setBid(tick: number, qtyLot: number): void {
    if (qtyLot === 0) {
      if (this.bids.delete(tick) && tick === this.bestBid) {
        let best = -Infinity;
        for (const t of this.bids.keys()) if (t > best) best = t;
        this.bestBid = best;
      }
      return;
    }
    this.bids.set(tick, qtyLot);
    if (tick > this.bestBid) this.bestBid = tick;
  }

  setAsk(tick: number, qtyLot: number): void {
    if (qtyLot === 0) {
      if (this.asks.delete(tick) && tick === this.bestAsk) {
        let best = Infinity;
        for (const t of this.asks.keys()) if (t < best) best = t;
        this.bestAsk = best;
      }
      return;
    }
    this.asks.set(tick, qtyLot);
    if (tick < this.bestAsk) this.bestAsk = tick;
  }

  bestBidTick(): number { return this.bestBid; }
  bestAskTick(): number { return this.bestAsk; }
  bestBidQty(): number { return this.bids.get(this.bestBid) ?? 0; }
  bestAskQty(): number { return this.asks.get(this.bestAsk) ?? 0; }
  levelCount(side: number): number { return side === 0 ? this.bids.size : this.asks.size; }
}
