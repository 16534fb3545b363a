// PNG encoder: 8-bit truecolour (colour type 2) or truecolour with alpha (colour type 6),
// non-interlaced, zlib-compressed with node:zlib.
//
// Format facts follow the PNG specification: W3C "Portable Network Graphics (PNG)
// Specification (Second Edition)", https://www.w3.org/TR/PNG/ (same content as RFC 2083 /
// ISO/IEC 15948). Sections used: 5.2 signature, 5.3 chunk layout, 5.5 CRC algorithm,
// 11.2.2 IHDR, 9 filtering (filter types 0-4 and the Paeth predictor), 12.8 filter selection
// heuristic (minimum sum of absolute differences).

import { deflateSync } from 'node:zlib';
import { SpreadcoreError } from '../errors.js';

/** The 8-byte PNG signature (spec 5.2). */
export const PNG_SIGNATURE: Readonly<Uint8Array> = Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10);

// CRC-32 as in spec 5.5 / annex D: reflected polynomial 0xEDB88320, initial value all ones,
// final complement. Table-driven, one byte at a time.
const CRC_TABLE = buildCrcTable();

function buildCrcTable(): Uint32Array {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
}

/** CRC-32 of bytes[start, end) continuing from `crc` (pass 0 to start a new CRC). */
export function crc32(bytes: Uint8Array, start = 0, end = bytes.length, crc = 0): number {
  let c = (crc ^ 0xffffffff) >>> 0;
  for (let i = start; i < end; i++) c = CRC_TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** One chunk: 4-byte big-endian data length, 4-byte ASCII type, data, CRC over type+data. */
export function pngChunk(type: string, data: Uint8Array): Buffer {
  if (!/^[A-Za-z]{4}$/.test(type)) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_CHART', `PNG chunk type ${JSON.stringify(type)} is not 4 ASCII letters`);
  }
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, 'latin1');
  out.set(data, 8);
  out.writeUInt32BE(crc32(out, 4, 8 + data.length), 8 + data.length);
  return out;
}

export interface PngImage {
  width: number;
  height: number;
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  rgba: Uint8Array;
}

/** Largest width or height accepted (the spec allows 2^31-1; this keeps memory sane). */
export const PNG_MAX_SIDE_PX = 16384;

/**
 * Encodes an RGBA pixel buffer as a PNG. Fully opaque images are written without the alpha
 * channel (colour type 2); any transparent pixel keeps it (colour type 6).
 */
export function encodePng(image: PngImage): Buffer {
  const { width, height, rgba } = image;
  if (!Number.isInteger(width) || width < 1 || width > PNG_MAX_SIDE_PX) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_CHART', `PNG width ${width} must be an integer in 1..${PNG_MAX_SIDE_PX}`);
  }
  if (!Number.isInteger(height) || height < 1 || height > PNG_MAX_SIDE_PX) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_CHART', `PNG height ${height} must be an integer in 1..${PNG_MAX_SIDE_PX}`);
  }
  if (rgba.length !== width * height * 4) {
    throw new SpreadcoreError(
      'SPREADCORE_ERR_BAD_CHART',
      `PNG pixel buffer has ${rgba.length} bytes, expected ${width}x${height}x4 = ${width * height * 4}`,
    );
  }
  const opaque = isOpaque(rgba);
  const bytesPerPx = opaque ? 3 : 4;

  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = opaque ? 2 : 6; // colour type: truecolour / truecolour with alpha
  ihdr[10] = 0; // compression method 0 (deflate)
  ihdr[11] = 0; // filter method 0 (adaptive, five filter types)
  ihdr[12] = 0; // interlace method 0 (none)

  const filtered = filterScanlines(rgba, width, height, bytesPerPx);
  const idat = deflateSync(filtered, { level: 6 });

  return Buffer.concat([
    Buffer.from(PNG_SIGNATURE),
    pngChunk('IHDR', ihdr),
    pngChunk('IDAT', idat),
    pngChunk('IEND', new Uint8Array(0)),
  ]);
}

