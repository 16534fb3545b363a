// `spreadcore sweep --objective sharpe` on a real 6-minute recording: no backtest of it
// has the 30 one-minute equity buckets a Sharpe ratio needs, so the sweep stops with a
// clear, coded error instead of ranking noise (docs/accounting.md); the same sweep
// ranked by net P&L runs.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { BacktestObjectives } from '../src/backtest/index.js';
import { runSweep, type SweepExecutor } from '../src/sweep/run-sweep.js';
import { ROOT, spreadcore } from './support/run-cli.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'sweep-sharpe-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const file = (name: string, v: unknown): string => { const p = join(dir, name); writeFileSync(p, JSON.stringify(v)); return p; };
const PARAMS = file('params.json', {
  symbols: ['BTCUSDT'], parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 1 }, maker_fee_bps: 0, duration_s: 90,
});
const SPACE = file('space.json', { spread_bps: [1, 3] });

describe('sweep ranked by Sharpe on a short recording', () => {
  it('is refused before anything runs or is written, with the reason and exit 1', async () => {
    const r = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '1', '--out', join(dir, 'a'), '--objective', 'sharpe'], '');
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/--objective sharpe cannot be computed: the replay covers 90 s, at most 2 one-minute equity buckets, and a backtest reports a Sharpe ratio only from at least 30 of them; rank by net_pnl or dd_adjusted_pnl instead \(SPREADCORE_ERR_BAD_PARAM\)/);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });

  it('ranked by net P&L the same sweep runs, and its Sharpe column is empty', async () => {
    const r = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '1', '--out', join(dir, 'b'), '--heatmap', 'none'], '');
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'b', 'results.json'), 'utf8')) as { runs: { objectives: { sharpe: number | null; net_pnl: number } }[] };
    expect(doc.runs).toHaveLength(2);
    for (const run of doc.runs) expect(run.objectives.sharpe).toBe(null);
  });
});

describe('sweep ranked by Sharpe on a recording long enough for one', () => {
  // 20 lines of the spot recording and a copy of the last one 40 minutes later: a 40-minute span
  const lines = gunzipSync(readFileSync(DATA)).toString('utf8').split('\n').slice(0, 20);
  const last = lines[lines.length - 1]!;
  lines.push(`${BigInt(last.slice(0, last.indexOf(' '))) + 2_400_000_000_000n} ${last.slice(last.indexOf(' ') + 1)}`);
  const LONG = join(dir, 'long.txt');
  writeFileSync(LONG, `${lines.join('\n')}\n`);
  const objectives = (sharpe: number | null): BacktestObjectives => ({
    net_pnl: 1, sharpe, sharpe_interval_s: 60, sharpe_samples: sharpe === null ? 29 : 30, sharpe_note: sharpe === null ? 'too few' : null,
    max_drawdown: 0, fill_rate: 1, fills: 1, events: 1,
  });
  // the points answer in index order with these Sharpe ratios; results.json is rewritten after each
  const answering = (sharpes: (number | null)[]): SweepExecutor => async ({ tasks, onResult }) => {
    for (const t of tasks) {
      onResult({ index: t.index, workerId: 1, workerInits: 1, wasmInstances: 1, workerTasks: t.index + 1, kind: 'done', objectives: objectives(sharpes[t.index]!), elapsedMs: 1 });
    }
    return { stopped: false };
  };
  const WHOLE = file('params-whole.json', { symbols: ['BTCUSDT'], parameters: { spread_bps: 2, order_size: 0.001, max_position: 0.01, quote_levels: 1 }, maker_fee_bps: 0 });
  const sweep = (out: string, sharpes: (number | null)[]) => runSweep({
    dataPath: LONG, paramsPath: WHOLE, spacePath: SPACE, search: 'grid', samples: 0, objective: 'sharpe', workers: 1,
    outDir: join(dir, out), seed: 1, flushIntervalMs: 0, executor: answering(sharpes),
  });

  it('a first run without a Sharpe ratio does not end the sweep: a later one has one and ranks first', async () => {
    const r = await sweep('c', [null, 1.5]);
    expect(r.status).toBe('complete');
    expect(r.doc.runs.map((x) => [x.index, x.objective])).toEqual([[1, 1.5], [0, null]]);
    const doc = JSON.parse(readFileSync(join(dir, 'c', 'results.json'), 'utf8')) as { status: string; finished: number };
    expect(doc).toMatchObject({ status: 'complete', finished: 2 });
  });

  it('when no run has one the sweep is refused once every point answered, and its runs are written as complete', async () => {
    await expect(sweep('d', [null, null])).rejects.toThrow(/--objective sharpe cannot be computed: no run has a Sharpe ratio \(2 finished\)/);
    const doc = JSON.parse(readFileSync(join(dir, 'd', 'results.json'), 'utf8')) as { status: string; finished: number };
    expect(doc).toMatchObject({ status: 'complete', finished: 2 });
  });
});
