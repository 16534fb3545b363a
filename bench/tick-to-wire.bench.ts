// Tick to wire on a live Binance venue, in process, against the project's Binance
// replica (spot, WebSocket API order entry, HMAC keys): a Binance diff-depth JSON frame,
// as it arrives on the market-data stream, is handed to the connector's own message
// path (BinanceConnector's decode: JSON.parse, stream check, parseBinanceMessage, then
// the ingest adapter's local-book sync into the WASM books); the batch end runs the
// engine (strategy decision, quote diff, risk gate, order manager) and the live venue
// (grid conversion, filter check, client id, order params), whose WebSocket API client
// spends the rate budget, signs `order.place` (HMAC-SHA256 over the sorted params),
// builds the JSON frame and writes it to the socket (ws.send). Every frame moves the
// book by 50 ticks, so the one-level quote on each side is requoted: one
// order.cancelReplace per side (the venue's default on spot), or a cancel and an
// order.place per side with cancelReplace off. The clock stops when the first order frame
// (order.cancelReplace or order.place) has been written ("first order frame"); the last
// frame of the batch is timed too.
//
// The replica runs in its own process (bench/tick-to-wire-replica.ts) and answers each order over the same socket; between frames the benchmark
// waits until every request has its answer (no request in flight), so each frame starts
// from a quiet event loop and the replica's work is not counted. No journal: the hot
// path only (serve's batch also runs inside a journal transaction).
//
// A second, instrumented pass wraps the stages (one clock read at each boundary,
// ≈ 40–60 ns each, included) to show where the time goes: parse, ingest, decide (the
// engine's batch work outside the risk gate and the order manager), risk gate, order
// manager, venue (checks + params), ws request (budget, frame build), sign, ws.send.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/tick-to-wire.bench.js
import { spawn, type ChildProcess } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { AddressInfo } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import { TradingEngine } from '../src/engine/trading-engine.js';
import { BinanceConnector } from '../src/feed/binance/binance-connector.js';
import { parseBinanceMessage } from '../src/feed/binance/parse-message.js';
import type { DepthSnapshot } from '../src/feed/binance/messages.js';
import { orderPriority } from '../src/venues/binance/binance-live.js';
import { BinanceExecutionVenue, type OrderEntry } from '../src/venues/binance/binance-venue.js';
import type { OrderAnswer, Params } from '../src/venues/binance/rest-client.js';
import { ServerClock } from '../src/venues/binance/clock.js';
import { RateBudget } from '../src/venues/binance/rate-budget.js';
import { BinanceRestClient } from '../src/venues/binance/rest-client.js';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { BinanceWsApiClient } from '../src/venues/binance/ws-api-client.js';
import { loadCore } from '../src/wasm/load.js';

const KEY = 'tick-to-wire-bench-key';
const SECRET = 'tick-to-wire-bench-secret';
const WARM = Number(process.env['TICK_TO_WIRE_WARM'] ?? 300);
const FRAMES = Number(process.env['TICK_TO_WIRE_FRAMES'] ?? 2_000);
/**
 * Frames are paced: the strategy's full requote pass runs at most every quote_refresh_ms (10 ms,
 * the minimum) and its placement budget refills one ladder per 3 × quote_refresh_ms, so a frame
 * every 32 ms is requoted in full each time, as a quote on a live venue would be.
 */
const PACE_MS = Number(process.env['TICK_TO_WIRE_PACE_MS'] ?? 32);
const TARGET_P50_US = 15;
const TARGET_P99_US = 60;
const BIG = 1e9;

const now = (): number => Number(process.hrtime.bigint());

/** Stage boundaries of the instrumented pass (ns, per frame). */
const STAGES = [
  'parse (JSON.parse, stream check, parseBinanceMessage)', 'ingest (local-book sync, WASM books)', 'decide (batch work outside the gate and the order manager)',
  'risk gate', 'order manager', 'venue (grid, filters, client id, params)', 'ws request (budget, frame build)', 'sign (HMAC-SHA256)',
  'ws.send (framing; the socket write when not coalesced)', 'coalesced socket write after the batch', 'rest (returns, ticks, timer reads)',
] as const;

