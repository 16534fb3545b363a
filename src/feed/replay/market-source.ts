// A market source: anything that drives a FeedSink through time — a Binance
// recording, the project's binary recording, the built-in simulator. A source is
// opened on one sink and then gives its steps in time order; each step carries its
// offset (ns of source time since the source's start) and, when applied, makes
// the sink calls of that moment (ending in endOfBatch). Pacing is the caller's:
// replaySource() applies the steps at recorded pace x speed or as fast as
// possible (pacer.ts), record and publish turn them into frames (source-frames.ts).
import type { FeedSink } from '../feed-sink.js';
import { pace, type Paced, type ReplaySpeed } from '../recording/pacer.js';

export type SourceKind = 'binance' | 'screc' | 'sim';

/** Counters a source keeps while it runs (by name, for reports). */
export type SourceStats = Record<string, number>;

/** A source bound to a sink: iterate steps, apply each (in order) when due. */
export interface SourceRun<T> {
  /** Steps in time order; offsets never decrease. Pull the next step only after applying the previous one. */
  readonly steps: AsyncIterable<Paced<T>>;
  /** Makes the sink calls of one step. Throws SpreadcoreError on bad source data. */
  apply(step: T): void;
}

export interface MarketSource<T = unknown> {
  readonly kind: SourceKind;
  /** One line naming what is replayed, e.g. "binance usdm BTCUSDT from f.gz". */
  readonly label: string;
  /** Unix epoch ns of offset 0 (the recording's start, the simulated start). */
  readonly startEpochNs: bigint;
  /** Binds the source to a sink. A source is opened once. */
  open(sink: FeedSink): SourceRun<T>;
  /** Counters so far (steps, messages, skipped lines, ...). */
  stats(): SourceStats;
  /** The first problem in the input that was skipped over (e.g. a line that is not market data), if any. */
  readonly firstProblem?: string | null;
  /**
   * The source's own frames, when it already holds protocol frames (a binary
   * recording): sent or recorded as they are instead of decoded and re-encoded.
   * Used instead of open(), never together with it.
   */
  frames?(): AsyncIterable<Paced<Uint8Array>>;
  /** Symbols whose depth was refused for a price or quantity off their grid (a Binance recording read with too coarse a grid). */
  gridProblems?(): readonly GridProblem[];
  /** Called once per symbol, at its first depth refused for a price or quantity off its grid. */
  onGridProblem?: ((problem: GridProblem) => void) | null;
}

/** A symbol whose snapshots or depth events were refused: a price or quantity of the data is off the symbol's grid. */
export interface GridProblem {
  readonly symbol: string;
  readonly tickSize: string;
  readonly lotSize: string;
  /** The first refusal, naming the level and its price or quantity. */
  readonly first: string;
  /** Snapshots and depth events refused for a level off the grid, so far. */
  readonly refused: number;
  /** Depth events applied, so far. */
  readonly applied: number;
}

/** One line about a symbol whose data is off its grid: the symbol, the grid, an offending level, and what to do. */
export function gridProblemMessage(p: GridProblem): string {
  return `${p.symbol}: the data is not on the grid tick_size ${p.tickSize}, lot_size ${p.lotSize} (${p.first}), `
    + `so the book refuses its depth${p.applied === 0 ? ' and stays empty' : ''}: fix the grid of ${p.symbol} with --instruments FILE `
    + '(a tick and lot size every price and quantity of the recording lies on)';
}

/** The grid problems of a source (none for a source without grids to check). */
export function gridProblemsOf(source: MarketSource): readonly GridProblem[] {
  return source.gridProblems?.() ?? [];
}

export interface ReplayOptions {
  /** Recorded pace x speed, or 'max' (default) for as fast as possible. */
  speed?: ReplaySpeed;
  signal?: AbortSignal;
}

/** Drives the sink with the whole source; resolves with the number of steps applied. */
export function replaySource<T>(source: MarketSource<T>, sink: FeedSink, options: ReplayOptions = {}): Promise<number> {
  const run = source.open(sink);
  return pace(run.steps, options.speed ?? 'max', (step) => run.apply(step), options.signal);
}

/** One line about input the source skipped (stats().skippedLines), or null when it skipped nothing. */
export function skippedInputWarning(source: MarketSource): string | null {
  const skipped = source.stats()['skippedLines'] ?? 0;
  if (skipped === 0) return null;
  const first = source.firstProblem ?? null;
  return `skipped ${skipped} line${skipped === 1 ? '' : 's'} that are not market data this source can read${first !== null ? ` (first: ${first})` : ''}`;
}

/** Offsets that never go back: a step stamped before the previous one is due with it. */
export class MonotoneOffset {
  private last = 0;
  /** ns since the start, clamped to [previous offset, ...). */
  next(offsetNs: number): number {
    const t = Math.round(offsetNs);
    if (t > this.last) this.last = t;
    return this.last;
  }
}
