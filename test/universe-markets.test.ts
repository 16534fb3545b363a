// Many markets at once (seed 004): the simulator's universe of binary markets, the
// scanner of a universe strategy (max_markets by ranking, retiring near resolution,
// picking up new listings, quoter slots released), GET /api/markets, and the event
// map (net exposure across symbols, max_event_exposure refusals, arbitrage signals).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine, type ArbitrageSignalEvent, type MarketScanEvent } from '../src/engine/index.js';
import type { FeedSink, InstrumentDefinition } from '../src/feed/feed-sink.js';
import { MarketSimulator, type SimConfigInput } from '../src/feed/sim/index.js';
import { API_ROUTES, answerNow, matchRoute } from '../src/gateway/routes-api.js';
import { scanMarkets, type MarketReading } from '../src/strategy/market-scanner.js';
import { Journal } from '../src/store/index.js';

const START = 1_704_067_200_000_000_000;
const cleanup: (() => void)[] = [];
afterEach(() => { for (const f of cleanup.splice(0).reverse()) f(); });

function engineOn(config: SimConfigInput, seed: number): { engine: TradingEngine; sim: MarketSimulator; driver: SimDriver } {
  const engine = new TradingEngine();
  cleanup.push(() => engine.close());
  const sim = new MarketSimulator(config, seed);
  const driver = new SimDriver(engine, sim);
  return { engine, sim, driver };
}

/** Records what a simulator sends: definitions, settlements and a checksum of everything else. */
class Recorder implements FeedSink {
  defs: InstrumentDefinition[] = [];
  settles: { symbolId: number; outcome: string; ts: number }[] = [];
  sum = 0;
  n = 0;
  instrument(def: InstrumentDefinition): void { this.defs.push(def); }
  snapshot(id: number, seq: number, ts: number, _b: Float64Array, nb: number, _a: Float64Array, na: number): void { this.mix(id, seq, ts, nb + na); }
  levelSet(id: number, seq: number, ts: number, side: number, tick: number, qty: number): void { this.mix(id, seq, ts, side + tick + qty); }
  levelChange(id: number, seq: number, ts: number, side: number, tick: number, d: number): void { this.mix(id, seq, ts, side + tick + d); }
  trade(id: number, seq: number, ts: number, side: number, tick: number, qty: number): void { this.mix(id, seq, ts, side + tick + qty); }
  heartbeat(): void { /* nothing */ }
  settle(symbolId: number, ts: number, outcome: 'yes' | 'no'): void { this.settles.push({ symbolId, outcome, ts }); }
  endOfBatch(): void { this.n++; }
  private mix(id: number, seq: number, ts: number, x: number): void { this.sum = (this.sum * 31 + id * 7 + seq + (ts % 1e9) / 1e3 + x) % 1e12; }
}

const SHORT_UNIVERSE: SimConfigInput = {
  startTsNs: START,
  instruments: [{ symbol: 'BTCUSDT' }],
  universe: { binaryMarkets: 6, minResolutionS: 300, maxResolutionS: 900, relistDelayS: 5 },
};

