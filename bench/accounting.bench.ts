// Accounting throughput: fills (and marks) per second through a ledger, with
// decimal.js doing every sum. Each benchmark iteration is a batch of BATCH events
// on one long-lived ledger (its trade history capped at the default 10,000);
// the table reports per event.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/accounting.bench.js
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';
import type { FillRecord } from '../src/trading/types.js';
import { BinaryContractLedger, SymbolLedger, metricsView, summarizeLedger } from '../src/accounting/index.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const BATCH = 1_000;
const PATH = 1 << 14; // precomputed fills, used cyclically


interface Flow { fills: FillRecord[]; mids: string[] }

/**
 * Market-making flow on BTCUSDT: quotes ±1 tick around a random-walk mid, fills
 * of 1-5 lots of 0.001 on alternating-ish sides (position wanders, crosses zero
 * now and then), maker fee 1 bp, one fill every ~50 ms.
 */
function mmFlow(seed: number, lotsMax: number): Flow {
  const r = rng(seed);
  const fills: FillRecord[] = [];
  const mids: string[] = [];
  let midTicks = 5_000_000; // 50,000.00 at 0.01
  for (let i = 0; i < PATH; i++) {
    midTicks += Math.round((r() - 0.5) * 20);
    const buy = r() < 0.5;
    const priceTicks = midTicks + (buy ? -100 : 100);
    const lots = 1 + Math.floor(r() * lotsMax);
    const price = (priceTicks / 100).toFixed(2);
    const qty = (lots / 1000).toFixed(3);
    const fee = ((priceTicks * lots) / 1e9).toFixed(8); // 1 bp of notional
    fills.push({
      tradeId: `t${i}`, orderId: `o${i}`, clientOrderId: `c${i}`, strategyId: 'bench', symbol: 'BTCUSDT',
      side: buy ? 'BUY' : 'SELL', price, qty, fee, liquidity: 'MAKER', tsEventNs: 0n, tsInitNs: 0n,
    });
    mids.push((midTicks / 100).toFixed(2));
  }
  return { fills, mids };
}

/** Same record with a fresh time: the ledger's clock must move forward. */
const at = (f: FillRecord, tsNs: bigint): FillRecord => ({ ...f, tsEventNs: tsNs, tsInitNs: tsNs });

