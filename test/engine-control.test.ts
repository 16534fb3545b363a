// The engine's control methods beyond seed 000's happy path, on the real simulator
// and components: several strategies on several symbols at once, the kill switch,
// the volatility pause, inventory reduction, single orders through the risk gate,
// errors, delete, binary contracts, and the journal.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine, type EngineOptions, type FillEvent, type StrategyStateEvent, type VolatilityPauseEvent } from '../src/engine/index.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { Journal } from '../src/store/index.js';
import { StrategyError } from '../src/strategy/strategy-errors.js';
import { ParameterError } from '../src/strategy/params/index.js';

const BTC_PARAMS = { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0 };
const HOT: SimConfigInput = { instruments: [{ symbol: 'BTCUSDT', regimes: { initial: 'high_volatility' } }, { symbol: 'ETHUSDT', regimes: { initial: 'high_volatility' } }] };

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

function setup(config: SimConfigInput = HOT, seed = 42, options: EngineOptions = {}): { engine: TradingEngine; driver: SimDriver } {
  const engine = new TradingEngine(options);
  cleanup.push(() => engine.close());
  const driver = new SimDriver(engine, new MarketSimulator(config, seed));
  driver.run(2);
  return { engine, driver };
}

describe('several strategies on several symbols', () => {
  it('each strategy × symbol quotes with its own parameters and keeps its own books', () => {
    const { engine, driver } = setup();
    engine.load({ name: 'tight', symbols: ['BTCUSDT'], parameters: BTC_PARAMS });
    engine.load({ name: 'wide', symbols: ['BTCUSDT', 'ETHUSDT'], parameters: { spread_bps: 10, order_size: 0.01, max_position: 0.1, quote_levels: 2 } });
    const fills: FillEvent[] = [];
    engine.events.on('fill', (f) => fills.push(f));
    engine.start('tight');
    const wide = engine.start('wide');
    expect(Object.keys(wide.symbols!)).toEqual(['BTCUSDT', 'ETHUSDT']);
    expect(wide.symbols!['ETHUSDT']!.bid_levels).toHaveLength(2);
    const slots = new Set([...engine.legs('tight'), ...engine.legs('wide')].map((l) => l.slot));
    expect(slots.size).toBe(3);
    driver.run(300);
    const t = engine.quotes('tight');
    const w = engine.quotes('wide', 'BTCUSDT');
    const spread = (q: typeof t): number => q.quotes.asks[0]!.price - q.quotes.bids[0]!.price;
    expect(spread(w)).toBeGreaterThan(2 * spread(t));
    expect(engine.quotes('wide', 'ETHUSDT').quotes.bids[0]!.qty).toBe(0.01);
    expect(fills.length).toBeGreaterThan(0);
    // every (strategy, symbol) position = the sum of its own fills = the order manager's
    for (const [id, sym, lot] of [['tight', 'BTCUSDT', 0.00001], ['wide', 'BTCUSDT', 0.00001], ['wide', 'ETHUSDT', 0.0001]] as const) {
      const mine = fills.filter((f) => f.strategy_id === id && f.symbol === sym);
      const sum = mine.reduce((a, f) => a + (f.side === 'BUY' ? f.qty : -f.qty), 0);
      expect(engine.inventory(id, sym).inventory.position).toBeCloseTo(sum, 9);
      expect(engine.orders.positionLot(id, sym)).toBe(Math.round(sum / lot));
      expect(engine.metrics(id, sym).performance.total_trades).toBe(mine.length);
    }
    expect(engine.list().map((s) => [s.strategy_id, s.status])).toEqual([['tight', 'running'], ['wide', 'running']]);
  });

  it('refuses a duplicate id, an unknown symbol, bad parameters and unknown strategies with coded errors', () => {
    const { engine } = setup();
    engine.load({ name: 'a', symbols: ['BTCUSDT'], parameters: BTC_PARAMS });
    const code = (f: () => unknown): string => { try { f(); return 'none'; } catch (e) { return (e as { code: string }).code; } };
    expect(code(() => engine.load({ name: 'a', symbols: ['BTCUSDT'], parameters: BTC_PARAMS }))).toBe('SPREADCORE_ERR_STRATEGY_EXISTS');
    expect(code(() => engine.load({ name: 'b', symbols: ['NOPE'], parameters: BTC_PARAMS }))).toBe('SPREADCORE_ERR_UNKNOWN_SYMBOL');
    expect(() => engine.load({ name: 'c', symbols: ['BTCUSDT'], parameters: { spread_bps: -1 } })).toThrow(ParameterError);
    expect(code(() => engine.load({ name: 'manual', symbols: ['BTCUSDT'] }))).toBe('SPREADCORE_ERR_BAD_INPUT');
    expect(code(() => engine.start('zzz'))).toBe('SPREADCORE_ERR_STRATEGY_NOT_FOUND');
    expect(code(() => engine.stop('a'))).toBe('SPREADCORE_ERR_STRATEGY_STATE');
    expect(() => engine.patchParameters('a', { max_position: 'x' })).toThrow(ParameterError);
    expect(engine.strategy('a').params.max_position).toBe(0.01);
    engine.start('a');
    expect(code(() => engine.delete('a'))).toBe('SPREADCORE_ERR_STRATEGY_STATE');
    engine.stop('a');
    expect(engine.delete('a')).toEqual({ ok: true, strategy_id: 'a' });
    expect(engine.list()).toEqual([]);
    expect(new StrategyError('SPREADCORE_ERR_STRATEGY_NOT_FOUND').status).toBe(404);
  });
});

