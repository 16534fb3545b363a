// Displayed liquidity our paper orders already took. The market's book never shows
// our fills, so without this two of our orders could take the same displayed lots,
// or a remainder resting through the lots it just took would be "filled" by them
// again. Per level: lots taken; what is still available to us is displayed − taken.
// When the displayed size drops below what we took (the market traded or cancelled
// the rest), the taken amount shrinks with it (a market decrease is taken to come
// from the lots we did not take first, so it never frees lots for us again), and
// the entry goes when the level is empty.
import type { WasmBooks } from '../wasm/book-api.js';

export class TakenLiquidity {
  private readonly side: number[] = [];
  private readonly tick: number[] = [];
  private readonly lot: number[] = [];

  get size(): number { return this.lot.length; }

  /** Lots taken at (side, tick). */
  get(side: number, tick: number): number {
    const n = this.lot.length;
    for (let i = 0; i < n; i++) if (this.tick[i] === tick && this.side[i] === side) return this.lot[i]!;
    return 0;
  }

  add(side: number, tick: number, lots: number): void {
    const n = this.lot.length;
    for (let i = 0; i < n; i++) {
      if (this.tick[i] === tick && this.side[i] === side) { this.lot[i] = this.lot[i]! + lots; return; }
    }
    this.side.push(side);
    this.tick.push(tick);
    this.lot.push(lots);
  }

  /** Shrinks every entry to the displayed size now and drops empty ones. */
  decay(books: WasmBooks, book: number): void {
    let k = 0;
    const n = this.lot.length;
    for (let i = 0; i < n; i++) {
      const side = this.side[i]!;
      const tick = this.tick[i]!;
      const shown = books.levelQty(book, side, tick);
      const taken = Math.min(this.lot[i]!, shown > 0 ? shown : 0);
      if (taken > 0) {
        this.side[k] = side;
        this.tick[k] = tick;
        this.lot[k] = taken;
        k++;
      }
    }
    if (k === n) return;
    this.side.length = k;
    this.tick.length = k;
    this.lot.length = k;
  }

  clear(): void {
    if (this.lot.length === 0) return;
    this.side.length = 0;
    this.tick.length = 0;
    this.lot.length = 0;
  }
}
