// The params file of a backtest, read and checked:
//   { "symbols": ["BTCUSDT"], "parameters": { "spread_bps": 4, ... },
//     "fill_model": "queue", "order_latency_ms": 2, "maker_fee_bps": 0, ... }
// "symbols" and "parameters" are the body of POST /api/strategy/load (same checks,
// same messages: readStrategyDefinition and validateParams); the other fields set
// the paper exchange, the instrument grids and the curves. Every mistake throws a
// SpreadcoreError naming the field and the bad value.
import { readFileSync } from 'node:fs';
import { SpreadcoreError } from '../errors.js';
import { LatencyCurve, QUEUE_MODELS, type FillModel, type QueueModel } from '../execution/paper-config.js';
import type { BinanceMarket } from '../feed/binance/messages.js';
import { validateParams } from '../strategy/params/index.js';
import { readStrategyDefinition } from '../strategy/strategy-definition.js';

export const DEFAULT_STRATEGY_NAME = 'backtest';
export const DEFAULT_SAMPLE_INTERVAL_MS = 1000;
export const DEFAULT_QUEUE_EXPONENT = 2;

export type FeedLatency = 'recorded' | 'none' | number;

/** Grids of one symbol given in the params file (decimal strings, as Binance's exchangeInfo has them). */
export interface InstrumentOverride {
  readonly tickSize: string;
  readonly lotSize: string;
  /** Which Binance market the grids are for; both when absent. */
  readonly market: BinanceMarket | null;
}

export interface BacktestSpec {
  /** The strategy id in the result (the API's "name"). */
  readonly name: string;
  readonly symbols: readonly string[];
  /** The raw parameters object, already validated without instruments (checked again against each symbol's grids at load). */
  readonly parameters: Readonly<Record<string, unknown>>;
  readonly fillModel: FillModel;
  readonly queueModel: QueueModel;
  /** Exponent of the 'power' queue model (f(x) = x^n). */
  readonly queueExponent: number;
  /**
   * When the strategy sees each market event: 'recorded' = at the recording's receive
   * (capture) time, 'none' = at its exchange time, a number = exchange time + that many ms.
   */
  readonly feedLatency: FeedLatency;
  /**
   * With feed_latency "recorded": added to every corrected receive time, ms (the
   * correction makes the fastest message arrive at its exchange time; its true latency
   * is unknown, this is hftbacktest's base_latency). 0 by default.
   */
  readonly feedBaseLatencyMs: number;
  /** Delay of every exchange report (accept, fill, cancel) before the strategy hears of it, ms; null: none. */
  readonly responseLatencyMs: number | null;
  /** order_latency_file as given, and its samples; replaces the constant latencies. */
  readonly orderLatencyFile: string | null;
  readonly latencyCurve: LatencyCurve | null;
  /** null: the paper exchange's default. */
  readonly orderLatencyMs: number | null;
  readonly cancelLatencyMs: number | null;
  /** Extra latency per order and cancel, uniform in [0, this) ms, drawn from the run's seed; null: none. */
  readonly latencyJitterMs: number | null;
  readonly makerFeeBps: number | null;
  readonly takerFeeBps: number | null;
  /** Binance recordings: spot or usdm; null = detected from the recording. */
  readonly market: BinanceMarket | null;
  readonly instruments: Readonly<Record<string, InstrumentOverride>>;
  /** Spacing of the equity and mid curves, exchange-time ms. */
  readonly sampleIntervalMs: number;
  /** Stop after this much recording time, s; null = the whole recording. */
  readonly durationS: number | null;
}

const FIELDS = [
  'name', 'symbols', 'parameters', 'fill_model', 'queue_model', 'queue_exponent', 'feed_latency', 'feed_base_latency_ms', 'order_latency_ms', 'cancel_latency_ms',
  'response_latency_ms', 'order_latency_file', 'latency_jitter_ms', 'maker_fee_bps', 'taker_fee_bps', 'market', 'instruments', 'sample_interval_ms', 'duration_s',
] as const;

/** The body of POST /api/strategy/load: checked by the API's own code. */
const API_FIELDS: ReadonlySet<string> = new Set(['name', 'symbols', 'parameters']);
const MAX_LATENCY_MS = 3_600_000;
const DECIMAL_RE = /^(?:0|[1-9][0-9]{0,15})(?:\.[0-9]{1,12})?$/;

const PARAMS_PREFIX = 'params file: ';

