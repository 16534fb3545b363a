// The daily loss limit across a restart: a restored ledger holds every fill since it
// began, but the day's P&L is measured from the start of the trading day. A strategy
// that lost more than its limit today (after earlier days' profits) is stopped again
// once restored and started; one whose losses are all from earlier days quotes.
// Real engine, real simulator, real SQLite journal; the fills are journaled with times
// on either side of the day's start. An engine that runs across the day's start journals
// each leg's baseline then (its position valued at the mark of that moment), and a restart
// later that day measures from it.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { nextDailyResetNs } from '../src/risk/index.js';
import { DAY_START_KEY, Journal } from '../src/store/index.js';

const SIM: SimConfigInput = { instruments: [{ symbol: 'BTCUSDT' }] };
// daily loss limit: 1 % of 1000 = 10 USDT
const PARAMS = { spread_bps: 4, order_size: 0.001, max_position: 0.1, quote_levels: 1, daily_loss_limit_pct: 1, capital: 1000, stop_loss_bps: null };
const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

function engineOn(journal: Journal, seed: number, startTsNs?: number): { engine: TradingEngine; driver: SimDriver } {
  const engine = new TradingEngine({ journal });
  cleanup.push(() => engine.close());
  const driver = new SimDriver(engine, new MarketSimulator(startTsNs === undefined ? SIM : { ...SIM, startTsNs }, seed));
  driver.run(2);
  return { engine, driver };
}

function freshJournal(): Journal {
  const dir = mkdtempSync(join(tmpdir(), 'spreadcore-daily-'));
  const journal = Journal.open(join(dir, 'data'));
  cleanup.push(() => { journal.close(); rmSync(dir, { recursive: true, force: true }); });
  return journal;
}

/** A fill of 0.01 BTC journaled for `strategyId` at tsNs. */
function journalFill(journal: Journal, strategyId: string, side: 'BUY' | 'SELL', price: string, tsNs: number, tradeId = 't1'): void {
  journal.recordFill({
    tradeId, orderId: `o-${tradeId}`, clientOrderId: `c-${tradeId}`, strategyId, symbol: 'BTCUSDT', side, price, qty: '0.01', fee: '0', liquidity: 'MAKER',
    tsEventNs: BigInt(Math.trunc(tsNs)), tsInitNs: BigInt(Math.trunc(tsNs)),
  });
}

