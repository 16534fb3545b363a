// Queue position of resting paper orders on hand-built books: trades eat the queue
// ahead first and then fill us (partials included), cancels move us forward by the
// configured model, our own orders queue among themselves, trades and opposite
// liquidity through our price fill us. Also the queue arithmetic on its own.
import { afterEach, describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import type { PaperExchangeConfigInput } from '../src/execution/paper-config.js';
import { observeLevel, tradeAtLevel, type QueuedOrder } from '../src/execution/queue-position.js';
import type { TimeInForce } from '../src/trading/types.js';
import { paperMarket } from './support/paper-market.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const books = new WasmBooks(instantiateCore('debug'));
const T0 = 1_000_000_000_000;
const MS = 1_000_000;
const P = 5_000_000; // 50,000.00
const BID = 0;
const ASK = 1;


function harness(config: PaperExchangeConfigInput = {}) {
  const m = paperMarket(books, config);
  const h = {
    ...m,
    buy(id: string, tick: number, lots: number, tif: TimeInForce = 'GTC') { return m.om.submit(m.order(id, 'BUY', tick, lots, tif)); },
    sell(id: string, tick: number, lots: number, tif: TimeInForce = 'GTC') { return m.om.submit(m.order(id, 'SELL', tick, lots, tif)); },
    fillsOf: m.lotsOf,
  };
  h.snapshot(T0, [[P, 10], [P - 1, 5]], [[P + 1, 8], [P + 2, 4]]);
  return h;
}

let open: FeedIngest[] = [];
function make(config: PaperExchangeConfigInput = {}) {
  const h = harness(config);
  open.push(h.ingest);
  return h;
}
afterEach(() => { for (const i of open) i.close(); open = []; });

describe('queue arithmetic', () => {
  const q = (leavesLot: number, aheadLot: number): QueuedOrder => ({ leavesLot, aheadLot, lastSeenLot: 20, tradedSinceSeenLot: 0, fillNowLot: 0 });

  it('a trade eats the market ahead first, then our orders in arrival order', () => {
    const a = q(3, 10);
    const b = q(2, 10);
    expect(tradeAtLevel([a, b], 2, 12, 12)).toBe(2);
    expect([a.fillNowLot, b.fillNowLot, a.aheadLot, b.aheadLot]).toEqual([2, 0, 0, 0]);
    a.leavesLot -= 2;
    // 4 more: a's last lot, then b (nothing of the market is left ahead of either)
    expect(tradeAtLevel([a, b], 2, 4, 4)).toBe(3);
    expect([a.fillNowLot, b.fillNowLot]).toEqual([1, 2]);
  });

  it('market lots between our orders stay ahead of the later one', () => {
    const a = q(3, 2);
    const b = q(5, 9); // 2 market, a's 3, then 7 market, then b
    expect(tradeAtLevel([a, b], 2, 8, 8)).toBe(3);
    expect([a.fillNowLot, b.fillNowLot, b.aheadLot]).toEqual([3, 0, 4]); // 5 market lots passed b's front
    a.leavesLot = 0;
    expect(tradeAtLevel([a, b], 2, 6, 6)).toBe(2);
    expect(b.fillNowLot).toBe(2);
  });

  it('never hands out more than the volume reaching the level', () => {
    const os = [q(5, 0), q(5, 0), q(5, 0)];
    expect(tradeAtLevel(os, 3, 7, 7)).toBe(7);
    expect(os.map((o) => o.fillNowLot)).toEqual([5, 2, 0]);
  });

  it('a decrease explained by trades is not a cancel; the rest is shared by the model', () => {
    const p = q(1, 8);
    p.lastSeenLot = 20;
    p.tradedSinceSeenLot = 4;
    p.aheadLot = 4; // the trade already took 4 ahead
    observeLevel(p, 16, 'proportional'); // all explained
    expect([p.aheadLot, p.tradedSinceSeenLot, p.lastSeenLot]).toEqual([4, 0, 16]);
    observeLevel(p, 8, 'proportional'); // 8 cancelled of 16, half of it ahead
    expect(p.aheadLot).toBe(2);
    const r = q(1, 4);
    r.lastSeenLot = 16;
    observeLevel(r, 8, 'pessimistic'); // cancels behind us
    expect(r.aheadLot).toBe(4);
    observeLevel(r, 3, 'pessimistic'); // the level is smaller than our queue
    expect(r.aheadLot).toBe(3);
  });

  it('proportional shares round so the queue ahead stays the larger', () => {
    const p = q(1, 3);
    p.lastSeenLot = 10;
    observeLevel(p, 5, 'proportional'); // 5 × 3 / 10 = 1.5 ahead cancelled → 1
    expect(p.aheadLot).toBe(2);
  });
});

describe('fills from trades at our price', () => {
  it('joins behind the displayed quantity; trades consume it, then fill us partially, then in full', () => {
    const h = make();
    expect(h.buy('a', P, 3).outcome).toBe('SENT');
    expect(h.om.order('a')!.status).toBe('ACTIVE');
    expect(h.ahead('a')).toBe(10);
    h.sweep(T0 + MS, ASK, [P, 6]);
    expect(h.fills).toHaveLength(0);
    expect(h.ahead('a')).toBe(4);
    h.changes(T0 + 2 * MS, [BID, P, 5]); // joins behind us
    h.sweep(T0 + 3 * MS, ASK, [P, 6]); // 4 ahead, then 2 of our 3
    expect(h.fillsOf('a')).toEqual([2]);
    expect(h.om.order('a')!.status).toBe('PARTIALLY_FILLED');
    h.sweep(T0 + 4 * MS, ASK, [P, 3], [P - 1, 1]);
    expect(h.fillsOf('a')).toEqual([2, 1]);
    expect(h.om.order('a')!.status).toBe('FILLED');
    const f = h.fills[0]!.fill;
    expect([f.side, f.price, f.qty, f.liquidity, f.fee, f.tsEventNs]).toEqual(['BUY', '50000.00', '0.002', 'MAKER', '0', BigInt(T0 + 3 * MS)]);
    expect(h.fills.map((e) => e.inventoryAfter)).toEqual(['0.002', '0.003']);
    expect(h.updates).toEqual(['a ->PENDING_NEW', 'a PENDING_NEW>ACTIVE', 'a ACTIVE>PARTIALLY_FILLED', 'a PARTIALLY_FILLED>FILLED']);
    expect(h.paper.counters.queueFills).toBe(2);
  });

  it('trades on our side of the book (same-side aggressor) do not move our queue', () => {
    const h = make();
    h.buy('a', P, 3);
    h.sweep(T0 + MS, BID, [P + 1, 5]); // buyers lift the ask
    expect(h.ahead('a')).toBe(10);
    expect(h.fills).toHaveLength(0);
  });

  it('sell orders queue on the ask side the same way', () => {
    const h = make();
    h.sell('s', P + 1, 2);
    expect(h.ahead('s')).toBe(8);
    h.sweep(T0 + MS, BID, [P + 1, 8]);
    expect(h.fills).toHaveLength(0);
    h.changes(T0 + 2 * MS, [ASK, P + 1, 3]); // others join behind us
    h.sweep(T0 + 3 * MS, BID, [P + 1, 1]);
    expect(h.fillsOf('s')).toEqual([1]);
    expect(h.fills[0]!.fill.side).toBe('SELL');
    expect(h.fills[0]!.inventoryAfterLot).toBe(-1);
  });

  it('two of our orders at one price fill in arrival order without sharing volume', () => {
    const h = make();
    h.buy('a', P, 3);
    h.buy('b', P, 2);
    expect([h.ahead('a'), h.ahead('b')]).toEqual([10, 10]);
    h.sweep(T0 + MS, ASK, [P, 10]); // a's queue is gone; the level is empty now
    h.changes(T0 + 2 * MS, [BID, P, 7]); // new bids join behind both
    h.sweep(T0 + 3 * MS, ASK, [P, 4]); // 3 to a, 1 to b
    expect(h.fillsOf('a')).toEqual([3]);
    expect(h.fillsOf('b')).toEqual([1]);
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(1);
  });
});

describe('depletion without trades', () => {
  const run = (model: 'proportional' | 'pessimistic') => {
    const h = make({ queueModel: model });
    h.buy('a', P, 2);
    const seen: (number | undefined)[] = [h.ahead('a')];
    h.changes(T0 + MS, [BID, P, -5]); // cancels; we are at the back, so all of them are ahead
    seen.push(h.ahead('a'));
    h.changes(T0 + 2 * MS, [BID, P, 10]); // joins behind us: level 15
    seen.push(h.ahead('a'));
    h.changes(T0 + 3 * MS, [BID, P, -6]); // level 9
    seen.push(h.ahead('a'));
    h.sweep(T0 + 4 * MS, ASK, [P, 4]);
    return { seen, fills: h.fillsOf('a'), h };
  };

  it('proportional: the queue ahead shrinks by its share of each cancel', () => {
    const { seen, fills } = run('proportional');
    // 10 → 10 − 5·10/10 = 5 → 5 → 5 − ⌊6·5/15⌋ = 3; the 4-lot trade passes 3 and fills 1
    expect(seen).toEqual([10, 5, 5, 3]);
    expect(fills).toEqual([1]);
  });

  it('pessimistic: cancels come from behind us unless the level gets smaller than our queue', () => {
    const { seen, fills, h } = run('pessimistic');
    expect(seen).toEqual([10, 5, 5, 5]);
    expect(fills).toEqual([]);
    expect(h.ahead('a')).toBe(1);
  });

  it('a level that empties puts us at the front', () => {
    const h = make({ queueModel: 'pessimistic' });
    h.buy('a', P, 2);
    h.changes(T0 + MS, [BID, P, -10]);
    expect(h.ahead('a')).toBe(0);
    h.sweep(T0 + 2 * MS, ASK, [P - 1, 3]); // we are the best bid now: the seller hits us first
    expect(h.fillsOf('a')).toEqual([2]);
  });
});

describe('through our price', () => {
  it('a sweep prints at our price then below it: the print below fills us from its volume', () => {
    const h = make();
    h.buy('a', P, 3);
    h.sweep(T0 + MS, ASK, [P, 10], [P - 1, 2]);
    expect(h.fillsOf('a')).toEqual([2]);
    h.sweep(T0 + 2 * MS, ASK, [P - 1, 3]);
    expect(h.fillsOf('a')).toEqual([2, 1]);
    expect(h.paper.counters.tradeThroughFills).toBe(2);
  });

  it('a new ask at or below our bid fills us from its displayed quantity, at our price, once', () => {
    const h = make();
    h.buy('a', P, 3);
    h.changes(T0 + MS, [BID, P, -10]); // the market bids at our price leave: we are the best bid alone
    h.changes(T0 + 2 * MS, [ASK, P, 2]); // a seller posts at our price
    expect(h.fillsOf('a')).toEqual([2]);
    expect(h.fills[0]!.fill.price).toBe('50000.00');
    expect(h.fills[0]!.fill.liquidity).toBe('MAKER');
    h.changes(T0 + 3 * MS, [BID, P - 1, 1]); // the 2 lots still show in the market's book: they were ours
    expect(h.fillsOf('a')).toEqual([2]);
    h.changes(T0 + 4 * MS, [ASK, P, 5]); // more of them
    expect(h.fillsOf('a')).toEqual([2, 1]);
    expect(h.om.order('a')!.status).toBe('FILLED');
    expect(h.paper.counters.bookThroughFills).toBe(2);
  });

  it('without trades or depletion reaching us nothing fills, however long we wait', () => {
    const h = make();
    h.buy('a', P, 3);
    h.sell('s', P + 2, 1);
    for (let i = 1; i <= 20; i++) h.changes(T0 + i * MS, [BID, P - 1, 1], [ASK, P + 2, 1], [BID, P, 1]);
    h.sweep(T0 + 30 * MS, BID, [P + 1, 8]); // buyers take the ask in front of our sell
    h.sweep(T0 + 31 * MS, ASK, [P, 9]); // sellers take 9 of the 30 lots ahead of our bid
    expect(h.fills).toHaveLength(0);
    expect(h.ahead('a')).toBe(1);
    expect(h.ahead('s')).toBe(4);
  });
});
