// spreadcore sweep on the command line: bad flags and files are refused with a
// clear coded error before any backtest runs (no output directory is created);
// a small real sweep writes the ranked table, results.json, results.csv and the
// heat map. The refusals run in process; the sweeps run the compiled CLI (npm run
// build first: the pool's workers are compiled JS).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { run } from '../src/cli/main.js';
import { encodeRecord, encodeRecordingHeader } from '../src/feed/recording/frame-recording.js';
import { ROOT, spreadcore, type Ran } from './support/run-cli.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'sweep-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, json: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, typeof json === 'string' ? json : JSON.stringify(json));
  return p;
}

// 20 s of recorded BTCUSDT spot: each backtest takes well under a second
const PARAMS = file('params.json', {
  symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_refresh_ms: 100 },
  maker_fee_bps: 0, taker_fee_bps: 4, duration_s: 20,
});
const SPACE = file('space.json', { spread_bps: [1, 3], max_position: [0.002, 0.004, 0.006] });

const CUT_SCREC = join(dir, 'cut.screc');
{
  const whole = Buffer.concat([encodeRecordingHeader(0n), encodeRecord(0, new Uint8Array(100))]);
  writeFileSync(CUT_SCREC, whole.subarray(0, whole.length - 10));
}
const TRUNCATED = join(dir, 'cut.gz');
writeFileSync(TRUNCATED, readFileSync(DATA).subarray(0, 200_000));

async function inProcess(args: string[]): Promise<Ran> {
  const text = (s: PassThrough): (() => string) => { let t = ''; s.setEncoding('utf8').on('data', (c: string) => { t += c; }); return () => t; };
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const [out, err] = [text(stdout), text(stderr)];
  const status = await run(args, { stdin: Readable.from([]), stdout, stderr, env: {} });
  return { status, stdout: out(), stderr: err() };
}

