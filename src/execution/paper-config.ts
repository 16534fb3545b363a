// Settings of the paper exchange, with defaults and validation. See docs/execution.md
// for what each one does to fills.
import { SpreadcoreError } from '../errors.js';

/**
 * How a decrease of the displayed quantity at our price that no trade explains (a
 * cancel by someone else) moves our queue position (queue-position.ts shareAhead;
 * docs/backtest.md has the formulas and their sources):
 * - 'proportional': cancels are spread evenly over the queue, so the part ahead of us
 *   shrinks by decrease × ahead / level size (hftbacktest's ProbQueueModel with the
 *   identity function; Rigtorp's estimator with uniform cancels);
 * - 'power': hftbacktest's PowerProbQueueFunc, f(x) = x^n with n = queueExponent;
 * - 'log': hftbacktest's LogProbQueueFunc, f(x) = ln(1 + x);
 * - 'risk_averse': cancels come from behind us; the queue ahead only shrinks by trades
 *   at our price or when the level becomes smaller than it (hftbacktest's
 *   RiskAverseQueueModel). 'pessimistic' is its older name.
 */
export type QueueModel = 'proportional' | 'power' | 'log' | 'risk_averse' | 'pessimistic';
export const QUEUE_MODELS: readonly QueueModel[] = ['proportional', 'power', 'log', 'risk_averse', 'pessimistic'];

/**
 * - 'queue': the realistic model (latency, queue position, limited by traded volume);
 * - 'naive': zero latency and infinite queue priority: a resting order is filled in
 *   full whenever the market trades at or through its price or the opposite best
 *   touches it. It overstates fills; keep it for comparison.
 */
export type FillModel = 'queue' | 'naive';

export interface PaperExchangeConfig {
  /** From submit to the order reaching the book, exchange-time ns. */
  readonly orderLatencyNs: number;
  /** From cancel to the cancel taking effect, exchange-time ns. */
  readonly cancelLatencyNs: number;
  /**
   * Extra latency drawn for every order and cancel, uniform in [0, latencyJitterNs)
   * exchange-time ns, from a generator seeded with `seed`: orders and cancels can
   * overtake each other as on a real network. 0 (default) = fixed latency.
   */
  readonly latencyJitterNs: number;
  /** Seed of the latency jitter draws (same seed, same draws). */
  readonly seed: number;
  /** Fee on maker fills, bps of notional; negative = rebate. */
  readonly makerFeeBps: number;
  /** Fee on taker fills, bps of notional; negative = rebate. */
  readonly takerFeeBps: number;
  readonly queueModel: QueueModel;
  /** Exponent n of the 'power' queue model (f(x) = x^n), 0.01..100; ignored by the others. */
  readonly queueExponent: number;
  /**
   * Exchange-time delay of every report (accepted, fill, cancelled, rejected) before the
   * strategy hears of it, ns; the reports wait in the exchange until the strategy's
   * clock (setLocalClock) reaches their time. 0 (default) = at once.
   */
  readonly responseLatencyNs: number;
  /**
   * Constant delay between an event's exchange time and the strategy seeing it, ns:
   * nowNs() (the time the strategy decides and sends at) is the exchange clock plus
   * this. A recording's own receive times are given with setLocalClock instead.
   */
  readonly feedLatencyNs: number;
  /**
   * Entry and response latency read from samples over time (order_latency_file),
   * interpolated linearly; replaces orderLatencyNs, cancelLatencyNs and
   * responseLatencyNs when set.
   */
  readonly latencyCurve: LatencyCurve | null;
  readonly fillModel: FillModel;
  /** Prefix of trade ids ("<prefix>-t<n>"); give each run its own when fills of several runs share a journal. */
  readonly idPrefix: string;
}

/**
 * Order latency that changes over time: samples (t, entry latency, response latency)
 * in time order; between two samples both latencies are interpolated linearly in t,
 * before the first and after the last they stay at its value (the interpolated
 * order-latency model of hftbacktest's IntpOrderLatency, which reads the same three
 * quantities from a live order log: entry = exchange ts − request ts, response =
 * response ts − exchange ts).
 */
export class LatencyCurve {
  readonly tNs: Float64Array;
  readonly entryNs: Float64Array;
  readonly responseNs: Float64Array;

