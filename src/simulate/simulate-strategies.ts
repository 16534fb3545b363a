// One chunk of the Avellaneda–Stoikov Monte-Carlo experiment, synchronously, on the
// WASM quote ladder that live quoting uses. Two strategies run on every path with
// the same random numbers (common random numbers):
//   inventory: the model's quotes (model 'avellaneda_stoikov' with horizon T − t,
//              or 'glft'), centred on the reservation price;
//   symmetric: the linear model with half-spread = the inventory strategy's average
//              half-spread over the time grid, centred on the mid.
// Each step, for each path: quote from (mid, q, T − t); the mid moves ±σ√dt with
// probability 1/2 each; then the bid fills with probability A·e^(−k δb)·dt (capped
// at 1), δb = new mid − bid, and likewise the ask with δa = ask − new mid. (Measuring
// δ from the mid the quotes were made at instead raises every mean profit by ~1.5;
// the order used here is the one that reproduces the paper's tables, docs/simulate.md.)
// Profit at T = cash + q·mid.
// simulateStrategies runs the chunk in the WASM kernel (assembly/sim/monte-carlo.ts):
// the quoter slots configured here are read once, the model's per-step terms go in
// a table, and each path runs through every step inside WASM with its state in
// locals (no call across the boundary per quote, no allocation). The TS loop that
// calls the quoter once per quote is kept as simulateStrategiesPerQuote: the tests
// hold the kernel to it, and the benchmark times both.
import { SpreadcoreError } from '../errors.js';
import { mulberry32 } from '../numeric/mulberry32.js';
import { instantiateCore } from '../wasm/load.js';
import { WasmMonteCarlo } from '../wasm/monte-carlo-api.js';
import { MC_MAX_PATHS } from '../wasm/layout.js';
import { WasmQuoter, type QuoteParams } from '../wasm/quote-api.js';
import { QuoteLiveInputs } from '../strategy/quote-live-inputs.js';
import { checkSimulationOptions, SIM_TICK_SIZE, stepCount, type SimulationOptions } from './experiment.js';
import { pathSeed } from './path-seed.js';

/** Per-path record fields in SimulationResult.records (RECORD_FIELDS numbers per path). */
export const REC_INV_PROFIT = 0;
export const REC_INV_Q = 1;
/** Mean quoted spread (ask − bid) over the path's steps with both sides quoted, price units. */
export const REC_INV_SPREAD = 2;
export const REC_SYM_PROFIT = 3;
export const REC_SYM_Q = 4;
export const REC_SYM_SPREAD = 5;
export const RECORD_FIELDS = 6;

export interface SimulationResult {
  firstPath: number;
  pathCount: number;
  steps: number;
  /** The symmetric strategy's half-spread, price units (the inventory strategy's average over the grid). */
  symmetricHalfSpread: number;
  /** RECORD_FIELDS numbers per path, path firstPath first. */
  records: Float64Array;
}

const INV_SLOT = 0;
const SYM_SLOT = 1;

let threadQuoter: WasmQuoter | undefined;

/** This thread's quoter on a private WASM instance, created on first use (a worker loads the module once). */
export function simulationQuoter(): WasmQuoter {
  threadQuoter ??= new WasmQuoter(instantiateCore());
  return threadQuoter;
}

function noQuote(what: string, status: number): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `the ${what} quote could not be computed (status ${status}): check gamma, sigma, k and A`);
}

/** The inventory strategy's quoter parameters: the paper's constants in price units, one lot per order. */
export function inventoryQuoteParams(o: SimulationOptions): Partial<QuoteParams> {
  return {
    model: o.model, levels: 1, orderSizeLot: 1,
    gamma: o.gamma, sigma: o.sigma, k: o.k, a: o.A, horizon: o.T, tickSize: SIM_TICK_SIZE,
  };
}

