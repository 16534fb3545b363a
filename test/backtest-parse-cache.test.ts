// The parse cache of a Binance recording (BacktestOptions.parseCache, CLI --cache-dir):
// the run that parses writes it, a run on a fresh copy of the bytes (as a fresh process
// would) reads it instead of parsing, and the results are the same bytes as without the
// cache. A corrupt or truncated file is reported, ignored and rewritten; a file made for
// another grid is not used; a .screc recording gets no file.
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { backtestJsonText } from '../src/backtest/backtest-json.js';
import { parseBacktestSpec, runBacktest, type PlanCacheOptions } from '../src/backtest/index.js';
import { ROOT, spreadcore } from './support/run-cli.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const PARAMS = JSON.parse(readFileSync(join(ROOT, 'examples/backtest-btcusdt.json'), 'utf8')) as Record<string, unknown>;

describe('backtest parse cache', () => {
  const bytes = readFileSync(DATA);
  const spec = parseBacktestSpec(PARAMS);
  const dirs: string[] = [];
  const newDir = (): string => { const d = mkdtempSync(join(tmpdir(), 'sc-plan-cache-')); dirs.push(d); return d; };
  afterAll(() => { for (const d of dirs) rmSync(d, { recursive: true, force: true }); });
  /** A run on a fresh copy of the bytes: the process's own parse (kept per data array) is not reused. */
  const run = (s = spec, cache?: PlanCacheOptions): string => backtestJsonText(runBacktest(Uint8Array.from(bytes), s, { seed: 3, ...(cache === undefined ? {} : { parseCache: cache }) }));
  const withNotes = (dir: string): { opts: PlanCacheOptions; notes: string[] } => {
    const notes: string[] = [];
    return { opts: { dir, onNote: (m) => notes.push(m) }, notes };
  };
  const plain = run();

  it('writes the file on the first run and reads it on the next, with the same result byte for byte', () => {
    const dir = newDir();
    const a = withNotes(dir);
    expect(run(spec, a.opts) === plain).toBe(true);
    expect(a.notes).toHaveLength(1);
    expect(a.notes[0]).toMatch(/^parse cache: wrote .*binance-[0-9a-f]{40}\.plan$/);
    expect(readdirSync(dir)).toHaveLength(1);
    const b = withNotes(dir);
    const again = run(spec, b.opts);
    expect(b.notes).toEqual([a.notes[0]!.replace('wrote', 'read')]);
    expect(again.length).toBe(plain.length);
    expect(again === plain).toBe(true);
    // the run did something worth comparing, and its data block is the Binance lines'
    const r = JSON.parse(again);
    expect(r.fills.length).toBeGreaterThan(0);
    expect(r.data.format).toBe('binance');
    expect(r.data.feed_latency_ms.clock_correction_ms).toBeGreaterThan(1000);
    // a duration is another plan: its own file
    const short = parseBacktestSpec({ ...PARAMS, duration_s: 60 });
    const c = withNotes(dir);
    expect(run(short, c.opts) === run(short)).toBe(true);
    expect(c.notes[0]).toMatch(/^parse cache: wrote /);
    expect(readdirSync(dir)).toHaveLength(2);
  });

  it('reports a corrupt or truncated file, parses the recording and rewrites the file', () => {
    const dir = newDir();
    run(spec, { dir });
    const file = join(dir, readdirSync(dir)[0]!);
    const good = readFileSync(file);
    const flipped = Buffer.from(good);
    flipped[Math.floor(flipped.length / 2)]! ^= 0xff;
    writeFileSync(file, flipped);
    const a = withNotes(dir);
    expect(run(spec, a.opts) === plain).toBe(true);
    expect(a.notes[0]).toBe(`parse cache: ${file} is corrupt: its checksum does not match its content; parsing the recording and rebuilding it`);
    expect(a.notes[1]).toBe(`parse cache: wrote ${file}`);
    expect(readFileSync(file).equals(good)).toBe(true);

    writeFileSync(file, good.subarray(0, 20));
    const b = withNotes(dir);
    expect(run(spec, b.opts) === plain).toBe(true);
    expect(b.notes[0]).toMatch(/is corrupt: 20 bytes, too short; parsing the recording and rebuilding it$/);
    expect(readFileSync(file).equals(good)).toBe(true);
    const c = withNotes(dir);
    run(spec, c.opts);
    expect(c.notes).toEqual([`parse cache: read ${file}`]);
  });

  it('does not use a file made for another grid (params file instruments)', () => {
    const dir = newDir();
    run(spec, { dir });
    // a finer lot still holds every quantity of the recording: another grid, other lots
    const finer = parseBacktestSpec({ ...PARAMS, instruments: { BTCUSDT: { tick_size: '0.01', lot_size: '0.0000001' } } });
    const a = withNotes(dir);
    const viaCache = run(finer, a.opts);
    expect(a.notes).toHaveLength(1);
    expect(a.notes[0]).toMatch(/^parse cache: wrote /);
    expect(viaCache === run(finer)).toBe(true);
    const b = withNotes(dir);
    expect(run(finer, b.opts) === viaCache).toBe(true);
    expect(b.notes[0]).toMatch(/^parse cache: read /);
  });

  it('reports a directory it cannot write to and runs all the same', () => {
    const dir = newDir();
    const blocker = join(dir, 'not-a-dir');
    writeFileSync(blocker, 'x');
    const a = withNotes(join(blocker, 'cache'));
    expect(run(spec, a.opts) === plain).toBe(true);
    expect(a.notes).toHaveLength(1);
    expect(a.notes[0]).toMatch(/^parse cache: could not write .*not-a-dir\/cache\/binance-[0-9a-f]{40}\.plan: .*not-a-dir\/cache is not a directory \(ENOTDIR\)$/);
    // --cache-dir naming a file
    const b = withNotes(blocker);
    expect(run(spec, b.opts) === plain).toBe(true);
    expect(b.notes).toEqual([expect.stringMatching(/^parse cache: could not write .*not-a-dir\/binance-[0-9a-f]{40}\.plan: .*not-a-dir is not a directory \(EEXIST\)$/)]);
  });

  it('spreadcore backtest --cache-dir: the note on stderr, the same JSON on stdout', async () => {
    const dir = newDir();
    const args = ['backtest', '--data', DATA, '--params', join(ROOT, 'examples/backtest-btcusdt.json'), '--json', '--seed', '3'];
    const first = await spreadcore([...args, '--cache-dir', dir], '');
    expect(first.status).toBe(0);
    expect(first.stderr).toMatch(/^spreadcore backtest: parse cache: wrote .*\.plan\n$/);
    expect(first.stdout === `${plain}\n`).toBe(true);
    const second = await spreadcore([...args, '--cache-dir', dir], '');
    expect(second.status).toBe(0);
    expect(second.stderr).toBe(first.stderr.replace('wrote', 'read'));
    expect(second.stdout === `${plain}\n`).toBe(true);
    const empty = await spreadcore([...args, '--cache-dir', ''], '');
    expect(empty.status).toBe(2);
    expect(empty.stderr).toMatch(/--cache-dir needs a directory/);
  });
});
