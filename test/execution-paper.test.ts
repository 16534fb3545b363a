// The paper exchange on hand-built books: order and cancel latency in exchange time
// (an order arriving after the price moved, a cancel racing a fill, a cancel that
// overtakes its order), taker fills walking the book with exact fees, IOC / MARKET
// remainders, POST_ONLY rejection, liquidity we took not taken twice, and resting
// orders across a stale book.
import { afterEach, describe, expect, it } from 'vitest';
import { FeedIngest } from '../src/feed/ingest/index.js';
import type { PaperExchangeConfigInput } from '../src/execution/paper-config.js';
import type { OrderSide, OrderType, TimeInForce } from '../src/trading/types.js';
import { paperMarket, type Lv } from './support/paper-market.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';

const books = new WasmBooks(instantiateCore('debug'));
const T0 = 1_000_000_000_000;
const MS = 1_000_000;
const P = 5_000_000; // 50,000.00
const BID = 0;
const ASK = 1;

const BOOK: { bids: Lv[]; asks: Lv[] } = { bids: [[P, 10], [P - 1, 5]], asks: [[P + 1, 8], [P + 2, 4], [P + 3, 10]] };

let open: FeedIngest[] = [];
afterEach(() => { for (const i of open) i.close(); open = []; });

function make(config: PaperExchangeConfigInput = {}, book = BOOK) {
  const m = paperMarket(books, config);
  open.push(m.ingest);
  const h = {
    ...m,
    submit(id: string, side: OrderSide, tick: number, lots: number, tif: TimeInForce = 'GTC', type: OrderType = 'LIMIT') {
      return m.om.submit(m.order(id, side, tick, lots, tif, type));
    },
    status(id: string): string { return m.om.order(id)!.status; },
    fillsOf(id: string): string[] { return m.fills.filter((f) => f.fill.clientOrderId === id).map((f) => `${f.fill.qty}@${f.fill.price} ${f.fill.liquidity} fee ${f.fill.fee}`); },
  };
  h.snapshot(T0, book.bids, book.asks);
  return h;
}

describe('order latency', () => {
  it('an order reaches the book only after its latency, at the first market event from then on', () => {
    const h = make({ orderLatencyNs: 5 * MS });
    h.submit('a', 'BUY', P, 3);
    expect(h.status('a')).toBe('PENDING_NEW');
    h.changes(T0 + 4 * MS, [BID, P - 1, 1]);
    expect(h.status('a')).toBe('PENDING_NEW');
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(3); // on its way: exposure already
    h.changes(T0 + 5 * MS, [BID, P, 2]); // the book after this batch is the one the order meets
    expect(h.status('a')).toBe('ACTIVE');
    expect(h.ahead('a')).toBe(12);
    expect(h.om.order('a')!.updatedTsNs).toBe(T0 + 5 * MS);
  });

  it('a crossing order that arrives after the ask moved away rests instead of taking', () => {
    const h = make({ orderLatencyNs: 5 * MS });
    h.submit('a', 'BUY', P + 1, 2);
    h.sweep(T0 + MS, BID, [P + 1, 8]); // someone else lifts the ask first
    h.changes(T0 + 6 * MS, [BID, P - 1, 1]);
    expect(h.fills).toHaveLength(0);
    expect(h.status('a')).toBe('ACTIVE');
    expect(h.ahead('a')).toBe(0); // alone at 50000.01, the new best bid
  });

  it('a resting order that arrives after the ask came down to it fills as taker', () => {
    const h = make({ orderLatencyNs: 5 * MS });
    h.submit('a', 'BUY', P, 2);
    h.changes(T0 + MS, [BID, P, -10], [ASK, P, 3]); // bids at 50000 leave, a seller posts there
    h.changes(T0 + 6 * MS, [BID, P - 1, 1]);
    expect(h.fillsOf('a')).toEqual(['0.002@50000.00 TAKER fee 0']);
    expect(h.status('a')).toBe('FILLED');
  });

  it('an order due before a trade is in the queue for that trade', () => {
    const h = make({ orderLatencyNs: 5 * MS });
    h.submit('a', 'BUY', P, 3);
    h.sweep(T0 + 5 * MS, ASK, [P, 10], [P - 1, 2]); // arrives before the sweep: behind 10, then the print below fills it
    expect(h.lotsOf('a')).toEqual([2]);
  });
});

