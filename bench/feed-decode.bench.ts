// Feed protocol v1 decoding: binary-parser vs the hand-written decoder, on the
// same frames, into a sink that only sums what it receives (decode cost only).
//   binary-parser, one parse: FrameSchema.parse (the whole frame as objects) then
//     walking the objects into the sink — binary-parser at its fastest, no checks;
//   reference decoder: binary-parser schemas + every documented check, then apply;
//   hand-written FrameDecoder: DataView, validate-then-apply (the hot path).
// Frame shapes: depth-like frames (20 level sets), single-update frames, mixed
// frames (sets, changes, trades) and 1,000-level snapshots.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/feed-decode.bench.js
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';
import type { FeedSink, SideCode } from '../src/feed/feed-sink.js';
import { FrameDecoder, FrameEncoder, ReferenceDecoder, applyWireFrame, parseWholeFrame, DECODE_OK } from '../src/feed/protocol/index.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const FRAMES = 512;


class SumSink implements FeedSink {
  sum = 0;
  instrument(): void { this.sum++; }
  snapshot(_id: number, seq: number, _ts: number, bids: Float64Array, nb: number, asks: Float64Array, na: number): void {
    let s = seq;
    for (let i = 0; i < 2 * nb; i++) s += bids[i]!;
    for (let i = 0; i < 2 * na; i++) s += asks[i]!;
    this.sum += s;
  }
  levelSet(_id: number, seq: number, _ts: number, side: SideCode, tick: number, qty: number): void { this.sum += seq + side + tick + qty; }
  levelChange(_id: number, seq: number, _ts: number, side: SideCode, tick: number, d: number): void { this.sum += seq + side + tick + d; }
  trade(_id: number, seq: number, _ts: number, side: SideCode, tick: number, qty: number, id: number): void { this.sum += seq + side + tick + qty + id; }
  heartbeat(ts: number): void { this.sum += ts; }
  endOfBatch(ts: number): void { this.sum += ts; }
}

interface Shape { name: string; frames: Uint8Array[]; messages: number; levels: number }

function makeShapes(): Shape[] {
  const r = rng(42);
  const sym = 3;
  let seq = 1;
  let ts = 1_723_161_599_000_000_000;
  const mid = 600_000;
  const e = new FrameEncoder();
  const build = (name: string, fill: () => { m: number; l: number }): Shape => {
    const frames: Uint8Array[] = [];
    let messages = 0;
    let levels = 0;
    for (let f = 0; f < FRAMES; f++) {
      const { m, l } = fill();
      messages += m;
      levels += l;
      e.endOfBatch(Number(process.hrtime.bigint()));
      frames.push(e.flush());
    }
    return { name, frames, messages, levels };
  };
  const tick = (): number => mid + Math.floor((r() - 0.5) * 400);
  const qty = (): number => (r() < 0.2 ? 0 : 1 + Math.floor(r() * 5000));
  return [
    build('depth: 20 level sets / frame', () => {
      ts += 1e6;
      for (let i = 0; i < 20; i++) e.levelSet(sym, seq++, ts, r() < 0.5 ? 0 : 1, tick(), qty());
      return { m: 20, l: 20 };
    }),
    build('1 level set / frame', () => {
      e.levelSet(sym, seq++, (ts += 1e5), r() < 0.5 ? 0 : 1, tick(), qty());
      return { m: 1, l: 1 };
    }),
    build('mixed: 3 sets, 1 change, 1 trade / frame', () => {
      ts += 1e6;
      for (let i = 0; i < 3; i++) e.levelSet(sym, seq++, ts, r() < 0.5 ? 0 : 1, tick(), qty());
      e.levelChange(sym, seq++, ts, 0, tick(), -1 - Math.floor(r() * 3));
      e.trade(sym, seq++, ts, 1, tick(), 1 + Math.floor(r() * 9), seq);
      return { m: 5, l: 4 };
    }),
    build('snapshot: 500 + 500 levels / frame', () => {
      const bids = new Float64Array(1000);
      const asks = new Float64Array(1000);
      for (let i = 0; i < 500; i++) {
        bids[2 * i] = mid - 1 - i; bids[2 * i + 1] = 1 + Math.floor(r() * 5000);
        asks[2 * i] = mid + 1 + i; asks[2 * i + 1] = 1 + Math.floor(r() * 5000);
      }
      e.snapshot(sym, seq++, (ts += 1e6), bids, 500, asks, 500);
      return { m: 1, l: 1000 };
    }),
  ];
}

type Decode = (frames: Uint8Array[], sink: SumSink) => void;

export async function runFeedDecodeBench(): Promise<string> {
  const shapes = makeShapes();
  const known = (id: number): boolean => id === 3;
  const hand = new FrameDecoder({ isKnownSymbol: known });
  const ref = new ReferenceDecoder({ isKnownSymbol: known });
  const decoders: [string, Decode][] = [
    ['binary-parser, one parse (no checks)', (frames, sink) => { for (const f of frames) applyWireFrame(parseWholeFrame(f), sink); }],
    ['reference decoder (binary-parser + checks)', (frames, sink) => { for (const f of frames) if (ref.decodeFrame(f, sink) !== DECODE_OK) throw new Error('decode failed'); }],
    ['hand-written FrameDecoder', (frames, sink) => { for (const f of frames) if (hand.decodeFrame(f, sink) !== DECODE_OK) throw new Error('decode failed'); }],
  ];
  // all three must produce the same sums on the same frames
  for (const s of shapes) {
    const sums = decoders.map(([, d]) => { const k = new SumSink(); d(s.frames, k); return k.sum; });
    if (sums.some((x) => x !== sums[0])) throw new Error(`${s.name}: decoders disagree: ${sums.join(' ')}`);
  }

  const bench = new Bench({ name: 'feed decode', time: 800, warmupTime: 200 });
  const sink = new SumSink();
  const keys: [Shape, string][] = [];
  for (const s of shapes) {
    for (const [name, d] of decoders) {
      keys.push([s, name]);
      bench.add(`${s.name} | ${name}`, () => d(s.frames, sink));
    }
  }
  await bench.run();

  const rows = [
    `feed protocol v1 decoding, ${FRAMES} frames per sample, into a summing sink`,
    '',
    '| frames | decoder | ns/frame p50 | M messages/s | ns/level | vs binary-parser |',
    '|---|---|---:|---:|---:|---:|',
  ];
  const baseline = new Map<string, number>();
  bench.tasks.forEach((task, k) => {
    const [s, name] = keys[k]!;
    const res = task.result;
    if (res.state !== 'completed') { rows.push(`| ${s.name} | ${name} | ${res.state} | | | |`); return; }
    const ms = res.latency.p50;
    const nsFrame = (ms * 1e6) / FRAMES;
    if (!baseline.has(s.name)) baseline.set(s.name, ms);
    rows.push(`| ${s.name} | ${name} | ${nsFrame.toFixed(0)} | ${(s.messages / ms / 1e3).toFixed(2)} | `
      + `${((ms * 1e6) / s.levels).toFixed(1)} | ${(baseline.get(s.name)! / ms).toFixed(1)}× |`);
  });
  rows.push('', `(sink checksum ${sink.sum > 0 ? 'ok' : 'zero'})`);
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runFeedDecodeBench());
}
