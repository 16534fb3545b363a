// Reading a live symbol's exchangeInfo again when its depth is refused off its grid, or the
// venue refuses its orders off it: at the first refusal, then at most once per 30 s per symbol
// while the refusals go on; a failed read
// is reported once and tried again at the next refusal after 30 s; a changed grid is adopted
// by the execution side before the feed redefines the symbol, and reported once per change;
// the same grid is reported once (the caller's warning); serve's line for each outcome.
import { describe, expect, it } from 'vitest';
import { GRID_REREAD_INTERVAL_MS, GridRereadThrottle } from '../src/feed/binance/grid-reread-throttle.js';
import { GridRefresh, type GridRead, type GridRefreshEvent } from '../src/feed/binance/grid-refresh.js';
import type { BinanceInstrumentSpec } from '../src/feed/binance/instruments.js';
import { gridRefreshLine } from '../src/cli/grid-refresh-line.js';
import { BinanceApiError } from '../src/venues/binance/errors.js';
import { isGridRefusal } from '../src/venues/binance/grid-refusal.js';

const spec = (symbol: string, tickSize: string, step = '0.001'): BinanceInstrumentSpec => ({ market: 'usdm', symbol, tickSize, lotSize: step, orderLotSize: step });

describe('GridRereadThrottle', () => {
  it('starts a read at the first refusal, then once per 30 s per symbol, one at a time', () => {
    const t = new GridRereadThrottle();
    expect(t.intervalMs).toBe(30_000);
    expect(GRID_REREAD_INTERVAL_MS).toBe(30_000);
    expect(t.take('BTCUSDT', 1_000)).toBe(true);
    // under way: no second read of the symbol, another symbol reads
    expect(t.take('BTCUSDT', 1_001)).toBe(false);
    expect(t.take('ETHUSDT', 1_001)).toBe(true);
    t.done('BTCUSDT');
    expect(t.take('BTCUSDT', 2_000)).toBe(false);
    expect(t.take('BTCUSDT', 30_999)).toBe(false);
    expect(t.take('BTCUSDT', 31_000)).toBe(true);
    t.done('BTCUSDT');
    expect(t.take('BTCUSDT', 40_000)).toBe(false);
    expect(t.take('BTCUSDT', 61_000)).toBe(true);
  });
});

interface Harness {
  refresh: GridRefresh;
  events: GridRefreshEvent[];
  order: string[];
  setNow(ms: number): void;
  answers: ((symbol: string) => Promise<GridRead>)[];
}

function harness(specs: BinanceInstrumentSpec[]): Harness {
  let now = 0;
  const events: GridRefreshEvent[] = [];
  const order: string[] = [];
  const answers: ((symbol: string) => Promise<GridRead>)[] = [];
  const refresh = new GridRefresh({
    specs,
    read: (symbol) => { order.push(`read ${symbol}`); const a = answers.shift(); if (a === undefined) throw new Error('unexpected read'); return a(symbol); },
    redefine: (symbol, s) => { order.push(`redefine ${symbol} ${s.tickSize}`); },
    report: (e) => { events.push(e); },
    nowMs: () => now,
  });
  return { refresh, events, order, setNow: (ms) => { now = ms; }, answers };
}

describe('GridRefresh', () => {
  it('reads once per 30 s while refused, reports a failed read once and retries after 30 s, then adopts the new grid once', async () => {
    const h = harness([spec('BTCUSDT', '1'), spec('ETHUSDT', '0.01')]);
    h.answers.push(() => Promise.reject(new Error('HTTP 503')));
    await h.refresh.onOffGrid('BTCUSDT');
    expect(h.events).toEqual([{ type: 'read-failed', symbol: 'BTCUSDT', error: 'HTTP 503', retryAfterMs: 30_000, after: 'depth' }]);
    // every refusal within 30 s of the failed read: no read
    for (const t of [1, 5_000, 29_999]) { h.setNow(t); expect(h.refresh.onOffGrid('BTCUSDT')).toBeNull(); }
    // the next refusal after 30 s: read again; a second failure in a row is not reported again
    h.setNow(30_000);
    h.answers.push(() => Promise.reject(new Error('no answer')));
    await h.refresh.onOffGrid('BTCUSDT');
    expect(h.events).toHaveLength(1);
    h.setNow(45_000);
    expect(h.refresh.onOffGrid('BTCUSDT')).toBeNull();
    // then the venue answers a new grid: adopted by the execution side, then the feed redefines
    h.setNow(60_000);
    h.answers.push((s) => Promise.resolve({ spec: spec(s, '0.1'), adopt: () => { h.order.push('adopt'); } }));
    await h.refresh.onOffGrid('BTCUSDT');
    expect(h.order).toEqual(['read BTCUSDT', 'read BTCUSDT', 'read BTCUSDT', 'adopt', 'redefine BTCUSDT 0.1']);
    expect(h.events.slice(1)).toEqual([{ type: 'changed', symbol: 'BTCUSDT', from: spec('BTCUSDT', '1'), to: spec('BTCUSDT', '0.1'), after: 'depth' }]);
    expect(h.refresh.changes('BTCUSDT')).toBe(1);
    expect(h.refresh.reads('BTCUSDT')).toBe(3);
    expect(h.refresh.spec('BTCUSDT')?.tickSize).toBe('0.1');
    // another symbol has its own 30 s
    h.answers.push((s) => Promise.resolve({ spec: spec(s, '0.01') }));
    await h.refresh.onOffGrid('ETHUSDT');
    expect(h.refresh.reads('ETHUSDT')).toBe(1);
  });

  it('reports the same grid once (a warning), not as a change, and keeps reading every 30 s', async () => {
    const h = harness([spec('BTCUSDT', '0.1')]);
    for (const t of [0, 30_000, 60_000]) {
      h.setNow(t);
      h.answers.push((s) => Promise.resolve({ spec: spec(s, '0.10'), adopt: () => { h.order.push('adopt'); } }));
      await h.refresh.onOffGrid('BTCUSDT');
    }
    expect(h.events).toEqual([{ type: 'same', symbol: 'BTCUSDT', spec: spec('BTCUSDT', '0.1') }]);
    expect(h.order).toEqual(['read BTCUSDT', 'read BTCUSDT', 'read BTCUSDT']);
    expect(h.refresh.changes('BTCUSDT')).toBe(0);
    // a refusal while a read is under way starts none; after stop() answers are ignored
    h.setNow(90_000);
    let answer!: (r: GridRead) => void;
    h.answers.push(() => new Promise<GridRead>((res) => { answer = res; }));
    const pending = h.refresh.onOffGrid('BTCUSDT');
    h.setNow(200_000);
    expect(h.refresh.onOffGrid('BTCUSDT')).toBeNull();
    h.refresh.stop();
    answer({ spec: spec('BTCUSDT', '1') });
    await pending;
    expect(h.refresh.changes('BTCUSDT')).toBe(0);
    expect(h.refresh.onOffGrid('UNKNOWN')).toBeNull();
  });
});

