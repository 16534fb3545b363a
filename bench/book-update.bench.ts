// Book update on real Binance recordings (spot BTCUSDT, USD-M BTCUSDT).
// Every depth event the local-book sync applies is pre-converted into flat typed
// arrays (book, side, tick, qty) so that parsing is not measured. Then, in the
// same run and interleaved pass by pass:
//   (a) WASM book, one stageSet per level and one flush per depth event,
//   (b) WASM book, one bookSet call per level,
//   (c) the pure-TS book of bench/ts-book.ts (Map per side + cached best).
// Each depth event is timed with process.hrtime.bigint; ns per level update is the
// event's time divided by its level count (median and p99 over events and passes).
// Separate untimed passes give the whole-replay ns per event and per level.
// Finally the WASM memory.buffer must be the same object after >= 10^6 applied events.
//
// Build and run: npx tsc -p tsconfig.build.json && node dist/bench/book-update.bench.js
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { cpus } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { instantiateCore, type WasmCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { SIDE_ASK, SIDE_BID } from '../src/wasm/layout.js';
import {
  binanceInstrument, loadBinanceRecording, LocalBookSync, SYNC_APPLIED,
  type BinanceMarket, type DecimalPair, type DepthUpdate,
} from '../src/feed/binance/index.js';
import type { Instrument } from '../src/orderbook/instrument.js';
import { TsBook } from './ts-book.js';

const WARMUP_PASSES = 5;
const TIMED_PASSES = 20;
const WHOLE_PASSES = 10;
const MEMORY_CHECK_EVENTS = 1_000_000;

/** One recording's applied depth events as flat arrays. */
interface Replay {
  name: string;
  book: number;
  events: number;
  levels: number;
  /** Level range of event e: [evStart[e], evStart[e + 1]). */
  evStart: Int32Array;
  lvBook: Int32Array;
  lvSide: Uint8Array;
  lvTick: Float64Array;
  lvQty: Float64Array;
  snapSide: Uint8Array;
  snapTick: Float64Array;
  snapQty: Float64Array;
}

function fixturesDir(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const p = join(dir, 'test', 'fixtures', 'binance');
    if (existsSync(p)) return p;
    dir = dirname(dir);
  }
  throw new Error('test/fixtures/binance not found');
}

function flatten(inst: Instrument, sides: [readonly DecimalPair[], readonly DecimalPair[]]): { side: number[]; tick: number[]; qty: number[] } {
  const side: number[] = [];
  const tick: number[] = [];
  const qty: number[] = [];
  for (let s = 0; s < 2; s++) {
    for (const [p, q] of sides[s]!) {
      side.push(s);
      tick.push(inst.price.toUnits(p, 'price'));
      qty.push(inst.qty.toUnits(q, 'quantity'));
    }
  }
  return { side, tick, qty };
}

/** Runs the real sync once to learn which events apply, then converts them. */
function prepare(books: WasmBooks, file: string, market: BinanceMarket, symbol: string, book: number, name: string): Replay {
  const { messages, faults } = loadBinanceRecording(join(fixturesDir(), file));
  if (faults.length > 0) throw faults[0]!.error;
  const inst = binanceInstrument(market, symbol);
  const byU = new Map<number, DepthUpdate>();
  const applied: DepthUpdate[] = [];
  let snapshot: [readonly DecimalPair[], readonly DecimalPair[]] | null = null;
  const sync = new LocalBookSync(books, 31, inst, market, { onApplied(u) { applied.push(byU.get(u)!); } });
  for (const { msg } of messages) {
    if (msg.kind === 'depth') { byU.set(msg.finalUpdateId, msg); sync.onDepth(msg); }
    else if (msg.kind === 'snapshot') {
      snapshot = [msg.bids, msg.asks];
      if (sync.onSnapshot(msg) !== SYNC_APPLIED) throw new Error(`${name}: snapshot not applied`);
    }
  }
  if (sync.state !== 'live' || sync.gaps !== 0 || snapshot === null) throw new Error(`${name}: replay did not stay in sync`);
  books.reset(31);
  const evStart = new Int32Array(applied.length + 1);
  const side: number[] = [];
  const tick: number[] = [];
  const qty: number[] = [];
  applied.forEach((ev, e) => {
    evStart[e] = side.length;
    const f = flatten(inst, [ev.bids, ev.asks]);
    side.push(...f.side);
    tick.push(...f.tick);
    qty.push(...f.qty);
  });
  evStart[applied.length] = side.length;
  const snap = flatten(inst, snapshot);
  return {
    name, book, events: applied.length, levels: side.length, evStart,
    lvBook: new Int32Array(side.length).fill(book),
    lvSide: Uint8Array.from(side), lvTick: Float64Array.from(tick), lvQty: Float64Array.from(qty),
    snapSide: Uint8Array.from(snap.side), snapTick: Float64Array.from(snap.tick), snapQty: Float64Array.from(snap.qty),
  };
}

