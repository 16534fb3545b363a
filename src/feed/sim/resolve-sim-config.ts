// Merges a partial simulator configuration onto the defaults and validates the
// result. Every refusal is a SpreadcoreError SPREADCORE_ERR_BAD_PARAM naming the
// field, e.g. "instruments[0].regimes.params.ranging.sigmaBpsPerSqrtS must be >= 0, got -1".
import { SpreadcoreError } from '../../errors.js';
import { DecimalGrid } from '../../numeric/decimal-grid.js';
import { effectiveSigmaBpsPerSqrtS } from './regime-chain.js';
import {
  REGIME_NAMES, type RegimeChainConfig, type RegimeParams, type SimConfig, type SimConfigInput,
  type SimInstrumentConfig, type SimInstrumentInput,
} from './sim-config.js';
import {
  BINARY_DEFAULTS, BUILT_IN_INSTRUMENTS, DEFAULT_BINARY_RESOLUTION_AFTER_S, DEFAULT_HEARTBEAT_INTERVAL_MS,
  DEFAULT_START_TS_NS, ETHUSDT_DEFAULTS,
} from './sim-defaults.js';

const KINDS = ['spot', 'perp', 'binary'] as const;
/** Feed symbol ids are 16-bit (as in the ingest engine). */
const MAX_SYMBOL_ID = 65535;

function bad(message: string): never {
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Deep merge of plain objects: override's defined fields win; arrays and scalars replace. */
function merge<T>(base: T, override: unknown, path: string): T {
  if (override === undefined) return base;
  if (!isRecord(base)) return override as T;
  if (!isRecord(override)) bad(`${path} must be an object`);
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(override)) {
    if (v === undefined) continue;
    out[k] = k in base ? merge((base as Record<string, unknown>)[k], v, `${path}.${k}`) : v;
  }
  return out as T;
}

function presetFor(input: SimInstrumentInput, index: number): SimInstrumentConfig {
  const builtIn = BUILT_IN_INSTRUMENTS.find((b) => b.symbol === input.symbol);
  if (builtIn !== undefined && (input.kind === undefined || input.kind === builtIn.kind)) return builtIn;
  const kind = input.kind ?? 'spot';
  if (!(KINDS as readonly string[]).includes(kind)) bad(`instruments[${index}].kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(kind)}`);
  return kind === 'binary' ? BINARY_DEFAULTS : { ...ETHUSDT_DEFAULTS, kind };
}

/** The full configuration: defaults merged with input, validated. */
export function resolveSimConfig(input: SimConfigInput = {}): SimConfig {
  if (!isRecord(input as unknown)) bad('simulator configuration must be an object');
  const startTsNs = input.startTsNs ?? DEFAULT_START_TS_NS;
  const heartbeatIntervalMs = input.heartbeatIntervalMs ?? DEFAULT_HEARTBEAT_INTERVAL_MS;
  const inputs: SimInstrumentInput[] = input.instruments ?? BUILT_IN_INSTRUMENTS.map((b) => ({ symbol: b.symbol }));
  if (!Array.isArray(inputs) || inputs.length === 0) bad('instruments must be a non-empty array');
  const usedIds = new Set<number>();
  for (const i of inputs) if (typeof (i as Partial<SimInstrumentInput> | null)?.symbolId === 'number') usedIds.add(i.symbolId!);
  let nextFreeId = 1;
  const instruments = inputs.map((raw, index): SimInstrumentConfig => {
    if (!isRecord(raw as unknown) || typeof raw.symbol !== 'string' || raw.symbol.length === 0) bad(`instruments[${index}].symbol must be a non-empty string`);
    const preset = presetFor(raw, index);
    const merged = merge(preset, raw, `instruments[${index}]`);
    if (raw.symbolId === undefined) {
      // keep the preset's id when free, otherwise take the lowest free id
      let id = preset.symbolId;
      if (usedIds.has(id) || preset.symbol !== raw.symbol) {
        while (usedIds.has(nextFreeId)) nextFreeId++;
        id = nextFreeId;
      }
      usedIds.add(id);
      merged.symbolId = id;
    }
    if (merged.kind === 'binary') {
      if (raw.resolutionTsNs === undefined) merged.resolutionTsNs = startTsNs + DEFAULT_BINARY_RESOLUTION_AFTER_S * 1e9;
    }
    return merged;
  });
  const config: SimConfig = { startTsNs, heartbeatIntervalMs, instruments };
  validateSimConfig(config);
  // binary: unless given (0), the price's reference diffusion is the regimes' long-run one
  // (so the price is a fair probability on average over regimes)
  instruments.forEach((c) => {
    if (c.kind !== 'binary' || c.referenceSigmaBpsPerSqrtS !== 0) return;
    const sigma = effectiveSigmaBpsPerSqrtS(c.regimes);
    c.referenceSigmaBpsPerSqrtS = sigma > 0 ? sigma : 1;
  });
  return config;
}

// ---- validation -------------------------------------------------------------------------

