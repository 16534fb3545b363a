// GET …/quotes carries the position, average entry and unrealized P&L at the mid:
// the same numbers as the full ledger summary (and the inventory view), at every
// point of a run with fills in both directions.
import { afterEach, describe, expect, it } from 'vitest';
import { jsonNumber } from '../src/accounting/json-number.js';
import { summarizeLedger } from '../src/accounting/ledger-summary.js';
import { ZERO } from '../src/accounting/decimal.js';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { midPriceText } from '../src/engine/engine-views.js';

const engines: TradingEngine[] = [];
afterEach(() => { for (const e of engines.splice(0)) e.close(); });

describe('quotes view inventory', () => {
  it('equals the ledger summary at the mid throughout a run with fills', () => {
    const engine = new TradingEngine();
    engines.push(engine);
    const driver = new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'high_volatility' } }] }, 7));
    driver.run(2);
    engine.load({ name: 'q', symbols: ['BTCUSDT'], parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 2, level_spacing_bps: 1 } });
    engine.start('q');
    let checks = 0;
    let withPosition = 0;
    for (let s = 0; s < 300; s++) {
      driver.run(1);
      const q = engine.quotes('q');
      const leg = engine.strategy('q');
      expect(leg).toBeDefined();
      const ledger = engine.ledgers.get('q', 'BTCUSDT')!;
      const mid = q.mid_price === null ? undefined : String(q.mid_price);
      const full = summarizeLedger(ledger, mid === undefined ? undefined : ledgerMid(engine));
      expect(q.inventory).toEqual({
        position: jsonNumber(full.position),
        avg_entry: jsonNumber(full.avgEntry ?? ZERO, 10),
        unrealized_pnl: jsonNumber(full.unrealizedPnl, 10),
      });
      checks++;
      if (!full.position.isZero()) withPosition++;
    }
    expect(checks).toBe(300);
    expect(withPosition).toBeGreaterThan(10);
    expect(engine.counters.fills).toBeGreaterThan(5);
  });
});

/** The mid as exact decimal text, as the quotes view reads it from the book. */
function ledgerMid(engine: TradingEngine): string {
  const st = engine.ingest.bySymbolName('BTCUSDT')!;
  const books = engine.ingest.books;
  return midPriceText(st.instrument, books.bestBidTick(st.book), books.bestAskTick(st.book))!;
}
