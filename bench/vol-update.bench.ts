// volUpdate cost per call on the release build, at several update rates: the
// slower the updates, the more often a call crosses into a new bucket and rolls
// the window (default 60 s window / 64 buckets = one roll per 937.5 ms).
// Each benchmark iteration is a batch of BATCH calls; the table reports per call.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/vol-update.bench.js
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';
import { loadCore } from '../src/wasm/load.js';
import { WasmVol, VOL_DEFAULTS } from '../src/wasm/vol-api.js';
import * as L from '../src/wasm/layout.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const BATCH = 1_000;
const PATH = 1 << 16; // precomputed mids and time steps, used cyclically
const MASK = PATH - 1;


interface Case { name: string; meanDtUs: number; book: number; jumps: boolean; wrapper: boolean; advanceOnly?: boolean }

export async function runVolUpdateBench(): Promise<string> {
  const core = loadCore();
  const x = core.exports;
  const vol = new WasmVol(core);
  const r = rng(17);
  // a random walk in ticks with 1 bp steps and occasional 40 bp jumps
  const mids = new Float64Array(PATH);
  const jitter = new Float64Array(PATH); // time-step multipliers in [0.5, 1.5)
  let m = 6_500_000;
  for (let i = 0; i < PATH; i++) {
    m *= Math.exp((r() < 0.5 ? -1 : 1) * (r() < 0.001 ? 40e-4 : 1e-4));
    mids[i] = Math.round(m);
    jitter[i] = 0.5 + r();
  }

  const cases: Case[] = [
    { name: 'volUpdate, 1 update / 1 ms', meanDtUs: 1_000, book: 0, jumps: false, wrapper: false },
    { name: 'volUpdate, 1 update / 10 ms', meanDtUs: 10_000, book: 1, jumps: false, wrapper: false },
    { name: 'volUpdate, 1 update / 100 ms', meanDtUs: 100_000, book: 2, jumps: false, wrapper: false },
    { name: 'volUpdate + jump checks, 1 update / 10 ms', meanDtUs: 10_000, book: 3, jumps: true, wrapper: false },
    { name: 'WasmVol.update, 1 update / 10 ms', meanDtUs: 10_000, book: 4, jumps: true, wrapper: true },
    { name: 'volAdvance, 1 call / 1 s (rolls every call)', meanDtUs: 1_000_000, book: 5, jumps: false, wrapper: false, advanceOnly: true },
  ];

  const bench = new Bench({ name: 'volatility update', time: 1_000, warmupTime: 200 });
  for (const c of cases) {
    vol.configure(c.book, c.jumps ? { jumpBps: 30, jumpVolMult: 0.5 } : {});
    let ts = 1_700_000_000_000_000;
    let i = 0;
    const dt = c.meanDtUs;
    const book = c.book;
    let sink = 0;
    let fn: () => void;
    if (c.advanceOnly) {
      x.volUpdate(book, ts, 100);
      fn = () => {
        for (let k = 0; k < BATCH; k++) { ts += dt * jitter[i]!; i = (i + 1) & MASK; sink += x.volAdvance(book, ts); }
      };
    } else if (c.wrapper) {
      fn = () => {
        for (let k = 0; k < BATCH; k++) { ts += dt * jitter[i]!; sink += vol.update(book, ts, mids[i]!); i = (i + 1) & MASK; }
      };
    } else {
      fn = () => {
        for (let k = 0; k < BATCH; k++) { ts += dt * jitter[i]!; sink += x.volUpdate(book, ts, mids[i]!); i = (i + 1) & MASK; }
      };
    }
    bench.add(c.name, () => { fn(); if (sink < 0) throw new Error('refused update'); });
  }
  await bench.run();

  const width = VOL_DEFAULTS.windowUs / L.VOL_BUCKETS;
  const rows = [
    `volatility update (${core.target} build, ${BATCH} calls per sample, window ${VOL_DEFAULTS.windowUs / 1e6} s / ${L.VOL_BUCKETS} buckets)`,
    '',
    '| case | calls per bucket roll | ns/call mean | ns/call p50 | ns/call p99 | M calls/s |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  bench.tasks.forEach((task, k) => {
    const c = cases[k]!;
    const res = task.result;
    if (res.state !== 'completed') { rows.push(`| ${c.name} | ${res.state} | | | | |`); return; }
    const perCall = (ms: number): string => (ms * 1e6 / BATCH).toFixed(1);
    const callsPerRoll = Math.max(1, width / c.meanDtUs);
    rows.push(`| ${c.name} | ${callsPerRoll.toFixed(callsPerRoll < 10 ? 1 : 0)} | ${perCall(res.latency.mean)} | `
      + `${perCall(res.latency.p50)} | ${perCall(res.latency.p99)} | ${(BATCH / res.latency.mean / 1e3).toFixed(1)} |`);
  });
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runVolUpdateBench());
}
