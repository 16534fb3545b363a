// What the feed handler counts for one publisher connection (the uWS user data).
import { DECODE_CODE_COUNT, DECODE_CODE_NAMES } from '../protocol/decode-codes.js';

export interface FeedConnectionJson {
  id: number;
  remote: string;
  connectedAtMs: number;
  frames: number;
  framesApplied: number;
  messages: number;
  bytes: number;
  decodeErrors: number;
  decodeErrorsByCode: Record<string, number>;
  textFrames: number;
}

export class FeedConnection {
  readonly id: number;
  remote = '';
  readonly connectedAtMs = Date.now();
  /** Binary frames received, and those applied (decoded without error). */
  frames = 0;
  framesApplied = 0;
  /** Messages applied. */
  messages = 0;
  /** Bytes of binary frames received. */
  bytes = 0;
  decodeErrors = 0;
  readonly errorsByCode = new Float64Array(DECODE_CODE_COUNT);
  textFrames = 0;
  /** Set once the handler closes the connection (no more frames are processed). */
  closing = false;

  constructor(id: number) { this.id = id; }

  toJSON(): FeedConnectionJson {
    return {
      id: this.id, remote: this.remote, connectedAtMs: this.connectedAtMs, frames: this.frames, framesApplied: this.framesApplied,
      messages: this.messages, bytes: this.bytes, decodeErrors: this.decodeErrors,
      decodeErrorsByCode: countsByName(this.errorsByCode), textFrames: this.textFrames,
    };
  }
}

/** Non-zero error counts keyed by decode code name (code 0, ok, left out). */
export function countsByName(counts: Float64Array): Record<string, number> {
  const out: Record<string, number> = {};
  for (let c = 1; c < counts.length; c++) if (counts[c]! > 0) out[DECODE_CODE_NAMES[c]!] = counts[c]!;
  return out;
}
