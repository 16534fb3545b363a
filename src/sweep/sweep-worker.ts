// A sweep pool worker (piscina runs this file in each worker thread). At start it
// takes the shared recording and the params file from workerData and loads the
// WebAssembly core once; each task then runs one backtest with the point's
// parameters and sends back its objectives. A stop flag in shared memory ends an
// in-flight backtest early (its partial result is dropped) and skips queued tasks.
import { wasmInstances } from './wasm-instance-count.js';
import { threadId, workerData } from 'node:worker_threads';
import { parseBacktestSpec, runBacktest } from '../backtest/index.js';
import { SpreadcoreError } from '../errors.js';
import { loadCore } from '../wasm/load.js';
import { pointParams } from './point-params.js';
import type { SweepTask, TaskResult, WorkerInit } from './sweep-protocol.js';

const init = workerData as WorkerInit;
const data = new Uint8Array(init.data);
const stop = new Int32Array(init.stop);
let inits = 0;
let tasks = 0;

inits++;
loadCore();

function stopped(): boolean {
  return Atomics.load(stop, 0) !== 0;
}

const notes: string[] = [];
const parseCache = init.cacheDir === undefined || init.cacheDir === null ? {} : { parseCache: { dir: init.cacheDir, onNote: (m: string) => { notes.push(m); } } };

export default function runPoint(task: SweepTask): TaskResult {
  tasks++;
  notes.length = 0;
  // what every answer carries, taken when the answer is made (the parse cache's notes of this task included)
  const common = (): Omit<TaskResult, 'kind'> => ({
    index: task.index, workerId: threadId, workerInits: inits, workerTasks: tasks, wasmInstances: wasmInstances(),
    ...(notes.length > 0 ? { notes: [...notes] } : {}),
  });
  if (stopped()) return { ...common(), kind: 'stopped' };
  try {
    const spec = parseBacktestSpec(pointParams(init.baseParams, init.names, init.canonical, task.values));
    const t0 = performance.now();
    const result = runBacktest(data, spec, { seed: init.seed, shouldStop: stopped, ...parseCache });
    const elapsedMs = performance.now() - t0;
    if (result.stopped) return { ...common(), kind: 'stopped' };
    const o = result.objectives;
    return {
      ...common(), kind: 'done', elapsedMs,
      objectives: { net_pnl: o.net_pnl, sharpe: o.sharpe, max_drawdown: o.max_drawdown, fill_rate: o.fill_rate, fills: o.fills, events: o.events },
    };
  } catch (e) {
    if (stopped()) return { ...common(), kind: 'stopped' };
    return { ...common(), kind: 'failed', error: e instanceof Error ? e.message : String(e), code: e instanceof SpreadcoreError ? e.code : 'SPREADCORE_ERR_INTERNAL' };
  }
}
