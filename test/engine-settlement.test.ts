// Settlement of binary contracts: when the simulator's contract resolves, every
// position on it pays 1 (YES) or 0 (NO) in the ledger, realized P&L and the inventory
// view say so, the legs stop quoting for good, a market_resolved event goes out, and a
// restart on the same journal keeps the settlement.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine, type MarketResolvedEvent } from '../src/engine/index.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { Journal } from '../src/store/index.js';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

const START = 1_704_067_200_000_000_000;
const CONFIG: SimConfigInput = { startTsNs: START, instruments: [{ symbol: 'BTC-100K-YES', resolutionTsNs: START + 900e9 }] };

describe('binary settlement', () => {
  it('pays 1 or 0 on the held contracts, stops the legs, emits market_resolved, and survives a restart', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-settle-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const journal = Journal.open(dir);
    const engine = new TradingEngine({ journal });
    const sim = new MarketSimulator(CONFIG, 3);
    const driver = new SimDriver(engine, sim);
    driver.run(2);
    engine.load({ name: 'pm', symbols: ['BTC-100K-YES'], parameters: { target_spread: 0.04, order_size: 5, max_inventory: 100, quote_levels: 1, forced_exit_hours: 0 } });
    // a position of 20 YES bought by hand, held to resolution (no forced exit)
    engine.placeOrder({ side: 'BUY', symbol: 'BTC-100K-YES', qty: 20, type: 'MARKET', strategy_id: 'pm' });
    engine.start('pm');
    driver.run(60);
    const events: MarketResolvedEvent[] = [];
    engine.events.on('market_resolved', (e) => events.push(e));
    const held = engine.inventory('pm').inventory.position;
    expect(held).toBeGreaterThan(0);
    driver.run(900);
    expect(events).toHaveLength(1);
    const ev = events[0]!;
    const outcome = sim.symbol('BTC-100K-YES')!.outcome;
    expect(ev.outcome).toBe(outcome === 'yes' ? 'YES' : 'NO');
    expect(ev.settlement_price).toBe(outcome === 'yes' ? 1 : 0);
    const pos = ev.positions.find((p) => p.strategy_id === 'pm')!;
    expect(pos.position).not.toBe(0);
    // after settlement: flat, nothing quoted, resolved in the inventory view
    const inv = engine.inventory('pm');
    expect(inv.inventory.position).toBe(0);
    expect(inv.binary!.resolved).toBe(ev.outcome);
    expect(engine.quotes('pm').quotes.bids).toHaveLength(0);
    expect(engine.quotes('pm').pull_reason).toBe('resolved');
    expect(engine.orders.openOrders('pm')).toHaveLength(0);
    const realized = engine.metrics('pm').performance.net_profit;
    engine.close();
    journal.close();

    // a restart on the journal: the same realized P&L and a flat position
    const j2 = Journal.open(dir);
    cleanup.push(() => j2.close());
    const e2 = new TradingEngine({ journal: j2 });
    cleanup.push(() => e2.close());
    const d2 = new SimDriver(e2, new MarketSimulator(CONFIG, 3));
    d2.run(1);
    e2.restore();
    expect(e2.inventory('pm').inventory.position).toBe(0);
    expect(e2.metrics('pm').performance.net_profit).toBeCloseTo(realized, 9);
  });
});

describe('seed 004 time-to-resolution rules as parameters', () => {
  it('spread tiers pick the tightest tier whose hours exceed the time left; the forced exit follows forced_exit_hours', async () => {
    const { resolutionSpreadMultiplier, binaryPhase, BINARY_FORCED_EXIT, BINARY_QUOTE, BINARY_TOO_FAR, BINARY_RESOLVED } = await import('../src/strategy/binary-market-rules.js');
    const { validateParams } = await import('../src/strategy/params/index.js');
    const seed = validateParams({});
    expect(resolutionSpreadMultiplier(seed, 10)).toBe(1);
    expect(resolutionSpreadMultiplier(seed, 5.9)).toBe(2);
    const tiers = validateParams({ resolution_tier_hours: [24, 6, 1], resolution_tier_multipliers: [1.5, 2, 3] });
    expect([30, 20, 5, 0.5].map((h) => resolutionSpreadMultiplier(tiers, h))).toEqual([1, 1.5, 2, 3]);
    expect(() => validateParams({ resolution_tier_hours: [24, 6], resolution_tier_multipliers: [2] })).toThrow('resolution_tier_multipliers');
    expect(binaryPhase(seed, 0.4)).toBe(BINARY_FORCED_EXIT);
    expect(binaryPhase(validateParams({ forced_exit_hours: 0 }), 0.4)).toBe(BINARY_QUOTE);
    expect(binaryPhase(validateParams({ max_time_to_resolution_hours: 72 }), 100)).toBe(BINARY_TOO_FAR);
    expect(binaryPhase(seed, 0)).toBe(BINARY_RESOLVED);
  });
});

describe('a fair value the trader sets', () => {
  it('quotes centre on fair_value_price, and a PATCH moves them; off the tick grid it is refused', () => {
    const engine = new TradingEngine();
    cleanup.push(() => engine.close());
    const driver = new SimDriver(engine, new MarketSimulator({ startTsNs: START, instruments: [{ symbol: 'BTC-100K-YES', resolutionTsNs: START + 100 * 3600e9 }] }, 4));
    driver.run(2);
    const st = engine.ingest.bySymbolName('BTC-100K-YES')!;
    const mid = Math.round(engine.ingest.books.midTick(st.book)) / 100;
    const fair = Math.round((mid + 0.01) * 100) / 100; // a view one cent above the market's
    engine.load({ name: 'fv', symbols: ['BTC-100K-YES'], parameters: { spread_price: 0.1, order_size: 5, max_position: 50, quote_levels: 1, fair_value_price: fair, inventory_skew: false } });
    engine.start('fv');
    let q = engine.quotes('fv').quotes;
    const r2 = (x: number): number => Math.round(x * 100) / 100;
    expect([q.bids[0]!.price, q.asks[0]!.price]).toEqual([r2(fair - 0.05), r2(fair + 0.05)]);
    engine.patchParameters('fv', { fair_value_price: r2(fair - 0.05) }); // beyond any requote tolerance
    driver.run(1);
    q = engine.quotes('fv').quotes;
    expect([q.bids[0]!.price, q.asks[0]!.price]).toEqual([r2(fair - 0.1), r2(fair)]);
    expect(() => engine.patchParameters('fv', { fair_value_price: 0.555 })).toThrow('fair_value_price');
    expect(engine.parameters('fv').parameters['fair_value_price']).toBe(r2(fair - 0.05));
  });
});