describe('spreadcore sweep: refused before any work', () => {
  const out = join(dir, 'never');
  it.each([
    ['no flags', [], 2, /--data FILE is required/],
    ['missing --space', ['--data', DATA, '--params', PARAMS], 2, /--space FILE is required/],
    ['bad --search', ['--data', DATA, '--params', PARAMS, '--space', SPACE, '--search', 'bayes'], 2, /--search must be grid or random, got "bayes"/],
    ['random without --samples', ['--data', DATA, '--params', PARAMS, '--space', SPACE, '--search', 'random'], 2, /--search random needs --samples N/],
    ['--samples with grid', ['--data', DATA, '--params', PARAMS, '--space', SPACE, '--samples', '5'], 2, /--samples applies to --search random only/],
    ['bad --objective', ['--data', DATA, '--params', PARAMS, '--space', SPACE, '--objective', 'profit'], 2, /--objective must be one of net_pnl, sharpe, dd_adjusted_pnl, fill_rate, got "profit"/],
    ['--workers 0', ['--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '0'], 2, /--workers must be an integer from 1 to 64, got "0"/],
    ['--heatmap naming an unswept parameter', ['--data', DATA, '--params', PARAMS, '--space', SPACE, '--heatmap', 'spread_bps,k'], 2, /--heatmap: k is not a swept parameter/],
    ['unreadable space file', ['--data', DATA, '--params', PARAMS, '--space', join(dir, 'nope.json')], 1, /cannot read the space file .*nope\.json: ENOENT \(SPREADCORE_ERR_IO\)/],
    ['space file not JSON', ['--data', DATA, '--params', PARAMS, '--space', file('bad.json', '{"spread_bps": [1,')], 1, /space file .*bad\.json is not valid JSON.*\(SPREADCORE_ERR_BAD_INPUT\)/],
    ['unknown parameter in the space', ['--data', DATA, '--params', PARAMS, '--space', file('unknown.json', { spread_bps: [1], max_postion: [1] })], 1, /max_postion\[0\]: unknown parameter "max_postion" \(did you mean max_position\?\) \(SPREADCORE_ERR_BAD_SWEEP_SPACE\)/],
    ['too many combinations', ['--data', DATA, '--params', PARAMS, '--space', file('huge.json', { spread_bps: { min: 1, max: 200, step: 1 }, max_position: { min: 0.001, max: 0.1, step: 0.001 } })], 1, /the grid has 20,000 combinations \(spread_bps 200 × max_position 100\); the limit is 10,000/],
    ['every point refused by the params file', ['--data', DATA, '--params', PARAMS, '--space', file('cross.json', { order_size: [0.02, 0.05] })], 1, /every sweep point is refused by the params-file checks; point 0 \(order_size=0\.02\): .*order_size.*\(SPREADCORE_ERR_BAD_PARAM\)/],
    ['bad params file', ['--data', DATA, '--params', file('p-bad.json', { symbols: ['BTCUSDT'], parameters: {}, fill_model: 'magic' }), '--space', SPACE], 1, /fill_model must be "queue" or "naive", got "magic" \(SPREADCORE_ERR_BAD_INPUT\)/],
    ['missing recording', ['--data', join(dir, 'none.gz'), '--params', PARAMS, '--space', SPACE], 1, /cannot read the recording .*none\.gz: ENOENT \(SPREADCORE_ERR_IO\)/],
    // a recording every backtest would refuse is refused once, not run (and failed) once per point
    ['truncated gzip recording', ['--data', TRUNCATED, '--params', PARAMS, '--space', SPACE], 1, /cut\.gz: the recording is not valid gzip data \(unexpected end of file\) \(SPREADCORE_ERR_BAD_RECORDING\)/],
    ['cut-short .screc recording', ['--data', CUT_SCREC, '--params', PARAMS, '--space', SPACE], 1, /cut\.screc: spreadcore recording: recording cut short: \d+ bytes of an incomplete record at byte \d+ \(SPREADCORE_ERR_BAD_RECORDING\)/],
    ['not a recording', ['--data', file('notes.txt', 'hello world\n'), '--params', PARAMS, '--space', SPACE], 1, /notes\.txt: the data is neither a spreadcore recording nor Binance "<ts_ns> <json>" lines \(first problem: recording line 1: .*\) \(SPREADCORE_ERR_BAD_RECORDING\)/],
  ])('%s', async (_what, args, status, message) => {
    const r = await inProcess(['sweep', ...args, '--out', out]);
    expect(r.stderr).toMatch(message);
    expect(r.status).toBe(status);
    expect(r.stdout).toBe('');
    expect(r.stderr.split('\n').filter((l) => l.trim() !== '').length).toBeLessThanOrEqual(2);
    expect(existsSync(out)).toBe(false);
  });

  it('--help documents every flag and the objectives', async () => {
    const r = await inProcess(['sweep', '--help']);
    expect(r.status).toBe(0);
    for (const flag of ['--data', '--params', '--space', '--search', '--samples', '--objective', '--workers', '--out', '--seed', '--heatmap', '--top', '--json']) {
      expect(r.stdout).toContain(flag);
    }
    for (const o of ['net_pnl', 'sharpe', 'dd_adjusted_pnl', 'fill_rate']) expect(r.stdout).toContain(o);
  });
});

describe('spreadcore sweep: a small grid', () => {
  it('prints the ranked table and writes results.json, results.csv and heatmap.png', async () => {
    const out = join(dir, 'grid');
    const r = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '2', '--out', out, '--objective', 'fill_rate', '--top', '4'], '');
    expect(r.stderr).toContain('6 of 6 backtests finished');
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      status: string; total: number; finished: number; objective: string; parameters: string[];
      runs: { rank: number; index: number; parameters: Record<string, number>; objective: number; objectives: Record<string, number> }[];
    };
    expect(doc).toMatchObject({ status: 'complete', total: 6, finished: 6, objective: 'fill_rate', parameters: ['spread_bps', 'max_position'] });
    // every grid point once, each with its own values, ranked by fill rate (ties by index)
    expect(doc.runs.map((x) => x.index).sort()).toEqual([0, 1, 2, 3, 4, 5]);
    for (const run of doc.runs) {
      expect(run.parameters).toEqual({ spread_bps: [1, 3][Math.floor(run.index / 3)], max_position: [0.002, 0.004, 0.006][run.index % 3] });
      expect(run.objective).toBe(run.objectives['fill_rate']);
    }
    for (let i = 1; i < doc.runs.length; i++) {
      const [a, b] = [doc.runs[i - 1]!, doc.runs[i]!];
      expect(a.objective > b.objective || (a.objective === b.objective && a.index < b.index)).toBe(true);
    }
    // the table: a header and the top 4 rows, in rank order
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(5);
    expect(lines[0]).toMatch(/^rank\s+spread_bps\s+max_position\s+net_pnl\s+sharpe\s+max_dd\s+dd_adj_pnl\s+fill_%\*\s+fills$/);
    expect(lines.slice(1).map((l) => Number(l.trim().split(/\s+/)[0]))).toEqual([1, 2, 3, 4]);
    // the CSV: the same ranking
    const csv = readFileSync(join(out, 'results.csv'), 'utf8').split('\r\n').filter((l) => l !== '');
    expect(csv).toHaveLength(7);
    expect(csv.slice(1).map((l) => Number(l.split(',')[1]))).toEqual(doc.runs.map((x) => x.index));
    // a PNG
    expect(readFileSync(join(out, 'heatmap.png')).subarray(1, 4).toString('latin1')).toBe('PNG');
  });

  it('points a rule between parameters refuses are skipped and listed; the others run', async () => {
    const out = join(dir, 'skip');
    // max_position 0.01 in the params file: order_size 0.02 breaks a rule between parameters
    const r = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', file('cross-some.json', { order_size: [0.001, 0.02, 0.002] }), '--workers', '1', '--heatmap', 'none', '--out', out], '');
    expect(r.stderr).toContain('2 of 3 backtests finished, 1 skipped');
    expect(r.stderr).toMatch(/1 point skipped \(the params-file checks refuse them; listed in results\.json\), first: point 1: .*order_size.*\(SPREADCORE_ERR_BAD_PARAM\)/);
    expect(r.status).toBe(0);
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as {
      status: string; total: number; finished: number; skipped: number; runs: { index: number }[]; skipped_points: { index: number; code: string; parameters: unknown; error: string }[];
    };
    expect(doc).toMatchObject({ status: 'complete', total: 3, finished: 2, skipped: 1 });
    expect(doc.runs.map((x) => x.index).sort()).toEqual([0, 2]);
    expect(doc.skipped_points.map((x) => [x.index, x.code, x.parameters])).toEqual([[1, 'SPREADCORE_ERR_BAD_PARAM', { order_size: 0.02 }]]);
    expect(doc.skipped_points[0]!.error).toMatch(/order_size/);
  });

  it('every backtest that fails is recorded with its code and parameters; the exit status is 1', async () => {
    const out = join(dir, 'fail');
    const eth = file('eth.json', { symbols: ['ETHUSDT'], parameters: { spread_bps: 4, order_size: 0.01, max_position: 0.1 }, duration_s: 5 });
    const r = await spreadcore(['sweep', '--data', DATA, '--params', eth, '--space', file('two.json', { spread_bps: [2, 4] }), '--workers', '1', '--out', out], '');
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('0 of 2 backtests finished, 2 failed');
    expect(r.stderr).toMatch(/point 0 failed: .*ETHUSDT.*\(SPREADCORE_ERR_UNKNOWN_SYMBOL\)/);
    const doc = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as { failed: number; runs: unknown[]; failures: { index: number; code: string; parameters: unknown }[] };
    expect(doc.runs).toEqual([]);
    expect(doc.failures.map((f) => [f.index, f.code, f.parameters])).toEqual([
      [0, 'SPREADCORE_ERR_UNKNOWN_SYMBOL', { spread_bps: 2 }], [1, 'SPREADCORE_ERR_UNKNOWN_SYMBOL', { spread_bps: 4 }],
    ]);
  });

  it('--json prints results.json; a random search gives the same points for the same seed', async () => {
    const space = file('random.json', { spread_bps: { min: 0.5, max: 8, log: true }, max_position: { min: 0.002, max: 0.01, step: 0.002 } });
    const run = (out: string, seed: string) => spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', space, '--search', 'random', '--samples', '3', '--seed', seed, '--workers', '1', '--heatmap', 'none', '--json', '--out', join(dir, out)], '');
    const [a, b] = [await run('ra', '5'), await run('rb', '5')];
    expect(a.status).toBe(0);
    const docA = JSON.parse(a.stdout) as { runs: { index: number; parameters: unknown }[] };
    const docB = JSON.parse(b.stdout) as typeof docA;
    expect(docA.runs).toHaveLength(3);
    const points = (d: typeof docA) => d.runs.map((x) => [x.index, x.parameters]).sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(points(docB)).toEqual(points(docA));
    expect(JSON.parse(readFileSync(join(dir, 'ra', 'results.json'), 'utf8'))).toEqual(docA);
    expect(a.stderr).toContain('heat map turned off');
  });
});