// ---- resets (untimed) -------------------------------------------------------------
function resetWasm(books: WasmBooks, r: Replay, book: number): void {
  books.reset(book);
  for (let i = 0; i < r.snapSide.length; i++) books.stageSet(book, r.snapSide[i]!, r.snapTick[i]!, r.snapQty[i]!);
  if (books.flush() !== 0) throw new Error('snapshot refused');
}
function resetTs(ts: TsBook, r: Replay): void {
  ts.clear();
  for (let i = 0; i < r.snapSide.length; i++) ts.set(r.snapSide[i]!, r.snapTick[i]!, r.snapQty[i]!);
}

// ---- timed passes: one sample per event ------------------------------------------------
// Each writes ns per event into perEvent[o + e]; returns the refused count.
function timedStaged(books: WasmBooks, r: Replay, book: number, perEvent: Float64Array, o: number): number {
  const { evStart, lvSide, lvTick, lvQty } = r;
  let refused = 0;
  for (let e = 0; e < r.events; e++) {
    const end = evStart[e + 1]!;
    const t0 = process.hrtime.bigint();
    for (let i = evStart[e]!; i < end; i++) books.stageSet(book, lvSide[i]!, lvTick[i]!, lvQty[i]!);
    refused += books.flush();
    const t1 = process.hrtime.bigint();
    perEvent[o + e] = Number(t1 - t0);
  }
  return refused;
}
function timedPerLevel(books: WasmBooks, r: Replay, book: number, perEvent: Float64Array, o: number): number {
  const { evStart, lvSide, lvTick, lvQty } = r;
  let refused = 0;
  for (let e = 0; e < r.events; e++) {
    const end = evStart[e + 1]!;
    const t0 = process.hrtime.bigint();
    for (let i = evStart[e]!; i < end; i++) if (books.set(book, lvSide[i]!, lvTick[i]!, lvQty[i]!) !== 0) refused++;
    const t1 = process.hrtime.bigint();
    perEvent[o + e] = Number(t1 - t0);
  }
  return refused;
}
function timedTs(ts: TsBook, r: Replay, perEvent: Float64Array, o: number): number {
  const { evStart, lvSide, lvTick, lvQty } = r;
  for (let e = 0; e < r.events; e++) {
    const end = evStart[e + 1]!;
    const t0 = process.hrtime.bigint();
    for (let i = evStart[e]!; i < end; i++) ts.set(lvSide[i]!, lvTick[i]!, lvQty[i]!);
    const t1 = process.hrtime.bigint();
    perEvent[o + e] = Number(t1 - t0);
  }
  return 0;
}

// ---- whole-replay passes: one clock read per pass -----------------------------------
function wholeStaged(books: WasmBooks, r: Replay, book: number): number {
  const { evStart, lvSide, lvTick, lvQty } = r;
  let refused = 0;
  const t0 = process.hrtime.bigint();
  for (let e = 0; e < r.events; e++) {
    const end = evStart[e + 1]!;
    for (let i = evStart[e]!; i < end; i++) books.stageSet(book, lvSide[i]!, lvTick[i]!, lvQty[i]!);
    refused += books.flush();
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (refused !== 0) throw new Error('levels refused');
  return ns;
}
function wholePerLevel(books: WasmBooks, r: Replay, book: number): number {
  const { evStart, lvSide, lvTick, lvQty } = r;
  let refused = 0;
  const t0 = process.hrtime.bigint();
  for (let e = 0; e < r.events; e++) {
    const end = evStart[e + 1]!;
    for (let i = evStart[e]!; i < end; i++) if (books.set(book, lvSide[i]!, lvTick[i]!, lvQty[i]!) !== 0) refused++;
  }
  const ns = Number(process.hrtime.bigint() - t0);
  if (refused !== 0) throw new Error('levels refused');
  return ns;
}
function wholeTs(ts: TsBook, r: Replay): number {
  const { evStart, lvSide, lvTick, lvQty } = r;
  const t0 = process.hrtime.bigint();
  for (let e = 0; e < r.events; e++) {
    const end = evStart[e + 1]!;
    for (let i = evStart[e]!; i < end; i++) ts.set(lvSide[i]!, lvTick[i]!, lvQty[i]!);
  }
  return Number(process.hrtime.bigint() - t0);
}

// ---- statistics -------------------------------------------------------------------------
function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
}
function sortedFinite(values: Float64Array): Float64Array {
  const out = values.filter((v) => Number.isFinite(v));
  return out.sort();
}

