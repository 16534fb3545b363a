// `spreadcore simulate` as a compiled command on its piscina pool (dist/, after
// `npm run build`): the JSON is identical with 1 and 2 workers, the table and the
// JSON carry the same figures, and every bad flag is a usage error (exit 2) naming
// the flag and the value.
import { describe, it, expect, beforeAll } from 'vitest';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough, Readable } from 'node:stream';
import { run } from '../src/cli/main.js';
import { ROOT, spreadcore } from './support/run-cli.js';

const BASE = ['simulate', '--model', 'avellaneda_stoikov', '--gamma', '0.1'];

interface Stats { spread: number; profit_mean: number; profit_std: number; final_q_mean: number; final_q_std: number }
interface Output {
  model: string; gamma: number; paths: number; seed: number; inventory: Stats; symmetric: Stats;
  constants: Record<string, number>; steps: number; tick_size: number;
}

beforeAll(() => {
  if (!existsSync(join(ROOT, 'dist', 'src', 'simulate', 'simulate-worker.js'))) throw new Error('dist/ is missing: run npm run build first');
});

describe('spreadcore simulate on the worker pool', () => {
  it('prints the same JSON with 1 and 2 workers', async () => {
    const args = [...BASE, '--paths', '230', '--seed', '77', '--json'];
    const [one, two] = await Promise.all([spreadcore([...args, '--workers', '1'], ''), spreadcore([...args, '--workers', '2'], '')]);
    expect(one.stderr).toBe('');
    expect(one.status).toBe(0);
    expect(two.status).toBe(0);
    expect(two.stdout).toBe(one.stdout);
    const out = JSON.parse(one.stdout) as Output;
    expect(Object.keys(out).slice(0, 6)).toEqual(['model', 'gamma', 'paths', 'seed', 'inventory', 'symmetric']);
    expect(out).toMatchObject({ model: 'avellaneda_stoikov', gamma: 0.1, paths: 230, seed: 77, steps: 200, tick_size: 0.0001 });
    expect(out.constants).toEqual({ sigma: 2, k: 1.5, A: 140, dt: 0.005, T: 1, s0: 100 });
    for (const s of [out.inventory, out.symmetric]) {
      expect(Object.keys(s)).toEqual(['spread', 'profit_mean', 'profit_std', 'final_q_mean', 'final_q_std']);
      // γσ²·mean(T − t) + (2/γ)·ln(1 + γ/k) over t = 0, dt, …, T − dt, plus a tick of rounding
      expect(s.spread).toBeCloseTo(0.4 * 0.5025 + 20 * Math.log(1 + 0.1 / 1.5) + 0.0001, 4);
    }
    expect(out.inventory.final_q_std).toBeLessThan(out.symmetric.final_q_std);
  });

  it('another seed gives other figures; the constants can be overridden', async () => {
    const a = await spreadcore([...BASE, '--paths', '60', '--seed', '1', '--json', '--workers', '1'], '');
    const b = await spreadcore([...BASE, '--paths', '60', '--seed', '2', '--json', '--workers', '1'], '');
    expect(JSON.parse(a.stdout).inventory.profit_mean).not.toBe(JSON.parse(b.stdout).inventory.profit_mean);
    const c = await spreadcore(['simulate', '--model', 'glft', '--gamma', '0.1', '--paths', '60', '--json', '--workers', '1',
      '--sigma', '1', '--k', '2', '--A', '100', '--dt', '0.01', '--T', '0.5', '--s0', '50'], '');
    expect(c.status).toBe(0);
    const out = JSON.parse(c.stdout) as Output;
    expect(out.constants).toEqual({ sigma: 1, k: 2, A: 100, dt: 0.01, T: 0.5, s0: 50 });
    expect(out.steps).toBe(50);
    // GLFT spread 2·c1 + σ·c2 with these constants
    const c1 = Math.log(1 + 0.1 / 2) / 0.1;
    const c2 = Math.sqrt((0.1 / (2 * 100 * 2)) * Math.pow(1 + 0.1 / 2, 2 / 0.1 + 1));
    expect(out.inventory.spread).toBeCloseTo(2 * c1 + c2, 3);
  });

  it('prints a table with the same figures as the JSON', async () => {
    const args = [...BASE, '--paths', '50', '--seed', '5', '--workers', '1'];
    const [table, json] = await Promise.all([spreadcore(args, ''), spreadcore([...args, '--json'], '')]);
    expect(table.status).toBe(0);
    const out = JSON.parse(json.stdout) as Output;
    expect(table.stdout).toMatch(/model avellaneda_stoikov, gamma 0\.1, 50 paths, seed 5/);
    expect(table.stdout).toMatch(/tick 0\.0001/);
    const row = table.stdout.split('\n').find((l) => l.startsWith('inventory'))!.trim().split(/\s+/);
    expect(row.slice(1).map(Number)).toEqual([
      Number(out.inventory.spread.toFixed(4)), Number(out.inventory.profit_mean.toFixed(2)), Number(out.inventory.profit_std.toFixed(2)),
      Number(out.inventory.final_q_mean.toFixed(3)), Number(out.inventory.final_q_std.toFixed(2)),
    ]);
    expect(table.stderr).toBe(''); // no progress bar when stderr is not a terminal
  });

  it('--help prints the usage', async () => {
    const r = await spreadcore(['simulate', '--help'], '');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/Usage: spreadcore simulate --model avellaneda_stoikov\|glft --gamma G/);
  });
});

