// Settings of the paper exchange, with defaults and validation. See docs/execution.md
// for what each one does to fills.
import { SpreadcoreError } from '../errors.js';

/**
 * How a decrease of the displayed quantity at our price that no trade explains (a
 * cancel by someone else) moves our queue position:
 * - 'proportional': cancels are spread evenly over the queue, so the part ahead of us
 *   shrinks by decrease × ahead / level size (hftbacktest's ProbQueueModel with the
 *   identity function; Rigtorp's estimator with uniform cancels);
 * - 'pessimistic': cancels come from behind us; the queue ahead only shrinks when the
 *   level becomes smaller than it (hftbacktest's RiskAverseQueueModel).
 */
export type QueueModel = 'proportional' | 'pessimistic';

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
  readonly fillModel: FillModel;
  /** Prefix of trade ids ("<prefix>-t<n>"); give each run its own when fills of several runs share a journal. */
  readonly idPrefix: string;
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
  if (queueModel !== 'proportional' && queueModel !== 'pessimistic') throw bad('queueModel', "must be 'proportional' or 'pessimistic'", queueModel);
  const fillModel = c.fillModel;
  if (fillModel !== 'queue' && fillModel !== 'naive') throw bad('fillModel', "must be 'queue' or 'naive'", fillModel);
  if (typeof c.idPrefix !== 'string' || !/^[A-Za-z0-9_.:-]{1,40}$/.test(c.idPrefix)) throw bad('idPrefix', 'must be 1-40 of A-Z a-z 0-9 _ . : -', c.idPrefix);
  const orderLatencyNs = latency('orderLatencyNs', c.orderLatencyNs);
  const cancelLatencyNs = latency('cancelLatencyNs', c.cancelLatencyNs);
  const latencyJitterNs = latency('latencyJitterNs', c.latencyJitterNs);
  if (typeof c.seed !== 'number' || !Number.isSafeInteger(c.seed)) throw bad('seed', 'must be an integer', c.seed);
  const naive = fillModel === 'naive';
  return Object.freeze({
    // the naive model has no latency, whatever was configured
    orderLatencyNs: naive ? 0 : orderLatencyNs,
    cancelLatencyNs: naive ? 0 : cancelLatencyNs,
    latencyJitterNs: naive ? 0 : latencyJitterNs,
    seed: c.seed,
    makerFeeBps: feeBps('makerFeeBps', c.makerFeeBps),
    takerFeeBps: feeBps('takerFeeBps', c.takerFeeBps),
    queueModel,
    fillModel,
    idPrefix: c.idPrefix,
  });
}
