// One side of the simulator's own book: price levels (tick, lots) sorted best first
// in preallocated typed arrays. The simulator decides on this mirror (what a market
// order consumes, which level to cancel) and emits the same changes to the sink.
import { SIDE_BID, type SideCode } from '../feed-sink.js';

export class SimBookSide {
  readonly side: SideCode;
  /** +1 for bids (higher is better), -1 for asks. */
  readonly sign: number;
  readonly capacity: number;
  readonly ticks: Float64Array;
  readonly lots: Float64Array;
  /** Number of levels. */
  n = 0;

  constructor(side: SideCode, capacity: number) {
    this.side = side;
    this.sign = side === SIDE_BID ? 1 : -1;
    this.capacity = capacity;
    this.ticks = new Float64Array(capacity);
    this.lots = new Float64Array(capacity);
  }

  /** Best tick; -Infinity (bids) / +Infinity (asks) when empty. */
  best(): number { return this.n > 0 ? this.ticks[0]! : -this.sign * Infinity; }
  /** Deepest tick; same sentinels when empty. */
  deepest(): number { return this.n > 0 ? this.ticks[this.n - 1]! : -this.sign * Infinity; }

  /** Index of tick, or -(insertion index) - 1 when absent. */
  find(tick: number): number {
    const key = this.sign * tick;
    let lo = 0;
    let hi = this.n;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const k = this.sign * this.ticks[mid]!;
      if (k > key) lo = mid + 1;
      else if (k < key) hi = mid;
      else return mid;
    }
    return -lo - 1;
  }

  /** Adds lots at tick (a new level or more at an existing one); false when the side is full. */
  add(tick: number, lots: number): boolean {
    const i = this.find(tick);
    if (i >= 0) {
      this.lots[i] = this.lots[i]! + lots;
      return true;
    }
    if (this.n === this.capacity) return false;
    const at = -i - 1;
    if (at < this.n) {
      this.ticks.copyWithin(at + 1, at, this.n);
      this.lots.copyWithin(at + 1, at, this.n);
    }
    this.ticks[at] = tick;
    this.lots[at] = lots;
    this.n++;
    return true;
  }

  /** Takes lots from level i, removing it when it reaches zero. */
  reduceAt(i: number, lots: number): void {
    const left = this.lots[i]! - lots;
    if (left > 0) {
      this.lots[i] = left;
      return;
    }
    this.n--;
    if (i < this.n) {
      this.ticks.copyWithin(i, i + 1, this.n + 1);
      this.lots.copyWithin(i, i + 1, this.n + 1);
    }
  }

  /** Total lots on the side but one: what may be taken without emptying it. */
  lotsButOne(): number {
    let s = -1;
    for (let i = 0; i < this.n; i++) s += this.lots[i]!;
    return s < 0 ? 0 : s;
  }

  clear(): void { this.n = 0; }
}