interface Rig {
  engine: TradingEngine;
  connector: BinanceConnector;
  ws: BinanceWsApiClient;
  signer: HmacSigner;
  venue: BinanceExecutionVenue;
  replica: ChildProcess;
  /** The in-process order-entry server of the "ack server" runs, else null. */
  sink: WebSocketServer | null;
  /** Advances the venue's clock by ms (ack-server runs: a virtual clock instead of sleeping). */
  advance: ((ms: number) => void) | null;
  /** Back to back: the venue has its answers at once; between frames only one turn of the event loop. */
  instant: boolean;
}

/**
 * A WebSocket API server in this process that only takes orders: every `order.place` is
 * answered NEW, every `order.cancel` CANCELED (the answer shapes of web-socket-api.md), no
 * checks. It lets the engine's clock be virtual (signatures and timestamps are not checked),
 * so frames follow each other without sleeping and the caches stay warm.
 */
async function startSink(): Promise<{ server: WebSocketServer; url: string }> {
  const server = new WebSocketServer({ port: 0, host: '127.0.0.1' });
  await new Promise<void>((done) => server.once('listening', () => done()));
  let orderId = 0;
  const byClient = new Map<string, number>();
  server.on('connection', (sock) => sock.on('message', (data) => {
    const m = JSON.parse(data.toString()) as { id: string; method: string; params: Record<string, string> };
    const p = m.params;
    const now = Date.now();
    let result: Record<string, unknown> = {};
    if (m.method === 'order.place') {
      const id = ++orderId;
      byClient.set(p['newClientOrderId']!, id);
      result = { symbol: p['symbol'], orderId: id, clientOrderId: p['newClientOrderId'], transactTime: now, price: p['price'], origQty: p['quantity'], executedQty: '0.00000000',
        cummulativeQuoteQty: '0.00000000', status: 'NEW', timeInForce: 'GTC', type: p['type'], side: p['side'], workingTime: now };
    } else if (m.method === 'order.cancelReplace') {
      const oldId = Number(p['cancelOrderId'] ?? byClient.get(p['cancelOrigClientOrderId'] ?? '') ?? 0);
      const id = ++orderId;
      byClient.set(p['newClientOrderId']!, id);
      result = {
        cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS',
        cancelResponse: { symbol: p['symbol'], orderId: oldId, origClientOrderId: '', clientOrderId: 'cancel', transactTime: now, price: '0', origQty: '0', executedQty: '0.00000000',
          cummulativeQuoteQty: '0.00000000', status: 'CANCELED', timeInForce: 'GTC', type: 'LIMIT_MAKER', side: p['side'] },
        newOrderResponse: { symbol: p['symbol'], orderId: id, clientOrderId: p['newClientOrderId'], transactTime: now, price: p['price'], origQty: p['quantity'], executedQty: '0.00000000',
          cummulativeQuoteQty: '0.00000000', status: 'NEW', timeInForce: 'GTC', type: p['type'], side: p['side'], workingTime: now },
      };
    } else if (m.method === 'order.cancel') {
      const id = Number(p['orderId'] ?? byClient.get(p['origClientOrderId'] ?? '') ?? 0);
      result = { symbol: p['symbol'], orderId: id, origClientOrderId: p['origClientOrderId'] ?? '', clientOrderId: 'cancel', transactTime: now, price: '0', origQty: '0',
        executedQty: '0.00000000', cummulativeQuoteQty: '0.00000000', status: 'CANCELED', timeInForce: 'GTC', type: 'LIMIT_MAKER', side: 'BUY' };
    }
    sock.send(JSON.stringify({ id: m.id, status: 200, result }));
  }));
  return { server, url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Starts bench/tick-to-wire-replica.js in its own process; its URLs once it listens. */
function startReplica(): Promise<{ child: ChildProcess; restUrl: string; wsUrl: string }> {
  const script = join(dirname(fileURLToPath(import.meta.url)), 'tick-to-wire-replica.js');
  const child = spawn(process.execPath, [script, KEY, SECRET], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (b: Buffer) => {
      out += b.toString();
      const nl = out.indexOf('\n');
      if (nl >= 0) { const u = JSON.parse(out.slice(0, nl)) as { restUrl: string; wsUrl: string }; resolve({ child, ...u }); }
    });
    child.on('exit', (code) => reject(new Error(`the replica exited (${code})`)));
  });
}

