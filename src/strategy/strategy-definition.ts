// The body of POST /api/strategy/load (seed 000 Step 4), read and checked:
//   { "name": "btc_mm_1", "type": "MarketMaking", "symbols": ["BTCUSDT"], "parameters": {...} }
// The strategy id is its name (seed 000 answers strategy_id "btc_mm_1"), so a name
// is limited to what a URL path segment carries unescaped. Parameters are checked
// separately (validateParams) against each symbol's instrument.
import { SpreadcoreError } from '../errors.js';

export const STRATEGY_TYPE = 'MarketMaking';
/** Other spellings of the type accepted on input. */
const TYPE_ALIASES: ReadonlySet<string> = new Set(['MarketMaking', 'market_making', 'marketmaking', 'MARKET_MAKING']);
const NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;
const MAX_SYMBOLS = 1000;

export interface StrategyDefinition {
  readonly id: string;
  readonly name: string;
  readonly type: typeof STRATEGY_TYPE;
  readonly symbols: readonly string[];
  /**
   * A strategy that scans a universe instead of fixed symbols (then `symbols` is empty):
   * every symbol of this kind the market lists (and starting with `prefix` when given)
   * is a candidate; the engine's scanner picks which ones it quotes (market-scanner.ts).
   */
  readonly universe?: UniverseSpec;
  /** The raw parameters object (validated by the strategy against the instruments). */
  readonly parameters: Readonly<Record<string, unknown>>;
}

export interface UniverseSpec {
  /** The venue whose markets are scanned ("sim", "kalshi", "polymarket", ...): the engine's market. */
  readonly venue: string;
  readonly kind: 'binary';
  /** Only symbols starting with this. */
  readonly prefix?: string;
}

function readUniverse(u: unknown): UniverseSpec {
  if (!isPlainObject(u)) bad('universe must be a JSON object {"venue": ..., "kind": "binary"}');
  for (const key of Object.keys(u)) if (key !== 'venue' && key !== 'kind' && key !== 'prefix') bad(`unknown field ${JSON.stringify(key)} in universe (expected venue, kind, prefix)`);
  if (typeof u.venue !== 'string' || !/^[a-z0-9_-]{1,32}$/.test(u.venue)) bad('universe.venue must be a venue name such as "sim"');
  if (u.kind !== 'binary') bad('universe.kind must be "binary" (the only kind scanned)');
  if (u.prefix !== undefined && (typeof u.prefix !== 'string' || u.prefix.length === 0 || u.prefix.length > 64)) bad('universe.prefix must be a non-empty string');
  return Object.freeze({ venue: u.venue, kind: 'binary' as const, ...(u.prefix !== undefined ? { prefix: u.prefix as string } : {}) });
}

function bad(message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Throws SPREADCORE_ERR_BAD_INPUT naming the first problem. */
export function readStrategyDefinition(body: unknown): StrategyDefinition {
  if (!isPlainObject(body)) bad('the strategy definition must be a JSON object');
  for (const key of Object.keys(body)) {
    if (key !== 'name' && key !== 'type' && key !== 'symbols' && key !== 'parameters' && key !== 'universe') {
      bad(`unknown field ${JSON.stringify(key)} in the strategy definition (expected name, type, symbols or universe, parameters)`);
    }
  }
  const { name, type, parameters } = body;
  const universe = body.universe === undefined ? undefined : readUniverse(body.universe);
  if (universe !== undefined && body.symbols !== undefined) bad('give either symbols or universe, not both');
  const symbols = universe !== undefined ? [] : body.symbols;
  if (typeof name !== 'string' || !NAME_RE.test(name)) {
    bad('name must be 1-64 characters of letters, digits, "_", "-" or "." (it is the strategy id)');
  }
  if (type !== undefined && (typeof type !== 'string' || !TYPE_ALIASES.has(type))) {
    bad(`type must be "${STRATEGY_TYPE}", got ${JSON.stringify(type)}`);
  }
  if (!Array.isArray(symbols) || (symbols.length === 0 && universe === undefined)) bad('symbols must be a non-empty array of symbol names (or give a universe)');
  if (symbols.length > MAX_SYMBOLS) bad(`at most ${MAX_SYMBOLS} symbols per strategy`);
  const seen = new Set<string>();
  for (const s of symbols) {
    if (typeof s !== 'string' || s.length === 0 || s.length > 64) bad('every symbol must be a non-empty string of at most 64 characters');
    if (seen.has(s)) bad(`symbol ${s} is listed twice`);
    seen.add(s);
  }
  if (parameters !== undefined && !isPlainObject(parameters)) bad('parameters must be a JSON object');
  return Object.freeze({
    id: name,
    name,
    type: STRATEGY_TYPE,
    // a universe strategy's symbols grow and shrink as the scanner adds and retires legs
    symbols: universe !== undefined ? [] : Object.freeze([...(symbols as string[])]),
    ...(universe !== undefined ? { universe } : {}),
    parameters: Object.freeze({ ...(parameters ?? {}) }),
  });
}