describe('binary universe (simulator)', () => {
  it('is deterministic by seed, resolves markets and lists new ones on the freed symbol ids', () => {
    const run = (seed: number): Recorder => {
      const sim = new MarketSimulator(SHORT_UNIVERSE, seed);
      const r = new Recorder();
      sim.start(r);
      sim.advanceTo(START + 1000e9, r);
      return r;
    };
    const a = run(11);
    const b = run(11);
    const c = run(12);
    expect(a.sum).toBe(b.sum);
    expect(a.defs).toEqual(b.defs);
    expect(a.settles).toEqual(b.settles);
    expect(c.sum).not.toBe(a.sum);
    // 1 fixed instrument + 6 markets at start; every market resolves within 15 min and is replaced on its id
    expect(a.defs.slice(0, 7).map((d) => d.symbol)).toEqual(['BTCUSDT', 'PM-001-YES', 'PM-002-YES', 'PM-003-YES', 'PM-004-YES', 'PM-005-YES', 'PM-006-YES']);
    expect(a.settles.length).toBeGreaterThanOrEqual(6);
    const relisted = a.defs.slice(7);
    expect(relisted.length).toBeGreaterThanOrEqual(6);
    for (const d of relisted) {
      expect(d.kind).toBe('binary');
      expect(d.symbolId).toBeGreaterThanOrEqual(100);
      expect(d.symbolId).toBeLessThan(106);
      expect(d.resolutionTsNs).toBeGreaterThan(START);
    }
    // a new listing comes relistDelayS after its slot's settlement
    const first = a.settles[0]!;
    const next = a.defs.find((d, i) => i >= 7 && d.symbolId === first.symbolId)!;
    expect(next.symbol).toBe('PM-007-YES');
  });

  it('keeps the books in use constant in the engine (ingest frees a resolved market\'s book)', () => {
    const { engine, sim, driver } = engineOn(SHORT_UNIVERSE, 5);
    driver.run(1000);
    expect(engine.ingest.symbols()).toHaveLength(7);
    expect(engine.ingest.counters.refusedDefinitions).toBe(0);
    expect(sim.universe!.listings.length).toBeGreaterThanOrEqual(12);
    expect(sim.universe!.openListings().length).toBeLessThanOrEqual(6);
  });
});

