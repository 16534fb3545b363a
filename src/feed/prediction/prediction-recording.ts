// Recordings of prediction-market streams (docs/prediction-markets.md "Recordings"): the
// Kalshi and Polymarket market-data WebSocket messages exactly as received, each with
// its local receive time, as NDJSON (gzip when the file name ends in .gz):
//
//   {"format":"spreadcore-prediction-recording","version":1,"start_ns":"<epoch ns>",
//    "markets":[{"venue":"kalshi","symbol":"KX..","ticker":"KX..","price_level_structure":"linear_cent","close_time":"…"},
//               {"venue":"polymarket","symbol":"POLY-..","token_id":"…","tick_size":"0.01","resolution_ns":0}]}
//   {"t":"<receive time, epoch ns>","v":"kalshi","m":{…one Kalshi WebSocket message…}}
//   {"t":"…","v":"polymarket","m":[…one Polymarket market-channel frame…]}
//
// Replaying runs the same adapters as the live connectors (Kalshi's WebSocket client and
// KalshiMarketData, PolymarketMarketAdapter) into a FeedIngest, so books, trades,
// tick-size changes and settlements (market_lifecycle_v2 determined/settled,
// market_resolved) come out as they did live. Only market data is recorded: no
// fills, orders or keys.
import { createWriteStream, type WriteStream } from 'node:fs';
import { createGzip, type Gzip } from 'node:zlib';
import { SpreadcoreError } from '../../errors.js';
import { marketInfo } from '../../venues/kalshi/kalshi-venue.js';
import { KalshiMarketData } from '../../venues/kalshi/market-data.js';
import type { KalshiMarket } from '../../venues/kalshi/rest-client.js';
import { KalshiWsClient } from '../../venues/kalshi/ws-client.js';
import { PolymarketMarketAdapter } from '../../venues/polymarket/market-data-adapter.js';
import type { FeedIngest } from '../ingest/feed-ingest.js';

export const PREDICTION_RECORDING_FORMAT = 'spreadcore-prediction-recording';

export type RecordedMarket =
  | { readonly venue: 'kalshi'; readonly symbol: string; readonly ticker: string; readonly price_level_structure: string; readonly close_time: string | null }
  | { readonly venue: 'polymarket'; readonly symbol: string; readonly token_id: string; readonly tick_size: string; readonly resolution_ns: number };

export interface RecordingHeader {
  readonly format: typeof PREDICTION_RECORDING_FORMAT;
  readonly version: 1;
  readonly start_ns: string;
  readonly markets: readonly RecordedMarket[];
}

export interface RecordedLine { readonly t: string; readonly v: 'kalshi' | 'polymarket'; readonly m: unknown }

/** Appends messages to a recording file (NDJSON, gzip for *.gz). */
export class PredictionRecorder {
  private readonly out: WriteStream;
  private readonly gz: Gzip | null;
  lines = 0;

  constructor(readonly path: string, markets: readonly RecordedMarket[]) {
    this.out = createWriteStream(path);
    this.gz = /\.gz$/i.test(path) ? createGzip() : null;
    if (this.gz !== null) this.gz.pipe(this.out);
    const header: RecordingHeader = { format: PREDICTION_RECORDING_FORMAT, version: 1, start_ns: String(BigInt(Date.now()) * 1_000_000n), markets };
    this.write(JSON.stringify(header));
  }

  private write(line: string): void { (this.gz ?? this.out).write(`${line}\n`); }

  /** One WebSocket text message of a venue, with its receive time (now). */
  message(venue: 'kalshi' | 'polymarket', text: string): void {
    let m: unknown;
    try { m = JSON.parse(text); } catch { return; }
    this.write(`{"t":"${BigInt(Date.now()) * 1_000_000n}","v":"${venue}","m":${JSON.stringify(m)}}`);
    this.lines++;
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.out.on('close', () => resolve());
      (this.gz ?? this.out).end();
    });
  }
}