describe('risk', () => {
  it('the kill switch cancels everything and pauses every strategy; resuming quotes again', () => {
    const { engine, driver } = setup();
    engine.load({ name: 'k', symbols: ['BTCUSDT'], parameters: BTC_PARAMS });
    const states: StrategyStateEvent[] = [];
    engine.events.on('strategy_state', (e) => states.push(e));
    engine.start('k');
    driver.run(1);
    engine.kill('test');
    expect(engine.killed).toBe(true);
    expect(engine.strategy('k').status).toBe('paused');
    expect(engine.quotes('k').quotes.bids).toHaveLength(0);
    driver.run(2);
    expect(engine.orders.openOrders()).toHaveLength(0);
    expect(() => engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.001, type: 'MARKET' })).toThrow(/DENY_KILL_SWITCH/);
    engine.resumeTrading();
    driver.run(1);
    expect(engine.strategy('k').status).toBe('running');
    expect(engine.quotes('k').quotes.bids).toHaveLength(3);
    expect(states.map((s) => [s.previous, s.status, s.reason])).toEqual([
      ['loaded', 'running', null], ['running', 'paused', 'risk'], ['paused', 'running', 'risk'],
    ]);
  });

  it('the volatility pause pulls the quotes, pauses the strategy and is counted in the metrics', () => {
    const { engine, driver } = setup();
    engine.load({ name: 'v', symbols: ['BTCUSDT'], parameters: { ...BTC_PARAMS, pause_on_volatility: true, volatility_threshold: 1 } });
    const pauses: VolatilityPauseEvent[] = [];
    engine.events.on('volatility_pause', (e) => pauses.push(e));
    engine.start('v');
    driver.run(30);
    expect(pauses[0]).toMatchObject({ strategy_id: 'v', symbol: 'BTCUSDT', state: 'paused', threshold_bps: 1 });
    expect(pauses[0]!.volatility_bps).toBeGreaterThan(1);
    expect(engine.strategy('v').status).toBe('paused');
    expect(engine.strategy('v').pauseReasons).toEqual(['volatility']);
    expect(engine.quotes('v').quotes.bids).toHaveLength(0);
    expect(engine.quotes('v').pull_reason).toBe('not_running');
    expect(engine.metrics('v').risk.volatility_pauses).toBe(pauses.filter((p) => p.state === 'paused').length);
    // a higher threshold lifts it after the cooldown
    engine.patchParameters('v', { volatility_threshold: 10_000 });
    driver.run(15);
    expect(pauses.at(-1)!.state).toBe('resumed');
    expect(engine.strategy('v').status).toBe('running');
    expect(engine.quotes('v').quotes.bids).toHaveLength(3);
  });
});

