// Distributed sweep throughput: one grid of backtests over the whole recorded BTCUSDT
// spot file, run (a) locally by `runSweep` on a pool of 2 threads and (b) through one
// nats-server by this process as the coordinator (`runSweep` with the cluster executor,
// what `spreadcore sweep --cluster` runs) with 1, 2 and 4 worker processes
// (`spreadcore worker --threads 1`, the compiled CLI), alternating, ROUNDS rounds each.
// Wall time is the sweep as its user waits for it: checks, storing the recording in the
// object store, queueing the points, every worker fetching the inputs and starting its
// pool (WebAssembly load, its own parse of the recording, a cold JIT), the backtests and
// the results files; the worker processes themselves are started (and idle) before.
// CPU is counted for every process taking part: this one (coordinator; for the local
// sweep its pool threads too), the worker processes and nats-server (utime + stime from
// /proc, every thread). Points per CPU-second normalises for the cores the machine
// actually gave the run; the two spinning threads before and after measure that.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/cluster-sweep.js [rounds]
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { runSweep, type SweepOutcome } from '../src/sweep/run-sweep.js';
import { clusterExecutor } from '../src/cluster/sweep-coordinator.js';
import { connectCluster, openSweepStore } from '../src/cluster/sweep-nats.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BIN = join(ROOT, 'bin/spreadcore.js');
const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const ROUNDS = Number(process.argv[2] ?? 2);
const WORKER_COUNTS = [1, 2, 4];
const CLK_TCK = 100;

const dir = mkdtempSync(join(tmpdir(), 'cluster-sweep-bench-'));
const params = join(dir, 'params.json');
writeFileSync(params, JSON.stringify({
  symbols: ['BTCUSDT'],
  parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_levels: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100 },
  fill_model: 'queue', order_latency_ms: 2, cancel_latency_ms: 2, maker_fee_bps: 0, taker_fee_bps: 4,
}));
const space = join(dir, 'space.json');
const SPACE_TEXT = 'spread_bps 8 × max_position 4 × quote_levels 2';
writeFileSync(space, JSON.stringify({ spread_bps: [0.5, 1, 2, 3, 4, 6, 8, 16], max_position: [0.002, 0.004, 0.006, 0.008], quote_levels: [1, 3] }));

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => { const p = (s.address() as { port: number }).port; s.close(() => resolve(p)); });
  });
}

/** CPU seconds a process has used so far (all its threads). */
function procCpu(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / CLK_TCK;
}

function selfCpu(): number {
  const c = process.cpuUsage();
  return (c.user + c.system) / 1e6;
}

function waitLine(child: ChildProcess, re: RegExp, what: string): Promise<void> {
  let out = '';
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`${what}: no ${re} in 60 s: ${out}`)), 60_000);
    const on = (b: Buffer): void => { out += b.toString(); if (re.test(out)) { clearTimeout(t); resolve(); } };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (c) => { clearTimeout(t); reject(new Error(`${what} exited (${c}): ${out}`)); });
  });
}

async function coresAvailable(n: number, ms: number): Promise<number> {
  const code = `const t = Date.now(); let x = 0; while (Date.now() - t < ${ms}) x += Math.sqrt(x + 1); require('node:worker_threads').parentPort.postMessage(x);`;
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: n }, () => new Promise((done) => new Worker(code, { eval: true }).once('message', done))));
  const c = process.cpuUsage(c0);
  return (c.user + c.system) / 1e3 / (performance.now() - t0);
}

interface Row { what: string; workers: number; round: number; load1: number; seconds: number; cpu: number; points: number; outcome: SweepOutcome }

const port = await freePort();
const url = `nats://127.0.0.1:${port}`;
const nats = spawn(process.env.NATS_SERVER_BIN ?? 'nats-server', ['-js', '-sd', join(dir, 'nats'), '-a', '127.0.0.1', '-p', String(port)], { stdio: ['ignore', 'pipe', 'pipe'] });
await waitLine(nats, /Server is ready/, 'nats-server');
const nc = await connectCluster(url, 'cluster-sweep bench');
const store = await openSweepStore(nc, url);

async function local(round: number): Promise<Row> {
  const load1 = loadavg()[0]!;
  const c0 = selfCpu();
  const t0 = performance.now();
  const outcome = await runSweep({
    dataPath: DATA, paramsPath: params, spacePath: space, search: 'grid', samples: 0, objective: 'net_pnl',
    workers: 2, outDir: join(dir, `local-${round}`), seed: 1, heatmap: 'none',
  });
  const seconds = (performance.now() - t0) / 1000;
  return { what: 'local pool, 2 threads', workers: 0, round, load1, seconds, cpu: selfCpu() - c0, points: outcome.runs.length, outcome };
}