describe('daily loss limit after a restart', () => {
  it('counts from the start of the trading day, not from the first fill', () => {
    const journal = freshJournal();
    const first = engineOn(journal, 1);
    first.engine.load({ name: 'lost_today', symbols: ['BTCUSDT'], parameters: PARAMS });
    first.engine.load({ name: 'lost_before', symbols: ['BTCUSDT'], parameters: PARAMS });
    const nowNs = first.engine.nowNs();
    const dayStartNs = nextDailyResetNs(nowNs, 0) - 86_400e9;
    first.engine.close();

    let n = 0;
    const fill = (strategyId: string, side: 'BUY' | 'SELL', price: string, tsNs: number): void => {
      n++;
      journal.recordFill({
        tradeId: `t${n}`, orderId: `o${n}`, clientOrderId: `c${n}`, strategyId, symbol: 'BTCUSDT', side, price, qty: '0.01', fee: '0', liquidity: 'MAKER',
        tsEventNs: BigInt(Math.trunc(tsNs)), tsInitNs: BigInt(Math.trunc(tsNs)),
      });
    };
    const yesterday = dayStartNs - 3_600e9;
    const today = Math.max(dayStartNs + 1e6, nowNs - 1e9);
    // +20 yesterday, then −15 today: 5 up since the first fill, 15 down today (over the 10 limit)
    fill('lost_today', 'BUY', '40000', yesterday);
    fill('lost_today', 'SELL', '42000', yesterday + 1e9);
    fill('lost_today', 'BUY', '42000', today);
    fill('lost_today', 'SELL', '40500', today + 1);
    // −50 yesterday, nothing today
    fill('lost_before', 'BUY', '45000', yesterday);
    fill('lost_before', 'SELL', '40000', yesterday + 1e9);

    const { engine, driver } = engineOn(journal, 2);
    expect(engine.restore()).toMatchObject({ ok: true, fills: 6 });
    engine.start('lost_today');
    engine.start('lost_before');
    driver.run(3); // marks give the risk gate the legs' P&L
    expect(engine.inventory('lost_today').inventory.position).toBe(0);
    expect(engine.risk.strategyState('lost_today')).toBe('HALTED');
    expect(engine.risk.strategyStateReason('lost_today')).toBe('daily_loss');
    expect(engine.risk.strategyState('lost_before')).toBe('ACTIVE');
  });

  it('measures from the baseline journaled at the day\'s start (the mark then), not from the last fill\'s price', () => {
    const journal = freshJournal();
    const midnightNs = Date.UTC(2026, 2, 2) * 1e6;
    const first = engineOn(journal, 3, midnightNs - 180e9);
    // quotes 3 % away from the mid: nothing fills in these minutes
    first.engine.load({ name: 'held', symbols: ['BTCUSDT'], parameters: { ...PARAMS, spread_bps: 600, daily_loss_limit_pct: 50 } });
    first.engine.close();
    // a position bought far below the market before the day's start: at the mark it is well up
    journalFill(journal, 'held', 'BUY', '1000', midnightNs - 120e9);

    // an engine runs across the day's start: it journals the baseline at the mark then
    const second = engineOn(journal, 3, midnightNs - 60e9);
    expect(second.engine.restore()).toMatchObject({ ok: true, fills: 1 });
    second.engine.start('held');
    second.driver.run(55);
    expect(journal.getState(DAY_START_KEY('held'))).toBeUndefined();
    second.driver.runUntil(midnightNs + 5e9);
    const kept = journal.getState(DAY_START_KEY('held')) as { day_start_ns: number; baselines: Record<string, number> };
    expect(kept.day_start_ns).toBe(midnightNs);
    const baseline = kept.baselines['BTCUSDT']!;
    // 0.01 bought at 1000, valued at the mark (tens of thousands): far above what the fill's own price gives (0)
    expect(baseline).toBeGreaterThan(100);
    expect(second.engine.risk.dayBaseline('held', 'BTCUSDT')).toBe(baseline);
    expect(journal.restore().fillsByStrategy.get('held')).toHaveLength(1);
    second.engine.close();

    // a restart later that day measures from it
    const third = engineOn(journal, 4, midnightNs + 3_600e9);
    expect(third.engine.restore()).toMatchObject({ ok: true });
    expect(third.engine.risk.dayBaseline('held', 'BTCUSDT')).toBe(baseline);
    third.engine.close();

    // the next day it is not used: the baseline comes from the fills before that day's start (the last fill's price: 0 unrealized)
    const fourth = engineOn(journal, 4, midnightNs + 86_400e9 + 3_600e9);
    expect(fourth.engine.restore()).toMatchObject({ ok: true });
    expect(fourth.engine.risk.dayBaseline('held', 'BTCUSDT')).toBe(0);
  });

  it('values a stopped strategy\'s position at the marks while it is stopped: the day\'s baseline is the mark at the reset', () => {
    const journal = freshJournal();
    const midnightNs = Date.UTC(2026, 4, 5) * 1e6;
    const first = engineOn(journal, 5, midnightNs - 180e9);
    first.engine.load({ name: 'parked', symbols: ['BTCUSDT'], parameters: { ...PARAMS, spread_bps: 600, daily_loss_limit_pct: 50 } });
    first.engine.close();
    // 0.01 bought far below the market before the day's start, and the strategy never started again
    journalFill(journal, 'parked', 'BUY', '1000', midnightNs - 120e9);
    const second = engineOn(journal, 5, midnightNs - 60e9);
    expect(second.engine.restore()).toMatchObject({ ok: true, fills: 1 });
    expect(second.engine.inventory('parked').inventory.position).toBe(0.01);
    second.driver.runUntil(midnightNs + 5e9);
    expect(second.engine.strategy('parked').status).not.toBe('running');
    const kept = journal.getState(DAY_START_KEY('parked')) as { day_start_ns: number; baselines: Record<string, number> };
    expect(kept.day_start_ns).toBe(midnightNs);
    // valued at the mark (tens of thousands a BTC), not left at the restore's value of the fill's own price (0)
    const mark = second.engine.inventory('parked').inventory.current_price;
    expect(mark).toBeGreaterThan(10_000);
    expect(kept.baselines['BTCUSDT']).toBeGreaterThan(0.01 * (mark * 0.9 - 1000));
    expect(second.engine.risk.dayBaseline('parked', 'BTCUSDT')).toBe(kept.baselines['BTCUSDT']);
    // started later that day: the day's P&L is what the market did since midnight, well inside the limit
    second.engine.start('parked');
    second.driver.run(3);
    expect(second.engine.risk.strategyState('parked')).toBe('ACTIVE');
    second.engine.close();
  });

  it('a stopped strategy\'s loss counts toward its day, but its stop loss waits until it runs: no order while stopped', () => {
    const journal = freshJournal();
    const first = engineOn(journal, 6);
    first.engine.load({ name: 'underwater', symbols: ['BTCUSDT'], parameters: { ...PARAMS, spread_bps: 600, daily_loss_limit_pct: null, stop_loss_bps: 100 } });
    const t = first.engine.nowNs();
    first.engine.close();
    // 0.01 bought today at twice the market: far past a 1 % stop loss at the first mark
    journalFill(journal, 'underwater', 'BUY', '200000', t);
    const { engine, driver } = engineOn(journal, 6);
    expect(engine.restore()).toMatchObject({ ok: true, fills: 1 });
    driver.run(3);
    expect(engine.strategy('underwater').status).not.toBe('running');
    // valued: the day's P&L holds the loss (0.01 × (~50,000 − 200,000))
    expect(engine.risk.metrics('underwater')!.day_pnl).toBeLessThan(-1000);
    // but nothing was sent, and the position is still held
    expect(engine.risk.metrics('underwater')!.stop_losses).toBe(0);
    expect(engine.risk.effectiveState('underwater', 'BTCUSDT')).toBe('ACTIVE');
    expect(engine.inventory('underwater').inventory.position).toBe(0.01);
    expect(engine.counters.ordersPlaced).toBe(0);
    // started: the first mark runs the stop loss, and the position is reduced
    engine.start('underwater');
    driver.run(3);
    expect(engine.risk.metrics('underwater')!.stop_losses).toBe(1);
    expect(engine.inventory('underwater').inventory.position).toBeLessThan(0.01);
  });
});
