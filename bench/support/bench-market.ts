// The engine state the gateway benchmarks serve: a TradingEngine on the built-in
// simulator (BTCUSDT, ETHUSDT, a binary contract; fixed seed and start time, so two
// processes built the same way hold the same books and quotes), driven by SimDriver,
// with seed 000's strategy on BTCUSDT, started (ETHUSDT is left free for market
// orders placed by hand: on BTCUSDT they would cross the strategy's own quotes).
import { SimDriver } from '../../src/engine/sim-driver.js';
import { TradingEngine } from '../../src/engine/trading-engine.js';
import type { FeedIngest } from '../../src/feed/ingest/feed-ingest.js';
import { MarketSimulator } from '../../src/feed/sim/market-simulator.js';

export const BENCH_STRATEGY_ID = 'btc_mm_1';
export const BENCH_SYMBOL = 'BTCUSDT';
/** No strategy quotes it: manual market orders fill there without crossing our own quotes. */
export const MANUAL_SYMBOL = 'ETHUSDT';
const SEED000 = { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 };

export interface BenchMarket { engine: TradingEngine; sim: MarketSimulator; driver: SimDriver }

export interface BenchMarketOptions {
  seed?: number;
  /** Simulated start, Unix epoch ns (default: a fixed time). */
  startTsNs?: number;
  /** SimDriver step, ms. */
  stepMs?: number;
  /** Simulated seconds before the strategies start, and after. */
  warmS?: number;
  runS?: number;
  ingest?: FeedIngest;
}

export function benchMarket(o: BenchMarketOptions = {}): BenchMarket {
  // order-rate limits out of the way: the benchmarks place orders faster than a person would
  // the manual account's limit out of the way too: the fan-out benchmark's market orders run one side at a time
  const engine = new TradingEngine({ riskLimits: { max_orders_per_second: 1e6, order_burst: 1e6 }, manualMaxNotional: 1e12, ...(o.ingest !== undefined ? { ingest: o.ingest } : {}) });
  const sim = new MarketSimulator({ startTsNs: o.startTsNs ?? 1_700_000_000_000_000_000 }, o.seed ?? 7);
  const driver = new SimDriver(engine, sim, { stepMs: o.stepMs ?? 5 });
  driver.run(o.warmS ?? 10);
  engine.load({ name: BENCH_STRATEGY_ID, symbols: [BENCH_SYMBOL], parameters: SEED000 });
  engine.start(BENCH_STRATEGY_ID);
  driver.run(o.runS ?? 30);
  return { engine, sim, driver };
}
