// The project's own binary recording: feed-protocol frames with the time each was
// captured, so any source (simulator, Binance, a live feed) can be replayed
// through exactly the same decoder and ingest path.
//
// Layout (little-endian), optionally gzip-compressed as a whole:
//   file header, 16 bytes: magic "SCRC" | u16 version = 1 | u16 reserved = 0 |
//                          u64 capture start, Unix epoch ns
//   records:               u64 capture time, monotonic ns since the start |
//                          u32 frame length n (1..MAX_FRAME_BYTES) | n frame bytes
// A file cut short inside a record is reported with the offset of that record;
// everything before it is still read.
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip, createGzip, type Gzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { once } from 'node:events';
import { SpreadcoreError } from '../../errors.js';

export const RECORDING_MAGIC = 0x43524353; // "SCRC" little-endian
export const RECORDING_VERSION = 1;
export const RECORDING_HEADER_BYTES = 16;
export const RECORD_HEADER_BYTES = 12;
export const MAX_FRAME_BYTES = 16 * 1024 * 1024;

export interface RecordedFrame {
  /** ns since the capture start (monotonic). */
  readonly offsetNs: number;
  /** The frame: a copy the caller may keep. */
  readonly frame: Uint8Array;
}

export interface RecordingHeader {
  readonly version: number;
  readonly startEpochNs: bigint;
}

function badRecording(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_RECORDING', message);
}

export function encodeRecordingHeader(startEpochNs: bigint): Uint8Array {
  const b = new Uint8Array(RECORDING_HEADER_BYTES);
  const v = new DataView(b.buffer);
  v.setUint32(0, RECORDING_MAGIC, true);
  v.setUint16(4, RECORDING_VERSION, true);
  v.setUint16(6, 0, true);
  v.setBigUint64(8, startEpochNs, true);
  return b;
}

export function encodeRecord(offsetNs: number, frame: Uint8Array): Uint8Array {
  if (!Number.isSafeInteger(offsetNs) || offsetNs < 0) throw badRecording(`record time must be a non-negative integer ns, got ${offsetNs}`);
  if (frame.length < 1 || frame.length > MAX_FRAME_BYTES) throw badRecording(`frame length ${frame.length} is outside 1..${MAX_FRAME_BYTES}`);
  const b = new Uint8Array(RECORD_HEADER_BYTES + frame.length);
  const v = new DataView(b.buffer);
  v.setUint32(0, offsetNs % 2 ** 32, true);
  v.setUint32(4, Math.floor(offsetNs / 2 ** 32), true);
  v.setUint32(8, frame.length, true);
  b.set(frame, RECORD_HEADER_BYTES);
  return b;
}

/**
 * Incremental parser: push() chunks in, take frames out. Holds only an unparsed
 * tail, so a file of any size streams through in constant memory.
 */
export class RecordingParser {
  header: RecordingHeader | null = null;
  private buf = new Uint8Array(0);
  private consumed = 0; // file offset of buf[0]

  push(chunk: Uint8Array): RecordedFrame[] {
    const joined = new Uint8Array(this.buf.length + chunk.length);
    joined.set(this.buf, 0);
    joined.set(chunk, this.buf.length);
    const out: RecordedFrame[] = [];
    let p = 0;
    const v = new DataView(joined.buffer);
    if (this.header === null) {
      if (joined.length < RECORDING_HEADER_BYTES) { this.buf = joined; return out; }
      const magic = v.getUint32(0, true);
      if (magic !== RECORDING_MAGIC) throw badRecording('not a spreadcore recording (bad magic number)');
      const version = v.getUint16(4, true);
      if (version !== RECORDING_VERSION) throw badRecording(`unsupported recording version ${version} (this build reads ${RECORDING_VERSION})`);
      this.header = { version, startEpochNs: v.getBigUint64(8, true) };
      p = RECORDING_HEADER_BYTES;
    }
    while (joined.length - p >= RECORD_HEADER_BYTES) {
      const lo = v.getUint32(p, true);
      const hi = v.getUint32(p + 4, true);
      const n = v.getUint32(p + 8, true);
      if (n < 1 || n > MAX_FRAME_BYTES) throw badRecording(`record at byte ${this.consumed + p}: frame length ${n} is outside 1..${MAX_FRAME_BYTES}`);
      if (hi >= 2 ** 21) throw badRecording(`record at byte ${this.consumed + p}: time beyond 2^53 ns`);
      if (joined.length - p - RECORD_HEADER_BYTES < n) break;
      const start = p + RECORD_HEADER_BYTES;
      out.push({ offsetNs: hi * 2 ** 32 + lo, frame: joined.slice(start, start + n) });
      p = start + n;
    }
    this.buf = joined.slice(p);
    this.consumed += p;
    return out;
  }

