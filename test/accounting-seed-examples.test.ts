// The seeds' worked numbers, checked by hand and reproduced through the ledger
// and its views. Where a seed's numbers are per unit of the instrument (seed 000
// quotes BTC P&L per 1 BTC while trading 0.001 BTC), the test says so and checks
// both readings.
import { describe, expect, it } from 'vitest';
import type { FillRecord, Liquidity, OrderSide } from '../src/trading/types.js';
import {
  BinaryContractLedger, Decimal, SymbolLedger, binaryInventoryView, breakEvenSpreadBps, checkSpread, finalStateView, inventoryView,
  metricsView, percentToBps, summarizeLedger, tradesView,
} from '../src/accounting/index.js';

const T0_MS = 1_708_704_000_000n; // seed 000's first trade timestamp
let seq = 0;

function fill(side: OrderSide, qty: string, price: string, o: { fee?: string; atMs?: bigint; liquidity?: Liquidity; strategyId?: string; symbol?: string } = {}): FillRecord {
  seq++;
  const ts = (o.atMs ?? T0_MS) * 1_000_000n;
  return {
    tradeId: `t${seq}`, orderId: `o${seq}`, clientOrderId: `c${seq}`, strategyId: o.strategyId ?? 'btc_mm_1', symbol: o.symbol ?? 'BTCUSDT',
    side, price, qty, fee: o.fee ?? '0', liquidity: o.liquidity ?? 'MAKER', tsEventNs: ts, tsInitNs: ts,
  };
}

const at = (seconds: number): bigint => T0_MS + BigInt(Math.round(seconds * 1000));
const newLedger = (strategyId = 'btc_mm_1', symbol = 'BTCUSDT') => new SymbolLedger({ strategyId, symbol });