describe('orders outside the ladder', () => {
  it('POST /api/order goes through the risk gate; reduce_inventory sells down to the target', () => {
    const { engine, driver } = setup();
    engine.load({ name: 'r', symbols: ['BTCUSDT'], parameters: BTC_PARAMS });
    engine.start('r');
    driver.run(1);
    // a market buy would trade against the strategy's own asks: the risk gate refuses it
    expect(() => engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.004, type: 'MARKET', strategy_id: 'r' })).toThrow(/DENY_SELF_CROSS/);
    // paused by hand, the quotes go; then a position for the strategy: a market buy attributed to it
    expect(engine.pause('r')).toMatchObject({ status: 'paused' });
    driver.run(0.5);
    const o = engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.004, type: 'MARKET', strategy_id: 'r' });
    expect(o).toMatchObject({ ok: true, order: { strategy_id: 'r', side: 'BUY', qty: 0.004, type: 'MARKET', price: null } });
    driver.run(0.5);
    const pos = engine.inventory('r').inventory.position;
    expect(pos).toBeGreaterThanOrEqual(0.004);
    expect(() => engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 1, type: 'MARKET', strategy_id: 'r' })).toThrow(/DENY_MAX_POSITION|DENY_MAX_ORDER_SIZE/);
    expect(() => engine.placeOrder({ side: 'BUY', symbol: 'BTCUSDT', qty: 0.0000001, type: 'MARKET' })).toThrow(/lots/);
    engine.resume('r');
    driver.run(0.5);
    expect(engine.quotes('r').quotes.asks.length).toBeGreaterThan(0);

    const red = engine.reduceInventory('r', { target_position: 0.002, aggression: 'aggressive' });
    expect(red).toMatchObject({
      ok: true, strategy_id: 'r', action: 'inventory_reduction', method: 'aggressive_ask', target_position: 0.002, current_position: pos,
    });
    expect(red['qty_to_sell']).toBeCloseTo(pos - 0.002, 9);
    expect(['sent', 'waiting']).toContain(red['status']);
    expect(engine.quotes('r').pull_reason).toBe('inventory_reduction');
    driver.run(1);
    expect(engine.inventory('r').inventory.position).toBeCloseTo(0.002, 9);
    expect(engine.legs('r')[0]!.exitOrderId).toBeNull();
    driver.run(1);
    expect(engine.quotes('r').quotes.asks.length).toBeGreaterThan(0); // quoting again
    expect(() => engine.reduceInventory('r', { target_position: -0.01 })).toThrow(/does not reduce/);

    // seed 000 Step 12: stop, then sell what is left; an order without a strategy goes to the manual account
    engine.stop('r');
    driver.run(0.5);
    const m = engine.placeOrder({ side: 'SELL', symbol: 'BTCUSDT', qty: 0.002, type: 'MARKET' });
    expect(m).toMatchObject({ ok: true, order: { strategy_id: 'manual', qty: 0.002 } });
    driver.run(0.5);
    expect(engine.ledgers.get('manual', 'BTCUSDT')!.position.toNumber()).toBe(-0.002);
  });
});

