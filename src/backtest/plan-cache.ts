// The parse cache of a Binance recording on disk: what a backtest made of the
// recording's `<ts_ns> <json>` lines (its steps, the messages, their depth levels
// converted to ticks and lots on the run's grid, and the feed latency measured from
// them), so that a fresh process running the same recording again skips the gunzip,
// the JSON parse, the level conversion and the feed-latency pass. The result is the
// same, byte for byte, with or without the cache.
//
// One file per recording content (SHA-256 of the bytes as given), plan (duration_s,
// market) and grid: <dir>/binance-<hex>.plan. Layout: "SCPC", version (u32), the
// header's length (u32), the header (JSON, padded to 8 bytes), the typed sections the
// header lists (8-aligned), then the SHA-256 of everything before it. A file whose
// checksum, magic, version or header does not match is reported (onNote) and rebuilt;
// a file that cannot be written is reported and the run goes on without it.
//
// Depth events whose levels all lie on the grid are stored as numbers only: their
// level strings are not kept (bids and asks hold placeholders of the right length)
// and the plan's level cache holds their (tick, lots) pairs for that grid, the only
// grid the cached plan is used with. Any other message (a snapshot, a depth event
// the run never converted) is stored whole, as JSON. bookTicker lines are steps that
// no backtest applies: only their kind is kept.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import type { LevelCache } from '../feed/binance/depth-sync.js';
import type { AggTrade, BinanceMarket, BinanceMessage, DecimalPair, DepthSnapshot, DepthUpdate, Trade } from '../feed/binance/messages.js';
import type { FeedLagJson } from './backtest-result.js';
import { binancePlan, binancePlanParts, type RecordingPlan } from './recording-plan.js';

const MAGIC = 0x43504353; // "SCPC" little-endian
/**
 * Files are keyed by the recording's bytes, not by the code that parsed them: bump this
 * when the Binance parse, the messages or the feed-latency measurement change what a plan
 * holds, so that older files are rebuilt (reported as corrupt: "version …").
 */
const VERSION = 1;
const SUM_BYTES = 32;

export interface PlanCacheOptions {
  /** Directory of the cache files (created when missing). */
  readonly dir: string;
  /** Told of a file read or written, and of a file that was corrupt or could not be read or written. */
  readonly onNote?: (message: string) => void;
}

/** The recording's clock correction and feed-latency statistics, as run-backtest measures them. */
export interface CachedClocks {
  readonly correctionNs: number;
  readonly stats: FeedLagJson | null;
}

export interface CachedPlan {
  readonly plan: RecordingPlan;
  readonly clocks: CachedClocks;
}

