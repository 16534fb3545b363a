// A hand-built market for paper-exchange tests: one BTCUSDT book (tick 0.01, lot
// 0.001) in a FeedIngest, a PaperExchange listening to it (zero latency and fees
// unless configured), an OrderManager on top, and helpers that drive the book with
// snapshots, level changes and sweeps (trade + depletion per level) in exchange time.
import { FeedIngest } from '../../src/feed/ingest/index.js';
import { OrderManager, type OrderFillEvent } from '../../src/execution/order-manager.js';
import { PaperExchange } from '../../src/execution/paper-exchange.js';
import type { PaperExchangeConfigInput } from '../../src/execution/paper-config.js';
import type { OrderIntent, OrderSide, OrderType, TimeInForce } from '../../src/trading/types.js';
import type { WasmBooks } from '../../src/wasm/book-api.js';

export type Lv = [tick: number, lots: number];

export function paperMarket(books: WasmBooks, config: PaperExchangeConfigInput = {}) {
  const ingest = new FeedIngest(books);
  ingest.instrument({ symbolId: 1, symbol: 'BTCUSDT', kind: 'spot', tickSize: '0.01', lotSize: '0.001', resolutionTsNs: 0 });
  const paper = new PaperExchange(ingest, { orderLatencyNs: 0, cancelLatencyNs: 0, makerFeeBps: 0, takerFeeBps: 0, ...config });
  ingest.listener = paper;
  const fills: OrderFillEvent[] = [];
  const updates: string[] = [];
  const om = new OrderManager(paper, {
    listener: { onFill: (e) => fills.push(e), onOrderUpdate: (o, prev) => updates.push(`${o.clientOrderId} ${prev ?? '-'}>${o.status}`) },
  });
  let seq = 1;
  let tid = 1;
  return {
    ingest, paper, om, fills, updates,
    snapshot(ts: number, bids: Lv[], asks: Lv[]): void {
      ingest.snapshot(1, seq++, ts, Float64Array.from(bids.flat()), bids.length, Float64Array.from(asks.flat()), asks.length);
      ingest.endOfBatch(0);
    },
    /** One batch of level changes: [side, tick, delta lots]. */
    changes(ts: number, ...ch: [number, number, number][]): void {
      for (const [side, tick, d] of ch) ingest.levelChange(1, seq++, ts, side as 0 | 1, tick, d);
      ingest.endOfBatch(0);
    },
    /** A market order in one batch: for each level a trade, then that level's depletion. */
    sweep(ts: number, aggressor: 0 | 1, ...levels: Lv[]): void {
      const hit = aggressor === 0 ? 1 : 0;
      for (const [tick, lots] of levels) {
        ingest.trade(1, seq++, ts, aggressor, tick, lots, tid++);
        ingest.levelChange(1, seq++, ts, hit, tick, -lots);
      }
      ingest.endOfBatch(0);
    },
    /** Loses a message: the next one is a gap. */
    loseOne(): void { seq++; },
    order(id: string, side: OrderSide, tick: number, lots: number, tif: TimeInForce = 'GTC', type: OrderType = 'LIMIT'): OrderIntent {
      return { clientOrderId: id, strategyId: 's1', symbol: 'BTCUSDT', side, type, timeInForce: tif, priceTick: type === 'MARKET' ? NaN : tick, qtyLot: lots, reduceOnly: false, level: 1 };
    },
    lotsOf(id: string): number[] { return fills.filter((f) => f.fill.clientOrderId === id).map((f) => f.qtyLot); },
    ahead(id: string): number | undefined { return paper.queueAheadLot(om.order(id)!.orderId); },
  };
}
