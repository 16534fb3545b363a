// Two builds of spreadcore in one process, their backtest runs alternating (A, B, then
// B, A, ...), so that a burst of load from other processes hits both alike within a
// fraction of a second. backtest-ab.ts compares fresh processes; on a shared machine its
// children differ by ±10% among themselves, more than a change of a few percent. Here the
// same data array is run `iters` times per build; the first `warm` runs of each are left
// out. Printed: the median CPU ms of each build's settled runs, their ratio, the median of
// the per-pair ratios, events per CPU-second, and each build's result signature (JSON
// length and net P&L: the builds must give the same backtest).
// Build A as for backtest-ab.ts (git archive <commit>, npx tsc -p tsconfig.build.json).
// Run: node dist/bench/support/backtest-ab-inproc.js <distA> <distB> <recording> [iters=30] [warm=6]
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_BACKTEST_PARAMS, median } from './default-backtest.js';

const PARAMS = DEFAULT_BACKTEST_PARAMS;

interface BacktestModule {
  parseBacktestSpec(json: unknown): unknown;
  runBacktest(data: Uint8Array, spec: unknown, options: { seed: number }): { objectives: { events: number; net_pnl: number } };
}


const cpuMs = (): number => {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e3;
};

async function main(): Promise<void> {
  const [distA, distB, file, itersArg, warmArg] = process.argv.slice(2);
  if (distA === undefined || distB === undefined || file === undefined) {
    console.error('usage: backtest-ab-inproc <distA> <distB> <recording> [iters] [warm]');
    process.exit(2);
  }
  const iters = Number(itersArg ?? 30);
  const warm = Number(warmArg ?? 6);
  const data = readFileSync(file);
  const builds: { m: BacktestModule; spec: unknown }[] = [];
  for (const d of [distA, distB]) {
    const m = (await import(pathToFileURL(resolve(d, 'src/backtest/index.js')).href)) as BacktestModule;
    builds.push({ m, spec: m.parseBacktestSpec(PARAMS) });
  }
  const times: number[][] = [[], []];
  const sig = ['', ''];
  let events = 0;
  for (let i = 0; i < iters; i++) {
    for (const k of i % 2 === 0 ? [0, 1] : [1, 0]) {
      const b = builds[k]!;
      const c0 = cpuMs();
      const r = b.m.runBacktest(data, b.spec, { seed: 1 });
      const dt = cpuMs() - c0;
      if (i >= warm) times[k]!.push(dt);
      events = r.objectives.events;
      sig[k] = `${JSON.stringify(r).length} B, net ${r.objectives.net_pnl}`;
    }
  }
  const a = median(times[0]!);
  const b = median(times[1]!);
  const pairs = median(times[0]!.map((x, i) => x / times[1]![i]!));
  console.log(`A ${distA}: ${sig[0]}, settled ${a.toFixed(1)} CPU ms, ${(events / a / 1e3).toFixed(2)} M events/s`);
  console.log(`B ${distB}: ${sig[1]}, settled ${b.toFixed(1)} CPU ms, ${(events / b / 1e3).toFixed(2)} M events/s`);
  console.log(`speed B / A: ${(a / b).toFixed(3)} (medians), ${pairs.toFixed(3)} (median of pairs)`);
}

await main();
