// The first backtest of a fresh process against its settled speed, under V8 flag sets:
// child processes (node <flags> -e CHILD) alternate the flag sets round after round; each
// runs the default backtest of backtest-ab.ts `runs` times on the same data array, with
// the parse cache (so the first run is the engine's warm-up, not the parse) unless
// cacheDir is "-", and reports the CPU time of every run. Printed per flag set: the
// first run, runs 2–4, the settled runs (5 and later), medians over the children.
// Run: node dist/bench/support/backtest-first-run.js <recording> [rounds=3] [runs=10] [cacheDir=/tmp/sc-first-run-cache]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BACKTEST_PARAMS, BACKTEST_CHILD, median } from './default-backtest.js';

const PARAMS = DEFAULT_BACKTEST_PARAMS;

const FLAG_SETS: readonly (readonly string[])[] = [
  [],
  ['--maglev'],
  ['--always-sparkplug', '--no-lazy-feedback-allocation'],
  ['--interrupt-budget=8000', '--minimum-invocations-after-ic-update=50'],
  ['--interrupt-budget=4000', '--minimum-invocations-after-ic-update=20', '--no-lazy-feedback-allocation'],
  ['--max-semi-space-size=64'],
];



function main(): void {
  const [file, roundsArg, runsArg, cacheArg] = process.argv.slice(2);
  if (file === undefined) { console.error('usage: backtest-first-run <recording> [rounds] [runs] [cacheDir|-]'); process.exit(2); }
  const rounds = Number(roundsArg ?? 3);
  const runs = Number(runsArg ?? 10);
  const cacheDir = cacheArg === '-' ? '-' : resolve(cacheArg ?? '/tmp/sc-first-run-cache');
  const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const child = (flags: readonly string[], n: number): { sig: string; cpuMs: number[] } => {
    const p = spawnSync(process.execPath, [...flags, '--input-type=module', '-e', BACKTEST_CHILD, dist, resolve(file), String(n), JSON.stringify(PARAMS), cacheDir], { encoding: 'utf8' });
    if (p.status !== 0) throw new Error(`${flags.join(' ')}: ${p.stderr}`);
    return JSON.parse(p.stdout.trim().split('\n').pop()!) as { sig: string; cpuMs: number[] };
  };
  if (cacheDir !== '-') child([], 1); // fills the cache
  const by = FLAG_SETS.map(() => [] as { sig: string; cpuMs: number[] }[]);
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    FLAG_SETS.forEach((f, i) => { loads.push(loadavg()[0]!); by[i]!.push(child(f, runs)); });
  }
  const rows = ['| V8 flags | result | first run, CPU ms | runs 2–4, CPU ms | settled (runs 5+), CPU ms | first / settled |', '|---|---|---:|---:|---:|---:|'];
  FLAG_SETS.forEach((f, i) => {
    const rs = by[i]!;
    const first = median(rs.map((x) => x.cpuMs[0]!));
    const early = median(rs.flatMap((x) => x.cpuMs.slice(1, 4)));
    const settled = median(rs.flatMap((x) => x.cpuMs.slice(4)));
    rows.push(`| ${f.length === 0 ? '(none)' : f.map((x) => `\`${x}\``).join(' ')} | ${rs[0]!.sig} | ${first.toFixed(0)} | ${early.toFixed(0)} | ${settled.toFixed(0)} | ${(first / settled).toFixed(2)} |`);
  });
  rows.push('', `parse cache: ${cacheDir === '-' ? 'none' : cacheDir}; load average (1 min) ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`);
  console.log(rows.join('\n'));
}

main();