describe('binary contracts', () => {
  it('quotes the YES book, shows the NO side, and exits the position before resolution', () => {
    const start = 1_704_067_200_000_000_000;
    const config: SimConfigInput = { instruments: [{ symbol: 'BTC-100K-YES', resolutionTsNs: start + 3600e9, regimes: { initial: 'high_volatility' } }] };
    const { engine, driver } = setup(config, 5);
    // no stop loss: a market buy on a 3-cent-wide book is at once a 4 % loss, which the default 2 % stop would close
    engine.load({ name: 'yes', symbols: ['BTC-100K-YES'], parameters: { target_spread: 0.02, order_size: 10, max_inventory: 100, quote_levels: 2, stop_loss_bps: null } });
    engine.start('yes');
    driver.run(1);
    const q = engine.quotes('yes');
    expect(q.quotes.bids).toHaveLength(2);
    // within 6 h of resolution the 2-cent spread doubles
    expect(Math.round((q.quotes.asks[0]!.price - q.quotes.bids[0]!.price) * 100)).toBeGreaterThanOrEqual(4);
    expect(q.no_side!.bids[0]!.price).toBeCloseTo(1 - q.quotes.asks[0]!.price, 9);
    engine.pause('yes');
    driver.run(1);
    engine.placeOrder({ side: 'BUY', symbol: 'BTC-100K-YES', qty: 20, type: 'MARKET', strategy_id: 'yes' });
    driver.run(1);
    engine.resume('yes');
    const inv = engine.inventory('yes');
    expect(inv.binary).toBeDefined();
    expect(inv.binary!.net_position).toBe(inv.inventory.position);
    expect(inv.inventory.position).not.toBe(0);
    driver.run(1900); // 31.7 min in: inside the last 30 minutes
    expect(engine.quotes('yes').quotes.bids).toHaveLength(0);
    expect(engine.inventory('yes').inventory.position).toBe(0);
    expect(engine.quotes('yes').pull_reason).toBe('forced_exit');
  });
});

describe('journal', () => {
  it('strategies, parameter changes, orders and fills are written', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spreadcore-engine-'));
    const journal = Journal.open(join(dir, 'data'));
    cleanup.push(() => { journal.close(); rmSync(dir, { recursive: true, force: true }); });
    const { engine, driver } = setup(HOT, 42, { journal });
    engine.load({ name: 'j', symbols: ['BTCUSDT'], parameters: { ...BTC_PARAMS, quote_refresh_ms: 5000 } });
    const fills: FillEvent[] = [];
    engine.events.on('fill', (f) => fills.push(f));
    engine.start('j');
    driver.run(120);
    engine.patchParameters('j', { spread_bps: 5 });
    engine.stop('j');
    driver.run(1);
    expect(journal.strategy('j')).toMatchObject({ status: 'stopped', type: 'MarketMaking', symbols: ['BTCUSDT'] });
    expect(journal.parameterChanges('j').map((c) => [c.field, c.oldValue, c.newValue])).toContainEqual(['spread_bps', 4, 5]);
    expect(fills.length).toBeGreaterThan(0);
    expect(journal.fills('j').map((f) => f.tradeId)).toEqual(fills.map((f) => f.trade_id));
    const orders = journal.orders({ strategyId: 'j' });
    expect(orders.length).toBe(engine.counters.ordersPlaced);
    expect(journal.orders({ strategyId: 'j', openOnly: true })).toHaveLength(0);

    // a restart: a new engine on the same journal gets the strategy, its fills and its position back
    const before = { inv: engine.inventory('j').inventory, perf: engine.metrics('j').performance, lots: engine.orders.positionLot('j', 'BTCUSDT') };
    engine.close();
    const { engine: again, driver: d2 } = setup(HOT, 43, { journal });
    expect(again.restore()).toMatchObject({ ok: true, strategies: ['j'], fills: fills.length, kill_switch: 'ACTIVE', open_orders: 0 });
    expect(again.strategy('j').params.spread_bps).toBe(5);
    expect(again.metrics('j').performance).toEqual(before.perf);
    expect(again.inventory('j').inventory.position).toBe(before.inv.position);
    expect(again.orders.positionLot('j', 'BTCUSDT')).toBe(before.lots);
    expect(again.risk.exposure('j', 'BTCUSDT')!.positionLot).toBe(before.lots);
    expect(again.legs('j')[0]!.inventoryLot).toBe(before.lots);
    again.start('j');
    d2.run(5);
    expect(journal.strategy('j')!.status).toBe('running');
  });
});