/**
 * The "back to back" runs: the order entry is the real WebSocket API client (budget, frame,
 * signature, socket write to the in-process ack server), but the venue is handed the
 * answer at once (a resolved promise with the ack server's answer) instead of waiting for it
 * to come back over the socket, so the next frame can follow without the process leaving
 * the path: what the path costs with the CPU's caches warm, as on a busy market.
 */
function instantEntry(ws: BinanceWsApiClient): OrderEntry {
  let venueId = 1_000_000;
  const now = Date.now();
  const newAnswer = (p: Params): OrderAnswer => ({
    symbol: p['symbol'] as string, orderId: ++venueId, clientOrderId: p['newClientOrderId'] as string, transactTime: now, price: p['price'] as string,
    origQty: p['quantity'] as string, executedQty: '0.00000000', status: 'NEW', timeInForce: 'GTC', type: p['type'] as string, side: p['side'] as string,
  } as OrderAnswer);
  const cancelAnswer = (symbol: string, orderId: number): OrderAnswer => ({
    symbol, orderId, clientOrderId: 'cancel', transactTime: now, price: '0', origQty: '0', executedQty: '0.00000000', status: 'CANCELED', timeInForce: 'GTC', type: 'LIMIT_MAKER', side: 'BUY',
  } as OrderAnswer);
  const ignore = (): void => undefined;
  return {
    placeOrder(params, priority) { ws.placeOrder(params, priority).catch(ignore); return Promise.resolve(newAnswer(params)); },
    cancelOrder(symbol, ref, priority) { ws.cancelOrder(symbol, ref, priority).catch(ignore); return Promise.resolve(cancelAnswer(symbol, ref.orderId ?? 0)); },
    cancelReplace(params, priority) {
      ws.cancelReplace(params, priority).catch(ignore);
      return Promise.resolve({ cancelResult: 'SUCCESS', newOrderResult: 'SUCCESS', cancelResponse: cancelAnswer(params['symbol'] as string, params['cancelOrderId'] as number), newOrderResponse: newAnswer(params) });
    },
  };
}