const BAD: [string, string[], RegExp][] = [
  ['no --model', ['simulate', '--gamma', '0.1'], /--model is required/],
  ['unknown model', ['simulate', '--model', 'linear', '--gamma', '0.1'], /--model must be avellaneda_stoikov or glft, got "linear"/],
  ['no --gamma', ['simulate', '--model', 'glft'], /--gamma is required/],
  ['gamma 0', [...BASE.slice(0, 3), '--gamma', '0'], /--gamma must be a positive finite number, got "0"/],
  ['gamma negative', [...BASE.slice(0, 3), '--gamma=-1'], /--gamma must be a positive finite number, got "-1"/],
  ['gamma not a number', [...BASE.slice(0, 3), '--gamma', 'abc'], /--gamma must be a positive finite number, got "abc"/],
  ['gamma overflowing', [...BASE.slice(0, 3), '--gamma', '1e999'], /--gamma must be a positive finite number, got "1e999"/],
  ['gamma NaN', [...BASE.slice(0, 3), '--gamma', 'NaN'], /--gamma must be a positive finite number, got "NaN"/],
  ['paths 0', [...BASE, '--paths', '0'], /--paths must be an integer from 1 to 1000000, got "0"/],
  ['paths fractional', [...BASE, '--paths', '2.5'], /--paths must be an integer/],
  ['paths too many', [...BASE, '--paths', '1000001'], /--paths must be an integer from 1 to 1000000/],
  ['paths × steps too large', [...BASE, '--paths', '600000'], /paths × steps = 600000 × 200 exceeds 100000000/],
  ['seed negative', [...BASE, '--seed=-3'], /--seed must be an integer from 0 to 4294967295, got "-3"/],
  ['seed too large', [...BASE, '--seed', '4294967296'], /--seed must be an integer from 0 to 4294967295/],
  ['workers 0', [...BASE, '--workers', '0'], /--workers must be an integer from 1 to 64, got "0"/],
  ['workers too many', [...BASE, '--workers', '65'], /--workers must be an integer from 1 to 64/],
  ['sigma 0', [...BASE, '--sigma', '0'], /--sigma must be a positive finite number, got "0"/],
  ['k empty', [...BASE, '--k='], /--k must be a positive finite number, got ""/],
  ['A too large for dt', [...BASE, '--A', '500'], /--A × dt \(500 × 0.005\) must be at most 1/],
  ['dt not dividing T', [...BASE, '--dt', '0.3'], /--T \(1\) must be a whole number \(at least 1\) of dt steps \(0.3\)/],
  ['T negative', [...BASE, '--T', '-1'], /--T must be a positive finite number, got "-1"/],
  ['s0 too small', [...BASE, '--s0', '10'], /--s0 \(10\) must exceed steps × sigma × √dt/],
  ['unknown flag', [...BASE, '--tick-size', '0.01'], /unknown flag --tick-size/],
  ['flag twice', [...BASE, '--paths', '10', '--paths', '20'], /--paths given more than once/],
  ['stray argument', [...BASE, 'extra'], /unexpected argument "extra"/],
  ['--json with a value', [...BASE, '--json=yes'], /--json takes no value/],
];

/** The command in this process (usage errors never reach the pool). */
async function inProcess(args: string[]): Promise<{ status: number; stdout: string; stderr: string }> {
  const out = new PassThrough();
  const err = new PassThrough();
  let stdout = '';
  let stderr = '';
  out.setEncoding('utf8').on('data', (c: string) => { stdout += c; });
  err.setEncoding('utf8').on('data', (c: string) => { stderr += c; });
  const status = await run(args, { stdin: Readable.from([]), stdout: out, stderr: err, env: {} });
  return { status, stdout, stderr };
}

describe('spreadcore simulate: bad flags are usage errors', () => {
  it.each(BAD)('%s → exit 2', async (_name, args, message) => {
    const r = await inProcess(args);
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/^spreadcore simulate: /);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).toMatch(/Run "spreadcore simulate --help" for usage\./);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
  });

  it('the compiled command reports a usage error the same way', async () => {
    const r = await spreadcore(['simulate', '--model', 'glft', '--gamma', 'x'], '');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('spreadcore simulate: --gamma must be a positive finite number, got "x"\nRun "spreadcore simulate --help" for usage.\n');
  });
});
