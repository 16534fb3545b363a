// Built-in market simulator throughput: simulated exchange events (batches), level
// updates and trades generated per wall-clock second, alone (a sink that drops
// everything) and through FeedIngest into the release WASM books. Each case runs
// RUNS fresh simulators (different seeds) over SIM_SECONDS of simulated time and
// reports the median run; "GCs" counts garbage collections during the timed runs.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/simulator.bench.js
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { FeedSink } from '../src/feed/feed-sink.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { loadCore } from '../src/wasm/load.js';

const SIM_SECONDS = 300;
const RUNS = 5;

/** Drops everything but counts level updates (so the call is not optimized away). */
class CountingSink implements FeedSink {
  levelUpdates = 0;
  trades = 0;
  batches = 0;
  instrument(): void {}
  snapshot(): void {}
  levelSet(): void { this.levelUpdates++; }
  levelChange(): void { this.levelUpdates++; }
  trade(): void { this.trades++; }
  heartbeat(): void {}
  endOfBatch(): void { this.batches++; }
}

interface Case { name: string; config: SimConfigInput; ingest: boolean }
interface Run { wallS: number; batches: number; levelUpdates: number; trades: number }

function runOnce(c: Case, seed: number, books: WasmBooks): Run {
  const sim = new MarketSimulator(c.config, seed);
  let sink: FeedSink;
  let counts: () => { batches: number; levelUpdates: number; trades: number };
  if (c.ingest) {
    const ingest = new FeedIngest(books);
    sink = ingest;
    counts = () => {
      let levelUpdates = 0;
      let trades = 0;
      for (const s of ingest.symbols()) { levelUpdates += s.counters.messages - s.counters.trades - s.counters.snapshots; trades += s.counters.trades; }
      return { batches: ingest.counters.batches, levelUpdates, trades };
    };
  } else {
    const counting = new CountingSink();
    sink = counting;
    counts = () => ({ batches: counting.batches, levelUpdates: counting.levelUpdates, trades: counting.trades });
  }
  sim.start(sink);
  const before = counts();
  const t0 = performance.now();
  sim.advanceTo(sim.startTsNs + SIM_SECONDS * 1e9, sink);
  const wallS = (performance.now() - t0) / 1e3;
  const after = counts();
  return { wallS, batches: after.batches - before.batches, levelUpdates: after.levelUpdates - before.levelUpdates, trades: after.trades - before.trades };
}

export async function runSimulatorBench(): Promise<string> {
  const core = loadCore();
  const books = new WasmBooks(core);
  const cases: Case[] = [
    { name: 'default market (BTCUSDT, ETHUSDT, BTC-100K-YES), generation only', config: {}, ingest: false },
    { name: 'default market through FeedIngest', config: {}, ingest: true },
    { name: 'BTCUSDT in the news regime (jumps, 3x flow), generation only', config: { instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'news', switching: false } }] }, ingest: false },
    { name: 'BTCUSDT in the news regime through FeedIngest', config: { instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'news', switching: false } }] }, ingest: true },
  ];
  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });

  const rows = [
    `market simulator (${core.target} WASM build for the ingest cases; ${SIM_SECONDS} s of simulated time per run, median of ${RUNS} runs)`,
    '',
    '| case | events (batches)/s | level updates/s | trades/s | simulated s per wall s | events per simulated s | GCs per run |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const c of cases) {
    runOnce(c, 99, books); // warm-up
    await new Promise((r) => setTimeout(r, 0)); // let the observer drain
    gcs = 0;
    const runs: Run[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(runOnce(c, i + 1, books));
    await new Promise((r) => setTimeout(r, 0));
    runs.sort((a, b) => a.batches / a.wallS - b.batches / b.wallS);
    const m = runs[RUNS >> 1]!;
    const f = (x: number): string => Math.round(x).toLocaleString('en-US');
    rows.push(`| ${c.name} | ${f(m.batches / m.wallS)} | ${f(m.levelUpdates / m.wallS)} | ${f(m.trades / m.wallS)} | `
      + `${f(SIM_SECONDS / m.wallS)} | ${f(m.batches / SIM_SECONDS)} | ${(gcs / RUNS).toFixed(1)} |`);
  }
  obs.disconnect();
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runSimulatorBench());
}
