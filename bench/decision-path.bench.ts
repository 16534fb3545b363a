// The engine's per-book-update decision path on the release build: a recorded
// stretch of the built-in simulator (BTCUSDT and ETHUSDT) replayed into a
// TradingEngine, each batch timed from its first message to the return of its
// end-of-batch call. "book" is applying the batch's messages to the WASM books
// (FeedIngest); "decision" is the engine's batch listener: the paper exchange
// matching resting orders, the volatility estimator, the risk engine's market
// rules, then per leg the quote decision (WASM ladder), the order diff and, when
// quotes change, the risk gate and the order manager. Percentiles are over every
// batch of the measured stretch (one timer read per side, ~40 ns, included).
//
// The second table is fills per second through the paper exchange and the
// accounting: marketable 1-lot orders on the recorded book with zero latency (so
// each fill happens inside the submit), alternating sides.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/decision-path.bench.js
import { pathToFileURL } from 'node:url';
import { LedgerSet } from '../src/accounting/ledger-set.js';
import { TradingEngine } from '../src/engine/trading-engine.js';
import { OrderManager } from '../src/execution/order-manager.js';
import { PaperExchange } from '../src/execution/paper-exchange.js';
import type { FeedSink, InstrumentDefinition, SideCode } from '../src/feed/feed-sink.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { MarketSimulator } from '../src/feed/sim/market-simulator.js';
import type { OrderIntent } from '../src/trading/types.js';
import { loadCore } from '../src/wasm/load.js';

const WARM_S = 120;
const MEASURE_S = 900;
const FILLS = 20_000;

// ---- a recording of sink calls, replayed without allocating -------------------------
const OP_SET = 1, OP_CHANGE = 2, OP_TRADE = 3, OP_HEARTBEAT = 4, OP_END = 5, OP_SNAPSHOT = 6;

class Recording implements FeedSink {
  readonly defs: InstrumentDefinition[] = [];
  /** 8 numbers per record while recording; a Float64Array once frozen (no GC scanning during the replay). */
  private list: number[] = [];
  ops: Float64Array = new Float64Array(0);
  readonly snapshots: { bids: Float64Array; nBids: number; asks: Float64Array; nAsks: number }[] = [];
  instrument(def: InstrumentDefinition): void { this.defs.push({ ...def }); }
  snapshot(symbolId: number, seq: number, ts: number, bids: Float64Array, nBids: number, asks: Float64Array, nAsks: number): void {
    this.snapshots.push({ bids: bids.slice(0, 2 * nBids), nBids, asks: asks.slice(0, 2 * nAsks), nAsks });
    this.list.push(OP_SNAPSHOT, symbolId, seq, ts, 0, this.snapshots.length - 1, 0, 0);
  }
  levelSet(symbolId: number, seq: number, ts: number, side: SideCode, tick: number, qty: number): void { this.list.push(OP_SET, symbolId, seq, ts, side, tick, qty, 0); }
  levelChange(symbolId: number, seq: number, ts: number, side: SideCode, tick: number, d: number): void { this.list.push(OP_CHANGE, symbolId, seq, ts, side, tick, d, 0); }
  trade(symbolId: number, seq: number, ts: number, side: SideCode, tick: number, qty: number, id: number): void { this.list.push(OP_TRADE, symbolId, seq, ts, side, tick, qty, id); }
  heartbeat(ts: number): void { this.list.push(OP_HEARTBEAT, 0, 0, ts, 0, 0, 0, 0); }
  endOfBatch(send: number): void { this.list.push(OP_END, 0, 0, send, 0, 0, 0, 0); }

  /** Replays ops[from, to) (record indices) into sink; returns the record index reached. */
  replay(sink: FeedIngest, from: number, to: number, timer?: (i: number, ns: number) => void): number {
    const o = this.ops;
    let t0 = 0n;
    let inBatch = false;
    for (let i = from; i < to; i++) {
      const b = i * 8;
      const op = o[b]!;
      if (timer !== undefined && !inBatch) { t0 = process.hrtime.bigint(); inBatch = true; }
      switch (op) {
        case OP_SET: sink.levelSet(o[b + 1]!, o[b + 2]!, o[b + 3]!, o[b + 4] as SideCode, o[b + 5]!, o[b + 6]!); break;
        case OP_CHANGE: sink.levelChange(o[b + 1]!, o[b + 2]!, o[b + 3]!, o[b + 4] as SideCode, o[b + 5]!, o[b + 6]!); break;
        case OP_TRADE: sink.trade(o[b + 1]!, o[b + 2]!, o[b + 3]!, o[b + 4] as SideCode, o[b + 5]!, o[b + 6]!, o[b + 7]!); break;
        case OP_HEARTBEAT: sink.heartbeat(o[b + 3]!); break;
        case OP_SNAPSHOT: {
          const s = this.snapshots[o[b + 5]!]!;
          sink.snapshot(o[b + 1]!, o[b + 2]!, o[b + 3]!, s.bids, s.nBids, s.asks, s.nAsks);
          break;
        }
        case OP_END:
          sink.setClock(o[b + 3]! > 0 ? o[b + 3]! : sink.staleFeedNs);
          sink.endOfBatch(0);
          if (timer !== undefined) { timer(i, Number(process.hrtime.bigint() - t0)); inBatch = false; }
          break;
      }
    }
    return to;
  }

