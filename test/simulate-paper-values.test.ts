// 1000 paths of the Avellaneda–Stoikov (2008) experiment against the paper's
// section 4 tables, against closed-form expectations, and the paper's qualitative
// result (the inventory strategy has a much smaller profit and inventory spread).
//
// Tolerances come from Monte-Carlo error. The paper's figures are themselves means
// and standard deviations over 1000 paths, so a difference of two estimates is
// compared with the combined error:
// - a mean: |ours − paper| ≤ 4 √(s_ours²/n + s_paper²/n)
// - a standard deviation: the relative error of a sample std of n normal values is
//   1/√(2(n−1)) ≈ 2.2 %; for two estimates √2 × that, and 4 of those ≈ 12.7 %
// - against an exact expectation (no second estimate): 4 s/√n for a mean, 4 × 2.2 % ≈
//   9 % for a std.
// Statistics where this implementation consistently disagrees with the paper (the
// same at 20,000 paths and on other seeds) are listed in KNOWN_DIFFERENT and in
// docs/simulate.md instead of being forced.
import { describe, it, expect } from 'vitest';
import { PAPER_CONSTANTS } from '../src/simulate/experiment.js';
import { simulateStrategies } from '../src/simulate/simulate-strategies.js';
import { summarize, type StrategyStats } from '../src/simulate/summarize.js';

const N = 1000;
const SEED = 2008;
const C = PAPER_CONSTANTS;
const STEPS = Math.round(C.T / C.dt);

type Stat = 'profit_mean' | 'profit_std' | 'final_q_mean' | 'final_q_std';
interface PaperRow { spread: number; inventory: Record<Stat, number>; symmetric: Record<Stat, number> }

const PAPER: Record<string, PaperRow> = {
  '0.1': {
    spread: 1.49,
    inventory: { profit_mean: 62.94, profit_std: 5.89, final_q_mean: 0.10, final_q_std: 2.80 },
    symmetric: { profit_mean: 67.21, profit_std: 13.43, final_q_mean: -0.018, final_q_std: 8.66 },
  },
  '0.01': {
    spread: 1.35,
    inventory: { profit_mean: 66.78, profit_std: 8.76, final_q_mean: -0.02, final_q_std: 4.70 },
    symmetric: { profit_mean: 67.36, profit_std: 13.40, final_q_mean: -0.31, final_q_std: 8.65 },
  },
  '0.5': {
    spread: 2.15,
    inventory: { profit_mean: 33.92, profit_std: 4.72, final_q_mean: -0.02, final_q_std: 1.88 },
    symmetric: { profit_mean: 66.20, profit_std: 14.53, final_q_mean: 0.25, final_q_std: 9.06 },
  },
};

/** gamma/strategy/stat where this implementation and the paper disagree beyond Monte-Carlo error (docs/simulate.md). */
const KNOWN_DIFFERENT = new Set([
  '0.01/inventory/final_q_std', // 5.29 at 20,000 paths vs 4.70
  '0.5/inventory/profit_mean', // 47.4 vs 33.92
  '0.5/inventory/profit_std', // 5.76 vs 4.72
  '0.5/symmetric/profit_mean', // 59.7 (the closed form gives 59.6) vs 66.20
  '0.5/symmetric/profit_std', // 12.3 vs 14.53
  '0.5/symmetric/final_q_std', // 6.97 (closed form 7.01) vs 9.06
]);

const runs = new Map<string, ReturnType<typeof summarize>>();
function run(model: 'avellaneda_stoikov' | 'glft', gamma: number): ReturnType<typeof summarize> {
  const key = `${model}/${gamma}`;
  let s = runs.get(key);
  if (s === undefined) {
    s = summarize(simulateStrategies({ ...C, model, gamma, seed: SEED, firstPath: 0, pathCount: N }).records);
    runs.set(key, s);
  }
  return s;
}

/** The inventory strategy's spread γσ²(T − t) + (2/γ) ln(1 + γ/k), averaged over the steps. */
function asAverageSpread(gamma: number): number {
  let sum = 0;
  for (let i = 0; i < STEPS; i++) sum += gamma * C.sigma ** 2 * (C.T - i * C.dt) + (2 / gamma) * Math.log(1 + gamma / C.k);
  return sum / STEPS;
}

/**
 * A symmetric strategy at half-spread h: each step the mid moves by ±m = σ√dt first,
 * so one side sits at depth h + m and the other at h − m, and they fill with
 * p(x) = A e^(−kx) dt. The expected profit is the expected depth captured,
 * STEPS × [(h+m) p(h+m) + (h−m) p(h−m)] (the mark-to-market of the inventory has mean 0),
 * and the steps' inventory changes are independent with E[dq²] = p₊ + p₋ − 2 p₊ p₋.
 */
function symmetricClosedForm(spread: number): { profitMean: number; qStd: number } {
  const h = spread / 2;
  const m = C.sigma * Math.sqrt(C.dt);
  const p = (x: number): number => Math.min(1, C.A * Math.exp(-C.k * x) * C.dt);
  const pPlus = p(h + m), pMinus = p(h - m);
  return {
    profitMean: STEPS * ((h + m) * pPlus + (h - m) * pMinus),
    qStd: Math.sqrt(STEPS * (pPlus + pMinus - 2 * pPlus * pMinus)),
  };
}

