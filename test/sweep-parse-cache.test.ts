// spreadcore sweep --cache-dir: each worker's first backtest of a Binance recording parses it
// (gunzip, JSON, level conversion, feed-latency pass); with a parse cache the workers of the
// next sweep of the same recording read it instead, and the results are the same. Two workers
// of one sweep may write the same cache file at once: both writes are whole (per-thread
// temporary files) and the file reads back. The compiled CLI runs (npm run build first).
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT, spreadcore, type Ran } from './support/run-cli.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'sweep-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, json: unknown): string {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(json));
  return p;
}

const PARAMS = file('params.json', {
  symbols: ['BTCUSDT'], parameters: { spread_bps: 4, order_size: 0.001, max_position: 0.01, quote_refresh_ms: 100 },
  maker_fee_bps: 0, taker_fee_bps: 4, duration_s: 30,
});
const SPACE = file('space.json', { spread_bps: [1, 2, 3, 4] });

interface Results { runs: { index: number; objectives: Record<string, unknown> }[] }
const runsOf = (out: string): string => {
  const r = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as Results;
  return JSON.stringify([...r.runs].sort((a, b) => a.index - b.index).map((x) => [x.index, x.objectives]));
};
const notes = (stderr: string, what: 'read' | 'wrote'): number => stderr.split('\n').filter((l) => l.startsWith(`spreadcore sweep: parse cache: ${what} `)).length;

describe('spreadcore sweep --cache-dir', () => {
  it('the next sweep\'s workers read the parse instead of parsing, with the same results as without a cache', async () => {
    const cache = join(dir, 'cache');
    const sweep = (out: string, withCache: boolean): Promise<Ran> => spreadcore([
      'sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--workers', '2', '--out', join(dir, out), '--heatmap', 'none',
      ...(withCache ? ['--cache-dir', cache] : []),
    ], '');
    const plain = await sweep('plain', false);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stderr).not.toContain('parse cache');

    // first sweep with the cache: every worker parses (nothing to read yet); the cache is written
    const first = await sweep('first', true);
    expect(first.status, first.stderr).toBe(0);
    expect(notes(first.stderr, 'read')).toBe(0);
    expect(notes(first.stderr, 'wrote')).toBeGreaterThanOrEqual(1);
    const files = readdirSync(cache);
    expect(files.filter((f) => f.endsWith('.plan'))).toHaveLength(1);
    expect(files.filter((f) => f.endsWith('.tmp'))).toHaveLength(0);

    // the next sweep: each worker reads it (one note per worker), writes nothing, same runs
    const second = await sweep('second', true);
    expect(second.status, second.stderr).toBe(0);
    expect(notes(second.stderr, 'read')).toBe(2);
    expect(notes(second.stderr, 'wrote')).toBe(0);
    expect(second.stderr).not.toContain('corrupt');

    expect(runsOf(join(dir, 'first'))).toBe(runsOf(join(dir, 'plain')));
    expect(runsOf(join(dir, 'second'))).toBe(runsOf(join(dir, 'plain')));
    expect(JSON.parse(runsOf(join(dir, 'plain')))).toHaveLength(4);
  }, 180_000);

  it('refuses an empty --cache-dir, and --cache-dir with --cluster, before any work', async () => {
    const empty = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--cache-dir', '', '--out', join(dir, 'never')], '');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toContain('--cache-dir needs a directory');
    const cluster = await spreadcore(['sweep', '--data', DATA, '--params', PARAMS, '--space', SPACE, '--cache-dir', join(dir, 'c2'), '--cluster', 'nats://127.0.0.1:1'], '');
    expect(cluster.status).toBe(2);
    expect(cluster.stderr).toContain('--cache-dir applies to a local sweep');
    expect(readdirSync(dir)).not.toContain('never');
    expect(readdirSync(dir)).not.toContain('c2');
  });
});
