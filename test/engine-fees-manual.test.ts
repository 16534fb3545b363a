// Fees set per strategy apply (serve and backtest alike), the venue's schedule is the
// default; manual orders (POST /api/order without strategy_id) have an account the
// API lists, with a real limit; an order that names a quoting strategy and would cross
// its own quotes is refused with a message that says what to do instead.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parseBacktestSpec, runBacktest } from '../src/backtest/index.js';
import { SimDriver, TradingEngine, type EngineOptions, type FillEvent } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { StrategyError } from '../src/strategy/strategy-errors.js';
import { ROOT } from './support/run-cli.js';

const BTC = { spread_bps: 1, order_size: 0.001, max_position: 0.01, quote_levels: 1 };

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

function setup(options: EngineOptions = {}, seed = 5): { engine: TradingEngine; driver: SimDriver } {
  const engine = new TradingEngine(options);
  cleanup.push(() => engine.close());
  const driver = new SimDriver(engine, new MarketSimulator({}, seed));
  driver.run(2);
  return { engine, driver };
}

function thrown(fn: () => unknown): StrategyError {
  try { fn(); } catch (e) { if (e instanceof StrategyError) return e; throw e; }
  throw new Error('expected a StrategyError');
}

/** fee / notional in bps, per fill. */
const bpsOf = (f: FillEvent): number => Math.round((f.fee / (f.price * f.qty)) * 1e4 * 1e6) / 1e6;

describe('fees per strategy', () => {
  it('a strategy\'s maker_fee_bps (a rebate) is what it is charged; one without fee parameters pays the venue\'s schedule', () => {
    const { engine, driver } = setup({ paper: { makerFeeBps: 2, takerFeeBps: 5 } });
    const rebate = engine.load({ name: 'rebate', symbols: ['BTCUSDT'], parameters: { ...BTC, maker_fee_bps: -1 } });
    const plain = engine.load({ name: 'plain', symbols: ['BTCUSDT'], parameters: { ...BTC, spread_bps: 2 } });
    expect(rebate.ok).toBe(true);
    expect(engine.parameters('plain').parameters['maker_fee_bps']).toBe(2);
    expect(engine.parameters('plain').parameters['taker_fee_bps']).toBe(5);
    expect(engine.parameters('rebate').parameters['maker_fee_bps']).toBe(-1);
    expect(plain.ok).toBe(true);
    const fills: FillEvent[] = [];
    engine.events.on('fill', (f) => fills.push(f));
    engine.start('rebate');
    engine.start('plain');
    driver.run(900);
    const makerOf = (id: string): FillEvent[] => fills.filter((f) => f.strategy_id === id && f.liquidity === 'MAKER');
    expect(makerOf('rebate').length).toBeGreaterThan(2);
    expect(makerOf('plain').length).toBeGreaterThan(2);
    for (const f of makerOf('rebate')) expect(bpsOf(f)).toBeCloseTo(-1, 4);
    for (const f of makerOf('plain')) expect(bpsOf(f)).toBeCloseTo(2, 4);
    expect(engine.metrics('rebate').performance.fees_paid).toBeLessThan(0);
  });

  it('a PATCH of the fees applies to the next fills; an alias (fee_bps) counts as given', () => {
    const { engine, driver } = setup({ paper: { makerFeeBps: 7, takerFeeBps: 7 } });
    engine.load({ name: 'a', symbols: ['BTCUSDT'], parameters: { ...BTC, fee_bps: 3 } });
    expect(engine.parameters('a').parameters['maker_fee_bps']).toBe(3);
    const fills: FillEvent[] = [];
    engine.events.on('fill', (f) => fills.push(f));
    engine.start('a');
    engine.patchParameters('a', { maker_fee_bps: 0.5 });
    driver.run(600);
    const maker = fills.filter((f) => f.liquidity === 'MAKER');
    expect(maker.length).toBeGreaterThan(2);
    for (const f of maker) expect(bpsOf(f)).toBeCloseTo(0.5, 4);
  });

  it('a fee the exchange cannot charge exactly is refused at load and PATCH, changing nothing', () => {
    const { engine } = setup();
    expect(thrown2(() => engine.load({ name: 'x', symbols: ['BTCUSDT'], parameters: { ...BTC, maker_fee_bps: 0.12345678 } }))).toContain('maker_fee_bps');
    expect(engine.list()).toHaveLength(0);
    engine.load({ name: 'y', symbols: ['BTCUSDT'], parameters: BTC });
    expect(thrown2(() => engine.patchParameters('y', { taker_fee_bps: 1.0000001 }))).toContain('taker_fee_bps');
    expect(engine.parameters('y').parameters['taker_fee_bps']).toBe(10);
  });

  it('in a backtest, fees inside parameters apply like top-level ones (which set the venue schedule)', () => {
    const bytes = readFileSync(join(ROOT, 'test/fixtures/binance/usdm_btcusdt_20240808.gz'));
    const params = { spread_bps: 1, order_size: 0.002, max_position: 0.01, quote_levels: 1, requote_threshold_price: 0.1, quote_refresh_ms: 100 };
    const inParams = runBacktest(bytes, parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: { ...params, maker_fee_bps: -1 } }), { seed: 1 });
    const topLevel = runBacktest(bytes, parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: params, maker_fee_bps: -1 }), { seed: 1 });
    const both = runBacktest(bytes, parseBacktestSpec({ symbols: ['BTCUSDT'], parameters: { ...params, maker_fee_bps: 2 }, maker_fee_bps: -1 }), { seed: 1 });
    const makerBps = (r: typeof inParams): number[] => r.fills.filter((f) => f.liquidity === 'MAKER').map((f) => Math.round((f.fee / (f.price * f.qty)) * 1e8) / 1e4);
    expect(makerBps(inParams).length).toBeGreaterThan(5);
    expect(new Set(makerBps(inParams))).toEqual(new Set([-1]));
    expect(makerBps(topLevel)).toEqual(makerBps(inParams));
    expect(new Set(makerBps(both))).toEqual(new Set([2]));
  });
});

