// Journal write and restore throughput on a real file under the OS temp directory
// (WAL, synchronous=FULL: every commit waits for an fsync, so the figures are
// mostly the disk's fsync latency). Fills one transaction each vs batched (one
// transaction per batch, recordFills; FillBurstWriter bursts per event-loop turn),
// a duplicate fill, orders with and without a status transition, parameter
// changes, and restore() of a journal of RESTORE_FILLS fills.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/journal.bench.js
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { FillBurstWriter, Journal } from '../src/store/index.js';
import type { FillRecord, OrderRecord } from '../src/trading/types.js';

const SINGLE_FILLS = 1500;
const BATCHED_FILLS = 50_000;
const ORDERS = 1000;
const RESTORE_FILLS = 200_000;
const T0 = 1_717_000_000_000_000_000n;

function makeFill(n: number): FillRecord {
  return {
    tradeId: `bench-${n}`, orderId: `o-${n >> 2}`, clientOrderId: `c-${n >> 2}`, strategyId: `mm_${n % 4}`, symbol: 'BTCUSDT',
    side: n % 2 === 0 ? 'BUY' : 'SELL', price: `${49_000 + (n % 2000)}.${n % 10}0`, qty: '0.001', fee: '-0.00049', liquidity: 'MAKER',
    tsEventNs: T0 + BigInt(n) * 1000n, tsInitNs: T0 + BigInt(n) * 1000n + 250n,
  };
}

function makeOrder(n: number): OrderRecord {
  return {
    orderId: `ord-${n}`, clientOrderId: `cl-${n}`, strategyId: 'mm_0', symbol: 'BTCUSDT', side: 'BUY', type: 'LIMIT', timeInForce: 'GTC',
    price: '49990.10', qty: '0.001', tsInitNs: T0 + BigInt(n),
  };
}

interface Row { name: string; ops: number; seconds: number; latenciesUs?: number[] }

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? Number.NaN;
}

/** Calls op(i) n times, each timed on its own. */
function timedEach(name: string, n: number, op: (i: number) => void): Row {
  const lat: number[] = [];
  const start = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const t = process.hrtime.bigint();
    op(i);
    lat.push(Number(process.hrtime.bigint() - t) / 1000);
  }
  return { name, ops: n, seconds: Number(process.hrtime.bigint() - start) / 1e9, latenciesUs: lat.sort((a, b) => a - b) };
}

function withJournal<T>(fn: (j: Journal) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'spreadcore-journal-bench-'));
  const j = Journal.open(join(dir, 'data'));
  try {
    return fn(j);
  } finally {
    j.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function batched(name: string, batch: number): Row {
  return withJournal((j) => {
    const fills = Array.from({ length: BATCHED_FILLS }, (_, i) => makeFill(i));
    const r = timedEach(name, BATCHED_FILLS / batch, (b) => { j.recordFills(fills.slice(b * batch, (b + 1) * batch)); });
    return { name, ops: BATCHED_FILLS, seconds: r.seconds, latenciesUs: r.latenciesUs ?? [] };
  });
}

async function burstWriter(burst: number): Promise<Row> {
  const dir = mkdtempSync(join(tmpdir(), 'spreadcore-journal-bench-'));
  const j = Journal.open(join(dir, 'data'));
  try {
    let reported = 0;
    const w = new FillBurstWriter(j, { onDurable: () => { reported++; }, onError: (e) => { throw e; } });
    const start = process.hrtime.bigint();
    for (let n = 0; n < BATCHED_FILLS; ) {
      for (let k = 0; k < burst && n < BATCHED_FILLS; k++) w.add(makeFill(n++));
      await new Promise((r) => setImmediate(r));
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    if (reported !== BATCHED_FILLS) throw new Error(`reported ${reported} of ${BATCHED_FILLS}`);
    return { name: `fills, FillBurstWriter, bursts of ${burst} per event-loop turn`, ops: BATCHED_FILLS, seconds };
  } finally {
    j.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function runJournalBench(): Promise<string> {
  const rows: Row[] = [];
  rows.push(withJournal((j) => timedEach('fills, one transaction per fill (recordFill)', SINGLE_FILLS, (i) => { j.recordFill(makeFill(i)); })));
  rows.push(withJournal((j) => {
    for (let i = 0; i < SINGLE_FILLS; i++) j.recordFill(makeFill(i));
    return timedEach('fill already journaled (duplicate, nothing written)', SINGLE_FILLS, (i) => { j.recordFill(makeFill(i)); });
  }));
  for (const b of [10, 100, 1000]) rows.push(batched(`fills, batches of ${b} (recordFills)`, b));
  rows.push(await burstWriter(64));
  rows.push(withJournal((j) => timedEach('orders, one transaction each (recordOrder)', ORDERS, (i) => { j.recordOrder(makeOrder(i)); })));
  rows.push(withJournal((j) => {
    for (let i = 0; i < ORDERS; i++) j.batch(() => { for (let k = 0; k < 10; k++) j.recordOrder(makeOrder(i * 10 + k)); });
    return timedEach('order status transitions, one transaction each (recordOrderStatus)', ORDERS, (i) => { j.recordOrderStatus(`ord-${i}`, 'ACTIVE', { tsEventNs: T0 + BigInt(i) }); });
  }));
  rows.push(withJournal((j) => {
    const r = timedEach('orders, batches of 100 in one transaction (batch)', ORDERS / 10, (b) => { j.batch(() => { for (let k = 0; k < 100; k++) j.recordOrder(makeOrder(b * 100 + k)); }); });
    return { name: r.name, ops: ORDERS * 10, seconds: r.seconds };
  }));
  rows.push(withJournal((j) => {
    j.recordStrategy({ id: 'mm_0', name: 'mm_0', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001 }, status: 'stopped' });
    return timedEach('parameter change with its audit row (recordParameterChange)', 500, (i) => { j.recordParameterChange('mm_0', 'spread_bps', 4 + i / 100, { source: 'api' }); });
  }));
  const restoreRow = withJournal((j) => {
    for (let b = 0; b < RESTORE_FILLS / 1000; b++) j.recordFills(Array.from({ length: 1000 }, (_, k) => makeFill(b * 1000 + k)));
    const start = process.hrtime.bigint();
    const r = j.restore();
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const n = [...r.fillsByStrategy.values()].reduce((s, l) => s + l.length, 0);
    if (n !== RESTORE_FILLS) throw new Error(`restored ${n} fills`);
    return { name: `restore() of a journal of ${RESTORE_FILLS.toLocaleString('en-US')} fills (fills read per s)`, ops: n, seconds };
  });
  rows.push(restoreRow);

  const f = (x: number): string => Math.round(x).toLocaleString('en-US');
  const us = (x: number): string => (x >= 100 ? f(x) : x.toFixed(1));
  const out = [
    `journal on ${tmpdir()} (WAL, synchronous=FULL, exclusive lock); one run per case`,
    '',
    '| case | count | per s | µs per call p50 | µs per call p99 |',
    '|---|---:|---:|---:|---:|',
  ];
  for (const r of rows) {
    const lat = r.latenciesUs;
    out.push(`| ${r.name} | ${f(r.ops)} | ${f(r.ops / r.seconds)} | ${lat ? us(pct(lat, 0.5)) : '–'} | ${lat ? us(pct(lat, 0.99)) : '–'} |`);
  }
  return out.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runJournalBench());
}