function isOpaque(rgba: Uint8Array): boolean {
  for (let i = 3; i < rgba.length; i += 4) if (rgba[i] !== 255) return false;
  return true;
}

/** Paeth predictor (spec 9.4). */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  if (pb <= pc) return b;
  return c;
}

/**
 * Builds the filtered image data: each scanline is prefixed by its filter-type byte. The
 * filter per row is the one with the smallest sum of absolute values of the filtered bytes
 * (taken as signed), the heuristic the spec recommends in 12.8.
 */
function filterScanlines(rgba: Uint8Array, width: number, height: number, bpp: number): Uint8Array {
  const rowBytes = width * bpp;
  const out = new Uint8Array(height * (rowBytes + 1));
  let prev = new Uint8Array(rowBytes);
  let cur = new Uint8Array(rowBytes);

  for (let y = 0; y < height; y++) {
    // Raw row, without alpha when opaque.
    let s = y * width * 4;
    if (bpp === 4) {
      cur.set(rgba.subarray(s, s + rowBytes));
    } else {
      for (let i = 0; i < rowBytes; i += 3, s += 4) {
        cur[i] = rgba[s]!;
        cur[i + 1] = rgba[s + 1]!;
        cur[i + 2] = rgba[s + 2]!;
      }
    }
    const best = chooseFilter(cur, prev, bpp);
    const o = y * (rowBytes + 1);
    out[o] = best;
    applyFilter(best, cur, prev, bpp, out, o + 1);
    const t = prev;
    prev = cur;
    cur = t;
  }
  return out;
}

function chooseFilter(cur: Uint8Array, prev: Uint8Array, bpp: number): number {
  const n = cur.length;
  // A row equal to the one above filters to all zeros with Up: nothing can beat that.
  let same = true;
  for (let i = 0; i < n; i++) {
    if (cur[i] !== prev[i]) {
      same = false;
      break;
    }
  }
  if (same) return 2;
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let s4 = 0;
  for (let i = 0; i < n; i++) {
    const x = cur[i]!;
    const a = i >= bpp ? cur[i - bpp]! : 0;
    const b = prev[i]!;
    const c = i >= bpp ? prev[i - bpp]! : 0;
    // Paeth predictor inline (spec 9.4).
    const p = a + b - c;
    const pa = p > a ? p - a : a - p;
    const pb = p > b ? p - b : b - p;
    const pc = p > c ? p - c : c - p;
    const pr = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    s0 += x < 128 ? x : 256 - x;
    let v = (x - a) & 0xff;
    s1 += v < 128 ? v : 256 - v;
    v = (x - b) & 0xff;
    s2 += v < 128 ? v : 256 - v;
    v = (x - ((a + b) >> 1)) & 0xff;
    s3 += v < 128 ? v : 256 - v;
    v = (x - pr) & 0xff;
    s4 += v < 128 ? v : 256 - v;
  }
  let best = 0;
  let bestSum = s0;
  if (s1 < bestSum) { best = 1; bestSum = s1; }
  if (s2 < bestSum) { best = 2; bestSum = s2; }
  if (s3 < bestSum) { best = 3; bestSum = s3; }
  if (s4 < bestSum) { best = 4; bestSum = s4; }
  return best;
}

function applyFilter(f: number, cur: Uint8Array, prev: Uint8Array, bpp: number, out: Uint8Array, o: number): void {
  const n = cur.length;
  for (let i = 0; i < n; i++) {
    const x = cur[i]!;
    const a = i >= bpp ? cur[i - bpp]! : 0;
    const b = prev[i]!;
    const c = i >= bpp ? prev[i - bpp]! : 0;
    let v: number;
    if (f === 0) v = x;
    else if (f === 1) v = x - a;
    else if (f === 2) v = x - b;
    else if (f === 3) v = x - ((a + b) >> 1);
    else v = x - paeth(a, b, c);
    out[o + i] = v & 0xff;
  }
}
