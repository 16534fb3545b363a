// Readers for `<ts_ns> <json>` recordings, gzip-compressed or plain (detected by
// the gzip magic bytes 1f 8b, not by the file name). Empty lines are skipped;
// malformed lines come out as faults carrying a coded error with the line number.
//
// Size rules (a gzip file may expand a thousandfold, so the compressed size says
// nothing): lines are cut at newline bytes and decoded one at a time, never as one
// string of the whole file; a line longer than MAX_RECORDING_LINE_BYTES is refused
// (SPREADCORE_ERR_BAD_RECORDING) as soon as the reader has seen that much of it. A
// recording read into memory whole (backtest, sweep) may expand to at most
// MAX_IN_MEMORY_RECORDING_BYTES (SPREADCORE_ERR_BAD_RECORDING naming the limit, found while
// inflating, before more is allocated); a streamed one (replay, publish, serve) has no
// size limit.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import type { Readable } from 'node:stream';
import { SpreadcoreError } from '../../errors.js';
import { recordingItem, type RecordingItem } from './recording-line.js';

/** The longest recording line accepted, bytes (a Binance depth snapshot of 5,000 levels a side is ~300 KB). */
export const MAX_RECORDING_LINE_BYTES = 16 * 1024 * 1024;
/** The most a recording read into memory whole may expand to, bytes. */
export const MAX_IN_MEMORY_RECORDING_BYTES = 512 * 1024 * 1024;

const MiB = (n: number): string => `${n / (1024 * 1024)} MiB`;

function lineTooLong(lineNo: number): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_RECORDING',
    `recording line ${lineNo} is longer than ${MiB(MAX_RECORDING_LINE_BYTES)} (the longest line a recording may have): this is not a recording of lines`);
}

/**
 * The bytes of an in-memory recording, inflated when they are gzip; refused when they
 * would expand past maxBytes (zlib stops there: no larger buffer is allocated).
 * Throws SPREADCORE_ERR_BAD_RECORDING naming the limit, or for data
 * that is not valid gzip.
 */
export function inflateRecording(bytes: Uint8Array, maxBytes: number = MAX_IN_MEMORY_RECORDING_BYTES): Uint8Array {
  if (!isGzip(bytes)) return bytes; // already in memory as it is
  try {
    return gunzipSync(bytes, { maxOutputLength: maxBytes });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') throw tooLarge(maxBytes);
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_RECORDING', `the recording is not valid gzip data (${(e as Error).message})`);
  }
}

function tooLarge(maxBytes: number): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_RECORDING',
    `the recording expands to more than ${MiB(maxBytes)}, the most a recording read into memory (backtest, sweep) may hold: ` +
    'use a shorter part of it (spreadcore replay and publish stream recordings of any size)');
}

export interface ReadRecordingOptions {
  /** JSON.parse each line's payload (default true); a parse failure is a fault. */
  parseJson?: boolean;
}

/** True when the bytes start with the gzip magic number. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function stripCr(line: string): string {
  return line.length > 0 && line.charCodeAt(line.length - 1) === 13 ? line.slice(0, -1) : line;
}

/** Every line of an in-memory recording (gzip or plain), in order. */
export function* readRecordingBuffer(bytes: Uint8Array, options: ReadRecordingOptions = {}): Generator<RecordingItem> {
  const parseJson = options.parseJson ?? true;
  const plain = inflateRecording(bytes);
  const buf = Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength);
  let lineNo = 0;
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    lineNo++;
    if (end - start > MAX_RECORDING_LINE_BYTES) throw lineTooLong(lineNo);
    const line = stripCr(buf.toString('utf8', start, end));
    start = end + 1;
    if (line.length > 0) yield recordingItem(line, lineNo, parseJson);
  }
}

async function fileIsGzip(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return isGzip(head.subarray(0, bytesRead));
  } finally {
    await fh.close();
  }
}

/**
 * Streams a recording file line by line without loading it whole: only the line
 * being read is held (refused past MAX_RECORDING_LINE_BYTES).
 */
export async function* readRecordingFile(path: string, options: ReadRecordingOptions = {}): AsyncGenerator<RecordingItem> {
  const parseJson = options.parseJson ?? true;
  const gz = await fileIsGzip(path);
  const file = createReadStream(path);
  let source: Readable = file;
  if (gz) {
    const gunzip = createGunzip();
    file.on('error', (e) => gunzip.destroy(e));
    source = file.pipe(gunzip);
  }
  // the start of the line being read, when it began in an earlier chunk
  let carry: Buffer[] = [];
  let carryBytes = 0;
  let lineNo = 0;
  try {
    for await (const c of source) {
      const chunk = c as Buffer;
      let start = 0;
      for (;;) {
        const end = chunk.indexOf(10, start);
        if (end < 0) break;
        lineNo++;
        if (carryBytes + end - start > MAX_RECORDING_LINE_BYTES) throw lineTooLong(lineNo);
        let line: string;
        if (carryBytes === 0) {
          line = chunk.toString('utf8', start, end);
        } else {
          carry.push(chunk.subarray(start, end));
          line = Buffer.concat(carry).toString('utf8');
          carry = [];
          carryBytes = 0;
        }
        line = stripCr(line);
        start = end + 1;
        if (line.length > 0) yield recordingItem(line, lineNo, parseJson);
      }
      if (start < chunk.length) {
        carryBytes += chunk.length - start;
        if (carryBytes > MAX_RECORDING_LINE_BYTES) throw lineTooLong(lineNo + 1);
        carry.push(Buffer.from(chunk.subarray(start))); // a copy: the stream may reuse its chunk
      }
    }
    if (carryBytes > 0) {
      const rest = stripCr(Buffer.concat(carry).toString('utf8'));
      if (rest.length > 0) yield recordingItem(rest, ++lineNo, parseJson);
    }
  } finally {
    file.destroy();
    if (source !== file) source.destroy();
  }
}