function meanTolerance(oursStd: number, paperStd: number): number {
  return 4 * Math.sqrt((oursStd ** 2 + paperStd ** 2) / N);
}
const STD_TOLERANCE = 4 * Math.SQRT2 / Math.sqrt(2 * (N - 1));

describe.each(['0.1', '0.01', '0.5'])('Avellaneda–Stoikov, γ = %s, 1000 paths', (g) => {
  const gamma = Number(g);
  const paper = PAPER[g]!;

  it('the average spread is the formula averaged over the steps, and the paper\'s to 2 decimals', () => {
    const s = run('avellaneda_stoikov', gamma);
    const formula = asAverageSpread(gamma);
    // quotes rounded out to the 0.0001 tick widen the spread by 0.0001 on average
    expect(Math.abs(s.inventory.spread! - formula - 0.0001)).toBeLessThan(0.0002);
    expect(Math.abs(s.symmetric.spread! - formula - 0.0001)).toBeLessThan(0.0002);
    expect(Math.abs(formula - paper.spread)).toBeLessThanOrEqual(0.005 + 0.0015);
  });

  for (const strategy of ['inventory', 'symmetric'] as const) {
    it(`${strategy} strategy: profit and final inventory match the paper within Monte-Carlo error`, () => {
      const ours: StrategyStats = run('avellaneda_stoikov', gamma)[strategy];
      const want = paper[strategy];
      const checked: string[] = [];
      for (const [mean, std] of [['profit_mean', 'profit_std'], ['final_q_mean', 'final_q_std']] as const) {
        if (!KNOWN_DIFFERENT.has(`${g}/${strategy}/${mean}`)) {
          expect(Math.abs(ours[mean] - want[mean]), `${mean}: ${ours[mean]} vs ${want[mean]}`)
            .toBeLessThanOrEqual(meanTolerance(ours[std], want[std]));
          checked.push(mean);
        }
        if (!KNOWN_DIFFERENT.has(`${g}/${strategy}/${std}`)) {
          expect(Math.abs(ours[std] / want[std] - 1), `${std}: ${ours[std]} vs ${want[std]}`).toBeLessThanOrEqual(STD_TOLERANCE);
          checked.push(std);
        }
      }
      expect(checked.length).toBeGreaterThanOrEqual(g === '0.5' ? 1 : 3);
    });
  }

  it('symmetric strategy: mean profit and final-inventory std match the closed form', () => {
    const s = run('avellaneda_stoikov', gamma).symmetric;
    const exact = symmetricClosedForm(s.spread!);
    expect(Math.abs(s.profit_mean - exact.profitMean)).toBeLessThanOrEqual(4 * s.profit_std / Math.sqrt(N));
    expect(Math.abs(s.final_q_std / exact.qStd - 1)).toBeLessThanOrEqual(4 / Math.sqrt(2 * (N - 1)));
    expect(Math.abs(s.final_q_mean)).toBeLessThanOrEqual(4 * exact.qStd / Math.sqrt(N));
  });

  it('the inventory strategy has a much smaller profit std and final-inventory std than the symmetric one', () => {
    const s = run('avellaneda_stoikov', gamma);
    expect(s.inventory.profit_std).toBeLessThan(0.7 * s.symmetric.profit_std);
    expect(s.inventory.final_q_std).toBeLessThan(0.65 * s.symmetric.final_q_std);
    // and earns less on average, more so the more risk-averse it is
    expect(s.inventory.profit_mean).toBeLessThan(s.symmetric.profit_mean);
  });
});

describe('the inventory effect grows with γ', () => {
  it('final-inventory std and profit std fall as γ rises', () => {
    const [low, mid, high] = [0.01, 0.1, 0.5].map((g) => run('avellaneda_stoikov', g).inventory);
    expect(low!.final_q_std).toBeGreaterThan(mid!.final_q_std);
    expect(mid!.final_q_std).toBeGreaterThan(high!.final_q_std);
    expect(low!.profit_mean).toBeGreaterThan(high!.profit_mean);
  });
});

describe.each([0.1, 0.5])('GLFT, γ = %s, 1000 paths', (gamma) => {
  it('quotes the closed-form spread 2 c1 + σ c2, and the symmetric strategy matches its closed form', () => {
    const s = run('glft', gamma);
    const c1 = Math.log(1 + gamma / C.k) / gamma;
    const c2 = Math.sqrt((gamma / (2 * C.A * C.k)) * Math.pow(1 + gamma / C.k, C.k / gamma + 1));
    const spread = 2 * c1 + C.sigma * c2;
    expect(Math.abs(s.inventory.spread! - spread - 0.0001)).toBeLessThan(0.0002);
    const exact = symmetricClosedForm(s.symmetric.spread!);
    expect(Math.abs(s.symmetric.profit_mean - exact.profitMean)).toBeLessThanOrEqual(4 * s.symmetric.profit_std / Math.sqrt(N));
    expect(Math.abs(s.symmetric.final_q_std / exact.qStd - 1)).toBeLessThanOrEqual(4 / Math.sqrt(2 * (N - 1)));
  });

  it('controls inventory: much smaller final-inventory and profit std than the symmetric strategy', () => {
    const s = run('glft', gamma);
    expect(s.inventory.final_q_std).toBeLessThan(0.5 * s.symmetric.final_q_std);
    expect(s.inventory.profit_std).toBeLessThan(0.7 * s.symmetric.profit_std);
  });
});
