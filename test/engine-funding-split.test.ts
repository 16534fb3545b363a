// A funding payment in the engine: split between the accounts holding the symbol in
// proportion to their positions at the funding time (fills journaled after it do not
// count), the manual account keeping its share; journaled once per venue payment (a
// second report changes nothing); restored from the journal after a restart; a payment
// on a symbol no account held is journaled and booked nowhere. Real engine, simulator
// and SQLite journal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { Journal } from '../src/store/index.js';

const SIM: SimConfigInput = { instruments: [{ symbol: 'BTCUSDT' }] };
const PARAMS = { spread_bps: 4, order_size: 0.001, max_position: 0.1, quote_levels: 1, stop_loss_bps: null };
const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

function engineOn(journal: Journal): TradingEngine {
  const engine = new TradingEngine({ journal });
  cleanup.push(() => engine.close());
  new SimDriver(engine, new MarketSimulator(SIM, 1)).run(2);
  return engine;
}

const T = 1_717_000_000_000; // ms
const ns = (ms: number): bigint => BigInt(ms) * 1_000_000n;
let n = 0;
function fill(journal: Journal, strategyId: string, side: 'BUY' | 'SELL', qty: string, atMs: number): void {
  n++;
  journal.recordFill({
    tradeId: `t${n}`, orderId: `o${n}`, clientOrderId: `c${n}`, strategyId, symbol: 'BTCUSDT', side, price: '50000', qty, fee: '0', liquidity: 'MAKER',
    tsEventNs: ns(atMs), tsInitNs: ns(atMs),
  });
}
const funding = (e: TradingEngine, id: string | null): string => e.ledgers.view(id, 'BTCUSDT').fundingQuote.toString();

describe('funding in the engine', () => {
  it('splits by the positions at the funding time, books once, and restores', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-funding-engine-'));
    let journal = Journal.open(join(dir, 'data'));
    cleanup.push(() => { journal.close(); rmSync(dir, { recursive: true, force: true }); });
    const first = engineOn(journal);
    first.load({ name: 'a', symbols: ['BTCUSDT'], parameters: PARAMS });
    first.load({ name: 'b', symbols: ['BTCUSDT'], parameters: PARAMS });
    first.close();
    fill(journal, 'a', 'BUY', '0.01', T - 60_000);
    fill(journal, 'b', 'BUY', '0.02', T - 60_000);
    fill(journal, 'manual', 'BUY', '0.01', T - 30_000);
    fill(journal, 'b', 'BUY', '0.05', T + 1); // after the funding time: not part of its share
    fill(journal, 'a', 'SELL', '0.01', T); // at the funding time: counted before it, a is flat then

    const engine = engineOn(journal);
    expect(engine.restore()).toMatchObject({ ok: true, fills: 5 });
    // held at T: b 0.02, manual 0.01 (a sold at T); net 0.03 paid 0.03
    expect(engine.applyFunding({ tranId: '9000000001', symbol: 'BTCUSDT', asset: 'USDT', incomeQuote: '-0.03000000', timeMs: T })).toBe('applied');
    expect([funding(engine, 'a'), funding(engine, 'b'), funding(engine, 'manual')]).toEqual(['0', '-0.02', '-0.01']);
    // the same payment again (an event and a reconciliation both read it): nothing changes
    expect(engine.applyFunding({ tranId: '9000000001', symbol: 'BTCUSDT', asset: 'USDT', incomeQuote: '-0.03000000', timeMs: T })).toBe('duplicate');
    expect(funding(engine, 'b')).toBe('-0.02');
    // net P&L includes it; the position and average entry do not move
    const b = engine.ledgers.view('b', 'BTCUSDT');
    expect(b.realizedNet.toString()).toBe('-0.02');
    expect(b.position.toString()).toBe('0.07');
    expect(engine.accounts().accounts.find((x) => x.account === 'manual')!.positions[0]).toMatchObject({ symbol: 'BTCUSDT', funding: -0.01, realized_pnl: -0.01 });
    // a payment on a symbol nobody here held: journaled, booked nowhere
    expect(engine.applyFunding({ tranId: '9000000002', symbol: 'ETHUSDT', asset: 'USDT', incomeQuote: '0.5', timeMs: T })).toBe('unallocated');
    expect(journal.funding().map((f) => [f.tranId, f.strategyId, f.shareQuote])).toEqual([
      ['9000000001', 'b', '-0.02000000'], ['9000000001', 'manual', '-0.01000000'], ['9000000002', null, '0.5'],
    ]);
    engine.close();

    // a restart: the shares come back from the journal, and the payment is still known
    journal.close();
    journal = Journal.open(join(dir, 'data'));
    const again = engineOn(journal);
    again.restore();
    expect([funding(again, 'a'), funding(again, 'b'), funding(again, 'manual')]).toEqual(['0', '-0.02', '-0.01']);
    expect(again.applyFunding({ tranId: '9000000001', symbol: 'BTCUSDT', asset: 'USDT', incomeQuote: '-0.03000000', timeMs: T })).toBe('duplicate');
    expect(funding(again, 'b')).toBe('-0.02');
  });

  it('is realized P&L to the risk gate: a funding loss over the daily limit stops the strategy', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-funding-daily-'));
    const journal = Journal.open(join(dir, 'data'));
    cleanup.push(() => { journal.close(); rmSync(dir, { recursive: true, force: true }); });
    const first = engineOn(journal);
    // daily loss limit: 1 % of 1000 = 10 USDT
    first.load({ name: 'held', symbols: ['BTCUSDT'], parameters: { ...PARAMS, spread_bps: 600, daily_loss_limit_pct: 1, capital: 1000 } });
    first.load({ name: 'small', symbols: ['BTCUSDT'], parameters: { ...PARAMS, spread_bps: 600, daily_loss_limit_pct: 1, capital: 1000 } });
    first.close();
    const now = Date.now();
    fill(journal, 'held', 'BUY', '0.01', now - 1000);
    fill(journal, 'small', 'BUY', '0.01', now - 1000);
    const engine = new TradingEngine({ journal });
    cleanup.push(() => engine.close());
    const driver = new SimDriver(engine, new MarketSimulator(SIM, 1));
    driver.run(2);
    engine.restore();
    engine.start('held');
    engine.start('small');
    driver.run(2);
    expect(engine.risk.strategyState('held')).toBe('ACTIVE');
    // 30 paid on the net 0.02: 15 each, over the limit of 10 … for both; a payment of 8 (4 each) stops neither
    expect(engine.applyFunding({ tranId: '1', symbol: 'BTCUSDT', asset: 'USDT', incomeQuote: '-8', timeMs: now })).toBe('applied');
    driver.run(2);
    expect(engine.risk.strategyState('held')).toBe('ACTIVE');
    expect(engine.applyFunding({ tranId: '2', symbol: 'BTCUSDT', asset: 'USDT', incomeQuote: '-22', timeMs: now })).toBe('applied');
    driver.run(2);
    expect(funding(engine, 'held')).toBe('-15');
    expect(engine.risk.strategyState('held')).toBe('HALTED');
    expect(engine.risk.strategyStateReason('held')).toBe('daily_loss');
  });
});