/** The last averageHalfSpreadTicks result and its inputs: every chunk of a run asks for the same one. */
let lastAverage: { key: string; quoter: WasmQuoter; halfTicks: number } | undefined;

/**
 * The mean over the time grid t = 0, dt, …, T − dt of the inventory strategy's
 * half-spread in ticks, computed by the quoter (it does not depend on q or the mid).
 */
function averageHalfSpreadTicks(quoter: WasmQuoter, o: SimulationOptions, steps: number, fairTick: number): number {
  const key = [o.model, o.gamma, o.sigma, o.k, o.A, o.dt, o.T, fairTick].join(' ');
  if (lastAverage !== undefined && lastAverage.key === key && lastAverage.quoter === quoter) return lastAverage.halfTicks;
  const halfTicks = computeAverageHalfSpreadTicks(quoter, o, steps, fairTick);
  lastAverage = { key, quoter, halfTicks };
  return halfTicks;
}

/** Sets the slot's horizon (T − t) in place, as live quoting does (QuoteLiveInputs), without re-validating the whole block. */
function setHorizon(live: QuoteLiveInputs, horizon: number): void {
  live.set(live.spreadMult, live.bidSpreadMult, live.askSpreadMult, live.skewFactor, live.sizeMult, live.sigma, horizon);
}

function computeAverageHalfSpreadTicks(quoter: WasmQuoter, o: SimulationOptions, steps: number, fairTick: number): number {
  let sum = 0;
  const live = new QuoteLiveInputs(quoter, INV_SLOT);
  live.load();
  for (let i = 0; i < steps; i++) {
    if (o.model === 'avellaneda_stoikov') setHorizon(live, o.T - i * o.dt);
    const status = quoter.compute(INV_SLOT, -1, fairTick, 0);
    const h = quoter.halfSpreadTicks(INV_SLOT);
    if (status < 0 || !(h > 0)) noQuote('inventory strategy', status);
    sum += h;
  }
  return sum / steps;
}

const kernels = new WeakMap<WasmQuoter, WasmMonteCarlo>();

/** Runs paths [firstPath, firstPath + pathCount) of the experiment. Throws SPREADCORE_ERR_BAD_PARAM on bad options. */
export function simulateStrategies(options: SimulationOptions, quoter: WasmQuoter = simulationQuoter()): SimulationResult {
  checkSimulationOptions(options);
  const o = options;
  const steps = stepCount(o);
  const n = o.pathCount;
  const tick = SIM_TICK_SIZE;
  quoter.configure(INV_SLOT, inventoryQuoteParams(o));
  const halfTicks = averageHalfSpreadTicks(quoter, o, steps, o.s0 / tick);
  quoter.configure(SYM_SLOT, { model: 'linear', levels: 1, orderSizeLot: 1, halfSpreadTicks: halfTicks, tickSize: tick });
  let kernel = kernels.get(quoter);
  if (kernel === undefined) { kernel = new WasmMonteCarlo(quoter.core); kernels.set(quoter, kernel); }
  kernel.prepare(INV_SLOT, SYM_SLOT, steps, o.T, o.dt);
  const records = new Float64Array(n * RECORD_FIELDS);
  const moveTick = o.sigma * Math.sqrt(o.dt) / tick;
  for (let first = 0; first < n; first += MC_MAX_PATHS) {
    const count = Math.min(MC_MAX_PATHS, n - first);
    const base = o.firstPath + first;
    kernel.run(count, (j) => pathSeed(o.seed, base + j), o.s0 / tick, moveTick, o.dt, records, first * RECORD_FIELDS);
  }
  return { firstPath: o.firstPath, pathCount: n, steps, symmetricHalfSpread: halfTicks * tick, records };
}

/**
 * The same experiment as simulateStrategies, one quoter call per quote from TS (the
 * quoter's whole compute path: validation, model, ladder). The reference the kernel is
 * tested against, and the benchmark's before.
 */
