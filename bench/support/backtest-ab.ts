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

const PARAMS = {
  symbols: ['BTCUSDT'],
  parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 1, requote_threshold_price: 0.1, quote_refresh_ms: 100 },
  maker_fee_bps: 0,
};

const CHILD = `
const { readFileSync } = await import('node:fs');
const { parseBacktestSpec, runBacktest } = await import(process.argv[1] + '/src/backtest/index.js');
const data = readFileSync(process.argv[2]);
const spec = parseBacktestSpec(JSON.parse(process.argv[4]));
const cpu = () => { const c = process.cpuUsage(); return (c.user + c.system) / 1e3; };
const cpuMs = []; let events = 0; let sig = '';
const cache = process.argv[5] ? { parseCache: { dir: process.argv[5] } } : {};
for (let r = 0; r < Number(process.argv[3]); r++) {
  const c0 = cpu();
  const res = runBacktest(data, spec, { seed: 1, ...cache });
  cpuMs.push(cpu() - c0);
  events = res.objectives.events;
  sig = JSON.stringify(res).length + ' B, net ' + res.objectives.net_pnl + ', fills ' + res.objectives.fills;
}
console.log(JSON.stringify({ events, sig, cpuMs }));
`;

interface ChildRun { events: number; sig: string; cpuMs: number[]; load: number }

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

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
    spawnSync(process.execPath, ['--input-type=module', '-e', CHILD, resolve(dist), resolve(file), String(n), JSON.stringify(PARAMS), ...(cacheDir === undefined ? [] : [resolve(cacheDir)])], { encoding: 'utf8' });
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
