// Runs sweep tasks on a piscina pool of worker threads. Keeps two tasks per worker
// in flight (one running, one queued, so a worker never waits for the main thread)
// and dispatches the next as each result arrives. On stop it dispatches nothing
// more and sets the shared stop flag: the workers end their in-flight backtests
// early and answer "stopped"; the promise resolves once every in-flight task has
// answered, then the pool is destroyed.
import { Piscina } from 'piscina';
import type { SweepTask, TaskResult, WorkerInit } from './sweep-protocol.js';

export interface PoolRunOptions {
  /** The compiled worker module (dist/src/sweep/sweep-worker.js). */
  readonly filename: string | URL;
  readonly workers: number;
  readonly init: WorkerInit;
  readonly tasks: readonly SweepTask[];
  /** Called once per task, in arrival order. A rejected task (worker crash) comes back as kind "failed". */
  readonly onResult: (r: TaskResult) => void;
  readonly signal?: AbortSignal | undefined;
}

export interface PoolRunStats {
  /** Tasks handed to the pool. */
  readonly dispatched: number;
  readonly stopped: boolean;
}

export function newStopFlag(): SharedArrayBuffer {
  return new SharedArrayBuffer(Int32Array.BYTES_PER_ELEMENT);
}

/** A pool of `workers` sweep worker threads, each started with `init` (a distributed sweep's worker makes one per sweep). */
export function newSweepPool(file: string | URL, workers: number, init: WorkerInit): Piscina {
  return new Piscina({
    filename: typeof file === 'string' ? file : file.href,
    minThreads: workers,
    maxThreads: workers,
    idleTimeout: 60_000,
    concurrentTasksPerWorker: 1,
    workerData: init,
  });
}

export async function runOnPool(o: PoolRunOptions): Promise<PoolRunStats> {
  const pool = newSweepPool(o.filename, o.workers, o.init);
  const stopFlag = new Int32Array(o.init.stop);
  const maxInFlight = o.workers * 2;
  let next = 0;
  let inFlight = 0;
  let stopping = o.signal?.aborted === true;
  const stop = (): void => {
    stopping = true;
    Atomics.store(stopFlag, 0, 1);
  };
  if (stopping) stop();
  let failure: { error: unknown } | null = null;
  const deliver = (r: TaskResult): void => {
    try {
      o.onResult(r);
    } catch (error) {
      failure ??= { error };
      stop();
    }
  };
  // a worker fault piscina cannot tie to a task (a worker dying between tasks) comes as the
  // pool's 'error' event: without a listener it would be an uncaught exception
  pool.on('error', (error: unknown) => {
    failure ??= { error };
    stop();
  });
  let onAbort = (): void => {};
  try {
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (!stopping && next < o.tasks.length && inFlight < maxInFlight) {
          const task = o.tasks[next++]!;
          inFlight++;
          pool.run(task).then(
            (r: TaskResult) => deliver(r),
            (e: unknown) => deliver({
              index: task.index, workerId: -1, workerInits: 0, wasmInstances: 0, workerTasks: 0,
              kind: 'failed', error: e instanceof Error ? e.message : String(e), code: 'SPREADCORE_ERR_INTERNAL',
            }),
          ).finally(() => {
            inFlight--;
            pump();
          });
        }
        if (inFlight === 0 && (stopping || next >= o.tasks.length)) resolve();
      };
      onAbort = (): void => {
        stop();
        pump();
      };
      o.signal?.addEventListener('abort', onAbort, { once: true });
      pump();
    });
  } finally {
    o.signal?.removeEventListener('abort', onAbort);
    await pool.destroy();
  }
  if (failure !== null) throw (failure as { error: unknown }).error;
  return { dispatched: next, stopped: stopping };
}
