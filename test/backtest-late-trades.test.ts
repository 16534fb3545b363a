// Recorded feeds deliver trades late: on Binance the trade stream's messages can
// arrive after depth events stamped later (the USD-M recording has fills whose
// trade time is before the previous fill's). A trade printed before our order
// reached the book must not fill it, in either fill model; the same trade printed
// after the arrival does.
import { afterEach, describe, expect, it } from 'vitest';
import type { FeedIngest } from '../src/feed/ingest/index.js';
import type { PaperExchangeConfigInput } from '../src/execution/paper-config.js';
import { WasmBooks } from '../src/wasm/book-api.js';
import { instantiateCore } from '../src/wasm/load.js';
import { paperMarket } from './support/paper-market.js';

const books = new WasmBooks(instantiateCore('debug'));
const T0 = 1_000_000_000_000;
const MS = 1_000_000;
const P = 5_000_000;
const BID = 0;
const ASK = 1;

let open: FeedIngest[] = [];
afterEach(() => { for (const i of open) i.close(); open = []; });

function market(config: PaperExchangeConfigInput) {
  const m = paperMarket(books, config);
  open.push(m.ingest);
  m.snapshot(T0, [[P, 10], [P - 1, 5], [P - 2, 50]], [[P + 1, 8], [P + 2, 4]]);
  return m;
}

describe('late trade messages', () => {
  it('queue model: a trade stamped before the order arrived does not fill it; a later one does', () => {
    const m = market({ orderLatencyNs: 5 * MS, fillModel: 'queue' });
    m.om.submit(m.order('a', 'BUY', P - 1, 3));
    m.changes(T0 + 6 * MS, [BID, P, 1]); // the order reaches the book at T0 + 5 ms
    expect(m.om.order('a')!.status).toBe('ACTIVE');
    m.sweep(T0 + 2 * MS, ASK, [P - 2, 2]); // printed through our price, but 3 ms before we were there
    expect(m.fills).toHaveLength(0);
    m.sweep(T0 + 7 * MS, ASK, [P - 2, 2]); // the same print after the arrival
    expect(m.lotsOf('a')).toEqual([2]);
  });

  it('naive model: the same holds with zero latency', () => {
    const m = market({ fillModel: 'naive' });
    m.changes(T0 + 6 * MS, [BID, P, 1]);
    m.om.submit(m.order('a', 'BUY', P - 1, 3)); // reaches the book at once, at T0 + 6 ms
    expect(m.om.order('a')!.status).toBe('ACTIVE');
    m.sweep(T0 + 2 * MS, ASK, [P - 1, 1]);
    expect(m.fills).toHaveLength(0);
    m.sweep(T0 + 7 * MS, ASK, [P - 1, 1]);
    expect(m.lotsOf('a')).toEqual([3]); // naive: the whole order at any print at its price
  });
});
