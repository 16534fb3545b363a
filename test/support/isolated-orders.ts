// A fixed order schedule on a real recording, straight on the paper exchange (no
// strategy): every `everyMs` of exchange time the resting bid and ask are cancelled
// and a new bid at the best bid and a new ask at the best ask are sent, so the orders
// do not depend on any fill and every queue model sees the same orders on the same
// market. Returns each order's filled lots (queue-model comparisons, docs/backtest.md).
import type { PaperExchangeConfigInput } from '../../src/execution/paper-config.js';
import { PaperExchange } from '../../src/execution/paper-exchange.js';
import { backtestInstrumentSpecs, planRecording } from '../../src/backtest/index.js';
import { FeedIngest } from '../../src/feed/ingest/index.js';
import type { WasmBooks } from '../../src/wasm/book-api.js';

export interface IsolatedRun {
  /** Filled lots per order, in sending order (bid and ask alternate). */
  readonly filled: number[];
  readonly orders: number;
  readonly counters: PaperExchange['counters'];
}

export function isolatedOrders(
  books: WasmBooks, bytes: Uint8Array, symbol: string, qtyLot: number, config: PaperExchangeConfigInput, opts: { everyMs?: number; durationS?: number } = {},
): IsolatedRun {
  const plan = planRecording(bytes, { durationS: opts.durationS ?? null, market: null });
  const ingest = new FeedIngest(books);
  const paper = new PaperExchange(ingest, { makerFeeBps: 0, takerFeeBps: 0, ...config });
  const ids: string[] = [];
  const filled = new Map<string, number>();
  paper.connect({
    onAccepted() {}, onRejected() {}, onCancelled() {}, onCancelRejected() {},
    onFill(id, _trade, _tick, lots) { filled.set(id, (filled.get(id) ?? 0) + lots); },
  });
  ingest.listener = paper;
  const everyNs = (opts.everyMs ?? 1000) * 1e6;
  let next = 0;
  let bid: string | null = null;
  let ask: string | null = null;
  try {
    ingest.setClock(0);
    const steps = plan.bind(ingest, plan.market === null ? [] : backtestInstrumentSpecs(plan.market, {}));
    for (let i = 0; i < plan.steps; i++) {
      ingest.setClock(plan.offsetNs[i]!);
      steps.apply(i);
      const s = ingest.bySymbolName(symbol);
      if (s === undefined || s.state !== 'live' || s.crossed) continue;
      const t = paper.exchangeNowNs();
      if (t < next) continue;
      next = (Math.floor(t / everyNs) + 1) * everyNs;
      if (bid !== null) paper.cancel(bid);
      if (ask !== null) paper.cancel(ask);
      const send = (side: 'BUY' | 'SELL', tick: number): string => {
        const id = `o${ids.length + 1}`;
        ids.push(id);
        paper.submit({ orderId: id, clientOrderId: id, strategyId: 'q', symbol, side, type: 'LIMIT', timeInForce: 'GTC', priceTick: tick, qtyLot });
        return id;
      };
      bid = send('BUY', books.bestBidTick(s.book));
      ask = send('SELL', books.bestAskTick(s.book));
    }
  } finally {
    ingest.close();
  }
  return { filled: ids.map((id) => filled.get(id) ?? 0), orders: ids.length, counters: paper.counters };
}
