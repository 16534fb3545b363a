// One market's order book as Kalshi publishes it: YES bids and NO bids (there are no asks;
// the YES ask is $1 − the best NO bid — getting_started/orderbook_responses). Prices are kept
// in 1/10000 dollars and counts in 1/100 contracts, both exact integers parsed from the
// `*_dollars` / `*_fp` strings (never parseFloat).
import { DecimalGrid } from '../../numeric/decimal-grid.js';

const E4 = new DecimalGrid('0.0001');
const E2 = new DecimalGrid('0.01');

export type BookSide = 'yes' | 'no';

export class LocalBook {
  readonly yes = new Map<number, number>();
  readonly no = new Map<number, number>();
  /** Levels whose strings did not parse (counted, skipped). */
  badLevels = 0;

  constructor(readonly ticker: string) {}

  /** Replaces the book from a snapshot's [price_dollars, count_fp] pairs. */
  applySnapshot(yes: ReadonlyArray<readonly [string, string]> | undefined, no: ReadonlyArray<readonly [string, string]> | undefined): void {
    this.yes.clear();
    this.no.clear();
    for (const [p, c] of yes ?? []) this.set('yes', p, c);
    for (const [p, c] of no ?? []) this.set('no', p, c);
  }

  private set(side: BookSide, p: string, c: string): void {
    const pe = E4.toUnitsOrNaN(p), ce = E2.toUnitsOrNaN(c);
    if (Number.isNaN(pe) || Number.isNaN(ce) || ce < 0) { this.badLevels++; return; }
    if (ce === 0) this[side].delete(pe); else this[side].set(pe, ce);
  }

  /** A delta: count at a price changes by delta_fp (negative removes). Returns the new count (1/100 contracts), NaN when the strings do not parse. */
  applyDelta(side: BookSide, priceDollars: string, deltaFp: string): number {
    const pe = E4.toUnitsOrNaN(priceDollars);
    const neg = deltaFp.startsWith('-');
    const d = E2.toUnitsOrNaN(neg ? deltaFp.slice(1) : deltaFp);
    if (Number.isNaN(pe) || Number.isNaN(d)) { this.badLevels++; return Number.NaN; }
    const m = this[side];
    const n = (m.get(pe) ?? 0) + (neg ? -d : d);
    if (n <= 0) m.delete(pe); else m.set(pe, n);
    return Math.max(0, n);
  }

  /** Levels best first: [priceE4, countE2]. */
  levels(side: BookSide): Array<[number, number]> {
    return [...this[side].entries()].sort((a, b) => b[0] - a[0]);
  }

  /** Best YES bid and YES ask (1 − best NO bid), 1/10000 dollars; NaN when empty. */
  bestYes(): { bid: number; ask: number } {
    let bid = Number.NaN, noBid = Number.NaN;
    for (const p of this.yes.keys()) if (!(p <= bid)) bid = p;
    for (const p of this.no.keys()) if (!(p <= noBid)) noBid = p;
    return { bid, ask: Number.isNaN(noBid) ? Number.NaN : 10000 - noBid };
  }

  /** As Kalshi's REST shape: ascending, best last. */
  toFp(): { yes_dollars: Array<[string, string]>; no_dollars: Array<[string, string]> } {
    const f = (s: BookSide): Array<[string, string]> => this.levels(s).reverse().map(([p, c]) => [E4.format(p), E2.format(c)]);
    return { yes_dollars: f('yes'), no_dollars: f('no') };
  }
}
