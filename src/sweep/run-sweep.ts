// runSweep(): a parameter sweep end to end. Reads and checks the params file and the
// space, builds the points (grid or seeded random) and checks every point's params
// file before any backtest runs; reads the recording once into shared memory; runs
// the points on a worker pool; keeps results.json and results.csv in the output
// directory up to date as results arrive (rewritten at most every flushIntervalMs,
// and at the end); draws the heat map at the end. An abort signal (Ctrl-C) stops
// dispatching, ends in-flight backtests early and keeps every finished run.
import { closeSync, fstatSync, mkdirSync, openSync, readFileSync, readSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { checkRecording, parseBacktestSpec, planRecording } from '../backtest/index.js';
import { SpreadcoreError, type ErrorCode } from '../errors.js';
import { expandGrid, sampleRandom, type SweepPoint } from './expand.js';
import { chooseHeatmapAxes, type HeatmapChoice } from './heatmap-grid.js';
import { requireObjective, requireSharpeSpan, runObjectives, type ObjectiveName, type RunRecord } from './objectives.js';
import { pointParams } from './point-params.js';
import { sweepSettingsText } from './render-heatmap.js';
import { resultsJson, writeAtomic, writeResults, type ResultsJson, type RunFailure, type SweepSummary } from './results-doc.js';
import { parseSweepSpace, type SweepSpace } from './space.js';
import { newStopFlag, runOnPool } from './sweep-pool.js';
import type { SweepTask, TaskResult, WorkerInit } from './sweep-protocol.js';

export type SearchKind = 'grid' | 'random';

export interface SweepOptions {
  readonly dataPath: string;
  readonly paramsPath: string;
  readonly spacePath: string;
  readonly search: SearchKind;
  /** Random search: how many points. */
  readonly samples: number;
  readonly objective: ObjectiveName;
  readonly workers: number;
  readonly outDir: string;
  /** Seeds the random search and every backtest. */
  readonly seed: number;
  /** "x,y", "none", or undefined for the first two numeric parameters. */
  readonly heatmap?: string | undefined;
  /** Called once the sweep is checked, before the first backtest: how many points, on how many workers. */
  readonly onStart?: ((total: number, workers: number) => void) | undefined;
  /** Called after each finished point: finished points, all points. */
  readonly onProgress?: ((finished: number, total: number) => void) | undefined;
  /**
   * The parse cache's directory (`--cache-dir`): each worker reads a Binance recording's
   * parse from it instead of parsing, and writes it after its first run when it was not there.
   */
  readonly cacheDir?: string | undefined;
  /** Told what the parse cache did (a file read or written, one that could not be). */
  readonly onNote?: ((message: string) => void) | undefined;
  /** The compiled worker module; default: sweep-worker.js next to this file. */
  readonly workerFile?: string | URL | undefined;
  /** Least time between rewrites of the results files while running, ms (default 1000). */
  readonly flushIntervalMs?: number | undefined;
  /**
   * Runs the points somewhere other than this process's pool (a distributed sweep): gets what
   * the pool would, calls onResult once per point, resolves when every point answered or the
   * signal stopped it. The summary's workers are then the worker threads that reported.
   */
  readonly executor?: SweepExecutor | undefined;
  /** Draws the heat map PNG; absent = no image (the grid is still chosen and checked). */
  readonly renderHeatmap?: ((
    space: SweepSpace, choice: HeatmapChoice & { kind: 'axes' }, runs: readonly RunRecord[], objective: ObjectiveName,
    /** What every point shares (fill model, latencies, fees, seed, fixed parameters): sweepSettingsText. */
    settings: string,
  ) => Uint8Array) | undefined;
}

export interface SweepExecution {
  readonly init: WorkerInit;
  readonly tasks: readonly SweepTask[];
  readonly onResult: (r: TaskResult) => void;
  readonly signal?: AbortSignal | undefined;
}
export type SweepExecutor = (run: SweepExecution) => Promise<{ readonly stopped: boolean }>;

export interface SweepOutcome {
  readonly status: 'complete' | 'stopped';
  readonly doc: ResultsJson;
  readonly space: SweepSpace;
  readonly runs: readonly RunRecord[];
  readonly failures: readonly RunFailure[];
  readonly heatmap: { readonly path: string } | { readonly note: string };
}

/** Prepared and checked, nothing run yet. */
export interface PreparedSweep {
  readonly space: SweepSpace;
  /** Every point, by index. */
  readonly points: readonly SweepPoint[];
  /** The points whose params file passes every check: these run. */
  readonly runnable: readonly SweepPoint[];
  /** Points a rule between parameters (or any params-file check) refuses: reported, not run. */
  readonly skipped: readonly RunFailure[];
  readonly baseParams: unknown;
  readonly names: readonly string[];
  readonly canonical: readonly string[];
  readonly heatmap: HeatmapChoice;
}

function readJsonFile(path: string, what: string): unknown {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read the ${what} ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `the ${what} ${path} is not valid JSON: ${(e as Error).message}`);
  }
}