describe('market scanner', () => {
  it('ranks eligible markets, keeps incumbents, gives every other market its reason', () => {
    const r = (symbol: string, over: Partial<MarketReading>): MarketReading => ({
      symbol, hoursToResolution: 10, settled: false, liquidity: 1000, spread: 0.02, volume: 100, incumbent: false, gridProblem: null, ...over,
    });
    const readings = [
      r('A', { liquidity: 500 }), r('B', { liquidity: 3000 }), r('C', { liquidity: 2000 }), r('D', { liquidity: 1500, incumbent: true }),
      r('E', { hoursToResolution: 100 }), r('F', { liquidity: 50 }), r('G', { spread: 0.2 }), r('H', { hoursToResolution: 0.2 }),
      r('I', { settled: true }), r('J', { spread: NaN }),
    ];
    const d = scanMarkets(readings, { maxMarkets: 3, minLiquidity: 100, maxHoursToResolution: 72, forcedExitHours: 0.5, maxSpread: 0.1, minVolume: null });
    const by = Object.fromEntries(d.map((x) => [x.symbol, x.reason]));
    expect(by).toEqual({
      A: 'max_markets_reached', B: 'quoted', C: 'quoted', D: 'quoted', E: 'too_far_from_resolution', F: 'below_min_liquidity',
      G: 'spread_too_wide', H: 'forced_exit', I: 'resolved', J: 'no_book',
    });
    expect(d.filter((x) => x.quote)).toHaveLength(3);
    // without the incumbent, the three most liquid win
    const d2 = scanMarkets(readings.map((x) => ({ ...x, incumbent: false })), { maxMarkets: 2, minLiquidity: null, maxHoursToResolution: null, forcedExitHours: 0.5, maxSpread: null, minVolume: null });
    expect(d2.filter((x) => x.quote).map((x) => x.symbol).sort()).toEqual(['B', 'C']);
  });

  it('quotes at most max_markets, picked by its ranking; GET /api/markets gives every market its reason', () => {
    const { engine, driver } = engineOn({ startTsNs: START, instruments: [{ symbol: 'BTCUSDT' }], universe: { binaryMarkets: 12 } }, 7);
    driver.run(5);
    engine.load({
      name: 'pm_1', type: 'MarketMaking', universe: { venue: 'sim', kind: 'binary' },
      parameters: { max_markets: 2, min_liquidity: 200, max_time_to_resolution_hours: 48, order_size: 5, max_position: 50, spread_bps: 400, imbalance_depth_levels: 5 },
    });
    expect(engine.legs('pm_1')).toHaveLength(0); // loaded: the scan only ranks
    const started = engine.start('pm_1');
    const legs = engine.legs('pm_1');
    expect(legs).toHaveLength(2);
    expect(Object.keys(started.symbols!).sort()).toEqual(legs.map((l) => l.symbol).sort());
    const { route, params } = matchRoute(API_ROUTES, 'GET', '/api/markets');
    const view = answerNow(route, { engine, params, query: new URLSearchParams(), body: undefined, health: () => ({}) }).body as ReturnType<TradingEngine['marketsView']>;
    expect(view.markets).toHaveLength(12);
    const quoted = view.markets.filter((m) => m.quoted);
    expect(quoted.map((m) => m.symbol).sort()).toEqual(legs.map((l) => l.symbol).sort());
    for (const m of quoted) { expect(m.quoted_by).toEqual(['pm_1']); expect(m.reason).toBe('quoted'); }
    // the ranking: the quoted ones are the two most liquid of the eligible markets
    const waiting = view.markets.filter((m) => m.reason === 'max_markets_reached');
    expect(waiting.length).toBeGreaterThan(0);
    const minQuoted = Math.min(...quoted.map((m) => m.liquidity!));
    for (const m of waiting) expect(m.liquidity!).toBeLessThanOrEqual(minQuoted);
    expect(quoted.map((m) => m.strategies['pm_1']!.rank).sort()).toEqual([1, 2]);
    // every other market says why not
    const reasons = new Set(view.markets.map((m) => m.reason));
    for (const r of reasons) expect(['quoted', 'max_markets_reached', 'too_far_from_resolution', 'below_min_liquidity', 'forced_exit', 'spread_too_wide']).toContain(r);
    expect(reasons.has('too_far_from_resolution')).toBe(true);
    expect(reasons.has('below_min_liquidity')).toBe(true);
    for (const m of view.markets) {
      if (m.reason === 'too_far_from_resolution') expect(m.hours_to_resolution!).toBeGreaterThan(48);
      if (m.reason === 'below_min_liquidity') expect(m.liquidity!).toBeLessThan(200);
    }
    expect(view.scanners).toEqual([{ strategy_id: 'pm_1', max_markets: 2, quoted: 2, next_scan_in_seconds: 30 }]);
    // a PATCH applies at the next step: one more market, the next in rank
    const third = view.markets.find((m) => m.strategies['pm_1']!.rank === 3)!.symbol;
    engine.patchParameters('pm_1', { max_markets: 3 });
    driver.run(0.2);
    expect(engine.legs('pm_1').map((l) => l.symbol)).toContain(third);
    expect(engine.legs('pm_1')).toHaveLength(3);
  });

  it('retires a market near resolution, settles it, releases its slot and picks up a newly listed market', () => {
    const { engine, driver } = engineOn(SHORT_UNIVERSE, 3);
    const scans: MarketScanEvent[] = [];
    engine.events.on('market_scan', (e) => scans.push(e));
    driver.run(2);
    engine.load({
      name: 'pm_all', universe: { venue: 'sim', kind: 'binary', prefix: 'PM-' },
      parameters: { max_markets: 6, order_size: 5, max_position: 50, spread_bps: 400, forced_exit_hours: 0.05, scan_interval_seconds: 10 },
    });
    engine.start('pm_all');
    const initial = engine.legs('pm_all').map((l) => l.symbol);
    expect(initial.length).toBeGreaterThanOrEqual(5);
    const slotsBefore = (engine as unknown as { slots: { available: number } }).slots.available;
    driver.run(1000);
    const retired = scans.filter((e) => e.action === 'retired');
    expect(retired.some((e) => e.reason === 'forced_exit' && initial.includes(e.symbol))).toBe(true);
    const fe = retired.find((e) => e.reason === 'forced_exit')!;
    expect(fe.hours_to_resolution!).toBeLessThan(0.05);
    expect(scans.some((e) => e.action === 'removed' && e.symbol === fe.symbol)).toBe(true);
    // its ledger stays readable by symbol after the leg is gone
    expect(engine.legs('pm_all').some((l) => l.symbol === fe.symbol)).toBe(false);
    expect(engine.metrics('pm_all', fe.symbol).strategy_id).toBe('pm_all');
    // new listings (PM-007 and later) were added by the scanner
    const added = scans.filter((e) => e.action === 'added').map((e) => e.symbol);
    expect(added.some((s) => Number(s.slice(3, 6)) > 6)).toBe(true);
    // at most max_markets quoted legs at any time, and the slots of removed legs came back
    const legs = engine.legs('pm_all');
    expect(legs.filter((l) => !l.retired).length).toBeLessThanOrEqual(6);
    const slotsNow = (engine as unknown as { slots: { available: number } }).slots.available;
    expect(slotsNow).toBe(slotsBefore + initial.length - legs.length);
    const view = engine.marketsView();
    expect(view.markets.filter((m) => m.status === 'resolved').every((m) => m.reason === 'resolved' && !m.quoted)).toBe(true);
    expect(view.markets.some((m) => m.status === 'resolved')).toBe(true);
  });

  it('journals the universe with the definition: a restart loads the scanner again', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sc-universe-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const journal = Journal.open(dir);
    const engine = new TradingEngine({ journal });
    const sim = new MarketSimulator({ startTsNs: START, instruments: [{ symbol: 'BTCUSDT' }], universe: { binaryMarkets: 4 } }, 2);
    new SimDriver(engine, sim).run(2);
    engine.load({ name: 'pm_1', universe: { venue: 'sim', kind: 'binary' }, parameters: { max_markets: 2, order_size: 5, scan_interval_seconds: 12 } });
    engine.close();
    journal.close();
    const j2 = Journal.open(dir);
    cleanup.push(() => j2.close());
    const e2 = new TradingEngine({ journal: j2 });
    cleanup.push(() => e2.close());
    new SimDriver(e2, new MarketSimulator({ startTsNs: START, instruments: [{ symbol: 'BTCUSDT' }], universe: { binaryMarkets: 4 } }, 2)).run(2);
    expect(e2.restore().strategies).toEqual(['pm_1']);
    expect(e2.parameters('pm_1').parameters['scan_interval_seconds']).toBe(12);
    expect(e2.marketsView().scanners.map((s) => s.strategy_id)).toEqual(['pm_1']);
  });
});