function num(v: unknown, path: string, ok: (x: number) => boolean, rule: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || !ok(v)) bad(`${path} must be ${rule}, got ${JSON.stringify(v) ?? String(v)}`);
}
const nonNeg = (v: unknown, p: string): void => num(v, p, (x) => x >= 0, '>= 0');
const positive = (v: unknown, p: string): void => num(v, p, (x) => x > 0, '> 0');
const atLeast = (v: unknown, p: string, min: number): void => num(v, p, (x) => x >= min, `>= ${min}`);
const intAtLeast = (v: unknown, p: string, min: number): void => num(v, p, (x) => Number.isInteger(x) && x >= min, `an integer >= ${min}`);

function grid(step: unknown, path: string): DecimalGrid {
  if (typeof step !== 'string') bad(`${path} must be a decimal string, got ${JSON.stringify(step)}`);
  try {
    return new DecimalGrid(step);
  } catch (e) {
    return bad(`${path} must be a positive decimal string, got ${JSON.stringify(step)} (${(e as Error).message})`);
  }
}

/** Price in ticks of a decimal string on a grid, or a BAD_PARAM error. */
export function priceTicks(g: DecimalGrid, value: unknown, path: string): number {
  const t = typeof value === 'string' ? g.toUnitsOrNaN(value) : NaN;
  if (!Number.isFinite(t)) bad(`${path} must be a decimal string on the tick grid ${g.step}, got ${JSON.stringify(value)}`);
  return t;
}

function validateRegimes(r: RegimeChainConfig, path: string): void {
  if (!isRecord(r) || !isRecord(r.params) || !isRecord(r.transitions)) bad(`${path} must have params and transitions`);
  if (!(REGIME_NAMES as readonly string[]).includes(r.initial)) bad(`${path}.initial must be one of ${REGIME_NAMES.join(', ')}, got ${JSON.stringify(r.initial)}`);
  if (typeof r.switching !== 'boolean') bad(`${path}.switching must be a boolean`);
  for (const k of Object.keys(r.params)) if (!(REGIME_NAMES as readonly string[]).includes(k)) bad(`${path}.params has an unknown regime ${JSON.stringify(k)}`);
  for (const k of Object.keys(r.transitions)) if (!(REGIME_NAMES as readonly string[]).includes(k)) bad(`${path}.transitions has an unknown regime ${JSON.stringify(k)}`);
  for (const name of REGIME_NAMES) {
    const p: RegimeParams | undefined = r.params[name];
    const pp = `${path}.params.${name}`;
    if (!isRecord(p)) bad(`${pp} is missing`);
    positive(p.meanDurationS, `${pp}.meanDurationS`);
    nonNeg(p.sigmaBpsPerSqrtS, `${pp}.sigmaBpsPerSqrtS`);
    num(p.driftBpsPerS, `${pp}.driftBpsPerS`, () => true, 'a finite number');
    nonNeg(p.meanReversionPerS, `${pp}.meanReversionPerS`);
    nonNeg(p.jumpRatePerS, `${pp}.jumpRatePerS`);
    nonNeg(p.jumpSigmaBps, `${pp}.jumpSigmaBps`);
    nonNeg(p.entryJumpSigmaBps, `${pp}.entryJumpSigmaBps`);
    positive(p.flowMultiplier, `${pp}.flowMultiplier`);
    const row = r.transitions[name];
    const tp = `${path}.transitions.${name}`;
    if (!isRecord(row)) bad(`${tp} is missing`);
    let total = 0;
    for (const [to, w] of Object.entries(row)) {
      if (!(REGIME_NAMES as readonly string[]).includes(to)) bad(`${tp} has an unknown regime ${JSON.stringify(to)}`);
      nonNeg(w, `${tp}.${to}`);
      if (to !== name) total += w as number;
    }
    if (r.switching && !(total > 0)) bad(`${tp} needs a positive weight for at least one other regime`);
  }
}