describe('cancel latency', () => {
  it('a fill can happen while the cancel travels; the cancel then takes the rest', () => {
    const h = make({ cancelLatencyNs: 5 * MS });
    h.submit('a', 'BUY', P, 3);
    h.changes(T0 + MS, [BID, P - 1, 1]);
    expect(h.om.cancel('a')).toBe('SENT');
    expect(h.om.cancel('a')).toBe('ALREADY_PENDING');
    expect(h.status('a')).toBe('PENDING_CANCEL');
    h.sweep(T0 + 2 * MS, ASK, [P, 10], [P - 1, 2]);
    expect(h.lotsOf('a')).toEqual([2]);
    expect(h.status('a')).toBe('PENDING_CANCEL');
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(1);
    h.changes(T0 + 6 * MS, [BID, P - 1, 1]);
    expect(h.status('a')).toBe('CANCELLED');
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(0);
    expect(h.om.positionLot('s1', 'BTCUSDT')).toBe(2);
    expect(h.updates).toEqual([
      'a ->PENDING_NEW', 'a PENDING_NEW>ACTIVE', 'a ACTIVE>PENDING_CANCEL', 'a PENDING_CANCEL>PENDING_CANCEL', 'a PENDING_CANCEL>CANCELLED',
    ]);
  });

  it('a fill that completes the order first wins; the late cancel changes nothing', () => {
    const h = make({ cancelLatencyNs: 5 * MS });
    h.submit('a', 'BUY', P, 3);
    h.om.cancel('a');
    h.sweep(T0 + 2 * MS, ASK, [P, 10], [P - 1, 5]);
    expect(h.status('a')).toBe('FILLED');
    h.changes(T0 + 6 * MS, [BID, P - 1, 1]);
    expect(h.status('a')).toBe('FILLED');
    expect(h.lotsOf('a')).toEqual([3]);
  });

  it('a cancel that lands before the next trade stops the fill', () => {
    const h = make({ cancelLatencyNs: 5 * MS });
    h.submit('a', 'BUY', P, 3);
    h.om.cancel('a');
    h.sweep(T0 + 5 * MS, ASK, [P, 10], [P - 1, 5]);
    expect(h.status('a')).toBe('CANCELLED');
    expect(h.fills).toHaveLength(0);
  });

  it('a cancel that overtakes its order cancels it on arrival: it never trades', () => {
    const h = make({ orderLatencyNs: 5 * MS, cancelLatencyNs: MS });
    h.submit('a', 'BUY', P + 1, 2); // would take the ask
    h.om.cancel('a');
    h.changes(T0 + 6 * MS, [BID, P - 1, 1]);
    expect(h.fills).toHaveLength(0);
    expect(h.status('a')).toBe('CANCELLED');
    expect(h.om.order('a')!.reason).toBe('cancelled before the order reached the book');
    expect(h.updates).toEqual(['a ->PENDING_NEW', 'a PENDING_NEW>PENDING_CANCEL', 'a PENDING_CANCEL>CANCELLED']);
  });
});