export async function runAccountingBench(): Promise<string> {
  const small = mmFlow(7, 3);
  const wide = mmFlow(11, 2000); // 0.001-2.000 BTC: frequent crossings through zero
  const binary: FillRecord[] = [];
  {
    const r = rng(13);
    for (let i = 0; i < PATH; i++) {
      const cents = 30 + Math.floor(r() * 40);
      binary.push({
        tradeId: `b${i}`, orderId: `o${i}`, clientOrderId: `c${i}`, strategyId: 'bench', symbol: 'EVT',
        side: r() < 0.5 ? 'BUY' : 'SELL', price: (cents / 100).toFixed(2), qty: String(1 + Math.floor(r() * 20)),
        fee: '0.01', liquidity: 'MAKER', tsEventNs: 0n, tsInitNs: 0n,
      });
    }
  }

  const bench = new Bench({ name: 'accounting', time: 1_000, warmupTime: 200 });
  interface Case { name: string; perIteration: number; unit: string }
  const cases: Case[] = [];
  let sink = 0;

  {
    const l = new SymbolLedger({ strategyId: 'bench', symbol: 'BTCUSDT' });
    let i = 0;
    let ts = 1_700_000_000_000_000_000n;
    cases.push({ name: 'applyFill, 1-3 lots of 0.001 (mostly partial closes)', perIteration: BATCH, unit: 'fill' });
    bench.add(cases[cases.length - 1]!.name, () => {
      for (let k = 0; k < BATCH; k++) { ts += 50_000_000n; l.applyFill(at(small.fills[i]!, ts)); i = (i + 1) & (PATH - 1); }
      sink += l.state.totals.fills;
    });
  }
  {
    const l = new SymbolLedger({ strategyId: 'bench', symbol: 'BTCUSDT' });
    let i = 0;
    let ts = 1_700_000_000_000_000_000n;
    cases.push({ name: 'applyFill, 0.001-2.000 (crossing through zero often)', perIteration: BATCH, unit: 'fill' });
    bench.add(cases[cases.length - 1]!.name, () => {
      for (let k = 0; k < BATCH; k++) { ts += 50_000_000n; l.applyFill(at(wide.fills[i]!, ts)); i = (i + 1) & (PATH - 1); }
      sink += l.state.totals.fills;
    });
  }
  {
    // one fill then four marks (a mark every ~10 ms): markouts resolve, equity and drawdown update
    const l = new SymbolLedger({ strategyId: 'bench', symbol: 'BTCUSDT' });
    let i = 0;
    let ts = 1_700_000_000_000_000_000n;
    cases.push({ name: 'applyFill + 4 × applyMark (markouts 1/5/30 s, drawdown, 1-min buckets)', perIteration: BATCH / 5, unit: 'fill + 4 marks' });
    bench.add(cases[cases.length - 1]!.name, () => {
      for (let k = 0; k < BATCH / 5; k++) {
        ts += 10_000_000n;
        l.applyFill(at(small.fills[i]!, ts));
        for (let m = 0; m < 4; m++) { ts += 10_000_000n; l.applyMark({ tsNs: ts, mid: small.mids[(i + m) & (PATH - 1)]!, atBestBid: m < 2, atBestAsk: m > 1 }); }
        i = (i + 1) & (PATH - 1);
      }
      sink += l.state.equity.marks;
    });
  }
  {
    const b = new BinaryContractLedger({ strategyId: 'bench', symbol: 'EVT' });
    let i = 0;
    let ts = 1_700_000_000_000_000_000n;
    cases.push({ name: 'BinaryContractLedger.applyFill (YES / NO alternating)', perIteration: BATCH, unit: 'fill' });
    bench.add(cases[cases.length - 1]!.name, () => {
      for (let k = 0; k < BATCH; k++) { ts += 50_000_000n; b.applyFill((i & 1) === 0 ? 'YES' : 'NO', at(binary[i]!, ts)); i = (i + 1) & (PATH - 1); }
      sink += b.net.state.totals.fills;
    });
  }
  {
    // journal replay: 10,000 fills into a fresh ledger per iteration
    const n = 10_000;
    let ts = 1_700_000_000_000_000_000n;
    const stamped = small.fills.slice(0, n).map((f) => at(f, (ts += 50_000_000n)));
    cases.push({ name: `replay ${n.toLocaleString('en-US')} fills into a new ledger`, perIteration: n, unit: 'fill' });
    bench.add(cases[cases.length - 1]!.name, () => {
      const l = new SymbolLedger({ strategyId: 'bench', symbol: 'BTCUSDT' });
      for (const f of stamped) l.applyFill(f);
      sink += l.state.totals.fills;
    });
  }
  // Read paths on a ledger that has seen the whole small flow with marks.
  const full = new SymbolLedger({ strategyId: 'bench', symbol: 'BTCUSDT' });
  {
    let ts = 1_700_000_000_000_000_000n;
    small.fills.forEach((f, k) => { ts += 25_000_000n; full.applyFill(at(f, ts)); ts += 25_000_000n; full.applyMark({ tsNs: ts, mid: small.mids[k]! }); });
  }
  cases.push({ name: 'summarizeLedger', perIteration: 1, unit: 'call' });
  bench.add('summarizeLedger', () => { sink += summarizeLedger(full).fills; });
  cases.push({ name: 'metricsView (seed 000 JSON)', perIteration: 1, unit: 'call' });
  bench.add('metricsView (seed 000 JSON)', () => { sink += metricsView(full, { uptimeSeconds: 1 }).performance.total_trades; });
  cases.push({ name: 'snapshot + JSON round trip + restore (10,000 trades kept)', perIteration: 1, unit: 'call' });
  bench.add('snapshot + JSON round trip + restore (10,000 trades kept)', () => {
    sink += SymbolLedger.restore(JSON.parse(JSON.stringify(full.snapshot()))).state.totals.fills;
  });

  await bench.run();
  if (sink < 0) throw new Error('unreachable');

  const rows = [
    `accounting (decimal.js ${'10.6.0'}, 80 significant digits; per event, ${BATCH} events per sample unless stated)`,
    '',
    '| case | unit | µs/unit mean | µs/unit p50 | µs/unit p99 | units/s |',
    '|---|---|---:|---:|---:|---:|',
  ];
  bench.tasks.forEach((task, k) => {
    const c = cases[k]!;
    const res = task.result;
    if (res.state !== 'completed') { rows.push(`| ${c.name} | ${c.unit} | ${res.state} | | | |`); return; }
    const per = (ms: number): string => (ms * 1e3 / c.perIteration).toFixed(2);
    const rate = Math.round(c.perIteration / (res.latency.mean / 1e3));
    rows.push(`| ${c.name} | ${c.unit} | ${per(res.latency.mean)} | ${per(res.latency.p50)} | ${per(res.latency.p99)} | ${rate.toLocaleString('en-US')} |`);
  });
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runAccountingBench());
}