  freeze(): void {
    this.ops = Float64Array.from(this.list);
    this.list = [];
  }

  get records(): number { return this.ops.length / 8; }

  /** Record index just after the first end of batch at or after tsNs. */
  indexAfter(tsNs: number): number {
    const o = this.ops;
    let lastTs = 0;
    for (let i = 0; i < this.records; i++) {
      const op = o[i * 8]!;
      if (op !== OP_END) { if (o[i * 8 + 3]! > 0) lastTs = o[i * 8 + 3]!; continue; }
      if (lastTs >= tsNs) return i + 1;
    }
    return this.records;
  }
}

function record(seed: number): { rec: Recording; startTsNs: number } {
  const sim = new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }, { symbol: 'ETHUSDT' }] }, seed);
  const rec = new Recording();
  sim.start(rec);
  sim.advanceTo(sim.startTsNs + (WARM_S + MEASURE_S) * 1e9, rec);
  rec.freeze();
  return { rec, startTsNs: sim.startTsNs };
}

// ---- the decision path --------------------------------------------------------------
interface Scenario {
  name: string;
  setup: (engine: TradingEngine) => void;
}

const SEED000 = { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 };
const SCENARIOS: Scenario[] = [
  { name: 'no strategy (books + paper exchange)', setup: () => {} },
  {
    name: '1 strategy: seed 000 on BTCUSDT',
    setup: (e) => { e.load({ name: 'btc_mm_1', symbols: ['BTCUSDT'], parameters: SEED000 }); e.start('btc_mm_1'); },
  },
  {
    name: '3 strategies, 4 legs (dynamic spread, regimes, imbalance, 10 levels)',
    setup: (e) => {
      e.load({ name: 'btc', symbols: ['BTCUSDT'], parameters: SEED000 });
      e.load({ name: 'eth', symbols: ['ETHUSDT'], parameters: { spread_bps: 6, order_size: 0.01, max_position: 0.2, quote_levels: 10 } });
      e.load({
        name: 'both', symbols: ['BTCUSDT', 'ETHUSDT'],
        parameters: { spread_bps: 10, order_size: 0.01, max_position: 1, quote_levels: 5, dynamic_spread: true, regime_adjust: true, imbalance_threshold: 0.2, fair_value: 'microprice' },
      });
      for (const id of ['btc', 'eth', 'both']) e.start(id);
    },
  },
];

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
}

interface PathResult {
  name: string; batches: number; total: Float64Array; decision: Float64Array; withOrders: Float64Array;
  orders: number; fills: number; seconds: number;
}

