// A recording held in memory, read synchronously into steps for a backtest. The
// bytes are gzip or plain (detected by the gzip magic), then either the project's
// binary recording (magic "SCRC") or Binance `<ts_ns> <json>` lines. Reading reuses
// the project's parsers (readBinanceRecordingBuffer, RecordingParser); applying a
// step reuses the live paths: the Binance ingest adapter (the connector's local-book
// sync), or the feed handler's frame path (the WASM fast path, else FrameDecoder).
//
// Each step has an offset (ns of the recording's own clock since its first step:
// receive time for Binance lines, capture time for frames) and a number of events:
// price levels written to the book (depth-event and snapshot levels, frame level
// messages) plus trades.
import { SpreadcoreError } from '../errors.js';
import { BinanceIngestAdapter } from '../feed/binance/binance-ingest-adapter.js';
import type { LevelCache } from '../feed/binance/depth-sync.js';
import type { BinanceInstrumentSpec } from '../feed/binance/instruments.js';
import type { BinanceMarket, BinanceMessage } from '../feed/binance/messages.js';
import { readBinanceRecordingBuffer } from '../feed/binance/read-binance-recording.js';
import type { FeedIngest } from '../feed/ingest/feed-ingest.js';
import { DECODE_CODE_NAMES, DECODE_ERR_SINK_THREW, DECODE_OK } from '../feed/protocol/decode-codes.js';
import { FrameDecoder } from '../feed/protocol/frame-decoder.js';
import { RECORDING_MAGIC, RecordingParser } from '../feed/recording/frame-recording.js';
import { inflateRecording } from '../feed/recording/read-recording.js';
import { MonotoneOffset } from '../feed/replay/market-source.js';
import { frameMessageCount } from '../feed/replay/source-frames.js';
import { bindPredictionReplay, isPredictionRecording, parsePredictionRecording } from '../feed/prediction/prediction-recording.js';

export type RecordingFormat = 'binance' | 'screc' | 'prediction';

/** Applies step i to the ingest it was bound to (an object, so that every run calls the same method). */
export interface StepApplier {
  apply(i: number): void;
}

export interface RecordingPlan {
  readonly format: RecordingFormat;
  /** Binance only: the market and symbol the lines carry. */
  readonly market: BinanceMarket | null;
  readonly symbol: string | null;
  /** Unix epoch ns of offset 0 (exact). */
  readonly startEpochNs: bigint;
  readonly steps: number;
  /** Offsets never decrease. */
  readonly offsetNs: Float64Array;
  readonly events: Uint32Array;
  readonly eventsTotal: number;
  /** Lines that were not market data (Binance), and the first one's problem. */
  readonly skippedLines: number;
  readonly firstProblem: string | null;
  /** Binds the steps to an ingest (once per run). */
  bind(ingest: FeedIngest, instruments: readonly BinanceInstrumentSpec[]): StepApplier;
}

function badRecording(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_RECORDING', message);
}

/** The bytes, un-gzipped when they are gzip (at most MAX_IN_MEMORY_RECORDING_BYTES expanded). May be backed by a SharedArrayBuffer. */
function plainBytes(data: Uint8Array): Uint8Array {
  if (!(data instanceof Uint8Array)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'recording data must be a Uint8Array');
  return inflateRecording(data);
}

function isFrameRecording(b: Uint8Array): boolean {
  return b.length >= 4 && (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) >>> 0 === RECORDING_MAGIC;
}

/** Reads a recording's steps. Throws SPREADCORE_ERR_BAD_RECORDING when the bytes are neither format. */
export function planRecording(data: Uint8Array, options: { durationS: number | null; market: BinanceMarket | null }): RecordingPlan {
  const bytes = plainBytes(data);
  if (bytes.length === 0) throw badRecording('the recording is empty');
  const limitNs = options.durationS === null ? Infinity : options.durationS * 1e9;
  if (isFrameRecording(bytes)) return planFrames(bytes, limitNs);
  return isPredictionRecording(bytes) ? planPrediction(bytes, limitNs) : planBinance(bytes, limitNs, options.market);
}

/** Lines a Binance recording may start with that are not market data, before checkRecording gives up. */
const CHECK_LINES = 1000;

/**
 * A quick look at a recording before many runs of it (a sweep): the gzip stream is whole, it is
 * not empty, and it is a whole spreadcore or prediction recording (parsed) or has a Binance line
 * among its first lines. Throws SPREADCORE_ERR_BAD_RECORDING with planRecording's messages.
 */
