// One ledger per (strategy, symbol): routing, isolation, snapshot order.
import { describe, expect, it } from 'vitest';
import type { FillRecord, OrderSide } from '../src/trading/types.js';
import { LedgerSet, summarizeLedger } from '../src/accounting/index.js';

let seq = 0;
function fill(strategyId: string | null, symbol: string, side: OrderSide, qty: string, price: string): FillRecord {
  seq++;
  return {
    tradeId: `t${seq}`, orderId: `o${seq}`, clientOrderId: `c${seq}`, strategyId, symbol, side, price, qty,
    fee: '0', liquidity: 'MAKER', tsEventNs: BigInt(seq) * 1_000_000n, tsInitNs: BigInt(seq) * 1_000_000n,
  };
}

describe('LedgerSet', () => {
  it('routes fills by strategy and symbol and keeps them apart', () => {
    const set = new LedgerSet({ markoutHorizonsMs: [1000] });
    set.applyFill(fill('a', 'BTCUSDT', 'BUY', '0.01', '50000'));
    set.applyFill(fill('a', 'ETHUSDT', 'SELL', '1', '3000'));
    set.applyFill(fill('b', 'BTCUSDT', 'SELL', '0.02', '50010'));
    set.applyFill(fill(null, 'BTCUSDT', 'BUY', '0.5', '49000'));
    set.applyMark('a', 'BTCUSDT', { tsNs: 10_000_000n, mid: '50100' });
    set.count('a', 'BTCUSDT', 'orders_placed', 4);
    expect(set.get('a', 'BTCUSDT')!.position.toString()).toBe('0.01');
    expect(set.get('a', 'ETHUSDT')!.position.toString()).toBe('-1');
    expect(set.get('b', 'BTCUSDT')!.position.toString()).toBe('-0.02');
    expect(set.get(null, 'BTCUSDT')!.position.toString()).toBe('0.5');
    expect(set.get('c', 'BTCUSDT')).toBe(undefined);
    expect(set.forStrategy('a').map((l) => l.config.symbol)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(summarizeLedger(set.get('a', 'BTCUSDT')!).unrealizedPnl.toString()).toBe('1');
    expect(set.get('a', 'BTCUSDT')!.config.markoutHorizonsMs).toEqual([1000]);
    expect(summarizeLedger(set.get('a', 'BTCUSDT')!).ordersPlaced).toBe(4);
  });

  it('restores from a snapshot to the same state, whatever order the ledgers were created in', () => {
    const one = new LedgerSet();
    const two = new LedgerSet();
    const fa = fill('a', 'X', 'BUY', '1', '10');
    const fb = fill('b', 'Y', 'SELL', '2', '20');
    one.applyFill(fa);
    one.applyFill(fb);
    two.applyFill(fb);
    two.applyFill(fa);
    expect(JSON.stringify(one.snapshot())).toBe(JSON.stringify(two.snapshot()));
    const back = LedgerSet.restore(JSON.parse(JSON.stringify(one.snapshot())));
    expect(JSON.stringify(back.snapshot())).toBe(JSON.stringify(one.snapshot()));
    back.applyFill(fill('a', 'X', 'SELL', '1', '12'));
    expect(summarizeLedger(back.get('a', 'X')!).realizedGross.toString()).toBe('2');
  });
});