export function simulateStrategiesPerQuote(options: SimulationOptions, quoter: WasmQuoter = simulationQuoter()): SimulationResult {
  checkSimulationOptions(options);
  const o = options;
  const steps = stepCount(o);
  const n = o.pathCount;
  const tick = SIM_TICK_SIZE;
  quoter.configure(INV_SLOT, inventoryQuoteParams(o));
  const halfTicks = averageHalfSpreadTicks(quoter, o, steps, o.s0 / tick);
  quoter.configure(SYM_SLOT, { model: 'linear', levels: 1, orderSizeLot: 1, halfSpreadTicks: halfTicks, tickSize: tick });

  const rngs: (() => number)[] = [];
  for (let j = 0; j < n; j++) rngs.push(mulberry32(pathSeed(o.seed, o.firstPath + j)));
  const midTick = new Float64Array(n).fill(o.s0 / tick);
  // per strategy (index 0 inventory, 1 symmetric): inventory, cash in ticks, spread sum in ticks, quoted steps
  const q = [new Float64Array(n), new Float64Array(n)] as const;
  const cashTick = [new Float64Array(n), new Float64Array(n)] as const;
  const spreadTickSum = [new Float64Array(n), new Float64Array(n)] as const;
  const quotedSteps = [new Float64Array(n), new Float64Array(n)] as const;
  const slots = [INV_SLOT, SYM_SLOT] as const;

  const moveTick = o.sigma * Math.sqrt(o.dt) / tick;
  const { A, k, dt } = o;
  const live = new QuoteLiveInputs(quoter, INV_SLOT);
  live.load();
  for (let i = 0; i < steps; i++) {
    if (o.model === 'avellaneda_stoikov') setHorizon(live, o.T - i * dt);
    for (let j = 0; j < n; j++) {
      const rng = rngs[j]!;
      const uBid = rng();
      const uAsk = rng();
      const uMid = rng();
      const fair = midTick[j]!;
      const movedTick = fair + (uMid < 0.5 ? moveTick : -moveTick);
      for (let s = 0; s < 2; s++) {
        const slot = slots[s]!;
        const qs = q[s]!;
        const status = quoter.compute(slot, -1, fair, qs[j]!);
        if (status < 0) noQuote(s === 0 ? 'inventory strategy' : 'symmetric strategy', status);
        const bids = status & 0xff;
        const asks = (status >>> 8) & 0xff;
        let dq = 0;
        let dCash = 0;
        const bidTick = bids > 0 ? quoter.bidTick(0, slot) : NaN;
        const askTick = asks > 0 ? quoter.askTick(0, slot) : NaN;
        if (bids > 0 && uBid < A * Math.exp(-k * (movedTick - bidTick) * tick) * dt) { dq += 1; dCash -= bidTick; }
        if (asks > 0 && uAsk < A * Math.exp(-k * (askTick - movedTick) * tick) * dt) { dq -= 1; dCash += askTick; }
        if (bids > 0 && asks > 0) {
          spreadTickSum[s]![j]! += askTick - bidTick;
          quotedSteps[s]![j]! += 1;
        }
        qs[j]! += dq;
        cashTick[s]![j]! += dCash;
      }
      midTick[j] = movedTick;
    }
  }

  const records = new Float64Array(n * RECORD_FIELDS);
  for (let j = 0; j < n; j++) {
    for (let s = 0; s < 2; s++) {
      const base = j * RECORD_FIELDS + s * 3;
      const qj = q[s]![j]!;
      records[base] = (cashTick[s]![j]! + qj * midTick[j]!) * tick;
      records[base + 1] = qj;
      const quoted = quotedSteps[s]![j]!;
      records[base + 2] = quoted > 0 ? spreadTickSum[s]![j]! / quoted * tick : NaN;
    }
  }
  return { firstPath: o.firstPath, pathCount: n, steps, symmetricHalfSpread: halfTicks * tick, records };
}
