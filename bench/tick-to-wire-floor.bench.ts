// The floor of tick to wire on this machine: the three steps no implementation can leave out,
// with nothing of the engine between them, timed beside the engine's own path in the same run.
//
//   1. JSON.parse of the Binance diff-depth frame (the frame tick-to-wire.bench.ts sends);
//   2. HMAC-SHA256 of an `order.cancelReplace` payload (the project's HmacSigner: node:crypto
//      createHmac with a KeyObject, hex);
//   3. the WebSocket text frame (2-byte header + 16-bit length, a fresh 4-byte mask, the payload
//      masked: RFC 6455 §5.2–5.3, client frames must be masked) written to a net.Socket whose
//      peer is a process that drains it, as the replica is.
//
// Each sample runs the three once; between samples the process either takes one turn of the
// event loop (back to back) or sleeps 1 ms or 32 ms (the pace of the replica runs of
// tick-to-wire.bench.ts; Binance's depth stream is @100ms). Printed: p50/p99 of every step and
// of the sum, then the engine's whole path (tick-to-wire.bench.ts, back to back and against the
// replica at 32 ms) run in the same process right after, and the ratio engine / floor.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/tick-to-wire-floor.bench.js
// (TICK_TO_WIRE_FRAMES / TICK_TO_WIRE_WARM set the engine passes; FLOOR_ONLY=1 skips them)
import { spawn, type ChildProcess } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { loadavg } from 'node:os';
import { pathToFileURL } from 'node:url';
import { HmacSigner } from '../src/venues/binance/signing.js';
import { depthFrame, runMode, type ModeResult } from './tick-to-wire.bench.js';

const TARGET_P50_US = 15;
const TARGET_P99_US = 60;
/** The signature payload of a one-level requote (the params sorted by name, as the client signs them). */
const PAYLOAD = 'apiKey=vmPUZE6mv9SD5VNHk4HlWFsOr6aKE2zvsw0MuIgwCIPy6utIco14y7Ju91duEh8A&cancelOrderId=1000042&cancelReplaceMode=STOP_ON_FAILURE'
  + '&newClientOrderId=sc-7k2m9x-00000000000431&price=50000.50&quantity=0.00100&recvWindow=5000&side=BUY&symbol=BTCUSDT&timeInForce=GTC'
  + '&timestamp=1765000000123&type=LIMIT_MAKER';

const now = (): number => Number(process.hrtime.bigint());

