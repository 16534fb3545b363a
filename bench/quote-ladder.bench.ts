// quoteCompute cost per call on the release build: linear and Avellaneda–Stoikov
// (plus GLFT) models at 3 and 10 levels per side, a post-only case against a live
// book, and the WasmQuoter wrapper. Fair value and inventory change on every call.
// Each benchmark iteration is a batch of BATCH calls; the table reports per call.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/quote-ladder.bench.js
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';
import { loadCore } from '../src/wasm/load.js';
import { WasmQuoter, type QuoteParams } from '../src/wasm/quote-api.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const BATCH = 1_000;
const PATH = 1 << 14;
const MASK = PATH - 1;


interface Case { name: string; levels: number; params: Partial<QuoteParams>; book: boolean; wrapper: boolean }

const LINEAR: Partial<QuoteParams> = {
  model: 'linear', halfSpreadBps: 2, levelSpacingBps: 2, orderSizeLot: 1, maxPositionLot: 10,
  skewMode: 'factor', skewFactor: 0.5, minSpreadBps: 1, maxSpreadBps: 50,
};
const AS: Partial<QuoteParams> = {
  model: 'avellaneda_stoikov', gamma: 0.1, sigma: 2, k: 1.5, horizon: 1, tickSize: 0.01,
  levelSpacingBps: 2, orderSizeLot: 1, maxPositionLot: 10,
};
const GLFT: Partial<QuoteParams> = {
  model: 'glft', gamma: 0.1, sigma: 2, k: 1.5, a: 140, tickSize: 0.01,
  levelSpacingBps: 2, orderSizeLot: 1, maxPositionLot: 10,
};

export async function runQuoteLadderBench(): Promise<string> {
  const core = loadCore();
  const x = core.exports;
  const quoter = new WasmQuoter(core);
  const books = new WasmBooks(core);
  const r = rng(29);
  // fair values around 50,000.00 on a 0.01 tick (5,000,000 ticks), inventory in -8..8 lots
  const fairs = new Float64Array(PATH);
  const inventories = new Float64Array(PATH);
  let f = 5_000_000;
  for (let i = 0; i < PATH; i++) {
    f += (r() - 0.5) * 100;
    fairs[i] = f + r() * 0.5;
    inventories[i] = Math.floor(r() * 17) - 8;
  }
  const BOOK = 0;
  books.reset(BOOK);
  for (let d = 0; d < 20; d++) {
    books.set(BOOK, 0, 4_999_500 - d * 50, 10 + d);
    books.set(BOOK, 1, 5_000_500 + d * 50, 10 + d);
  }

  const cases: Case[] = [
    { name: 'linear, 3 levels', levels: 3, params: LINEAR, book: false, wrapper: false },
    { name: 'linear, 10 levels', levels: 10, params: LINEAR, book: false, wrapper: false },
    { name: 'avellaneda_stoikov, 3 levels', levels: 3, params: AS, book: false, wrapper: false },
    { name: 'avellaneda_stoikov, 10 levels', levels: 10, params: AS, book: false, wrapper: false },
    { name: 'glft, 10 levels', levels: 10, params: GLFT, book: false, wrapper: false },
    { name: 'linear, 10 levels, post-only vs book', levels: 10, params: { ...LINEAR, postOnly: true }, book: true, wrapper: false },
    { name: 'linear, 10 levels, fair = book microprice', levels: 10, params: { ...LINEAR, fairMode: 'microprice' }, book: true, wrapper: false },
    { name: 'linear, 10 levels, WasmQuoter.compute', levels: 10, params: LINEAR, book: false, wrapper: true },
  ];

  const bench = new Bench({ name: 'quote ladder', time: 1_000, warmupTime: 200 });
  cases.forEach((c, slot) => {
    quoter.configure(slot, { ...c.params, levels: c.levels });
    const book = c.book ? BOOK : -1;
    const fromBook = c.params.fairMode === 'microprice';
    let i = 0;
    let sink = 0;
    let fn: () => void;
    if (c.wrapper) {
      fn = () => {
        for (let k = 0; k < BATCH; k++) { sink += quoter.compute(slot, book, fairs[i]!, inventories[i]!); i = (i + 1) & MASK; }
      };
    } else if (fromBook) {
      fn = () => {
        for (let k = 0; k < BATCH; k++) { sink += x.quoteCompute(slot, book, NaN, inventories[i]!); i = (i + 1) & MASK; }
      };
    } else {
      fn = () => {
        for (let k = 0; k < BATCH; k++) { sink += x.quoteCompute(slot, book, fairs[i]!, inventories[i]!); i = (i + 1) & MASK; }
      };
    }
    // every call must quote something, or the case measures an early exit
    bench.add(c.name, () => { sink = 0; fn(); if (sink < BATCH) throw new Error(`${c.name}: empty ladders`); });
  });
  await bench.run();

  const rows = [
    `quote ladder (${core.target} build, ${BATCH} quoteCompute calls per sample, fair and inventory vary per call)`,
    '',
    '| case | ns/call mean | ns/call p50 | ns/call p99 | M calls/s |',
    '|---|---:|---:|---:|---:|',
  ];
  bench.tasks.forEach((task, k) => {
    const c = cases[k]!;
    const res = task.result;
    if (res.state !== 'completed') { rows.push(`| ${c.name} | ${res.state} | | | |`); return; }
    const perCall = (ms: number): string => (ms * 1e6 / BATCH).toFixed(1);
    rows.push(`| ${c.name} | ${perCall(res.latency.mean)} | ${perCall(res.latency.p50)} | ${perCall(res.latency.p99)} | `
      + `${(BATCH / res.latency.mean / 1e3).toFixed(2)} |`);
  });
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runQuoteLadderBench());
}