describe('GridRefresh after orders the venue refused off the grid', () => {
  it('shares the 30 s per symbol with depth refusals, adopts a coarser grid, and reports no same-grid warning', async () => {
    const h = harness([spec('BTCUSDT', '0.1')]);
    // the venue's grid is unchanged (the refusal was something else): nothing reported
    h.answers.push((s) => Promise.resolve({ spec: spec(s, '0.1') }));
    await h.refresh.onOrderRefused('BTCUSDT');
    expect(h.events).toEqual([]);
    // a depth refusal within the 30 s does not read again
    h.setNow(10_000);
    expect(h.refresh.onOffGrid('BTCUSDT')).toBeNull();
    expect(h.refresh.onOrderRefused('BTCUSDT')).toBeNull();
    // after 30 s: the venue went to a 1.0 tick
    h.setNow(30_000);
    h.answers.push((s) => Promise.resolve({ spec: spec(s, '1'), adopt: () => { h.order.push('adopt'); } }));
    await h.refresh.onOrderRefused('BTCUSDT');
    expect(h.events).toEqual([{ type: 'changed', symbol: 'BTCUSDT', from: spec('BTCUSDT', '0.1'), to: spec('BTCUSDT', '1'), after: 'order' }]);
    expect(h.order).toEqual(['read BTCUSDT', 'read BTCUSDT', 'adopt', 'redefine BTCUSDT 1']);
  });
});

describe('isGridRefusal', () => {
  it('is a refusal for a price or quantity off the tick or step, on spot and USD-M', () => {
    const api = (code: number, msg: string): BinanceApiError => new BinanceApiError(400, code, msg, 'rejected');
    expect(isGridRefusal(api(-1013, 'Filter failure: PRICE_FILTER'))).toBe(true);
    expect(isGridRefusal(api(-1013, 'Filter failure: LOT_SIZE'))).toBe(true);
    expect(isGridRefusal(api(-1013, 'Filter failure: NOTIONAL'))).toBe(false);
    expect(isGridRefusal(api(-4014, 'Price not increased by tick size.'))).toBe(true);
    expect(isGridRefusal(api(-4023, 'Qty not increased by step size.'))).toBe(true);
    expect(isGridRefusal(api(-1111, 'Precision is over the maximum defined for this asset.'))).toBe(true);
    expect(isGridRefusal(api(-5022, 'Due to the order could not be executed as maker, the Post Only order will be rejected.'))).toBe(false);
    expect(isGridRefusal(new Error('Filter failure: PRICE_FILTER'))).toBe(false);
  });
});

describe('gridRefreshLine', () => {
  it('says what a read found: the change, the same grid (the off-grid warning), or no answer', () => {
    const problem = { symbol: 'BTCUSDT', tickSize: '0.1', lotSize: '0.001', first: 'bid level 0 price 100.05 is not a whole multiple of 0.1', refused: 3, applied: 0 };
    expect(gridRefreshLine({ type: 'changed', symbol: 'BTCUSDT', from: spec('BTCUSDT', '1'), to: spec('BTCUSDT', '0.1'), after: 'depth' }, problem))
      .toBe('BTCUSDT: Binance changed its grid (exchangeInfo read again after depth off the grid): tick 1 → 0.1, step 0.001 → 0.001; the book resyncs on the new grid, orders follow it');
    expect(gridRefreshLine({ type: 'changed', symbol: 'BTCUSDT', from: spec('BTCUSDT', '0.1'), to: spec('BTCUSDT', '1'), after: 'order' }, undefined))
      .toContain('(exchangeInfo read again after an order refused off the grid): tick 0.1 → 1,');
    const same = gridRefreshLine({ type: 'same', symbol: 'BTCUSDT', spec: spec('BTCUSDT', '0.1') }, problem);
    expect(same).toMatch(/^warning: BTCUSDT: Binance's depth is not on the grid tick_size 0\.1, lot_size 0\.001 \(bid level 0 price 100\.05/);
    expect(same).toContain('gives the same grid (tick 0.1, step 0.001)');
    expect(same).not.toContain('restart serve to pick up the new grid');
    expect(gridRefreshLine({ type: 'read-failed', symbol: 'BTCUSDT', error: 'HTTP 503 -1000: busy', retryAfterMs: 30_000, after: 'depth' }, problem))
      .toBe('warning: BTCUSDT: depth off the grid, and Binance\'s exchangeInfo could not be read to look for a new grid (HTTP 503 -1000: busy); read again at the next refusal after 30 s');
  });
});
