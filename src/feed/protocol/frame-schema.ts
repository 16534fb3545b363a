// Feed protocol v1 described declaratively with binary-parser: the reference
// definition of the byte layout. Parsers produce plain objects (64-bit fields as
// BigInt). They allocate per parse and are not used on the hot path; the
// reference decoder and the decoder benchmark use them, and the hand-written
// decoder is tested against them.
// binary-parser's "exports" map hides its typings from NodeNext resolution; its CommonJS
// build carries them (and the same Parser class).
import { Parser } from 'binary-parser/dist/binary_parser.js';

export interface FrameHeaderFields {
  magic: number; version: number; flags: number; count: number; frameBytes: number; sendTsNs: bigint;
}
export interface MessageHeaderFields {
  type: number; flags: number; symbolId: number; length: number; seq: bigint; tsExchNs: bigint;
}
export interface InstrumentFixedFields { kind: number; symbolLen: number; tickSizeLen: number; lotSizeLen: number; resolutionTsNs: bigint }
export interface InstrumentBody extends InstrumentFixedFields { symbol: string; tickSize: string; lotSize: string }
export interface SnapshotCounts { nBids: number; nAsks: number }
export interface WireLevel { tick: bigint; qtyLot: bigint }
export interface SnapshotBody extends SnapshotCounts { bids: WireLevel[]; asks: WireLevel[] }
export interface LevelBody { side: number; tick: bigint; qtyLot: bigint }
export interface TradeBody { side: number; tick: bigint; qtyLot: bigint; tradeId: bigint }
export type MessageBody = InstrumentBody | SnapshotBody | LevelBody | TradeBody | Record<string, never>;
export interface WireMessage extends MessageHeaderFields { body: MessageBody }
export interface WireFrame extends FrameHeaderFields { messages: WireMessage[] }

const le = (): Parser => new Parser().endianness('little');

/** 20 bytes. */
export const FrameHeaderSchema = le()
  .uint32('magic').uint8('version').uint8('flags').uint16('count').uint32('frameBytes').uint64('sendTsNs');

/** 24 bytes, at the start of every message. */
export const MessageHeaderSchema = le()
  .uint8('type').uint8('flags').uint16('symbolId').uint32('length').uint64('seq').uint64('tsExchNs');

/** The fixed 12 bytes of an instrument body. */
export const InstrumentFixedSchema = le()
  .uint8('kind').uint8('symbolLen').uint8('tickSizeLen').uint8('lotSizeLen').uint64('resolutionTsNs');

export const InstrumentBodySchema = le()
  .uint8('kind').uint8('symbolLen').uint8('tickSizeLen').uint8('lotSizeLen').uint64('resolutionTsNs')
  .string('symbol', { length: 'symbolLen', encoding: 'latin1' })
  .string('tickSize', { length: 'tickSizeLen', encoding: 'latin1' })
  .string('lotSize', { length: 'lotSizeLen', encoding: 'latin1' });

export const SnapshotCountsSchema = le().uint32('nBids').uint32('nAsks');

export const LevelSchema = le().int64('tick').int64('qtyLot');

export const SnapshotBodySchema = le()
  .uint32('nBids').uint32('nAsks')
  .array('bids', { type: LevelSchema, length: 'nBids' })
  .array('asks', { type: LevelSchema, length: 'nAsks' });

/** Level set (qtyLot absolute) and level change (qtyLot is the signed delta). */
export const LevelBodySchema = le().uint8('side').int64('tick').int64('qtyLot');

export const TradeBodySchema = le().uint8('side').int64('tick').int64('qtyLot').uint64('tradeId');

export const HeartbeatBodySchema = new Parser();

/** Body parsers by message type. */
export const BODY_SCHEMAS: Readonly<Record<number, Parser>> = {
  1: InstrumentBodySchema, 2: SnapshotBodySchema, 3: LevelBodySchema, 4: LevelBodySchema, 5: TradeBodySchema, 6: HeartbeatBodySchema,
};

export const MessageSchema = le()
  .uint8('type').uint8('flags').uint16('symbolId').uint32('length').uint64('seq').uint64('tsExchNs')
  .choice('body', { tag: 'type', choices: { ...BODY_SCHEMAS } });

/**
 * A whole frame in one parse. It trusts the declared counts and does no
 * validation (it throws on bytes that end early); use it on valid frames only.
 */
export const FrameSchema = le()
  .uint32('magic').uint8('version').uint8('flags').uint16('count').uint32('frameBytes').uint64('sendTsNs')
  .array('messages', { type: MessageSchema, length: 'count' });

export function parseFrameHeader(bytes: Uint8Array): FrameHeaderFields { return FrameHeaderSchema.parse(bytes) as FrameHeaderFields; }
export function parseMessageHeader(bytes: Uint8Array): MessageHeaderFields { return MessageHeaderSchema.parse(bytes) as MessageHeaderFields; }
export function parseWholeFrame(bytes: Uint8Array): WireFrame { return FrameSchema.parse(bytes) as WireFrame; }
