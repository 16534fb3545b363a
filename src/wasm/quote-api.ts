// Typed access to the WASM quote ladder: a parameter object written into a
// quoter slot's block, an allocation-free compute() with accessors for the
// result, and ladder() returning plain arrays for tools and tests.
import * as L from './layout.js';
import { loadCore, type WasmCore } from './load.js';
import { SpreadcoreError, WASM_STATUS_TEXT } from '../errors.js';

export type QuoteModelName = 'linear' | 'avellaneda_stoikov' | 'glft';
export type SkewModeName = 'none' | 'factor' | 'per_unit' | 'stepped';
export type FairModeName = 'mid' | 'microprice';

/** One quoter's parameters. Prices in ticks, sizes and inventory in lots (docs/quote-models.md). */
export interface QuoteParams {
  model: QuoteModelName;
  /** Levels per side, 0..MAX_QUOTE_LEVELS (0 quotes nothing). */
  levels: number;
  /** Half-spread in bps of the fair value (used when halfSpreadTicks is 0). */
  halfSpreadBps: number;
  /** Half-spread in ticks; > 0 takes precedence over halfSpreadBps. */
  halfSpreadTicks: number;
  levelSpacingBps: number;
  /** > 0 takes precedence over levelSpacingBps. */
  levelSpacingTicks: number;
  /** Size of every level without its own size; also the inventory unit of the AS and GLFT models. */
  orderSizeLot: number;
  skewMode: SkewModeName;
  /** factor skew: shift = -(q / maxPositionLot) × skewFactor × halfSpread. */
  skewFactor: number;
  /** Hard position limit (|q| never exceeds it through these quotes); 0 = none. */
  maxPositionLot: number;
  /** Inventory skew (and the stepped spread multiplier) applies when |q| > this. */
  softLimitLot: number;
  /** per_unit skew: shift = -q × adjTicksPerLot. */
  adjTicksPerLot: number;
  /** stepped skew: shift = -sign(q) × floor(|q| / stepLot) × stepAdjTicks. */
  stepLot: number;
  stepAdjTicks: number;
  /** stepped skew: half-spread multiplier beyond the soft limit. */
  softSpreadMult: number;
  /** Full-spread clamps; 0 = none. */
  minSpreadBps: number;
  maxSpreadBps: number;
  minSpreadTicks: number;
  maxSpreadTicks: number;
  /** Volatility / regime multiplier on the half-spread (before the clamps). */
  spreadMult: number;
  /** Per-side multipliers on the clamped half-spread. */
  bidSpreadMult: number;
  askSpreadMult: number;
  /** Added to the quote centre (imbalance, regime), ticks. */
  extraShiftTicks: number;
  sizeMult: number;
  /** Never quote a bid at or above the book's best ask, nor an ask at or below its best bid. */
  postOnly: boolean;
  /** Risk aversion γ, per price unit (AS, GLFT). */
  gamma: number;
  /** Volatility σ, price units per sqrt(time unit) (AS, GLFT). */
  sigma: number;
  /** Order-arrival decay k, per price unit (AS, GLFT). */
  k: number;
  /** Order-arrival intensity A, per time unit (GLFT). */
  a: number;
  /** Time left T − t, time units (AS). */
  horizon: number;
  /** Price units per tick (AS, GLFT maths). */
  tickSize: number;
  /** Quantity units per lot (informational). */
  lotSize: number;
  /** Lowest quotable tick (at least 1); 0 = 1. */
  minPriceTick: number;
  /** Highest quotable tick; 0 = none. */
  maxPriceTick: number;
  /** Fair value taken from the book when compute() gets NaN. */
  fairMode: FairModeName;
  /** Per-level sizes, best level first; 0 or missing = orderSizeLot. */
  levelSizesLot: readonly number[];
}

export interface QuoteLevel { tick: number; qtyLot: number }
export interface QuoteLadder {
  bids: QuoteLevel[];
  asks: QuoteLevel[];
  fairTick: number;
  reservationTick: number;
  halfSpreadTicks: number;
  skewTicks: number;
  flags: number;
}

const MODELS: readonly QuoteModelName[] = ['linear', 'avellaneda_stoikov', 'glft'];
const SKEW_MODES: readonly SkewModeName[] = ['none', 'factor', 'per_unit', 'stepped'];
const FAIR_MODES: readonly FairModeName[] = ['mid', 'microprice'];

type NumericKey = Exclude<{ [K in keyof QuoteParams]: QuoteParams[K] extends number ? K : never }[keyof QuoteParams], undefined>;

