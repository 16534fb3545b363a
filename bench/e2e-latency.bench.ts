// End-to-end tick-to-quote latency over loopback. `spreadcore publish` runs in
// another process (started and stopped here) and sends protocol v1 frames to a
// FeedHandler in this process: uWS → FrameDecoder → FeedIngest (WASM books) →
// at each batch end the quote decision, WasmQuoter.compute for every dirty
// quotable symbol. Every scenario runs twice, side by side: frames decoded by the
// TS FrameDecoder only, and frames through the WASM fast path first
// (FeedIngest.applyFrameFast; the decoder takes the frames it hands back). Per frame, three numbers, all CLOCK_MONOTONIC (the publisher
// stamps sendTsNs as it sends; both processes read the same clock):
//   (i)   in-process: frame received (the handler's receive clock, read first
//         thing in its message callback and handed to the ingest via setClock)
//         → quotes decided (clock read after the last compute);
//   (ii)  transport: the frame's sendTsNs → received (ws client framing and
//         masking, the kernel's loopback, uWS parsing, the callback dispatch);
//   (iii) total: sendTsNs → quotes decided.
// Scenarios: the simulator and the USD-M BTCUSDT recording (as a binary
// recording made first, so the publisher streams frames instead of parsing
// JSON), each at a fixed rate the two processes sustain and at max, where the
// transport figure is mostly queueing in the socket buffers.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/e2e-latency.bench.js
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { PerformanceObserver } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FeedHandler } from '../src/feed/handler/feed-handler.js';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { isQuotable } from '../src/feed/ingest/symbol-state.js';
import { recordSource } from '../src/feed/replay/record-source.js';
import { openMarketSource, parseSourceFlags } from '../src/feed/replay/source-options.js';
import { monoNowNs } from '../src/net/clock.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { loadCore } from '../src/wasm/load.js';
import { WasmQuoter } from '../src/wasm/quote-api.js';
import { MAX_QUOTERS } from '../src/wasm/layout.js';

const MAX_SAMPLES = 1 << 21;
const QUOTE_LEVELS = 3;

function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('package root not found');
}

/** The ingest the handler drives, keeping the receive clock the handler gives it for each frame. */
class TimedIngest extends FeedIngest {
  rxNs = 0;
  override setClock(monoNs: number = monoNowNs()): void {
    this.rxNs = monoNs;
    super.setClock(monoNs);
  }
}

/** Per-frame samples, preallocated; recording is three stores. */
class Samples {
  readonly inProcess = new Float64Array(MAX_SAMPLES);
  readonly transport = new Float64Array(MAX_SAMPLES);
  readonly total = new Float64Array(MAX_SAMPLES);
  /** Messages in the frame. */
  readonly messages = new Float64Array(MAX_SAMPLES);
  n = 0;
  quotes = 0;
  firstRxNs = 0;
  lastRxNs = 0;
  record(rxNs: number, doneNs: number, sendTsNs: number, messages: number): void {
    const i = this.n;
    if (i === 0) this.firstRxNs = rxNs;
    this.lastRxNs = rxNs;
    if (i >= MAX_SAMPLES) return;
    this.inProcess[i] = doneNs - rxNs;
    this.transport[i] = rxNs - sendTsNs;
    this.total[i] = doneNs - sendTsNs;
    this.messages[i] = messages;
    this.n = i + 1;
  }
}

interface Percentiles { p50: number; p99: number; p999: number; max: number }
function percentiles(xs: Float64Array): Percentiles {
  const s = xs.slice().sort();
  const at = (p: number): number => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
  return { p50: at(0.5), p99: at(0.99), p999: at(0.999), max: s[s.length - 1] ?? NaN };
}

interface Scenario {
  name: string;
  /** The handler tries the WASM fast path before FrameDecoder. */
  fastPath: boolean;
  /** Flags for `spreadcore publish` (without --url). */
  args: string[];
  timeoutS: number;
  /** Counted against the latency targets (a rate the processes sustain). */
  sustained: boolean;
}

interface PublisherResult { code: number | null; report: { frames: number; framesPerS: number; backpressureWaits: number; maxBufferedBytes: number } | null; stderr: string; killed: boolean }

