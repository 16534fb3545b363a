// One NDJSON book event, checked completely before anything is applied:
//   {"type":"snapshot","bids":[["p","q"],...],"asks":[...]}   replace the book
//   {"type":"set","bids":[...],"asks":[...]}                   absolute quantities, "0" removes
//   {"type":"change","side":"bid"|"ask","price":"p","delta":"-q"}  signed delta
// Every field shown is required and no other field is allowed. Prices and
// quantities are decimal strings on the instrument's tick and lot grids.
import { SpreadcoreError } from '../errors.js';
import type { DecimalGrid } from '../numeric/decimal-grid.js';
import type { Instrument } from '../orderbook/instrument.js';
import type { DecimalLevel, Side } from '../orderbook/order-book.js';

export interface LevelsEvent {
  readonly type: 'snapshot' | 'set';
  readonly bids: DecimalLevel[];
  readonly asks: DecimalLevel[];
}
export interface ChangeEvent {
  readonly type: 'change';
  readonly side: Side;
  readonly price: string;
  readonly delta: string;
}
export type BookEvent = LevelsEvent | ChangeEvent;

const FIELDS: Readonly<Record<BookEvent['type'], readonly string[]>> = {
  snapshot: ['type', 'bids', 'asks'],
  set: ['type', 'bids', 'asks'],
  change: ['type', 'side', 'price', 'delta'],
};

const PLAIN_DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)$/;

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

/** A short rendering of a JSON value for error messages. */
export function show(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function kind(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Units of a decimal string on a grid; the error names the field. */
function onGrid(grid: DecimalGrid, v: unknown, what: string): number {
  if (typeof v === 'string' && PLAIN_DECIMAL.test(v)) {
    const u = grid.toUnitsOrNaN(v);
    if (!Number.isNaN(u)) return u;
  }
  if (typeof v !== 'string') {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_DECIMAL',
      `${what} must be a decimal string like "123.45", got ${kind(v)} (${show(v)})`);
  }
  return grid.toUnits(v, what); // throws: not a plain decimal
}

function levels(v: unknown, name: 'bids' | 'asks', inst: Instrument): DecimalLevel[] {
  if (!Array.isArray(v)) {
    throw bad(`"${name}" must be an array of [price, quantity] pairs, got ${kind(v)} (${show(v)})`);
  }
  const out: DecimalLevel[] = [];
  for (let i = 0; i < v.length; i++) {
    const l: unknown = v[i];
    if (!Array.isArray(l) || l.length !== 2) {
      throw bad(`${name}[${i}] must be a [price, quantity] pair, got ${show(l)}`);
    }
    const [p, q] = l as [unknown, unknown];
    onGrid(inst.price, p, `${name}[${i}] price`);
    const lots = onGrid(inst.qty, q, `${name}[${i}] quantity`);
    if (lots < 0) throw bad(`${name}[${i}] quantity must not be negative, got ${show(q)}`);
    out.push([p as string, q as string]);
  }
  return out;
}

/** Parses and checks one line; throws a coded error whose message names the field at fault. */
export function parseBookEvent(text: string, inst: Instrument): BookEvent {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    const why = e instanceof Error ? e.message : String(e);
    throw bad(`invalid JSON: ${why.length > 120 ? `${why.slice(0, 117)}...` : why}`);
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    throw bad(`an event must be a JSON object, got ${kind(v)}`);
  }
  const o = v as Record<string, unknown>;
  if (!Object.hasOwn(o, 'type')) throw bad('missing field "type" (expected "snapshot", "set" or "change")');
  const type = o['type'];
  if (type !== 'snapshot' && type !== 'set' && type !== 'change') {
    throw bad(`unknown event type ${show(type)} (expected "snapshot", "set" or "change")`);
  }
  const allowed = FIELDS[type];
  for (const k of Object.keys(o)) {
    if (!allowed.includes(k)) throw bad(`unexpected field ${show(k)} in a ${type} event (allowed: ${allowed.join(', ')})`);
  }
  for (const k of allowed) {
    if (!Object.hasOwn(o, k)) throw bad(`missing field "${k}" in a ${type} event`);
  }
  if (type === 'change') {
    const side = o['side'];
    if (side !== 'bid' && side !== 'ask') throw bad(`"side" must be "bid" or "ask", got ${show(side)}`);
    const price = o['price'];
    const delta = o['delta'];
    onGrid(inst.price, price, 'price');
    onGrid(inst.qty, delta, 'delta');
    return { type, side, price: price as string, delta: delta as string };
  }
  return { type, bids: levels(o['bids'], 'bids', inst), asks: levels(o['asks'], 'asks', inst) };
}
