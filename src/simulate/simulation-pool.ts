// Runs a whole experiment across a piscina pool of worker threads: the paths are
// cut into chunks (chunkPaths), each chunk is one task, and the per-path records
// are placed by path index, so the result does not depend on the number of
// workers, the chunk size or the order in which chunks finish.
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { SpreadcoreError } from '../errors.js';
import { checkSimulationOptions, type ExperimentParams, type SimulationOptions } from './experiment.js';
import { RECORD_FIELDS } from './simulate-strategies.js';

export const MIN_CHUNK_PATHS = 50;
export const MAX_CHUNK_PATHS = 500;
/** Tasks per worker the chunk size aims for, so that uneven workers still finish together. */
const TASKS_PER_WORKER = 8;
export const MAX_WORKERS = 64;

/**
 * Paths per task: about TASKS_PER_WORKER tasks per worker, within [50, 500]. Each task
 * pays a fixed cost (the quoter's horizon is rewritten once per step, ~10 µs each, so
 * ~2 ms per task for Avellaneda–Stoikov), which big runs amortise over bigger chunks.
 */
export function chunkPaths(paths: number, workers: number): number {
  return Math.min(MAX_CHUNK_PATHS, Math.max(MIN_CHUNK_PATHS, Math.ceil(paths / (workers * TASKS_PER_WORKER))));
}

export interface PoolRunOptions {
  /** Worker threads, 1..MAX_WORKERS (default os.availableParallelism()). */
  workers?: number;
  /** Called after each finished chunk with the number of paths done so far. */
  onProgress?: (donePaths: number, totalPaths: number) => void;
}

export interface ExperimentRun extends ExperimentParams {
  seed: number;
  paths: number;
}

const WORKER_FILE = new URL('./simulate-worker.js', import.meta.url);

export function defaultWorkers(): number {
  return Math.min(MAX_WORKERS, Math.max(1, availableParallelism()));
}

/** Every path's record (RECORD_FIELDS numbers per path, path 0 first). */
export async function simulateOnPool(run: ExperimentRun, options: PoolRunOptions = {}): Promise<Float64Array> {
  const workers = options.workers ?? defaultWorkers();
  if (!Number.isInteger(workers) || workers < 1 || workers > MAX_WORKERS) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_PARAM', `workers must be an integer from 1 to ${MAX_WORKERS}, got ${workers}`);
  }
  const { paths, ...rest } = run;
  checkSimulationOptions({ ...rest, firstPath: 0, pathCount: paths });
  const chunk = chunkPaths(paths, workers);
  const pool = new Piscina<SimulationOptions, Float64Array>({
    filename: WORKER_FILE.href,
    minThreads: Math.min(workers, Math.ceil(paths / chunk)),
    maxThreads: workers,
  });
  // a worker fault piscina cannot tie to a task (a worker that fails to load while another
  // task is already settled, or dies between tasks) comes as the pool's 'error' event:
  // without a listener it would be an uncaught exception; it fails the run instead
  let failPool: (e: unknown) => void = () => {};
  const poolFailed = new Promise<never>((_, reject) => { failPool = reject; });
  poolFailed.catch(() => { /* observed through the race below */ });
  pool.on('error', (e: unknown) => failPool(e));
  const records = new Float64Array(paths * RECORD_FIELDS);
  let done = 0;
  try {
    const tasks: Promise<void>[] = [];
    for (let first = 0; first < paths; first += chunk) {
      const count = Math.min(chunk, paths - first);
      tasks.push(pool.run({ ...rest, firstPath: first, pathCount: count }).then((chunk) => {
        if (chunk.length !== count * RECORD_FIELDS) {
          throw new SpreadcoreError('SPREADCORE_ERR_WORKER', `a worker returned ${chunk.length} numbers for ${count} paths`);
        }
        records.set(chunk, first * RECORD_FIELDS);
        done += count;
        options.onProgress?.(done, paths);
      }));
    }
    for (const t of tasks) t.catch(() => { /* the first failure is reported by the race below */ });
    await Promise.race([Promise.all(tasks), poolFailed]);
  } catch (e) {
    if (e instanceof SpreadcoreError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new SpreadcoreError('SPREADCORE_ERR_WORKER', `simulation worker failed: ${msg.split('\n')[0]}`);
  } finally {
    await pool.destroy();
  }
  return records;
}
