// What the strategies on one symbol share, refreshed once per batch in which the
// symbol's book changed: best prices and mid (ticks), the volatility estimator's
// update with the mid, and the regime. Strategies read it; nothing allocates.
//
// The WASM volatility estimator is per book, so every strategy on a symbol (and the
// risk gate's volatility pause) reads the same one. Its window is
// volatility_window_seconds of the first strategy that quotes the symbol.
import type { SymbolState } from '../feed/ingest/symbol-state.js';
import type { WasmBooks } from '../wasm/book-api.js';
import type { WasmVol } from '../wasm/vol-api.js';
import { VOL_DEFAULTS } from '../wasm/vol-api.js';
import { RegimeDetector } from './regime-detector.js';

export class SymbolMarket {
  state: SymbolState;
  readonly books: WasmBooks;
  readonly vol: WasmVol;
  readonly regime = new RegimeDetector(VOL_DEFAULTS.longTauUs);
  bestBidTick = NaN;
  bestAskTick = NaN;
  /** (best bid + best ask) / 2 in ticks (may be a half tick); NaN when a side is empty. */
  midTick = NaN;
  /** Exchange time of the last refresh, Unix epoch ns. */
  tsNs = 0;
  /** The volatility window the estimator was configured with, s; NaN before. */
  volWindowSeconds = NaN;
  /** Mid updates fed to the estimator. */
  updates = 0;

  constructor(state: SymbolState, books: WasmBooks, vol: WasmVol) {
    this.state = state;
    this.books = books;
    this.vol = vol;
  }

  get book(): number { return this.state.book; }
  get symbol(): string { return this.state.symbol; }

  /** (Re)configures the volatility estimator (clears its history). */
  configureVol(windowSeconds: number): void {
    this.vol.configure(this.state.book, { windowUs: windowSeconds * 1e6 });
    this.volWindowSeconds = windowSeconds;
    this.regime.reset(VOL_DEFAULTS.longTauUs);
  }

  /** The feed redefined the symbol (new book slot): start over. */
  rebind(state: SymbolState): void {
    this.state = state;
    this.bestBidTick = this.bestAskTick = this.midTick = NaN;
    if (!Number.isNaN(this.volWindowSeconds)) this.configureVol(this.volWindowSeconds);
  }

  /** Reads the book and feeds the mid to the volatility estimator at exchange time tsNs. */
  refresh(tsNs: number): void {
    const books = this.books;
    const book = this.state.book;
    const bid = books.bestBidTick(book);
    const ask = books.bestAskTick(book);
    this.tsNs = tsNs;
    const ok = Number.isFinite(bid) && Number.isFinite(ask) && bid > 0 && ask > 0;
    this.bestBidTick = ok ? bid : NaN;
    this.bestAskTick = ok ? ask : NaN;
    const mid = ok ? (bid + ask) / 2 : NaN;
    const tsUs = Math.floor(tsNs / 1000);
    if (ok && mid !== this.midTick) {
      this.midTick = mid;
      const vol = this.vol;
      if (vol.update(book, tsUs, mid) >= 0) {
        this.updates++;
        this.regime.update(tsUs, vol.lastReturnBps(book), vol.ratio(book), vol.ewmaLongBps(book));
      }
    } else {
      this.midTick = mid;
      if (tsUs > 0) this.vol.advance(book, tsUs);
    }
  }

  /** Notional (quote currency) of the top `levels` levels of both sides: Σ price × qty. */
  liquidityQuote(levels: number, quotePerLotTick: number): number {
    const books = this.books;
    const packed = books.topN(this.state.book, levels);
    if (packed < 0) return 0;
    const nb = packed & 0xffff;
    const na = packed >>> 16;
    let s = 0;
    for (let i = 0; i < nb; i++) s += books.depthBidTick(i) * books.depthBidQty(i);
    for (let i = 0; i < na; i++) s += books.depthAskTick(i) * books.depthAskQty(i);
    return s * quotePerLotTick;
  }
}