describe('seed 000: market making tutorial', () => {
  it('stream example: BUY @ 49,990 then SELL @ 50,012 is a 22.0 round trip per BTC', () => {
    // At the seed's literal 0.001 BTC the same trades earn 0.001 × 22 = 0.022.
    const small = newLedger();
    expect(small.applyFill(fill('BUY', '0.001', '49990.0')).positionAfter.toString()).toBe('0.001');
    const sell = small.applyFill(fill('SELL', '0.001', '50012.0'));
    expect(sell.positionAfter.isZero()).toBe(true);
    expect(sell.roundTripProfit!.toString()).toBe('0.022');
    expect(sell.closedRoundTripProfit!.toString()).toBe('0.022');

    const perBtc = newLedger();
    perBtc.applyFill(fill('BUY', '1', '49990.0'));
    const e = perBtc.applyFill(fill('SELL', '1', '50012.0'));
    expect(e.roundTripProfit!.toNumber()).toBe(22.0);
    expect(summarizeLedger(perBtc).roundTrips).toBe(1);
  });

  it('trades example: fee 0.05 per fill, round_trip_profit 19.9 = 20 − 2 × 0.05 (per BTC)', () => {
    const l = newLedger();
    // the 0.002 held before the excerpt, bought at 49,990 with 0.05 fees
    l.applyFill(fill('BUY', '1', '49990.0', { fee: '0.05', atMs: T0_MS - 20_000n }));
    l.applyFill(fill('BUY', '1', '49990.0', { fee: '0.05', atMs: T0_MS - 10_000n }));
    l.applyFill(fill('BUY', '1', '49990.0', { fee: '0.05', atMs: T0_MS }));
    l.applyFill(fill('SELL', '1', '50010.0', { fee: '0.05', atMs: T0_MS + 5_000n }));
    l.applyFill(fill('BUY', '1', '49985.0', { fee: '0.05', atMs: T0_MS + 10_000n }));
    const view = tradesView(l, { limit: 3 });
    expect(view).toEqual({
      strategy_id: 'btc_mm_1',
      trades: [
        { timestamp: 1708704000000, side: 'BUY', price: 49990.0, qty: 1, fee: 0.05, inventory_after: 3 },
        { timestamp: 1708704005000, side: 'SELL', price: 50010.0, qty: 1, fee: 0.05, inventory_after: 2, round_trip_profit: 19.9 },
        { timestamp: 1708704010000, side: 'BUY', price: 49985.0, qty: 1, fee: 0.05, inventory_after: 3 },
      ],
    });
  });

  it('trades example at the literal 0.001 BTC: the shape matches, the closed 0.001 earns 0.02 − 0.1 = −0.08', () => {
    const l = newLedger();
    l.applyFill(fill('BUY', '0.002', '49990.0', { fee: '0.1', atMs: T0_MS - 20_000n }));
    l.applyFill(fill('BUY', '0.001', '49990.0', { fee: '0.05', atMs: T0_MS }));
    l.applyFill(fill('SELL', '0.001', '50010.0', { fee: '0.05', atMs: T0_MS + 5_000n }));
    l.applyFill(fill('BUY', '0.001', '49985.0', { fee: '0.05', atMs: T0_MS + 10_000n }));
    expect(tradesView(l, { limit: 3 }).trades).toEqual([
      { timestamp: 1708704000000, side: 'BUY', price: 49990.0, qty: 0.001, fee: 0.05, inventory_after: 0.003 },
      { timestamp: 1708704005000, side: 'SELL', price: 50010.0, qty: 0.001, fee: 0.05, inventory_after: 0.002, round_trip_profit: -0.08 },
      { timestamp: 1708704010000, side: 'BUY', price: 49985.0, qty: 0.001, fee: 0.05, inventory_after: 0.003 },
    ]);
  });

  // One sequence that gives every number of the seed's metrics JSON:
  //  - a 0.004 round trip: buy @ 50,000, mark @ 46,500 (equity −1 fee − 14 = −15: the
  //    max drawdown), sell @ 55,000 120 s later: 0.004 × 5,000 = 20 gross;
  //  - 21 round trips of 0.001, bought @ 40,000 and sold @ 60,000 120 s later: 20 gross each;
  //  - three buys of 0.001 @ 50,000 and one sell @ 50,000 120 s later: 0 gross, 0.002 left.
  // 48 fills (25 buys, 23 sells) at a fee of 1 each, 22 round trips, 440 gross, 392 net.
  function seedMetricsLedger(): SymbolLedger {
    const l = newLedger();
    const events: { t: number; run: () => void }[] = [];
    const mark = (t: number, mid: string, atBestBid: boolean, atBestAsk: boolean) =>
      events.push({ t, run: () => l.applyMark({ tsNs: at(t) * 1_000_000n, mid, atBestBid, atBestAsk }) });
    const trade = (t: number, side: OrderSide, qty: string, price: string) =>
      events.push({ t, run: () => l.applyFill(fill(side, qty, price, { fee: '1', atMs: at(t) })) });
    // quote at the best bid for 1,620 s and at the best ask for 1,512 s of 3,600 s observed
    mark(0, '50000', true, true);
    mark(20, '46500', true, true);
    mark(1512, '50000', true, false);
    mark(1620, '50000', false, false);
    mark(3600, '50000', false, false);
    trade(10, 'BUY', '0.004', '50000');
    trade(130, 'SELL', '0.004', '55000');
    for (let k = 0; k < 21; k++) {
      trade(200 + 150 * k, 'BUY', '0.001', '40000');
      trade(320 + 150 * k, 'SELL', '0.001', '60000');
    }
    for (let i = 0; i < 3; i++) trade(3400, 'BUY', '0.001', '50000');
    trade(3520, 'SELL', '0.001', '50000');
    events.sort((a, b) => a.t - b.t); // stable: same-time events keep their order
    for (const e of events) e.run();
    l.count('orders_placed', 1200);
    l.count('quote_updates', 1200);
    l.count('volatility_pauses', 2);
    l.count('adverse_selection_events', 3);
    return l;
  }

  it('metrics example: every field', () => {
    const l = seedMetricsLedger();
    // round trips are FIFO matches of closing fills against open lots: 1 + 21 + 1 (the last sell
    // closes one of the three open buys) = 23, where the seed's example prints 22 (flat to flat);
    // profit_per_round_trip is 392 / 23 = 17.04…
    const view = metricsView(l, { uptimeSeconds: 3600, precision: { moneyDp: 1, pctDp: 1, secondsDp: 0, ratioDp: 2 } });
    expect(view).toEqual({
      strategy_id: 'btc_mm_1',
      uptime_seconds: 3600,
      performance: {
        total_trades: 48, buy_fills: 25, sell_fills: 23, round_trips: 23,
        gross_profit: 440.0, fees_paid: 48.0, net_profit: 392.0, profit_per_round_trip: 17.0,
      },
      inventory: { current_position: 0.002, max_position_reached: 0.004, avg_holding_time_seconds: 120 },
      quoting: { quote_updates: 1200, time_at_best_bid_pct: 45.0, time_at_best_ask_pct: 42.0, fill_rate_pct: 4.0 },
      risk: { max_drawdown: 15.0, volatility_pauses: 2, adverse_selection_events: 3 },
    });
    expect(metricsView(l, { uptimeSeconds: 3600 }).performance.profit_per_round_trip).toBe(17.0434782609);
    expect(summarizeLedger(l).flatToFlatCycles).toBe(22);
  });

  it('stop final_state: position 0.002, unrealized 10.0 at 55,000, realized 392.0, total 402.0', () => {
    const l = seedMetricsLedger();
    expect(finalStateView(l, '55000')).toEqual({ position: 0.002, unrealized_pnl: 10.0, realized_pnl: 392.0, total_pnl: 402.0 });
  });

  it('inventory example: 0.008 long at 49,950, price 49,900 → −0.4, 80 % of 0.01, increase_skew', () => {
    const l = newLedger();
    l.applyFill(fill('BUY', '0.004', '49900'));
    l.applyFill(fill('BUY', '0.004', '50000'));
    l.applyMark({ tsNs: T0_MS * 1_000_000n, mid: '49900' });
    expect(inventoryView(l, { maxPosition: '0.01' })).toEqual({
      strategy_id: 'btc_mm_1',
      inventory: { position: 0.008, direction: 'long', avg_entry: 49950.0, current_price: 49900.0, unrealized_pnl: -0.4, pct_of_max: 80.0 },
      recommendation: 'increase_skew',
    });
    // after the PATCH to max_position 0.005 (step 8) the same inventory is 160 % of max
    expect(inventoryView(l, { maxPosition: 0.005 }).inventory.pct_of_max).toBe(160);
    expect(inventoryView(l, { maxPosition: 0.005 }).recommendation).toBe('reduce_inventory');
  });

  it('quotes example: 0.002 at an average of 49,985 marked at 50,000 is +0.03 (the seed prints 30.0, per 1,000 BTC)', () => {
    const l = newLedger();
    l.applyFill(fill('BUY', '0.001', '49990'));
    l.applyFill(fill('BUY', '0.001', '49980'));
    const x = summarizeLedger(l, '50000');
    expect(x.avgEntry!.toString()).toBe('49985');
    expect(x.unrealizedPnl.toString()).toBe('0.03');
  });
});

