// Ingest throughput on one core: level updates per second from wire bytes to the
// WASM book, on the same real updates (the USD-M BTCUSDT recording,
// test/fixtures/binance/usdm_btcusdt_20240808.gz):
//   (a) feed protocol v1: FrameDecoder.decodeFrame → FeedIngest (sequence checks,
//       book apply, end-of-batch crossed check) — one frame per depth event, one
//       level-set message per level;
//   (b) the same frames through FeedIngest.applyFrameFast: one copy into WASM
//       memory and one frameApply call per frame (checks, sequence, book apply in
//       WASM), the ingest reading back the frame's results, then its end of batch;
//   (c) Binance JSON: JSON.parse of the raw line + message validation + exact
//       decimal → ticks/lots conversion + LocalBookSync → WASM book.
// The recording is converted once into protocol frames (the depth events the
// Binance local-book algorithm applies, after its REST snapshot); every path starts
// each pass from the same snapshot (untimed) and all must end with identical books.
// Target (docs/DESIGN): >= 1,000,000 level updates/s for (a) and (b).
// Run: npx tsc -p tsconfig.build.json && node dist/bench/ingest-throughput.bench.js
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import {
  binanceInstrument, binanceInstrumentSpec, LocalBookSync, parseBinanceMessage, SYNC_APPLIED,
  type DepthSnapshot, type DepthUpdate,
} from '../src/feed/binance/index.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { FrameDecoder, FrameEncoder, DECODE_OK } from '../src/feed/protocol/index.js';
import { FAST_FALLBACK_NAMES } from '../src/wasm/frame-fast-path.js';

const WARMUP_PASSES = 5;
const TIMED_PASSES = 15;
const SYMBOL_ID = 1;
const JSON_BOOK = 30;

function fixture(name: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'test', 'fixtures', 'binance', name);
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error(`test/fixtures/binance/${name} not found`);
}

interface Prepared {
  /** Raw JSON text of each applied depth event, in order, and of the snapshot. */
  depthJson: string[];
  snapshotJson: string;
  /** Protocol frames: [0] instrument + snapshot; then one per depth event. */
  setupFrame: Uint8Array;
  frames: Uint8Array[];
  levels: number;
  frameBytes: number;
}