/** SHA-256 of the recording's bytes, hex. */
export function recordingHash(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The cache file of a recording (hash) and plan key in dir (the grid is in the file: another grid rebuilds it). */
export function planCacheFile(dir: string, sourceHash: string, planKey: string): string {
  const id = createHash('sha256').update(`${sourceHash}\n${planKey}`).digest('hex').slice(0, 40);
  return join(dir, `binance-${id}.plan`);
}

const K_DEPTH = 0;
const K_WHOLE = 1;
const K_TRADE = 2;
const K_AGG = 3;
const K_TICKER = 4;

interface Header {
  source_sha256: string;
  plan_key: string;
  grid: string;
  market: BinanceMarket;
  symbol: string;
  start_epoch_ns: string;
  steps: number;
  skipped_lines: number;
  first_problem: string | null;
  correction_ns: number;
  feed_latency: FeedLagJson | null;
  /** Step index and message of every message stored whole. */
  whole: [number, BinanceMessage][];
  /** price, qty of every trade and aggTrade, in step order. */
  trade_strings: string[];
  sections: Record<SectionName, [offset: number, length: number]>;
}

type SectionName = 'offsets' | 'kinds' | 'depth_num' | 'depth_counts' | 'depth_pairs' | 'trade_num' | 'agg_num';

/**
 * Writes the cache file of a Binance plan after a run on grid `grid` (its depth levels
 * converted by that run). Atomic (a temporary file renamed). False, with a note, when
 * it could not be written.
 */
export function writePlanCache(file: string, opts: PlanCacheOptions, sourceHash: string, planKey: string, grid: string, plan: RecordingPlan, clocks: CachedClocks): boolean {
  const parts = binancePlanParts(plan);
  if (parts === undefined) return false;
  const converted = parts.levelCache.get(grid);
  const n = parts.msgs.length;
  const kinds = new Uint8Array(n);
  const whole: [number, BinanceMessage][] = [];
  const tradeStrings: string[] = [];
  const depthNum: number[] = [];
  const depthCounts: number[] = [];
  const tradeNum: number[] = [];
  const aggNum: number[] = [];
  const pairsList: Float64Array[] = [];
  let pairsLen = 0;
  for (let i = 0; i < n; i++) {
    const m = parts.msgs[i]!;
    if (m.kind === 'depth') {
      const pairs = converted?.get(m);
      if (pairs === undefined || pairs === null) { kinds[i] = K_WHOLE; whole.push([i, m]); continue; }
      kinds[i] = K_DEPTH;
      depthNum.push(m.firstUpdateId, m.finalUpdateId, m.prevFinalUpdateId, m.eventTimeMs, m.transactTimeMs);
      depthCounts.push(m.bids.length, m.asks.length);
      const len = 2 * (m.bids.length + m.asks.length);
      pairsList.push(pairs.length === len ? pairs : pairs.subarray(0, len));
      pairsLen += len;
    } else if (m.kind === 'trade') {
      kinds[i] = K_TRADE;
      tradeNum.push(m.tradeId, m.tradeTimeMs, m.eventTimeMs, m.buyerIsMaker ? 1 : 0);
      tradeStrings.push(m.price, m.qty);
    } else if (m.kind === 'aggTrade') {
      kinds[i] = K_AGG;
      aggNum.push(m.aggTradeId, m.firstTradeId, m.lastTradeId, m.tradeTimeMs, m.eventTimeMs, m.buyerIsMaker ? 1 : 0);
      tradeStrings.push(m.price, m.qty);
    } else if (m.kind === 'bookTicker') {
      kinds[i] = K_TICKER;
    } else {
      kinds[i] = K_WHOLE;
      whole.push([i, m]);
    }
  }
  const depthPairs = new Float64Array(pairsLen);
  let at = 0;
  for (const p of pairsList) { depthPairs.set(p, at); at += p.length; }
  const arrays: [SectionName, ArrayBufferView][] = [
    ['offsets', parts.offsetNs], ['kinds', kinds], ['depth_num', Float64Array.from(depthNum)], ['depth_counts', Uint32Array.from(depthCounts)],
    ['depth_pairs', depthPairs], ['trade_num', Float64Array.from(tradeNum)], ['agg_num', Float64Array.from(aggNum)],
  ];
  const sections = {} as Header['sections'];
  let off = 0;
  for (const [name, a] of arrays) {
    sections[name] = [off, a.byteLength];
    off += Math.ceil(a.byteLength / 8) * 8;
  }
  const header: Header = {
    source_sha256: sourceHash, plan_key: planKey, grid, market: parts.market, symbol: parts.symbol, start_epoch_ns: parts.startEpochNs.toString(),
    steps: n, skipped_lines: parts.skippedLines, first_problem: parts.firstProblem, correction_ns: clocks.correctionNs, feed_latency: clocks.stats,
    whole, trade_strings: tradeStrings, sections,
  };
  const head = Buffer.from(JSON.stringify(header), 'utf8');
  const headPadded = Math.ceil((12 + head.length) / 8) * 8;
  const total = headPadded + off + SUM_BYTES;
  const out = Buffer.alloc(total);
  out.writeUInt32LE(MAGIC, 0);
  out.writeUInt32LE(VERSION, 4);
  out.writeUInt32LE(head.length, 8);
  head.copy(out, 12);
  for (const [name, a] of arrays) out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), headPadded + sections[name][0]);
  createHash('sha256').update(out.subarray(0, total - SUM_BYTES)).digest().copy(out, total - SUM_BYTES);
  // per process and thread: the workers of one sweep may write the same file at once (the last rename wins; both are whole)
  const tmp = `${file}.${process.pid}.${threadId}.tmp`;
  try {
    mkdirSync(opts.dir, { recursive: true });
    writeFileSync(tmp, out);
    renameSync(tmp, file);
  } catch (e) {
    try { rmSync(tmp, { force: true }); } catch { /* nothing was written */ }
    const code = (e as NodeJS.ErrnoException).code;
    // mkdir of a path that is (or runs through) a file: say so rather than "EEXIST: file already exists, mkdir …"
    const why = code === 'EEXIST' || code === 'ENOTDIR' ? `${opts.dir} is not a directory (${code})` : (e as Error).message;
    opts.onNote?.(`parse cache: could not write ${file}: ${why}`);
    return false;
  }
  opts.onNote?.(`parse cache: wrote ${file}`);
  return true;
}