async function rig(coalesceWrites: boolean, ackServer: boolean, cancelReplace: boolean, instant = false): Promise<Rig> {
  const limits = [
    { rateLimitType: 'REQUEST_WEIGHT', interval: 'MINUTE', intervalNum: 1, limit: BIG },
    { rateLimitType: 'ORDERS', interval: 'SECOND', intervalNum: 10, limit: BIG },
    { rateLimitType: 'ORDERS', interval: 'DAY', intervalNum: 1, limit: BIG },
  ] as const;
  const started = await startReplica();
  const replica = { restUrl: started.restUrl, wsUrl: started.wsUrl };
  const signer = new HmacSigner(KEY, SECRET);
  let rest: BinanceRestClient | null = null;
  let virtualMs = Date.now();
  const clock = new ServerClock({ samples: 1, fetchServerTime: () => rest!.serverTime(), ...(ackServer ? { now: () => virtualMs } : {}) });
  const budget = new RateBudget({ now: () => clock.serverNowMs(), limits: limits as never });
  rest = new BinanceRestClient({ market: 'spot', baseUrl: replica.restUrl, signer, clock, budget });
  if (!ackServer) await clock.sync();
  const sink = ackServer ? await startSink() : null;
  const ws = new BinanceWsApiClient({ market: 'spot', url: sink !== null ? sink.url : `${replica.wsUrl}/ws-api/v3`, signer, clock, budget, coalesceWrites });
  await ws.connect();
  let engine: TradingEngine | undefined;
  const venue = new BinanceExecutionVenue({
    market: 'spot', rest, orderEntry: instant ? instantEntry(ws) : ws, priorityOf: orderPriority, engineInstrument: (s) => engine?.ingest.bySymbolName(s)?.instrument, cancelReplace,
  });
  await venue.loadExchangeInfo();
  engine = new TradingEngine({ venue, riskLimits: { max_orders_per_second: BIG, order_burst: BIG } });
  engine.ingest.staleFeedNs = 1e18;
  const connector = new BinanceConnector(engine.ingest, { market: 'spot', symbols: ['BTCUSDT'], restUrl: replica.restUrl, wsUrl: replica.wsUrl });
  return { engine, connector, ws, signer, venue, replica: started.child, sink: sink?.server ?? null, advance: ackServer ? (ms) => { virtualMs += ms; } : null, instant };
}

/** The book around a mid that alternates between two places 50 ticks apart. */
function levels(k: number): { bids: [string, string][]; asks: [string, string][] } {
  const base = 5_000_000 + (k % 2) * 50; // ticks of 0.01
  const px = (t: number): string => (t / 100).toFixed(2);
  const bids: [string, string][] = [];
  const asks: [string, string][] = [];
  for (let i = 0; i < 5; i++) {
    bids.push([px(base - i), '1.250000']);
    asks.push([px(base + 1 + i), '0.750000']);
  }
  return { bids, asks };
}

let updateId = 1000;
/** The diff-depth frame that moves the book from state k-1 to state k, as Binance sends it on a combined stream. */
export function depthFrame(k: number): string {
  const prev = levels(k - 1);
  const next = levels(k);
  const diff = (a: [string, string][], b: [string, string][]): [string, string][] => {
    const out = b.slice();
    for (const [p] of a) if (!b.some((x) => x[0] === p)) out.push([p, '0']);
    return out;
  };
  const U = updateId + 1;
  updateId += 3;
  const data = { e: 'depthUpdate', E: Date.now(), s: 'BTCUSDT', U, u: updateId, b: diff(prev.bids, next.bids), a: diff(prev.asks, next.asks) };
  return JSON.stringify({ stream: 'btcusdt@depth@100ms', data });
}

/** Waits until the WebSocket API has no request in flight (every order and cancel answered). */
async function settle(ws: BinanceWsApiClient): Promise<void> {
  const pending = (ws as unknown as { pending: Map<string, unknown> }).pending;
  for (let i = 0; i < 10_000 && pending.size > 0; i++) await new Promise<void>((r) => setImmediate(r));
  await new Promise<void>((r) => setImmediate(r));
}

function percentile(sorted: Float64Array, p: number): number {
  return sorted.length === 0 ? NaN : sorted[Math.min(sorted.length - 1, Math.floor(p * (sorted.length - 1)))]!;
}

interface Pass { first: Float64Array; last: Float64Array; frames: number; places: number; cancels: number; stages: Float64Array[] | null }

