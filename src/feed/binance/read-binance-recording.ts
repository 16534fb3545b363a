// A Binance recording (`<ts_ns> <json>` lines, gzip or plain) as typed messages.
// Lines that do not parse, as recording lines or as Binance messages, are
// returned as faults with their line numbers; the caller decides what to do.
import { readFileSync } from 'node:fs';
import { SpreadcoreError } from '../../errors.js';
import { readRecordingBuffer, readRecordingFile } from '../recording/read-recording.js';
import type { RecordingItem } from '../recording/recording-line.js';
import type { BinanceMessage } from './messages.js';
import { parseBinanceMessage } from './parse-message.js';

export interface BinanceRecordedMessage {
  readonly kind: 'message';
  readonly lineNo: number;
  readonly tsNs: bigint;
  readonly msg: BinanceMessage;
}

export interface BinanceRecordingFault {
  readonly kind: 'fault';
  readonly lineNo: number;
  readonly error: SpreadcoreError;
}

export type BinanceRecordingItem = BinanceRecordedMessage | BinanceRecordingFault;

function toBinance(item: RecordingItem): BinanceRecordingItem {
  if (item.kind === 'fault') return { kind: 'fault', lineNo: item.lineNo, error: item.error };
  try {
    return { kind: 'message', lineNo: item.lineNo, tsNs: item.tsNs, msg: parseBinanceMessage(item.value) };
  } catch (e) {
    if (!(e instanceof SpreadcoreError)) throw e;
    const error = new SpreadcoreError(e.code, `recording line ${item.lineNo}: ${e.message}`);
    return { kind: 'fault', lineNo: item.lineNo, error };
  }
}

/** Every line of an in-memory recording as a message or a fault, in file order. */
export function* readBinanceRecordingBuffer(bytes: Uint8Array): Generator<BinanceRecordingItem> {
  for (const item of readRecordingBuffer(bytes)) yield toBinance(item);
}

/** Streams a recording file as messages and faults, in file order. */
export async function* readBinanceRecordingFile(path: string): AsyncGenerator<BinanceRecordingItem> {
  for await (const item of readRecordingFile(path)) yield toBinance(item);
}

/** Loads a whole recording file into memory (tests, benchmarks, tools). */
export function loadBinanceRecording(path: string): { messages: BinanceRecordedMessage[]; faults: BinanceRecordingFault[] } {
  const messages: BinanceRecordedMessage[] = [];
  const faults: BinanceRecordingFault[] = [];
  for (const item of readBinanceRecordingBuffer(readFileSync(path))) {
    if (item.kind === 'message') messages.push(item);
    else faults.push(item);
  }
  return { messages, faults };
}
