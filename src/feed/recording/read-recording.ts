// Readers for `<ts_ns> <json>` recordings, gzip-compressed or plain (detected by
// the gzip magic bytes 1f 8b, not by the file name). Empty lines are skipped;
// malformed lines come out as faults carrying a coded error with the line number.
import { createReadStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { createGunzip, gunzipSync } from 'node:zlib';
import { StringDecoder } from 'node:string_decoder';
import type { Readable } from 'node:stream';
import { recordingItem, type RecordingItem } from './recording-line.js';

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
  const text = (isGzip(bytes) ? gunzipSync(bytes) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)).toString('utf8');
  let lineNo = 0;
  let start = 0;
  while (start < text.length) {
    let end = text.indexOf('\n', start);
    if (end < 0) end = text.length;
    lineNo++;
    const line = stripCr(text.slice(start, end));
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

/** Streams a recording file line by line without loading it whole. */
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
  const decoder = new StringDecoder('utf8');
  let carry = '';
  let lineNo = 0;
  try {
    for await (const chunk of source) {
      const text = carry + decoder.write(chunk as Buffer);
      let start = 0;
      for (;;) {
        const end = text.indexOf('\n', start);
        if (end < 0) break;
        lineNo++;
        const line = stripCr(text.slice(start, end));
        start = end + 1;
        if (line.length > 0) yield recordingItem(line, lineNo, parseJson);
      }
      carry = text.slice(start);
    }
    const rest = stripCr(carry + decoder.end());
    if (rest.length > 0) yield recordingItem(rest, ++lineNo, parseJson);
  } finally {
    file.destroy();
    if (source !== file) source.destroy();
  }
}
