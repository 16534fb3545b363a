// An independent PNG reader for the report tests, written from the PNG specification
// (https://www.w3.org/TR/PNG/): signature (5.2), chunk layout (5.3), CRC-32 (5.5, computed
// bit by bit here, no table), IHDR (11.2.2), and reconstruction of the five filter types (9).
// It only supports what the tests need: 8-bit truecolour with or without alpha, no interlace.

import { inflateSync } from 'node:zlib';

export interface DecodedPng {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  compression: number;
  filterMethod: number;
  interlace: number;
  chunkTypes: string[];
  /** Filter type byte of each scanline. */
  filterTypes: number[];
  /** RGBA, 4 bytes per pixel. */
  rgba: Uint8Array;
}

/** CRC-32 of the bytes, bitwise: reflected polynomial 0xEDB88320, init and final xor all ones. */
export function crc32Bitwise(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) {
      const lsb = crc & 1;
      crc >>>= 1;
      if (lsb) crc ^= 0xedb88320;
    }
  }
  return (crc ^ 0xffffffff) >>> 0;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

export function decodePng(buf: Uint8Array): DecodedPng {
  for (let i = 0; i < 8; i++) if (buf[i] !== SIGNATURE[i]) throw new Error(`bad signature byte ${i}`);
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  let pos = 8;
  const chunkTypes: string[] = [];
  const idat: Uint8Array[] = [];
  let ihdr: Uint8Array | undefined;
  while (pos < buf.length) {
    const len = view.getUint32(pos);
    const type = String.fromCharCode(...buf.subarray(pos + 4, pos + 8));
    const data = buf.subarray(pos + 8, pos + 8 + len);
    const storedCrc = view.getUint32(pos + 8 + len);
    const computed = crc32Bitwise(buf.subarray(pos + 4, pos + 8 + len));
    if (storedCrc !== computed) throw new Error(`CRC mismatch in ${type}: stored ${storedCrc}, computed ${computed}`);
    chunkTypes.push(type);
    if (type === 'IHDR') ihdr = data;
    if (type === 'IDAT') idat.push(data);
    pos += 12 + len;
    if (type === 'IEND') break;
  }
  if (pos !== buf.length) throw new Error(`${buf.length - pos} bytes after IEND`);
  if (!ihdr || ihdr.length !== 13) throw new Error('missing or short IHDR');
  const hv = new DataView(ihdr.buffer, ihdr.byteOffset, 13);
  const width = hv.getUint32(0);
  const height = hv.getUint32(4);
  const [bitDepth, colorType, compression, filterMethod, interlace] = [ihdr[8]!, ihdr[9]!, ihdr[10]!, ihdr[11]!, ihdr[12]!];
  if (bitDepth !== 8 || (colorType !== 2 && colorType !== 6)) throw new Error(`unsupported depth ${bitDepth} type ${colorType}`);
  const bpp = colorType === 6 ? 4 : 3;
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * bpp;
  if (raw.length !== height * (stride + 1)) throw new Error(`inflated ${raw.length} bytes, expected ${height * (stride + 1)}`);

  const filterTypes: number[] = [];
  const recon = new Uint8Array(height * stride);
  for (let y = 0; y < height; y++) {
    const ft = raw[y * (stride + 1)]!;
    filterTypes.push(ft);
    if (ft > 4) throw new Error(`row ${y}: filter type ${ft}`);
    for (let i = 0; i < stride; i++) {
      const filt = raw[y * (stride + 1) + 1 + i]!;
      const a = i >= bpp ? recon[y * stride + i - bpp]! : 0;
      const b = y > 0 ? recon[(y - 1) * stride + i]! : 0;
      const c = i >= bpp && y > 0 ? recon[(y - 1) * stride + i - bpp]! : 0;
      let pred = 0;
      if (ft === 1) pred = a;
      else if (ft === 2) pred = b;
      else if (ft === 3) pred = Math.floor((a + b) / 2);
      else if (ft === 4) {
        const p = a + b - c;
        const pa = Math.abs(p - a);
        const pb = Math.abs(p - b);
        const pc = Math.abs(p - c);
        pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
      }
      recon[y * stride + i] = (filt + pred) % 256;
    }
  }
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0; p < width * height; p++) {
    rgba[p * 4] = recon[p * bpp]!;
    rgba[p * 4 + 1] = recon[p * bpp + 1]!;
    rgba[p * 4 + 2] = recon[p * bpp + 2]!;
    rgba[p * 4 + 3] = bpp === 4 ? recon[p * bpp + 3]! : 255;
  }
  return { width, height, bitDepth, colorType, compression, filterMethod, interlace, chunkTypes, filterTypes, rgba };
}

export function pixel(png: DecodedPng, x: number, y: number): [number, number, number] {
  const i = (y * png.width + x) * 4;
  return [png.rgba[i]!, png.rgba[i + 1]!, png.rgba[i + 2]!];
}

/** Pixels whose colour is within `tol` (per channel) of `rgb`, optionally inside a box. */
export function findPixels(
  png: DecodedPng,
  rgb: [number, number, number],
  tol = 0,
  box = { x0: 0, y0: 0, x1: png.width, y1: png.height },
): { x: number; y: number }[] {
  const out: { x: number; y: number }[] = [];
  for (let y = box.y0; y < box.y1; y++) {
    for (let x = box.x0; x < box.x1; x++) {
      const [r, g, b] = pixel(png, x, y);
      if (Math.abs(r - rgb[0]) <= tol && Math.abs(g - rgb[1]) <= tol && Math.abs(b - rgb[2]) <= tol) out.push({ x, y });
    }
  }
  return out;
}

/**
 * The plot frame of a line chart, found from the image alone: the longest vertical and the
 * longest horizontal run of the axis colour are the y and x axes.
 */
export function findPlotFrame(png: DecodedPng, axis: [number, number, number]): { left: number; top: number; right: number; bottom: number } {
  const is = (x: number, y: number): boolean => {
    const p = pixel(png, x, y);
    return p[0] === axis[0] && p[1] === axis[1] && p[2] === axis[2];
  };
  let best = { len: 0, x: 0, y0: 0, y1: 0 };
  for (let x = 0; x < png.width; x++) {
    let run = 0;
    for (let y = 0; y < png.height; y++) {
      run = is(x, y) ? run + 1 : 0;
      if (run > best.len) best = { len: run, x, y0: y - run + 1, y1: y };
    }
  }
  let bestH = { len: 0, y: 0, x0: 0, x1: 0 };
  for (let y = 0; y < png.height; y++) {
    let run = 0;
    for (let x = 0; x < png.width; x++) {
      run = is(x, y) ? run + 1 : 0;
      if (run > bestH.len) bestH = { len: run, y, x0: x - run + 1, x1: x };
    }
  }
  // Plot area: right of the y axis, above the x axis (inclusive bounds).
  return { left: best.x + 1, top: best.y0, right: bestH.x1, bottom: bestH.y - 1 };
}