interface VariantResult {
  variant: string;
  perLevelP50: number;
  perLevelWeightedP50: number;
  perLevelP99: number;
  perEventP50: number;
  perEventP99: number;
  wholeNsPerEvent: number;
  wholeNsPerLevel: number;
}

function summarize(variant: string, r: Replay, perEvent: Float64Array, wholeNs: number[]): VariantResult {
  const perLevel = new Float64Array(perEvent.length);
  for (let k = 0; k < perEvent.length; k++) {
    const e = k % r.events;
    const n = r.evStart[e + 1]! - r.evStart[e]!;
    perLevel[k] = n > 0 ? perEvent[k]! / n : NaN;
  }
  const pl = sortedFinite(perLevel);
  // median over level updates: each event's ns/level counted once per level it carries
  const order = Array.from(perLevel.keys()).filter((k) => Number.isFinite(perLevel[k]!)).sort((x, y) => perLevel[x]! - perLevel[y]!);
  let total = 0;
  for (const k of order) total += r.evStart[(k % r.events) + 1]! - r.evStart[k % r.events]!;
  let acc = 0;
  let weighted = NaN;
  for (const k of order) {
    acc += r.evStart[(k % r.events) + 1]! - r.evStart[k % r.events]!;
    if (acc * 2 >= total) { weighted = perLevel[k]!; break; }
  }
  const pe = sortedFinite(perEvent);
  const whole = [...wholeNs].sort((a, b) => a - b);
  const wholeMedian = whole[whole.length >> 1]!;
  return {
    variant,
    perLevelP50: percentile(pl, 0.5), perLevelWeightedP50: weighted, perLevelP99: percentile(pl, 0.99),
    perEventP50: percentile(pe, 0.5), perEventP99: percentile(pe, 0.99),
    wholeNsPerEvent: wholeMedian / r.events, wholeNsPerLevel: wholeMedian / r.levels,
  };
}

function sameTop(books: WasmBooks, bookA: number, bookB: number, ts: TsBook, name: string): void {
  const a = [books.bestBidTick(bookA), books.bestBidQty(bookA), books.bestAskTick(bookA), books.bestAskQty(bookA)];
  const b = [books.bestBidTick(bookB), books.bestBidQty(bookB), books.bestAskTick(bookB), books.bestAskQty(bookB)];
  const c = [ts.bestBidTick(), ts.bestBidQty(), ts.bestAskTick(), ts.bestAskQty()];
  if (a.join() !== b.join() || a.join() !== c.join()) throw new Error(`${name}: books disagree: ${a} / ${b} / ${c}`);
  if (books.levelCount(bookA, SIDE_BID) !== ts.levelCount(0) || books.levelCount(bookA, SIDE_ASK) !== ts.levelCount(1)) {
    throw new Error(`${name}: level counts disagree`);
  }
}

function timerOverheadNs(): number {
  const n = 100_000;
  const s = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    const t1 = process.hrtime.bigint();
    s[i] = Number(t1 - t0);
  }
  return percentile(s.sort(), 0.5);
}

const f1 = (x: number): string => (Number.isFinite(x) ? x.toFixed(1) : '–');
const f0 = (x: number): string => Math.round(x).toLocaleString('en-US');