describe('taker fills', () => {
  it('a crossing limit walks the levels at their prices with the taker fee; the rest rests and is not filled by the lots it took', () => {
    const h = make({ makerFeeBps: -1, takerFeeBps: 5 });
    h.submit('a', 'BUY', P + 2, 15);
    // 0.008 × 50000.01 × 5 bps and 0.004 × 50000.02 × 5 bps, exact
    expect(h.fillsOf('a')).toEqual(['0.008@50000.01 TAKER fee 0.20000004', '0.004@50000.02 TAKER fee 0.10000004']);
    expect(h.status('a')).toBe('PARTIALLY_FILLED');
    expect(h.ahead('a')).toBe(0);
    h.changes(T0 + MS, [BID, P - 1, 1]); // the market still shows the lots we took: no fill from them
    expect(h.lotsOf('a')).toEqual([8, 4]);
    h.changes(T0 + 2 * MS, [ASK, P + 2, 2]); // a new seller at our price: maker fill with the rebate
    expect(h.fillsOf('a')[2]).toBe('0.002@50000.02 MAKER fee -0.010000004');
    expect(h.fills.map((f) => f.inventoryAfterLot)).toEqual([8, 12, 14]);
  });

  it('IOC: fills what crosses, the remainder is cancelled', () => {
    const h = make();
    h.submit('a', 'BUY', P + 2, 15, 'IOC');
    expect(h.lotsOf('a')).toEqual([8, 4]);
    expect(h.status('a')).toBe('CANCELLED');
    expect(h.om.order('a')!.reason).toBe('unfilled remainder of an IOC order');
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'BUY')).toBe(0);
    h.submit('b', 'BUY', P, 1, 'IOC'); // does not cross: nothing
    expect(h.status('b')).toBe('CANCELLED');
  });

  it('MARKET: walks the whole side; what the book cannot give is cancelled', () => {
    const h = make();
    h.submit('m', 'SELL', 0, 20, 'GTC', 'MARKET');
    expect(h.fillsOf('m')).toEqual(['0.010@50000.00 TAKER fee 0', '0.005@49999.99 TAKER fee 0']);
    expect(h.status('m')).toBe('CANCELLED');
    expect(h.om.positionLot('s1', 'BTCUSDT')).toBe(-15);
    expect(h.fills[0]!.fill.side).toBe('SELL');
  });

  it('two orders in the same instant do not take the same displayed lots', () => {
    const h = make();
    h.submit('a', 'BUY', P + 1, 5, 'IOC');
    h.submit('b', 'BUY', P + 1, 5, 'IOC');
    expect(h.lotsOf('a')).toEqual([5]);
    expect(h.lotsOf('b')).toEqual([3]);
    h.sweep(T0 + MS, BID, [P + 1, 8]); // the market clears the level: what we took is forgotten with it
    h.changes(T0 + 2 * MS, [ASK, P + 1, 4]);
    h.submit('c', 'BUY', P + 1, 5, 'IOC');
    expect(h.lotsOf('c')).toEqual([4]);
  });

  it('a walk deeper than one read of the book continues level by level', () => {
    const asks: Lv[] = [];
    for (let i = 1; i <= 40; i++) asks.push([P + i, 1]);
    const h = make({}, { bids: [[P, 1]], asks });
    h.submit('a', 'BUY', P + 40, 50, 'IOC');
    expect(h.lotsOf('a')).toHaveLength(40);
    expect(h.fills.at(-1)!.fill.price).toBe('50000.40');
  });
});

describe('POST_ONLY', () => {
  it('a post-only order that would cross is rejected, one that does not rests', () => {
    const h = make();
    const r = h.submit('x', 'BUY', P + 1, 1, 'POST_ONLY');
    expect(r.outcome).toBe('REJECTED');
    expect(r.reason).toBe('post-only order would cross the book');
    expect(h.status('x')).toBe('REJECTED');
    expect(h.updates).toEqual(['x ->PENDING_NEW', 'x PENDING_NEW>REJECTED']);
    expect(h.submit('y', 'BUY', P, 1, 'POST_ONLY').outcome).toBe('SENT');
    expect(h.status('y')).toBe('ACTIVE');
    expect(h.submit('z', 'SELL', P, 1, 'POST_ONLY').outcome).toBe('REJECTED');
    expect(h.fills).toHaveLength(0);
    expect(h.om.pendingExposureLot('s1', 'BTCUSDT', 'SELL')).toBe(0);
  });

  it('judged when the order arrives, against what is left for us', () => {
    const h = make({ orderLatencyNs: 5 * MS });
    h.submit('t', 'BUY', P + 1, 8, 'IOC'); // takes the whole ask at 50000.01 on arrival
    h.submit('p', 'BUY', P + 1, 1, 'POST_ONLY'); // arrives right after: nothing left to cross
    h.changes(T0 + 5 * MS, [BID, P - 1, 1]);
    expect(h.lotsOf('t')).toEqual([8]);
    expect(h.status('p')).toBe('ACTIVE');
  });
});

describe('a book that goes stale', () => {
  it('resting orders stay; their queue is rebuilt at the back when the book is live again', () => {
    const h = make();
    h.submit('a', 'BUY', P, 3);
    h.sweep(T0 + MS, ASK, [P, 6]);
    expect(h.ahead('a')).toBe(4);
    h.loseOne();
    h.changes(T0 + 2 * MS, [BID, P, -4]); // gap: the book is cleared and stale
    expect(h.ingest.symbolState(1)!.state).toBe('stale');
    expect(h.status('a')).toBe('ACTIVE');
    h.snapshot(T0 + 3 * MS, [[P, 7], [P - 1, 5]], [[P + 1, 8]]);
    expect(h.ahead('a')).toBe(7);
    expect(h.paper.counters.resyncs).toBe(1);
    expect(h.fills).toHaveLength(0);
  });

  it('orders sent while the book is stale wait for it; cancels do not', () => {
    const h = make();
    h.loseOne();
    h.changes(T0 + MS, [BID, P, -4]);
    h.submit('a', 'BUY', P + 1, 2);
    h.submit('b', 'BUY', P - 5, 2);
    expect(h.status('a')).toBe('PENDING_NEW');
    h.om.cancel('b');
    expect(h.status('b')).toBe('CANCELLED');
    h.snapshot(T0 + 2 * MS, [[P, 7]], [[P + 1, 8]]);
    expect(h.lotsOf('a')).toEqual([2]);
  });
});