describe('seed 002: binary market making scenarios (10 contracts)', () => {
  const minutes = (m: number) => T0_MS + BigInt(m * 60_000);

  it('basic spread capture: buy @ 0.50, sell @ 0.54 → $0.40', () => {
    const l = newLedger('mm', 'EVENT');
    l.applyFill(fill('BUY', '10', '0.50', { strategyId: 'mm', symbol: 'EVENT' }));
    const e = l.applyFill(fill('SELL', '10', '0.54', { strategyId: 'mm', symbol: 'EVENT' }));
    expect(e.roundTripProfit!.toString()).toBe('0.4');
  });

  it('scenario 1, balanced trading: buy 10 @ 0.50, sell 10 @ 0.53 → $0.30', () => {
    const l = newLedger('mm', 'EVENT');
    expect(l.applyFill(fill('BUY', '10', '0.50', { strategyId: 'mm', symbol: 'EVENT', atMs: minutes(5) })).positionAfter.toString()).toBe('10');
    const e = l.applyFill(fill('SELL', '10', '0.53', { strategyId: 'mm', symbol: 'EVENT', atMs: minutes(10) }));
    expect(e.positionAfter.toString()).toBe('0');
    expect(e.closedRoundTripProfit!.toString()).toBe('0.3');
    const x = summarizeLedger(l);
    expect(x.roundTrips).toBe(1);
    expect(x.realizedGross.toString()).toBe('0.3');
    expect(x.avgRoundTripSeconds!.toString()).toBe('300');
  });

  it('scenario 2, accumulating: +10 +10 +10 at 0.50/0.49/0.48, then sold at the skewed asks 0.51/0.52/0.53 → $0.90', () => {
    // The seed gives the asks after each buy (0.53, 0.52, 0.51) but not the sell prices;
    // each sell is taken at the ask quoted for the inventory it reduces.
    const l = newLedger('mm', 'EVENT');
    const o = { strategyId: 'mm', symbol: 'EVENT' };
    const inv: string[] = [];
    inv.push(l.applyFill(fill('BUY', '10', '0.50', { ...o, atMs: minutes(5) })).positionAfter.toString());
    inv.push(l.applyFill(fill('BUY', '10', '0.49', { ...o, atMs: minutes(10) })).positionAfter.toString());
    inv.push(l.applyFill(fill('BUY', '10', '0.48', { ...o, atMs: minutes(15) })).positionAfter.toString());
    expect(summarizeLedger(l).avgEntry!.toString()).toBe('0.49');
    const profits: string[] = [];
    for (const [price, m] of [['0.51', 20], ['0.52', 25], ['0.53', 30]] as const) {
      const e = l.applyFill(fill('SELL', '10', price, { ...o, atMs: minutes(m) }));
      inv.push(e.positionAfter.toString());
      profits.push(e.roundTripProfit!.toString());
    }
    expect(inv).toEqual(['10', '20', '30', '20', '10', '0']);
    // average cost: each sell earns against the 0.49 average
    expect(profits).toEqual(['0.2', '0.3', '0.4']);
    const x = summarizeLedger(l);
    expect(x.realizedGross.toString()).toBe('0.9');
    // FIFO: each sell of 10 closes one lot of 10 → three round trips, one flat-to-flat cycle
    expect(x.roundTrips).toBe(3);
    expect(x.flatToFlatCycles).toBe(1);
    expect(x.maxAbsPosition.toString()).toBe('30');
    // held from an average 12:10 entry to an average 12:25 exit
    expect(x.avgHoldingSecondsPerUnit!.toString()).toBe('900');
    // each lot held 15 minutes (12:05→12:20, 12:10→12:25, 12:15→12:30)
    expect(x.avgRoundTripSeconds!.toString()).toBe('900');
  });
});