/** A process that accepts one TCP connection and reads everything sent to it; its port once it listens. */
function startDrain(): Promise<{ child: ChildProcess; port: number }> {
  const script = "const s=require('node:net').createServer((c)=>{c.on('data',()=>{});c.on('error',()=>{});});"
    + "s.listen(0,'127.0.0.1',()=>console.log(s.address().port));process.stdin.on('end',()=>process.exit(0));process.stdin.resume();";
  const child = spawn(process.execPath, ['-e', script], { stdio: ['pipe', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.stdout!.once('data', (b: Buffer) => resolve({ child, port: Number(b.toString().trim()) }));
    child.once('exit', (code) => reject(new Error(`the drain process exited (${code})`)));
  });
}

interface Floor { gap: string; parse: Float64Array; sign: Float64Array; write: Float64Array; total: Float64Array }

const STEPS = ['parse', 'sign', 'write', 'total'] as const;

async function floorPass(sock: Socket, signer: HmacSigner, gapMs: number, samples: number, warm: number): Promise<Floor> {
  const out = Buffer.allocUnsafe(1024);
  const mask = Buffer.allocUnsafe(4);
  const res = { parse: new Float64Array(samples), sign: new Float64Array(samples), write: new Float64Array(samples), total: new Float64Array(samples) };
  let sink = 0;
  for (let k = 0; k < warm + samples; k++) {
    if (gapMs > 0) await new Promise<void>((done) => setTimeout(done, gapMs));
    else await new Promise<void>((done) => setImmediate(done));
    const text = depthFrame(k + 2);
    const t0 = now();
    const m = JSON.parse(text) as { stream: string; data: { u: number } };
    const t1 = now();
    const signature = signer.sign(PAYLOAD);
    const t2 = now();
    const body = '{"id":"r' + k.toString(36) + '","method":"order.cancelReplace","params":{"' + PAYLOAD + '","signature":"' + signature + '"}}';
    const n = out.write(body, 8, 'latin1');
    out[0] = 0x81; // FIN, text
    out[1] = 0x80 | 126; // masked, 16-bit length
    out.writeUInt16BE(n, 2);
    randomFillSync(mask);
    mask.copy(out, 4);
    for (let i = 0; i < n; i++) out[8 + i] = out[8 + i]! ^ mask[i & 3]!;
    sock.write(out.subarray(0, 8 + n));
    const t3 = now();
    sink += m.data.u;
    if (k >= warm) {
      const i = k - warm;
      res.parse[i] = t1 - t0; res.sign[i] = t2 - t1; res.write[i] = t3 - t2; res.total[i] = t3 - t0;
    }
  }
  if (sink === 0) throw new Error('unreachable');
  for (const s of STEPS) res[s].sort();
  return { gap: gapMs === 0 ? 'back to back (one event-loop turn)' : `sleeping ${gapMs} ms`, ...res };
}

const pct = (xs: Float64Array, p: number): number => xs[Math.min(xs.length - 1, Math.floor(p * (xs.length - 1)))]! / 1000;

export async function runTickToWireFloorBench(): Promise<string> {
  const load0 = loadavg().map((x) => x.toFixed(1)).join(' / ');
  const drain = await startDrain();
  const sock = connect(drain.port, '127.0.0.1');
  sock.setNoDelay(true);
  await new Promise<void>((done) => sock.once('connect', () => done()));
  const signer = new HmacSigner('floor-bench-key', 'floor-bench-secret');
  const floors: Floor[] = [];
  floors.push(await floorPass(sock, signer, 0, 5000, 2000));
  floors.push(await floorPass(sock, signer, 1, 1000, 100));
  floors.push(await floorPass(sock, signer, 32, 400, 20));
  sock.destroy();
  drain.child.stdin!.end();
  await new Promise<void>((done) => drain.child.once('exit', () => done()));

  const us = (v: number): string => v.toFixed(2);
  const rows = [
    `tick-to-wire floor (node ${process.version}; load average at the start ${load0}): JSON.parse of the depth frame, HMAC-SHA256 of a one-level order.cancelReplace payload (${PAYLOAD.length} B), `
      + 'the masked WebSocket frame written to a net.Socket drained by another process; no book, strategy, risk gate, order manager or venue',
    '',
    '| between samples | samples | parse p50 µs | sign p50 µs | frame + socket write p50 µs | sum p50 µs | sum p99 µs | sum p50 vs 15 µs | sum p99 vs 60 µs |',
    '|---|---:|---:|---:|---:|---:|---:|---|---|',
  ];
  for (const f of floors) {
    const p50 = pct(f.total, 0.5);
    const p99 = pct(f.total, 0.99);
    rows.push(`| ${f.gap} | ${f.total.length} | ${us(pct(f.parse, 0.5))} | ${us(pct(f.sign, 0.5))} | ${us(pct(f.write, 0.5))} | ${us(p50)} | ${us(p99)} | ${p50 <= TARGET_P50_US ? 'within' : 'over'} | ${p99 <= TARGET_P99_US ? 'within' : 'over'} |`);
  }
  if (process.env['FLOOR_ONLY'] === '1') return rows.join('\n');

  // the engine's whole path, in this process, right after (tick-to-wire.bench.ts's modes)
  const modes: Array<[ModeResult, Floor]> = [
    [await runMode('back to back, cancelReplace, one write per frame', false, true, true, true), floors[0]!],
    [await runMode('replica, cancelReplace, one write per frame', false, false, true), floors[2]!],
  ];
  rows.push('', `The engine's whole path in the same process right after (tick-to-wire.bench.ts; depth frame received → the first order.cancelReplace written; load average now ${loadavg().map((x) => x.toFixed(1)).join(' / ')}):`, '',
    '| engine mode | its floor row | engine p50 µs | engine p99 µs | floor p50 µs | floor p99 µs | engine / floor p50 | the engine\'s own share p50 µs |',
    '|---|---|---:|---:|---:|---:|---:|---:|');
  for (const [m, f] of modes) {
    const e50 = pct(m.plain.first, 0.5);
    const e99 = pct(m.plain.first, 0.99);
    const f50 = pct(f.total, 0.5);
    rows.push(`| ${m.name} | ${f.gap} | ${us(e50)} | ${us(e99)} | ${us(f50)} | ${us(pct(f.total, 0.99))} | ${(e50 / f50).toFixed(2)} | ${us(e50 - f50)} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runTickToWireFloorBench());
  process.exit(0);
}
