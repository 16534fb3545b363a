// Market sources through the one ingest path: a Binance recording replayed
// directly, and through a binary recording made of it, end with the same books;
// the simulator is deterministic by seed, recorded or not; recorded offsets keep
// the source's pace; damaged inputs give coded errors.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { readFrameRecording, encodeRecordingHeader, encodeRecord } from '../src/feed/recording/index.js';
import { CallLogSink, FrameEncoder } from '../src/feed/protocol/index.js';
import {
  BinanceRecordingSource, FrameRecordingSource, SimSource, detectBinanceRecording, openMarketSource, parseSourceFlags,
  readRecordingHeader, recordSource, replaySource, sourceFrames, type MarketSource,
} from '../src/feed/replay/index.js';
import { SpreadcoreError } from '../src/errors.js';

const FIX = fileURLToPath(new URL('./fixtures/binance/', import.meta.url));
const SPOT = join(FIX, 'spot_btcusdt_20240808.gz');
const USDM = join(FIX, 'usdm_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'spreadcore-replay-'));
const core = instantiateCore('debug');
const books = new WasmBooks(core);

/** A fresh ingest on the shared test core (each ingest takes the slots from 31 down; one at a time). */
function freshIngest(): FeedIngest {
  return new FeedIngest(books);
}

interface BookView { symbol: string; state: string; gaps: number; bids: number[][]; asks: number[][] }
function view(ingest: FeedIngest, depth = 50): BookView[] {
  return ingest.symbols().map((s) => {
    const top = ingest.books.topLevels(s.book, depth);
    return {
      symbol: s.symbol, state: s.state, gaps: s.counters.gaps,
      bids: top.bids.map((l) => [l.tick, l.qtyLot]), asks: top.asks.map((l) => [l.tick, l.qtyLot]),
    };
  });
}

async function replayView(source: MarketSource, depth = 50): Promise<BookView[]> {
  const ingest = freshIngest();
  await replaySource(source, ingest);
  return view(ingest, depth);
}

async function open(args: Record<string, string>): Promise<MarketSource> {
  return openMarketSource(parseSourceFlags(args));
}

async function errorOf(p: Promise<unknown>): Promise<SpreadcoreError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof SpreadcoreError) return e;
    throw e;
  }
  throw new Error('expected a SpreadcoreError');
}

