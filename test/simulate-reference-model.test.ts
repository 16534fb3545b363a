// The simulation loop on the WASM quote ladder against a plain re-implementation
// written here from the papers' formulas (no WASM): on the same random streams, with
// bids rounded down and asks up to the 0.0001 tick, the two must give the same
// terminal inventory and profit on every path; without the rounding, the mean profit
// moves by less than a tick per fill. Also: a run split into chunks gives exactly
// the records of the whole run (what makes the pool's result independent of the
// number of workers), and every path's record depends on its index, not on its chunk.
import { describe, it, expect } from 'vitest';
import { mulberry32 } from '../src/numeric/mulberry32.js';
import { PAPER_CONSTANTS, type SimulationModel, type SimulationOptions } from '../src/simulate/experiment.js';
import { pathSeed } from '../src/simulate/path-seed.js';
import { chunkPaths } from '../src/simulate/simulation-pool.js';
import {
  RECORD_FIELDS, REC_INV_PROFIT, REC_INV_Q, REC_INV_SPREAD, REC_SYM_PROFIT, REC_SYM_Q, REC_SYM_SPREAD, simulateStrategies,
} from '../src/simulate/simulate-strategies.js';

const C = PAPER_CONSTANTS;

/** Quote depths (δb, δa) from the mid, price units, per the model's closed form. */
function depths(model: SimulationModel, gamma: number, q: number, tau: number): [number, number] {
  const { sigma, k, A } = C;
  if (model === 'avellaneda_stoikov') {
    // r = s − qγσ²τ; spread = γσ²τ + (2/γ) ln(1 + γ/k)
    const skew = q * gamma * sigma * sigma * tau;
    const half = (gamma * sigma * sigma * tau + (2 / gamma) * Math.log(1 + gamma / k)) / 2;
    return [skew + half, half - skew];
  }
  // Guéant (2017): δb = c1 + σ c2 (q + 1/2), δa = c1 + σ c2 (1/2 − q)
  const c1 = Math.log(1 + gamma / k) / gamma;
  const c2 = Math.sqrt((gamma / (2 * A * k)) * Math.pow(1 + gamma / k, k / gamma + 1));
  return [c1 + sigma * c2 * (q + 0.5), c1 + sigma * c2 * (0.5 - q)];
}

interface RefPath { invProfit: number; invQ: number; symProfit: number; symQ: number }

const TICK = 0.0001;
const roundBid = (x: number): number => Math.floor(x / TICK + 1e-6) * TICK;
const roundAsk = (x: number): number => Math.ceil(x / TICK - 1e-6) * TICK;
const exact = (x: number): number => x;

function referencePath(model: SimulationModel, gamma: number, seed: number, path: number, rounded = true): RefPath {
  const bidAt = rounded ? roundBid : exact;
  const askAt = rounded ? roundAsk : exact;
  const { sigma, A, k, dt, T, s0 } = C;
  const steps = Math.round(T / dt);
  let halfSum = 0;
  for (let i = 0; i < steps; i++) {
    const [b, a] = depths(model, gamma, 0, T - i * dt);
    halfSum += (b + a) / 2;
  }
  const symHalf = halfSum / steps;
  const rng = mulberry32(pathSeed(seed, path));
  let s = s0;
  let qi = 0, xi = 0, qs = 0, xs = 0;
  for (let i = 0; i < steps; i++) {
    const uBid = rng(), uAsk = rng(), uMid = rng();
    const [db, da] = depths(model, gamma, qi, T - i * dt);
    const invBid = bidAt(s - db), invAsk = askAt(s + da);
    const symBid = bidAt(s - symHalf), symAsk = askAt(s + symHalf);
    const moved = s + (uMid < 0.5 ? 1 : -1) * sigma * Math.sqrt(dt);
    const fills = (bid: number, ask: number): [number, number] => {
      let dq = 0, dx = 0;
      if (uBid < A * Math.exp(-k * (moved - bid)) * dt) { dq++; dx -= bid; }
      if (uAsk < A * Math.exp(-k * (ask - moved)) * dt) { dq--; dx += ask; }
      return [dq, dx];
    };
    const [dqi, dxi] = fills(invBid, invAsk);
    const [dqs, dxs] = fills(symBid, symAsk);
    qi += dqi; xi += dxi; qs += dqs; xs += dxs;
    s = moved;
  }
  return { invProfit: xi + qi * s, invQ: qi, symProfit: xs + qs * s, symQ: qs };
}

