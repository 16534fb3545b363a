import { describe, expect, it } from 'vitest';
import { crc32, encodePng, pngChunk } from '../src/report/index.js';
import { SpreadcoreError } from '../src/errors.js';
import { crc32Bitwise, decodePng } from './report-png-reader.js';
import { spreadcoreErrorOf } from './support/thrown.js';

function randomImage(width: number, height: number, seed: number, opaque: boolean): Uint8Array {
  // Small LCG so the test data is reproducible.
  let s = seed >>> 0;
  const next = (): number => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) >>> 24);
  const rgba = new Uint8Array(width * height * 4);
  for (let i = 0; i < rgba.length; i++) rgba[i] = (i & 3) === 3 && opaque ? 255 : next();
  return rgba;
}

describe('PNG encoder', () => {
  it('computes the CRC-32 check values of the specification', () => {
    // "123456789" -> 0xCBF43926 is the standard CRC-32 check value; every PNG ends with the
    // IEND chunk whose CRC over "IEND" is AE 42 60 82.
    const digits = new TextEncoder().encode('123456789');
    expect(crc32(digits)).toBe(0xcbf43926);
    expect(crc32Bitwise(digits)).toBe(0xcbf43926);
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
    // Continuing a CRC over a split buffer gives the same result.
    expect(crc32(digits, 4, 9, crc32(digits, 0, 4))).toBe(0xcbf43926);
  });

  it('writes chunks as length, type, data, CRC over type and data', () => {
    const c = pngChunk('tEXt', new TextEncoder().encode('a=b'));
    expect(c.readUInt32BE(0)).toBe(3);
    expect(c.subarray(4, 8).toString('latin1')).toBe('tEXt');
    expect(c.subarray(8, 11).toString('latin1')).toBe('a=b');
    expect(c.readUInt32BE(11)).toBe(crc32Bitwise(c.subarray(4, 11)));
  });

  it('round-trips an opaque image as 8-bit truecolour (type 2)', () => {
    const rgba = randomImage(37, 23, 7, true);
    const png = encodePng({ width: 37, height: 23, rgba });
    expect([...png.subarray(0, 8)]).toEqual([137, 80, 78, 71, 13, 10, 26, 10]);
    const d = decodePng(png);
    expect(d.chunkTypes[0]).toBe('IHDR');
    expect(d.chunkTypes.at(-1)).toBe('IEND');
    expect(d.chunkTypes).toContain('IDAT');
    expect([d.width, d.height, d.bitDepth, d.colorType, d.compression, d.filterMethod, d.interlace]).toEqual([37, 23, 8, 2, 0, 0, 0]);
    expect(d.filterTypes).toHaveLength(23);
    for (const f of d.filterTypes) expect(f).toBeGreaterThanOrEqual(0);
    for (const f of d.filterTypes) expect(f).toBeLessThanOrEqual(4);
    expect(Buffer.from(d.rgba).equals(Buffer.from(rgba))).toBe(true);
  });

  it('keeps the alpha channel (type 6) when a pixel is not opaque', () => {
    const rgba = randomImage(16, 9, 99, false);
    const d = decodePng(encodePng({ width: 16, height: 9, rgba }));
    expect(d.colorType).toBe(6);
    expect(Buffer.from(d.rgba).equals(Buffer.from(rgba))).toBe(true);
  });

  it('uses several filter types on an image with gradients and flat areas, and reconstructs it exactly', () => {
    const w = 64;
    const h = 48;
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) {
        const i = (y * w + x) * 4;
        const flat = y < 8;
        rgba[i] = flat ? 200 : (x * 4) & 255;
        rgba[i + 1] = flat ? 200 : (y * 5) & 255;
        rgba[i + 2] = flat ? 200 : ((x * y) >> 2) & 255;
        rgba[i + 3] = 255;
      }
    }
    const d = decodePng(encodePng({ width: w, height: h, rgba }));
    expect(new Set(d.filterTypes).size).toBeGreaterThan(1);
    expect(Buffer.from(d.rgba).equals(Buffer.from(rgba))).toBe(true);
  });

  it('rejects a pixel buffer of the wrong size and bad dimensions with a coded error', () => {
    const bad = spreadcoreErrorOf;
    const e1 = bad(() => encodePng({ width: 4, height: 4, rgba: new Uint8Array(10) }));
    expect(e1).toBeInstanceOf(SpreadcoreError);
    expect(e1.code).toBe('SPREADCORE_ERR_BAD_CHART');
    expect(e1.message).toContain('10 bytes');
    expect(bad(() => encodePng({ width: 0, height: 4, rgba: new Uint8Array(0) })).message).toContain('width 0');
    expect(bad(() => encodePng({ width: 2.5, height: 4, rgba: new Uint8Array(40) })).code).toBe('SPREADCORE_ERR_BAD_CHART');
    expect(bad(() => pngChunk('IDA', new Uint8Array(0))).code).toBe('SPREADCORE_ERR_BAD_CHART');
  });
});