/** Numeric fields: slot index and whether the value must be >= 0. */
const NUMERIC: readonly (readonly [NumericKey, number, boolean])[] = [
  ['levels', L.QP_LEVELS, true],
  ['halfSpreadBps', L.QP_HALF_SPREAD_BPS, true],
  ['halfSpreadTicks', L.QP_HALF_SPREAD_TICKS, true],
  ['levelSpacingBps', L.QP_LEVEL_SPACING_BPS, true],
  ['levelSpacingTicks', L.QP_LEVEL_SPACING_TICKS, true],
  ['orderSizeLot', L.QP_ORDER_SIZE_LOT, true],
  ['skewFactor', L.QP_SKEW_FACTOR, false],
  ['maxPositionLot', L.QP_MAX_POSITION_LOT, true],
  ['softLimitLot', L.QP_SOFT_LIMIT_LOT, true],
  ['adjTicksPerLot', L.QP_ADJ_TICKS_PER_LOT, false],
  ['stepLot', L.QP_STEP_LOT, true],
  ['stepAdjTicks', L.QP_STEP_ADJ_TICKS, false],
  ['softSpreadMult', L.QP_SOFT_SPREAD_MULT, true],
  ['minSpreadBps', L.QP_MIN_SPREAD_BPS, true],
  ['maxSpreadBps', L.QP_MAX_SPREAD_BPS, true],
  ['minSpreadTicks', L.QP_MIN_SPREAD_TICKS, true],
  ['maxSpreadTicks', L.QP_MAX_SPREAD_TICKS, true],
  ['spreadMult', L.QP_SPREAD_MULT, true],
  ['bidSpreadMult', L.QP_BID_SPREAD_MULT, true],
  ['askSpreadMult', L.QP_ASK_SPREAD_MULT, true],
  ['extraShiftTicks', L.QP_EXTRA_SHIFT_TICKS, false],
  ['sizeMult', L.QP_SIZE_MULT, true],
  ['gamma', L.QP_GAMMA, true],
  ['sigma', L.QP_SIGMA, true],
  ['k', L.QP_K, true],
  ['a', L.QP_A, true],
  ['horizon', L.QP_HORIZON, true],
  ['tickSize', L.QP_TICK_SIZE, true],
  ['lotSize', L.QP_LOT_SIZE, true],
  ['minPriceTick', L.QP_MIN_PRICE_TICK, true],
  ['maxPriceTick', L.QP_MAX_PRICE_TICK, true],
];

/** The values quoteReset() writes, as a params object. */
export const DEFAULT_QUOTE_PARAMS: Readonly<QuoteParams> = Object.freeze({
  model: 'linear', levels: 1, halfSpreadBps: 0, halfSpreadTicks: 0, levelSpacingBps: 0,
  levelSpacingTicks: 0, orderSizeLot: 0, skewMode: 'none', skewFactor: 0, maxPositionLot: 0,
  softLimitLot: 0, adjTicksPerLot: 0, stepLot: 0, stepAdjTicks: 0, softSpreadMult: 1,
  minSpreadBps: 0, maxSpreadBps: 0, minSpreadTicks: 0, maxSpreadTicks: 0, spreadMult: 1,
  bidSpreadMult: 1, askSpreadMult: 1, extraShiftTicks: 0, sizeMult: 1, postOnly: false,
  gamma: 0, sigma: 0, k: 0, a: 0, horizon: 0, tickSize: 0, lotSize: 0, minPriceTick: 0,
  maxPriceTick: 0, fairMode: 'mid', levelSizesLot: Object.freeze([]) as readonly number[],
});

const FLAG_NAMES: readonly (readonly [number, string])[] = [
  [L.QF_BID_HARD_LIMIT, 'bid_hard_limit'],
  [L.QF_ASK_HARD_LIMIT, 'ask_hard_limit'],
  [L.QF_POST_ONLY_ADJUSTED, 'post_only_adjusted'],
  [L.QF_MIN_SPREAD_CLAMP, 'min_spread_clamp'],
  [L.QF_MAX_SPREAD_CLAMP, 'max_spread_clamp'],
  [L.QF_SKEWED, 'skewed'],
  [L.QF_NO_FAIR, 'no_fair'],
  [L.QF_BAD_PARAMS, 'bad_params'],
];

/** Names of the QF_* bits set in a quote result's flags. */
export function quoteFlagNames(flags: number): string[] {
  const names: string[] = [];
  for (const [bit, name] of FLAG_NAMES) if ((flags & bit) !== 0) names.push(name);
  return names;
}

function badParam(message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', message);
}

