// The Avellaneda–Stoikov Monte-Carlo experiment (spreadcore simulate) on the release
// build: paths per second through the piscina pool with 1 and 2 worker threads (wall
// time of simulateOnPool, pool start-up and WASM loading included; best of 5 rounds
// that alternate 1 and 2 workers), and
// in one thread the cost of the simulation loop per quote computation against the
// bare quoter call it is built on; and, on one core side by side, the WASM kernel
// (simulateStrategies), the TS loop that calls the quoter once per quote
// (simulateStrategiesPerQuote, what simulateStrategies was before the kernel) and a
// plain vectorised numpy version of the same loop (bench/support/as_numpy.py, run with
// python3 when it is installed), at 1,000 and 20,000 paths.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/simulate.bench.js
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { availableParallelism, loadavg } from 'node:os';
import { PAPER_CONSTANTS, stepCount, type SimulationModel } from '../src/simulate/experiment.js';
import { simulateStrategies, simulateStrategiesPerQuote, simulationQuoter, inventoryQuoteParams } from '../src/simulate/simulate-strategies.js';
import { summarize } from '../src/simulate/summarize.js';
import { chunkPaths, simulateOnPool } from '../src/simulate/simulation-pool.js';

const POOL_PATHS = 8000;
const LOOP_PATHS = 2000;
const ROUNDS = 3;
const POOL_ROUNDS = 5;

function bestOf<T>(rounds: number, f: () => T): [number, T] {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < rounds; r++) {
    const t0 = performance.now();
    value = f();
    best = Math.min(best, performance.now() - t0);
  }
  return [best, value];
}

/** Best CPU time (this process, ms) of `rounds` calls: on a shared machine what the work cost, not how long it waited. */
function bestCpuOf<T>(rounds: number, f: () => T): [number, T] {
  let best = Infinity;
  let value!: T;
  for (let r = 0; r < rounds; r++) {
    const c0 = process.cpuUsage();
    value = f();
    const c = process.cpuUsage(c0);
    best = Math.min(best, (c.user + c.system) / 1e3);
  }
  return [best, value];
}

interface Timed { wallMs: number; cpuMs: number }

/** Wall time and the process's CPU time (every thread, so the workers too). */
async function timedPoolRun(f: () => Promise<unknown>): Promise<Timed> {
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await f();
  const wallMs = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  return { wallMs, cpuMs: (cpu.user + cpu.system) / 1e3 };
}

/** ns per call of the bare quoter on the loop's inputs: compute + both level-0 ticks. */
function bareQuoteNs(model: SimulationModel): number {
  const quoter = simulationQuoter();
  const opts = { ...PAPER_CONSTANTS, model, gamma: 0.1, seed: 1, firstPath: 0, pathCount: 1 };
  quoter.configure(5, inventoryQuoteParams(opts));
  const calls = 2_000_000;
  let sink = 0;
  const run = (): void => {
    for (let i = 0; i < calls; i++) {
      const fair = 1_000_000 + (i & 1023) * 1414.2135;
      const st = quoter.compute(5, -1, fair, (i & 15) - 8);
      sink += st + quoter.bidTick(0, 5) - quoter.askTick(0, 5);
    }
  };
  const [ms] = bestOf(ROUNDS, run);
  if (sink === 0.5) console.error(sink); // keep the loop
  return ms * 1e6 / calls;
}

interface NumpyRun { numpy: string; best_ms: number; ns_per_path_step: number; cpu_ns_per_path_step: number; summary: ReturnType<typeof summarize> }

/** The numpy loop in a python3 child (best of `repeat` runs, timed inside python), or why it could not run. */
function numpyRun(paths: number, model: SimulationModel, repeat: number): NumpyRun | string {
  const script = join(process.cwd(), 'bench/support/as_numpy.py');
  const r = spawnSync('python3', [script, String(paths), '--model', model, '--gamma', '0.1', '--repeat', String(repeat)], { encoding: 'utf8' });
  if (r.error !== undefined) return `python3 could not be started (${r.error.message})`;
  if (r.status !== 0) return `python3 ${script} failed: ${(r.stderr || r.stdout).trim().split('\n').pop() ?? ''}`;
  return JSON.parse(r.stdout) as NumpyRun;
}

