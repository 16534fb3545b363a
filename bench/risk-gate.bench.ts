// RiskEngine.check cost per call on the release build, on the allowed path and on
// denied paths that stop at different depths of the rule list (first rule, after
// the lookups and states, after the market data, after the exposure rules, the
// last rule). The book is a live WASM book fed through FeedIngest.
// Each benchmark iteration is a batch of BATCH checks; the table reports per check.
// The heap column is the heap growth per check over 20,000 further checks of the
// case: the smallest of five stretches with no garbage collection.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/risk-gate.bench.js
import { Bench } from 'tinybench';
import { PerformanceObserver } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { loadCore } from '../src/wasm/load.js';
import { validateParams } from '../src/strategy/params/index.js';
import type { OrderIntent } from '../src/trading/types.js';
import { RiskEngine, type RiskCheckContext, reasonName, ALLOW } from '../src/risk/index.js';

const BATCH = 1_000;
const HEAP_CHECKS = 20_000;
const SYM = 'BTCUSDT';
const BID = 5_000_000;
const ASK = 5_000_100;

interface Case {
  name: string;
  /** One batch of BATCH checks; returns the number of checks that gave the expected code. */
  batch: () => number;
  /** Untimed work before each batch (closing what the previous batch allowed). */
  before?: () => void;
  /** Untimed setup and teardown of the case (orders kept open while it runs). */
  setUp?: () => void;
  tearDown?: () => void;
  expected: number;
}

function intent(id: string, strategyId: string, side: 'BUY' | 'SELL', priceTick: number, qtyLot: number): OrderIntent {
  return { clientOrderId: id, strategyId, symbol: SYM, side, type: 'LIMIT', timeInForce: 'GTC', priceTick, qtyLot, reduceOnly: false, level: 1 };
}

