// spreadcore's warm full backtest against hftbacktest 1.8's (numba) on the same
// recording and strategy timing, side by side: child processes alternate
// hftbacktest, spreadcore, hftbacktest, spreadcore, … (so load from elsewhere hits
// both alike); each child runs its backtest `runs` times in one fresh process on data
// already in memory and reports the CPU time of each run. Settled = median of runs 5
// and later of every child; first = the first run of a child (numba's compilation for
// hftbacktest; the gunzip + JSON parse, the feed-latency pass and V8's warm-up for
// spreadcore, or reading its parse cache when one is given).
//
// spreadcore side: the default backtest of bench/support/backtest-ab.ts (seed 000
// parameters, queue fill model, recorded feed latency, order and cancel latency 2 ms)
// on the .gz; hftbacktest side: bench/hftbacktest/grid_mm.py on the .npz made from
// the same .gz by bench/hftbacktest/convert.py (setup in docs/benchmarks.md).
// Both are charged per event of spreadcore's count (levels written + trades).
//
// Run: node dist/bench/hftbacktest/compare.js <recording.gz> <converted.npz> [rounds=3] [runs=10]
//   env PYTHON (default /usr/bin/python3), HFTBACKTEST_SRC (default /tmp/hftbacktest-1.8.4)
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BACKTEST_PARAMS, BACKTEST_CHILD, median } from '../support/default-backtest.js';

const PARAMS = DEFAULT_BACKTEST_PARAMS;


interface ChildRun { sig: string; cpuMs: number[]; load: number; events?: number; rows?: number; counts?: string }


function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): ChildRun {
  const load = loadavg()[0]!;
  const p = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 1 << 26 });
  if (p.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${p.status}): ${p.stderr}`);
  return { ...(JSON.parse(p.stdout.trim().split('\n').pop()!) as Omit<ChildRun, 'load'>), load };
}

function main(): void {
  const [gz, npz, roundsArg, runsArg] = process.argv.slice(2);
  if (gz === undefined || npz === undefined) {
    console.error('usage: compare <recording.gz> <converted.npz> [rounds] [runs]');
    process.exit(2);
  }
  const rounds = Number(roundsArg ?? 3);
  const runs = Number(runsArg ?? 10);
  const here = dirname(fileURLToPath(import.meta.url));
  const dist = resolve(here, '../..'); // dist/bench/hftbacktest → dist
  const script = resolve(here, '../../../bench/hftbacktest/grid_mm.py');
  const python = process.env['PYTHON'] ?? '/usr/bin/python3';
  const env = { ...process.env, PYTHONPATH: process.env['HFTBACKTEST_SRC'] ?? '/tmp/hftbacktest-1.8.4' };
  const hbt: ChildRun[] = [];
  const sc: ChildRun[] = [];
  for (let r = 0; r < rounds; r++) {
    hbt.push(run(python, [script, resolve(npz), String(runs)], env));
    const mine = run(process.execPath, ['--input-type=module', '-e', BACKTEST_CHILD, dist, resolve(gz), String(runs), JSON.stringify(PARAMS)], process.env);
    sc.push({ ...mine, sig: mine.counts ?? mine.sig }); // decisions, orders and fills: comparable with hftbacktest's line
  }
  const events = sc[0]!.events!;
  const rows = [
    `${events.toLocaleString('en-US')} events (spreadcore's count: levels written + trades); hftbacktest's array: ${hbt[0]!.rows!.toLocaleString('en-US')} rows`,
    '',
    '| engine | result | first run, CPU ms (median) | settled, CPU ms (median of runs 5+) | settled events per CPU-second | best settled, CPU ms | load avg (1 min) at each child |',
    '|---|---|---:|---:|---:|---:|---|',
  ];
  const settled: Record<string, number> = {};
  for (const [name, rs] of [['hftbacktest 1.8.4 (numba 0.56.4)', hbt], ['spreadcore', sc]] as const) {
    const first = median(rs.map((x) => x.cpuMs[0]!));
    const all = rs.flatMap((x) => x.cpuMs.slice(4));
    settled[name] = median(all);
    rows.push(`| ${name} | ${rs[0]!.sig} | ${first.toFixed(0)} | ${settled[name]!.toFixed(0)} | ${(events / settled[name]! / 1e3).toFixed(2)} M | ${Math.min(...all).toFixed(0)} | ${rs.map((x) => x.load.toFixed(1)).join(', ')} |`);
  }
  const [a, b] = Object.values(settled);
  rows.push('', `settled speed spreadcore / hftbacktest: ${(a! / b!).toFixed(2)}×`);
  console.log(rows.join('\n'));
}

main();
