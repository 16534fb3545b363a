// Child process of the SSE fan-out benchmark: the benchmark engine (bench-market.ts)
// on the simulator paced in real time as `spreadcore serve` paces it (a timer hands
// SimDriver the clock every TICK_MS), market orders at a fixed rate so fills are
// frequent, the SSE hub attached to the engine's events and served by the uWS Gateway
// at /api/stream. Every batch is timed (TimedIngest). Answers over IPC: ready, phase
// start/end (batch-time percentiles, events published, CPU, RSS), pause/resume of the
// market and the orders, the ids of every fill event published, the hub's stats.
//
// argv: --fills-per-s N (default 100) --tick-ms N (default 5) [--defer] (the hub's deferDelivery)
import { readFileSync } from 'node:fs';
import { PerformanceObserver } from 'node:perf_hooks';
import { Gateway } from '../../src/gateway/gateway.js';
import { monoNowNs } from '../../src/net/clock.js';
import { attachEngine } from '../../src/gateway/sse-engine.js';
import { SseHub, type SsePublishMeta } from '../../src/gateway/sse-hub.js';
import { MANUAL_SYMBOL, benchMarket } from './bench-market.js';
import { answerIpc } from './child-ipc.js';
import { TimedIngest } from './timed-ingest.js';

function arg(name: string, dflt: number): number {
  const i = process.argv.indexOf(name);
  return i < 0 ? dflt : Number(process.argv[i + 1]);
}
const FILLS_PER_S = arg('--fills-per-s', 100);
const TICK_MS = arg('--tick-ms', 5);
const ORDER_EVERY_MS = 10;
const DEFER = process.argv.includes('--defer');
const ORDERS_PER_SIDE = 50;

/** The hub, keeping the id of every fill it publishes and a count per event name. */
class CountingHub extends SseHub {
  readonly fillIds: number[] = [];
  readonly published = new Map<string, number>();
  /** Set by every publish; the batch timer clears it as a batch begins. */
  touched = false;
  /** Time spent in publish() (which writes to every subscriber unless deferred) and in flush(), ns. */
  publishNs = 0;
  flushNs = 0;
  readonly flushes: number[] = [];
  override flush(): void {
    const t0 = monoNowNs();
    super.flush();
    const ns = monoNowNs() - t0;
    this.flushNs += ns;
    if (this.flushes.length < 1_000_000) this.flushes.push(ns);
  }
  override publish(event: string, data: unknown, meta?: SsePublishMeta): number {
    this.touched = true;
    const t0 = monoNowNs();
    const id = super.publish(event, data, meta);
    this.publishNs += monoNowNs() - t0;
    if (event === 'fill' && id > 0) this.fillIds.push(id);
    this.published.set(event, (this.published.get(event) ?? 0) + 1);
    return id;
  }
}

const ingest = new TimedIngest();
const { engine, driver } = benchMarket({ ingest, startTsNs: Date.now() * 1e6, stepMs: TICK_MS, warmS: 10, runS: 10 });
const hub = new CountingHub({ maxClients: 1000, maxClientsPerAddress: 1000, deferDelivery: DEFER }); // the subscribers share one address
attachEngine(hub, engine.events);
// no request-rate limit configured (Gateway without rateLimit)
const gateway = new Gateway(engine, { port: 0, stream: hub });
const port = await gateway.listen();

// ---- pacing: simulated time follows the wall clock from where it stands -------------------
let simAtNs = driver.nowNs;
let wallAtMs = Date.now();
let marketTimer: NodeJS.Timeout | null = null;
let orderTimer: NodeJS.Timeout | null = null;
let orderErrors = 0;
let ordersSent = 0;
let orderCarry = 0;
let side: 'BUY' | 'SELL' = 'BUY';

function resume(): void {
  if (marketTimer !== null) return;
  simAtNs = driver.nowNs;
  wallAtMs = Date.now();
  marketTimer = setInterval(() => { driver.runUntil(simAtNs + (Date.now() - wallAtMs) * 1e6); }, TICK_MS);
  let lastOrderMs = Date.now();
  orderTimer = setInterval(() => {
    // by elapsed time: the same offered rate however late the timer fires
    const now = Date.now();
    orderCarry = Math.min(orderCarry + (FILLS_PER_S * (now - lastOrderMs)) / 1000, Math.max(1, FILLS_PER_S / 20)); // at most 50 ms of orders at once
    lastOrderMs = now;
    for (; orderCarry >= 1; orderCarry--) {
      try {
        engine.placeOrder({ side, symbol: MANUAL_SYMBOL, qty: 0.01, type: 'MARKET' });
        ordersSent++;
      } catch {
        orderErrors++;
      }
      // runs of one side: a market order on the other side while ours is still in flight would cross it (refused)
      if (ordersSent % ORDERS_PER_SIDE === 0) side = side === 'BUY' ? 'SELL' : 'BUY';
    }
  }, ORDER_EVERY_MS);
}