  constructor(tNs: readonly number[], entryNs: readonly number[], responseNs: readonly number[]) {
    if (tNs.length === 0 || tNs.length !== entryNs.length || tNs.length !== responseNs.length) {
      throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', 'a latency curve needs at least one (time, entry, response) sample');
    }
    for (let k = 0; k < tNs.length; k++) {
      if (!Number.isFinite(tNs[k]!) || (k > 0 && tNs[k]! < tNs[k - 1]!)) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `latency sample ${k + 1}: times must be finite and non-decreasing`);
      for (const v of [entryNs[k]!, responseNs[k]!]) {
        if (!Number.isFinite(v) || v < 0 || v > MAX_LATENCY_NS) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `latency sample ${k + 1}: latencies must be in 0..${MAX_LATENCY_NS} ns, got ${v}`);
      }
    }
    this.tNs = Float64Array.from(tNs);
    this.entryNs = Float64Array.from(entryNs);
    this.responseNs = Float64Array.from(responseNs);
  }

  get samples(): number { return this.tNs.length; }

  /** Entry latency at time tNs (whole ns). */
  entryAt(tNs: number): number { return this.at(this.entryNs, tNs); }
  /** Response latency at time tNs (whole ns). */
  responseAt(tNs: number): number { return this.at(this.responseNs, tNs); }

  private at(v: Float64Array, tNs: number): number {
    const t = this.tNs;
    const n = t.length;
    if (tNs <= t[0]!) return Math.round(v[0]!);
    if (tNs >= t[n - 1]!) return Math.round(v[n - 1]!);
    // the segment [t[i], t[i+1]] holding tNs: binary search (entry and response are asked at different times)
    let lo = 0;
    let hi = n - 1;
    while (hi - lo > 1) {
      const mid = (lo + hi) >>> 1;
      if (t[mid]! < tNs) lo = mid;
      else hi = mid;
    }
    const i = lo;
    const t0 = t[i]!;
    const t1 = t[i + 1]!;
    const w = t1 > t0 ? (tNs - t0) / (t1 - t0) : 1;
    return Math.round(v[i]! + (v[i + 1]! - v[i]!) * w);
  }

  /**
   * Reads samples from text: one per line, "<time_ms> <entry_ms> <response_ms>"
   * separated by commas, tabs or spaces; time is Unix epoch ms of exchange time, the
   * latencies ms (decimals allowed). Blank lines, lines starting with # and a header
   * line whose first field is not a number are skipped. Throws naming the line.
   */
  static parse(text: string, source = 'latency file'): LatencyCurve {
    const t: number[] = [];
    const e: number[] = [];
    const r: number[] = [];
    const lines = text.split(/\r?\n/);
    for (let k = 0; k < lines.length; k++) {
      const line = lines[k]!.trim();
      if (line === '' || line.startsWith('#')) continue;
      const f = line.split(/[\s,;]+/);
      if (t.length === 0 && !/^[0-9.+-]/.test(f[0]!)) continue; // header
      const nums = f.map(Number);
      if (f.length !== 3 || nums.some((x) => !Number.isFinite(x))) {
        throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${source} line ${k + 1}: expected "<time_ms> <entry_ms> <response_ms>", got ${JSON.stringify(line.slice(0, 80))}`);
      }
      t.push(nums[0]! * 1e6);
      e.push(nums[1]! * 1e6);
      r.push(nums[2]! * 1e6);
    }
    if (t.length === 0) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${source}: no latency samples`);
    try {
      return new LatencyCurve(t, e, r);
    } catch (err) {
      if (err instanceof SpreadcoreError) throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `${source}: ${err.message}`);
      throw err;
    }
  }
}

export type PaperExchangeConfigInput = Partial<PaperExchangeConfig>;

export const PAPER_DEFAULTS: PaperExchangeConfig = Object.freeze({
  orderLatencyNs: 2_000_000,
  cancelLatencyNs: 2_000_000,
  latencyJitterNs: 0,
  seed: 1,
  makerFeeBps: 10,
  takerFeeBps: 10,
  queueModel: 'proportional',
  queueExponent: 2,
  responseLatencyNs: 0,
  feedLatencyNs: 0,
  latencyCurve: null,
  fillModel: 'queue',
  idPrefix: 'paper',
});

