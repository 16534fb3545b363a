// What the sweep's main thread and its pool workers exchange. The recording is
// handed over once per worker (workerData, a SharedArrayBuffer: every worker reads
// the same memory, nothing is copied); a task is just a point's index and values,
// a result a few numbers.
import type { BacktestObjectives } from './objectives.js';
import type { SweepValue } from './space.js';

export interface WorkerInit {
  /** The recording file's bytes (gzip or not), shared by every worker. */
  readonly data: SharedArrayBuffer;
  /** Int32Array[1] in shared memory: non-zero = stop (in-flight backtests end early, queued ones do not start). */
  readonly stop: SharedArrayBuffer;
  /** The params file's JSON. */
  readonly baseParams: unknown;
  /** Swept names as written in the space file, and their canonical parameters. */
  readonly names: readonly string[];
  readonly canonical: readonly string[];
  /** Seed of every backtest (the same for every point: points differ only in their parameters). */
  readonly seed: number;
  /**
   * The parse cache's directory (a Binance recording's parse kept on disk, as `backtest
   * --cache-dir`), or null for none: a worker reads it instead of parsing, and the first run
   * that parsed writes it.
   */
  readonly cacheDir?: string | null;
}

export interface SweepTask {
  readonly index: number;
  readonly values: readonly SweepValue[];
}

interface TaskResultCommon {
  readonly index: number;
  /** worker_threads threadId of the worker. */
  readonly workerId: number;
  /** How many times this worker's module initialised (always 1 for a worker). */
  readonly workerInits: number;
  /** WebAssembly instances this worker has created so far. */
  readonly wasmInstances: number;
  /** Tasks this worker has run, this one included. */
  readonly workerTasks: number;
  /** What the parse cache told during this task (a file read or written, one it could not read or write). */
  readonly notes?: readonly string[];
}

export type TaskResult = TaskResultCommon & (
  | { readonly kind: 'done'; readonly objectives: BacktestObjectives; readonly elapsedMs: number }
  | { readonly kind: 'stopped' }
  | { readonly kind: 'failed'; readonly error: string; readonly code: string }
);