async function pass(r: Rig, instrument: boolean): Promise<Pass> {
  const { engine, connector, ws } = r;
  const onMessage = (connector as unknown as { onActiveMessage(text: string): void }).onActiveMessage.bind(connector);
  const acc = STAGES.map(() => new Float64Array(FRAMES));
  const restore: Array<() => void> = [];
  const wrap = <T extends object>(obj: T, name: keyof T & string, before: (() => void) | null, after: (() => void) | null): void => {
    const own = Object.prototype.hasOwnProperty.call(obj, name);
    const orig = (obj as Record<string, unknown>)[name] as (...a: unknown[]) => unknown;
    (obj as Record<string, unknown>)[name] = function (this: unknown, ...a: unknown[]): unknown {
      if (before !== null) before();
      try { return orig.apply(this, a); } finally { if (after !== null) after(); }
    };
    restore.push(() => { if (own) (obj as Record<string, unknown>)[name] = orig; else delete (obj as Record<string, unknown>)[name]; });
  };
  // "written" = handed to the kernel: the net.Socket's _write/_writev returned (libuv writes at once when it can)
  let t0 = 0;
  let firstPlace = 0;
  let lastWrite = 0;
  let placeQueued = false;
  let places = 0;
  let cancels = 0;
  let inBatch = false;
  let inSend = false;
  const wsSock = (ws as unknown as { ws: WebSocket }).ws;
  const tcp = (wsSock as unknown as { _socket: Record<string, unknown> })._socket;
  let riskNs = 0, omNs = 0, venueNs = 0, reqNs = 0, signNs = 0, sendNs = 0, batchNs = 0, flushNs = 0;
  let tParsed = 0, tBatch = 0;
  let sendStart = 0;
  wrap(wsSock, 'send', () => { inSend = true; if (instrument) sendStart = now(); }, () => { inSend = false; if (instrument && inBatch) sendNs += now() - sendStart; });
  // which frames: order.place or a cancel (counted before the frame is written)
  const countingSend = (wsSock as unknown as Record<string, (...a: unknown[]) => unknown>)['send']!;
  (wsSock as unknown as Record<string, unknown>)['send'] = function (this: unknown, data: unknown, ...rest: unknown[]): unknown {
    if (inBatch) {
      const text = data as string;
      const at = text.indexOf('"method":"') + 10;
      if (text.startsWith('order.place', at) || text.startsWith('order.cancelReplace', at)) { placeQueued = true; places++; } else cancels++;
    }
    return countingSend.call(this, data, ...rest);
  };
  for (const m of ['_writev', '_write'] as const) {
    let w0 = 0;
    wrap(tcp, m, () => { w0 = inBatch && instrument ? now() : 0; }, () => {
      if (!inBatch) return;
      const te = now();
      if (instrument && !inSend) flushNs += te - w0;
      lastWrite = te;
      if (placeQueued && firstPlace === 0) firstPlace = te;
    });
  }
  if (instrument) {
    let a = 0;
    wrap(engine.risk, 'check', () => { a = now(); }, () => { riskNs += now() - a; });
    let b = 0;
    wrap(engine.orders, 'submit', () => { b = now(); }, () => { omNs += now() - b; });
    wrap(engine.orders, 'cancel', () => { b = now(); }, () => { omNs += now() - b; });
    let c = 0;
    wrap(r.venue, 'submit', () => { c = now(); }, () => { venueNs += now() - c; });
    wrap(r.venue, 'cancel', () => { c = now(); }, () => { venueNs += now() - c; });
    let d = 0;
    wrap(ws, 'request', () => { d = now(); }, () => { reqNs += now() - d; });
    let e = 0;
    wrap(r.signer, 'sign', () => { e = now(); }, () => { signNs += now() - e; });
    let f = 0;
    wrap(engine.ingest.listener, 'onBatch', () => { f = now(); if (tBatch === 0) tBatch = f; }, () => { batchNs += now() - f; });
    wrap(connector.adapter, 'onMessage', () => { tParsed = now(); }, null);
  }
  let n = 0;
  const first = new Float64Array(FRAMES);
  const last = new Float64Array(FRAMES);
  const nextTick = (): Promise<void> => new Promise<void>((done) => process.nextTick(done));
  let due = Date.now();
  for (let k = 0; k < WARM + FRAMES; k++) {
    if (r.advance !== null) r.advance(PACE_MS);
    else {
      due += PACE_MS;
      const wait = due - Date.now();
      if (wait > 0) await new Promise<void>((done) => setTimeout(done, wait));
    }
    const text = depthFrame(k + 2);
    riskNs = omNs = venueNs = reqNs = signNs = sendNs = batchNs = flushNs = 0;
    tBatch = 0;
    firstPlace = 0;
    lastWrite = 0;
    placeQueued = false;
    inBatch = true;
    t0 = now();
    onMessage(text);
    // as after a WebSocket message event: the ticks queued by the batch run (a coalesced flush among them)
    await nextTick();
    inBatch = false;
    if (k >= WARM && firstPlace > 0) {
      first[n] = firstPlace - t0;
      last[n] = lastWrite - t0;
      if (instrument) {
        // nested: batch ⊃ order manager ⊃ venue ⊃ request ⊃ sign, send; the risk gate beside the order manager
        const total = lastWrite - t0;
        const parse = tParsed - t0;
        const ingest = tBatch - tParsed;
        const decide = batchNs - riskNs - omNs;
        const om = omNs - venueNs;
        const ven = venueNs - reqNs;
        const req = reqNs - signNs - sendNs;
        const rest = total - parse - ingest - batchNs - flushNs;
        const v = [parse, ingest, decide, riskNs, om, ven, req, signNs, sendNs, flushNs, rest];
        for (let i = 0; i < v.length; i++) acc[i]![n] = v[i]!;
      }
      n++;
    }
    if (r.instant) { if (process.env["TICK_TO_WIRE_BURST"] === undefined || k % Number(process.env["TICK_TO_WIRE_BURST"]) === 0) await new Promise<void>((done) => setImmediate(done)); }
    else await settle(ws);
  }
  for (const u of restore.reverse()) u();
  return {
    first: first.slice(0, n).sort(), last: last.slice(0, n).sort(), frames: n, places, cancels,
    stages: instrument ? acc.map((x) => x.slice(0, n).sort()) : null,
  };
}