describe('naive mode', () => {
  it('a trade touching the price fills the whole order; the queue model waits its turn', () => {
    const q = make();
    const n = make({ fillModel: 'naive', orderLatencyNs: 5 * MS });
    for (const h of [q, n]) {
      h.submit('a', 'BUY', P, 3);
      h.sweep(T0 + MS, ASK, [P, 1]);
    }
    expect(q.lotsOf('a')).toEqual([]);
    expect(q.ahead('a')).toBe(9);
    expect(n.lotsOf('a')).toEqual([3]); // no latency either, whatever the setting
    expect(n.fills[0]!.fill.liquidity).toBe('MAKER');
  });

  it('the opposite best touching the price fills in full, not just what is displayed', () => {
    const q = make();
    const n = make({ fillModel: 'naive' });
    for (const h of [q, n]) {
      h.submit('a', 'BUY', P, 3);
      h.changes(T0 + MS, [BID, P, -10], [ASK, P, 2]);
    }
    expect(q.lotsOf('a')).toEqual([2]);
    expect(n.lotsOf('a')).toEqual([3]);
  });
});

describe('settings and fees', () => {
  it('bad settings are refused, naming the setting', async () => {
    const { resolvePaperConfig } = await import('../src/execution/paper-config.js');
    const bad: [object, RegExp][] = [
      [{ orderLatencyNs: -1 }, /orderLatencyNs/], [{ cancelLatencyNs: 1.5 }, /cancelLatencyNs/], [{ makerFeeBps: Infinity }, /makerFeeBps/],
      [{ takerFeeBps: 0.0000001 }, /takerFeeBps.*decimals/], [{ queueModel: 'optimistic' }, /queueModel/], [{ fillModel: 'magic' }, /fillModel/],
      [{ idPrefix: 'has space' }, /idPrefix/], [{ orderLatencyNs: '5' }, /orderLatencyNs/],
    ];
    for (const [input, why] of bad) {
      expect(() => resolvePaperConfig(input as never)).toThrow(why);
      try { resolvePaperConfig(input as never); } catch (e) { expect((e as { code: string }).code).toBe('SPREADCORE_ERR_BAD_PARAM'); }
    }
    expect(resolvePaperConfig({ fillModel: 'naive', orderLatencyNs: 7, cancelLatencyNs: 9 })).toMatchObject({ orderLatencyNs: 0, cancelLatencyNs: 0 });
    expect(resolvePaperConfig()).toMatchObject({ orderLatencyNs: 2_000_000, makerFeeBps: 10, takerFeeBps: 10, queueModel: 'proportional', fillModel: 'queue' });
  });

  it('fees are exact decimals of price × quantity × bps', async () => {
    const { FeeRate, scaledText } = await import('../src/execution/fee-text.js');
    const { Instrument } = await import('../src/orderbook/instrument.js');
    const btc = new Instrument({ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' });
    const yes = new Instrument({ symbol: 'YES', tickSize: '0.01', lotSize: '1', kind: 'binary' });
    expect(new FeeRate(7.5).feeText(btc, 5_000_000, 3)).toBe('0.1125'); // 150 × 0.00075
    expect(new FeeRate(10).feeText(btc, 4_999_000, 1)).toBe('0.04999'); // seed 000: 0.001 BTC at 49,990
    expect(new FeeRate(0).feeText(btc, 5_000_000, 3)).toBe('0');
    expect(new FeeRate(-0.25).feeText(yes, 35, 100)).toBe('-0.000875'); // 35 × −0.000025
    expect([scaledText(0n, 5), scaledText(-5n, 3), scaledText(1200n, 2), scaledText(7n, 0)]).toEqual(['0', '-0.005', '12', '7']);
  });
});
