// Parameter sweep on the worker pool: the same 16 backtests (a grid of spread ×
// position limit over the whole recorded BTCUSDT spot file, 5 min 46 s of real
// Binance data) run by `runSweep` with 1 worker and with 2, alternating, two
// rounds each. Wall time is the whole sweep as a user sees it: checking the
// points, reading the recording into shared memory, starting the workers (each
// compiles the WebAssembly core and parses the recording once), the backtests,
// and writing results.json / results.csv. The speed-up compares the best round of
// each.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/sweep.bench.js
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runSweep, type SweepOutcome } from '../src/sweep/run-sweep.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const ROUNDS = 2;

const dir = mkdtempSync(join(tmpdir(), 'sweep-bench-'));
const params = join(dir, 'params.json');
const space = join(dir, 'space.json');
writeFileSync(params, JSON.stringify({
  symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_levels: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100 },
  fill_model: 'queue', order_latency_ms: 2, cancel_latency_ms: 2, maker_fee_bps: 0, taker_fee_bps: 4,
}));
writeFileSync(space, JSON.stringify({ spread_bps: [0.5, 1, 2, 3, 4, 6, 8, 16], max_position: [0.004, 0.008] }));

interface Round { workers: number; load1: number; seconds: number; cpuSeconds: number; backtests: number; events: number; outcome: SweepOutcome }

async function once(workers: number, round: number): Promise<Round> {
  const load1 = loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const outcome = await runSweep({
    dataPath: DATA, paramsPath: params, spacePath: space, search: 'grid', samples: 0, objective: 'net_pnl',
    workers, outDir: join(dir, `out-${workers}-${round}`), seed: 1, heatmap: 'none',
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  if (outcome.status !== 'complete' || outcome.doc.failed > 0) throw new Error(`sweep did not complete: ${JSON.stringify(outcome.doc.failures[0])}`);
  const events = outcome.runs.reduce((n, r) => n + r.objectives.events, 0);
  return { workers, load1, seconds, cpuSeconds, backtests: outcome.runs.length, events, outcome };
}

const results: Round[] = [];
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const workers of [1, 2]) results.push(await once(workers, round));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const best = (w: number): Round => results.filter((r) => r.workers === w).sort((a, b) => a.seconds - b.seconds)[0]!;
const b1 = best(1);
const b2 = best(2);
const rankingSame = JSON.stringify(b1.outcome.doc.runs.map((r) => [r.index, r.objectives])) === JSON.stringify(b2.outcome.doc.runs.map((r) => [r.index, r.objectives]));
const perBacktestMs = (r: Round): string => {
  const ms = r.outcome.runs.map((x) => x.elapsedMs).sort((a, b) => a - b);
  return `${ms[Math.floor(ms.length / 2)]!.toFixed(0)} / ${ms[ms.length - 1]!.toFixed(0)}`;
};

const lines: string[] = [];
lines.push('## Parameter sweep on the worker pool: 1 vs 2 workers');
lines.push('');
lines.push(`${b1.backtests} backtests (spread_bps 8 values × max_position 2) over the whole spot BTCUSDT recording, ${(b1.events / b1.backtests).toLocaleString('en-US')} events each; ${ROUNDS} rounds per worker count, alternating; ${availableParallelism()} CPUs available.`);
lines.push('');
lines.push('| workers | round | load avg (1 min) at start | wall s | CPU s (all threads) | CPU / wall | backtests/s | events/s | backtest ms (median / max) |');
lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
results.forEach((r, i) => {
  lines.push(`| ${r.workers} | ${Math.floor(i / 2) + 1} | ${r.load1.toFixed(1)} | ${r.seconds.toFixed(2)} | ${r.cpuSeconds.toFixed(2)} | ${(r.cpuSeconds / r.seconds).toFixed(2)} | ${(r.backtests / r.seconds).toFixed(2)} | ${Math.round(r.events / r.seconds).toLocaleString('en-US')} | ${perBacktestMs(r)} |`);
});
lines.push('');
lines.push(`Speed-up with 2 workers (best round of each): **${(b1.seconds / b2.seconds).toFixed(2)}×** (${b1.seconds.toFixed(2)} s → ${b2.seconds.toFixed(2)} s). Rankings identical: ${rankingSame ? 'yes' : 'NO'}.`);
lines.push('');
lines.push('CPU / wall is how many cores the process kept busy on average: near 2 with 2 workers means the pool ran in parallel; well under it means other processes had the cores.');
lines.push('The largest backtest time per worker is its first: it parses the recording (gunzip and every line) before replaying; later backtests in the same worker reuse the parsed recording.');
process.stdout.write(`${lines.join('\n')}\n`);
if (!rankingSame) process.exitCode = 1;
