// Where a distributed sweep lives in NATS JetStream. One stream of points (work-queue
// retention: a point's message is removed once a worker acknowledges it), one stream of
// results, an object store of the sweeps' inputs keyed by content hash, and a KV bucket
// of the sweeps being run (a worker serves the sweeps listed there).
//
//   spreadcore.sweep.points.<sweep>    a point to run (one message per point)
//   spreadcore.sweep.results.<sweep>   a point's result (message id <sweep>.<index>)
//   durable consumer sweep-<sweep>     the workers' pull consumer of one sweep's points
//   object sha256-<hex>                a recording's bytes, a sweep's spec JSON
//   KV key <sweep>                     the sweep's manifest (SweepManifest)

export const POINTS_STREAM = 'SPREADCORE_SWEEP_POINTS';
export const RESULTS_STREAM = 'SPREADCORE_SWEEP_RESULTS';
export const INPUTS_BUCKET = 'spreadcore-sweep-inputs';
export const SWEEPS_BUCKET = 'spreadcore-sweeps';

export const POINTS_SUBJECTS = 'spreadcore.sweep.points.*';
export const RESULTS_SUBJECTS = 'spreadcore.sweep.results.*';

/** Results are kept this long (a coordinator that died can still be answered by nobody, then they go). */
export const RESULTS_MAX_AGE_MS = 24 * 3600_000;
/** The window in which JetStream drops a result published again under the same message id. */
export const DUPLICATE_WINDOW_MS = 10 * 60_000;
/** A point handed out this many times without being acknowledged is reported as failed. */
export const MAX_DELIVERIES = 5;
export const DEFAULT_ACK_WAIT_MS = 30_000;

export function pointsSubject(sweep: string): string {
  return `spreadcore.sweep.points.${sweep}`;
}

export function resultsSubject(sweep: string): string {
  return `spreadcore.sweep.results.${sweep}`;
}

export function consumerName(sweep: string): string {
  return `sweep-${sweep}`;
}

export function resultMsgId(sweep: string, index: number): string {
  return `${sweep}.${index}`;
}

export function maxDeliveriesAdvisory(sweep: string): string {
  return `$JS.EVENT.ADVISORY.CONSUMER.MAX_DELIVERIES.${POINTS_STREAM}.${consumerName(sweep)}`;
}

/** A sweep id: lower-case letters and digits (a subject token and a KV key). */
export const SWEEP_ID = /^[a-z0-9]{1,32}$/;

/** What a worker needs to serve a sweep, stored in the sweeps bucket under the sweep id. */
export interface SweepManifest {
  readonly v: 1;
  readonly sweep: string;
  /** Object names (sha256-<hex>) of the recording's bytes and of the spec JSON (SweepSpecDoc). */
  readonly data: string;
  readonly dataBytes: number;
  readonly spec: string;
  readonly points: number;
  readonly ackWaitMs: number;
  /** host:pid of the coordinator. */
  readonly coordinator: string;
  readonly created: string;
}

/** The sweep's spec as the workers' pool needs it (WorkerInit without the recording and the stop flag). */
export interface SweepSpecDoc {
  readonly baseParams: unknown;
  readonly names: readonly string[];
  readonly canonical: readonly string[];
  readonly seed: number;
}

/** A point on the points stream. */
export interface PointMessage {
  readonly sweep: string;
  readonly index: number;
  readonly values: readonly (string | number | boolean | null)[];
}

/** A point's result on the results stream: the pool's TaskResult plus who ran it. */
export interface ResultMessage {
  readonly sweep: string;
  readonly index: number;
  /** host:pid of the worker process. */
  readonly worker: string;
  readonly thread: number;
  readonly workerTasks: number;
  readonly workerInits: number;
  readonly wasmInstances: number;
  readonly kind: 'done' | 'failed';
  readonly objectives?: { net_pnl: number; sharpe: number | null; max_drawdown: number; fill_rate: number; fills: number; events: number };
  readonly elapsedMs?: number;
  readonly error?: string;
  readonly code?: string;
}
