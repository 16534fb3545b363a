// Seed 000's tutorial on the built-in market at full speed on simulated time: how
// soon the first fill comes, fills, churn (orders placed / cancelled per minute),
// fill_rate_pct, time at best, skew after fills, and the stream's event counts.
//   npm run build:ts && node dist/bench/tutorial-sim.js [minutes, default 10] [seed, default 1]
import { SimDriver, TradingEngine, ENGINE_EVENT_NAMES, type EngineEventName } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/market-simulator.js';

export const SEED000_PARAMS = { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 };

export interface TutorialRun {
  minutes: number;
  firstFillS: number | null;
  fills: number;
  roundTrips: number;
  placed: number;
  cancelled: number;
  placedPerMin: number;
  maxPlacedIn10s: number;
  fillRatePct: number;
  timeAtBestBidPct: number;
  timeAtBestAskPct: number;
  skewedUpdates: number;
  events: Record<string, number>;
  /** SSE bytes per event type (id, event and data lines). */
  bytes: Record<string, number>;
  /** Orders placed in each simulated minute. */
  placedPerMinute: number[];
}

export function runTutorial(minutes: number, seed: number, extra: Record<string, unknown> = {}): TutorialRun {
  const engine = new TradingEngine();
  try {
    const sim = new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, seed);
    const driver = new SimDriver(engine, sim);
    driver.run(2);
    const events: Record<string, number> = {};
    const bytes: Record<string, number> = {};
    for (const n of ENGINE_EVENT_NAMES) {
      events[n] = 0;
      bytes[n] = 0;
      // an SSE frame: "id: N\nevent: NAME\ndata: JSON\n\n"
      engine.events.on(n as EngineEventName, (e: unknown) => { events[n]!++; bytes[n]! += JSON.stringify(e).length + n.length + 34; });
    }
    let firstFillNs = NaN;
    const t0 = driver.nowNs;
    const placedAt: number[] = [];
    let skewed = 0;
    engine.events.on('fill', () => { if (Number.isNaN(firstFillNs)) firstFillNs = driver.nowNs; });
    let cancelled = 0;
    engine.events.on('order', (e) => {
      if (e.previous_status === null) placedAt.push(driver.nowNs);
      if (e.status === 'CANCELLED' && e.previous_status !== 'CANCELLED') cancelled++;
    });
    engine.events.on('quote_update', (e) => { if (e.skew !== undefined) skewed++; });
    engine.load({ name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: { ...SEED000_PARAMS, ...extra } });
    engine.start('btc_mm_1');
    driver.run(minutes * 60);
    const m = engine.metrics('btc_mm_1');
    let maxIn10 = 0;
    for (let i = 0, j = 0; i < placedAt.length; i++) {
      while (placedAt[i]! - placedAt[j]! >= 10e9) j++;
      maxIn10 = Math.max(maxIn10, i - j + 1);
    }
    return {
      minutes,
      firstFillS: Number.isNaN(firstFillNs) ? null : (firstFillNs - t0) / 1e9,
      fills: m.performance.total_trades,
      roundTrips: m.performance.round_trips,
      placed: placedAt.length,
      cancelled,
      placedPerMin: placedAt.length / minutes,
      maxPlacedIn10s: maxIn10,
      fillRatePct: m.quoting.fill_rate_pct,
      timeAtBestBidPct: m.quoting.time_at_best_bid_pct,
      timeAtBestAskPct: m.quoting.time_at_best_ask_pct,
      skewedUpdates: skewed,
      events,
      bytes,
      placedPerMinute: Array.from({ length: minutes }, (_, k) => placedAt.filter((t) => t >= t0 + k * 60e9 && t < t0 + (k + 1) * 60e9).length),
    };
  } finally {
    engine.close();
  }
}

if (process.argv[1]?.endsWith('tutorial-sim.js')) {
  const minutes = Number(process.argv[2] ?? 10);
  const seeds = (process.argv[3] ?? '1').split(',').map(Number);
  for (const s of seeds) process.stdout.write(`seed ${s}: ${JSON.stringify(runTutorial(minutes, s))}\n`);
}