function prepare(books: WasmBooks): Prepared {
  const text = gunzipSync(readFileSync(fixture('usdm_btcusdt_20240808.gz'))).toString('utf8');
  const inst = binanceInstrument('usdm', 'BTCUSDT');
  const spec = binanceInstrumentSpec('usdm', 'BTCUSDT');
  const rawByU = new Map<number, string>();
  const evByU = new Map<number, DepthUpdate>();
  const applied: number[] = [];
  let snapshot: DepthSnapshot | null = null;
  let snapshotJson = '';
  const sync = new LocalBookSync(books, JSON_BOOK, inst, 'usdm', { onApplied(u) { applied.push(u); } });
  for (const line of text.split('\n')) {
    const sp = line.indexOf(' ');
    if (sp < 0) continue;
    const json = line.slice(sp + 1);
    const msg = parseBinanceMessage(JSON.parse(json));
    if (msg.kind === 'depth') {
      rawByU.set(msg.finalUpdateId, json);
      evByU.set(msg.finalUpdateId, msg);
      sync.onDepth(msg);
    } else if (msg.kind === 'snapshot') {
      snapshot = msg;
      snapshotJson = json;
      if (sync.onSnapshot(msg) !== SYNC_APPLIED) throw new Error('snapshot not applied');
    }
  }
  if (snapshot === null || sync.state !== 'live' || sync.gaps !== 0) throw new Error('the recording did not replay in sync');

  // the same updates as protocol frames
  const enc = new FrameEncoder();
  const toPairs = (levels: readonly (readonly [string, string])[]): Float64Array => {
    const out = new Float64Array(2 * levels.length);
    levels.forEach(([p, q], i) => { out[2 * i] = inst.price.toUnits(p); out[2 * i + 1] = inst.qty.toUnits(q); });
    return out;
  };
  enc.instrument({ symbolId: SYMBOL_ID, symbol: 'BTCUSDT', kind: 'perp', tickSize: spec.tickSize, lotSize: spec.lotSize, resolutionTsNs: 0 });
  const sb = toPairs(snapshot.bids);
  const sa = toPairs(snapshot.asks);
  enc.snapshot(SYMBOL_ID, 0, 0, sb, sb.length / 2, sa, sa.length / 2);
  enc.endOfBatch(1);
  const setupFrame = enc.flush();
  const frames: Uint8Array[] = [];
  let seq = 0;
  let levels = 0;
  let frameBytes = 0;
  for (const u of applied) {
    const ev = evByU.get(u)!;
    const ts = ev.eventTimeMs * 1e6;
    for (const [side, ls] of [[0, ev.bids], [1, ev.asks]] as const) {
      for (const [p, q] of ls) enc.levelSet(SYMBOL_ID, ++seq, ts, side, inst.price.toUnits(p), inst.qty.toUnits(q));
    }
    levels += ev.bids.length + ev.asks.length;
    enc.endOfBatch(1);
    const f = enc.flush();
    frameBytes += f.length;
    frames.push(f);
  }
  return { depthJson: applied.map((u) => rawByU.get(u)!), snapshotJson, setupFrame, frames, levels, frameBytes };
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

export function runIngestThroughputBench(): string {
  const core = instantiateCore('release');
  const books = new WasmBooks(core);
  const p = prepare(books);
  const inst = binanceInstrument('usdm', 'BTCUSDT');

  // (a) binary: decoder → ingest
  const ingest = new FeedIngest(books, { staleFeedMs: 1e9 });
  const dec = new FrameDecoder({ isKnownSymbol: (id) => ingest.symbolState(id) !== undefined });
  ingest.setClock();
  if (dec.decodeFrame(p.setupFrame, ingest) !== DECODE_OK) throw new Error('setup frame refused');
  const binBook = ingest.symbolState(SYMBOL_ID)!.book;
  const frames = p.frames;
  const binaryPass = (): number => {
    if (dec.decodeFrame(p.setupFrame, ingest) !== DECODE_OK) throw new Error('snapshot frame refused');
    let bad = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < frames.length; i++) if (dec.decodeFrame(frames[i]!, ingest) !== DECODE_OK) bad++;
    const ns = Number(process.hrtime.bigint() - t0);
    if (bad !== 0 || !ingest.quotable(SYMBOL_ID)) throw new Error(`binary pass: ${bad} frames refused, state ${ingest.symbolState(SYMBOL_ID)!.state}`);
    return ns;
  };

  // (b) binary: WASM fast path, on its own ingest (and book)
  const fastIngest = new FeedIngest(books, { staleFeedMs: 1e9 });
  const fastDec = new FrameDecoder({ isKnownSymbol: (id) => fastIngest.symbolState(id) !== undefined });
  fastIngest.setClock();
  const fastBook = (): number => fastIngest.symbolState(SYMBOL_ID)!.book;
  const fastPass = (): number => {
    if (fastDec.decodeFrame(p.setupFrame, fastIngest) !== DECODE_OK) throw new Error('snapshot frame refused');
    let bad = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < frames.length; i++) if (fastIngest.applyFrameFast(frames[i]!) !== DECODE_OK) bad++;
    const ns = Number(process.hrtime.bigint() - t0);
    if (bad !== 0 || !fastIngest.quotable(SYMBOL_ID)) {
      const why = [...fastIngest.fastPath.fallbacks].map((n, k) => `${FAST_FALLBACK_NAMES[k]} ${n}`).join(', ');
      throw new Error(`fast pass: ${bad} frames not applied by the fast path (${why})`);
    }
    return ns;
  };

  // (c) JSON: parse → convert → LocalBookSync
  const sync = new LocalBookSync(books, JSON_BOOK, inst, 'usdm');
  const snapshotMsg = parseBinanceMessage(JSON.parse(p.snapshotJson)) as DepthSnapshot;
  const json = p.depthJson;
  const jsonPass = (): number => {
    sync.reset();
    if (sync.onSnapshot(snapshotMsg) !== SYNC_APPLIED) throw new Error('snapshot refused');
    let bad = 0;
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < json.length; i++) {
      const msg = parseBinanceMessage(JSON.parse(json[i]!));
      if (msg.kind !== 'depth' || sync.onDepth(msg) !== SYNC_APPLIED) bad++;
    }
    const ns = Number(process.hrtime.bigint() - t0);
    if (bad !== 0 || sync.state !== 'live') throw new Error(`json pass: ${bad} events not applied`);
    return ns;
  };

  const sameBooks = (): void => {
    for (const other of [fastBook(), JSON_BOOK]) {
      const a = books.topLevels(binBook, 1024);
      const b = books.topLevels(other, 1024);
      if (JSON.stringify(a) !== JSON.stringify(b) || books.levelCount(binBook, 0) !== books.levelCount(other, 0)
        || books.levelCount(binBook, 1) !== books.levelCount(other, 1)) {
        throw new Error('the binary, fast-path and JSON paths ended with different books');
      }
    }
  };

  for (let w = 0; w < WARMUP_PASSES; w++) { binaryPass(); fastPass(); jsonPass(); }
  sameBooks();
  const bin: number[] = [];
  const fast: number[] = [];
  const js: number[] = [];
  for (let k = 0; k < TIMED_PASSES; k++) { bin.push(binaryPass()); fast.push(fastPass()); js.push(jsonPass()); }
  sameBooks();

  const events = frames.length;
  const levels = p.levels;
  const jsonBytes = json.reduce((s, x) => s + x.length, 0);
  const row = (name: string, ns: number[], bytes: number): string => {
    const m = median(ns);
    const best = Math.min(...ns);
    return `| ${name} | ${(levels / m * 1e3).toFixed(2)} | ${(levels / best * 1e3).toFixed(2)} | ${(m / levels).toFixed(1)} | `
      + `${(m / events).toFixed(0)} | ${(bytes / levels).toFixed(1)} |`;
  };
  const ratio = median(js) / median(bin);
  const fastRatio = median(bin) / median(fast);
  return [
    `ingest throughput, USD-M BTCUSDT recording: ${events.toLocaleString('en-US')} depth events, ${levels.toLocaleString('en-US')} level updates `
      + `(${(levels / events).toFixed(1)}/event), ${TIMED_PASSES} passes (${core.target} build, one core)`,
    '',
    '| path | M level updates/s (median pass) | M level updates/s (best pass) | ns/level | ns/event | wire bytes/level |',
    '|---|---:|---:|---:|---:|---:|',
    row('(a) protocol v1 frames → FrameDecoder → FeedIngest → WASM book', bin, p.frameBytes),
    row('(b) protocol v1 frames → FeedIngest.applyFrameFast (WASM fast path: copy + frameApply)', fast, p.frameBytes),
    row('(c) Binance JSON → JSON.parse + decimal conversion → LocalBookSync → WASM book', js, jsonBytes),
    '',
    `The fast path (b) is ${fastRatio.toFixed(1)}× the TS decoder path (a), which is ${ratio.toFixed(1)}× the JSON path (c); `
      + `target for (a) and (b): >= 1.00 M level updates/s (${levels / median(bin) * 1e3 >= 1 ? 'met' : 'NOT met'}, `
      + `${levels / median(fast) * 1e3 >= 1 ? 'met' : 'NOT met'}). All three end with identical books.`,
  ].join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(runIngestThroughputBench());
}