describe('Binance recording source', () => {
  it('detects symbol and market from the file', async () => {
    expect(await detectBinanceRecording(SPOT)).toMatchObject({ market: 'spot', symbol: 'BTCUSDT', firstTsNs: 1723161253937085768n });
    expect(await detectBinanceRecording(USDM)).toMatchObject({ market: 'usdm', symbol: 'BTCUSDT' });
    const e = await errorOf(detectBinanceRecording(USDM, 'spot'));
    expect(e.code).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(e.message).toContain('looks like USD-M futures');
  });

  it('spot BTCUSDT: replayed directly and from a binary recording made of it, the same top-50 book', async () => {
    const direct = await open({ source: `binance:${SPOT}` }) as BinanceRecordingSource;
    const a = await replayView(direct);
    const st = direct.stats();
    expect(st).toMatchObject({ gaps: 0, rejectedEvents: 0, skippedLines: 0, otherSymbols: 0, bookTickerMismatches: 0, bookTickerChecks: 564 });
    expect(a).toHaveLength(1);
    expect(a[0]!.state).toBe('live');
    expect(a[0]!.bids).toHaveLength(50);
    expect(a[0]!.asks).toHaveLength(50);

    const out = join(dir, 'spot.screc.gz');
    const rep = await recordSource(await open({ source: `binance:${SPOT}` }), out);
    // one frame per batch: every applied depth event (the first also carries the snapshot) and every trade
    expect(rep.frames).toBe(st.appliedEvents! + st.trades!);
    expect((await readRecordingHeader(out)).startEpochNs).toBe(1723161253937085768n);
    const b = await replayView(await open({ source: `screc:${out}` }));
    expect(b).toEqual(a);
  });

  it('USD-M BTCUSDT (first 90 s): direct, recorded and re-recorded replays agree; offsets are the receive times', async () => {
    const a = await replayView(await open({ source: `binance:${USDM}`, 'duration-s': '90' }));
    expect(a[0]!.state).toBe('live');
    const out = join(dir, 'usdm.screc');
    await recordSource(await open({ source: `binance:${USDM}`, 'duration-s': '90' }), out);
    const offsets: number[] = [];
    for await (const f of readFrameRecording(out)) offsets.push(f.offsetNs);
    expect(offsets[0]).toBeGreaterThan(0); // the first applied event comes after the snapshot line
    expect(offsets[offsets.length - 1]).toBeLessThanOrEqual(90e9);
    expect(offsets[offsets.length - 1]).toBeGreaterThan(85e9);
    expect(offsets.every((t, i) => i === 0 || t >= offsets[i - 1]!)).toBe(true);
    expect(await replayView(await open({ source: `screc:${out}` }))).toEqual(a);
    // a recording of the recording: frames passed through unchanged
    const again = join(dir, 'usdm-again.screc');
    await recordSource(await open({ source: `screc:${out}` }), again);
    expect(readFileSync(again).subarray(16).equals(readFileSync(out).subarray(16))).toBe(true);
    expect(await replayView(await open({ source: `screc:${again}`, 'duration-s': '30' }))).not.toEqual(a);
  });

  it('a lost depth event: the gap reaches the receiver of the frames too (stale, book cleared)', async () => {
    const lines = gunzipSync(readFileSync(SPOT)).toString('utf8').split('\n');
    let depth = 0;
    const cut = join(dir, 'spot-cut.txt');
    writeFileSync(cut, lines.filter((l) => !(l.includes('depthUpdate') && ++depth === 400)).join('\n'));
    const direct = await open({ source: `binance:${cut}` });
    const a = await replayView(direct);
    expect(direct.stats().gaps).toBe(1);
    expect(a[0]).toMatchObject({ state: 'stale', gaps: 1, bids: [], asks: [] });
    const out = join(dir, 'spot-cut.screc');
    await recordSource(await open({ source: `binance:${cut}` }), out);
    const b = await replayView(await open({ source: `screc:${out}` }));
    expect(b[0]).toMatchObject({ state: 'stale', gaps: 1, bids: [], asks: [] });
  });

  it('skips lines that are not Binance market data, and refuses files that are not recordings', async () => {
    const lines = gunzipSync(readFileSync(SPOT)).toString('utf8').split('\n').slice(0, 3000);
    lines.splice(20, 0, 'garbage', '1723161253937085768 {"e":"markPriceUpdate","s":"BTCUSDT"}');
    const noisy = join(dir, 'noisy.txt');
    writeFileSync(noisy, lines.join('\n'));
    const src = await open({ source: `binance:${noisy}` }) as BinanceRecordingSource;
    await replayView(src);
    expect(src.stats().skippedLines).toBe(2);
    expect(src.firstProblem).toContain('line 21');

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'hello\nworld\n');
    const e1 = await errorOf(open({ source: `binance:${text}` }));
    expect(e1.code).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(e1.message).toContain('is not a Binance recording');
    const e2 = await errorOf(open({ source: `binance:${join(dir, 'missing.gz')}` }));
    expect(e2.code).toBe('SPREADCORE_ERR_IO');
    expect(e2.message).toContain('no such file');
    const eth = gunzipSync(readFileSync(join(FIX, 'spot_ethusdt_20240808.gz'))).toString('utf8').split('\n').slice(0, 100);
    const mixed = join(dir, 'mixed.txt.gz');
    writeFileSync(mixed, gzipSync(lines.slice(0, 100).concat(eth).join('\n')));
    const e3 = await errorOf(open({ source: `binance:${mixed}` }));
    expect(e3.message).toContain('more than one symbol');
  });
});