function runPublisher(root: string, url: string, args: string[], timeoutS: number): Promise<PublisherResult> {
  return new Promise((resolve) => {
    const env = { ...process.env };
    delete env['SPREADCORE_WASM'];
    const child = spawn(process.execPath, [join(root, 'bin', 'spreadcore.js'), 'publish', ...args, '--url', url, '--json'], { cwd: root, env });
    let stdout = '';
    let stderr = '';
    let killed = false;
    child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
    child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
    const timer = setTimeout(() => { killed = true; child.kill('SIGKILL'); }, timeoutS * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let report: PublisherResult['report'] = null;
      try { report = JSON.parse(stdout) as PublisherResult['report']; } catch { report = null; }
      resolve({ code, report, stderr, killed });
    });
  });
}

interface Outcome {
  scenario: Scenario;
  command: string;
  publisher: PublisherResult;
  frames: number;
  levelUpdates: number;
  /** Frames the fast path applied (the rest went through FrameDecoder). */
  fastFrames: number;
  decodeErrors: number;
  gaps: number;
  samples: number;
  quotes: number;
  spanS: number;
  gcs: number;
  inProcess: Percentiles;
  transport: Percentiles;
  total: Percentiles;
  /** (i) by messages per frame: [label, frames, percentiles]. */
  bySize: [string, number, Percentiles][];
}

const SIZE_BUCKETS: readonly [string, number, number][] = [
  ['1', 1, 1], ['2–8', 2, 8], ['9–32', 9, 32], ['33–128', 33, 128], ['129–512', 129, 512], ['> 512', 513, Infinity],
];

function bySize(samples: Samples): [string, number, Percentiles][] {
  const out: [string, number, Percentiles][] = [];
  for (const [label, lo, hi] of SIZE_BUCKETS) {
    const xs: number[] = [];
    for (let i = 0; i < samples.n; i++) {
      const m = samples.messages[i]!;
      if (m >= lo && m <= hi) xs.push(samples.inProcess[i]!);
    }
    if (xs.length > 0) out.push([label, xs.length, percentiles(Float64Array.from(xs))]);
  }
  return out;
}