function runScenario(s: Scenario, rec: Recording, startTsNs: number): PathResult {
  const engine = new TradingEngine({ riskLimits: { max_orders_per_second: 1e6, order_burst: 1e6 } });
  const ingest = engine.ingest;
  ingest.staleFeedNs = 1e18;
  for (const d of rec.defs) ingest.instrument(d);
  const warmEnd = rec.indexAfter(startTsNs + WARM_S * 1e9);
  rec.replay(ingest, 0, warmEnd);
  s.setup(engine);
  // the listener's share of each batch
  const inner = ingest.listener.onBatch!;
  let decisionNs = 0;
  ingest.listener.onBatch = (ing, dirty, n, send) => {
    const t0 = process.hrtime.bigint();
    inner(ing, dirty, n, send);
    decisionNs = Number(process.hrtime.bigint() - t0);
  };
  const n = rec.records - warmEnd;
  const total = new Float64Array(n);
  const decision = new Float64Array(n);
  const withOrders = new Float64Array(n);
  let k = 0;
  let kw = 0;
  let lastOrders = engine.counters.ordersPlaced + engine.counters.ordersCancelled;
  const orders0 = lastOrders;
  const fills0 = engine.counters.fills;
  const started = process.hrtime.bigint();
  rec.replay(ingest, warmEnd, rec.records, (_i, ns) => {
    total[k] = ns;
    decision[k] = decisionNs;
    decisionNs = 0;
    const o = engine.counters.ordersPlaced + engine.counters.ordersCancelled;
    if (o !== lastOrders) { withOrders[kw++] = ns; lastOrders = o; }
    k++;
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const result: PathResult = {
    name: s.name, batches: k, total: total.slice(0, k).sort(), decision: decision.slice(0, k).sort(), withOrders: withOrders.slice(0, kw).sort(),
    orders: engine.counters.ordersPlaced + engine.counters.ordersCancelled - orders0, fills: engine.counters.fills - fills0, seconds,
  };
  engine.close();
  return result;
}

// ---- fills per second -----------------------------------------------------------------
interface FillResult { name: string; fills: number; seconds: number }

function fillBench(rec: Recording, startTsNs: number, withLedger: boolean): FillResult {
  const ingest = new FeedIngest();
  ingest.staleFeedNs = 1e18;
  for (const d of rec.defs) ingest.instrument(d);
  rec.replay(ingest, 0, rec.indexAfter(startTsNs + WARM_S * 1e9));
  const paper = new PaperExchange(ingest, { orderLatencyNs: 0, cancelLatencyNs: 0 });
  ingest.listener = paper;
  const ledgers = new LedgerSet();
  let fills = 0;
  const om = new OrderManager(paper, {
    listener: { onFill: (e) => { fills++; if (withLedger) ledgers.applyFill(e.fill); } },
  });
  const started = process.hrtime.bigint();
  for (let i = 0; i < FILLS; i++) {
    const intent: OrderIntent = {
      clientOrderId: `f${i}`, strategyId: 'bench', symbol: 'BTCUSDT', side: i % 2 === 0 ? 'BUY' : 'SELL', type: 'MARKET',
      timeInForce: 'IOC', priceTick: NaN, qtyLot: 1, reduceOnly: false, level: 0,
    };
    om.submit(intent);
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  ingest.close();
  return { name: withLedger ? 'paper exchange + order manager + accounting ledger (decimal.js)' : 'paper exchange + order manager', fills, seconds };
}

function engineFillBench(rec: Recording, startTsNs: number): FillResult {
  const engine = new TradingEngine({ paper: { orderLatencyNs: 0, cancelLatencyNs: 0 }, riskLimits: { max_orders_per_second: 1e9, order_burst: 1e9 } });
  engine.ingest.staleFeedNs = 1e18;
  for (const d of rec.defs) engine.ingest.instrument(d);
  rec.replay(engine.ingest, 0, rec.indexAfter(startTsNs + WARM_S * 1e9));
  const before = engine.counters.fills;
  const started = process.hrtime.bigint();
  for (let i = 0; i < FILLS; i++) engine.placeOrder({ side: i % 2 === 0 ? 'BUY' : 'SELL', symbol: 'BTCUSDT', qty: 0.00001, type: 'MARKET' });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const fills = engine.counters.fills - before;
  engine.close();
  return { name: 'TradingEngine.placeOrder: risk gate → order manager → paper → ledger, risk P&L, events', fills, seconds };
}

export async function runDecisionPathBench(): Promise<string> {
  const core = loadCore();
  const { rec, startTsNs } = record(42);
  // the timer's own cost
  let t = 0n;
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < 100_000; i++) t = process.hrtime.bigint();
  const timerNs = Number(t - t0) / 100_000;

  const results = SCENARIOS.map((s) => runScenario(s, rec, startTsNs));
  const us = (ns: number): string => (ns / 1000).toFixed(2);
  const rows = [
    `decision path per book update (${core.target} build; simulator seed 42, BTCUSDT + ETHUSDT, ${WARM_S} s warm-up then ${MEASURE_S} s of market replayed at full speed; timer read ≈ ${timerNs.toFixed(0)} ns)`,
    '',
    '| scenario | batches | total p50 µs | total p99 µs | total p99.9 µs | decision p50 µs | decision p99 µs | batches with orders | their p50 µs | their p99 µs | orders sent+cancelled | fills |',
    '|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const r of results) {
    rows.push(`| ${r.name} | ${r.batches} | ${us(percentile(r.total, 0.5))} | ${us(percentile(r.total, 0.99))} | ${us(percentile(r.total, 0.999))} | `
      + `${us(percentile(r.decision, 0.5))} | ${us(percentile(r.decision, 0.99))} | ${r.withOrders.length} | ${us(percentile(r.withOrders, 0.5))} | `
      + `${us(percentile(r.withOrders, 0.99))} | ${r.orders} | ${r.fills} |`);
  }
  const fills = [fillBench(rec, startTsNs, false), fillBench(rec, startTsNs, true), engineFillBench(rec, startTsNs)];
  rows.push('', `fills per second (${FILLS} marketable 1-lot orders, zero latency, alternating sides, on the recorded BTCUSDT book)`, '',
    '| path | fills | µs/fill | fills/s |', '|---|---:|---:|---:|');
  for (const f of fills) rows.push(`| ${f.name} | ${f.fills} | ${((f.seconds * 1e6) / Math.max(1, f.fills)).toFixed(2)} | ${Math.round(f.fills / f.seconds).toLocaleString('en-US')} |`);
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runDecisionPathBench());
}