function validateInstrument(c: SimInstrumentConfig, path: string, startTsNs: number): void {
  intAtLeast(c.symbolId, `${path}.symbolId`, 0);
  if (c.symbolId > MAX_SYMBOL_ID) bad(`${path}.symbolId must be <= ${MAX_SYMBOL_ID}, got ${c.symbolId}`);
  if (!(KINDS as readonly string[]).includes(c.kind)) bad(`${path}.kind must be one of ${KINDS.join(', ')}, got ${JSON.stringify(c.kind)}`);
  const price = grid(c.tickSize, `${path}.tickSize`);
  grid(c.lotSize, `${path}.lotSize`);
  const initialTicks = priceTicks(price, c.initialPrice, `${path}.initialPrice`);
  positive(c.midStepMs, `${path}.midStepMs`);
  if (c.kind === 'binary') {
    const minTick = priceTicks(price, c.minPrice, `${path}.minPrice`);
    const maxTick = priceTicks(price, c.maxPrice, `${path}.maxPrice`);
    const one = price.toUnitsOrNaN('1');
    if (!Number.isFinite(one)) bad(`${path}.tickSize must divide 1 for a binary contract, got ${c.tickSize}`);
    if (!(minTick >= 1 && maxTick - minTick >= 2 && maxTick < one)) {
      bad(`${path}: binary prices need 0 < minPrice, minPrice + 2 ticks <= maxPrice < 1, got ${c.minPrice} .. ${c.maxPrice}`);
    }
    if (!(initialTicks > 0 && initialTicks < one)) bad(`${path}.initialPrice of a binary contract must be strictly between 0 and 1, got ${c.initialPrice}`);
    num(c.resolutionTsNs, `${path}.resolutionTsNs`, (x) => x > startTsNs, `after startTsNs (${startTsNs})`);
    nonNeg(c.referenceSigmaBpsPerSqrtS, `${path}.referenceSigmaBpsPerSqrtS`);
  } else {
    if (!(initialTicks > 0)) bad(`${path}.initialPrice must be > 0, got ${c.initialPrice}`);
    if (c.resolutionTsNs !== 0) bad(`${path}.resolutionTsNs is for binary contracts only (must be 0 for ${c.kind})`);
  }
  validateRegimes(c.regimes, `${path}.regimes`);

  const b = c.book;
  const bp = `${path}.book`;
  if (!isRecord(b)) bad(`${bp} must be an object`);
  intAtLeast(b.minLevelsPerSide, `${bp}.minLevelsPerSide`, 1);
  intAtLeast(b.levelsPerSide, `${bp}.levelsPerSide`, b.minLevelsPerSide);
  intAtLeast(b.maxLevelsPerSide, `${bp}.maxLevelsPerSide`, b.levelsPerSide);
  if (b.maxLevelsPerSide > 1000) bad(`${bp}.maxLevelsPerSide must be <= 1000, got ${b.maxLevelsPerSide}`);
  atLeast(b.levelGapTicks, `${bp}.levelGapTicks`, 1);
  intAtLeast(b.denseLevels, `${bp}.denseLevels`, 1);
  nonNeg(b.touchHalfSpreadTicks, `${bp}.touchHalfSpreadTicks`);
  atLeast(b.maxTouchGapTicks, `${bp}.maxTouchGapTicks`, 1);
  atLeast(b.maxDepthTicks, `${bp}.maxDepthTicks`, 1);
  atLeast(b.orderMedianLots, `${bp}.orderMedianLots`, 1);
  positive(b.sizeGrowthTicks, `${bp}.sizeGrowthTicks`);
  nonNeg(b.sizeSigma, `${bp}.sizeSigma`);
  num(b.pickoffProbability, `${bp}.pickoffProbability`, (x) => x >= 0 && x <= 1, 'in [0, 1]');
  atLeast(b.touchSizeMultiplier, `${bp}.touchSizeMultiplier`, 1);

  const f = c.flow;
  const fp = `${path}.flow`;
  if (!isRecord(f)) bad(`${fp} must be an object`);
  positive(f.baseRatePerS, `${fp}.baseRatePerS`);
  num(f.branchingRatio, `${fp}.branchingRatio`, (x) => x >= 0 && x < 1, 'in [0, 1) (a Hawkes process with branching ratio >= 1 explodes)');
  positive(f.decayPerS, `${fp}.decayPerS`);
  nonNeg(f.limitWeight, `${fp}.limitWeight`);
  nonNeg(f.cancelWeight, `${fp}.cancelWeight`);
  nonNeg(f.marketWeight, `${fp}.marketWeight`);
  if (!(f.limitWeight + f.cancelWeight + f.marketWeight > 0)) bad(`${fp}: limitWeight + cancelWeight + marketWeight must be > 0`);
  positive(f.arrivalDepthTicks, `${fp}.arrivalDepthTicks`);
  atLeast(f.marketMedianLots, `${fp}.marketMedianLots`, 1);
  nonNeg(f.marketSizeSigma, `${fp}.marketSizeSigma`);
}

/** Throws SPREADCORE_ERR_BAD_PARAM for the first invalid field. */
export function validateSimConfig(config: SimConfig): void {
  num(config.startTsNs, 'startTsNs', (x) => x >= 0, '>= 0 (Unix epoch ns)');
  nonNeg(config.heartbeatIntervalMs, 'heartbeatIntervalMs');
  if (!Array.isArray(config.instruments) || config.instruments.length === 0) bad('instruments must be a non-empty array');
  const ids = new Set<number>();
  const symbols = new Set<string>();
  config.instruments.forEach((c, i) => {
    const path = `instruments[${i}]`;
    if (!isRecord(c)) bad(`${path} must be an object`);
    validateInstrument(c, path, config.startTsNs);
    if (ids.has(c.symbolId)) bad(`${path}.symbolId ${c.symbolId} is used twice`);
    if (symbols.has(c.symbol)) bad(`${path}.symbol ${c.symbol} is used twice`);
    ids.add(c.symbolId);
    symbols.add(c.symbol);
  });
}
