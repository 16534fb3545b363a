// The binary frame recording: round trips (plain and gzip), streaming in pieces,
// and exact errors for damaged files.
import { describe, it, expect } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  FrameRecordingWriter, RecordingParser, readFrameRecording, encodeRecordingHeader, encodeRecord,
  type RecordedFrame,
} from '../src/feed/recording/index.js';
import { SpreadcoreError } from '../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'spreadcore-rec-'));

async function readAll(path: string): Promise<RecordedFrame[]> {
  const out: RecordedFrame[] = [];
  for await (const f of readFrameRecording(path)) out.push(f);
  return out;
}

function frames(n: number): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => Uint8Array.from({ length: 1 + (i * 37) % 300 }, (_, k) => (i + k) & 255));
}

describe('frame recording', () => {
  for (const name of ['plain.screc', 'packed.screc.gz']) {
    it(`round-trips frames and times (${name})`, async () => {
      const path = join(dir, name);
      const w = new FrameRecordingWriter(path, 1_723_161_253_937_085_768n);
      const fs = frames(500);
      fs.forEach((f, i) => w.write(f, i * 1_000_000 + (i % 7)));
      await w.close();
      expect(w.frames).toBe(500);
      const back = await readAll(path);
      expect(back.map((r) => r.offsetNs)).toEqual(fs.map((_, i) => i * 1_000_000 + (i % 7)));
      expect(back.map((r) => [...r.frame])).toEqual(fs.map((f) => [...f]));
      if (name.endsWith('.gz')) expect(readFileSync(path)[0]).toBe(0x1f);
    });
  }

  it('stamps frames with the capture clock when no time is given', async () => {
    const path = join(dir, 'clock.screc');
    const w = new FrameRecordingWriter(path);
    w.write(Uint8Array.of(1));
    await new Promise((r) => setTimeout(r, 20));
    w.write(Uint8Array.of(2));
    await w.close();
    const [a, b] = await readAll(path);
    expect(b!.offsetNs - a!.offsetNs).toBeGreaterThanOrEqual(15e6);
  });

  it('parses identically whatever the chunking', () => {
    const parts = [encodeRecordingHeader(5n), ...frames(40).map((f, i) => encodeRecord(i * 10, f))];
    const whole = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
    let o = 0;
    for (const p of parts) { whole.set(p, o); o += p.length; }
    fc.assert(fc.property(fc.array(fc.integer({ min: 1, max: 97 }), { minLength: 1, maxLength: 200 }), (cuts) => {
      const parser = new RecordingParser();
      const got: number[] = [];
      let p = 0;
      let k = 0;
      while (p < whole.length) {
        const n = cuts[k++ % cuts.length]!;
        for (const f of parser.push(whole.subarray(p, p + n))) got.push(f.offsetNs);
        p += n;
      }
      parser.end();
      expect(got).toEqual(Array.from({ length: 40 }, (_, i) => i * 10));
      expect(parser.header!.startEpochNs).toBe(5n);
    }), { numRuns: 200 });
  });

  const damaged: [string, () => Uint8Array, RegExp][] = [
    ['empty file', () => new Uint8Array(0), /empty recording/],
    ['short header', () => Uint8Array.of(0x53, 0x43), /shorter than its 16-byte header/],
    ['wrong magic', () => { const h = encodeRecordingHeader(0n); h[0] = 0x58; return h; }, /bad magic/],
    ['future version', () => { const h = encodeRecordingHeader(0n); h[4] = 9; return h; }, /unsupported recording version 9/],
    ['truncated record', () => { const r = encodeRecord(1, Uint8Array.of(1, 2, 3)); return concat(encodeRecordingHeader(0n), r.subarray(0, 13)); }, /cut short: 13 bytes of an incomplete record at byte 16/],
    ['zero-length frame', () => { const r = encodeRecord(1, Uint8Array.of(1)); r[8] = 0; return concat(encodeRecordingHeader(0n), r); }, /record at byte 16: frame length 0/],
    ['huge frame length', () => { const r = encodeRecord(1, Uint8Array.of(1)); r.set([0xff, 0xff, 0xff, 0x7f], 8); return concat(encodeRecordingHeader(0n), r); }, /frame length 2147483647 is outside/],
  ];
  for (const [name, make, message] of damaged) {
    it(`a ${name} is a coded error with where it happened`, async () => {
      const path = join(dir, `bad-${name.replace(/ /g, '-')}.screc`);
      writeFileSync(path, make());
      const err = await readAll(path).then(() => null, (e: unknown) => e);
      expect(err).toBeInstanceOf(SpreadcoreError);
      expect((err as SpreadcoreError).code).toBe('SPREADCORE_ERR_BAD_RECORDING');
      expect((err as Error).message).toMatch(message);
    });
  }

  it('frames before a damaged tail are still delivered', async () => {
    const path = join(dir, 'tail.screc');
    writeFileSync(path, concat(encodeRecordingHeader(0n), encodeRecord(7, Uint8Array.of(9)), encodeRecord(8, Uint8Array.of(1, 2)).subarray(0, 5)));
    const got: number[] = [];
    await expect((async () => { for await (const f of readFrameRecording(path)) got.push(f.offsetNs); })()).rejects.toThrow(/cut short/);
    expect(got).toEqual([7]);
  });

  it('an unwritable path is a coded error from close(), never a crash', async () => {
    const w = new FrameRecordingWriter(join(dir, 'no-such-dir', 'x.screc'));
    w.write(Uint8Array.of(1), 0);
    const err = await w.close().then(() => null, (e: unknown) => e);
    expect(err).toBeInstanceOf(SpreadcoreError);
    expect((err as Error).message).toMatch(/cannot write .*no-such-dir/);
  });

  it('backpressure: write returns false on a full buffer and drain() resolves', async () => {
    const w = new FrameRecordingWriter(join(dir, 'big.screc'));
    const big = new Uint8Array(1 << 20);
    let full = false;
    for (let i = 0; i < 8 && !full; i++) full = !w.write(big, i);
    expect(full).toBe(true);
    await w.drain();
    await w.close();
    expect(w.frames).toBeGreaterThan(0);
  });

  it('refuses to write bad records', () => {
    expect(() => encodeRecord(-1, Uint8Array.of(1))).toThrow(SpreadcoreError);
    expect(() => encodeRecord(0, new Uint8Array(0))).toThrow(SpreadcoreError);
  });
});

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
