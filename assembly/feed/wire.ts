// Feed protocol v1 byte layout, the part the fast path reads (docs/feed-protocol.md;
// src/feed/protocol/wire-format.ts is the TypeScript original). Little-endian.

export const FRAME_MAGIC: u32 = 0x44464353; // "SCFD"
export const PROTOCOL_VERSION: u8 = 1;
export const FRAME_HEADER_BYTES: i32 = 20;
export const FH_VERSION: usize = 4; // u8
export const FH_FLAGS: usize = 5; // u8
export const FH_COUNT: usize = 6; // u16
export const FH_FRAME_BYTES: usize = 8; // u32
export const FH_SEND_TS: usize = 12; // u64
export const FRAME_FLAG_END_OF_BATCH: u8 = 1;

export const MESSAGE_HEADER_BYTES: i32 = 24;
export const MH_TYPE: usize = 0; // u8
export const MH_FLAGS: usize = 1; // u8, reserved
export const MH_SYMBOL: usize = 2; // u16
export const MH_LENGTH: usize = 4; // u32
export const MH_SEQ: usize = 8; // u64
export const MH_TS_EXCH: usize = 16; // u64

export const MSG_LEVEL_SET: u8 = 3;
export const MSG_LEVEL_CHANGE: u8 = 4;
export const MSG_TRADE: u8 = 5;

// bodies, from the message start (header included)
export const LV_SIDE: usize = 24; // u8
export const LV_TICK: usize = 25; // i64
export const LV_QTY: usize = 33; // i64: absolute (set) or signed delta (change)
export const LEVEL_MESSAGE_BYTES: i32 = 41;
export const TR_SIDE: usize = 24; // u8 aggressor side
export const TR_TICK: usize = 25; // i64
export const TR_QTY: usize = 33; // i64, > 0
export const TR_ID: usize = 41; // u64
export const TRADE_MESSAGE_BYTES: i32 = 49;

/** 2^53 - 1: the largest magnitude of an integer field (ticks, lots, seq, ids). */
export const MAX_SAFE_WIRE_INT: i64 = 9007199254740991;

/** A signed field within ±(2^53 - 1). */
@inline export function safeInt(v: i64): bool {
  return <u64>(v + MAX_SAFE_WIRE_INT) <= <u64>(2 * MAX_SAFE_WIRE_INT);
}
/** An unsigned field (read as i64) at most 2^53 - 1. */
@inline export function safeUint(v: i64): bool {
  return <u64>v <= <u64>MAX_SAFE_WIRE_INT;
}
