// Cross-platform inventory (seed 004 Pattern 3): an event map ties several symbols —
// a Kalshi market and a Polymarket token, or two simulated contracts — to one
// real-world event, each with a direction: "same" (its YES pays when the event
// happens) or "opposite" (its YES pays when it does not). A position of +q YES on an
// "opposite" symbol is −q of exposure to the event. The engine sums positions per
// event across symbols and accounts (EventExposure), skews each mapped leg's quotes
// by the event's net exposure instead of its own position, refuses orders that would
// take a strategy's event exposure past max_event_exposure, and reports a cross-symbol
// price gap wider than the fees as an arbitrage signal.
//
// The file given to `serve --event-map FILE`:
//   { "events": [ { "id": "btc-100k", "description": "BTC above 100k on Dec 31",
//                   "symbols": [ { "symbol": "KXBTC-100K", "direction": "same" },
//                                { "symbol": "PM-BTC-100K-NO", "direction": "opposite" } ] } ] }
import { readFileSync } from 'node:fs';
import { SpreadcoreError } from '../errors.js';

export type EventDirection = 'same' | 'opposite';

export interface EventSymbol { readonly symbol: string; readonly direction: EventDirection }
export interface EventDef { readonly id: string; readonly description: string; readonly symbols: readonly EventSymbol[] }

const ID_RE = /^[A-Za-z0-9_.:-]{1,64}$/;

function bad(message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

/** Reads one event (a PUT body, or an entry of the file); id from the URL when given. */
export function readEventDef(body: unknown, id?: string): EventDef {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) bad('an event must be a JSON object');
  const b = body as Record<string, unknown>;
  for (const k of Object.keys(b)) if (k !== 'id' && k !== 'description' && k !== 'symbols') bad(`unknown field ${JSON.stringify(k)} in the event (expected id, description, symbols)`);
  const eid = id ?? b.id;
  if (id !== undefined && b.id !== undefined && b.id !== id) bad(`the body's id ${JSON.stringify(b.id)} is not the URL's ${JSON.stringify(id)}`);
  if (typeof eid !== 'string' || !ID_RE.test(eid)) bad('the event id must be 1-64 characters of letters, digits, "_", "-", ".", ":"');
  if (b.description !== undefined && (typeof b.description !== 'string' || b.description.length > 500)) bad('description must be a string of at most 500 characters');
  if (!Array.isArray(b.symbols) || b.symbols.length === 0 || b.symbols.length > 16) bad('symbols must be an array of 1-16 {"symbol", "direction"} objects');
  const seen = new Set<string>();
  const symbols = b.symbols.map((s: unknown): EventSymbol => {
    if (typeof s !== 'object' || s === null) bad('every symbols entry must be an object {"symbol": ..., "direction": "same"|"opposite"}');
    const e = s as Record<string, unknown>;
    for (const k of Object.keys(e)) if (k !== 'symbol' && k !== 'direction') bad(`unknown field ${JSON.stringify(k)} in an event symbol (expected symbol, direction)`);
    if (typeof e.symbol !== 'string' || e.symbol.length === 0 || e.symbol.length > 64) bad('symbol must be a non-empty string');
    const direction = e.direction ?? 'same';
    if (direction !== 'same' && direction !== 'opposite') bad('direction must be "same" or "opposite"');
    if (seen.has(e.symbol)) bad(`symbol ${e.symbol} is listed twice in event ${eid}`);
    seen.add(e.symbol);
    return Object.freeze({ symbol: e.symbol, direction });
  });
  return Object.freeze({ id: eid, description: typeof b.description === 'string' ? b.description : '', symbols: Object.freeze(symbols) });
}

/** Reads an event-map file: {"events": [...]} or a bare array. */
export function readEventMapFile(path: string): EventDef[] {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8')) as unknown;
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `--event-map ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  const list = Array.isArray(doc) ? doc : (doc as { events?: unknown } | null)?.events;
  if (!Array.isArray(list)) bad(`--event-map ${path}: expected {"events": [...]}`);
  const ids = new Set<string>();
  return list.map((e, i) => {
    let d: EventDef;
    try { d = readEventDef(e); } catch (err) { bad(`--event-map ${path}: events[${i}]: ${err instanceof Error ? err.message : String(err)}`); }
    if (ids.has(d.id)) bad(`--event-map ${path}: event ${d.id} is listed twice`);
    ids.add(d.id);
    return d;
  });
}

/** The events, and for each symbol the events it belongs to with its sign (+1 same, −1 opposite). */
export class EventMap {
  private readonly events = new Map<string, EventDef>();
  private readonly bySymbol = new Map<string, { event: EventDef; sign: number }[]>();

  constructor(defs: readonly EventDef[] = []) {
    for (const d of defs) this.put(d);
  }

  get size(): number { return this.events.size; }

  /** Adds or replaces an event; returns whether it was new. */
  put(def: EventDef): boolean {
    const isNew = !this.events.has(def.id);
    this.events.set(def.id, def);
    this.reindex();
    return isNew;
  }

  get(id: string): EventDef | undefined { return this.events.get(id); }
  list(): EventDef[] { return [...this.events.values()]; }

  /** The events a symbol belongs to (empty when none). */
  of(symbol: string): readonly { event: EventDef; sign: number }[] {
    return this.bySymbol.get(symbol) ?? NONE;
  }

  private reindex(): void {
    this.bySymbol.clear();
    for (const e of this.events.values()) {
      for (const s of e.symbols) {
        const list = this.bySymbol.get(s.symbol) ?? [];
        list.push({ event: e, sign: s.direction === 'same' ? 1 : -1 });
        this.bySymbol.set(s.symbol, list);
      }
    }
  }
}

const NONE: readonly { event: EventDef; sign: number }[] = Object.freeze([]);