export interface ModeResult { name: string; plain: Pass; inst: Pass; open: number; refused: number }

export async function runMode(name: string, coalesce: boolean, ackServer: boolean, cancelReplace: boolean, instant = false): Promise<ModeResult> {
  const r = await rig(coalesce, ackServer, cancelReplace, instant);
  // the book: a REST snapshot through the connector's adapter, then the strategy
  updateId = 1000;
  const s0 = levels(1);
  const snap = parseBinanceMessage({ lastUpdateId: updateId, bids: s0.bids, asks: s0.asks }) as DepthSnapshot;
  r.connector.adapter.onSnapshot('BTCUSDT', snap);
  r.engine.load({ name: 'wire', symbols: ['BTCUSDT'], parameters: { spread_bps: 2, order_size: 0.001, max_position: 1, quote_levels: 1, requote_threshold_price: 0.1, quote_refresh_ms: 10 } });
  r.engine.start('wire');
  await settle(r.ws);
  const plain = await pass(r, false);
  const inst = await pass(r, true);
  const open = r.engine.orders.openOrders().length;
  const refused = r.venue.counters.rejectedLocally;
  r.ws.close();
  r.venue.close();
  r.engine.close();
  if (r.sink !== null) await new Promise<void>((done) => r.sink!.close(() => done()));
  r.replica.stdin!.end();
  await new Promise<void>((done) => r.replica.once('exit', () => done()));
  return { name, plain, inst, open, refused };
}