  /** Call at end of input: throws if a record (or the header) was cut short. */
  end(): void {
    if (this.header === null) throw badRecording(this.consumed + this.buf.length === 0 ? 'empty recording' : 'recording shorter than its 16-byte header');
    if (this.buf.length > 0) throw badRecording(`recording cut short: ${this.buf.length} bytes of an incomplete record at byte ${this.consumed}`);
  }
}

async function isGzipFile(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await fh.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await fh.close();
  }
}

/** Streams the frames of a recording file (gzip or plain), in order. */
export async function* readFrameRecording(path: string): AsyncGenerator<RecordedFrame, RecordingHeader> {
  const gz = await isGzipFile(path);
  const file = createReadStream(path);
  let source: Readable = file;
  if (gz) {
    const gunzip = createGunzip();
    file.on('error', (e) => gunzip.destroy(e));
    source = file.pipe(gunzip);
  }
  const parser = new RecordingParser();
  try {
    for await (const chunk of source) {
      for (const f of parser.push(chunk as Uint8Array)) yield f;
    }
  } catch (e) {
    if (e instanceof SpreadcoreError) throw e;
    throw badRecording(`cannot read ${path}: ${(e as Error).message}`);
  } finally {
    file.destroy();
  }
  parser.end();
  return parser.header!;
}

/**
 * Writes a recording; gzip when the path ends in .gz. A file error (unwritable
 * path, full disk) never crashes the process: it is kept and thrown by the next
 * write(), drain() or close(). write() returns false when the caller should
 * `await drain()` before writing more (backpressure); close() flushes to disk.
 */
export class FrameRecordingWriter {
  private readonly out: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly sink: NodeJS.WritableStream;
  private readonly startMonoNs: bigint;
  private failure: Error | null = null;
  frames = 0;
  bytes = 0;

  constructor(path: string, startEpochNs: bigint = BigInt(Date.now()) * 1_000_000n) {
    this.out = createWriteStream(path);
    this.gzip = path.endsWith('.gz') ? createGzip() : null;
    const fail = (e: Error): void => { this.failure ??= badRecording(`cannot write ${path}: ${e.message}`); };
    this.out.on('error', fail);
    if (this.gzip !== null) {
      this.gzip.on('error', fail);
      this.gzip.pipe(this.out);
    }
    this.sink = this.gzip ?? this.out;
    this.startMonoNs = process.hrtime.bigint();
    this.sink.write(encodeRecordingHeader(startEpochNs));
  }

  private check(): void {
    if (this.failure !== null) throw this.failure;
  }

  /** Appends a frame stamped now, or at offsetNs since the start when given. Copies the frame. */
  write(frame: Uint8Array, offsetNs?: number): boolean {
    this.check();
    const t = offsetNs ?? Number(process.hrtime.bigint() - this.startMonoNs);
    const rec = encodeRecord(t, frame);
    this.frames++;
    this.bytes += rec.length;
    return this.sink.write(rec);
  }

  /** Resolves when buffered data has been handed on (after write() returned false). */
  async drain(): Promise<void> {
    this.check();
    const ws = this.sink as NodeJS.WritableStream & { writableNeedDrain?: boolean };
    if (ws.writableNeedDrain === true) {
      // once() rejects on an 'error' event: the listener above has recorded it
      await Promise.race([once(this.sink, 'drain'), once(this.out, 'close')]).catch(() => undefined);
    }
    this.check();
  }

  async close(): Promise<void> {
    this.check();
    this.sink.end();
    if (!this.out.writableFinished && !this.out.destroyed) {
      await Promise.race([once(this.out, 'finish'), once(this.out, 'close')]).catch(() => undefined);
    }
    this.check();
  }
}
