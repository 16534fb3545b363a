// The first backtest of a fresh process against its settled speed, by recording length:
// child processes (the child of default-backtest.ts, no parse cache) alternate the
// recordings round after round; each runs the default backtest `runs` times on the same
// data and reports the CPU time of every run. Printed per recording: events, the first
// run, the settled runs (5 and later), the first run's extra CPU over a settled run (V8
// warming the engine up), the ratio, and the settled speed; medians over the children.
// Binary recordings (.screc) parse in a few ms, so the first run's extra is the engine's.
// Run: node dist/bench/support/backtest-first-run-length.js <recording>... [--rounds N] [--runs N]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { basename, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEFAULT_BACKTEST_PARAMS, BACKTEST_CHILD, median } from './default-backtest.js';

interface ChildRun { events: number; sig: string; cpuMs: number[] }

function main(): void {
  const args = process.argv.slice(2);
  const files: string[] = [];
  let rounds = 3;
  let runs = 8;
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === '--rounds' || a === '--runs') {
      const n = Number(args[++i]);
      if (!Number.isInteger(n) || n < 1 || (a === '--runs' && n < 5)) { console.error(`${a} needs an integer ≥ ${a === '--runs' ? 5 : 1}`); process.exit(2); }
      if (a === '--rounds') rounds = n; else runs = n;
    } else files.push(resolve(a));
  }
  if (files.length === 0) { console.error('usage: backtest-first-run-length <recording>... [--rounds N] [--runs N≥5]'); process.exit(2); }
  const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
  const child = (file: string): ChildRun => {
    const p = spawnSync(process.execPath, ['--input-type=module', '-e', BACKTEST_CHILD, dist, file, String(runs), JSON.stringify(DEFAULT_BACKTEST_PARAMS), '-'], { encoding: 'utf8', maxBuffer: 1 << 26 });
    if (p.status !== 0) throw new Error(`${file}: ${p.stderr}`);
    return JSON.parse(p.stdout.trim().split('\n').pop()!) as ChildRun;
  };
  const by = files.map(() => [] as ChildRun[]);
  const loads: number[] = [];
  for (let r = 0; r < rounds; r++) {
    files.forEach((f, i) => {
      loads.push(loadavg()[0]!);
      by[i]!.push(child(f));
      process.stderr.write(`round ${r + 1}/${rounds}: ${basename(f)} done\n`);
    });
  }
  const rows = [
    '| recording | events | result | first run, CPU ms | settled, CPU ms | first − settled, CPU ms | first / settled | settled M events per CPU-s |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
  ];
  files.forEach((f, i) => {
    const rs = by[i]!;
    const first = median(rs.map((x) => x.cpuMs[0]!));
    const settled = median(rs.flatMap((x) => x.cpuMs.slice(4)));
    const events = rs[0]!.events;
    rows.push(`| ${basename(f)} | ${events.toLocaleString('en-US')} | ${rs[0]!.sig} | ${first.toFixed(0)} | ${settled.toFixed(0)} | ${(first - settled).toFixed(0)} | ${(first / settled).toFixed(2)} | ${(events / settled / 1e3).toFixed(2)} |`);
  });
  rows.push('', `${rounds} fresh processes per recording, ${runs} runs each; load average (1 min) ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)}`);
  console.log(rows.join('\n'));
}

main();
