// The server's own order book per symbol, kept in Binance's decimal strings
// (independent of the project's WASM books, so tests compare two implementations).
// Serves REST snapshots: the top `limit` levels of each side at the last update id.
import type { DecimalPair } from '../binance/messages.js';

/** "61837.63000000" → "61837.63", "0.00000000" → "0": one key per price. */
export function canonicalDecimal(s: string): string {
  let t = s;
  if (t.includes('.')) t = t.replace(/0+$/, '').replace(/\.$/, '');
  t = t.replace(/^0+(?=\d)/, '');
  return t === '' ? '0' : t;
}

function isZero(s: string): boolean {
  return canonicalDecimal(s) === '0';
}

export class ReferenceBook {
  /** Update id the book is at (the snapshot's, then each applied event's u). */
  updateId: number;
  private readonly bids = new Map<string, DecimalPair>();
  private readonly asks = new Map<string, DecimalPair>();

  constructor(lastUpdateId: number, bids: readonly DecimalPair[], asks: readonly DecimalPair[]) {
    this.updateId = lastUpdateId;
    this.set(this.bids, bids);
    this.set(this.asks, asks);
  }

  private set(side: Map<string, DecimalPair>, levels: readonly DecimalPair[]): void {
    for (const l of levels) {
      const key = canonicalDecimal(l[0]);
      if (isZero(l[1])) side.delete(key);
      else side.set(key, [l[0], l[1]]);
    }
  }

  /** Applies a depth event's absolute quantities. */
  apply(u: number, bids: readonly DecimalPair[], asks: readonly DecimalPair[]): void {
    this.set(this.bids, bids);
    this.set(this.asks, asks);
    this.updateId = u;
  }

  get levelCount(): number { return this.bids.size + this.asks.size; }

  /** The best `limit` levels per side (bids high to low, asks low to high). */
  top(limit: number): { bids: DecimalPair[]; asks: DecimalPair[] } {
    const byPrice = (a: DecimalPair, b: DecimalPair): number => Number(a[0]) - Number(b[0]);
    const bids = [...this.bids.values()].sort((a, b) => byPrice(b, a)).slice(0, limit);
    const asks = [...this.asks.values()].sort(byPrice).slice(0, limit);
    return { bids, asks };
  }
}
