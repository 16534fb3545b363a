// What a pause costs the next piece of work on this machine: JSON.parse of a Binance
// diff-depth frame (the first step of tick to wire), timed right after the process spent
// X µs doing something else. "busy" spins on the clock (no sleep, a few instructions: our
// own caches are not disturbed); "sleep" blocks in Atomics.wait (the process leaves the
// CPU). If the parse gets slower as X grows although the process did nothing that evicts
// its own caches, the time comes from the machine (other tenants, the hypervisor moving or
// sharing the CPU), not from the code: every stage of tick to wire pays it after a quiet gap.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/cold-wake.bench.js
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';

const FRAME = JSON.stringify({
  stream: 'btcusdt@depth@100ms',
  data: { e: 'depthUpdate', E: 1_765_000_000_000, s: 'BTCUSDT', U: 1001, u: 1003,
    b: [['50000.00', '1.250000'], ['49999.99', '1.250000'], ['49999.50', '0']], a: [['50000.51', '0.750000'], ['50000.52', '0.750000'], ['50001.01', '0']] },
});
const now = (): number => Number(process.hrtime.bigint());
const SAMPLES = 400;
const GAPS_US = [0, 10, 100, 1000, 5000, 32_000];

function measure(gapUs: number, mode: 'busy' | 'sleep'): { p50: number; p99: number } {
  const xs = new Float64Array(SAMPLES);
  const sab = new Int32Array(new SharedArrayBuffer(4));
  let sink = 0;
  for (let i = 0; i < SAMPLES; i++) {
    if (gapUs > 0) {
      if (mode === 'busy') { const end = now() + gapUs * 1000; while (now() < end); }
      else Atomics.wait(sab, 0, 0, gapUs / 1000);
    }
    const t = now();
    sink += (JSON.parse(FRAME) as { data: { u: number } }).data.u;
    xs[i] = now() - t;
  }
  if (sink === 0) throw new Error('unreachable');
  xs.sort();
  return { p50: xs[Math.floor(0.5 * (SAMPLES - 1))]! / 1000, p99: xs[Math.floor(0.99 * (SAMPLES - 1))]! / 1000 };
}

export function runColdWakeBench(): string {
  for (let i = 0; i < 50_000; i++) JSON.parse(FRAME); // optimised before timing
  const rows = [
    `JSON.parse of a ${FRAME.length}-byte depth frame after a gap (${SAMPLES} samples each; load average ${loadavg().map((x) => x.toFixed(1)).join(' / ')})`,
    '',
    '| gap | busy-waiting: p50 µs | p99 µs | sleeping: p50 µs | p99 µs |',
    '|---:|---:|---:|---:|---:|',
  ];
  for (const g of GAPS_US) {
    const b = measure(g, 'busy');
    const s = g > 0 ? measure(g, 'sleep') : b;
    rows.push(`| ${g >= 1000 ? `${g / 1000} ms` : `${g} µs`} | ${b.p50.toFixed(2)} | ${b.p99.toFixed(2)} | ${s.p50.toFixed(2)} | ${s.p99.toFixed(2)} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(runColdWakeBench());
}
