// Parameter sweep on the worker pool: the same grid of backtests over the whole
// recorded BTCUSDT spot file (5 min 46 s of real Binance data) run by `runSweep`
// with 1 worker and with 2, alternating, two rounds each; two sweep sizes, 16 and
// 64 backtests, because each worker pays a fixed start-up (thread, WebAssembly
// core, its own parse of the recording and the JIT warming up on its first
// backtests) that a small sweep does not amortise. Wall time is the whole sweep as
// a user sees it: checking the points, reading the recording into shared memory,
// the pool, the backtests and the results files. The speed-up compares the best
// round of each worker count. Before and after, two spinning threads measure how
// many cores the process can get at all on this (shared) machine.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/sweep.bench.js
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runSweep, type SweepOutcome } from '../src/sweep/run-sweep.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const ROUNDS = 2;

const dir = mkdtempSync(join(tmpdir(), 'sweep-bench-'));
const params = join(dir, 'params.json');
writeFileSync(params, JSON.stringify({
  symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_levels: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100 },
  fill_model: 'queue', order_latency_ms: 2, cancel_latency_ms: 2, maker_fee_bps: 0, taker_fee_bps: 4,
}));

interface Sweep { name: string; space: string; what: string }
const SWEEPS: Sweep[] = [
  { name: '16', space: JSON.stringify({ spread_bps: [0.5, 1, 2, 3, 4, 6, 8, 16], max_position: [0.004, 0.008] }), what: 'spread_bps 8 × max_position 2' },
  { name: '64', space: JSON.stringify({ spread_bps: [0.5, 1, 2, 3, 4, 6, 8, 16], max_position: [0.002, 0.004, 0.006, 0.008], quote_levels: [1, 3] }), what: 'spread_bps 8 × max_position 4 × quote_levels 2' },
];

interface Round {
  sweep: Sweep; workers: number; round: number; load1: number; seconds: number; cpuSeconds: number;
  backtests: number; events: number; outcome: SweepOutcome;
}

async function once(sweep: Sweep, workers: number, round: number): Promise<Round> {
  const space = join(dir, `space-${sweep.name}.json`);
  writeFileSync(space, sweep.space);
  const load1 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await runSweep({
    dataPath: DATA, paramsPath: params, spacePath: space, search: 'grid', samples: 0, objective: 'net_pnl',
    workers, outDir: join(dir, `out-${sweep.name}-${workers}-${round}`), seed: 1, heatmap: 'none',
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  if (outcome.status !== 'complete' || outcome.doc.failed > 0) throw new Error(`sweep did not complete: ${JSON.stringify(outcome.doc.failures[0])}`);
  const events = outcome.runs.reduce((n, r) => n + r.objectives.events, 0);
  return { sweep, workers, round, load1, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, backtests: outcome.runs.length, events, outcome };
}

/**
 * Cores this process can get right now: n threads spinning for ms, CPU time of the
 * process over wall time. On an idle 2-core machine 2 threads give ~2.
 */
async function coresAvailable(n: number, ms: number): Promise<number> {
  const code = `const t = Date.now(); let x = 0; while (Date.now() - t < ${ms}) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise((done) => new Worker(code, { eval: true }).once('message', done))));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3 / (performance.now() - t0);
}

const coresBefore = await coresAvailable(2, 1000);
const results: Round[] = [];
try {
  for (const sweep of SWEEPS) {
    for (let round = 1; round <= ROUNDS; round++) {
      for (const workers of [1, 2]) results.push(await once(sweep, workers, round));
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
const coresAfter = await coresAvailable(2, 1000);

const perBacktestMs = (r: Round): string => {
  const ms = r.outcome.runs.map((x) => x.elapsedMs).sort((a, b) => a - b);
  return `${ms[Math.floor(ms.length / 2)]!.toFixed(0)} / ${ms[ms.length - 1]!.toFixed(0)}`;
};
const ranking = (r: Round): string => JSON.stringify(r.outcome.doc.runs.map((x) => [x.index, x.objectives]));

const lines: string[] = [];
lines.push('## Parameter sweep on the worker pool: 1 vs 2 workers');
lines.push('');
lines.push(`Grids over the whole spot BTCUSDT recording, ${(results[0]!.events / results[0]!.backtests).toLocaleString('en-US')} events per backtest; ${ROUNDS} rounds per worker count, alternating; ${availableParallelism()} CPUs available.`);
lines.push('');
lines.push(`Cores this process could get (two threads spinning for 1 s, CPU time / wall time): ${coresBefore.toFixed(2)} before the sweeps, ${coresAfter.toFixed(2)} after. The speed-up of 2 workers cannot exceed that.`);
lines.push('');
lines.push('| backtests | workers | round | load avg (1 min) at start | wall s | CPU s (all threads) | CPU / wall | backtests/s | events/s | backtest ms (median / max) |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
for (const r of results) {
  lines.push(`| ${r.backtests} | ${r.workers} | ${r.round} | ${r.load1.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${(r.cpuSeconds / r.seconds).toFixed(2)} | ${(r.backtests / r.seconds).toFixed(2)} | ${Math.round(r.events / r.seconds).toLocaleString('en-US')} | ${perBacktestMs(r)} |`);
}
lines.push('');
let same = true;
for (const sweep of SWEEPS) {
  const rounds = results.filter((r) => r.sweep === sweep);
  const best = (w: number): Round => rounds.filter((r) => r.workers === w).sort((a, b) => a.seconds - b.seconds)[0]!;
  const [b1, b2] = [best(1), best(2)];
  const identical = rounds.every((r) => ranking(r) === ranking(b1));
  same &&= identical;
  lines.push(`- ${b1.backtests} backtests (${sweep.what}): speed-up with 2 workers, best round of each, **${(b1.seconds / b2.seconds).toFixed(2)}×** (${b1.seconds.toFixed(2)} s → ${b2.seconds.toFixed(2)} s); rankings identical in every round: ${identical ? 'yes' : 'NO'}.`);
}
lines.push('');
lines.push('CPU / wall is how many cores the process kept busy on average: near 2 with 2 workers means the pool ran in parallel; well under it means other processes had the cores.');
lines.push('The largest backtest time of a worker is its first: it parses the recording (gunzip and every line) with a cold JIT; later backtests in the same worker reuse the parsed recording and get faster as the JIT warms up.');
process.stdout.write(`${lines.join('\n')}\n`);
if (!same) process.exitCode = 1;
