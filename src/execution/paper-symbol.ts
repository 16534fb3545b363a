// What the paper exchange keeps per symbol: our resting orders on each side, the
// orders and cancels still travelling to it, and the liquidity we took.
import type { SymbolState } from '../feed/ingest/symbol-state.js';
import { RestingSide } from './paper-order.js';
import { TakenLiquidity } from './taken-liquidity.js';
import { ActionQueue } from './venue-actions.js';

export class PaperSymbol {
  readonly symbol: string;
  /** The ingest's state for the symbol (replaced when the feed redefines it). */
  feed: SymbolState;
  readonly bids = new RestingSide(0);
  readonly asks = new RestingSide(1);
  readonly actions = new ActionQueue();
  readonly taken = new TakenLiquidity();
  /** Queue positions of resting orders follow the live book (false after it went stale or was replaced). */
  synced = true;
  /** The feed's snapshot count when positions were last baselined: a new snapshot replaces the book. */
  snapshotsSeen: number;

  constructor(feed: SymbolState) {
    this.symbol = feed.symbol;
    this.feed = feed;
    this.snapshotsSeen = feed.counters.snapshots;
  }

  /** Nothing resting, nothing in flight, nothing taken: market events need no work. */
  get idle(): boolean {
    return this.bids.count === 0 && this.asks.count === 0 && this.actions.length === 0 && this.taken.size === 0;
  }

  side(side: number): RestingSide { return side === 0 ? this.bids : this.asks; }
}
