// The rules for an instrument definition's fields, shared by both decoders and
// the encoder: kind codes, symbol characters, decimal grid strings, resolution time.
// Instrument definitions are rare, so these may allocate.
import { DecimalGrid } from '../../numeric/decimal-grid.js';
import type { InstrumentKind } from '../feed-sink.js';
import { KIND_BINARY, KIND_NAMES } from './wire-format.js';

export const MAX_INSTRUMENT_STRING_BYTES = 255;

export function kindName(code: number): InstrumentKind | undefined {
  return KIND_NAMES[code];
}

export function kindCode(kind: InstrumentKind): number {
  return KIND_NAMES.indexOf(kind);
}

/** 1..255 characters, each printable ASCII without space (0x21..0x7e). */
export function isValidSymbol(s: string): boolean {
  const n = s.length;
  if (n < 1 || n > MAX_INSTRUMENT_STRING_BYTES) return false;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

/** A positive decimal string a DecimalGrid accepts ("0.01"), at most 255 characters. */
export function isValidGridStep(s: string): boolean {
  if (s.length < 1 || s.length > MAX_INSTRUMENT_STRING_BYTES) return false;
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7e) return false;
  try {
    new DecimalGrid(s);
    return true;
  } catch {
    return false;
  }
}

/** Only binary contracts have a resolution time; every other kind carries 0. */
export function isValidResolution(kindCodeValue: number, resolutionTsNs: number | bigint): boolean {
  return kindCodeValue === KIND_BINARY || resolutionTsNs === 0 || resolutionTsNs === 0n;
}

/** Bytes as a string, one character per byte (latin1). */
export function latin1(bytes: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}
