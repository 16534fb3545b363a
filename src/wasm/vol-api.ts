// Typed access to the per-book volatility estimators in WASM: configuration,
// mid updates, clock advances and reads. Allocation-free apart from config(),
// which is for tools.
import * as L from './layout.js';
import { loadCore, type WasmCore } from './load.js';
import { SpreadcoreError } from '../errors.js';

const VOL_F64 = L.VOL_OFFSET / 8;

export interface VolConfig {
  /** Rolling window length, microseconds (>= VOL_BUCKETS). */
  windowUs: number;
  /** Short EWMA time constant, microseconds (> 0). */
  shortTauUs: number;
  /** Long EWMA time constant, microseconds (>= shortTauUs). */
  longTauUs: number;
  /** A single |return| above this many bps is a jump; 0 = off. */
  jumpBps: number;
  /** A single |return| above this many rolling (window) vols is a jump; 0 = off. */
  jumpVolMult: number;
}

/** The configuration volReset() and a fresh module apply to every book. */
export const VOL_DEFAULTS: Readonly<VolConfig> = Object.freeze({
  windowUs: 60_000_000,
  shortTauUs: 10_000_000,
  longTauUs: 300_000_000,
  jumpBps: 0,
  jumpVolMult: 0,
});

export class WasmVol {
  readonly core: WasmCore;
  private readonly f64: Float64Array;
  private readonly x: WasmCore['exports'];

  constructor(core: WasmCore = loadCore()) {
    this.core = core;
    this.f64 = core.f64;
    this.x = core.exports;
  }

  /** True when volUpdate's result has the jump bit (a negative result is an error, never a jump). */
  static isJump(flags: number): boolean {
    return flags > 0 && (flags & L.VOL_FLAG_JUMP) !== 0;
  }

  /**
   * Sets a book's configuration (missing fields take VOL_DEFAULTS) and clears its
   * history. Throws SPREADCORE_ERR_BAD_BOOK / SPREADCORE_ERR_BAD_PARAM on refusal.
   */
  configure(book: number, config: Partial<VolConfig> = {}): void {
    const c = { ...VOL_DEFAULTS, ...config };
    const status = this.x.volConfigure(book, c.windowUs, c.shortTauUs, c.longTauUs, c.jumpBps, c.jumpVolMult);
    if (status === -L.ERR_BAD_BOOK) throw new SpreadcoreError('SPREADCORE_ERR_BAD_BOOK', `volatility book ${book} out of range`);
    if (status !== L.ERR_OK) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM',
        `volatility configuration refused: windowUs >= ${L.VOL_BUCKETS}, 0 < shortTauUs <= longTauUs, `
        + 'jumpBps >= 0 and jumpVolMult >= 0, all finite');
    }
  }

  /** Default configuration and no history. Returns ERR_OK or -ERR_BAD_BOOK. */
  reset(book: number): number { return this.x.volReset(book); }

  /** Clears the history and keeps the configuration. Returns ERR_OK or -ERR_BAD_BOOK. */
  clear(book: number): number {
    if (!(book >= 0 && book < L.MAX_BOOKS && Number.isInteger(book))) return -L.ERR_BAD_BOOK;
    const b = this.base(book);
    const f = this.f64;
    return this.x.volConfigure(book, f[b + L.VS_WINDOW_US] ?? NaN, f[b + L.VS_SHORT_TAU_US] ?? NaN,
      f[b + L.VS_LONG_TAU_US] ?? NaN, f[b + L.VS_JUMP_BPS] ?? NaN, f[b + L.VS_JUMP_VOL_MULT] ?? NaN);
  }

  /** One mid observation; returns VOL_FLAG_* bits, or -ERR_* (state unchanged). */
  update(book: number, tsUs: number, mid: number): number { return this.x.volUpdate(book, tsUs, mid); }

  /** Moves the clock forward with no observation; ERR_OK or -ERR_*. */
  advance(book: number, tsUs: number): number { return this.x.volAdvance(book, tsUs); }

  // ---- reads (as of the book's last update or advance; NaN for a bad book) ----
  rollingBps(book: number): number { return this.x.volRollingBps(book); }
  ewmaShortBps(book: number): number { return this.x.volEwmaShortBps(book); }
  ewmaLongBps(book: number): number { return this.x.volEwmaLongBps(book); }
  ratio(book: number): number { return this.x.volRatio(book); }
  lastReturnBps(book: number): number { return this.x.volLastReturnBps(book); }
  samples(book: number): number { return this.x.volSamples(book); }
  jumps(book: number): number { return this.x.volJumps(book); }
  /** The book's clock in microseconds: -Infinity before its first update or advance. */
  clockUs(book: number): number { return this.slot(book, L.VS_LAST_TS_US); }
  /** The last accepted mid, 0 before the first. */
  lastMid(book: number): number { return this.slot(book, L.VS_LAST_MID); }

  /** The book's configuration (allocates). */
  config(book: number): VolConfig {
    return {
      windowUs: this.slot(book, L.VS_WINDOW_US),
      shortTauUs: this.slot(book, L.VS_SHORT_TAU_US),
      longTauUs: this.slot(book, L.VS_LONG_TAU_US),
      jumpBps: this.slot(book, L.VS_JUMP_BPS),
      jumpVolMult: this.slot(book, L.VS_JUMP_VOL_MULT),
    };
  }

  private base(book: number): number { return VOL_F64 + book * L.VOL_STATE_SLOTS; }
  private slot(book: number, vs: number): number {
    if (!(book >= 0 && book < L.MAX_BOOKS && Number.isInteger(book))) return NaN;
    return this.f64[this.base(book) + vs] ?? NaN;
  }
}