describe('event map: cross-platform inventory', () => {
  it('sums exposure across two symbols (same and opposite), skews both legs, and refuses orders past max_event_exposure', () => {
    const { engine, driver } = engineOn({ startTsNs: START, instruments: [{ symbol: 'BTCUSDT' }], universe: { binaryMarkets: 4, minResolutionS: 86400 } }, 9);
    driver.run(3);
    engine.putEvent('ev1', { description: 'one event on two venues', symbols: [{ symbol: 'PM-001-YES', direction: 'same' }, { symbol: 'PM-002-YES', direction: 'opposite' }] });
    engine.load({ name: 'a', symbols: ['PM-001-YES', 'PM-002-YES'], parameters: { order_size: 5, max_position: 100, spread_bps: 400, max_event_exposure: 10 } });
    engine.placeOrder({ side: 'BUY', symbol: 'PM-001-YES', qty: 8, type: 'MARKET', strategy_id: 'a' });
    driver.run(1);
    // another strategy buys YES of the opposite symbol: −5 of event exposure
    engine.load({ name: 'b', symbols: ['PM-002-YES'], parameters: { order_size: 5, max_position: 100, spread_bps: 400 } });
    engine.placeOrder({ side: 'BUY', symbol: 'PM-002-YES', qty: 5, type: 'MARKET', strategy_id: 'b' });
    driver.run(1);
    const x = engine.eventExposure('ev1')!;
    expect(x['net_exposure']).toBe(3);
    expect(x['by_account']).toEqual({ a: 8, b: -5 });
    expect(x['max_event_exposure']).toEqual({ a: 10 });
    const legs = engine.legs('a');
    expect(legs.find((l) => l.symbol === 'PM-001-YES')!.skewInventoryLot).toBe(3);
    expect(legs.find((l) => l.symbol === 'PM-002-YES')!.skewInventoryLot).toBe(-3);
    // 3 + 10 = 13 > 10: refused; 3 + 7 = 10 passes
    expect(() => engine.placeOrder({ side: 'BUY', symbol: 'PM-001-YES', qty: 10, type: 'MARKET', strategy_id: 'a' })).toThrow(/DENY_MAX_EVENT_EXPOSURE/);
    // selling YES of the opposite symbol adds exposure too (−(−1) × 10)
    expect(() => engine.placeOrder({ side: 'SELL', symbol: 'PM-002-YES', qty: 10, type: 'MARKET', strategy_id: 'a' })).toThrow(/DENY_MAX_EVENT_EXPOSURE/);
    engine.placeOrder({ side: 'BUY', symbol: 'PM-001-YES', qty: 7, type: 'MARKET', strategy_id: 'a' });
    driver.run(1);
    expect(engine.eventExposure('ev1')!['net_exposure']).toBe(10);
    // an order that reduces the exposure always passes
    engine.placeOrder({ side: 'SELL', symbol: 'PM-001-YES', qty: 4, type: 'MARKET', strategy_id: 'a' });
    driver.run(1);
    expect(engine.eventExposure('ev1')!['net_exposure']).toBe(6);
    expect(engine.eventsView().events).toEqual([expect.objectContaining({ id: 'ev1', net_exposure: 6 })]);
    const { route, params } = matchRoute(API_ROUTES, 'GET', '/api/events/nope/exposure');
    expect(() => answerNow(route, { engine, params, query: new URLSearchParams(), body: undefined, health: () => ({}) })).toThrow(/no event/);
  });

  it('reports an arbitrage signal when two mapped markets are priced apart by more than the fees', () => {
    const { engine, driver } = engineOn({ startTsNs: START, instruments: [{ symbol: 'BTCUSDT' }], universe: { binaryMarkets: 4, minResolutionS: 86400 } }, 9);
    driver.run(3);
    const mids = engine.marketsView().markets.map((m) => ({ symbol: m.symbol, mid: m.mid! })).sort((p, q) => p.mid - q.mid);
    const lo = mids[0]!;
    const hi = mids[mids.length - 1]!;
    expect(hi.mid - lo.mid).toBeGreaterThan(0.1);
    const signals: ArbitrageSignalEvent[] = [];
    engine.events.on('arbitrage_signal', (e) => signals.push(e));
    // the same event on both: the cheap one should be bought, the dear one sold
    engine.putEvent('same-event', { symbols: [{ symbol: lo.symbol, direction: 'same' }, { symbol: hi.symbol, direction: 'same' }] });
    driver.run(2);
    expect(signals.length).toBeGreaterThan(0);
    const s = signals[0]!;
    expect(s.event_id).toBe('same-event');
    expect(s.buy.symbol).toBe(lo.symbol);
    expect(s.sell.symbol).toBe(hi.symbol);
    expect(s.gap).toBeGreaterThan(s.fees);
    expect(s.edge).toBeCloseTo(s.gap - s.fees, 8);
    const x = engine.eventExposure('same-event')!;
    expect((x['arbitrage'] as { edge: number }).edge).toBeGreaterThan(0);
    expect(x['last_arbitrage_signal']).not.toBeNull();
    // mapped as opposite outcomes, YES prices that add up to about 1 are consistent: no signal from a pair summing to < 1 + fees
    const pairs = engine.eventExposure('same-event')!['symbols'] as { event_bid: number; event_ask: number }[];
    expect(pairs.every((p) => p.event_bid < p.event_ask)).toBe(true);
  });
});
