// Many backtests in one thread (how a sweep worker runs them): each run gives back
// its WASM book and quoter slots, also when it fails, so 50 runs in a row (more than
// there are book slots) all work and give the same answer; progress is reported and
// a run can be stopped early.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { backtestJsonText } from '../src/backtest/backtest-json.js';
import { parseBacktestSpec, runBacktest } from '../src/backtest/index.js';
import { SpreadcoreError } from '../src/errors.js';
import { QuoterSlots } from '../src/strategy/quoter-slots.js';
import { loadCore } from '../src/wasm/load.js';
import { MAX_BOOKS } from '../src/wasm/layout.js';
import { ROOT } from './support/run-cli.js';

const bytes = readFileSync(join(ROOT, 'test/fixtures/binance/spot_ethusdt_20240808.gz'));
const spec = parseBacktestSpec({
  symbols: ['ETHUSDT'],
  parameters: { spread_bps: 2, order_size: 0.01, max_position: 0.1, quote_levels: 2, level_spacing_bps: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100 },
  duration_s: 60,
});

describe('backtests in a row', () => {
  it('more runs than there are book slots, some failing, do not exhaust the book or quoter slots and all agree', () => {
    const runs = MAX_BOOKS + 16;
    const quoters = QuoterSlots.forCore(loadCore());
    const freeBefore = quoters.available;
    // ETHUSDT's book lot is 0.00001: the strategy is refused at load, once its engine and books exist
    const offGrid = { ...spec, parameters: { ...spec.parameters, order_size: 0.000001 } };
    let reference = '';
    let failures = 0;
    for (let i = 0; i < runs; i++) {
      if (i % 10 === 9) {
        expect(() => runBacktest(bytes, offGrid, { seed: 1 })).toThrow(SpreadcoreError);
        failures++;
        continue;
      }
      const text = backtestJsonText(runBacktest(bytes, spec, { seed: 1 }));
      if (reference === '') reference = text;
      else expect(text === reference, `run ${i} differs from run 0`).toBe(true);
    }
    expect(failures).toBe(Math.floor(runs / 10));
    expect(quoters.available).toBe(freeBefore);
    expect(JSON.parse(reference).performance.total_trades).toBeGreaterThan(0);
  });

  it('reports progress up to the total and stops when asked', () => {
    const seen: [number, number][] = [];
    const full = runBacktest(bytes, spec, { seed: 1, onProgress: (done, total) => seen.push([done, total]) });
    expect(seen.length).toBeGreaterThan(2);
    const total = seen[0]![1];
    expect(seen[0]).toEqual([0, total]); // once the recording is read, before the replay
    expect(seen.every(([, t]) => t === total)).toBe(true);
    for (let i = 1; i < seen.length; i++) expect(seen[i]![0]).toBeGreaterThanOrEqual(seen[i - 1]![0]);
    expect(seen[seen.length - 1]).toEqual([total, total]);
    expect(full.objectives.events).toBe(total);
    expect(full.stopped).toBe(false);

    let polls = 0;
    const cut = runBacktest(bytes, spec, { seed: 1, shouldStop: () => ++polls >= 3 });
    expect(cut.stopped).toBe(true);
    expect(cut.data.steps).toBe(3 * 1024);
    expect(cut.objectives.events).toBeLessThan(total);
  });
});