/** Shared placeholder level arrays, one per length: a cached depth event's levels are its pairs. */
const PLACEHOLDER: DecimalPair = Object.freeze(['', ''] as const);
const placeholders: (readonly DecimalPair[])[] = [];
function placeholderLevels(n: number): readonly DecimalPair[] {
  let a = placeholders[n];
  if (a === undefined) { a = Object.freeze(new Array<DecimalPair>(n).fill(PLACEHOLDER)); placeholders[n] = a; }
  return a;
}

class CorruptCache extends Error {}
/** A sound file made for another grid (instruments): rebuilt without a note. */
class OtherGrid extends Error {}

/**
 * The cached plan of a recording, or null when there is no file (a miss) or it is
 * unusable (reported through onNote: it will be rebuilt by the caller).
 */
export function readPlanCache(
  file: string, opts: PlanCacheOptions, sourceHash: string, planKey: string, gridOf: (market: BinanceMarket, symbol: string) => string | null,
): CachedPlan | null {
  let buf: Buffer;
  try {
    buf = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') opts.onNote?.(`parse cache: cannot read ${file}: ${(e as Error).message}; parsing the recording`);
    return null;
  }
  try {
    const hit = decode(buf, sourceHash, planKey, gridOf);
    opts.onNote?.(`parse cache: read ${file}`);
    return hit;
  } catch (e) {
    if (e instanceof OtherGrid) return null;
    const why = e instanceof CorruptCache ? e.message : `unreadable (${(e as Error).message})`;
    opts.onNote?.(`parse cache: ${file} is corrupt: ${why}; parsing the recording and rebuilding it`);
    return null;
  }
}

