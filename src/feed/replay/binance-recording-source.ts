// A Binance recording (`<receive_ts_ns> <json>` lines, gzip or plain) as a market
// source: each line is a step at its receive time (offsets from the first
// message), applied through BinanceIngestAdapter — the same mapping the live
// connector uses (local-book sync, synthesized per-symbol seq, trades, update-id
// gaps invalidating the book). Into a FeedIngest the adapter writes directly; into
// any other sink (a frame encoder) it runs on a shadow ingest that forwards every
// call (ForwardingIngest), so both see exactly the same calls.
//
// A recording carries one symbol: its REST snapshot lines have no symbol field.
// The symbol and the market are detected from the first lines (a USD-M depth
// event carries "pu", a spot one does not). Lines that do not parse, or hold
// unsupported events, are skipped and counted; other symbols' messages too.
import { SpreadcoreError } from '../../errors.js';
import { WasmBooks } from '../../wasm/book-api.js';
import { instantiateCore } from '../../wasm/load.js';
import type { FeedSink } from '../feed-sink.js';
import { FeedIngest } from '../ingest/feed-ingest.js';
import { BinanceIngestAdapter } from '../binance/binance-ingest-adapter.js';
import { resolveBinanceInstrumentSpec, type BinanceInstrumentSpec } from '../binance/instruments.js';
import type { BinanceMarket, BinanceMessage } from '../binance/messages.js';
import { readBinanceRecordingFile, type BinanceRecordedMessage, type BinanceRecordingItem } from '../binance/read-binance-recording.js';
import type { Paced } from '../recording/pacer.js';
import { OffGridDepth } from '../binance/off-grid-depth.js';
import { ForwardingIngest } from './forwarding-ingest.js';
import { MonotoneOffset, type GridProblem, type MarketSource, type SourceRun, type SourceStats } from './market-source.js';

/** Lines read to find the symbol and the market. */
export const DETECT_LINES = 20_000;

export interface BinanceRecordingInfo {
  readonly market: BinanceMarket;
  readonly symbol: string;
  /** Receive time of the first message, Unix epoch ns. */
  readonly firstTsNs: bigint;
}

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

/** The recording's lines; a read failure (I/O, bad gzip data) becomes SPREADCORE_ERR_BAD_INPUT naming the file. */
async function* recordingItems(path: string): AsyncGenerator<BinanceRecordingItem> {
  try {
    yield* readBinanceRecordingFile(path);
  } catch (e) {
    if (e instanceof SpreadcoreError) throw e;
    throw bad(`cannot read ${path}: ${(e as Error).message}`);
  }
}

function symbolOf(msg: BinanceMessage): string | null {
  return msg.kind === 'snapshot' ? null : msg.symbol;
}

/** USD-M when its depth events carry pu or its bookTickers E/T; null when the lines do not tell. */
function marketOf(msg: BinanceMessage): BinanceMarket | null {
  if (msg.kind === 'depth') return msg.prevFinalUpdateId >= 0 ? 'usdm' : 'spot';
  if (msg.kind === 'bookTicker') return msg.eventTimeMs >= 0 ? 'usdm' : 'spot';
  return null;
}

/**
 * Reads the first lines of a recording for its symbol and market. `market`, when
 * given, must agree with what the lines show. The symbol needs grids: the built-in
 * table's or `instruments`'. Throws SPREADCORE_ERR_BAD_INPUT (UnknownBinanceSymbolError
 * for a symbol without grids).
 */
export async function detectBinanceRecording(path: string, market?: BinanceMarket, instruments?: readonly BinanceInstrumentSpec[]): Promise<BinanceRecordingInfo> {
  let firstTsNs: bigint | null = null;
  let symbol: string | null = null;
  let seen: BinanceMarket | null = null;
  let firstFault: string | null = null;
  let lines = 0;
  for await (const item of recordingItems(path)) {
    if (++lines > DETECT_LINES) break;
    if (item.kind === 'fault') { firstFault ??= item.error.message; continue; }
    firstTsNs ??= item.tsNs;
    const s = symbolOf(item.msg);
    if (s !== null) {
      if (symbol === null) symbol = s;
      else if (s !== symbol) {
        throw bad(`${path} carries more than one symbol (${symbol}, ${s}, line ${item.lineNo}): its REST snapshots name none, so a recording must hold one symbol`);
      }
    }
    seen ??= marketOf(item.msg);
    if (symbol !== null && seen !== null && lines >= 200) break;
  }
  if (firstTsNs === null || symbol === null) {
    const why = lines === 0 ? 'the file is empty' : firstFault !== null && firstTsNs === null ? `first problem: ${firstFault}` : 'no stream message names a symbol';
    throw bad(`${path} is not a Binance recording of "<ts_ns> <json>" lines with market data (${why})`);
  }
  if (seen === null && market === undefined) {
    throw bad(`cannot tell whether ${path} is spot or USD-M (no depth or bookTicker event in its first lines): pass --market`);
  }
  if (seen !== null && market !== undefined && seen !== market) {
    throw bad(`${path} looks like ${seen === 'usdm' ? 'USD-M futures (depth events carry "pu")' : 'spot (depth events without "pu")'} but --market ${market} was given`);
  }
  const m = market ?? seen!;
  resolveBinanceInstrumentSpec(m, symbol, instruments); // throws for a symbol without grids
  return { market: m, symbol, firstTsNs };
}