export async function runRiskGateBench(): Promise<string> {
  const core = loadCore();
  const ingest = new FeedIngest(new WasmBooks(core));
  ingest.instrument({ symbolId: 1, symbol: SYM, kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
  ingest.snapshot(1, 1, 0, Float64Array.of(BID, 5, BID - 1, 7), 2, Float64Array.of(ASK, 4, ASK + 1, 9), 2);
  ingest.endOfBatch(0);
  const risk = new RiskEngine({ ingest, maxOpenOrders: 4096 });
  const inst = ingest.bySymbolName(SYM)!.instrument;
  const wide = { max_orders_per_second: 1e12, order_burst: 1_000_000_000 };
  const add = (id: string, params: Record<string, unknown>, limits: Record<string, unknown> = wide): void => {
    risk.addStrategy(id, validateParams({ order_size: 0.001, max_quote_age_seconds: 86_400, volume_spike_multiple: null, ...params }), limits);
    risk.addSymbol(id, inst);
  };
  add('allow', { max_position: 1000 });
  add('halted', { max_position: 1000 });
  add('small', { max_position: 0.001 }, { ...wide, max_order_qty: 0.01 });
  add('ladder', { max_position: 1000 });
  add('slow', { max_position: 1000 }, { max_orders_per_second: 1e-9, order_burst: 1 });
  risk.haltStrategy('halted', 0);

  const ctx: RiskCheckContext = { nowNs: 1.7e18 };
  // the allowed path: distinct ids, prices falling and times rising, so the untimed
  // closes (newest and lowest first) never rescan the open orders. tinybench may
  // call a task once outside its hooks, so the batch's orders are closed before
  // each batch, not after.
  const allowIntents = Array.from({ length: BATCH }, (_, i) => intent(`a${i}`, 'allow', 'BUY', BID - i, 1));
  const closeAll = (): void => { for (let i = BATCH - 1; i >= 0; i--) risk.onOrderClosed(allowIntents[i]!.clientOrderId); };
  const allowBatch = (): number => {
    let ok = 0;
    for (let i = 0; i < BATCH; i++) { ctx.nowNs += 1000; if (risk.check(allowIntents[i]!, ctx) === ALLOW) ok++; }
    return ok;
  };
  const cycleIntent = intent('cycle', 'allow', 'BUY', BID, 1);
  const cycleBatch = (): number => {
    let ok = 0;
    for (let i = 0; i < BATCH; i++) {
      ctx.nowNs += 1000;
      if (risk.check(cycleIntent, ctx) === ALLOW) ok++;
      risk.onOrderClosed('cycle');
    }
    return ok;
  };
  // a ladder of 20 other quotes open on the symbol: closing the best bid rescans them
  const ladder = [
    ...Array.from({ length: 10 }, (_, i) => intent(`lb${i}`, 'ladder', 'BUY', BID - 1 - i, 1)),
    ...Array.from({ length: 10 }, (_, i) => intent(`la${i}`, 'ladder', 'SELL', ASK + 1 + i, 1)),
  ];
  const openLadder = (): void => { for (const i of ladder) if (risk.check(i, ctx) !== ALLOW) throw new Error('ladder quote refused'); };
  const closeLadder = (): void => { for (const i of ladder) risk.onOrderClosed(i.clientOrderId); };
  const slowOnce = intent('slow0', 'slow', 'BUY', BID, 1);
  if (risk.check(slowOnce, ctx) !== ALLOW) throw new Error('the rate-limited strategy did not get its one order');
  const denyBatch = (i: OrderIntent, code: number) => (): number => {
    let ok = 0;
    for (let k = 0; k < BATCH; k++) if (risk.check(i, ctx) === code) ok++;
    return ok;
  };
  const codeOf = (i: OrderIntent): number => risk.check(i, ctx);
  const denials: [string, OrderIntent][] = [
    ['first rule: NaN price', intent('d1', 'allow', 'BUY', NaN, 1)],
    ['after lookups and states: strategy halted', intent('d2', 'halted', 'BUY', BID, 1)],
    ['after market data: price band', intent('d3', 'allow', 'BUY', BID - 1_000_000, 1)],
    ['after exposure: max position', intent('d4', 'small', 'BUY', BID, 2)],
    ['last rule: rate limit', intent('d5', 'slow', 'BUY', BID - 1, 1)],
  ];

  const cases: Case[] = [
    { name: 'ALLOW (order recorded as open; closed outside the timing)', batch: allowBatch, before: closeAll, expected: BATCH },
    { name: 'ALLOW + onOrderClosed', batch: cycleBatch, expected: BATCH },
    { name: 'ALLOW + onOrderClosed of the best bid, 20 other quotes open', batch: cycleBatch, expected: BATCH, setUp: openLadder, tearDown: closeLadder },
    ...denials.map(([name, i]) => {
      const code = codeOf(i);
      return { name: `${reasonName(code)} (${name})`, batch: denyBatch(i, code), expected: BATCH };
    }),
  ];

  const bench = new Bench({ name: 'risk gate', time: 1_000, warmupTime: 200 });
  let wrong = 0;
  for (const c of cases) {
    bench.add(c.name, () => { if (c.batch() !== c.expected) wrong++; }, {
      beforeAll: () => { c.setUp?.(); },
      beforeEach: () => { c.before?.(); },
      afterAll: () => { c.before?.(); c.tearDown?.(); },
    });
  }
  await bench.run();
  if (wrong > 0) throw new Error(`${wrong} batches gave an unexpected answer`);

  // heap growth over HEAP_CHECKS more checks of each case (stretches in which a GC
  // ran are discarded)
  const heapBytes: string[] = [];
  let gcSeen = 0;
  const obs = new PerformanceObserver((list) => { gcSeen += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 20));
  for (const c of cases) {
    // warm first, then keep the smallest of five measured stretches: a JIT compile
    // finishing meanwhile allocates on the heap too, and is not the check's doing
    c.setUp?.();
    for (let b = 0; b < 100; b++) { c.before?.(); c.batch(); }
    let best = Infinity;
    for (let attempt = 0; attempt < 5; attempt++) {
      c.before?.();
      await settle();
      const seen = gcSeen;
      const h0 = process.memoryUsage().heapUsed;
      for (let b = 0; b < HEAP_CHECKS / BATCH; b++) c.batch();
      const h1 = process.memoryUsage().heapUsed;
      await settle();
      if (gcSeen === seen) best = Math.min(best, (h1 - h0) / HEAP_CHECKS);
    }
    c.before?.();
    c.tearDown?.();
    heapBytes.push(best === Infinity ? 'n/a (GC every try)' : best.toFixed(2));
  }
  obs.disconnect();
  closeAll();

  const rows = [
    `risk gate check (${core.target} build, ${BATCH} checks per sample, one symbol on a live WASM book)`,
    '',
    '| path | ns/check mean | ns/check p50 | ns/check p99 | M checks/s | heap bytes/check |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  bench.tasks.forEach((task, k) => {
    const c = cases[k]!;
    const res = task.result;
    if (res.state !== 'completed') { rows.push(`| ${c.name} | ${res.state} | | | | |`); return; }
    const per = (ms: number): string => (ms * 1e6 / BATCH).toFixed(1);
    rows.push(`| ${c.name} | ${per(res.latency.mean)} | ${per(res.latency.p50)} | ${per(res.latency.p99)} | `
      + `${(BATCH / res.latency.mean / 1e3).toFixed(1)} | ${heapBytes[k]} |`);
  });
  ingest.close();
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runRiskGateBench());
}