function thrown2(fn: () => unknown): string {
  try { fn(); } catch (e) { return (e as Error).message; }
  throw new Error('expected an error');
}

describe('the manual account', () => {
  it('reading a symbol it has not traded answers flat and adds nothing to the account', () => {
    const { engine, driver } = setup({ manualMaxNotional: 200 });
    engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.002, type: 'MARKET' });
    driver.run(1);
    const before = JSON.stringify(engine.accounts());
    expect(engine.inventory('manual', 'ETHUSDT').inventory.position).toBe(0);
    expect(engine.metrics('manual', 'ETHUSDT').performance.total_trades).toBe(0);
    expect(engine.trades('manual', 100, 'ETHUSDT').trades).toHaveLength(0);
    // the account still lists BTCUSDT only, and a read without a symbol is still about BTCUSDT
    expect(JSON.stringify(engine.accounts())).toBe(before);
    expect(engine.accounts().accounts.find((a) => a.account === 'manual')!.positions.map((p) => p.symbol)).toEqual(['BTCUSDT']);
    expect(engine.inventory('manual').inventory.position).toBe(0.002);
    expect(engine.trades('manual').trades).toHaveLength(1);
  });

  it('is listed with its orders, positions and trades, and has a limit sized from --manual-max-notional', () => {
    const { engine, driver } = setup({ manualMaxNotional: 200 });
    const r = engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.002, type: 'MARKET' });
    expect(r['order']).toMatchObject({ strategy_id: 'manual', symbol: 'BTCUSDT', side: 'BUY' });
    driver.run(1);
    expect(engine.inventory('manual').inventory.position).toBe(0.002);
    expect(engine.trades('manual').trades).toHaveLength(1);
    expect(engine.metrics('manual', 'BTCUSDT').performance.total_trades).toBe(1);
    const acc = engine.accounts().accounts.find((a) => a.account === 'manual')!;
    expect(acc.kind).toBe('manual');
    // 200 USDT at ~50,000 = 0.004 BTC, rounded down to the lot
    const cap = acc.positions[0]!.max_position!;
    expect(cap).toBeGreaterThan(0.0035);
    expect(cap).toBeLessThan(0.0045);
    expect(acc.positions[0]).toMatchObject({ symbol: 'BTCUSDT', position: 0.002 });
    // a resting manual order is listed under the account
    const st = engine.ingest.bySymbolName('BTCUSDT')!;
    const price = Math.floor(engine.ingest.books.bestBidTick(st.book) * 0.999) / 100;
    engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'LIMIT', price });
    const open = engine.openOrdersView('manual').orders;
    expect(open).toHaveLength(1);
    expect(open[0]).toMatchObject({ account: 'manual', side: 'BUY', price, qty: 0.001 });
    // past the cap: refused, saying what the limit is and how to close a strategy's position instead
    const e = thrown(() => engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.002, type: 'MARKET' }));
    expect(e.code).toBe('SPREADCORE_ERR_ORDER_REJECTED');
    expect(e.message).toContain('manual account may hold at most');
    expect(e.message).toContain('strategy_id');
    driver.run(1);
    expect(engine.inventory('manual').inventory.position).toBe(0.002);
  });

  it('an order naming a quoting strategy that would cross its own quotes says how to close the position', () => {
    const { engine, driver } = setup();
    engine.load({ name: 'mm', symbols: ['BTCUSDT'], parameters: { ...BTC, spread_bps: 4 } });
    engine.start('mm');
    driver.run(5);
    const e = thrown(() => engine.placeOrder({ side: 'SELL', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET', strategy_id: 'mm' }));
    expect(e.code).toBe('SPREADCORE_ERR_ORDER_REJECTED');
    expect(e.message).toContain('/api/strategy/mm/reduce_inventory');
    expect(e.detail).toMatchObject({ crossed: ['mm'] });
    // a manual order crossing the strategy's quotes names that strategy too
    const m = thrown(() => engine.placeOrder({ side: 'SELL', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' }));
    expect(m.message).toContain('resting orders of strategy mm');
    expect(engine.openOrdersView('mm').orders.length).toBeGreaterThan(0);
    expect(engine.openOrdersView().orders.every((o) => o['account'] === 'mm')).toBe(true);
  });
});

describe('prediction-market fee models', () => {
  async function binaryEngine() {
    const { FeedIngest } = await import('../src/feed/ingest/index.js');
    const ingest = new FeedIngest();
    const engine = new TradingEngine({ ingest, paper: { orderLatencyNs: 0, cancelLatencyNs: 0 } });
    cleanup.push(() => { engine.close(); ingest.close(); });
    ingest.instrument({ symbolId: 1, symbol: 'PMYES', kind: 'binary', tickSize: '0.01', lotSize: '1', resolutionTsNs: 1_800_000_000e9 });
    ingest.snapshot(1, 1, 1_700_000_000e9, Float64Array.from([49, 1000]), 1, Float64Array.from([50, 1000]), 1);
    ingest.endOfBatch(0);
    return engine;
  }

  it('kalshi: the taker pays 0.07·C·P·(1−P) rounded up to the cent; polymarket: C·rate·(P(1−P))^e', async () => {
    const engine = await binaryEngine();
    const fills: FillEvent[] = [];
    engine.events.on('fill', (f) => fills.push(f));
    engine.load({ name: 'k', symbols: ['PMYES'], parameters: { order_size: 10, max_position: 100, spread_price: 0.02, fee_model: 'kalshi' } });
    engine.load({ name: 'p', symbols: ['PMYES'], parameters: { order_size: 10, max_position: 200, spread_price: 0.02, fee_model: 'polymarket', polymarket_fee_rate: 0.03 } });
    engine.load({ name: 'b', symbols: ['PMYES'], parameters: { order_size: 10, max_position: 100, spread_price: 0.02, taker_fee_bps: 10 } });
    engine.placeOrder({ side: 'BUY', symbol: 'PMYES', qty: 10, type: 'MARKET', strategy_id: 'k' });
    engine.placeOrder({ side: 'BUY', symbol: 'PMYES', qty: 100, type: 'MARKET', strategy_id: 'p' });
    engine.placeOrder({ side: 'BUY', symbol: 'PMYES', qty: 10, type: 'MARKET', strategy_id: 'b' });
    const fee = (id: string): number => fills.find((f) => f.strategy_id === id)!.fee;
    // Kalshi's schedule example: 10 contracts at $0.50 → 0.175 → $0.18
    expect(fee('k')).toBe(0.18);
    // 100 × 0.03 × 0.25 = 0.75
    expect(fee('p')).toBe(0.75);
    // 10 bps of 5.00
    expect(fee('b')).toBe(0.005);
  });
});