export async function runTickToWireBench(): Promise<string> {
  const core = loadCore();
  const only = process.env['TICK_TO_WIRE_ONLY'];
  const all: Array<[string, boolean, boolean, boolean, boolean?]> = [
    ['replica, cancelReplace, coalesced writes (default)', true, false, true],
    ['replica, cancelReplace, one write per frame', false, false, true],
    ['replica, cancel + order.place, coalesced writes', true, false, false],
    ['ack server, cancelReplace, coalesced writes (default)', true, true, true],
    ['ack server, cancelReplace, one write per frame', false, true, true],
    ['ack server, cancel + order.place, coalesced writes', true, true, false],
    ['back to back, cancelReplace, one write per frame', false, true, true, true],
    ['back to back, cancelReplace, coalesced writes (default)', true, true, true, true],
    ['back to back, cancel + order.place, coalesced writes', true, true, false, true],
  ];
  const modes: ModeResult[] = [];
  for (const [name, coalesce, ack, cr, instant] of all) if (only === undefined || name.startsWith(only)) modes.push(await runMode(name, coalesce, ack, cr, instant === true));
  const us = (ns: number): string => (ns / 1000).toFixed(2);
  const row = (label: string, xs: Float64Array): string => `| ${label} | ${us(percentile(xs, 0.5))} | ${us(percentile(xs, 0.99))} | ${us(percentile(xs, 0.999))} | ${us(xs[xs.length - 1] ?? NaN)} |`;
  const verdict = (v: number, target: number): string => (v <= target ? `≤ ${target} µs: met` : `> ${target} µs: missed`);
  const rows = [
    `tick to wire (${core.target} build; spot BTCUSDT, 1 quote level per side moved 50 ticks by every frame: 2 order.cancelReplace per frame (2 cancels + 2 order.place with cancelReplace off), HMAC keys, `
      + `WebSocket API to the replica in another process; ${WARM} frames warm-up, ${FRAMES} measured per pass, one every ${PACE_MS} ms; load average at the start ${loadavg().map((x) => x.toFixed(1)).join(' / ')})`,
    '',
    '"replica": order entry to the Binance replica in its own process, frames paced 32 ms apart in real time (the process sleeps between frames). '
      + '"ack server": order entry to an in-process WebSocket server that answers every order NEW and every cancel CANCELED; the venue\'s clock is virtual and moves 32 ms per frame, so frames follow each other without sleeping (warm caches); the replica still serves exchangeInfo.',
    '',
    '| order entry, writes | from a depth frame received to | p50 µs | p99 µs | p99.9 µs | max µs |',
    '|---|---|---:|---:|---:|---:|',
  ];
  for (const m of modes) {
    rows.push(row(`${m.name} | the first order frame written`, m.plain.first), row(`${m.name} | the batch's last frame written`, m.plain.last));
  }
  const targets = modes.map((m) => {
    const p50 = percentile(m.plain.first, 0.5) / 1000;
    const p99 = percentile(m.plain.first, 0.99) / 1000;
    return `${m.name}: p50 ${p50.toFixed(2)} µs (${verdict(p50, TARGET_P50_US)}), p99 ${p99.toFixed(2)} µs (${verdict(p99, TARGET_P99_US)})`;
  });
  rows.push('', `Targets (first order frame): ${targets.join('; ')}.`
    + ` Frames written per pass: ${modes.map((m) => `${m.plain.places} order frames + ${m.plain.cancels} cancels`).join('; ')}; refused locally ${modes.map((m) => m.refused).join(' / ')}.`);
  rows.push('', 'where the time goes (instrumented pass: one clock read at each stage boundary, included; frame received → the batch\'s last frame written; stages summed over the frame\'s 4 orders)', '',
    `| stage | ${modes.map((m) => `${m.name} p50 µs | p99 µs`).join(' | ')} |`, `|---|${modes.map(() => '---:|---:').join('|')}|`);
  for (let i = 0; i < STAGES.length; i++) {
    rows.push(`| ${STAGES[i]} | ${modes.map((m) => `${us(percentile(m.inst.stages![i]!, 0.5))} | ${us(percentile(m.inst.stages![i]!, 0.99))}`).join(' | ')} |`);
  }
  rows.push(`| total (instrumented) | ${modes.map((m) => `${us(percentile(m.inst.last, 0.5))} | ${us(percentile(m.inst.last, 0.99))}`).join(' | ')} |`);
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runTickToWireBench());
  process.exit(0);
}