async function clustered(workers: number, round: number): Promise<Row> {
  const children = Array.from({ length: workers }, () => spawn(process.execPath, [BIN, 'worker', '--cluster', url, '--threads', '1'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  await Promise.all(children.map((c, i) => waitLine(c, /serving every sweep/, `worker ${i + 1}`)));
  const load1 = loadavg()[0]!;
  const w0 = children.map((c) => procCpu(c.pid!));
  const n0 = procCpu(nats.pid!);
  const c0 = selfCpu();
  const t0 = performance.now();
  const outcome = await runSweep({
    dataPath: DATA, paramsPath: params, spacePath: space, search: 'grid', samples: 0, objective: 'net_pnl',
    workers: 1, outDir: join(dir, `cluster-${workers}-${round}`), seed: 1, heatmap: 'none',
    executor: clusterExecutor({ store, url, ackWaitMs: 30_000 }),
  });
  const seconds = (performance.now() - t0) / 1000;
  const cpu = selfCpu() - c0 + procCpu(nats.pid!) - n0 + children.reduce((t, c, i) => t + procCpu(c.pid!) - w0[i]!, 0);
  await Promise.all(children.map((c) => new Promise((r) => { c.once('exit', r); c.kill('SIGTERM'); })));
  return { what: `cluster, ${workers} worker process${workers === 1 ? '' : 'es'} × 1 thread`, workers, round, load1, seconds, cpu, points: outcome.runs.length, outcome };
}

const coresBefore = await coresAvailable(2, 1000);
const rows: Row[] = [];
try {
  for (let round = 1; round <= ROUNDS; round++) {
    rows.push(await local(round));
    for (const w of WORKER_COUNTS) rows.push(await clustered(w, round));
  }
} finally {
  await nc.close();
  nats.kill('SIGTERM');
  await new Promise((r) => nats.once('exit', r));
  rmSync(dir, { recursive: true, force: true });
}
const coresAfter = await coresAvailable(2, 1000);

const ranking = (r: Row): string => JSON.stringify(r.outcome.doc.runs.map((x) => [x.index, x.objectives]));
const sameAsFirst = (r: Row): string => {
  if (r.outcome.status !== 'complete' || r.outcome.doc.failed > 0) return `NO (${r.outcome.status}, ${r.outcome.doc.failed} failed: ${r.outcome.doc.failures[0]?.error ?? ''})`;
  if (ranking(r) === ranking(rows[0]!)) return 'yes';
  const a = r.outcome.doc.runs;
  const b = rows[0]!.outcome.doc.runs;
  const i = a.findIndex((x, k) => JSON.stringify([x.index, x.objectives]) !== JSON.stringify([b[k]?.index, b[k]?.objectives]));
  return `NO (rank ${i + 1}: ${JSON.stringify([a[i]?.index, a[i]?.objectives])} vs ${JSON.stringify([b[i]?.index, b[i]?.objectives])})`;
};
const same = rows.every((r) => sameAsFirst(r) === 'yes');
const best = (workers: number): Row => rows.filter((r) => r.workers === workers).sort((a, b) => a.seconds - b.seconds)[0]!;
const rate = (r: Row): number => r.points / r.seconds;
const perCpu = (r: Row): number => r.points / r.cpu;

const lines: string[] = [];
lines.push('## Distributed sweep over NATS JetStream: 1, 2 and 4 worker processes');
lines.push('');
lines.push('Command: `npx tsc -p tsconfig.build.json && node dist/bench/cluster-sweep.js`');
lines.push('');
lines.push(`${rows[0]!.points} backtests (${SPACE_TEXT}) over the whole spot BTCUSDT recording, ${(rows[0]!.outcome.runs[0]!.objectives.events).toLocaleString('en-US')} events each; one nats-server ${'(JetStream, file store)'} on loopback; ${ROUNDS} round${ROUNDS === 1 ? '' : 's'}, alternating; ${availableParallelism()} CPUs available.`);
lines.push('');
lines.push(`Cores this process could get (two threads spinning for 1 s, CPU time / wall time): ${coresBefore.toFixed(2)} before, ${coresAfter.toFixed(2)} after.`);
lines.push('');
lines.push('| run | round | load avg (1 min) at start | wall s | points/s | CPU s (coordinator + workers + nats-server) | CPU / wall | points per CPU-s | results as the first run |');
lines.push('|---|---:|---:|---:|---:|---:|---:|---:|---|');
for (const r of rows) {
  lines.push(`| ${r.what} | ${r.round} | ${r.load1.toFixed(1)} | ${r.seconds.toFixed(2)} | ${rate(r).toFixed(2)} | ${r.cpu.toFixed(2)} | ${(r.cpu / r.seconds).toFixed(2)} | ${perCpu(r).toFixed(2)} | ${sameAsFirst(r)} |`);
}
lines.push('');
const b1 = best(1);
for (const w of WORKER_COUNTS.slice(1)) {
  const b = best(w);
  lines.push(`- ${w} workers vs 1 (best round of each): points/s **${(rate(b) / rate(b1)).toFixed(2)}×** (${rate(b1).toFixed(2)} → ${rate(b).toFixed(2)}); points per CPU-second ${(perCpu(b) / perCpu(b1)).toFixed(2)}×; CPU / wall ${(b1.cpu / b1.seconds).toFixed(2)} → ${(b.cpu / b.seconds).toFixed(2)}.`);
}
// what each extra worker process costs in CPU for the same points: its own inputs fetch, pool
// start, WebAssembly load, parse of the recording and cold-JIT first backtests (mean over rounds)
const meanCpu = (w: number): number => { const r = rows.filter((x) => x.workers === w); return r.reduce((t, x) => t + x.cpu, 0) / r.length; };
const last = WORKER_COUNTS[WORKER_COUNTS.length - 1]!;
lines.push(`- CPU for the same ${rows[0]!.points} points, mean of the rounds: ${WORKER_COUNTS.map((w) => `${w} worker${w === 1 ? '' : 's'} ${meanCpu(w).toFixed(2)} s`).join(', ')}: each extra worker process costs ${((meanCpu(last) - meanCpu(1)) / (last - 1)).toFixed(2)} CPU-s.`);
const bl = best(0);
lines.push(`- local pool (2 threads) best round: ${rate(bl).toFixed(2)} points/s, ${perCpu(bl).toFixed(2)} points per CPU-second; the cluster's best: ${Math.max(...WORKER_COUNTS.map((w) => rate(best(w)))).toFixed(2)} points/s.`);
lines.push(`- rankings and objectives identical in every run, local and clustered: ${same ? 'yes' : 'NO'}.`);
process.stdout.write(`${lines.join('\n')}\n`);
if (!same) process.exitCode = 1;
