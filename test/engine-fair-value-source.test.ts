// fair_value_source "event": a leg quotes around the mid of the other symbols of its event
// (another venue's book for the same event), in its own direction, instead of its own
// book's; with no such book it pulls its quotes (no_fair_value). On the simulator's
// universe: two markets tied in one event, the leg on one centres on the other's mid.
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';
import { depthView } from '../src/gateway/routes-depth.js';

const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

const START = 1_704_067_200_000_000_000;
// seed 1's universe: PM-002 0.575, PM-003 0.485, PM-004 0.465, PM-006 0.385 at the start
const A = 'PM-003-YES';
const B = 'PM-004-YES';

function setup(a: string, b: string, direction: 'same' | 'opposite'): { engine: TradingEngine; driver: SimDriver } {
  const engine = new TradingEngine();
  cleanup.push(() => engine.close());
  const sim = new MarketSimulator({ startTsNs: START, universe: { binaryMarkets: 6, minResolutionS: 30 * 86400, maxResolutionS: 60 * 86400 } }, 1);
  const driver = new SimDriver(engine, sim);
  driver.run(2);
  engine.loadEvents([{ id: 'ev', description: 'A and B are one event', symbols: [{ symbol: a, direction: 'same' }, { symbol: b, direction }] }]);
  return { engine, driver };
}

function midOf(engine: TradingEngine, symbol: string): number {
  const d = depthView(engine.ingest, symbol, 1) as unknown as { bids: Array<{ price: number }>; asks: Array<{ price: number }> };
  return (d.bids[0]!.price + d.asks[0]!.price) / 2;
}

const PARAMS = { base_spread: 0.04, quote_size: 5, quote_levels: 1, max_inventory: 50, dynamic_spread: false, fair_value_source: 'event' };
type Started = { initial_quotes: { bid_levels: Array<{ price: number }>; ask_levels: Array<{ price: number }> } };

describe('fair_value_source: event', () => {
  it('centres a leg on the mid of the other venue\'s symbol of the same event', () => {
    const { engine } = setup(A, B, 'same');
    const ownMid = midOf(engine, A);
    const otherMid = midOf(engine, B);
    expect(Math.abs(ownMid - otherMid)).toBeGreaterThanOrEqual(0.015); // two different markets: the test tells them apart
    engine.load({ name: 'f1', symbols: [A], parameters: PARAMS });
    const r = engine.start('f1') as Started;
    const bid = r.initial_quotes.bid_levels[0]!.price;
    const ask = r.initial_quotes.ask_levels[0]!.price;
    // 0.04 around B's mid, each side rounded away from it onto A's cent grid
    expect(bid).toBeLessThanOrEqual(otherMid - 0.02 + 1e-9);
    expect(bid).toBeGreaterThan(otherMid - 0.03 - 1e-9);
    expect(ask).toBeGreaterThanOrEqual(otherMid + 0.02 - 1e-9);
    expect(ask).toBeLessThan(otherMid + 0.03 + 1e-9);
  });

  it('reads an opposite symbol as 1 − its mid', () => {
    const { engine } = setup('PM-002-YES', 'PM-006-YES', 'opposite');
    const fair = 1 - midOf(engine, 'PM-006-YES');
    expect(Math.abs(fair - midOf(engine, 'PM-002-YES'))).toBeGreaterThanOrEqual(0.02);
    engine.load({ name: 'f2', symbols: ['PM-002-YES'], parameters: PARAMS });
    const r = engine.start('f2') as Started;
    // the ask sits 0.02 above 1 − B's mid (rounded up to the cent); the bid at least 0.02 below (post-only may move it lower)
    const ask = r.initial_quotes.ask_levels[0]!.price;
    expect(ask).toBeGreaterThanOrEqual(fair + 0.02 - 1e-9);
    expect(ask).toBeLessThan(fair + 0.03 + 1e-9);
    expect(r.initial_quotes.bid_levels[0]!.price).toBeLessThanOrEqual(fair - 0.02 + 1e-9);
  });

  it('pulls its quotes when the event has no other book, and fair_value_price still wins', () => {
    const { engine, driver } = setup(A, B, 'same');
    engine.putEvent('ev', { symbols: [{ symbol: A, direction: 'same' }] });
    engine.load({ name: 'f3', symbols: [A], parameters: PARAMS });
    engine.start('f3');
    driver.run(1);
    const q = engine.quotes('f3') as { pull_reason: string; quotes: { bids: unknown[] } };
    expect(q.pull_reason).toBe('no_fair_value');
    expect(q.quotes.bids).toHaveLength(0);
    engine.patchParameters('f3', { fair_value_price: 0.5 });
    driver.run(1);
    const q2 = engine.quotes('f3') as { pull_reason: string; quotes: { bids: Array<{ price: number }>; asks: Array<{ price: number }> } };
    expect(q2.pull_reason).toBe('none');
    expect([q2.quotes.bids[0]!.price, q2.quotes.asks[0]!.price]).toEqual([0.48, 0.52]);
  });
});