/** WASM kernel, per-quote TS loop and numpy, side by side on one core at 1,000 and 20,000 paths. */
function numpyComparison(): string[] {
  const steps = stepCount(PAPER_CONSTANTS);
  const rows: string[] = [
    '',
    `One core, side by side, the same experiment (${steps} steps, both strategies on every path, γ = 0.1): the WASM kernel (simulateStrategies), the TS loop with one quoter call per quote (simulateStrategiesPerQuote, the code before the kernel), and a plain vectorised numpy loop (bench/support/as_numpy.py: one array operation over all paths per step, numpy's PCG64 numbers). CPU time of the process doing the work (best of 3 each; wall time on this shared machine mostly measures the wait for a core), the kernel timed before and after numpy and the best kept. Load average (1 min) at the start of each row in the last column.`,
    '',
    '| model | paths | kernel CPU ns/path-step | per-quote loop CPU ns/path-step | numpy CPU ns/path-step (wall) | numpy / kernel | per-quote / kernel | profit mean ± std, kernel | profit mean ± std, numpy | load avg |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  const notes: string[] = [];
  for (const model of ['avellaneda_stoikov', 'glft'] as const) {
    for (const paths of [1000, 20000]) {
      const load = loadavg()[0]!;
      const opts = { ...PAPER_CONSTANTS, model, gamma: 0.1, seed: 1, firstPath: 0, pathCount: paths };
      simulateStrategies({ ...opts, pathCount: 100 });
      const [k1, res] = bestCpuOf(ROUNDS, () => simulateStrategies(opts));
      const [pq] = bestCpuOf(paths > 5000 ? 1 : ROUNDS, () => simulateStrategiesPerQuote(opts));
      const np = numpyRun(paths, model, ROUNDS);
      const [k2] = bestCpuOf(ROUNDS, () => simulateStrategies(opts));
      const kernelNs = Math.min(k1, k2) * 1e6 / (paths * steps);
      const perQuoteNs = pq * 1e6 / (paths * steps);
      const s = summarize(res.records).inventory;
      const ours = `${s.profit_mean.toFixed(2)} ± ${s.profit_std.toFixed(2)}`;
      if (typeof np === 'string') {
        notes.push(np);
        rows.push(`| ${model} | ${paths} | ${kernelNs.toFixed(1)} | ${perQuoteNs.toFixed(0)} | not run | – | ${(perQuoteNs / kernelNs).toFixed(1)} | ${ours} | – | ${load.toFixed(2)} |`);
      } else {
        const n = np.summary.inventory;
        rows.push(`| ${model} | ${paths} | ${kernelNs.toFixed(1)} | ${perQuoteNs.toFixed(0)} | ${np.cpu_ns_per_path_step.toFixed(1)} (${np.ns_per_path_step.toFixed(0)}) | ${(np.cpu_ns_per_path_step / kernelNs).toFixed(2)} | ${(perQuoteNs / kernelNs).toFixed(1)} | ${ours} | ${n.profit_mean.toFixed(2)} ± ${n.profit_std.toFixed(2)} | ${load.toFixed(2)} |`);
        if (notes.length === 0) notes.push(`numpy ${np.numpy} in python3 (single-threaded: element-wise array operations)`);
      }
    }
  }
  rows.push('', ...[...new Set(notes)].map((n) => `- ${n}`));
  return rows;
}

export async function runSimulateBench(): Promise<string> {
  const steps = stepCount(PAPER_CONSTANTS);
  const rows: string[] = [
    `Monte-Carlo experiment, paper constants (${steps} steps per path, two strategies per path), γ = 0.1, release build; pool: best of ${POOL_ROUNDS} alternating rounds, loop: best of ${ROUNDS}`,
    '',
    `Pool (${POOL_PATHS} paths, chunks of ${chunkPaths(POOL_PATHS, 1)} paths with 1 worker and ${chunkPaths(POOL_PATHS, 2)} with 2; wall time including pool start-up; ${availableParallelism()} cores on this machine):`,
    '',
    '| model | workers | wall ms | CPU ms (all threads) | cores used | paths/s | speed-up |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const model of ['avellaneda_stoikov', 'glft'] as const) {
    const run = { ...PAPER_CONSTANTS, model, gamma: 0.1, seed: 1, paths: POOL_PATHS };
    // alternate 1 and 2 workers so that a burst of load elsewhere hits both alike
    const best = [{ wallMs: Infinity, cpuMs: 0 }, { wallMs: Infinity, cpuMs: 0 }];
    for (let r = 0; r < POOL_ROUNDS; r++) {
      for (const w of [1, 2]) {
        const m = await timedPoolRun(() => simulateOnPool(run, { workers: w }));
        if (m.wallMs < best[w - 1]!.wallMs) best[w - 1] = m;
      }
    }
    const [one, two] = best as [Timed, Timed];
    const row = (w: number, t: Timed, speedUp: number): string =>
      `| ${model} | ${w} | ${t.wallMs.toFixed(0)} | ${t.cpuMs.toFixed(0)} | ${(t.cpuMs / t.wallMs).toFixed(2)} | ${(POOL_PATHS / t.wallMs * 1e3).toFixed(0)} | ${speedUp.toFixed(2)} |`;
    rows.push(row(1, one, 1), row(2, two, one.wallMs / two.wallMs));
  }
  rows.push('', `One thread, simulateStrategies (the WASM kernel) on ${LOOP_PATHS} paths (no pool): its cost per quote (2 per path-step: the quote, two fill draws, RNG, mid move) against one bare quoter call from TS (compute + level-0 ticks):`, '',
    '| model | paths/s | ns per path-step | ns per quote in the kernel | ns per bare quote call from TS | kernel / bare |',
    '|---|---:|---:|---:|---:|---:|');
  for (const model of ['avellaneda_stoikov', 'glft'] as const) {
    const opts = { ...PAPER_CONSTANTS, model, gamma: 0.1, seed: 1, firstPath: 0, pathCount: LOOP_PATHS };
    simulateStrategies({ ...opts, pathCount: 100 }); // warm-up
    const [ms] = bestOf(ROUNDS, () => simulateStrategies(opts));
    const pathSteps = LOOP_PATHS * steps;
    const perQuote = ms * 1e6 / (2 * pathSteps);
    const bare = bareQuoteNs(model);
    rows.push(`| ${model} | ${(LOOP_PATHS / ms * 1e3).toFixed(0)} | ${(ms * 1e6 / pathSteps).toFixed(0)} | ${perQuote.toFixed(0)} | ${bare.toFixed(0)} | ${(perQuote / bare).toFixed(2)} |`);
  }
  rows.push(...numpyComparison());
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runSimulateBench());
}
