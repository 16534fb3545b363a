// Backtest throughput on the real Binance recordings (test/fixtures/binance), release
// build, everything in memory before timing. "Events" are what a recording writes
// to the order book: every price level of a depth event or a snapshot, plus every
// trade (bookTicker lines are read but write nothing; a .screc counts its frame
// messages: level sets and changes, trades, one per snapshot).
//
//  - parse: gunzip + JSON.parse of every line into Binance messages (runBacktest does
//    it once per data array and keeps it: a sweep pays it once);
//  - book only: the parsed steps through the Binance ingest adapter (the live
//    connector's local-book sync) into FeedIngest and the WASM book, no listener; and
//    the same market as a .screc through the feed handler's frame path;
//  - full backtest: runBacktest() with the parse cached: ingest, book, strategy,
//    risk gate, paper exchange (queue, latency, fees), accounting, curves;
//  - full backtest, cold: a new data array each run, so the parse is included (and
//    the one-off replay that reads the recording's feed latency);
//  - the fill-model settings of a trustworthy backtest, parse cached: feed latency
//    "none" (decide at exchange time) against the default "recorded" (receive times,
//    the strategy's clock apart from the exchange's), response latency (every report
//    held back 2 ms in a queue), and the power and log queue models.
//
// Each case runs REPS times after a warm-up; the table gives the median and the
// range over the runs.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/backtest.bench.js
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseBacktestSpec, planRecording, runBacktest } from '../src/backtest/index.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { recordSource } from '../src/feed/replay/record-source.js';
import { openMarketSource } from '../src/feed/replay/source-options.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { DEFAULT_BACKTEST_PARAMS, median } from './support/default-backtest.js';

const REPS = 7;
const FIXTURES = join(process.cwd(), 'test/fixtures/binance');
const PARAMS = DEFAULT_BACKTEST_PARAMS;

interface Row { name: string; events: number; secs: number[]; cpuSecs: number[] }


/** Wall and CPU time (this process) of REPS runs after a warm-up: on a shared machine the CPU time is what the work cost. */
function time(fn: () => number): { events: number; secs: number[]; cpuSecs: number[] } {
  fn(); // warm-up
  const secs: number[] = [];
  const cpuSecs: number[] = [];
  let events = 0;
  for (let i = 0; i < REPS; i++) {
    const c0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    events = fn();
    secs.push(Number(process.hrtime.bigint() - t0) / 1e9);
    const c = process.cpuUsage(c0);
    cpuSecs.push((c.user + c.system) / 1e6);
  }
  return { events, secs, cpuSecs };
}

/** Applies every step of a plan to a fresh ingest (no engine): ingest + WASM book only. */
function bookOnly(bytes: Uint8Array, books: WasmBooks): () => number {
  const plan = planRecording(bytes, { durationS: null, market: null });
  return () => {
    const ingest = new FeedIngest(books);
    ingest.setClock(0);
    try {
      const steps = plan.bind(ingest, []);
      const offsets = plan.offsetNs;
      for (let i = 0; i < plan.steps; i++) {
        ingest.setClock(offsets[i]!);
        steps.apply(i);
      }
      return plan.eventsTotal;
    } finally {
      ingest.close();
    }
  };
}

async function screcOf(path: string): Promise<Buffer> {
  const dir = mkdtempSync(join(tmpdir(), 'bt-bench-'));
  try {
    const out = join(dir, 'x.screc');
    await recordSource(await openMarketSource({ kind: 'binance', path, market: undefined, durationS: undefined }), out);
    return readFileSync(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function main(): Promise<void> {
  const loadStart = loadavg();
  const books = new WasmBooks();
  const spec = parseBacktestSpec(PARAMS);
  const rows: Row[] = [];
  for (const file of ['usdm_btcusdt_20240808.gz', 'spot_btcusdt_20240808.gz']) {
    const gz = readFileSync(join(FIXTURES, file));
    const screc = await screcOf(join(FIXTURES, file));
    const label = file.replace('_20240808.gz', '');
    const parse = time(() => planRecording(gz, { durationS: null, market: null }).eventsTotal);
    rows.push({ name: `${label}: parse (gunzip + JSON lines → steps)`, ...parse });
    rows.push({ name: `${label}: book only, Binance lines (adapter → ingest → WASM book)`, ...time(bookOnly(gz, books)) });
    rows.push({ name: `${label}: book only, same market as .screc (frame fast path → WASM book)`, ...time(bookOnly(screc, books)) });
    rows.push({ name: `${label}: full backtest, parse cached (strategy + risk + paper exchange + accounting)`, ...time(() => runBacktest(gz, spec, { seed: 1 }).objectives.events) });
    rows.push({ name: `${label}: full backtest, cold (parse included)`, ...time(() => runBacktest(Uint8Array.from(gz), spec, { seed: 1 }).objectives.events) });
    for (const [what, extra] of [
      ['feed latency none', { feed_latency: 'none' }],
      ['feed latency recorded + response latency 2 ms', { response_latency_ms: 2 }],
      ['queue model power n=2', { queue_model: 'power', queue_exponent: 2 }],
      ['queue model log', { queue_model: 'log' }],
    ] as const) {
      const s = parseBacktestSpec({ ...PARAMS, ...extra });
      rows.push({ name: `${label}: full backtest, parse cached, ${what}`, ...time(() => runBacktest(gz, s, { seed: 1 }).objectives.events) });
    }
  }
  const out: string[] = [];
  out.push('## Backtest throughput');
  out.push('');
  out.push(`Real Binance recordings of 2024-08-08 (≈346 s each), in memory; ${REPS} runs per case after a warm-up. Events = price levels written to the book (depth events and snapshots) + trades; a .screc counts its frame messages.`);
  out.push('');
  out.push('| case | events | median ms | events/s (median) | events/s (range) | CPU ms (median) | events per CPU-second (median) |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const med = median(r.secs);
    const lo = r.events / Math.max(...r.secs);
    const hi = r.events / Math.min(...r.secs);
    const cpu = median(r.cpuSecs);
    out.push(`| ${r.name} | ${r.events.toLocaleString('en-US')} | ${(med * 1000).toFixed(1)} | ${Math.round(r.events / med).toLocaleString('en-US')} | ${Math.round(lo).toLocaleString('en-US')} – ${Math.round(hi).toLocaleString('en-US')} | ${(cpu * 1000).toFixed(1)} | ${Math.round(r.events / cpu).toLocaleString('en-US')} |`);
  }
  const la = (x: number[]): string => x.map((v) => v.toFixed(2)).join(' / ');
  out.push('', `Load average (1 / 5 / 15 min) at the start ${la(loadStart)}, at the end ${la(loadavg())}: where the wall and CPU columns differ much, other processes held the cores.`);
  process.stdout.write(`${out.join('\n')}\n`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) await main();
