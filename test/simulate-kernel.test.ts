// The WASM kernel of the Monte-Carlo experiment against the loop that calls the
// quoter once per quote (the quoter's full compute path): the same terminal
// inventories on every path and the same profits and spreads to rounding, for both
// models, several risk aversions and chunkings; and settings the kernel does not
// reproduce are refused, not simulated differently.
import { describe, it, expect } from 'vitest';
import { PAPER_CONSTANTS, type SimulationModel, type SimulationOptions } from '../src/simulate/experiment.js';
import { RECORD_FIELDS, simulateStrategies, simulateStrategiesPerQuote, simulationQuoter } from '../src/simulate/simulate-strategies.js';
import { WasmMonteCarlo } from '../src/wasm/monte-carlo-api.js';
import { MC_MAX_PATHS, MC_RECORD_FIELDS } from '../src/wasm/layout.js';

function options(model: SimulationModel, gamma: number, firstPath: number, pathCount: number, seed = 77): SimulationOptions {
  return { ...PAPER_CONSTANTS, model, gamma, seed, firstPath, pathCount };
}

describe('Monte-Carlo kernel', () => {
  it('has the records layout of the TS loop', () => {
    expect(MC_RECORD_FIELDS).toBe(RECORD_FIELDS);
  });

  for (const [model, gamma] of [['avellaneda_stoikov', 0.01], ['avellaneda_stoikov', 0.1], ['avellaneda_stoikov', 0.5], ['glft', 0.1], ['glft', 1]] as const) {
    it(`matches the per-quote loop path by path: ${model} γ=${gamma}`, () => {
      const o = options(model, gamma, 3, 300);
      const a = simulateStrategies(o);
      const b = simulateStrategiesPerQuote(o);
      expect(a.steps).toBe(b.steps);
      expect(a.symmetricHalfSpread).toBe(b.symmetricHalfSpread);
      for (let j = 0; j < o.pathCount; j++) {
        for (let f = 0; f < RECORD_FIELDS; f++) {
          const x = a.records[j * RECORD_FIELDS + f]!;
          const y = b.records[j * RECORD_FIELDS + f]!;
          if (f === 1 || f === 4) expect(x, `path ${j} q`).toBe(y);
          else expect(Math.abs(x - y), `path ${j} field ${f}: ${x} vs ${y}`).toBeLessThan(1e-9 * Math.max(1, Math.abs(y)));
        }
      }
    });
  }

  it('other experiment constants and a run longer than one kernel call', () => {
    const o: SimulationOptions = { model: 'avellaneda_stoikov', gamma: 0.2, sigma: 1, k: 2, A: 100, dt: 0.01, T: 0.5, s0: 50, seed: 5, firstPath: 0, pathCount: MC_MAX_PATHS + 37 };
    const a = simulateStrategies(o);
    const tail = simulateStrategiesPerQuote({ ...o, firstPath: MC_MAX_PATHS - 3, pathCount: 40 });
    const at = (MC_MAX_PATHS - 3) * RECORD_FIELDS;
    for (let i = 0; i < tail.records.length; i++) expect(Math.abs(a.records[at + i]! - tail.records[i]!)).toBeLessThan(1e-9 * Math.max(1, Math.abs(tail.records[i]!)));
    const again = simulateStrategies(o);
    expect(Array.from(again.records)).toEqual(Array.from(a.records));
  });

  it('refuses quoter settings it does not reproduce', () => {
    const quoter = simulationQuoter();
    const kernel = new WasmMonteCarlo(quoter.core);
    quoter.configure(10, { model: 'avellaneda_stoikov', levels: 1, orderSizeLot: 1, gamma: 0.1, sigma: 2, k: 1.5, a: 140, horizon: 1, tickSize: 0.0001 });
    quoter.configure(11, { model: 'linear', levels: 1, orderSizeLot: 1, halfSpreadTicks: 7000, tickSize: 0.0001 });
    expect(() => kernel.prepare(10, 11, 200, 1, 0.005)).not.toThrow();
    quoter.configure(11, { model: 'linear', levels: 2, orderSizeLot: 1, halfSpreadTicks: 7000, tickSize: 0.0001 });
    expect(() => kernel.prepare(10, 11, 200, 1, 0.005)).toThrow(/refused/);
    quoter.configure(11, { model: 'linear', levels: 1, orderSizeLot: 1, halfSpreadTicks: 7000, tickSize: 0.0001, minSpreadTicks: 3 });
    expect(() => kernel.prepare(10, 11, 200, 1, 0.005)).toThrow(/refused/);
    quoter.configure(10, { model: 'linear', levels: 1, orderSizeLot: 1, halfSpreadTicks: 7000, tickSize: 0.0001 });
    expect(() => kernel.prepare(10, 11, 200, 1, 0.005)).toThrow(/refused/);
  });
});