function describePoint(names: readonly string[], p: SweepPoint): string {
  return names.map((n, i) => `${n}=${JSON.stringify(p.values[i])}`).join(', ');
}

/**
 * Reads the params file and the space and checks every point before anything runs.
 * A point the params-file checks refuse (order_size above max_position, say) is
 * skipped and reported; when every point is refused the sweep is refused.
 */
export function prepareSweep(o: Pick<SweepOptions, 'paramsPath' | 'spacePath' | 'search' | 'samples' | 'seed' | 'heatmap'>, usage: (m: string) => Error): PreparedSweep {
  const baseParams = readJsonFile(o.paramsPath, 'params file');
  parseBacktestSpec(baseParams);
  const space = parseSweepSpace(readJsonFile(o.spacePath, 'space file'));
  const heatmap = chooseHeatmapAxes(space.axes, o.heatmap, usage);
  const points = o.search === 'grid' ? expandGrid(space) : sampleRandom(space, o.samples, o.seed);
  const names = space.axes.map((a) => a.name);
  const canonical = space.axes.map((a) => a.spec.name);
  const runnable: SweepPoint[] = [];
  const skipped: RunFailure[] = [];
  for (const p of points) {
    try {
      parseBacktestSpec(pointParams(baseParams, names, canonical, p.values));
      runnable.push(p);
    } catch (e) {
      if (!(e instanceof SpreadcoreError)) throw e;
      skipped.push({ index: p.index, values: p.values, error: e.message, code: e.code });
    }
  }
  if (runnable.length === 0) {
    const first = skipped[0]!;
    const p = points[first.index]!;
    throw new SpreadcoreError(first.code as ErrorCode,
      `every sweep point is refused by the params-file checks; point ${p.index} (${describePoint(names, p)}): ${first.error}`);
  }
  return { space, points, runnable, skipped, baseParams, names, canonical, heatmap };
}

