// Two builds of spreadcore side by side on one recording: child processes alternate
// A, B, A, B, … (so a burst of load elsewhere hits both alike); each child runs the
// full backtest `runs` times in one fresh process on the same data array (the parse
// cached after the first run) and reports the CPU time of each run. Printed per build:
// the first run of a fresh process, the settled runs (runs 5 and later), their ratio,
// the load average when each child started, and a signature of the result (its JSON
// length, net P&L and fills) to check that the builds give the same backtest.
// Build A is typically an older commit exported and compiled elsewhere:
//   git archive <commit> | tar -x -C /tmp/base && cd /tmp/base && ln -s <repo>/node_modules && \
//     cp -r <repo>/build . && npx tsc -p tsconfig.build.json   (use that commit's build/*.wasm if assembly/ changed)
// Run: node dist/bench/support/backtest-ab.js <distA> <distB> <recording> [rounds=3] [runs=10] [cacheDirB]
// With cacheDirB, build B's children run with the parse cache in that directory
// (BacktestOptions.parseCache, filled by one uncounted child first); A and B may then be
// the same build, to compare a fresh process's first run without and with the cache.
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_BACKTEST_PARAMS, BACKTEST_CHILD, median } from './default-backtest.js';

const PARAMS = DEFAULT_BACKTEST_PARAMS;


interface ChildRun { events: number; sig: string; cpuMs: number[]; load: number }


function main(): void {
  const [distA, distB, file, roundsArg, runsArg, cacheDirB] = process.argv.slice(2);
  if (distA === undefined || distB === undefined || file === undefined) {
    console.error('usage: backtest-ab <distA> <distB> <recording> [rounds] [runs]');
    process.exit(2);
  }
  const rounds = Number(roundsArg ?? 3);
  const runs = Number(runsArg ?? 10);
  const runsOf: Record<'A' | 'B', ChildRun[]> = { A: [], B: [] };
  const child = (dist: string, n: number, cacheDir: string | undefined): ReturnType<typeof spawnSync> =>
    spawnSync(process.execPath, ['--input-type=module', '-e', BACKTEST_CHILD, resolve(dist), resolve(file), String(n), JSON.stringify(PARAMS), ...(cacheDir === undefined ? [] : [resolve(cacheDir)])], { encoding: 'utf8' });
  if (cacheDirB !== undefined) child(distB, 1, cacheDirB); // fills the cache
  for (let r = 0; r < rounds; r++) {
    for (const [k, dist] of [['A', distA], ['B', distB]] as const) {
      const load = loadavg()[0]!;
      const p = child(dist, runs, k === 'B' ? cacheDirB : undefined);
      if (p.status !== 0) throw new Error(`build ${k} failed: ${String(p.stderr)}`);
      runsOf[k].push({ ...(JSON.parse(String(p.stdout).trim().split('\n').pop()!) as Omit<ChildRun, 'load'>), load });
    }
  }
  const rows = ['| build | result | first run, CPU ms (median) | settled, CPU ms (median of runs 5+) | settled events/s per CPU-second | best settled, CPU ms | first / settled | load avg (1 min) at each child |', '|---|---|---:|---:|---:|---:|---:|---|'];
  const settledOf: Record<string, number> = {};
  for (const k of ['A', 'B'] as const) {
    const rs = runsOf[k];
    const first = median(rs.map((x) => x.cpuMs[0]!));
    const settledAll = rs.flatMap((x) => x.cpuMs.slice(4));
    const settled = median(settledAll);
    settledOf[k] = settled;
    const ev = rs[0]!.events;
    rows.push(`| ${k}: ${k === 'A' ? distA : distB}${k === 'B' && cacheDirB !== undefined ? ', parse cache' : ''} | ${rs[0]!.sig} | ${first.toFixed(0)} | ${settled.toFixed(0)} | ${(ev / settled / 1e3).toFixed(2)} M | ${Math.min(...settledAll).toFixed(0)} | ${(first / settled).toFixed(2)} | ${rs.map((x) => x.load.toFixed(1)).join(', ')} |`);
  }
  rows.push('', `${runsOf.A[0]!.events.toLocaleString('en-US')} events; settled speed B / A: ${(settledOf['A']! / settledOf['B']!).toFixed(2)}×`);
  console.log(rows.join('\n'));
}

main();
