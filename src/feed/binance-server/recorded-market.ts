// A recorded Binance market as a server replays it: the stream messages of one or
// more single-symbol recordings (`<ts_ns> <json>` lines, gzip or plain), merged by
// receive time, starting at the depth event that bridges each recording's REST
// snapshot. A player keeps a reference book per symbol (referenceBooks,
// playOnBooks) that follows the depth events as they are played, so a REST
// snapshot can be served at any moment.
import { readFileSync } from 'node:fs';
import { SpreadcoreError } from '../../errors.js';
import { readRecordingBuffer } from '../recording/read-recording.js';
import { parseBinanceMessage } from '../binance/parse-message.js';
import type { BinanceMarket, DepthSnapshot, DepthUpdate } from '../binance/messages.js';
import { ReferenceBook } from './reference-book.js';

export type RecordedStreamKind = 'depth' | 'trade' | 'aggTrade' | 'bookTicker';

export interface RecordedStreamMessage {
  /** Receive time offset from the first message of the market, ns. */
  readonly offsetNs: number;
  /** Upper-case symbol, e.g. BTCUSDT. */
  readonly symbol: string;
  readonly kind: RecordedStreamKind;
  /** The event payload as JSON text (the "data" of the combined-stream wrapper). */
  readonly dataJson: string;
  /** Depth events: the parsed event (applied to the reference book when played). */
  readonly depth: DepthUpdate | null;
}

function bridges(market: BinanceMarket, snap: DepthSnapshot, d: DepthUpdate): boolean {
  const L = snap.lastUpdateId;
  if (market === 'spot') return d.firstUpdateId <= L + 1 && d.finalUpdateId >= L + 1;
  return d.finalUpdateId >= L && (d.firstUpdateId <= L || d.prevFinalUpdateId <= L);
}

interface LoadedRecording { symbol: string; snapshot: DepthSnapshot; messages: { tsNs: bigint; msg: Omit<RecordedStreamMessage, 'offsetNs'> }[] }

/** The payload text of a combined-stream line `{"stream":"…","data":{…}}`, without re-serialising it. */
function dataText(json: string, data: unknown): string {
  const at = json.indexOf(',"data":');
  if (json.startsWith('{"stream":"') && at > 0 && json.endsWith('}')) return json.slice(at + 8, -1);
  return JSON.stringify(data);
}

function loadOne(market: BinanceMarket, bytes: Uint8Array, name: string): LoadedRecording {
  const lines: { tsNs: bigint; json: string; value: unknown; msg: ReturnType<typeof parseBinanceMessage> }[] = [];
  let snapshot: DepthSnapshot | null = null;
  let symbol: string | null = null;
  for (const item of readRecordingBuffer(bytes)) {
    if (item.kind === 'fault') throw new SpreadcoreError(item.error.code, `${name}: ${item.error.message}`);
    let msg: ReturnType<typeof parseBinanceMessage>;
    try {
      msg = parseBinanceMessage(item.value);
    } catch (e) {
      if (!(e instanceof SpreadcoreError)) throw e;
      throw new SpreadcoreError(e.code, `${name}: line ${item.lineNo}: ${e.message}`);
    }
    if (msg.kind === 'snapshot') { snapshot ??= msg; continue; }
    if (symbol === null) symbol = msg.symbol;
    else if (msg.symbol !== symbol) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `${name}: line ${item.lineNo} is for ${msg.symbol}, the recording is for ${symbol} (one symbol per recording)`);
    }
    lines.push({ tsNs: item.tsNs, json: item.json, value: item.value, msg });
  }
  if (snapshot === null || symbol === null) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `${name}: a recording needs a REST snapshot line and stream messages`);
  }
  const messages: LoadedRecording['messages'] = [];
  let started = false;
  for (const { tsNs, json, value, msg } of lines) {
    if (!started) {
      if (msg.kind !== 'depth' || !bridges(market, snapshot, msg)) continue;
      started = true;
    }
    const o = value as Record<string, unknown>;
    const data = typeof o['stream'] === 'string' && 'data' in o ? o['data'] : o;
    const dataJson = dataText(json, data);
    if (msg.kind === 'depth') {
      messages.push({ tsNs, msg: { symbol, kind: 'depth', dataJson, depth: msg } });
    } else if (msg.kind === 'trade') {
      messages.push({ tsNs, msg: { symbol, kind: 'trade', dataJson, depth: null } });
      // the recordings carry no aggTrade stream: each trade is also served as an aggregate of one trade
      const agg = {
        e: 'aggTrade', E: msg.eventTimeMs, s: msg.symbol, a: msg.tradeId, p: msg.price, q: msg.qty,
        f: msg.tradeId, l: msg.tradeId, T: msg.tradeTimeMs, m: msg.buyerIsMaker,
      };
      messages.push({ tsNs, msg: { symbol, kind: 'aggTrade', dataJson: JSON.stringify(agg), depth: null } });
    } else if (msg.kind === 'aggTrade' || msg.kind === 'bookTicker') {
      messages.push({ tsNs, msg: { symbol, kind: msg.kind, dataJson, depth: null } });
    }
  }
  if (!started) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `${name}: no depth event bridges the snapshot lastUpdateId=${snapshot.lastUpdateId}`);
  return { symbol, snapshot, messages };
}

/**
 * The loaded recordings (read-only: several servers may replay the same one).
 * The order book each player keeps comes from referenceBooks().
 */
export class RecordedMarket {
  readonly market: BinanceMarket;
  readonly messages: readonly RecordedStreamMessage[];
  readonly symbols: readonly string[];
  private readonly initial = new Map<string, DepthSnapshot>();

  /** `recordings`: file paths or in-memory bytes (gzip or plain), one symbol each. */
  constructor(market: BinanceMarket, recordings: readonly (string | Uint8Array)[]) {
    this.market = market;
    const loaded = recordings.map((r, i) => loadOne(market, typeof r === 'string' ? readFileSync(r) : r,
      typeof r === 'string' ? r : `recording ${i + 1}`));
    const all: { tsNs: bigint; msg: Omit<RecordedStreamMessage, 'offsetNs'> }[] = [];
    for (const l of loaded) {
      if (this.initial.has(l.symbol)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `two recordings for ${l.symbol}`);
      this.initial.set(l.symbol, l.snapshot);
      all.push(...l.messages);
    }
    // stable merge by receive time
    const order = all.map((m, i) => i).sort((a, b) => {
      const d = all[a]!.tsNs - all[b]!.tsNs;
      return d < 0n ? -1 : d > 0n ? 1 : a - b;
    });
    const t0 = order.length > 0 ? all[order[0]!]!.tsNs : 0n;
    this.messages = order.map((i) => ({ ...all[i]!.msg, offsetNs: Number(all[i]!.tsNs - t0) }));
    this.symbols = [...this.initial.keys()];
  }

  /** The REST snapshot each symbol's recording starts from. */
  initialSnapshot(symbol: string): DepthSnapshot | undefined { return this.initial.get(symbol); }

  /** A fresh order book per symbol, at its recorded snapshot. */
  referenceBooks(): Map<string, ReferenceBook> {
    const books = new Map<string, ReferenceBook>();
    for (const [symbol, s] of this.initial) books.set(symbol, new ReferenceBook(s.lastUpdateId, s.bids, s.asks));
    return books;
  }
}

/** Applies a played message to the reference books (the market moved, whether or not anyone received it). */
export function playOnBooks(books: Map<string, ReferenceBook>, m: RecordedStreamMessage): void {
  const d = m.depth;
  if (d === null) return;
  books.get(m.symbol)?.apply(d.finalUpdateId, d.bids, d.asks);
}
