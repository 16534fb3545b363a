// Ctrl-C during a sweep, with a real child process and a real SIGINT: no new
// backtests start, in-flight ones end early and are dropped, every finished run
// is in results.json (status "stopped"), the summary says how many finished of
// how many, and the process exits 130 promptly. Runs the compiled CLI: npm run
// build first.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN, ROOT } from './support/run-cli.js';
import { waitFor } from './support/wait.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'sweep-int-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Doc {
  status: string; total: number; finished: number; failed: number;
  runs: { index: number; objectives: { events: number } }[];
}

function readDoc(path: string): Doc | null {
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Doc;
  } catch {
    return null;
  }
}

describe('sweep Ctrl-C', () => {
  it('keeps the finished runs, drops the interrupted ones and exits 130 promptly', async () => {
    const params = join(dir, 'params.json');
    const space = join(dir, 'space.json');
    const out = join(dir, 'out');
    writeFileSync(params, JSON.stringify({
      symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_refresh_ms: 100 },
      maker_fee_bps: 0, taker_fee_bps: 4, duration_s: 90,
    }));
    // 60 backtests of 90 s each: far longer than the test waits
    writeFileSync(space, JSON.stringify({ spread_bps: { min: 0.5, max: 15, step: 0.5 }, max_position: [0.004, 0.008] }));
    const child = spawn(process.execPath, [BIN, 'sweep', '--data', DATA, '--params', params, '--space', space, '--workers', '2', '--out', out], { cwd: ROOT });
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    let exitedEarly = false;
    void exited.then(() => { exitedEarly = true; });

    // wait until some runs have finished and been written
    const resultsPath = join(out, 'results.json');
    await waitFor('two finished runs in results.json', () => exitedEarly || (readDoc(resultsPath)?.finished ?? 0) >= 2, 60_000, 50);
    expect(exitedEarly).toBe(false);
    const before = readDoc(resultsPath)!;
    expect(before.status).toBe('running');

    const t0 = Date.now();
    child.kill('SIGINT');
    const status = await exited;
    const exitMs = Date.now() - t0;
    expect(status).toBe(130);
    // in-flight backtests stop within 1024 recording steps: well under a backtest's length
    expect(exitMs).toBeLessThan(8000);

    const doc = readDoc(resultsPath)!;
    expect(doc.status).toBe('stopped');
    expect(doc.total).toBe(60);
    expect(doc.failed).toBe(0);
    expect(doc.finished).toBeGreaterThanOrEqual(before.finished);
    expect(doc.finished).toBeLessThan(60);
    expect(doc.runs).toHaveLength(doc.finished);
    // only whole runs: every kept run replayed the whole 90 s slice
    expect(new Set(doc.runs.map((r) => r.objectives.events)).size).toBe(1);
    // the runs written before the stop are all still there
    const kept = new Set(doc.runs.map((r) => r.index));
    for (const r of before.runs) expect(kept.has(r.index)).toBe(true);
    expect(stderr).toContain(`stopped: ${doc.finished} of 60 backtests finished`);
    expect(stdout.trim().split('\n')[0]).toMatch(/^rank\s+spread_bps/);
  });
});
