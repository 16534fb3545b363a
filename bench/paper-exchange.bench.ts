// Paper exchange throughput.
// 1. Market events (batches) per second through FeedIngest with the paper exchange
//    attached and N resting orders kept near the touch (each order that closes is
//    replaced by a new one at the same distance from the best price), against the
//    ingest alone. The market is BTCUSDT from the built-in simulator, recorded once
//    to a tape and replayed, so only ingest + paper exchange + order manager are
//    timed. Orders and cancels travel with the default 2 ms latency; fees 10 bps.
// 2. Fills per second through the order manager (FillRecord with exact decimal
//    strings and fee, inventory after): IOC orders taking one lot from a static book,
//    and resting orders at one price filled by trades.
// Median of RUNS runs; "GCs" counts garbage collections per timed run.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/paper-exchange.bench.js
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import type { FeedSink, InstrumentDefinition, SideCode } from '../src/feed/feed-sink.js';
import { FeedIngest, type IngestListener } from '../src/feed/ingest/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { OrderManager } from '../src/execution/order-manager.js';
import { PaperExchange } from '../src/execution/paper-exchange.js';
import type { OrderIntent, OrderSide } from '../src/trading/types.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { loadCore } from '../src/wasm/load.js';

const SIM_SECONDS = 900;
const RUNS = 5;
const OP_LEVEL = 0;
const OP_TRADE = 1;
const OP_END = 2;
const OP_HEARTBEAT = 3;

/** The simulator's calls after start(), as flat arrays (replayed without the simulator's cost). */
export class Tape implements FeedSink {
  defs: InstrumentDefinition[] = [];
  snaps: { id: number; seq: number; ts: number; b: Float64Array; nb: number; a: Float64Array; na: number }[] = [];
  op: number[] = [];
  id: number[] = [];
  seq: number[] = [];
  ts: number[] = [];
  side: number[] = [];
  tick: number[] = [];
  qty: number[] = [];
  instrument(d: InstrumentDefinition): void { this.defs.push(d); }
  snapshot(id: number, seq: number, ts: number, b: Float64Array, nb: number, a: Float64Array, na: number): void {
    this.snaps.push({ id, seq, ts, b: b.slice(), nb, a: a.slice(), na });
  }
  levelSet(): void { throw new Error('the simulator does not send levelSet'); }
  private push(op: number, id: number, seq: number, ts: number, side: number, tick: number, qty: number): void {
    this.op.push(op); this.id.push(id); this.seq.push(seq); this.ts.push(ts); this.side.push(side); this.tick.push(tick); this.qty.push(qty);
  }
  levelChange(id: number, seq: number, ts: number, side: SideCode, tick: number, d: number): void { this.push(OP_LEVEL, id, seq, ts, side, tick, d); }
  trade(id: number, seq: number, ts: number, side: SideCode, tick: number, q: number): void { this.push(OP_TRADE, id, seq, ts, side, tick, q); }
  heartbeat(ts: number): void { this.push(OP_HEARTBEAT, 0, 0, ts, 0, 0, 0); }
  endOfBatch(): void { this.push(OP_END, 0, 0, 0, 0, 0, 0); }

  start(sink: FeedSink): void {
    for (const d of this.defs) sink.instrument(d);
    for (const s of this.snaps) sink.snapshot(s.id, s.seq, s.ts, s.b, s.nb, s.a, s.na); // its end of batch is the tape's first
  }
  replay(sink: FeedSink): void {
    const { op, id, seq, ts, side, tick, qty } = this;
    const n = op.length;
    for (let i = 0; i < n; i++) {
      switch (op[i]) {
        case OP_LEVEL: sink.levelChange(id[i]!, seq[i]!, ts[i]!, side[i] as SideCode, tick[i]!, qty[i]!); break;
        case OP_TRADE: sink.trade(id[i]!, seq[i]!, ts[i]!, side[i] as SideCode, tick[i]!, qty[i]!, i); break;
        case OP_HEARTBEAT: sink.heartbeat(ts[i]!); break;
        default: sink.endOfBatch(0);
      }
    }
  }
}

interface MarketRun { wallS: number; batches: number; fills: number; orders: number }

