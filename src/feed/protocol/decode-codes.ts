// Outcomes of decoding one frame: one table for both decoders, the feed handler's
// counters and the docs. Codes are small integers (the hot path returns a number);
// names and texts are for stats, logs and errors.

export const DECODE_OK = 0;
/** Fewer bytes than the frame header, or than the frame length the header declares. */
export const DECODE_ERR_TRUNCATED = 1;
export const DECODE_ERR_BAD_MAGIC = 2;
export const DECODE_ERR_BAD_VERSION = 3;
/** A reserved bit of the frame flags or a message's reserved flags byte is set. */
export const DECODE_ERR_BAD_FLAGS = 4;
/** The frame header declares fewer bytes than were received (trailing bytes after the frame). */
export const DECODE_ERR_FRAME_LENGTH = 5;
export const DECODE_ERR_UNKNOWN_TYPE = 6;
/** A message header or a message's declared length reaches past the end of the frame (huge lengths or counts). */
export const DECODE_ERR_BEYOND_FRAME = 7;
/** A message's length disagrees with its type or its own counts, or bytes remain after the last message. */
export const DECODE_ERR_BAD_LENGTH = 8;
/** An integer field (tick, lots, seq, trade id) is 2^53 or more in magnitude. */
export const DECODE_ERR_UNSAFE_INTEGER = 9;
/** A negative absolute quantity (snapshot, level set) or a trade quantity of zero or less. */
export const DECODE_ERR_BAD_QTY = 10;
/** A side byte other than 0 (bid) or 1 (ask). */
export const DECODE_ERR_BAD_SIDE = 11;
/** A message for a symbolId no instrument definition declared. */
export const DECODE_ERR_UNKNOWN_SYMBOL = 12;
/** An instrument definition with a bad kind, symbol, tick size, lot size or resolution time. */
export const DECODE_ERR_BAD_INSTRUMENT = 13;
/** The sink threw while the (valid) frame was being applied; the rest of the frame was skipped. */
export const DECODE_ERR_SINK_THREW = 14;

export const DECODE_CODE_COUNT = 15;
export type DecodeCode = number;

/** Stable names (stats keys, close reasons, docs). Index = code. */
export const DECODE_CODE_NAMES: readonly string[] = [
  'ok', 'truncated', 'bad-magic', 'bad-version', 'bad-flags', 'frame-length', 'unknown-type',
  'beyond-frame', 'bad-length', 'unsafe-integer', 'bad-qty', 'bad-side', 'unknown-symbol',
  'bad-instrument', 'sink-threw',
];

export const DECODE_CODE_TEXT: readonly string[] = [
  'ok',
  'the frame is shorter than its header or than the length its header declares',
  'the frame does not start with the magic "SCFD"',
  'unsupported protocol version',
  'a reserved flag bit is set',
  'bytes follow the end of the frame',
  'unknown message type',
  'a message or its declared length reaches past the end of the frame',
  "a message's length does not match its type or its counts",
  'an integer field is 2^53 or more in magnitude',
  'negative absolute quantity or non-positive trade quantity',
  'side must be 0 (bid) or 1 (ask)',
  'message for a symbolId no instrument definition declared',
  'bad instrument definition (kind, symbol, tick size, lot size or resolution time)',
  'the sink threw while applying the frame',
];

export function decodeCodeName(code: number): string {
  return DECODE_CODE_NAMES[code] ?? `code-${code}`;
}