describe('seed 001: profit mechanics and break-even spread', () => {
  it('buy at 50,000 and sell at 50,010 is $10 per round trip (1 unit)', () => {
    const l = newLedger();
    l.applyFill(fill('BUY', '1', '50000'));
    expect(l.applyFill(fill('SELL', '1', '50010')).roundTripProfit!.toString()).toBe('10');
  });

  it('min_spread = 2 × 0.05 % + 0.02 % + 0.10 % = 22 bps', () => {
    const min = breakEvenSpreadBps({ feeBps: percentToBps('0.05'), slippageBps: percentToBps('0.02'), desiredProfitBps: percentToBps('0.10') });
    expect(min.toString()).toBe('22');
    // seed 001's typical 10-30 bps spread: 20 bps is below it, 25 bps is not
    expect(checkSpread(20, { feeBps: 5, slippageBps: 2, desiredProfitBps: 10 }).belowBreakEven).toBe(true);
    const ok = checkSpread('25', { feeBps: 5, slippageBps: 2, desiredProfitBps: 10 });
    expect(ok.belowBreakEven).toBe(false);
    expect(ok.marginBps.toString()).toBe('3');
    // exactly at break-even is not flagged
    expect(checkSpread(22, { feeBps: 5, slippageBps: 2, desiredProfitBps: 10 }).belowBreakEven).toBe(false);
  });

  it('seed 000 troubleshooting: a 0.1 % fee per side needs 2 × 10 = 20 bps (the seed says 2 bps)', () => {
    expect(breakEvenSpreadBps({ feeBps: percentToBps(0.1) }).toString()).toBe('20');
    // seed 000's own 4 bps spread_bps is below it
    expect(checkSpread(4.0, { feeBps: percentToBps(0.1) }).belowBreakEven).toBe(true);
  });

  it('maker rebates lower the break-even spread; a taker exit raises it', () => {
    expect(breakEvenSpreadBps({ feeBps: -1, slippageBps: 0.5 }).toString()).toBe('-1.5');
    expect(breakEvenSpreadBps({ feeBps: 2, exitFeeBps: 5 }).toString()).toBe('7');
  });
});