function bad(message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `${PARAMS_PREFIX}${message}`);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function oneOf<T extends string>(field: string, v: unknown, allowed: readonly T[], dflt: T): T {
  if (v === undefined) return dflt;
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    bad(`${field} must be ${allowed.map((a) => JSON.stringify(a)).join(' or ')}, got ${JSON.stringify(v)}`);
  }
  return v as T;
}

function latencyMs(field: string, v: unknown): number | null {
  if (v === undefined) return null;
  // whole nanoseconds: at most 6 decimals of a millisecond
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > MAX_LATENCY_MS || Math.abs(v * 1e6 - Math.round(v * 1e6)) > 1e-6) {
    bad(`${field} must be a number of milliseconds in 0..${MAX_LATENCY_MS} (at most 6 decimals), got ${JSON.stringify(v)}`);
  }
  return v;
}

function feeBps(field: string, v: unknown): number | null {
  if (v === undefined) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > 1000) bad(`${field} must be a number of bps in -1000..1000, got ${JSON.stringify(v)}`);
  return v;
}

function gridText(field: string, v: unknown): string {
  if (typeof v !== 'string' || !DECIMAL_RE.test(v) || Number(v) <= 0) {
    bad(`${field} must be a positive decimal string such as "0.01", got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * Grids per symbol, `{"SYMBOL": {"tick_size": "0.01", "lot_size": "0.001", "market": "spot"|"usdm"}}`
 * (the params file's "instruments", and the --instruments FILE of the commands that replay a
 * Binance recording). `where` names the object in messages ("instruments"; "" for a whole file).
 * Throws SPREADCORE_ERR_BAD_INPUT naming the field.
 */
export function readInstrumentOverrides(v: unknown, where = 'instruments'): Record<string, InstrumentOverride> {
  if (where === 'instruments') return readOverrides(v, where);
  try {
    return readOverrides(v, where);
  } catch (e) {
    // not a params file: the message names the field without the file's prefix
    if (e instanceof SpreadcoreError && e.message.startsWith(PARAMS_PREFIX)) throw new SpreadcoreError(e.code, e.message.slice(PARAMS_PREFIX.length));
    throw e;
  }
}

function readOverrides(v: unknown, where: string): Record<string, InstrumentOverride> {
  if (v === undefined) return {};
  if (!isRecord(v)) bad(`${where === '' ? 'the file' : where} must be an object of symbol → {"tick_size", "lot_size"}`);
  const out: Record<string, InstrumentOverride> = {};
  for (const [symbol, g] of Object.entries(v)) {
    const at = where === '' ? symbol : `${where}.${symbol}`;
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$/.test(symbol)) bad(`${where === '' ? '' : `${where}: `}${JSON.stringify(symbol)} is not a symbol name`);
    if (!isRecord(g)) bad(`${at} must be an object {"tick_size": "0.01", "lot_size": "0.001"}`);
    for (const k of Object.keys(g)) {
      if (k !== 'tick_size' && k !== 'lot_size' && k !== 'market') bad(`unknown field ${at}.${k} (expected tick_size, lot_size, market)`);
    }
    const market = g['market'] === undefined ? null : oneOf<BinanceMarket>(`${at}.market`, g['market'], ['spot', 'usdm'], 'spot');
    out[symbol] = Object.freeze({ tickSize: gridText(`${at}.tick_size`, g['tick_size']), lotSize: gridText(`${at}.lot_size`, g['lot_size']), market });
  }
  return out;
}

/**
 * Checks a params file's JSON. Throws SpreadcoreError naming the field:
 * SPREADCORE_ERR_BAD_INPUT for the file's own fields and the strategy definition,
 * SPREADCORE_ERR_BAD_PARAM (ParameterError) for strategy parameters, as the API does.
 */
export function parseBacktestSpec(json: unknown): BacktestSpec {
  if (!isRecord(json)) bad('must be a JSON object {"symbols": [...], "parameters": {...}}');
  for (const key of Object.keys(json)) {
    if (!(FIELDS as readonly string[]).includes(key)) bad(`unknown field ${JSON.stringify(key)} (expected ${FIELDS.join(', ')})`);
  }
  // null is a wrong type, not "the default": each of the file's own fields is absent or a value
  // (name, symbols and parameters get the API's checks)
  for (const key of FIELDS) {
    if (json[key] === null && !API_FIELDS.has(key)) bad(`${key} must not be null (leave the field out for its default)`);
  }
  const name = json['name'] ?? DEFAULT_STRATEGY_NAME;
  const def = readStrategyDefinition({ name, symbols: json['symbols'], parameters: json['parameters'] });
  validateParams(def.parameters); // the API's checks and messages; the grids are checked again at load
  const sample = json['sample_interval_ms'] ?? DEFAULT_SAMPLE_INTERVAL_MS;
  if (typeof sample !== 'number' || !Number.isSafeInteger(sample) || sample < 10 || sample > 3_600_000) {
    bad(`sample_interval_ms must be a whole number of ms in 10..3600000, got ${JSON.stringify(sample)}`);
  }
  const duration = json['duration_s'];
  if (duration !== undefined && (typeof duration !== 'number' || !(duration > 0) || !Number.isFinite(duration))) {
    bad(`duration_s must be a positive number of seconds, got ${JSON.stringify(duration)}`);
  }
  const market = json['market'] === undefined ? null : oneOf<BinanceMarket>('market', json['market'], ['spot', 'usdm'], 'spot');
  const queueModel = oneOf<QueueModel>('queue_model', json['queue_model'], QUEUE_MODELS, 'proportional');
  const exponent = json['queue_exponent'] ?? DEFAULT_QUEUE_EXPONENT;
  if (typeof exponent !== 'number' || !Number.isFinite(exponent) || exponent < 0.01 || exponent > 100) {
    bad(`queue_exponent must be a number in 0.01..100, got ${JSON.stringify(exponent)}`);
  }
  if (json['queue_exponent'] !== undefined && queueModel !== 'power') bad(`queue_exponent applies to queue_model "power" only (queue_model is ${JSON.stringify(queueModel)})`);
  const fl = json['feed_latency'] ?? 'recorded';
  let feedLatency: FeedLatency;
  if (fl === 'recorded' || fl === 'none') feedLatency = fl;
  else if (typeof fl === 'number') feedLatency = latencyMs('feed_latency', fl)!;
  else bad(`feed_latency must be "recorded", "none" or a number of milliseconds, got ${JSON.stringify(fl)}`);
  const feedBase = latencyMs('feed_base_latency_ms', json['feed_base_latency_ms']);
  if (feedBase !== null && feedLatency !== 'recorded') bad(`feed_base_latency_ms applies to feed_latency "recorded" only (feed_latency is ${JSON.stringify(feedLatency)})`);
  const file = json['order_latency_file'];
  let latencyCurve: LatencyCurve | null = null;
  if (file !== undefined) {
    if (typeof file !== 'string' || file === '') bad(`order_latency_file must be a path, got ${JSON.stringify(file)}`);
    for (const k of ['order_latency_ms', 'cancel_latency_ms', 'response_latency_ms']) {
      if (json[k] !== undefined) bad(`order_latency_file and ${k} cannot both be given (the file's samples are the entry and response latencies)`);
    }
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      bad(`order_latency_file ${JSON.stringify(file)} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    try {
      latencyCurve = LatencyCurve.parse(text, `order_latency_file ${file}`);
    } catch (e) {
      if (e instanceof SpreadcoreError) bad(e.message);
      throw e;
    }
  }
  const instruments = readInstrumentOverrides(json['instruments']);
  for (const symbol of Object.keys(instruments)) {
    // an entry for a symbol the strategy does not trade is a typo that would leave the built-in grid in place
    if (def.symbols.length > 0 && !def.symbols.includes(symbol)) bad(`instruments.${symbol}: ${symbol} is not one of symbols ${JSON.stringify(def.symbols)}`);
  }
  return Object.freeze({
    name: def.name,
    symbols: def.symbols,
    parameters: def.parameters,
    fillModel: oneOf<FillModel>('fill_model', json['fill_model'], ['queue', 'naive'], 'queue'),
    queueModel,
    queueExponent: exponent,
    feedLatency,
    feedBaseLatencyMs: feedBase ?? 0,
    responseLatencyMs: latencyMs('response_latency_ms', json['response_latency_ms']),
    orderLatencyFile: (file as string | undefined) ?? null,
    latencyCurve,
    orderLatencyMs: latencyMs('order_latency_ms', json['order_latency_ms']),
    cancelLatencyMs: latencyMs('cancel_latency_ms', json['cancel_latency_ms']),
    latencyJitterMs: latencyMs('latency_jitter_ms', json['latency_jitter_ms']),
    makerFeeBps: feeBps('maker_fee_bps', json['maker_fee_bps']),
    takerFeeBps: feeBps('taker_fee_bps', json['taker_fee_bps']),
    market,
    instruments: Object.freeze(instruments),
    sampleIntervalMs: sample,
    durationS: (duration as number | undefined) ?? null,
  });
}
