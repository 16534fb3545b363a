// simulateStrategies refuses options that would make a meaningless or unbounded run
// with a coded error naming the field and the value, and never throws anything else.
import { describe, it, expect } from 'vitest';
import { SpreadcoreError } from '../src/errors.js';
import { experimentProblem, MAX_PATHS, PAPER_CONSTANTS, type SimulationOptions } from '../src/simulate/experiment.js';
import { simulateStrategies } from '../src/simulate/simulate-strategies.js';
import { summarize } from '../src/simulate/summarize.js';

const GOOD: SimulationOptions = { ...PAPER_CONSTANTS, model: 'avellaneda_stoikov', gamma: 0.1, seed: 1, firstPath: 0, pathCount: 3 };

function codeOf(f: () => unknown): [string, string] {
  try {
    f();
  } catch (e) {
    if (e instanceof SpreadcoreError) return [e.code, e.message];
    return ['not a SpreadcoreError', String(e)];
  }
  return ['no error', ''];
}

const BAD: [string, Partial<SimulationOptions> & Record<string, unknown>, RegExp][] = [
  ['unknown model', { model: 'linear' as never }, /model must be one of avellaneda_stoikov, glft, got "linear"/],
  ['gamma 0', { gamma: 0 }, /gamma must be a positive finite number, got 0/],
  ['gamma negative', { gamma: -0.1 }, /gamma must be a positive finite number, got -0.1/],
  ['gamma NaN', { gamma: NaN }, /gamma must be a positive finite number, got NaN/],
  ['gamma as a string', { gamma: '0.1' as never }, /gamma must be a positive finite number, got 0.1/],
  ['sigma infinite', { sigma: Infinity }, /sigma must be a positive finite number, got Infinity/],
  ['k 0', { k: 0 }, /k must be a positive finite number/],
  ['A negative', { A: -140 }, /A must be a positive finite number/],
  ['dt 0', { dt: 0 }, /dt must be a positive finite number/],
  ['T not a whole number of steps', { T: 1.0025 }, /T \(1.0025\) must be a whole number \(at least 1\) of dt steps \(0.005\)/],
  ['T shorter than a step', { T: 0.001 }, /must be a whole number \(at least 1\) of dt steps/],
  ['too many steps', { dt: 1e-6, A: 1 }, /T \/ dt gives 1000000 steps; at most 100000/],
  ['fill probability above 1', { A: 300 }, /A × dt \(300 × 0.005\) must be at most 1/],
  ['a mid that could reach 0', { s0: 20 }, /s0 \(20\) must exceed steps × sigma × √dt/],
  ['a mid too large', { s0: 2e9 }, /must be at most 1000000000/],
  ['no paths', { pathCount: 0 }, /pathCount must be an integer from 1 to 1000000, got 0/],
  ['fractional paths', { pathCount: 2.5 }, /pathCount must be an integer/],
  ['too many paths', { pathCount: MAX_PATHS + 1 }, /pathCount must be an integer from 1 to 1000000/],
  ['paths × steps too large', { pathCount: 600_000 }, /pathCount × steps = 600000 × 200 exceeds 100000000/],
  ['negative seed', { seed: -1 }, /seed must be an integer from 0 to 4294967295, got -1/],
  ['seed above 32 bits', { seed: 2 ** 32 }, /seed must be an integer/],
  ['fractional first path', { firstPath: 0.5 }, /firstPath must be an integer/],
];

describe('simulateStrategies refuses bad options', () => {
  it.each(BAD)('%s → SPREADCORE_ERR_BAD_PARAM', (_name, change, message) => {
    const [code, text] = codeOf(() => simulateStrategies({ ...GOOD, ...change } as SimulationOptions));
    expect(code).toBe('SPREADCORE_ERR_BAD_PARAM');
    expect(text).toMatch(message);
  });

  it('accepts the paper\'s constants for both models and every γ of the paper', () => {
    for (const model of ['avellaneda_stoikov', 'glft'] as const) {
      for (const gamma of [0.01, 0.1, 0.5]) expect(experimentProblem({ ...GOOD, model, gamma }, 1000)).toBeNull();
    }
  });

  it('a huge γ that skews quotes through the mid still runs: the quote that crosses fills every step', () => {
    const r = simulateStrategies({ ...GOOD, gamma: 50, pathCount: 5 });
    const s = summarize(r.records);
    expect(Number.isFinite(s.inventory.profit_mean)).toBe(true);
    // one fill drives the reservation price so far that the next step undoes it
    expect(s.inventory.final_q_std).toBeLessThanOrEqual(1);
  });

  it('one path: the standard deviations are 0', () => {
    const s = summarize(simulateStrategies({ ...GOOD, pathCount: 1 }).records);
    expect(s.inventory.profit_std).toBe(0);
    expect(s.symmetric.final_q_std).toBe(0);
  });

  it('summarize refuses records of the wrong length', () => {
    expect(() => summarize(new Float64Array(0))).toThrow(RangeError);
    expect(() => summarize(new Float64Array(7))).toThrow(/multiple of 6/);
  });
});