export function run(): void {
  const core: WasmCore = instantiateCore('release');
  const books = new WasmBooks(core);
  const bufferAtStart = core.memory.buffer;
  const byteLengthAtStart = bufferAtStart.byteLength;

  const replays = [
    prepare(books, 'spot_btcusdt_20240808.gz', 'spot', 'BTCUSDT', 0, 'spot BTCUSDT'),
    prepare(books, 'usdm_btcusdt_20240808.gz', 'usdm', 'BTCUSDT', 2, 'USD-M BTCUSDT'),
  ];
  let wasmEventsApplied = 0;
  const tables: string[] = [];

  for (const r of replays) {
    const bookStaged = r.book;
    const bookSet = r.book + 1;
    const ts = new TsBook();
    for (let w = 0; w < WARMUP_PASSES; w++) {
      resetWasm(books, r, bookStaged); timedStaged(books, r, bookStaged, new Float64Array(r.events), 0);
      resetWasm(books, r, bookSet); timedPerLevel(books, r, bookSet, new Float64Array(r.events), 0);
      resetTs(ts, r); timedTs(ts, r, new Float64Array(r.events), 0);
      wasmEventsApplied += 2 * r.events;
    }
    const samples = [0, 1, 2].map(() => new Float64Array(r.events * TIMED_PASSES));
    let refused = 0;
    for (let p = 0; p < TIMED_PASSES; p++) {
      const o = p * r.events;
      resetWasm(books, r, bookStaged); refused += timedStaged(books, r, bookStaged, samples[0]!, o);
      resetWasm(books, r, bookSet); refused += timedPerLevel(books, r, bookSet, samples[1]!, o);
      resetTs(ts, r); timedTs(ts, r, samples[2]!, o);
      sameTop(books, bookStaged, bookSet, ts, r.name);
      wasmEventsApplied += 2 * r.events;
    }
    if (refused !== 0) throw new Error(`${r.name}: ${refused} levels refused`);
    const whole: number[][] = [[], [], []];
    for (let p = 0; p < WHOLE_PASSES; p++) {
      resetWasm(books, r, bookStaged); whole[0]!.push(wholeStaged(books, r, bookStaged));
      resetWasm(books, r, bookSet); whole[1]!.push(wholePerLevel(books, r, bookSet));
      resetTs(ts, r); whole[2]!.push(wholeTs(ts, r));
      sameTop(books, bookStaged, bookSet, ts, r.name);
      wasmEventsApplied += 2 * r.events;
    }
    const results = [
      summarize('(a) WASM, staging + 1 flush/event', r, samples[0]!, whole[0]!),
      summarize('(b) WASM, 1 bookSet call/level', r, samples[1]!, whole[1]!),
      summarize('(c) pure TS (Map + cached best)', r, samples[2]!, whole[2]!),
    ];
    const base = results[0]!;
    const rows = results.map((x) =>
      `| ${r.name} | ${x.variant} | ${f1(x.perLevelP50)} | ${f1(x.perLevelWeightedP50)} | ${f1(x.perLevelP99)} | ${f0(x.perEventP50)} | ${f0(x.perEventP99)} | ` +
      `${f0(x.wholeNsPerEvent)} | ${f1(x.wholeNsPerLevel)} | ${(x.perLevelP50 / base.perLevelP50).toFixed(2)} | ${(x.wholeNsPerLevel / base.wholeNsPerLevel).toFixed(2)} |`);
    tables.push(
      `| ${r.name}: ${r.events.toLocaleString('en-US')} depth events, ${r.levels.toLocaleString('en-US')} level updates ` +
      `(${(r.levels / r.events).toFixed(1)}/event) | | | | | | | | | | |`,
      ...rows);
  }

  // memory: keep applying through the staging path until >= 10^6 events, then the buffer must be the same object
  while (wasmEventsApplied < MEMORY_CHECK_EVENTS) {
    for (const r of replays) {
      resetWasm(books, r, r.book);
      wholeStaged(books, r, r.book);
      wasmEventsApplied += r.events;
    }
  }
  const sameBuffer = core.memory.buffer === bufferAtStart && core.f64.buffer === bufferAtStart &&
    core.memory.buffer.byteLength === byteLengthAtStart;

  const header = [
    '| replay | book | ns/level p50 | ns/level p50, level-weighted | ns/level p99 | ns/event p50 | ns/event p99 | whole replay ns/event | whole replay ns/level | ratio to (a), p50 ns/level | ratio to (a), whole replay |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|',
  ];
  console.log(`## Book update on recorded Binance depth (release WASM)\n`);
  console.log(`node ${process.version}, ${cpus()[0]?.model ?? 'unknown CPU'} x${cpus().length}; ` +
    `${WARMUP_PASSES} warm-up passes, ${TIMED_PASSES} timed passes (variants interleaved), ${WHOLE_PASSES} whole-replay passes (median)\n`);
  console.log([...header, ...tables].join('\n'));
  console.log(`\nPer-event figures include one process.hrtime.bigint() pair: ~${f0(timerOverheadNs())} ns per event ` +
    `(back-to-back median). The whole-replay columns have no per-event clock reads.`);
  console.log(`\nMemory: ${wasmEventsApplied.toLocaleString('en-US')} depth events applied to WASM books; ` +
    `memory.buffer is ${sameBuffer ? 'the same object' : 'a DIFFERENT object'} (${byteLengthAtStart.toLocaleString('en-US')} bytes) — ${sameBuffer ? 'PASS' : 'FAIL'}`);
  if (!sameBuffer) process.exitCode = 1;
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) run();