/** One replay: ingest alone (resting < 0), or with the paper exchange and `resting` orders kept working. */
export function marketRun(tape: Tape, books: WasmBooks, resting: number): MarketRun {
  const ingest = new FeedIngest(books);
  let fills = 0;
  let orders = 0;
  if (resting >= 0) {
    const paper = new PaperExchange(ingest);
    const refill: number[] = [];
    const slotOf = new Map<string, number>();
    const om = new OrderManager(paper, {
      retainClosedOrders: 1000,
      listener: {
        onFill: () => { fills++; },
        onOrderUpdate: (o) => { if (!o.isOpen) { const k = slotOf.get(o.clientOrderId); if (k !== undefined) { slotOf.delete(o.clientOrderId); refill.push(k); } } },
      },
    });
    for (let k = 0; k < resting; k++) refill.push(k);
    let nextId = 0;
    const listener: IngestListener = {
      onTrade: (s, side, tick, q, ts) => paper.onTrade(s, side, tick, q, ts),
      onBatch: (ing, dirty, n) => {
        paper.onBatch(ing, dirty, n);
        if (refill.length === 0) return;
        const s = ing.symbolState(dirty[0]!);
        if (s === undefined || s.state !== 'live') return;
        const bid = books.bestBidTick(s.book);
        const ask = books.bestAskTick(s.book);
        while (refill.length > 0) {
          const k = refill.pop()!;
          const side: OrderSide = k % 2 === 0 ? 'BUY' : 'SELL';
          const dist = 1 + (k >> 1) * 3; // ticks behind the best price of its side
          const intent: OrderIntent = {
            clientOrderId: `b${nextId++}`, strategyId: 'bench', symbol: s.symbol, side, type: 'LIMIT', timeInForce: 'GTC',
            priceTick: side === 'BUY' ? bid - dist : ask + dist, qtyLot: 500, reduceOnly: false, level: 1 + (k >> 1),
          };
          slotOf.set(intent.clientOrderId, k);
          orders++;
          om.submit(intent);
        }
      },
    };
    ingest.listener = listener;
  }
  tape.start(ingest);
  const batches0 = ingest.counters.batches;
  const t0 = performance.now();
  tape.replay(ingest);
  const wallS = (performance.now() - t0) / 1e3;
  const batches = ingest.counters.batches - batches0;
  ingest.close();
  return { wallS, batches, fills, orders };
}

interface FillRun { wallS: number; fills: number }

/** IOC orders of one lot against a deep static book: one taker fill each, through the order manager. */
function takerFillRun(books: WasmBooks, n: number): FillRun {
  const ingest = new FeedIngest(books);
  ingest.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
  ingest.snapshot(1, 1, 1e18, Float64Array.from([5_000_000, 1e12]), 1, Float64Array.from([5_000_001, 1e12]), 1);
  ingest.endOfBatch(0);
  const paper = new PaperExchange(ingest, { orderLatencyNs: 0, cancelLatencyNs: 0 });
  ingest.listener = paper;
  let fills = 0;
  const om = new OrderManager(paper, { retainClosedOrders: 1000, listener: { onFill: () => { fills++; } } });
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const buy = (i & 1) === 0;
    om.submit({ clientOrderId: `t${i}`, strategyId: 'bench', symbol: 'BTCUSDT', side: buy ? 'BUY' : 'SELL', type: 'LIMIT', timeInForce: 'IOC',
      priceTick: buy ? 5_000_001 : 5_000_000, qtyLot: 1, reduceOnly: false, level: 0 });
  }
  const wallS = (performance.now() - t0) / 1e3;
  ingest.close();
  return { wallS, fills };
}

