// A live Binance book that stays crossed is out of step with the venue (an update
// it missed): the connector resyncs it from a new snapshot after
// config.crossedResync, and waits longer each time the venue's own book is crossed
// again right after. Against the Binance replica (USD-M, manual market), whose
// omitDepthRemovals fault leaves a level's removal out of the diff-depth stream.
import { afterEach, describe, expect, it } from 'vitest';
import { instantiateCore } from '../src/wasm/load.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { FeedIngest } from '../src/feed/ingest/index.js';
import { BinanceConnector, type BinanceConnectorEvent } from '../src/feed/binance/index.js';
import { BinanceReplica } from '../src/venues/binance/replica/index.js';
import { waitFor } from './support/wait.js';

const books = new WasmBooks(instantiateCore());
const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => { for (const f of cleanup.splice(0).reverse()) await f(); });

type Level = [string, string];

async function rig(crossedResync: { initialMs: number; maxMs: number }): Promise<{
  replica: BinanceReplica; ingest: FeedIngest; connector: BinanceConnector; events: BinanceConnectorEvent[]; top: () => { bid: string; ask: string; crossed: boolean; live: boolean };
}> {
  const replica = await BinanceReplica.start({ futures: true, market: { kind: 'manual', instruments: [{ symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001' }] } });
  cleanup.push(() => replica.close());
  // Binance's stream never goes quiet for long, and USD-M syncs on the first event after a snapshot: a far bid
  // changes every 100 ms under whatever book the test sets
  const current: { bids: Level[]; asks: Level[] } = { bids: [['100.00', '1.000'], ['99.99', '1.000']], asks: [['100.02', '1.000'], ['100.03', '1.000']] };
  let beat = 0;
  const set = (): void => replica.market.setBook('BTCUSDT', [...current.bids, ['90.00', beat++ % 2 === 0 ? '1.000' : '2.000']], current.asks);
  set();
  const timer = setInterval(set, 100);
  cleanup.push(async () => clearInterval(timer));
  books_.set(replica, (bids, asks) => { current.bids = bids; current.asks = asks; set(); });
  const ingest = new FeedIngest(books, { staleFeedMs: 60_000 });
  const events: BinanceConnectorEvent[] = [];
  const connector = new BinanceConnector(ingest, {
    market: 'usdm', symbols: ['BTCUSDT'], endpoints: { restUrl: replica.restUrl, wsUrl: replica.wsUrl },
    instruments: [{ market: 'usdm', symbol: 'BTCUSDT', tickSize: '0.01', lotSize: '0.001', orderLotSize: '0.001' }],
    bookTicker: false, firstEventWaitMs: 100, crossedResync,
  }, { onEvent: (e) => events.push(e) });
  cleanup.push(() => connector.stop());
  const top = (): { bid: string; ask: string; crossed: boolean; live: boolean } => {
    const s = ingest.bySymbolName('BTCUSDT')!;
    const t = books.topLevels(s.book, 1);
    const p = (tick: number | undefined): string => (tick === undefined ? '-' : (tick / 100).toFixed(2));
    return { bid: p(t.bids[0]?.tick), ask: p(t.asks[0]?.tick), crossed: s.crossed, live: s.state === 'live' };
  };
  connector.start();
  await waitFor('the book in sync', () => connector.synced, 8000);
  return { replica, ingest, connector, events, top };
}

async function faults(r: BinanceReplica, body: unknown): Promise<void> {
  const res = await fetch(`${r.restUrl}/__replica/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  expect(res.status).toBe(200);
}

const books_ = new Map<BinanceReplica, (bids: Level[], asks: Level[]) => void>();
const book = (r: BinanceReplica, bids: Level[], asks: Level[]): void => books_.get(r)!(bids, asks);

describe('Binance connector: a book that stays crossed', () => {
  it('a missed level removal leaves the book crossed once the market moves past it: it resyncs and matches the venue again', async () => {
    const { replica, connector, events, top } = await rig({ initialMs: 500, maxMs: 4000 });
    book(replica, [['100.01', '1.000'], ['100.00', '1.000']], [['100.02', '1.000']]);
    await waitFor('the bid at 100.01', () => top().bid === '100.01');
    await faults(replica, { omitDepthRemovals: 1 });
    book(replica, [['100.00', '1.000']], [['100.02', '1.000']]);
    await new Promise((r) => setTimeout(r, 300));
    // the removal never reached the book: it still shows 100.01
    expect(top().bid).toBe('100.01');
    book(replica, [['99.98', '1.000']], [['99.99', '1.000']]);
    await waitFor('the ghost bid to cross the book', () => top().crossed);
    await waitFor('a crossed resync', () => connector.counters.crossedResyncs === 1, 5000);
    const ev = events.find((e) => e.type === 'crossed-resync') as Extract<BinanceConnectorEvent, { type: 'crossed-resync' }>;
    expect(ev).toMatchObject({ symbol: 'BTCUSDT', crossedMs: 500, bid: '100.01', ask: '99.99' });
    // a new snapshot puts the book back in step with the venue
    await waitFor('the book live and uncrossed again', () => { const t = top(); return t.live && !t.crossed; }, 5000);
    expect(top()).toMatchObject({ bid: '99.98', ask: '99.99' });
    expect(events.filter((e) => e.type === 'synced').length).toBe(2);
    await new Promise((r) => setTimeout(r, 800));
    expect(connector.counters.crossedResyncs).toBe(1);
    expect(connector.counters.gaps).toBe(0);
  });

  it('a book the venue itself serves crossed is resynced less and less often (the wait doubles up to its cap)', async () => {
    const { replica, connector, events, top } = await rig({ initialMs: 200, maxMs: 800 });
    book(replica, [['100.05', '1.000']], [['100.04', '1.000']]);
    await waitFor('the crossed book', () => top().crossed);
    // each resync's snapshot is crossed again: waits of 200, 400, 800, 800 ms
    await waitFor('four crossed resyncs', () => connector.counters.crossedResyncs >= 4, 10_000);
    const waits = events.flatMap((e) => (e.type === 'crossed-resync' ? [e.crossedMs] : []));
    expect(waits.slice(0, 4)).toEqual([200, 400, 800, 800]);
    // once the venue's book is normal again, the next crossing starts from the first wait
    book(replica, [['100.03', '1.000']], [['100.04', '1.000']]);
    await waitFor('the book uncrossed', () => { const t = top(); return t.live && !t.crossed; }, 5000);
    const n = connector.counters.crossedResyncs;
    book(replica, [['100.05', '1.000']], [['100.04', '1.000']]);
    await waitFor('one more crossed resync', () => connector.counters.crossedResyncs === n + 1, 5000);
    expect(events.filter((e) => e.type === 'crossed-resync').at(-1)).toMatchObject({ crossedMs: 200 });
  });
});
