// The quote inputs that change between book updates (volatility and regime
// multipliers, per-side multipliers, skew factor, size multiplier, model σ and
// horizon), written straight into a quoter slot's parameter block. WasmQuoter.update
// validates and rewrites the whole block (it allocates); this writes only the fields
// that moved, so the per-book-update path stays allocation-free. The static part of
// the block is written by WasmQuoter.configure when parameters change.
import * as L from '../wasm/layout.js';
import type { WasmQuoter } from '../wasm/quote-api.js';

export class QuoteLiveInputs {
  spreadMult = 1;
  bidSpreadMult = 1;
  askSpreadMult = 1;
  skewFactor = 0;
  sizeMult = 1;
  sigma = 0;
  horizon = 0;
  private readonly f64: Float64Array;
  private readonly base: number;

  constructor(quoter: WasmQuoter, slot: number) {
    this.f64 = quoter.core.f64;
    this.base = L.QUOTE_PARAMS_OFFSET / 8 + slot * L.QUOTE_PARAM_SLOTS;
  }

  /** Reads the current values back from the block (after WasmQuoter.configure). */
  load(): void {
    const f = this.f64;
    const b = this.base;
    this.spreadMult = f[b + L.QP_SPREAD_MULT]!;
    this.bidSpreadMult = f[b + L.QP_BID_SPREAD_MULT]!;
    this.askSpreadMult = f[b + L.QP_ASK_SPREAD_MULT]!;
    this.skewFactor = f[b + L.QP_SKEW_FACTOR]!;
    this.sizeMult = f[b + L.QP_SIZE_MULT]!;
    this.sigma = f[b + L.QP_SIGMA]!;
    this.horizon = f[b + L.QP_HORIZON]!;
  }

  /** Writes the values that differ from the block's; non-finite or negative values are refused by the ladder (bad_params). */
  set(spreadMult: number, bidSpreadMult: number, askSpreadMult: number, skewFactor: number, sizeMult: number, sigma: number, horizon: number): void {
    const f = this.f64;
    const b = this.base;
    if (spreadMult !== this.spreadMult) { this.spreadMult = spreadMult; f[b + L.QP_SPREAD_MULT] = spreadMult; }
    if (bidSpreadMult !== this.bidSpreadMult) { this.bidSpreadMult = bidSpreadMult; f[b + L.QP_BID_SPREAD_MULT] = bidSpreadMult; }
    if (askSpreadMult !== this.askSpreadMult) { this.askSpreadMult = askSpreadMult; f[b + L.QP_ASK_SPREAD_MULT] = askSpreadMult; }
    if (skewFactor !== this.skewFactor) { this.skewFactor = skewFactor; f[b + L.QP_SKEW_FACTOR] = skewFactor; }
    if (sizeMult !== this.sizeMult) { this.sizeMult = sizeMult; f[b + L.QP_SIZE_MULT] = sizeMult; }
    if (sigma !== this.sigma) { this.sigma = sigma; f[b + L.QP_SIGMA] = sigma; }
    if (horizon !== this.horizon) { this.horizon = horizon; f[b + L.QP_HORIZON] = horizon; }
  }
}