describe('simulator source', () => {
  it('is deterministic by seed: the same frames byte for byte, the same books', async () => {
    const framesOf = async (seed: number): Promise<number[]> => {
      const bytes: number[] = [];
      for await (const f of sourceFrames(new SimSource({ seed, durationS: 5 }))) bytes.push(f.offsetNs, ...f.item);
      return bytes;
    };
    const a = await framesOf(42);
    expect(a.length).toBeGreaterThan(10_000);
    expect(await framesOf(42)).toEqual(a);
    expect(await framesOf(43)).not.toEqual(a);
    const v1 = await replayView(new SimSource({ seed: 42, durationS: 20 }));
    expect(v1.map((s) => s.symbol)).toEqual(['BTCUSDT', 'ETHUSDT', 'BTC-100K-YES']);
    for (const s of v1) expect(s).toMatchObject({ state: 'live', gaps: 0 });
    expect(await replayView(new SimSource({ seed: 42, durationS: 20 }))).toEqual(v1);
    expect(await replayView(new SimSource({ seed: 7, durationS: 20 }))).not.toEqual(v1);
  });

  it('recorded with its simulated times, replayed from the recording: the same calls and books', async () => {
    const out = join(dir, 'sim.screc.gz');
    const rep = await recordSource(await open({ source: 'sim', seed: '9', 'duration-s': '10', symbols: 'BTCUSDT,SOLUSDT' }), out);
    expect(rep.spanS).toBeGreaterThan(9.9);
    expect(rep.spanS).toBeLessThanOrEqual(10);
    const header = await readRecordingHeader(out);
    expect(header.startEpochNs).toBe(1_704_067_200_000_000_000n);
    // offsets are the simulated exchange times of the batches since the start
    const direct = new CallLogSink();
    const sim = new SimSource({ seed: 9, durationS: 10, symbols: ['BTCUSDT', 'SOLUSDT'] });
    await replaySource(sim, direct);
    const replayed = new CallLogSink();
    const rec = new FrameRecordingSource(out, header);
    await replaySource(rec, replayed);
    expect(replayed.calls).toEqual(direct.calls);
    expect(rec.stats().frames).toBe(rep.frames);
    let lastTs = 0;
    let i = 0;
    const tsOfBatch: number[] = [];
    for (const c of direct.calls) {
      if (c[0] === 'heartbeat') lastTs = c[1];
      else if (c[0] !== 'instrument' && c[0] !== 'endOfBatch') lastTs = c[3];
      if (c[0] === 'endOfBatch') tsOfBatch[i++] = lastTs - 1_704_067_200_000_000_000;
    }
    const offsets: number[] = [];
    for await (const f of readFrameRecording(out)) offsets.push(f.offsetNs);
    expect(offsets).toHaveLength(tsOfBatch.length);
    for (let k = 0; k < offsets.length; k++) expect(Math.abs(offsets[k]! - tsOfBatch[k]!)).toBeLessThan(1024);
    expect(await replayView(await open({ source: `screc:${out}` }))).toEqual(await replayView(new SimSource({ seed: 9, durationS: 10, symbols: ['BTCUSDT', 'SOLUSDT'] })));
  });

  it('paces at recorded speed: 1 simulated second at --speed 10 takes about 100 ms', async () => {
    const t0 = performance.now();
    await replaySource(new SimSource({ seed: 1, durationS: 1 }), new CallLogSink(), { speed: 10 });
    expect(performance.now() - t0).toBeGreaterThan(90);
  });
});

describe('binary recording source: damaged files', () => {
  it('bad magic, cut short, undecodable frame', async () => {
    const notRec = join(dir, 'x.screc');
    writeFileSync(notRec, 'this is not a recording at all');
    const e1 = await errorOf(open({ source: `screc:${notRec}` }));
    expect(e1.code).toBe('SPREADCORE_ERR_BAD_RECORDING');
    expect(e1.message).toContain('bad magic');

    const enc = new FrameEncoder();
    enc.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
    enc.snapshot(1, 1, 5, Float64Array.of(100, 1), 1, Float64Array.of(101, 2), 1);
    enc.endOfBatch(0);
    const good = enc.flush();
    const bad = good.slice();
    bad[0] = 0;
    const parts = [encodeRecordingHeader(1n), encodeRecord(0, good), encodeRecord(10, bad)];
    const damaged = join(dir, 'damaged.screc');
    writeFileSync(damaged, Buffer.concat(parts));
    const e2 = await errorOf(replayView(await open({ source: `screc:${damaged}` })));
    expect(e2.code).toBe('SPREADCORE_ERR_BAD_RECORDING');
    expect(e2.message).toContain('frame 2 does not decode: bad-magic at frame header');

    const cut = join(dir, 'cut.screc');
    writeFileSync(cut, Buffer.concat([parts[0]!, parts[1]!]).subarray(0, 16 + 12 + 10));
    const e3 = await errorOf(replayView(await open({ source: `screc:${cut}` })));
    expect(e3.code).toBe('SPREADCORE_ERR_BAD_RECORDING');
    expect(e3.message).toContain('cut short');
  });
});