export async function runE2eLatencyBench(): Promise<string> {
  const root = packageRoot();
  const core = loadCore();
  const books = new WasmBooks(core);
  const quoter = new WasmQuoter(core);
  const tmp = mkdtempSync(join(tmpdir(), 'spreadcore-e2e-'));
  const usdmJson = join(root, 'test/fixtures/binance/usdm_btcusdt_20240808.gz');
  const usdm = join(tmp, 'usdm_btcusdt.screc');
  const rec = await recordSource(await openMarketSource(parseSourceFlags({ source: `binance:${usdmJson}` })), usdm);

  const base: Omit<Scenario, 'fastPath'>[] = [
    { name: 'simulator, 3 symbols, 20,000 frames/s', args: ['--source', 'sim', '--seed', '1', '--duration-s', '240', '--rate', '20000'], timeoutS: 15, sustained: true },
    { name: 'simulator, 3 symbols, max', args: ['--source', 'sim', '--seed', '2', '--duration-s', '480', '--speed', 'max'], timeoutS: 15, sustained: false },
    { name: 'USD-M BTCUSDT recording, 10,000 frames/s', args: ['--source', `screc:${usdm}`, '--rate', '10000'], timeoutS: 15, sustained: true },
    { name: 'USD-M BTCUSDT recording, recorded pace x 50', args: ['--source', `screc:${usdm}`, '--speed', '50'], timeoutS: 15, sustained: true },
    { name: 'USD-M BTCUSDT recording, max', args: ['--source', `screc:${usdm}`, '--speed', 'max'], timeoutS: 15, sustained: false },
  ];
  const scenarios: Scenario[] = [
    { name: 'warm-up (discarded)', args: ['--source', 'sim', '--seed', '99', '--duration-s', '120', '--speed', 'max'], timeoutS: 15, sustained: false, fastPath: false },
    { name: 'warm-up (discarded)', args: ['--source', `screc:${usdm}`, '--duration-s', '60', '--speed', 'max'], timeoutS: 15, sustained: false, fastPath: false },
    { name: 'warm-up (discarded)', args: ['--source', 'sim', '--seed', '98', '--duration-s', '120', '--speed', 'max'], timeoutS: 15, sustained: false, fastPath: true },
    { name: 'warm-up (discarded)', args: ['--source', `screc:${usdm}`, '--duration-s', '60', '--speed', 'max'], timeoutS: 15, sustained: false, fastPath: true },
    // each scenario with the TS decoder, then with the fast path
    ...base.flatMap((b) => [{ ...b, fastPath: false }, { ...b, fastPath: true }]),
  ];
  const pathName = (s: Scenario): string => (s.fastPath ? 'WASM fast path' : 'TS decoder');

  let gcs = 0;
  const obs = new PerformanceObserver((list) => { gcs += list.getEntries().length; });
  obs.observe({ entryTypes: ['gc'] });

  const outcomes: Outcome[] = [];
  for (const scenario of scenarios) {
    const samples = new Samples();
    const ingest = new TimedIngest(books, { staleFeedMs: 60_000 });
    const handler = new FeedHandler(ingest, { port: 0, staleCheckMs: 0, idleTimeoutS: 0, fastPath: scenario.fastPath });
    const decoder = handler.decoder;
    const fast = ingest.fastPath;
    const slotOf = new Int16Array(65536).fill(-1);
    let nextSlot = 0;
    ingest.listener = {
      onBatch(_ing, dirty, nDirty, sendTsNs) {
        for (let i = 0; i < nDirty; i++) {
          const id = dirty[i]!;
          const s = ingest.symbolState(id);
          if (s === undefined || !isQuotable(s)) continue;
          let slot = slotOf[id]!;
          if (slot < 0) {
            // first sight of the symbol: configure its quoter (allocates once)
            slot = nextSlot++ % MAX_QUOTERS;
            slotOf[id] = slot;
            quoter.configure(slot, { model: 'linear', levels: QUOTE_LEVELS, halfSpreadBps: 2, levelSpacingBps: 2, orderSizeLot: 1, postOnly: true, fairMode: 'mid' });
          }
          quoter.compute(slot, s.book, NaN, 0);
          samples.quotes++;
        }
        samples.record(ingest.rxNs, monoNowNs(), sendTsNs, fast.lastApplied ? fast.messageCount : decoder.messageCount);
      },
    };
    const port = await handler.listen();
    const url = `ws://127.0.0.1:${port}/feed`;
    const levelsBefore = decoder.levelUpdatesApplied + fast.levelUpdatesApplied;
    const fastFramesBefore = fast.framesApplied;
    await new Promise((r) => setTimeout(r, 0));
    gcs = 0;
    const publisher = await runPublisher(root, url, scenario.args, scenario.timeoutS);
    await new Promise((r) => setTimeout(r, 0)); // let the GC observer drain
    handler.close();
    if (publisher.code !== 0) process.stderr.write(`e2e-latency: ${scenario.name}: publisher exit ${publisher.code}${publisher.killed ? ' (killed at the time limit)' : ''}: ${publisher.stderr}\n`);
    if (scenario.name.startsWith('warm-up')) continue;
    let gaps = 0;
    for (const s of ingest.symbols()) gaps += s.counters.gaps;
    const n = samples.n;
    outcomes.push({
      scenario,
      command: `spreadcore publish ${scenario.args.join(' ').replace(tmp, '$TMP')} --url ${url.replace(String(port), 'PORT')}`,
      publisher,
      frames: handler.totals.framesApplied,
      levelUpdates: decoder.levelUpdatesApplied + fast.levelUpdatesApplied - levelsBefore,
      fastFrames: fast.framesApplied - fastFramesBefore,
      decodeErrors: handler.totals.decodeErrors,
      gaps,
      samples: n,
      quotes: samples.quotes,
      spanS: (samples.lastRxNs - samples.firstRxNs) / 1e9,
      gcs,
      inProcess: percentiles(samples.inProcess.subarray(0, n)),
      transport: percentiles(samples.transport.subarray(0, n)),
      total: percentiles(samples.total.subarray(0, n)),
      bySize: bySize(samples),
    });
  }
  obs.disconnect();
  rmSync(tmp, { recursive: true, force: true });

  const us = (ns: number): string => (ns / 1000).toLocaleString('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  const int = (x: number): string => Math.round(x).toLocaleString('en-US');
  const rows: string[] = [
    '## End-to-end tick-to-quote latency over loopback',
    '',
    'Run: `npx tsc -p tsconfig.build.json && node dist/bench/e2e-latency.bench.js` (about 50 s; it starts and stops the publisher processes itself).',
    '',
    `tick-to-quote over loopback: \`spreadcore publish\` in a child process → FeedHandler (uWS) → FrameDecoder → FeedIngest (${core.target} WASM books) → WasmQuoter.compute (linear, ${QUOTE_LEVELS} levels) for each dirty quotable symbol; node ${process.version}. ` +
      'Each scenario runs twice: "TS decoder" decodes every frame with FrameDecoder; "WASM fast path" gives each frame to FeedIngest.applyFrameFast first (one copy into WASM memory, one frameApply call) and FrameDecoder only the frames it hands back (definitions, snapshots, heartbeats, gaps). ' +
      `The USD-M source is a binary recording made of test/fixtures/binance/usdm_btcusdt_20240808.gz first (${int(rec.frames)} frames, ${int(rec.messages)} messages) so the publisher streams frames.`,
    '',
    'Commands (each run by the benchmark in its own process, against the handler in the benchmark process):',
    '',
    ...outcomes.filter((o) => !o.scenario.fastPath).map((o) => `- ${o.scenario.name}: \`${o.command}\``),
    '',
    '### Latency per frame, µs',
    '',
    '| scenario | frames through | part | p50 | p99 | p99.9 | max |',
    '|---|---|---|--:|--:|--:|--:|',
  ];
  for (const o of outcomes) {
    const row = (part: string, p: Percentiles): string => `| ${o.scenario.name} | ${pathName(o.scenario)} | ${part} | ${us(p.p50)} | ${us(p.p99)} | ${us(p.p999)} | ${us(p.max)} |`;
    rows.push(row('(i) in-process: received → quote decided', o.inProcess));
    rows.push(row('(ii) transport: sendTsNs → received', o.transport));
    rows.push(row('(iii) total: sendTsNs → quote decided', o.total));
  }
  rows.push('', '### (i) in-process by frame size, µs', '',
    'The in-process time grows with the messages (level updates) in the frame: decode, book apply, then one quote decision.', '',
    '| scenario | frames through | messages per frame | frames | p50 | p99 | p99.9 | max |', '|---|---|---|--:|--:|--:|--:|--:|');
  for (const o of outcomes) {
    if (!o.scenario.sustained) continue;
    for (const [label, count, p] of o.bySize) {
      rows.push(`| ${o.scenario.name} | ${pathName(o.scenario)} | ${label} | ${int(count)} | ${us(p.p50)} | ${us(p.p99)} | ${us(p.p999)} | ${us(p.max)} |`);
    }
  }
  rows.push('', '### Throughput', '',
    '| scenario | frames through | frames applied | of which by the fast path | level updates | quote decisions | frames/s | level updates/s | decode errors | gaps | GCs | publisher: socket drain waits, most bytes waiting |',
    '|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|---|');
  for (const o of outcomes) {
    const span = o.spanS > 0 ? o.spanS : NaN;
    const p = o.publisher.report;
    rows.push(`| ${o.scenario.name} | ${pathName(o.scenario)} | ${int(o.frames)} | ${int(o.fastFrames)} | ${int(o.levelUpdates)} | ${int(o.quotes)} | ${int(o.frames / span)} | ${int(o.levelUpdates / span)} | ` +
      `${o.decodeErrors} | ${o.gaps} | ${o.gcs} | ${p === null ? `exit ${o.publisher.code}` : `${int(p.backpressureWaits)}, ${int(p.maxBufferedBytes)} B`} |`);
  }
  rows.push('', 'Target, in-process received → quote decided at a sustained rate: p50 ≤ 5 µs, p99 ≤ 25 µs.', '');
  for (const o of outcomes) {
    if (!o.scenario.sustained) continue;
    const { p50, p99 } = o.inProcess;
    rows.push(`- ${o.scenario.name}, ${pathName(o.scenario)}: p50 ${us(p50)} µs (${p50 <= 5000 ? 'PASS' : 'FAIL'}), p99 ${us(p99)} µs (${p99 <= 25_000 ? 'PASS' : 'FAIL'})`);
  }
  rows.push(`- load average at the end of the run: ${loadavg().map((x) => x.toFixed(2)).join(' / ')} (2 cores: the publisher takes one)`);
  rows.push(
    '',
    'frames/s and level updates/s are over the span from the first to the last frame received. (i) includes the decode and book ' +
    'apply of the whole frame, the end-of-batch checks and the quote computations, and one clock read (process.hrtime.bigint(), ~40 ns). ' +
    'At max the publisher sends as fast as its socket drains, so (ii) there is mostly time queued in the socket buffers. Where (ii) has ' +
    'millisecond tails at a sustained rate while (i) of the same frames stays in microseconds, the frames waited before the handler\'s ' +
    'callback ran: in the socket while the process was busy or waiting for a CPU (see the load average). Compare (i) at a sustained ' +
    'rate with (i) at max: between frames the handler sleeps, and a frame that wakes it runs with colder caches.');
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runE2eLatencyBench());
}