/** The recording file's bytes in shared memory (read once; every worker sees the same bytes). */
export function readShared(path: string): SharedArrayBuffer {
  let fd: number;
  try {
    fd = openSync(path, 'r');
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read the recording ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  try {
    const size = fstatSync(fd).size;
    const sab = new SharedArrayBuffer(size);
    const view = new Uint8Array(sab);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, view, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    if (at !== size) throw new SpreadcoreError('SPREADCORE_ERR_IO', `the recording ${path} changed while it was read`);
    return sab;
  } finally {
    closeSync(fd);
  }
}

export async function runSweep(o: SweepOptions, signal?: AbortSignal): Promise<SweepOutcome> {
  const started = performance.now();
  const usage = (m: string): Error => new SpreadcoreError('SPREADCORE_ERR_BAD_FLAG', m);
  const prep = prepareSweep(o, usage);
  const data = readShared(o.dataPath);
  // a recording every backtest would refuse (truncated gzip, not a recording) is refused once, before
  // anything is written; so is one too short for any Sharpe ratio
  try {
    if (o.objective === 'sharpe') {
      const spec = parseBacktestSpec(prep.baseParams);
      const plan = planRecording(new Uint8Array(data), { durationS: spec.durationS, market: spec.market });
      requireSharpeSpan(o.objective, plan.steps > 0 ? plan.offsetNs[plan.steps - 1]! / 1e9 : 0);
    } else {
      checkRecording(new Uint8Array(data));
    }
  } catch (e) {
    if (e instanceof SpreadcoreError && e.code === 'SPREADCORE_ERR_BAD_RECORDING') throw new SpreadcoreError(e.code, `${o.dataPath}: ${e.message}`);
    throw e;
  }
  try {
    mkdirSync(o.outDir, { recursive: true });
    // a heat map of an earlier sweep in the same directory must not pass for this one's
    rmSync(join(o.outDir, 'heatmap.png'), { force: true });
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot create the output directory ${o.outDir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }

  const runs: RunRecord[] = [];
  const failures: RunFailure[] = [];
  const threads = new Map<number, { tasks: number; inits: number; wasm_instances: number }>();
  const total = prep.points.length;
  // no idle threads: never more workers than points to run
  const workerCount = Math.max(1, Math.min(o.workers, prep.runnable.length));
  let status: SweepSummary['status'] = 'running';
  const summary = (): SweepSummary => ({
    status, objective: o.objective, search: o.search, samples: o.search === 'random' ? o.samples : null, seed: o.seed,
    files: { data: o.dataPath, params: o.paramsPath, space: o.spacePath },
    parameters: prep.names, total, workers: o.executor === undefined ? workerCount : threads.size, elapsedMs: performance.now() - started,
    threads: [...threads.entries()].sort((a, b) => a[0] - b[0]).map(([worker, t]) => ({ worker, ...t })),
  });
  const flush = (): ResultsJson => {
    const doc = resultsJson(summary(), runs, failures, prep.skipped);
    writeResults(o.outDir, doc);
    return doc;
  };
  flush();
  o.onStart?.(total, workerCount);

  const flushEveryMs = o.flushIntervalMs ?? 1000;
  let lastFlush = performance.now();
  const onResult = (r: TaskResult): void => {
    for (const m of r.notes ?? []) o.onNote?.(m);
    if (r.workerId >= 0) {
      const t = threads.get(r.workerId) ?? { tasks: 0, inits: 0, wasm_instances: 0 };
      t.tasks = Math.max(t.tasks, r.workerTasks);
      t.inits = Math.max(t.inits, r.workerInits);
      t.wasm_instances = Math.max(t.wasm_instances, r.wasmInstances);
      threads.set(r.workerId, t);
    }
    const point = prep.points[r.index]!;
    if (r.kind === 'done') {
      runs.push({ index: r.index, values: point.values, objectives: runObjectives(r.objectives), elapsedMs: r.elapsedMs, workerId: r.workerId });
    } else if (r.kind === 'failed') {
      failures.push({ index: r.index, values: point.values, error: r.error, code: r.code });
    } else {
      return;
    }
    o.onProgress?.(prep.skipped.length + runs.length + failures.length, total);
    if (performance.now() - lastFlush >= flushEveryMs) {
      flush();
      lastFlush = performance.now();
    }
  };

  const init: WorkerInit = {
    data, stop: newStopFlag(), baseParams: prep.baseParams, names: prep.names, canonical: prep.canonical, seed: o.seed,
    cacheDir: o.cacheDir ?? null,
  };
  const tasks = prep.runnable.map((p) => ({ index: p.index, values: p.values }));
  const pool = o.executor !== undefined
    ? await o.executor({ init, tasks, onResult, signal })
    : await runOnPool({
      filename: o.workerFile ?? new URL('./sweep-worker.js', import.meta.url),
      workers: workerCount,
      init,
      tasks,
      onResult,
      signal,
    });
  status = pool.stopped && prep.skipped.length + runs.length + failures.length < total ? 'stopped' : 'complete';
  const doc = flush();
  // with every point answered: no run with a Sharpe ratio is a refusal (the runs are written above)
  if (status === 'complete') requireObjective(runs, o.objective);

  let heatmap: SweepOutcome['heatmap'];
  if (prep.heatmap.kind === 'none') heatmap = { note: prep.heatmap.reason };
  else if (runs.length === 0) heatmap = { note: 'no heat map: no run finished' };
  else if (o.renderHeatmap === undefined) heatmap = { note: 'no heat map renderer' };
  else {
    const first = parseBacktestSpec(pointParams(prep.baseParams, prep.names, prep.canonical, prep.runnable[0]!.values));
    const settings = sweepSettingsText(first, o.seed, [...prep.names, ...prep.canonical]);
    const png = o.renderHeatmap(prep.space, prep.heatmap, runs, o.objective, settings);
    const path = join(o.outDir, 'heatmap.png');
    writeAtomic(path, png);
    heatmap = { path };
  }
  return { status, doc, space: prep.space, runs, failures, heatmap };
}
