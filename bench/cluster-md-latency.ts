// Market data over NATS: the one-way latency from a frame leaving the publisher (its send
// timestamp, the publisher's monotonic clock at nc.publish) to the frame applied in a
// subscriber's book, against the in-process path (the same frame decoded into a book in the
// publisher's own process, no transport).
//
// This process is the publisher: the built-in simulator (seed 1) paced in
// real time with a 5 ms step, as `serve` runs it, (its 3 instruments and 10 binary markets: the two ingests of this process share the WebAssembly core's 32 books) feeding a FeedIngest tapped by
// MarketDataPublisher (what `serve --cluster … --md-publish` runs) that publishes to a
// nats-server on loopback; a second tap on the same ingest hands every frame to a
// MarketDataSubscriber of another FeedIngest in this process at once (the in-process path).
// A child process (this file with --subscriber) is the node: MarketDataSubscriber on its
// own FeedIngest subscribed to md.> (every market), timing each frame from the send
// timestamp in its header to the end of its apply. Both processes read CLOCK_MONOTONIC of
// the same host, so the difference is the one-way latency. Snapshots (every second) and
// deltas are counted alike.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/cluster-md-latency.js [seconds]
import { spawn } from 'node:child_process';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import { MarketSimulator } from '../src/feed/sim/market-simulator.js';
import { MarketDataPublisher, MarketDataSubscriber } from '../src/cluster/market-data.js';
import { DECODE_OK } from '../src/feed/protocol/decode-codes.js';
import { FH_SEND_TS } from '../src/feed/protocol/wire-format.js';
import { monoNowNs } from '../src/net/clock.js';
import { startNats } from './cluster-harness.js';

const STEP_MS = 5;

function sendTsOf(frame: Uint8Array): number {
  return Number(new DataView(frame.buffer, frame.byteOffset, frame.byteLength).getBigUint64(FH_SEND_TS, true));
}

/** Applies each frame into sub's ingest and records (applied − sent) in µs. */
function timed(sub: MarketDataSubscriber, into: number[]): (frame: Uint8Array) => void {
  return (frame) => {
    const sent = sendTsOf(frame);
    const code = sub.apply(frame, false);
    const done = monoNowNs();
    if (code === DECODE_OK && sent > 0) into.push((done - sent) / 1000);
  };
}

function pct(xs: number[]): { n: number; p50: number; p90: number; p99: number; max: number } {
  const a = [...xs].sort((x, y) => x - y);
  const q = (p: number): number => a[Math.min(a.length - 1, Math.floor(p * a.length))] ?? NaN;
  return { n: a.length, p50: q(0.5), p90: q(0.9), p99: q(0.99), max: a[a.length - 1] ?? NaN };
}

async function subscriber(url: string): Promise<void> {
  const nc = await connect({ servers: url });
  const sub = new MarketDataSubscriber(nc, new FeedIngest());
  sub.start();
  const lat: number[] = [];
  const apply = timed(sub, lat);
  nc.subscribe('md.>', { callback: (err, msg) => { if (err === null) apply(msg.data); } });
  await nc.flush();
  process.stdout.write('ready\n');
  process.stdin.once('data', () => {
    process.stdout.write(`${JSON.stringify({ lat, framesApplied: sub.framesApplied, decodeErrors: sub.decodeErrors, beforeDefinition: sub.framesBeforeDefinition })}\n`, () => { void nc.close().then(() => process.exit(0)); });
  });
}

async function main(): Promise<void> {
  const seconds = Number(process.argv[2] ?? '20');
  const nats = await startNats();
  try {
    const child = spawn(process.execPath, [fileURLToPath(import.meta.url), '--subscriber', nats.url], { stdio: ['pipe', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.setEncoding('utf8');
    const ready = new Promise<void>((r) => { child.stdout.on('data', (d: string) => { out += d; if (out.includes('ready\n')) r(); }); });
    await ready;
    const nc = await connect({ servers: nats.url });
    const ingest = new FeedIngest();
    const pub = new MarketDataPublisher(nc, ingest, 'sim');
    pub.start();
    // the in-process path: the same frames, decoded in this process as they leave
    const local = new MarketDataSubscriber(nc, new FeedIngest());
    const localLat: number[] = [];
    const localApply = timed(local, localLat);
    new MarketDataPublisher({ publish: (_s: string, f: Uint8Array) => localApply(f) } as unknown as NatsConnection, ingest, 'sim').start();
    const wall0 = Date.now();
    const sim = new MarketSimulator({ startTsNs: wall0 * 1e6, universe: { binaryMarkets: 10 } }, 1);
    sim.start(ingest);
    const load0 = loadavg()[0]!;
    await new Promise<void>((resolve) => {
      const t = setInterval(() => {
        sim.advanceTo(Date.now() * 1e6, ingest);
        if (Date.now() - wall0 >= seconds * 1000) { clearInterval(t); resolve(); }
      }, STEP_MS);
    });
    await nc.flush();
    await new Promise((r) => setTimeout(r, 500));
    pub.stop();
    const done = new Promise<string>((r) => { child.stdout.on('data', () => { const i = out.indexOf('\n', out.indexOf('ready\n') + 6); if (i > 0) r(out.slice(out.indexOf('ready\n') + 6, i)); }); });
    child.stdin.write('report\n');
    const rep = JSON.parse(await done) as { lat: number[]; framesApplied: number; decodeErrors: number; beforeDefinition: number };
    await nc.close();
    const n = pct(rep.lat);
    const l = pct(localLat);
    const f = (x: number): string => x.toFixed(0);
    console.log(`market data over NATS: ${seconds} s of the simulator (${ingest.symbols().length} markets, ${STEP_MS} ms steps), load average ${load0.toFixed(1)} → ${loadavg()[0]!.toFixed(1)}`);
    console.log(`frames published: ${pub.framesPublished} (${pub.snapshotsPublished} snapshots, ${(pub.bytesPublished / 1e6).toFixed(2)} MB); subscriber applied ${rep.framesApplied} (definition frames included), decode errors ${rep.decodeErrors}, before the definition ${rep.beforeDefinition}`);
    console.log(`in-process: applied ${local.framesApplied}, decode errors ${local.decodeErrors} ${JSON.stringify(local.errorsByCode)}, before the definition ${local.framesBeforeDefinition}`);
    console.log('| path | frames | p50 µs | p90 µs | p99 µs | max µs |');
    console.log('|---|---:|---:|---:|---:|---:|');
    console.log(`| in-process (frame decoded into a book in the publisher's process) | ${l.n} | ${f(l.p50)} | ${f(l.p90)} | ${f(l.p99)} | ${f(l.max)} |`);
    console.log(`| NATS (publisher → nats-server → subscriber process, applied) | ${n.n} | ${f(n.p50)} | ${f(n.p90)} | ${f(n.p99)} | ${f(n.max)} |`);
    console.log(`| added by NATS (difference at each percentile) | | ${f(n.p50 - l.p50)} | ${f(n.p90 - l.p90)} | ${f(n.p99 - l.p99)} | |`);
    child.kill();
  } finally {
    nats.stop();
  }
}

if (process.argv[2] === '--subscriber') void subscriber(process.argv[3]!);
else void main().then(() => process.exit(0), (e: unknown) => { console.error(e); process.exit(1); });
