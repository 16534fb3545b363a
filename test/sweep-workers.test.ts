// The sweep's worker pool: the same sweep ranks the same on 1 worker and on 2
// (results.json identical apart from its timing fields), and each worker thread
// loads the WebAssembly core once however many backtests it runs (the workers
// count their own module initialisations and WebAssembly instances and report
// them with every result). Runs the compiled CLI: npm run build first.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spreadcore } from './support/run-cli.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'sweep-workers-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const PARAMS = join(dir, 'params.json');
const SPACE = join(dir, 'space.json');
writeFileSync(PARAMS, JSON.stringify({
  symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_refresh_ms: 100 },
  maker_fee_bps: 0, taker_fee_bps: 4, duration_s: 30,
}));
writeFileSync(SPACE, JSON.stringify({ spread_bps: [0.5, 1, 2, 4], max_position: [0.002, 0.006] }));

interface Doc {
  status: string; total: number; finished: number;
  runs: { index: number; objectives: { events: number; fills: number }; timing: { worker: number } }[];
  timing: { workers: number; threads: { worker: number; tasks: number; inits: number; wasm_instances: number }[] };
}

async function sweep(workers: number): Promise<Doc> {
  const out = join(dir, `w${workers}`);
  const r = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', String(workers), '--out', out], '');
  expect(r.stderr).toContain('8 of 8 backtests finished');
  expect(r.status).toBe(0);
  return JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Doc;
}

/** The document without the fields that vary from one execution to the next. */
function withoutTiming(doc: Doc): unknown {
  const { timing: _t, ...rest } = doc;
  return { ...rest, runs: doc.runs.map(({ timing: _rt, ...run }) => run) };
}

describe('sweep worker pool', () => {
  let one: Doc;
  let two: Doc;

  it('1 worker and 2 workers give identical ranked results', async () => {
    [one, two] = [await sweep(1), await sweep(2)];
    expect(one.timing.workers).toBe(1);
    expect(two.timing.workers).toBe(2);
    expect(withoutTiming(two)).toEqual(withoutTiming(one));
    expect(one.finished).toBe(8);
    // the backtests did trade, so identical rankings are not trivially equal zeros
    expect(one.runs.some((r) => r.objectives.fills > 0)).toBe(true);
    expect(new Set(one.runs.map((r) => r.objectives.events)).size).toBe(1);
    // and 2 workers really shared the work
    expect(new Set(two.runs.map((r) => r.timing.worker)).size).toBe(2);
  });

  it('each worker loads the WebAssembly core once, however many backtests it runs', () => {
    for (const doc of [one, two]) {
      const threads = doc.timing.threads;
      expect(threads).toHaveLength(doc.timing.workers);
      expect(threads.reduce((n, t) => n + t.tasks, 0)).toBe(8);
      for (const t of threads) {
        expect(t.inits).toBe(1);
        expect(t.wasm_instances).toBe(1);
      }
      expect(Math.max(...threads.map((t) => t.tasks))).toBeGreaterThan(1);
    }
  });
});
