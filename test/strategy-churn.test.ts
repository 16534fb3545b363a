// Seed 000's strategy on the built-in market for 10 simulated minutes (SimDriver, full
// speed): orders placed per minute and in every 10 s window stay well below Binance's
// order-rate limit (50 orders / 10 s), quotes still trade, and the stream's `order`
// traffic is what /api/stream leaves out by default. Counts, not times.
import { afterEach, describe, expect, it } from 'vitest';
import { SimDriver, TradingEngine } from '../src/engine/index.js';
import { MarketSimulator } from '../src/feed/sim/index.js';

const SEED000 = { spread_bps: 4.0, order_size: 0.001, max_position: 0.01, quote_levels: 3, level_spacing_bps: 2.0, inventory_skew: true, skew_factor: 0.5 };
const engines: TradingEngine[] = [];
afterEach(() => { for (const e of engines.splice(0)) e.close(); });

function run(seed: number, minutes: number): { placed: number[]; perMinute: number[]; fills: number; events: Record<string, number> } {
  const engine = new TradingEngine();
  engines.push(engine);
  const driver = new SimDriver(engine, new MarketSimulator({ instruments: [{ symbol: 'BTCUSDT' }] }, seed));
  driver.run(2);
  const t0 = driver.nowNs;
  const placed: number[] = [];
  const events: Record<string, number> = { order: 0, quote_update: 0, fill: 0 };
  let fills = 0;
  engine.events.on('order', (e) => { events['order']!++; if (e.previous_status === null) placed.push((driver.nowNs - t0) / 1e9); });
  engine.events.on('quote_update', () => { events['quote_update']!++; });
  engine.events.on('fill', () => { events['fill']!++; fills++; });
  engine.load({ name: 'btc_mm_1', type: 'MarketMaking', symbols: ['BTCUSDT'], parameters: SEED000 });
  engine.start('btc_mm_1');
  driver.run(minutes * 60);
  const perMinute = Array.from({ length: minutes }, (_, k) => placed.filter((t) => t >= k * 60 && t < (k + 1) * 60).length);
  return { placed, perMinute, fills, events };
}

describe('requote churn with seed 000\'s parameters on the built-in market', () => {
  for (const seed of [1, 2]) {
    it(`seed ${seed}: orders per minute and per 10 s stay well below Binance's 50 / 10 s`, () => {
      const r = run(seed, 10);
      // every simulated minute: at most 12 + 6 x 20 = 132 by the budget; on average far fewer
      for (const n of r.perMinute) expect(n).toBeLessThanOrEqual(132);
      const mean = r.perMinute.reduce((a, b) => a + b, 0) / r.perMinute.length;
      expect(mean).toBeLessThanOrEqual(90);
      // any 10 s window: at most 32 (two ladders at once, one more ladder every 3 s)
      let max10 = 0;
      for (let i = 0, j = 0; i < r.placed.length; i++) {
        while (r.placed[i]! - r.placed[j]! >= 10) j++;
        max10 = Math.max(max10, i - j + 1);
      }
      expect(max10).toBeLessThanOrEqual(32);
      // the quotes trade, and each placed order is 4+ order events against one quote update per change
      expect(r.fills).toBeGreaterThan(5);
      expect(r.events['order']!).toBeGreaterThan(3 * r.placed.length);
      expect(r.events['quote_update']!).toBeLessThan(r.placed.length);
    });
  }
});
