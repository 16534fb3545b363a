// One line of a market-data recording: `<local_receive_ts_ns> <json>`.
// The timestamp is decimal digits (nanoseconds since the Unix epoch, kept exact
// as a bigint); the rest of the line after the first space is one JSON document.
import { SpreadcoreError } from '../../errors.js';

export interface RecordingLine {
  readonly kind: 'line';
  /** 1-based line number in the (decompressed) file. */
  readonly lineNo: number;
  /** Local receive time, nanoseconds since the Unix epoch, exact. */
  readonly tsNs: bigint;
  /** The raw JSON text. */
  readonly json: string;
  /** JSON.parse(json), or undefined when the reader was asked not to parse. */
  readonly value: unknown;
}

/** A malformed line: the reader reports it and carries on; the caller decides to skip or stop. */
export interface RecordingFault {
  readonly kind: 'fault';
  readonly lineNo: number;
  readonly error: SpreadcoreError;
  /** The offending line (cut to 200 characters). */
  readonly text: string;
}

export type RecordingItem = RecordingLine | RecordingFault;

const MAX_TS_DIGITS = 20; // u64 range

function preview(text: string): string {
  return text.length > 80 ? `${JSON.stringify(text.slice(0, 80))}…` : JSON.stringify(text);
}

function bad(lineNo: number, what: string, text: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `recording line ${lineNo}: ${what}: ${preview(text)}`);
}

/**
 * Parses one line. Throws SPREADCORE_ERR_BAD_INPUT naming the line number when
 * there is no space, the timestamp is not 1..20 decimal digits, or (with
 * parseJson) the JSON does not parse.
 */
export function parseRecordingLine(text: string, lineNo: number, parseJson = true): RecordingLine {
  const sp = text.indexOf(' ');
  if (sp < 0) throw bad(lineNo, 'expected "<ts_ns> <json>" but the line has no space', text);
  if (sp === 0) throw bad(lineNo, 'missing timestamp before the space', text);
  if (sp > MAX_TS_DIGITS) throw bad(lineNo, `timestamp longer than ${MAX_TS_DIGITS} digits`, text);
  for (let i = 0; i < sp; i++) {
    const c = text.charCodeAt(i);
    if (c < 48 || c > 57) throw bad(lineNo, 'timestamp must be decimal digits (nanoseconds)', text);
  }
  const tsNs = BigInt(text.slice(0, sp));
  const json = text.slice(sp + 1);
  let value: unknown;
  if (parseJson) {
    try {
      value = JSON.parse(json);
    } catch (e) {
      throw bad(lineNo, `bad JSON (${(e as Error).message})`, text);
    }
  }
  return { kind: 'line', lineNo, tsNs, json, value };
}

/** parseRecordingLine, with a malformed line returned as a fault instead of thrown. */
export function recordingItem(text: string, lineNo: number, parseJson = true): RecordingItem {
  try {
    return parseRecordingLine(text, lineNo, parseJson);
  } catch (e) {
    if (!(e instanceof SpreadcoreError)) throw e;
    return { kind: 'fault', lineNo, error: e, text: text.length > 200 ? text.slice(0, 200) : text };
  }
}