export interface BinanceSourceOptions {
  /** Stop after this much recording time (seconds since the first message). */
  durationS?: number;
  /** The symbolId the symbol gets on the feed. Default 0. */
  symbolId?: number;
  /** Grids for symbols the built-in table does not know (or replacing its grids). */
  instruments?: readonly BinanceInstrumentSpec[];
}

export class BinanceRecordingSource implements MarketSource<BinanceRecordedMessage> {
  readonly kind = 'binance';
  readonly path: string;
  readonly info: BinanceRecordingInfo;
  readonly label: string;
  readonly startEpochNs: bigint;
  /** The adapter once opened (its counters: applied events, gaps, trades, bookTicker checks). */
  adapter: BinanceIngestAdapter | null = null;
  private readonly limitNs: number;
  private readonly symbolId: number;
  private readonly instruments: readonly BinanceInstrumentSpec[] | undefined;
  private lines = 0;
  private skipped = 0;
  private steps = 0;
  /** The first skipped line's problem. */
  firstProblem: string | null = null;
  onGridProblem: ((problem: GridProblem) => void) | null = null;
  /** Snapshots and depth events refused for a level off the grid, and the first such refusal (once opened). */
  private offGrid: OffGridDepth | null = null;

  constructor(path: string, info: BinanceRecordingInfo, options: BinanceSourceOptions = {}) {
    this.path = path;
    this.info = info;
    this.startEpochNs = info.firstTsNs;
    this.limitNs = options.durationS === undefined ? Infinity : options.durationS * 1e9;
    this.symbolId = options.symbolId ?? 0;
    this.instruments = options.instruments;
    this.label = `binance ${info.market} ${info.symbol} from ${path}`;
  }

  open(sink: FeedSink): SourceRun<BinanceRecordedMessage> {
    if (this.adapter !== null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'a market source is opened once');
    const ingest = sink instanceof FeedIngest ? sink : new ForwardingIngest(sink, new WasmBooks(instantiateCore()));
    const adapter = new BinanceIngestAdapter(ingest, {
      market: this.info.market, symbols: [{ symbol: this.info.symbol, symbolId: this.symbolId }],
      ...(this.instruments !== undefined ? { instruments: this.instruments } : {}),
      onRejected: (symbol, error) => {
        const problem = this.offGrid?.onRejected(symbol, error) ?? null;
        if (problem !== null && this.onGridProblem !== null) this.onGridProblem(problem);
      },
    });
    this.adapter = adapter;
    const symbol = this.info.symbol;
    this.offGrid = new OffGridDepth([symbol], (s) => adapter.feed(s)?.instrument, () => adapter.counters.appliedEvents);
    return {
      steps: this.read(),
      apply: (m) => {
        this.steps++;
        if (m.msg.kind === 'snapshot') adapter.onSnapshot(symbol, m.msg);
        else adapter.onMessage(m.msg);
      },
    };
  }

  private async *read(): AsyncGenerator<Paced<BinanceRecordedMessage>> {
    const start = this.startEpochNs;
    const offsets = new MonotoneOffset();
    for await (const item of recordingItems(this.path)) {
      this.lines++;
      if (item.kind === 'fault') {
        this.skipped++;
        this.firstProblem ??= item.error.message;
        continue;
      }
      const offsetNs = offsets.next(Number(item.tsNs - start));
      if (offsetNs > this.limitNs) return;
      yield { offsetNs, item };
    }
  }

  gridProblems(): readonly GridProblem[] {
    return this.offGrid?.problems() ?? [];
  }

  stats(): SourceStats {
    const c = this.adapter?.counters;
    const top = this.adapter?.topOfBook();
    return {
      lines: this.lines,
      messages: this.steps,
      skippedLines: this.skipped,
      depthEvents: c?.depthEvents ?? 0,
      appliedEvents: c?.appliedEvents ?? 0,
      gaps: c?.gaps ?? 0,
      rejectedEvents: c?.rejectedEvents ?? 0,
      offGridRefused: this.offGrid?.refused(this.info.symbol) ?? 0,
      snapshots: c?.snapshots ?? 0,
      trades: c?.trades ?? 0,
      otherSymbols: c?.unknownSymbol ?? 0,
      bookTickerChecks: top?.checks ?? 0,
      bookTickerMismatches: top?.mismatches ?? 0,
    };
  }
}
