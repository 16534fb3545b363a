// Feed protocol v1: the byte layout, as constants. docs/feed-protocol.md is the
// prose version of this file; both decoders and the encoder use only these names.
// Everything is little-endian.

/** "SCFD" read as a little-endian u32 (bytes 53 43 46 44). */
export const FRAME_MAGIC = 0x44464353;
export const PROTOCOL_VERSION = 1;

// ---- frame header (20 bytes) ----------------------------------------------------------
export const FH_MAGIC = 0; // u32
export const FH_VERSION = 4; // u8
export const FH_FLAGS = 5; // u8
export const FH_COUNT = 6; // u16: messages in the frame
export const FH_FRAME_BYTES = 8; // u32: whole frame length, header included
export const FH_SEND_TS = 12; // u64: sender's CLOCK_MONOTONIC ns when the frame left
export const FRAME_HEADER_BYTES = 20;

/** Frame flag: the frame ends a batch (the receiver calls endOfBatch after its messages). */
export const FRAME_FLAG_END_OF_BATCH = 0x01;
export const FRAME_FLAGS_KNOWN = FRAME_FLAG_END_OF_BATCH;
export const MAX_FRAME_MESSAGES = 0xffff;
/** symbolId is a u16: 65,536 possible ids. */
export const SYMBOL_ID_COUNT = 0x10000;

// ---- message header (24 bytes, every message) ---------------------------------------
export const MH_TYPE = 0; // u8
export const MH_FLAGS = 1; // u8: reserved, must be 0
export const MH_SYMBOL = 2; // u16: symbolId
export const MH_LENGTH = 4; // u32: whole message length, header included
export const MH_SEQ = 8; // u64: per-symbol sequence number
export const MH_TS_EXCH = 16; // u64: exchange timestamp, Unix epoch ns
export const MESSAGE_HEADER_BYTES = 24;

// ---- message types -----------------------------------------------------------------------
export const MSG_INSTRUMENT = 1;
export const MSG_SNAPSHOT = 2;
export const MSG_LEVEL_SET = 3;
export const MSG_LEVEL_CHANGE = 4;
export const MSG_TRADE = 5;
export const MSG_HEARTBEAT = 6;
export const MSG_TYPE_NAMES: Readonly<Record<number, string>> = {
  [MSG_INSTRUMENT]: 'instrument', [MSG_SNAPSHOT]: 'snapshot', [MSG_LEVEL_SET]: 'level-set',
  [MSG_LEVEL_CHANGE]: 'level-change', [MSG_TRADE]: 'trade', [MSG_HEARTBEAT]: 'heartbeat',
};

// ---- bodies (offsets from the start of the body, i.e. message start + 24) ---------------
// instrument: u8 kind, u8 symbolLen, u8 tickSizeLen, u8 lotSizeLen, u64 resolutionTsNs,
// then the three ASCII strings back to back.
export const IN_KIND = 0;
export const IN_SYMBOL_LEN = 1;
export const IN_TICK_LEN = 2;
export const IN_LOT_LEN = 3;
export const IN_RESOLUTION_TS = 4;
export const IN_STRINGS = 12;
export const INSTRUMENT_FIXED_BYTES = MESSAGE_HEADER_BYTES + IN_STRINGS; // 36

export const KIND_SPOT = 0;
export const KIND_PERP = 1;
export const KIND_BINARY = 2;
export const KIND_NAMES = ['spot', 'perp', 'binary'] as const;

// snapshot: u32 nBids, u32 nAsks, then nBids levels and nAsks levels, best first;
// a level is i64 tick, i64 qtyLot.
export const SN_N_BIDS = 0;
export const SN_N_ASKS = 4;
export const SN_LEVELS = 8;
export const LEVEL_BYTES = 16;
export const SNAPSHOT_FIXED_BYTES = MESSAGE_HEADER_BYTES + SN_LEVELS; // 32

// level set / level change: u8 side, i64 tick, i64 qtyLot (set) or deltaLot (change).
export const LV_SIDE = 0;
export const LV_TICK = 1;
export const LV_QTY = 9;
export const LEVEL_MESSAGE_BYTES = MESSAGE_HEADER_BYTES + 17; // 41

// trade: u8 aggressorSide, i64 tick, i64 qtyLot, u64 tradeId.
export const TR_SIDE = 0;
export const TR_TICK = 1;
export const TR_QTY = 9;
export const TR_ID = 17;
export const TRADE_MESSAGE_BYTES = MESSAGE_HEADER_BYTES + 25; // 49

// heartbeat: no body; symbolId and seq are written 0 and not interpreted.
export const HEARTBEAT_MESSAGE_BYTES = MESSAGE_HEADER_BYTES;

/** 2^32, for combining u32 halves. */
export const TWO_POW_32 = 4294967296;
/** Largest |value| of an integer field (ticks, lots, seq, ids): 2^53 - 1. */
export const MAX_SAFE_WIRE_INT = 9007199254740991;