/** Fees in bps must have at most this many decimals (they are turned into exact decimals). */
export const FEE_BPS_DECIMALS = 6;
const MAX_LATENCY_NS = 3_600e9;
const MAX_FEE_BPS = 1000;

function bad(field: string, why: string, v: unknown): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `paper exchange ${field} ${why}, got ${JSON.stringify(v)}`);
}

function latency(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0 || v > MAX_LATENCY_NS) throw bad(field, `must be a whole number of ns in 0..${MAX_LATENCY_NS}`, v);
  return v;
}

/** Checks a fee in bps as the paper exchange takes it (range and decimals); throws SPREADCORE_ERR_BAD_PARAM naming the field. */
export function checkFeeBps(field: string, v: unknown): number {
  return feeBps(field, v);
}

function feeBps(field: string, v: unknown): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || Math.abs(v) > MAX_FEE_BPS) throw bad(field, `must be a number of bps in -${MAX_FEE_BPS}..${MAX_FEE_BPS}`, v);
  const scaled = v * 10 ** FEE_BPS_DECIMALS;
  if (Math.abs(scaled - Math.round(scaled)) > 1e-6) throw bad(field, `must have at most ${FEE_BPS_DECIMALS} decimals`, v);
  return v;
}

/** Merges input onto the defaults and validates; throws SPREADCORE_ERR_BAD_PARAM naming the field. */
export function resolvePaperConfig(input: PaperExchangeConfigInput = {}): PaperExchangeConfig {
  const c = { ...PAPER_DEFAULTS, ...input };
  const queueModel = c.queueModel;
  if (!QUEUE_MODELS.includes(queueModel)) throw bad('queueModel', `must be ${QUEUE_MODELS.map((m) => `'${m}'`).join(', ')}`, queueModel);
  const queueExponent = c.queueExponent;
  if (typeof queueExponent !== 'number' || !Number.isFinite(queueExponent) || queueExponent < 0.01 || queueExponent > 100) throw bad('queueExponent', 'must be a number in 0.01..100', queueExponent);
  const latencyCurve = c.latencyCurve;
  if (latencyCurve !== null && !(latencyCurve instanceof LatencyCurve)) throw bad('latencyCurve', 'must be a LatencyCurve or null', latencyCurve);
  const fillModel = c.fillModel;
  if (fillModel !== 'queue' && fillModel !== 'naive') throw bad('fillModel', "must be 'queue' or 'naive'", fillModel);
  if (typeof c.idPrefix !== 'string' || !/^[A-Za-z0-9_.:-]{1,40}$/.test(c.idPrefix)) throw bad('idPrefix', 'must be 1-40 of A-Z a-z 0-9 _ . : -', c.idPrefix);
  const orderLatencyNs = latency('orderLatencyNs', c.orderLatencyNs);
  const cancelLatencyNs = latency('cancelLatencyNs', c.cancelLatencyNs);
  const latencyJitterNs = latency('latencyJitterNs', c.latencyJitterNs);
  const responseLatencyNs = latency('responseLatencyNs', c.responseLatencyNs);
  const feedLatencyNs = latency('feedLatencyNs', c.feedLatencyNs);
  if (typeof c.seed !== 'number' || !Number.isSafeInteger(c.seed)) throw bad('seed', 'must be an integer', c.seed);
  const naive = fillModel === 'naive';
  return Object.freeze({
    // the naive model has no latency, whatever was configured
    orderLatencyNs: naive ? 0 : orderLatencyNs,
    cancelLatencyNs: naive ? 0 : cancelLatencyNs,
    latencyJitterNs: naive ? 0 : latencyJitterNs,
    responseLatencyNs: naive ? 0 : responseLatencyNs,
    feedLatencyNs: naive ? 0 : feedLatencyNs,
    latencyCurve: naive ? null : latencyCurve,
    queueExponent,
    seed: c.seed,
    makerFeeBps: feeBps('makerFeeBps', c.makerFeeBps),
    takerFeeBps: feeBps('takerFeeBps', c.takerFeeBps),
    queueModel,
    fillModel,
    idPrefix: c.idPrefix,
  });
}