/** Whether plain bytes start like a prediction recording. */
export function isPredictionRecording(bytes: Uint8Array): boolean {
  const head = Buffer.from(bytes.subarray(0, 200)).toString('utf8');
  return head.startsWith('{') && head.includes(`"${PREDICTION_RECORDING_FORMAT}"`);
}

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_RECORDING', `prediction recording: ${message}`);
}

export interface ParsedPredictionRecording {
  readonly header: RecordingHeader;
  /** Receive times, ns since the header's start (never decreasing). */
  readonly offsetNs: Float64Array;
  readonly lines: readonly RecordedLine[];
}

/** Reads a whole recording (plain bytes). */
export function parsePredictionRecording(bytes: Uint8Array): ParsedPredictionRecording {
  const text = Buffer.from(bytes).toString('utf8');
  const rows = text.split('\n').filter((l) => l.trim() !== '');
  if (rows.length === 0) throw bad('empty');
  let header: RecordingHeader;
  try { header = JSON.parse(rows[0]!) as RecordingHeader; } catch { throw bad('the first line is not the JSON header'); }
  if (header.format !== PREDICTION_RECORDING_FORMAT || header.version !== 1 || !Array.isArray(header.markets)) throw bad('unknown header (format, version 1, markets)');
  const start = BigInt(header.start_ns);
  const lines: RecordedLine[] = [];
  const offsetNs = new Float64Array(rows.length - 1);
  let last = 0;
  for (let i = 1; i < rows.length; i++) {
    let l: RecordedLine;
    try { l = JSON.parse(rows[i]!) as RecordedLine; } catch { throw bad(`line ${i + 1} is not JSON`); }
    if ((l.v !== 'kalshi' && l.v !== 'polymarket') || typeof l.t !== 'string') throw bad(`line ${i + 1}: needs "t" (ns) and "v" (kalshi or polymarket)`);
    const off = Number(BigInt(l.t) - start);
    last = off > last ? off : last;
    offsetNs[i - 1] = last;
    lines.push(l);
  }
  return { header, offsetNs, lines };
}

/**
 * Binds a recording's markets to an ingest (symbol ids from firstSymbolId) and returns
 * the function that applies one recorded line through the connectors' own adapters.
 * The ingest's clock is the caller's (a backtest sets it to each line's time).
 */
export function bindPredictionReplay(ingest: FeedIngest, header: RecordingHeader, nowNs: () => number, firstSymbolId = 0): (line: RecordedLine) => void {
  const kalshiMarkets = header.markets.filter((m): m is Extract<RecordedMarket, { venue: 'kalshi' }> => m.venue === 'kalshi');
  const polyMarkets = header.markets.filter((m): m is Extract<RecordedMarket, { venue: 'polymarket' }> => m.venue === 'polymarket');
  const ws = new KalshiWsClient({ url: 'ws://recording.invalid' });
  const infos = kalshiMarkets.map((m) => marketInfo({ ticker: m.ticker, price_level_structure: m.price_level_structure, ...(m.close_time !== null ? { close_time: m.close_time } : {}), status: 'active' } as unknown as KalshiMarket));
  const kalshi = new KalshiMarketData(ingest, infos, firstSymbolId, undefined, { nowNs, driveClock: false });
  kalshi.attach(ws);
  const settled = new Set<string>();
  const prev = ws.handlers;
  ws.handlers = {
    ...prev,
    onLifecycle: (m) => {
      const t = String(m['market_ticker'] ?? '');
      const r = m['result'];
      const id = kalshi.symbolId(t);
      if ((m['event_type'] === 'determined' || m['event_type'] === 'settled') && (r === 'yes' || r === 'no') && id !== undefined && !settled.has(t)) {
        settled.add(t);
        ingest.settle(id, nowNs(), r);
      }
    },
  };
  const poly = new PolymarketMarketAdapter(ingest, polyMarkets.map((m) => ({ symbol: m.symbol, tokenId: m.token_id, tickSize: m.tick_size, resolutionTsNs: m.resolution_ns })), firstSymbolId + infos.length);
  return (line) => {
    if (line.v === 'kalshi') ws.applyRecorded(JSON.stringify(line.m));
    else poly.onFrame(JSON.stringify(line.m));
  };
}