/** `perLevel` resting orders at one price, filled by trades of one lot each (maker fills through the queue). */
function makerFillRun(books: WasmBooks, trades: number, perLevel: number): FillRun {
  const ingest = new FeedIngest(books);
  ingest.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.00001', resolutionTsNs: 0 });
  ingest.snapshot(1, 1, 1e18, Float64Array.from([5_000_000, 0, 4_999_999, 100]), 2, Float64Array.from([5_000_002, 100]), 1);
  ingest.endOfBatch(0);
  const paper = new PaperExchange(ingest, { orderLatencyNs: 0, cancelLatencyNs: 0 });
  ingest.listener = paper;
  let fills = 0;
  const om = new OrderManager(paper, { retainClosedOrders: 1000, listener: { onFill: () => { fills++; } } });
  for (let k = 0; k < perLevel; k++) {
    om.submit({ clientOrderId: `r${k}`, strategyId: 'bench', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC',
      priceTick: 5_000_000, qtyLot: 1e12, reduceOnly: false, level: 1 });
  }
  let seq = 2;
  const t0 = performance.now();
  for (let i = 0; i < trades; i++) {
    ingest.trade(1, seq++, 1e18 + i * 1000, 1, 4_999_999, 1, i); // a seller prints below our bids: through, one lot
    ingest.endOfBatch(0);
  }
  const wallS = (performance.now() - t0) / 1e3;
  ingest.close();
  return { wallS, fills };
}

export async function runPaperExchangeBench(): Promise<string> {
  const core = loadCore();
  const books = new WasmBooks(core);
  const tape = new Tape();
  const sim = new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, 11);
  sim.start(tape);
  sim.advanceTo(sim.startTsNs + SIM_SECONDS * 1e9, tape);

  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });
  const f = (x: number): string => Math.round(x).toLocaleString('en-US');
  const settle = () => new Promise((r) => setTimeout(r, 0));

  const rows = [
    `paper exchange (${core.target} WASM build; BTCUSDT from the simulator, ${SIM_SECONDS} s of simulated market replayed from a tape; median of ${RUNS} runs)`,
    '',
    '| case | resting orders | market events (batches)/s | ns per event | ns added to the ingest | orders sent per run | fills per run | GCs per run |',
    '|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  let baseNs = 0;
  for (const resting of [-1, 0, 6, 10, 100, 1000]) {
    for (let w = 0; w < 3; w++) marketRun(tape, books, resting); // warm-up (the optimizing compiler settles in)
    await settle();
    gcs = 0;
    const runs: MarketRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(marketRun(tape, books, resting));
    await settle();
    runs.sort((a, b) => a.batches / a.wallS - b.batches / b.wallS);
    const m = runs[RUNS >> 1]!;
    const perS = m.batches / m.wallS;
    const ns = 1e9 / perS;
    if (resting < 0) baseNs = ns;
    const name = resting < 0 ? 'FeedIngest alone' : resting === 0 ? 'with paper exchange + order manager, no orders'
      : resting === 6 ? 'with paper exchange + order manager (3 levels a side)' : 'with paper exchange + order manager';
    rows.push(`| ${name} | ${resting < 0 ? '–' : f(resting)} | ${f(perS)} | ${f(ns)} | ${resting < 0 ? '–' : f(ns - baseNs)} | `
      + `${resting < 0 ? '–' : f(m.orders)} | ${resting < 0 ? '–' : f(m.fills)} | ${(gcs / RUNS).toFixed(1)} |`);
  }

  rows.push('', 'fills through the order manager (each a FillRecord with exact decimals, fee and inventory after)', '',
    '| case | fills | fills/s | µs per fill | GCs per run |', '|---|---:|---:|---:|---:|');
  const fillCases: { name: string; run: () => FillRun }[] = [
    { name: 'IOC order of one lot, taker fill (submit → arrival → walk → report)', run: () => takerFillRun(books, 100_000) },
    { name: 'trade through 1 resting order (maker fill per trade)', run: () => makerFillRun(books, 100_000, 1) },
    { name: 'trade through 10 resting orders at one price (first in queue filled)', run: () => makerFillRun(books, 100_000, 10) },
  ];
  for (const c of fillCases) {
    for (let w = 0; w < 2; w++) c.run();
    await settle();
    gcs = 0;
    const runs: FillRun[] = [];
    for (let i = 0; i < RUNS; i++) runs.push(c.run());
    await settle();
    runs.sort((a, b) => a.fills / a.wallS - b.fills / b.wallS);
    const m = runs[RUNS >> 1]!;
    rows.push(`| ${c.name} | ${f(m.fills)} | ${f(m.fills / m.wallS)} | ${((m.wallS * 1e6) / m.fills).toFixed(2)} | ${(gcs / RUNS).toFixed(1)} |`);
  }
  obs.disconnect();
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runPaperExchangeBench());
}