describe('seed 004: binary YES/NO contracts', () => {
  const o = { strategyId: 'mm', symbol: 'KALSHI-BTC-100K-DEC24' };
  const binary = () => new BinaryContractLedger({ strategyId: 'mm', symbol: 'KALSHI-BTC-100K-DEC24' });

  it('scenario 1: 10 YES @ 0.48 and 10 NO @ 0.48 lock in (1.00 − 0.48 − 0.48) × 10 = $0.40', () => {
    const b = binary();
    b.applyFill('YES', fill('BUY', '10', '0.48', o));
    // buying NO at 0.48 is selling YES at 0.52: the net book is flat with 0.40 realized
    const e = b.applyFill('NO', fill('BUY', '10', '0.48', o));
    expect(e.side).toBe('SELL');
    expect(e.price).toBe('0.52');
    expect(b.net.position.isZero()).toBe(true);
    expect(summarizeLedger(b.net).realizedGross.toString()).toBe('0.4');
    expect(b.lockedPairs.toString()).toBe('10');
    expect(b.lockedPairProfit.toString()).toBe('0.4');
    // capital deployed 9.60: 0.40 / 9.60 = 4.17 % (the seed prints 8.3 %, 0.40 / 4.80)
    expect(new Decimal('0.4').div('9.6').times(100).toDecimalPlaces(2).toString()).toBe('4.17');
    // resolution either way pays 10 × 1.00 for the pairs: still 0.40
    for (const outcome of ['YES', 'NO'] as const) {
      const r = BinaryContractLedger.restore(b.snapshot());
      r.resolve(outcome, T0_MS * 1_000_000n);
      expect(summarizeLedger(r.net).realizedGross.toString()).toBe('0.4');
      expect(r.yes.realized.plus(r.no.realized).toString()).toBe('0.4');
    }
  });

  it('scenario 4: after the news, YES 0.75 / NO 0.25: (10 × 0.75 + 10 × 0.25) − 9.60 = +0.40', () => {
    const b = binary();
    b.applyFill('NO', fill('BUY', '10', '0.48', o));
    b.applyFill('YES', fill('BUY', '10', '0.48', o));
    b.applyMark({ tsNs: T0_MS * 1_000_000n, mid: '0.75' });
    expect(summarizeLedger(b.net).totalPnl.toString()).toBe('0.4');
    expect(b.sidePnlAt(new Decimal('0.75')).toString()).toBe('0.4');
  });

  it('scenario 3: 15 YES at 0.52 closed by buying 15 NO at 0.48 locks in 0, not the seed\'s "loss of $0.60"', () => {
    // 15 × 1.00 paid at resolution − 7.80 − 7.20 = 0; 7.80 − 7.20 is only the difference of the two costs
    const b = binary();
    b.applyFill('YES', fill('BUY', '15', '0.52', o));
    b.applyFill('NO', fill('BUY', '15', '0.48', o));
    expect(b.net.position.isZero()).toBe(true);
    expect(summarizeLedger(b.net).realizedGross.isZero()).toBe(true);
    b.resolve('NO', T0_MS * 1_000_000n);
    expect(b.yes.realized.plus(b.no.realized).isZero()).toBe(true);
  });

  it('inventory status: YES 25 @ 0.650, NO 15 @ 0.380 → net +10, skew 0.25 of 40', () => {
    const b = binary();
    b.applyFill('YES', fill('BUY', '10', '0.60', o));
    b.applyFill('YES', fill('BUY', '15', '0.6833333333333333333333333333', o)); // not on a grid: just to get an average
    b.applyFill('NO', fill('BUY', '15', '0.38', o));
    const v = binaryInventoryView(b, 40, { moneyDp: 3, pctDp: 2, secondsDp: 0, ratioDp: 2 });
    expect(v).toMatchObject({ yes_contracts: 25, avg_yes_price: 0.65, no_contracts: 15, avg_no_price: 0.38, net_position: 10, skew_ratio: 0.25 });
  });

  it('inventory status: YES 10 @ 0.520, NO 30 @ 0.450 → net −20, skew −0.50', () => {
    const b = binary();
    b.applyFill('YES', fill('BUY', '10', '0.52', o));
    b.applyFill('NO', fill('BUY', '30', '0.45', o));
    expect(binaryInventoryView(b, 40)).toMatchObject({ yes_contracts: 10, avg_yes_price: 0.52, no_contracts: 30, avg_no_price: 0.45, net_position: -20, skew_ratio: -0.5 });
  });

  it('scenario 2: the 0.506 YES ask is a 0.494 NO bid', () => {
    const b = binary();
    b.applyFill('YES', fill('BUY', '25', '0.48', o));
    const e = b.applyFill('NO', fill('BUY', '10', '0.494', o));
    expect(e.side).toBe('SELL');
    expect(e.price).toBe('0.506');
    expect(b.net.position.toString()).toBe('15');
  });
});
