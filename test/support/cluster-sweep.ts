// Shared pieces of the distributed sweep tests: a tiny sweep's files, and results.json
// and results.csv without the fields that vary between executions (wall times, worker
// ids), so a clustered run and a local run of one spec can be compared whole.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './run-cli.js';

export const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');

export function sweepDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export function writeJson(dir: string, name: string, json: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(json));
  return p;
}

/** The params file of the tiny sweeps: 20 s (or all 6 minutes, with durationS null) of recorded BTCUSDT spot. */
export function paramsFile(dir: string, durationS: number | null = 20): string {
  return writeJson(dir, `params-${durationS ?? 'all'}.json`, {
    symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_refresh_ms: 100 },
    maker_fee_bps: 0, taker_fee_bps: 4, ...(durationS === null ? {} : { duration_s: durationS }),
  });
}

export interface ResultsDoc {
  status: string; total: number; finished: number; failed: number;
  runs: { index: number; rank: number; timing?: unknown }[];
  timing?: { workers: number; threads: { worker: number; tasks: number }[] };
}

export function readResults(out: string): ResultsDoc {
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsDoc;
}

/** results.json without its timing fields. */
export function stableResults(out: string): unknown {
  const doc = readResults(out);
  delete doc.timing;
  for (const r of doc.runs) delete r.timing;
  return doc;
}

/** results.csv without its last column (elapsed_ms). */
export function stableCsv(out: string): string[] {
  return readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n').map((l) => l.replace(/,[^,]*$/, ''));
}

/** The indexes of "sweep <id> point <i> started" lines a worker printed. */
export function startedPoints(log: string): number[] {
  return [...log.matchAll(/sweep [a-z0-9]+ point (\d+) started/g)].map((m) => Number(m[1]));
}

export function donePoints(log: string): number[] {
  return [...log.matchAll(/sweep [a-z0-9]+ point (\d+) done/g)].map((m) => Number(m[1]));
}