function options(model: SimulationModel, gamma: number, firstPath: number, pathCount: number): SimulationOptions {
  return { ...C, model, gamma, seed: 4242, firstPath, pathCount };
}

describe.each([
  ['avellaneda_stoikov', 0.1],
  ['avellaneda_stoikov', 0.5],
  ['glft', 0.1],
] as const)('%s γ=%s against the closed-form re-implementation', (model, gamma) => {
  it('matches path by path', () => {
    const n = 200;
    const r = simulateStrategies(options(model, gamma, 0, n));
    expect(r.records.length).toBe(n * RECORD_FIELDS);
    let exactSum = 0, wasmSum = 0;
    for (let j = 0; j < n; j++) {
      const ref = referencePath(model, gamma, 4242, j);
      const rec = r.records.subarray(j * RECORD_FIELDS, (j + 1) * RECORD_FIELDS);
      expect([rec[REC_INV_Q], rec[REC_SYM_Q]]).toEqual([ref.invQ, ref.symQ]);
      expect(rec[REC_INV_PROFIT]).toBeCloseTo(ref.invProfit, 6);
      expect(rec[REC_SYM_PROFIT]).toBeCloseTo(ref.symProfit, 6);
      wasmSum += rec[REC_SYM_PROFIT]!;
      exactSum += referencePath(model, gamma, 4242, j, false).symProfit;
    }
    // ~90 fills per path, each at most one tick better for the market maker than unrounded
    expect(Math.abs(wasmSum - exactSum) / n).toBeLessThan(0.5);
  });

  it('reports the quoted spread ask − bid, the same for both strategies on average', () => {
    const r = simulateStrategies(options(model, gamma, 0, 20));
    const { T, dt } = C;
    const steps = Math.round(T / dt);
    let expected = 0;
    for (let i = 0; i < steps; i++) {
      const [b, a] = depths(model, gamma, 0, T - i * dt);
      expected += (b + a) / steps;
    }
    for (let j = 0; j < 20; j++) {
      // the inventory strategy's spread does not depend on q, only on T − t
      expect(r.records[j * RECORD_FIELDS + REC_INV_SPREAD]).toBeCloseTo(expected, 3);
      expect(r.records[j * RECORD_FIELDS + REC_SYM_SPREAD]).toBeCloseTo(expected, 3);
    }
    expect(2 * r.symmetricHalfSpread).toBeCloseTo(expected, 9);
  });
});

describe('chunks and streams', () => {
  it('a run split into chunks gives the same records, bit for bit', () => {
    const whole = simulateStrategies(options('avellaneda_stoikov', 0.1, 0, 120)).records;
    const a = simulateStrategies(options('avellaneda_stoikov', 0.1, 0, 50)).records;
    const b = simulateStrategies(options('avellaneda_stoikov', 0.1, 50, 37)).records;
    const c = simulateStrategies(options('avellaneda_stoikov', 0.1, 87, 33)).records;
    const joined = new Float64Array(whole.length);
    joined.set(a, 0);
    joined.set(b, a.length);
    joined.set(c, a.length + b.length);
    expect(Array.from(joined)).toEqual(Array.from(whole));
  });

  it('the pool\'s chunks are 50 to 500 paths, about 8 per worker', () => {
    expect(chunkPaths(1000, 2)).toBe(63);
    expect(chunkPaths(230, 2)).toBe(50);
    expect(chunkPaths(1000, 1)).toBe(125);
    expect(chunkPaths(1_000_000, 2)).toBe(500);
    expect(chunkPaths(1, 64)).toBe(50);
  });

  it('paths draw from different streams, and a different seed changes them', () => {
    const r = simulateStrategies(options('avellaneda_stoikov', 0.1, 0, 40)).records;
    const profits = new Set<number>();
    for (let j = 0; j < 40; j++) profits.add(r[j * RECORD_FIELDS + REC_SYM_PROFIT]!);
    expect(profits.size).toBe(40);
    const other = simulateStrategies({ ...options('avellaneda_stoikov', 0.1, 0, 40), seed: 4243 }).records;
    expect(Array.from(other)).not.toEqual(Array.from(r));
    expect(pathSeed(4242, 0)).not.toBe(pathSeed(4242, 1));
    expect(pathSeed(4242, 0)).not.toBe(pathSeed(4243, 0));
  });
});
