// Writes a binary recording (frame-recording.ts layout: header, then timestamped
// frames; gzip when the path ends in .gz) for the record command, as a careful
// file writer: it writes to "<path>.partial" and renames it into place only when
// everything was written (a failed or interrupted recording never leaves a
// half-written file under the real name), waits for the stream to drain instead
// of buffering the whole recording in memory, and turns every I/O failure into
// SPREADCORE_ERR_IO.
import { createWriteStream, type WriteStream } from 'node:fs';
import { rename, rm } from 'node:fs/promises';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { createGzip, type Gzip } from 'node:zlib';
import { SpreadcoreError } from '../../errors.js';
import { encodeRecord, encodeRecordingHeader } from '../recording/frame-recording.js';

export class RecordingFileWriter {
  readonly path: string;
  readonly partialPath: string;
  frames = 0;
  /** Bytes before compression, header included. */
  bytes = 0;
  private readonly file: WriteStream;
  private readonly gzip: Gzip | null;
  private readonly head: Writable;
  private failure: Error | null = null;
  private closed = false;

  constructor(path: string, startEpochNs: bigint) {
    this.path = path;
    this.partialPath = `${path}.partial`;
    this.file = createWriteStream(this.partialPath);
    this.gzip = path.endsWith('.gz') ? createGzip() : null;
    const fail = (e: Error): void => { this.failure ??= e; };
    this.file.on('error', fail);
    if (this.gzip !== null) {
      this.gzip.on('error', fail);
      this.gzip.pipe(this.file);
    }
    this.head = this.gzip ?? this.file;
    const header = encodeRecordingHeader(startEpochNs);
    this.bytes += header.length;
    this.head.write(header);
  }

  /** A writer whose file is open (so a path that cannot be written fails here, before any work). */
  static async create(path: string, startEpochNs: bigint): Promise<RecordingFileWriter> {
    const w = new RecordingFileWriter(path, startEpochNs);
    if (w.file.pending) await Promise.race([once(w.file, 'ready'), once(w.file, 'close')]).catch(() => undefined);
    try {
      w.check();
    } catch (e) {
      await w.abort();
      throw e;
    }
    return w;
  }

  private check(): void {
    if (this.failure !== null) throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot write ${this.path}: ${this.failure.message}`);
  }

  /** Appends a frame at offsetNs (ns since the start); copies it. Returns false when the caller should await drained(). */
  write(frame: Uint8Array, offsetNs: number): boolean {
    this.check();
    const rec = encodeRecord(offsetNs, frame);
    this.frames++;
    this.bytes += rec.length;
    return this.head.write(rec);
  }

  /** Resolves once the stream has room again (or failed: the next write or close reports it). */
  async drained(): Promise<void> {
    if (!this.head.writableNeedDrain || this.failure !== null) return;
    await new Promise<void>((resolve) => {
      const done = (): void => {
        this.head.off('drain', done);
        this.file.off('close', done);
        resolve();
      };
      this.head.on('drain', done);
      this.file.on('close', done);
    });
    this.check();
  }

  /** Flushes, closes and moves the file into place. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.check();
    this.head.end();
    if (!this.file.closed && this.failure === null) await once(this.file, 'close').catch(() => undefined);
    this.check();
    try {
      await rename(this.partialPath, this.path);
    } catch (e) {
      throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot write ${this.path}: ${(e as Error).message}`);
    }
  }

  /** Stops writing and removes the partial file. */
  async abort(): Promise<void> {
    this.closed = true;
    this.head.destroy();
    this.file.destroy();
    await rm(this.partialPath, { force: true }).catch(() => undefined);
  }
}