function pause(): void {
  if (marketTimer !== null) clearInterval(marketTimer);
  if (orderTimer !== null) clearInterval(orderTimer);
  marketTimer = null;
  orderTimer = null;
}

// ---- phases ---------------------------------------------------------------------------------
interface PhaseMark {
  name: string; t0: number; cpu: NodeJS.CpuUsage; firstId: number; published: Map<string, number>; eventBatches: number[]; deliveries: number; coalesced: number;
  publishNs: number; flushNs: number; flushes: number;
}
let phase: PhaseMark | null = null;
let phaseOrders = { sent: 0, errors: 0, fills: 0 };
const gc = { n: 0, totalMs: 0, maxMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) { gc.n++; gc.totalMs += e.duration; gc.maxMs = Math.max(gc.maxMs, e.duration); }
}).observe({ entryTypes: ['gc'] });

ingest.onBegin = () => { hub.touched = false; };
ingest.onTimed = (ns) => {
  // batches that published at least one event (and so wrote it to every subscriber)
  if (phase !== null && hub.touched) phase.eventBatches.push(ns);
};

function pcts(xs: ArrayLike<number>): { n: number; p50: number; p99: number; p999: number; max: number } {
  const s = Float64Array.from(xs).sort();
  const at = (p: number): number => (s.length === 0 ? NaN : s[Math.min(s.length - 1, Math.floor(p * s.length))]!);
  return { n: s.length, p50: at(0.5), p99: at(0.99), p999: at(0.999), max: s.length === 0 ? NaN : s[s.length - 1]! };
}

function openFilesLimit(): string {
  try {
    const line = readFileSync('/proc/self/limits', 'utf8').split('\n').find((l) => l.startsWith('Max open files'));
    return line?.replace(/\s+/g, ' ').replace('Max open files ', '').replace(' files', '').trim() ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

resume();

answerIpc({
  ready: () => ({ port, pid: process.pid, openFiles: openFilesLimit() }),
  pause: () => { pause(); return { lastEventId: hub.lastEventId }; },
  resume: () => { resume(); return null; },
  'phase-start': (name: string) => {
    phaseOrders = { sent: ordersSent, errors: orderErrors, fills: engine.counters.fills };
    gc.n = 0; gc.totalMs = 0; gc.maxMs = 0;
    ingest.n = 0;
    ingest.recording = true;
    phase = {
      name, t0: performance.now(), cpu: process.cpuUsage(), firstId: hub.lastEventId + 1, published: new Map(hub.published),
      eventBatches: [], deliveries: hub.counters.deliveries, coalesced: hub.counters.coalesced,
      publishNs: hub.publishNs, flushNs: hub.flushNs, flushes: hub.flushes.length,
    };
    return { firstId: phase.firstId };
  },
  'phase-end': () => {
    const p = phase!;
    phase = null;
    ingest.recording = false;
    const seconds = (performance.now() - p.t0) / 1000;
    const cpu = process.cpuUsage(p.cpu);
    const published: Record<string, number> = {};
    for (const [k, v] of hub.published) published[k] = v - (p.published.get(k) ?? 0);
    return {
      name: p.name, seconds, firstId: p.firstId, lastId: hub.lastEventId,
      batches: pcts(ingest.samples.subarray(0, ingest.n)), eventBatches: pcts(p.eventBatches),
      published, deliveries: hub.counters.deliveries - p.deliveries, coalesced: hub.counters.coalesced - p.coalesced,
      publishNs: hub.publishNs - p.publishNs, flushNs: hub.flushNs - p.flushNs, flushTimes: pcts(hub.flushes.slice(p.flushes)),
      cpu: (cpu.user + cpu.system) / 1e6 / seconds, rssBytes: process.memoryUsage().rss, clients: hub.counters.clients,
      gc: { ...gc },
      ordersSent: ordersSent - phaseOrders.sent, orderErrors: orderErrors - phaseOrders.errors, fills: engine.counters.fills - phaseOrders.fills,
    };
  },
  'fill-ids': () => hub.fillIds,
  cpu: () => process.cpuUsage(),
  stats: () => ({ ...hub.stats(), rssBytes: process.memoryUsage().rss }),
});
