// A Binance recording (`<ts_ns> <json>` lines, as written by a recorder of the
// combined streams plus REST snapshot lines) replayed line by line through the
// connector's own sync path: BinanceIngestAdapter → FeedIngest → WASM book. Used by
// `spreadcore book --format binance`. One symbol is followed; messages of other
// symbols are skipped. A snapshot line (no symbol) applies to that symbol.
// A sequence gap is not an error: it is reported, the book is stale (cleared, not
// quotable) until a later snapshot line resyncs it, as on a live connection.
import { SpreadcoreError } from '../../errors.js';
import { FeedIngest } from '../ingest/feed-ingest.js';
import { parseRecordingLine } from '../recording/recording-line.js';
import type { WasmBooks } from '../../wasm/book-api.js';
import { BinanceIngestAdapter } from './binance-ingest-adapter.js';
import type { BinanceInstrumentSpec } from './instruments.js';
import { SYNC_REJECTED, type SequenceGap } from './depth-sync.js';
import type { BinanceMarket, DecimalPair } from './messages.js';
import { parseBinanceMessage } from './parse-message.js';

export interface BinanceLineReplayOptions {
  market: BinanceMarket;
  symbol: string;
  /** Grids for symbols the built-in table does not know (or replacing its grids). */
  instruments?: readonly BinanceInstrumentSpec[];
  books?: WasmBooks;
  /** After each applied depth event. */
  onApplied?: (finalUpdateId: number) => void;
  /** A sequence gap (the book is stale from here until a snapshot resyncs it). */
  onGap?: (gap: SequenceGap, lineNo: number) => void;
  /** A snapshot line brought the book back in sequence (at the given update id). */
  onResync?: (lastUpdateId: number, lineNo: number) => void;
}

export class BinanceLineReplay {
  readonly ingest: FeedIngest;
  readonly adapter: BinanceIngestAdapter;
  readonly symbol: string;
  /** Lines of other symbols, skipped. */
  otherSymbolLines = 0;
  private lineNo = 0;
  /** A gap happened and no snapshot has brought the book back in sequence yet. */
  private gapped = false;
  private lastSnapshotId = -1;
  private readonly opts: BinanceLineReplayOptions;

  constructor(opts: BinanceLineReplayOptions) {
    this.opts = opts;
    this.symbol = opts.symbol;
    this.ingest = new FeedIngest(opts.books);
    this.adapter = new BinanceIngestAdapter(this.ingest, {
      market: opts.market,
      symbols: [{ symbol: opts.symbol, symbolId: 0 }],
      ...(opts.instruments !== undefined ? { instruments: opts.instruments } : {}),
      onApplied: (_s, u) => {
        if (this.gapped) { this.gapped = false; opts.onResync?.(this.lastSnapshotId, this.lineNo); }
        opts.onApplied?.(u);
      },
      onGap: (_s, gap) => { this.gapped = true; opts.onGap?.(gap, this.lineNo); },
    });
  }

  /** The followed symbol's DepthSync (state, update id, counters). */
  get sync(): NonNullable<ReturnType<BinanceIngestAdapter['sync']>> { return this.adapter.sync(this.symbol)!; }
  get live(): boolean { return this.sync.state === 'live'; }

  /**
   * One recording line (1-based lineNo). Throws a coded error naming the line for
   * a line that is not `<ts_ns> <json>`, not a Binance message, or a depth event
   * or snapshot with a bad level.
   */
  line(text: string, lineNo: number): void {
    this.lineNo = lineNo;
    const rec = parseRecordingLine(text, lineNo);
    let msg;
    try {
      msg = parseBinanceMessage(rec.value);
    } catch (e) {
      if (!(e instanceof SpreadcoreError)) throw e;
      throw new SpreadcoreError(e.code, `recording line ${lineNo}: ${e.message}`);
    }
    if (msg.kind === 'snapshot') {
      this.lastSnapshotId = msg.lastUpdateId;
      if (this.adapter.onSnapshot(this.symbol, msg) === SYNC_REJECTED) this.bad();
      return;
    }
    if (msg.symbol !== this.symbol) { this.otherSymbolLines++; return; }
    if (this.adapter.onMessage(msg) === SYNC_REJECTED) this.bad();
  }

  private bad(): never {
    const e = this.sync.lastError ?? new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'the message could not be applied');
    throw new SpreadcoreError(e.code, `recording line ${this.lineNo}: ${e.message}`);
  }

  /** The top n levels of the book as exact decimal strings (the instrument's grids). */
  depth(n: number): { bids: DecimalPair[]; asks: DecimalPair[] } {
    const s = this.ingest.symbolState(0)!;
    const { bids, asks } = this.ingest.books.topLevels(s.book, n);
    const p = s.instrument.price;
    const q = s.instrument.qty;
    const fmt = (l: { tick: number; qtyLot: number }): DecimalPair => [p.format(l.tick), q.format(l.qtyLot)];
    return { bids: bids.map(fmt), asks: asks.map(fmt) };
  }
}
