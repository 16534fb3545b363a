// What the ingest engine knows about one symbol of a feed.
import type { Instrument } from '../../orderbook/instrument.js';
import type { InstrumentKind } from '../feed-sink.js';

/** awaiting-snapshot: declared, no book yet; live: in sequence; stale: out of sync until the next snapshot. */
export type SymbolSyncState = 'awaiting-snapshot' | 'live' | 'stale';

export type StaleReason = 'gap' | 'invalidated' | 'integrity' | 'redefined';

export interface SymbolCounters {
  messages: number;
  /** Sequence jumps forward (messages missing). */
  gaps: number;
  /** Messages with seq below the expected one (duplicates, reordering): ignored. */
  outOfOrder: number;
  /** Messages ignored because the book was not live (awaiting a snapshot). */
  droppedWhileStale: number;
  /** Level operations the book refused (integrity error: the book goes stale). */
  rejected: number;
  /** Batches that ended with a crossed book. */
  crossedBatches: number;
  /** Times the feed went quiet longer than the stale-feed interval. */
  staleFeeds: number;
  snapshots: number;
  trades: number;
}

export interface SymbolState {
  readonly symbolId: number;
  readonly symbol: string;
  readonly kind: InstrumentKind;
  readonly instrument: Instrument;
  /** WASM book slot. */
  readonly book: number;
  readonly resolutionTsNs: number;
  state: SymbolSyncState;
  staleReason: StaleReason | null;
  /** seq the next message must carry. */
  nextSeq: number;
  /** The book is crossed at the end of the last batch. */
  crossed: boolean;
  /** No message for longer than the stale-feed interval. */
  staleFeed: boolean;
  lastMsgMonoNs: number;
  lastTsExchNs: number;
  lastTradeTick: number;
  lastTradeLot: number;
  lastTradeSide: number;
  lastTradeId: number;
  /** A binary contract's outcome once it resolved (FeedIngest.settle); null before. */
  settled: 'yes' | 'no' | null;
  readonly counters: SymbolCounters;
}

export function newCounters(): SymbolCounters {
  return { messages: 0, gaps: 0, outOfOrder: 0, droppedWhileStale: 0, rejected: 0, crossedBatches: 0, staleFeeds: 0, snapshots: 0, trades: 0 };
}

/** Quotes may be based on this book: in sequence, not crossed, not quiet. */
export function isQuotable(s: SymbolState): boolean {
  return s.state === 'live' && !s.crossed && !s.staleFeed;
}
