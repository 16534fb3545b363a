// The sweep's results as written to DIR/results.json and DIR/results.csv: every
// finished run with its parameters and objectives, ranked. Fields that vary from
// one execution to the next (wall times, worker ids, the worker count) sit under
// "timing" keys (JSON) or in the last columns (CSV); everything else depends only
// on the data, the params file, the space, the search and the seed.
import { renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpreadcoreError } from '../errors.js';
import { csvLine } from './csv.js';
import { objectiveValue, rankRuns, type ObjectiveName, type RunRecord } from './objectives.js';
import type { SweepValue } from './space.js';

export interface RunFailure {
  readonly index: number;
  readonly values: readonly SweepValue[];
  readonly error: string;
  /** The error's code (SPREADCORE_ERR_INTERNAL for an unexpected error or a worker that died). */
  readonly code: string;
}

export interface SweepSummary {
  readonly status: 'running' | 'complete' | 'stopped';
  readonly objective: ObjectiveName;
  readonly search: 'grid' | 'random';
  /** Random search: the samples asked (total may be fewer); null for a grid. */
  readonly samples: number | null;
  readonly seed: number;
  readonly files: { readonly data: string; readonly params: string; readonly space: string };
  readonly parameters: readonly string[];
  /** Points in the sweep. */
  readonly total: number;
  readonly workers: number;
  readonly elapsedMs: number;
  /** What each worker thread reported about itself. */
  readonly threads: readonly WorkerThreadReport[];
}

/** One worker thread: tasks it ran, times its module initialised, WebAssembly instances it created. */
export interface WorkerThreadReport {
  readonly worker: number;
  readonly tasks: number;
  readonly inits: number;
  readonly wasm_instances: number;
}

export interface ResultsJson {
  status: string;
  objective: ObjectiveName;
  search: string;
  samples: number | null;
  seed: number;
  files: { data: string; params: string; space: string };
  parameters: string[];
  total: number;
  finished: number;
  failed: number;
  /** Points the params-file checks refused (a rule between parameters): not run. */
  skipped: number;
  runs: {
    rank: number;
    index: number;
    parameters: Record<string, SweepValue>;
    objective: number | null;
    objectives: RunRecord['objectives'];
    timing: { elapsed_ms: number; worker: number };
  }[];
  failures: { index: number; parameters: Record<string, SweepValue>; error: string; code: string }[];
  skipped_points: { index: number; parameters: Record<string, SweepValue>; error: string; code: string }[];
  timing: { workers: number; elapsed_ms: number; backtests_per_s: number; events_per_s: number; threads: WorkerThreadReport[] };
}

function paramObject(names: readonly string[], values: readonly SweepValue[]): Record<string, SweepValue> {
  const out: Record<string, SweepValue> = {};
  names.forEach((n, i) => { out[n] = values[i] ?? null; });
  return out;
}

export function resultsJson(s: SweepSummary, runs: readonly RunRecord[], failures: readonly RunFailure[], skipped: readonly RunFailure[] = []): ResultsJson {
  const ranked = rankRuns(runs, s.objective);
  const events = runs.reduce((t, r) => t + r.objectives.events, 0);
  const seconds = s.elapsedMs / 1000;
  return {
    status: s.status,
    objective: s.objective,
    search: s.search,
    samples: s.samples,
    seed: s.seed,
    files: { ...s.files },
    parameters: [...s.parameters],
    total: s.total,
    finished: runs.length,
    failed: failures.length,
    skipped: skipped.length,
    runs: ranked.map((r, i) => ({
      rank: i + 1,
      index: r.index,
      parameters: paramObject(s.parameters, r.values),
      objective: objectiveValue(r, s.objective),
      objectives: r.objectives,
      timing: { elapsed_ms: Math.round(r.elapsedMs * 1000) / 1000, worker: r.workerId },
    })),
    failures: [...failures].sort((a, b) => a.index - b.index).map((f) => ({ index: f.index, parameters: paramObject(s.parameters, f.values), error: f.error, code: f.code })),
    skipped_points: [...skipped].sort((a, b) => a.index - b.index).map((f) => ({ index: f.index, parameters: paramObject(s.parameters, f.values), error: f.error, code: f.code })),
    timing: {
      workers: s.workers,
      elapsed_ms: Math.round(s.elapsedMs),
      backtests_per_s: seconds > 0 ? runs.length / seconds : 0,
      events_per_s: seconds > 0 ? events / seconds : 0,
      threads: s.threads.map((t) => ({ ...t })),
    },
  };
}

const OBJECTIVE_COLUMNS = ['net_pnl', 'sharpe', 'max_drawdown', 'dd_adjusted_pnl', 'fill_rate', 'fills', 'events'] as const;

export function resultsCsv(doc: ResultsJson): string {
  let out = csvLine(['rank', 'index', ...doc.parameters, ...OBJECTIVE_COLUMNS, 'elapsed_ms']);
  for (const r of doc.runs) {
    out += csvLine([r.rank, r.index, ...doc.parameters.map((p) => r.parameters[p]), ...OBJECTIVE_COLUMNS.map((c) => r.objectives[c]), r.timing.elapsed_ms]);
  }
  return out;
}

/** Writes path through a temporary file and a rename, so a reader never sees half a file. */
export function writeAtomic(path: string, content: string | Uint8Array): void {
  const tmp = `${path}.tmp-${process.pid}`;
  try {
    writeFileSync(tmp, content);
    renameSync(tmp, path);
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot write ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

export function writeResults(dir: string, doc: ResultsJson): void {
  writeAtomic(join(dir, 'results.json'), `${JSON.stringify(doc, null, 2)}\n`);
  writeAtomic(join(dir, 'results.csv'), resultsCsv(doc));
}