/** Throws SPREADCORE_ERR_BAD_PARAM unless every field is well-formed. */
export function validateQuoteParams(p: QuoteParams): void {
  if (!MODELS.includes(p.model)) badParam(`model must be one of ${MODELS.join(', ')}, got ${String(p.model)}`);
  if (!SKEW_MODES.includes(p.skewMode)) badParam(`skewMode must be one of ${SKEW_MODES.join(', ')}, got ${String(p.skewMode)}`);
  if (!FAIR_MODES.includes(p.fairMode)) badParam(`fairMode must be one of ${FAIR_MODES.join(', ')}, got ${String(p.fairMode)}`);
  if (typeof p.postOnly !== 'boolean') badParam('postOnly must be a boolean');
  for (const [key, , nonNegative] of NUMERIC) {
    const v = p[key];
    if (typeof v !== 'number' || !Number.isFinite(v)) badParam(`${key} must be a finite number, got ${String(v)}`);
    if (nonNegative && v < 0) badParam(`${key} must be >= 0, got ${v}`);
  }
  if (!Number.isInteger(p.levels) || p.levels > L.MAX_QUOTE_LEVELS) {
    badParam(`levels must be an integer in 0..${L.MAX_QUOTE_LEVELS}, got ${p.levels}`);
  }
  if (!Array.isArray(p.levelSizesLot) || p.levelSizesLot.length > L.MAX_QUOTE_LEVELS) {
    badParam(`levelSizesLot must be an array of at most ${L.MAX_QUOTE_LEVELS} sizes`);
  }
  for (const s of p.levelSizesLot) {
    if (typeof s !== 'number' || !Number.isFinite(s) || s < 0) badParam(`levelSizesLot entries must be finite and >= 0, got ${String(s)}`);
  }
  if (p.model !== 'linear') {
    const need: NumericKey[] = p.model === 'glft' ? ['gamma', 'k', 'a', 'tickSize'] : ['gamma', 'k', 'tickSize'];
    for (const key of need) if (!(p[key] > 0)) badParam(`${key} must be > 0 for model ${p.model}`);
  }
}

export class WasmQuoter {
  readonly core: WasmCore;
  private readonly f64: Float64Array;
  private readonly x: WasmCore['exports'];
  /** Slot of the last compute(); the accessors default to it. */
  private lastSlot = 0;

  constructor(core: WasmCore = loadCore()) {
    this.core = core;
    this.f64 = core.f64;
    this.x = core.exports;
  }

