// A deliberately plain L2 book used as the oracle in property tests: two Maps,
// sorted on every read. Obviously correct, not fast.

export interface RefLevel { tick: number; qtyLot: number }

export type RefStatus = 'ok' | 'negative';

export class ReferenceBook {
  readonly bids = new Map<number, number>();
  readonly asks = new Map<number, number>();
  integrity = false;

  private side(side: number): Map<number, number> { return side === 0 ? this.bids : this.asks; }

  set(side: number, tick: number, qty: number): RefStatus {
    const m = this.side(side);
    if (qty === 0) m.delete(tick);
    else m.set(tick, qty);
    return 'ok';
  }

  change(side: number, tick: number, delta: number): RefStatus {
    const m = this.side(side);
    const next = (m.get(tick) ?? 0) + delta;
    if (next < 0) { this.integrity = true; return 'negative'; }
    return this.set(side, tick, next);
  }

  clearSide(side: number): void { this.side(side).clear(); }
  clear(): void { this.bids.clear(); this.asks.clear(); this.integrity = false; }

  top(side: number, n: number): RefLevel[] {
    const entries = [...this.side(side).entries()].map(([tick, qtyLot]) => ({ tick, qtyLot }));
    entries.sort((a, b) => (side === 0 ? b.tick - a.tick : a.tick - b.tick));
    return entries.slice(0, n);
  }

  bestBid(): RefLevel | undefined { return this.top(0, 1)[0]; }
  bestAsk(): RefLevel | undefined { return this.top(1, 1)[0]; }

  crossed(): boolean {
    const b = this.bestBid();
    const a = this.bestAsk();
    return b !== undefined && a !== undefined && b.tick >= a.tick;
  }

  imbalance(n: number): number {
    const bq = this.top(0, n).reduce((s, l) => s + l.qtyLot, 0);
    const aq = this.top(1, n).reduce((s, l) => s + l.qtyLot, 0);
    return bq + aq > 0 ? (bq - aq) / (bq + aq) : 0;
  }
}