function decode(buf: Buffer, sourceHash: string, planKey: string, gridOf: (market: BinanceMarket, symbol: string) => string | null): CachedPlan {
  if (buf.length < 12 + SUM_BYTES) throw new CorruptCache(`${buf.length} bytes, too short`);
  const body = buf.subarray(0, buf.length - SUM_BYTES);
  const sum = createHash('sha256').update(body).digest();
  if (!sum.equals(buf.subarray(buf.length - SUM_BYTES))) throw new CorruptCache('its checksum does not match its content');
  if (buf.readUInt32LE(0) !== MAGIC) throw new CorruptCache('not a parse cache file (magic)');
  const version = buf.readUInt32LE(4);
  if (version !== VERSION) throw new CorruptCache(`version ${version}, this build reads ${VERSION}`);
  const headLen = buf.readUInt32LE(8);
  const h = JSON.parse(buf.toString('utf8', 12, 12 + headLen)) as Header;
  if (h.source_sha256 !== sourceHash || h.plan_key !== planKey) throw new CorruptCache('made for another recording or plan');
  const grid = gridOf(h.market, h.symbol);
  if (grid !== h.grid) throw new OtherGrid();
  const base = Math.ceil((12 + headLen) / 8) * 8;
  // one aligned copy when the bytes are not 8-aligned in their buffer
  const ab = buf.byteOffset % 8 === 0 ? buf.buffer : new Uint8Array(buf).buffer;
  const at = buf.byteOffset % 8 === 0 ? buf.byteOffset + base : base;
  const sec = <T>(name: SectionName, make: (b: ArrayBufferLike, off: number, n: number) => T, size: number): T => {
    const [off, len] = h.sections[name];
    if (off + len > body.length - base || len % size !== 0) throw new CorruptCache(`section ${name} out of bounds`);
    return make(ab, at + off, len / size);
  };
  const offsetNs = sec('offsets', (b, o, n) => new Float64Array(b, o, n), 8);
  const kinds = sec('kinds', (b, o, n) => new Uint8Array(b, o, n), 1);
  const depthNum = sec('depth_num', (b, o, n) => new Float64Array(b, o, n), 8);
  const depthCounts = sec('depth_counts', (b, o, n) => new Uint32Array(b, o, n), 4);
  const depthPairs = sec('depth_pairs', (b, o, n) => new Float64Array(b, o, n), 8);
  const tradeNum = sec('trade_num', (b, o, n) => new Float64Array(b, o, n), 8);
  const aggNum = sec('agg_num', (b, o, n) => new Float64Array(b, o, n), 8);
  const n = h.steps;
  if (offsetNs.length !== n || kinds.length !== n) throw new CorruptCache('step count does not match its sections');
  const symbol = h.symbol;
  const levelCache: LevelCache = new Map();
  const converted: WeakMap<DepthUpdate | DepthSnapshot, Float64Array | null> = new WeakMap();
  levelCache.set(grid, converted);
  const msgs = new Array<BinanceMessage>(n);
  const ticker = Object.freeze({ kind: 'bookTicker', symbol }) as unknown as BinanceMessage;
  let d = 0;
  let p = 0;
  let t = 0;
  let g = 0;
  let s = 0;
  let w = 0;
  const ts = h.trade_strings;
  for (let i = 0; i < n; i++) {
    switch (kinds[i]) {
      case K_DEPTH: {
        const nb = depthCounts[2 * d]!;
        const na = depthCounts[2 * d + 1]!;
        const len = 2 * (nb + na);
        if (p + len > depthPairs.length) throw new CorruptCache('depth levels out of bounds');
        const msg: DepthUpdate = {
          kind: 'depth', symbol, firstUpdateId: depthNum[5 * d]!, finalUpdateId: depthNum[5 * d + 1]!, prevFinalUpdateId: depthNum[5 * d + 2]!,
          eventTimeMs: depthNum[5 * d + 3]!, transactTimeMs: depthNum[5 * d + 4]!, bids: placeholderLevels(nb), asks: placeholderLevels(na),
        };
        converted.set(msg, depthPairs.subarray(p, p + len));
        msgs[i] = msg;
        p += len;
        d++;
        break;
      }
      case K_TRADE: {
        const msg: Trade = {
          kind: 'trade', symbol, tradeId: tradeNum[4 * t]!, price: ts[s]!, qty: ts[s + 1]!, tradeTimeMs: tradeNum[4 * t + 1]!,
          eventTimeMs: tradeNum[4 * t + 2]!, buyerIsMaker: tradeNum[4 * t + 3] === 1,
        };
        msgs[i] = msg;
        t++;
        s += 2;
        break;
      }
      case K_AGG: {
        const msg: AggTrade = {
          kind: 'aggTrade', symbol, aggTradeId: aggNum[6 * g]!, firstTradeId: aggNum[6 * g + 1]!, lastTradeId: aggNum[6 * g + 2]!,
          price: ts[s]!, qty: ts[s + 1]!, tradeTimeMs: aggNum[6 * g + 3]!, eventTimeMs: aggNum[6 * g + 4]!, buyerIsMaker: aggNum[6 * g + 5] === 1,
        };
        msgs[i] = msg;
        g++;
        s += 2;
        break;
      }
      case K_TICKER: msgs[i] = ticker; break;
      case K_WHOLE: {
        const e = h.whole[w++];
        if (e === undefined || e[0] !== i) throw new CorruptCache(`message of step ${i} missing`);
        msgs[i] = e[1];
        break;
      }
      default: throw new CorruptCache(`unknown message kind ${kinds[i]} at step ${i}`);
    }
  }
  if (s !== ts.length || w !== h.whole.length || p !== depthPairs.length) throw new CorruptCache('sections and messages do not match');
  const plan = binancePlan({
    msgs, offsetNs, startEpochNs: BigInt(h.start_epoch_ns), symbol, market: h.market, skippedLines: h.skipped_lines, firstProblem: h.first_problem,
    levelCache,
  });
  return { plan, clocks: { correctionNs: h.correction_ns, stats: h.feed_latency } };
}