export function checkRecording(data: Uint8Array): void {
  const bytes = plainBytes(data);
  if (bytes.length === 0) throw badRecording('the recording is empty');
  // a binary or prediction recording parses whole in a fraction of a Binance parse: a cut-short one is refused here
  if (isFrameRecording(bytes)) { planFrames(bytes, Infinity); return; }
  if (isPredictionRecording(bytes)) { planPrediction(bytes, Infinity); return; }
  let lines = 0;
  let firstProblem: string | null = null;
  for (const item of readBinanceRecordingBuffer(bytes)) {
    if (item.kind !== 'fault') return;
    firstProblem ??= item.error.message;
    if (++lines >= CHECK_LINES) break;
  }
  throw badRecording(`the data is neither a spreadcore recording nor Binance "<ts_ns> <json>" lines (${firstProblem !== null ? `first problem: ${firstProblem}` : 'no line holds Binance market data'})`);
}

// ---------------------------------------------------------------------------- prediction markets

/** A recording of Kalshi / Polymarket messages: each line through the connectors' adapters (settlements included). */
function planPrediction(bytes: Uint8Array, limitNs: number): RecordingPlan {
  let rec;
  try { rec = parsePredictionRecording(bytes); } catch (e) {
    if (e instanceof SpreadcoreError) throw badRecording(e.message);
    throw e;
  }
  let n = 0;
  while (n < rec.lines.length && rec.offsetNs[n]! <= limitNs) n++;
  const offsetNs = rec.offsetNs.slice(0, n);
  const events = new Uint32Array(n).fill(1);
  const startEpochNs = BigInt(rec.header.start_ns);
  const start = Number(startEpochNs);
  return {
    format: 'prediction', market: null, symbol: null, startEpochNs, steps: n, offsetNs, events, eventsTotal: n, skippedLines: 0, firstProblem: null,
    bind(ingest) {
      let at = 0;
      const apply = bindPredictionReplay(ingest, rec.header, () => start + offsetNs[at]!);
      return {
        apply(i) {
          at = i;
          try { apply(rec.lines[i]!); } catch (e) {
            throw badRecording(`prediction recording: line ${i + 2}: ${e instanceof Error ? e.message : String(e)}`);
          }
          ingest.endOfBatch(0);
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------- frames

function planFrames(bytes: Uint8Array, limitNs: number): RecordingPlan {
  const parser = new RecordingParser();
  let frames;
  try {
    frames = parser.push(bytes);
    parser.end();
  } catch (e) {
    if (e instanceof SpreadcoreError) throw badRecording(`spreadcore recording: ${e.message}`);
    throw e;
  }
  const offsets = new MonotoneOffset();
  let n = 0;
  while (n < frames.length && offsets.next(frames[n]!.offsetNs) <= limitNs) n++;
  const offsetNs = new Float64Array(n);
  const events = new Uint32Array(n);
  const mono = new MonotoneOffset();
  let total = 0;
  for (let i = 0; i < n; i++) {
    const f = frames[i]!;
    offsetNs[i] = mono.next(f.offsetNs);
    events[i] = frameMessageCount(f.frame);
    total += events[i]!;
  }
  return {
    format: 'screc', market: null, symbol: null, startEpochNs: parser.header!.startEpochNs, steps: n, offsetNs, events,
    eventsTotal: total, skippedLines: 0, firstProblem: null,
    bind(ingest) {
      const decoder = new FrameDecoder({ isKnownSymbol: (id) => ingest.symbolState(id) !== undefined });
      return {
        apply(i) {
          const frame = frames[i]!.frame;
          // the feed handler's path: the WASM fast path first, the decoder for what it hands back
          let code = ingest.applyFrameFast(frame);
          if (code < 0) code = decoder.decodeFrame(frame, ingest);
          if (code !== DECODE_OK) {
            const where = code === DECODE_ERR_SINK_THREW ? '' : ` at byte ${decoder.errorOffset}`;
            const cause = code === DECODE_ERR_SINK_THREW && decoder.lastSinkError instanceof Error ? `: ${decoder.lastSinkError.message}` : '';
            throw badRecording(`spreadcore recording: frame ${i + 1} does not decode: ${DECODE_CODE_NAMES[code]}${where}${cause}`);
          }
        },
      };
    },
  };
}

// ---------------------------------------------------------------------------- Binance lines

/** USD-M when its depth events carry pu or its bookTickers E; null when the message does not tell. */
function marketOf(msg: BinanceMessage): BinanceMarket | null {
  if (msg.kind === 'depth') return msg.prevFinalUpdateId >= 0 ? 'usdm' : 'spot';
  if (msg.kind === 'bookTicker') return msg.eventTimeMs >= 0 ? 'usdm' : 'spot';
  return null;
}

function eventsOf(msg: BinanceMessage): number {
  switch (msg.kind) {
    case 'depth':
    case 'snapshot': return msg.bids.length + msg.asks.length;
    case 'trade': return 1;
    default: return 0; // bookTicker (a step, not applied), aggTrade (the trade stream feeds trades)
  }
}

function planBinance(bytes: Uint8Array, limitNs: number, market: BinanceMarket | null): RecordingPlan {
  const msgs: BinanceMessage[] = [];
  const offsets: number[] = [];
  let start: bigint | null = null;
  let symbol: string | null = null;
  let seen: BinanceMarket | null = null;
  let skipped = 0;
  let firstProblem: string | null = null;
  const mono = new MonotoneOffset();
  for (const item of readBinanceRecordingBuffer(bytes)) {
    if (item.kind === 'fault') {
      skipped++;
      firstProblem ??= item.error.message;
      continue;
    }
    start ??= item.tsNs;
    const t = mono.next(Number(item.tsNs - start));
    if (t > limitNs) break;
    const m = item.msg;
    if (m.kind !== 'snapshot') {
      if (symbol === null) symbol = m.symbol;
      else if (m.symbol !== symbol) {
        throw badRecording(`Binance recording line ${item.lineNo} is ${m.symbol}, earlier lines ${symbol}: its REST snapshots name no symbol, so a recording holds one symbol`);
      }
    }
    seen ??= marketOf(m);
    msgs.push(m);
    offsets.push(t);
  }
  if (start === null || symbol === null) {
    const why = firstProblem !== null && start === null ? `first problem: ${firstProblem}` : 'no line holds Binance market data with a symbol';
    throw badRecording(`the data is neither a spreadcore recording nor Binance "<ts_ns> <json>" lines (${why})`);
  }
  if (seen !== null && market !== null && seen !== market) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `params file: market is ${JSON.stringify(market)} but the recording is ${seen === 'usdm' ? 'USD-M futures (depth events carry "pu")' : 'spot'}`);
  }
  const m = market ?? seen;
  if (m === null) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'params file: the recording does not tell spot from USD-M (no depth or bookTicker event): set "market"');
  // each run of the plan (and the pass that measures its feed latency) sees the same message
  // objects: their levels are converted to ticks and lots once per grid, then reused
  return binancePlan({ msgs, offsetNs: Float64Array.from(offsets), startEpochNs: start, symbol, market: m, skippedLines: skipped, firstProblem, levelCache: new Map() });
}

/** What a Binance plan is made of (its parse, or its parse cache: src/backtest/plan-cache.ts). */
export interface BinancePlanParts {
  readonly msgs: readonly BinanceMessage[];
  readonly offsetNs: Float64Array;
  readonly startEpochNs: bigint;
  readonly symbol: string;
  readonly market: BinanceMarket;
  readonly skippedLines: number;
  readonly firstProblem: string | null;
  /** Converted depth levels per grid, filled by the runs (or by the parse cache). */
  readonly levelCache: LevelCache;
}

const partsOfPlan = new WeakMap<RecordingPlan, BinancePlanParts>();

/** The parts a Binance plan was made of; undefined for other plans. */
export function binancePlanParts(plan: RecordingPlan): BinancePlanParts | undefined {
  return partsOfPlan.get(plan);
}

export function binancePlan(parts: BinancePlanParts): RecordingPlan {
  const { msgs, offsetNs, startEpochNs: start, market: m, skippedLines: skipped, firstProblem, levelCache } = parts;
  const n = msgs.length;
  const events = new Uint32Array(n);
  let total = 0;
  for (let i = 0; i < n; i++) { events[i] = eventsOf(msgs[i]!); total += events[i]!; }
  const sym = parts.symbol;
  const plan: RecordingPlan = {
    format: 'binance', market: m, symbol: sym, startEpochNs: start, steps: n, offsetNs, events, eventsTotal: total,
    skippedLines: skipped, firstProblem,
    bind(ingest, instruments) {
      return new BinanceStepApplier(msgs, sym, new BinanceIngestAdapter(ingest, { market: m, symbols: [{ symbol: sym, symbolId: 0 }], instruments, levelCache }));
    },
  };
  partsOfPlan.set(plan, parts);
  return plan;
}

/** A Binance plan's steps through the ingest adapter (one class: every run's calls go to one method). */
class BinanceStepApplier implements StepApplier {
  constructor(private readonly msgs: readonly BinanceMessage[], private readonly symbol: string, private readonly adapter: BinanceIngestAdapter) {}

  apply(i: number): void {
    const msg = this.msgs[i]!;
    if (msg.kind === 'snapshot') this.adapter.onSnapshot(this.symbol, msg);
    // a bookTicker line is a step (its time passes) but changes no book: the live connector
    // compares it with the rebuilt book (spreadcore selfcheck reports that), which no backtest
    // output uses, and it was a fifth of a warm run on the USD-M recording
    else if (msg.kind !== 'bookTicker') this.adapter.onMessage(msg);
  }
}