  private static checkSlot(slot: number): void {
    if (!Number.isInteger(slot) || slot < 0 || slot >= L.MAX_QUOTERS) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `quoter slot must be an integer in 0..${L.MAX_QUOTERS - 1}, got ${slot}`);
    }
  }
  private static paramBase(slot: number): number { return L.QUOTE_PARAMS_OFFSET / 8 + slot * L.QUOTE_PARAM_SLOTS; }
  private static outBase(slot: number): number { return L.QUOTE_OUT_OFFSET / 8 + slot * L.QUOTE_OUT_SLOTS; }

  /** Resets the slot to the defaults, then applies `params`. Nothing changes when validation fails. */
  configure(slot: number, params: Partial<QuoteParams> = {}): void {
    WasmQuoter.checkSlot(slot);
    const merged: QuoteParams = { ...DEFAULT_QUOTE_PARAMS, ...params };
    validateQuoteParams(merged);
    this.x.quoteReset(slot);
    this.write(slot, merged);
  }

  /** Changes only the given fields (a hot update). Nothing changes when validation fails. */
  update(slot: number, params: Partial<QuoteParams>): void {
    WasmQuoter.checkSlot(slot);
    const merged: QuoteParams = { ...this.params(slot), ...params };
    validateQuoteParams(merged);
    this.write(slot, merged);
  }

  /** Resets the slot to the module defaults (linear, 1 level, multipliers 1, all else 0). */
  reset(slot: number): void {
    WasmQuoter.checkSlot(slot);
    this.x.quoteReset(slot);
  }

  private write(slot: number, p: QuoteParams): void {
    const base = WasmQuoter.paramBase(slot);
    const f = this.f64;
    f[base + L.QP_MODEL] = MODELS.indexOf(p.model);
    f[base + L.QP_SKEW_MODE] = SKEW_MODES.indexOf(p.skewMode);
    f[base + L.QP_FAIR_MODE] = FAIR_MODES.indexOf(p.fairMode);
    f[base + L.QP_POST_ONLY] = p.postOnly ? 1 : 0;
    for (const [key, idx] of NUMERIC) f[base + idx] = p[key];
    for (let i = 0; i < L.MAX_QUOTE_LEVELS; i++) f[base + L.QP_LEVEL_SIZE_BASE + i] = p.levelSizesLot[i] ?? 0;
  }

  /** Reads a slot's parameter block back as a params object. */
  params(slot: number): QuoteParams {
    WasmQuoter.checkSlot(slot);
    const base = WasmQuoter.paramBase(slot);
    const f = this.f64;
    const at = (idx: number): number => f[base + idx] ?? NaN;
    const out: QuoteParams = {
      ...DEFAULT_QUOTE_PARAMS,
      model: MODELS[at(L.QP_MODEL)] ?? 'linear',
      skewMode: SKEW_MODES[at(L.QP_SKEW_MODE)] ?? 'none',
      fairMode: FAIR_MODES[at(L.QP_FAIR_MODE)] ?? 'mid',
      postOnly: at(L.QP_POST_ONLY) !== 0,
    };
    for (const [key, idx] of NUMERIC) out[key] = at(idx);
    const sizes: number[] = [];
    for (let i = 0; i < L.MAX_QUOTE_LEVELS; i++) sizes.push(at(L.QP_LEVEL_SIZE_BASE + i));
    while (sizes.length > 0 && sizes[sizes.length - 1] === 0) sizes.pop();
    out.levelSizesLot = sizes;
    return out;
  }

  /**
   * Computes the slot's ladder. book: a book index for the fair value and the
   * post-only clamp, or -1. fairTick: fair value in ticks, or NaN to take it from
   * the book. Returns bidCount | askCount << 8, or a negative -ERR_* status.
   * Allocation-free: read the result with the accessors.
   */
  compute(slot: number, book: number, fairTick: number, inventoryLot: number): number {
    const status = this.x.quoteCompute(slot, book, fairTick, inventoryLot);
    if (status !== -L.ERR_BAD_SLOT) this.lastSlot = slot;
    return status;
  }

  private out(slot: number, idx: number): number {
    return this.f64[WasmQuoter.outBase(slot) + idx] ?? NaN;
  }
  bidCount(slot = this.lastSlot): number { return this.out(slot, L.QO_BID_COUNT); }
  askCount(slot = this.lastSlot): number { return this.out(slot, L.QO_ASK_COUNT); }
  bidTick(i: number, slot = this.lastSlot): number { return this.out(slot, L.QO_BIDS + 2 * i); }
  bidQtyLot(i: number, slot = this.lastSlot): number { return this.out(slot, L.QO_BIDS + 2 * i + 1); }
  askTick(i: number, slot = this.lastSlot): number { return this.out(slot, L.QO_ASKS + 2 * i); }
  askQtyLot(i: number, slot = this.lastSlot): number { return this.out(slot, L.QO_ASKS + 2 * i + 1); }
  fairTick(slot = this.lastSlot): number { return this.out(slot, L.QO_FAIR_TICK); }
  /** Quote centre: fair value plus inventory skew plus the extra shift. */
  reservationTick(slot = this.lastSlot): number { return this.out(slot, L.QO_RESERVATION_TICK); }
  halfSpreadTicks(slot = this.lastSlot): number { return this.out(slot, L.QO_HALF_SPREAD_TICKS); }
  skewTicks(slot = this.lastSlot): number { return this.out(slot, L.QO_SKEW_TICKS); }
  flags(slot = this.lastSlot): number { return this.out(slot, L.QO_FLAGS); }

  /** compute() plus the result as plain arrays (allocates: tools and tests). Throws on a bad argument. */
  ladder(slot: number, book: number, fairTick: number, inventoryLot: number): QuoteLadder {
    const status = this.compute(slot, book, fairTick, inventoryLot);
    if (status < 0) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `quote ladder: ${WASM_STATUS_TEXT[-status] ?? `status ${status}`}`);
    }
    const bids: QuoteLevel[] = [];
    const asks: QuoteLevel[] = [];
    const nb = status & 0xff;
    const na = (status >>> 8) & 0xff;
    for (let i = 0; i < nb; i++) bids.push({ tick: this.bidTick(i, slot), qtyLot: this.bidQtyLot(i, slot) });
    for (let i = 0; i < na; i++) asks.push({ tick: this.askTick(i, slot), qtyLot: this.askQtyLot(i, slot) });
    return {
      bids, asks,
      fairTick: this.fairTick(slot),
      reservationTick: this.reservationTick(slot),
      halfSpreadTicks: this.halfSpreadTicks(slot),
      skewTicks: this.skewTicks(slot),
      flags: this.flags(slot),
    };
  }
}
