// OffGridDepth, the per-symbol count of depth refused off the grid on a live feed: only
// off-grid refusals count, the problem is handed back at a symbol's first one only, and the
// problems and counts follow each symbol separately.
import { describe, expect, it } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { liveGridProblemMessage, OffGridDepth } from '../src/feed/binance/off-grid-depth.js';

const GRIDS: Record<string, { tickSize: string; lotSize: string }> = {
  BTCUSDT: { tickSize: '0.1', lotSize: '0.00001' },
  ETHUSDT: { tickSize: '0.01', lotSize: '0.0001' },
};

function tracker(): OffGridDepth {
  return new OffGridDepth(['BTCUSDT', 'ETHUSDT'], (s) => GRIDS[s], (s) => (s === 'BTCUSDT' ? 7 : 0));
}

const offGrid = (text: string): SpreadcoreError => new SpreadcoreError('SPREADCORE_ERR_OFF_GRID', text);

describe('OffGridDepth', () => {
  it('hands back the problem at a symbol\'s first off-grid refusal only, and counts every one', () => {
    const t = tracker();
    const first = t.onRejected('BTCUSDT', offGrid('BTCUSDT spot snapshot lastUpdateId=5: bid level 0 price 100.05 is not a whole multiple of 0.1'));
    expect(first).toEqual({
      symbol: 'BTCUSDT', tickSize: '0.1', lotSize: '0.00001', refused: 1, applied: 7,
      first: 'BTCUSDT spot snapshot lastUpdateId=5: bid level 0 price 100.05 is not a whole multiple of 0.1',
    });
    expect(t.onRejected('BTCUSDT', offGrid('BTCUSDT spot depth event u=9: ask level 2 price 100.07 is not a whole multiple of 0.1'))).toBeNull();
    expect(t.refused('BTCUSDT')).toBe(2);
    expect(t.refused('ETHUSDT')).toBe(0);
    const [p] = t.problems();
    expect(t.problems()).toHaveLength(1);
    expect(p).toMatchObject({ symbol: 'BTCUSDT', refused: 2, first: expect.stringContaining('price 100.05') });
    expect(liveGridProblemMessage(p!)).toBe(
      'BTCUSDT: Binance\'s depth is not on the grid tick_size 0.1, lot_size 0.00001 (BTCUSDT spot snapshot lastUpdateId=5: bid level 0 price 100.05 '
      + 'is not a whole multiple of 0.1), so the book refuses it and resyncs again and again: the venue\'s grid of BTCUSDT may have changed since serve read it; '
      + 'restart serve to pick up the new grid (or fix the grid given with --instruments FILE)');
  });

  it('other refusals (a bad decimal, a book refusal) and unknown symbols are not counted', () => {
    const t = tracker();
    expect(t.onRejected('ETHUSDT', new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', 'negative price'))).toBeNull();
    expect(t.onRejected('ETHUSDT', new SpreadcoreError('SPREADCORE_ERR_BOOK_OP', 'the book refused 1 level(s)'))).toBeNull();
    expect(t.onRejected('SOLUSDT', offGrid('SOLUSDT off the grid'))).toBeNull();
    expect([t.refused('ETHUSDT'), t.refused('SOLUSDT')]).toEqual([0, 0]);
    expect(t.problems()).toEqual([]);
  });

  it('each symbol has its own first problem', () => {
    const t = tracker();
    expect(t.onRejected('BTCUSDT', offGrid('b'))).not.toBeNull();
    expect(t.onRejected('ETHUSDT', offGrid('e'))).toMatchObject({ symbol: 'ETHUSDT', tickSize: '0.01', first: 'e', refused: 1, applied: 0 });
    expect(t.problems().map((p) => p.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
  });
});
