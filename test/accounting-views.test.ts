// JSON views: precision policy, empty ledgers, directions and recommendations.
import { describe, expect, it } from 'vitest';
import type { FillRecord, OrderSide } from '../src/trading/types.js';
import { SpreadcoreError } from '../src/errors.js';
import {
  Decimal, SymbolLedger, analyticsView, finalStateView, inventoryView, jsonNumber, metricsView, recommendInventory, tradesView,
} from '../src/accounting/index.js';

let seq = 0;
function fill(side: OrderSide, qty: string, price: string, tsNs = 0n, fee = '0'): FillRecord {
  seq++;
  return {
    tradeId: `t${seq}`, orderId: `o${seq}`, clientOrderId: `c${seq}`, strategyId: 'v', symbol: 'S', side, price, qty, fee,
    liquidity: 'MAKER', tsEventNs: tsNs, tsInitNs: tsNs,
  };
}
const ledger = () => new SymbolLedger({ strategyId: 'v', symbol: 'S' });

describe('jsonNumber', () => {
  it('converts exact decimals as they are, rounds half to even when asked, never gives −0', () => {
    expect(jsonNumber(new Decimal('0.001'))).toBe(0.001);
    expect(jsonNumber(new Decimal('49990.0'))).toBe(49990);
    expect(jsonNumber(new Decimal('392').div(22), 1)).toBe(17.8);
    expect(jsonNumber(new Decimal('0.125'), 2)).toBe(0.12);
    expect(jsonNumber(new Decimal('0.135'), 2)).toBe(0.14);
    expect(Object.is(jsonNumber(new Decimal('-0.0000001'), 4), 0)).toBe(true);
    expect(jsonNumber(new Decimal('0.1').plus('0.2'))).toBe(0.3);
  });
});

describe('views of an empty ledger', () => {
  it('metrics are zeros, analytics ratios are null, final state is flat', () => {
    const l = ledger();
    expect(metricsView(l, { uptimeSeconds: 0 })).toEqual({
      strategy_id: 'v',
      uptime_seconds: 0,
      performance: { total_trades: 0, buy_fills: 0, sell_fills: 0, round_trips: 0, gross_profit: 0, fees_paid: 0, net_profit: 0, profit_per_round_trip: 0 },
      inventory: { current_position: 0, max_position_reached: 0, avg_holding_time_seconds: 0 },
      quoting: { quote_updates: 0, time_at_best_bid_pct: 0, time_at_best_ask_pct: 0, fill_rate_pct: 0 },
      risk: { max_drawdown: 0, volatility_pauses: 0, adverse_selection_events: 0 },
    });
    const a = analyticsView(l);
    expect(a.round_trips.win_rate_pct).toBe(null);
    expect(a.risk.sharpe).toBe(null);
    expect(a.pnl.mark_price).toBe(null);
    expect(a.markouts.map((m) => m.horizon_ms)).toEqual([1000, 5000, 30000]);
    expect(finalStateView(l)).toEqual({ position: 0, unrealized_pnl: 0, realized_pnl: 0, total_pnl: 0 });
    expect(inventoryView(l, { maxPosition: 1 }).inventory).toEqual({
      position: 0, direction: 'flat', avg_entry: 0, current_price: 0, unrealized_pnl: 0, pct_of_max: 0,
    });
    expect(tradesView(l)).toEqual({ strategy_id: 'v', trades: [] });
  });
});

describe('inventory view', () => {
  it('short positions, the last fill price when there is no mark, and the recommendation thresholds', () => {
    const l = ledger();
    l.applyFill(fill('SELL', '0.003', '100.5'));
    l.applyFill(fill('SELL', '0.001', '100.1'));
    const v = inventoryView(l, { maxPosition: '0.01', strategyId: 'named' });
    expect(v.strategy_id).toBe('named');
    expect(v.inventory).toEqual({ position: -0.004, direction: 'short', avg_entry: 100.4, current_price: 100.1, unrealized_pnl: 0.0012, pct_of_max: 40 });
    expect(v.recommendation).toBe('none');
    expect(inventoryView(l, { maxPosition: '0.008' }).recommendation).toBe('increase_skew');
    expect(inventoryView(l, { maxPosition: '0.004' }).recommendation).toBe('reduce_inventory');
    expect(inventoryView(l, { maxPosition: '0.01', skewAtPct: 30 }).recommendation).toBe('increase_skew');
    expect(inventoryView(l, { maxPosition: '0.01', markPrice: '99' }).inventory.unrealized_pnl).toBe(0.0056);
    expect(() => inventoryView(l, { maxPosition: 0 })).toThrow(SpreadcoreError);
    // no limit to measure against (an account that may hold no whole lot): held is 100 %, flat 0 %
    expect(inventoryView(l, { maxPosition: null })).toMatchObject({ inventory: { position: -0.004, pct_of_max: 100 }, recommendation: 'reduce_inventory' });
    expect(inventoryView(ledger(), { maxPosition: null })).toMatchObject({ inventory: { position: 0, direction: 'flat', pct_of_max: 0 }, recommendation: 'none' });
    expect(recommendInventory(new Decimal(49.99))).toBe('none');
    expect(recommendInventory(new Decimal(50))).toBe('increase_skew');
  });
});

describe('trades view', () => {
  it('newest `limit` trades oldest first, ms timestamps floored, round_trip_profit only on closing fills', () => {
    const l = ledger();
    l.applyFill(fill('BUY', '2', '10', 1_999_999n, '0.01'));
    l.applyFill(fill('SELL', '1', '11', 5_000_000n, '0.01'));
    l.applyFill(fill('SELL', '2', '12', 7_500_000n, '0.02'));
    const v = tradesView(l, { limit: 2 });
    expect(v.trades).toEqual([
      { timestamp: 5, side: 'SELL', price: 11, qty: 1, fee: 0.01, inventory_after: 1, round_trip_profit: 0.985 }, // 1 − 0.01 − half of the 0.01 entry fee
      // closes 1 (+2, fee share 0.01, entry fee share 0.005) and opens a short of 1
      { timestamp: 7, side: 'SELL', price: 12, qty: 2, fee: 0.02, inventory_after: -1, round_trip_profit: 1.985 },
    ]);
    expect(tradesView(l).trades[0]).toEqual({ timestamp: 1, side: 'BUY', price: 10, qty: 2, fee: 0.01, inventory_after: 2 });
    expect(tradesView(l, { limit: 0 }).trades).toEqual([]);
  });
});
