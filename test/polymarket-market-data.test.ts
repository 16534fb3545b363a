// The market channel into FeedIngest: a book is a snapshot, price_change sets levels, a
// last_trade_price is a trade, a tick_size_change redefines the instrument (the listener
// hears onRedefined) and the kept book comes back on the new grid at once, and
// market_resolved settles both tokens.
import { describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/feed-ingest.js';
import type { SymbolState } from '../src/feed/ingest/symbol-state.js';
import { PolymarketMarketAdapter } from '../src/venues/polymarket/market-data-adapter.js';

const YES = '1111';
const NO = '2222';

function setup() {
  const ingest = new FeedIngest();
  const redefined: Array<{ now: string; before: string }> = [];
  const trades: Array<{ tick: number; lot: number; side: number }> = [];
  const settled: Array<{ symbol: string; outcome: string }> = [];
  ingest.listener = {
    onRedefined: (s: SymbolState, prev: SymbolState) => redefined.push({ now: s.instrument.tickSize, before: prev.instrument.tickSize }),
    onTrade: (_s, side, tick, lot) => trades.push({ tick, lot, side }),
    onSettled: (s: SymbolState, outcome: string) => settled.push({ symbol: s.symbol, outcome }),
  } as FeedIngest['listener'];
  const adapter = new PolymarketMarketAdapter(ingest, [{ symbol: 'PM-YES', tokenId: YES, tickSize: '0.01' }, { symbol: 'PM-NO', tokenId: NO, tickSize: '0.01' }]);
  return { ingest, adapter, redefined, trades, settled };
}

const top = (ingest: FeedIngest, symbol: string) => {
  const s = ingest.bySymbolName(symbol)!;
  const t = ingest.books.topLevels(s.book, 5);
  const f = (l: { tick: number; qtyLot: number }) => [Number(s.instrument.price.format(l.tick)), Number(s.instrument.qty.format(l.qtyLot))];
  return { bids: t.bids.map(f), asks: t.asks.map(f) };
};

describe('Polymarket market channel → FeedIngest', () => {
  it('book, price_change and last_trade_price', () => {
    const { ingest, adapter, trades } = setup();
    expect(ingest.bySymbolName('PM-YES')!.instrument.tickSize).toBe('0.01');
    expect(ingest.bySymbolName('PM-YES')!.kind).toBe('binary');
    adapter.onFrame(JSON.stringify([{ event_type: 'book', asset_id: YES, market: '0xm', bids: [{ price: '0.48', size: '30' }, { price: '0.50', size: '15.5' }], asks: [{ price: '0.53', size: '60' }, { price: '0.52', size: '25' }], timestamp: '1700000000000', hash: 'h' }]));
    expect(ingest.bySymbolName('PM-YES')!.state).toBe('live');
    expect(top(ingest, 'PM-YES')).toEqual({ bids: [[0.5, 15.5], [0.48, 30]], asks: [[0.52, 25], [0.53, 60]] });
    adapter.onFrame(JSON.stringify({ event_type: 'price_change', market: '0xm', timestamp: '1700000000100', price_changes: [
      { asset_id: YES, price: '0.51', size: '10', side: 'BUY', hash: 'x', best_bid: '0.51', best_ask: '0.52' },
      { asset_id: YES, price: '0.52', size: '0', side: 'SELL', hash: 'y', best_bid: '0.51', best_ask: '0.53' },
    ] }));
    expect(top(ingest, 'PM-YES')).toEqual({ bids: [[0.51, 10], [0.5, 15.5], [0.48, 30]], asks: [[0.53, 60]] });
    adapter.onFrame(JSON.stringify({ event_type: 'last_trade_price', asset_id: YES, market: '0xm', price: '0.53', size: '12.25', side: 'BUY', fee_rate_bps: '0', timestamp: '1700000000200' }));
    expect(trades).toEqual([{ tick: 53, lot: 1225, side: 0 }]);
    expect(adapter.counters.malformed).toBe(0);
    adapter.onFrame('not json');
    adapter.onFrame(JSON.stringify({ event_type: 'price_change', price_changes: [{ asset_id: YES, price: 'x', size: '1', side: 'BUY' }] }));
    expect(adapter.counters.malformed).toBe(2);
  });

  it('tick_size_change redefines the instrument and replays the book on the new grid', () => {
    const { ingest, adapter, redefined } = setup();
    const ticks: string[] = [];
    adapter.onTickSize = (_sym, t) => ticks.push(t);
    adapter.onFrame(JSON.stringify({ event_type: 'book', asset_id: YES, market: '0xm', bids: [{ price: '0.96', size: '100' }], asks: [{ price: '0.97', size: '50' }], timestamp: '1', hash: '' }));
    adapter.onFrame(JSON.stringify({ event_type: 'tick_size_change', asset_id: YES, market: '0xm', old_tick_size: '0.01', new_tick_size: '0.001', timestamp: '2' }));
    expect(redefined).toEqual([{ now: '0.001', before: '0.01' }]);
    expect(ticks).toEqual(['0.001']);
    const s = ingest.bySymbolName('PM-YES')!;
    expect(s.instrument.tickSize).toBe('0.001');
    expect(s.state).toBe('live');
    expect(top(ingest, 'PM-YES')).toEqual({ bids: [[0.96, 100]], asks: [[0.97, 50]] });
    // levels on the finer grid now apply
    adapter.onFrame(JSON.stringify({ event_type: 'price_change', market: '0xm', timestamp: '3', price_changes: [{ asset_id: YES, price: '0.965', size: '7', side: 'SELL' }] }));
    expect(top(ingest, 'PM-YES').asks).toEqual([[0.965, 7], [0.97, 50]]);
    // a repeated change to the same size changes nothing
    adapter.onFrame(JSON.stringify({ event_type: 'tick_size_change', asset_id: YES, market: '0xm', old_tick_size: '0.01', new_tick_size: '0.001', timestamp: '4' }));
    expect(redefined).toHaveLength(1);
    expect(ingest.bySymbolName('PM-NO')!.instrument.tickSize).toBe('0.01');
  });

  it('market_resolved settles the winner yes and the loser no', () => {
    const { adapter, settled } = setup();
    adapter.onFrame(JSON.stringify({ event_type: 'market_resolved', market: '0xm', assets_ids: [YES, NO], winning_asset_id: NO, timestamp: '5' }));
    expect(settled).toEqual([{ symbol: 'PM-YES', outcome: 'no' }, { symbol: 'PM-NO', outcome: 'yes' }]);
  });
});
