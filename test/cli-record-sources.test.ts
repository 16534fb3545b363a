// `spreadcore record` from each source kind, read back with `spreadcore replay`:
// the same books as replaying the source itself; bad flags exit 2, unreadable or
// malformed input and unwritable output exit 1, and no partial file is left.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'spreadcore.js');
const SPOT = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const USDM = join(ROOT, 'test/fixtures/binance/usdm_btcusdt_20240808.gz');
const dir = mkdtempSync(join(tmpdir(), 'spreadcore-record-'));

function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function ok(...args: string[]): string {
  const r = cli(...args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.code, args.join(' ')).toBe(0);
  return r.stdout;
}

describe('spreadcore record', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  });

  it('a Binance recording → .screc.gz → replay: the same top-50 book as replaying the JSON', () => {
    const out = join(dir, 'spot.screc.gz');
    const rep = JSON.parse(ok('record', '--source', `binance:${SPOT}`, '--out', out, '--json'));
    expect(rep).toMatchObject({ out, sourceStats: { gaps: 0, skippedLines: 0, bookTickerMismatches: 0 } });
    expect(rep.frames).toBe(rep.sourceStats.appliedEvents + rep.sourceStats.trades);
    expect(rep.spanS).toBeGreaterThan(340);
    expect(readFileSync(out)[0]).toBe(0x1f); // gzip
    expect(readdirSync(dir).filter((f) => f.endsWith('.partial'))).toEqual([]);
    const direct = ok('replay', '--source', `binance:${SPOT}`, '--depth', '50');
    const line = JSON.parse(direct);
    expect(line).toMatchObject({ symbol: 'BTCUSDT', state: 'live' });
    expect(line.bids).toHaveLength(50);
    expect(line.bids[0][0]).toMatch(/^\d+\.\d{2}$/);
    expect(ok('replay', '--source', `screc:${out}`, '--depth', '50')).toBe(direct);
  });

  it('the simulator and a binary recording as sources; a readable summary by default', () => {
    const sim = join(dir, 'sim.screc');
    const text = ok('record', '--source', 'sim', '--seed', '11', '--duration-s', '20', '--symbols', 'BTCUSDT,BTC-100K-YES', '--out', sim);
    expect(text).toMatch(/^recorded [\d,]+ frames \([\d,]+ messages, [\d,]+ bytes before compression\) covering 20\.0 s of source time\n  from simulator seed 11, 20 s of BTCUSDT,BTC-100K-YES\n  into .*sim\.screc in [\d.]+ s\n$/);
    const direct = ok('replay', '--source', 'sim', '--seed', '11', '--duration-s', '20', '--symbols', 'BTCUSDT,BTC-100K-YES');
    expect(direct.trim().split('\n').map((l) => JSON.parse(l).symbol)).toEqual(['BTCUSDT', 'BTC-100K-YES']);
    expect(ok('replay', '--source', `screc:${sim}`)).toBe(direct);
    // a recording of a recording: compressed, same frames, same books
    const copy = join(dir, 'sim-copy.screc.gz');
    ok('record', '--source', `screc:${sim}`, '--out', copy);
    expect(gunzipSync(readFileSync(copy)).equals(readFileSync(sim))).toBe(true);
    // --duration-s cuts a recording
    const first5 = ok('replay', '--source', `screc:${sim}`, '--duration-s', '5');
    expect(first5).toBe(ok('replay', '--source', 'sim', '--seed', '11', '--duration-s', '5', '--symbols', 'BTCUSDT,BTC-100K-YES'));
  });

  it('a USD-M recording, market detected, a time window of it', () => {
    const out = join(dir, 'usdm.screc');
    const rep = JSON.parse(ok('record', '--source', `binance:${USDM}`, '--duration-s', '30', '--out', out, '--json'));
    expect(rep.source).toContain('binance usdm BTCUSDT');
    expect(rep.spanS).toBeLessThanOrEqual(30);
    expect(ok('replay', '--source', `screc:${out}`, '--depth', '50')).toBe(ok('replay', '--source', `binance:${USDM}`, '--duration-s', '30', '--depth', '50'));
  });

  it('bad command lines exit 2 with the reason', () => {
    const out = join(dir, 'x.screc');
    for (const [args, message] of [
      [['--source', 'sim'], '--out is required'],
      [['--source', 'sim', '--out', join(dir, 'x.bin')], '--out must end in .screc or .screc.gz'],
      [['--out', out], '--source is required'],
      [['--source', 'binance:'], '--source binance: needs a file'],
      [['--source', `binance:${SPOT}`, '--seed', '3', '--out', out], '--seed applies to --source sim only'],
      [['--source', 'sim', '--market', 'spot', '--out', out], '--market applies to --source binance:FILE only'],
      [['--source', `binance:${SPOT}`, '--market', 'coinm', '--out', out], '--market must be spot or usdm'],
      [['--source', 'sim', '--duration-s', '-1', '--out', out], '--duration-s must be a positive number of seconds up to 2592000, got "-1"'],
      [['--source', 'sim', '--duration-s', '0', '--out', out], '--duration-s must be a positive number'],
      [['--source', 'sim', '--seed', '1.5', '--out', out], '--seed must be an integer'],
      [['--source', 'sim', '--symbols', 'BTC USDT', '--out', out], '--symbols must be a comma-separated list'],
      [['--source', `screc:${out}`, '--out', out], '--out must not be the source file'],
      [['--source', 'sim', '--out', out, 'extra'], 'unexpected argument "extra"'],
    ] as const) {
      const r = cli('record', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(message);
      expect(r.stderr).toContain('Run "spreadcore record --help" for usage.');
    }
    expect(existsSync(out)).toBe(false);
  });

  it('unreadable or malformed input and unwritable output exit 1, leaving no file behind', () => {
    const out = join(dir, 'y.screc');
    const missing = cli('record', '--source', `binance:${join(dir, 'nope.gz')}`, '--out', out);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toBe(`spreadcore record: cannot read ${join(dir, 'nope.gz')}: no such file (SPREADCORE_ERR_IO)\n`);

    const notes = join(dir, 'notes.txt');
    writeFileSync(notes, 'not market data\n');
    const r1 = cli('record', '--source', `binance:${notes}`, '--out', out);
    expect(r1.code).toBe(1);
    expect(r1.stderr).toMatch(/is not a Binance recording .*\(SPREADCORE_ERR_BAD_INPUT\)\n$/);
    const r2 = cli('record', '--source', `screc:${notes}`, '--out', out);
    expect(r2.code).toBe(1);
    expect(r2.stderr).toContain('not a spreadcore recording (bad magic number) (SPREADCORE_ERR_BAD_RECORDING)');
    const r3 = cli('record', '--source', `binance:${SPOT}`, '--market', 'usdm', '--out', out);
    expect(r3.code).toBe(1);
    expect(r3.stderr).toContain('looks like spot');

    // a recording cut short: everything before the cut was read, then the error; no output file
    const good = join(dir, 'good.screc');
    ok('record', '--source', 'sim', '--duration-s', '2', '--out', good);
    const bytes = readFileSync(good);
    const cut = join(dir, 'cut.screc');
    writeFileSync(cut, bytes.subarray(0, bytes.length - 7));
    const r4 = cli('record', '--source', `screc:${cut}`, '--out', out);
    expect(r4.code).toBe(1);
    expect(r4.stderr).toContain('recording cut short');
    expect(existsSync(out)).toBe(false);
    expect(existsSync(`${out}.partial`)).toBe(false);

    const r5 = cli('record', '--source', 'sim', '--duration-s', '1', '--out', join(dir, 'no-such-dir', 'z.screc'));
    expect(r5.code).toBe(1);
    expect(r5.stderr).toMatch(/^spreadcore record: cannot write .*z\.screc: ENOENT.*\(SPREADCORE_ERR_IO\)\n$/);

    const r6 = cli('record', '--source', 'sim', '--duration-s', '1', '--out', good);
    expect(r6.code).toBe(1);
    expect(r6.stderr).toContain('already exists (pass --force to overwrite it)');
    ok('record', '--source', 'sim', '--duration-s', '1', '--out', good, '--force');
    for (const r of [missing, r1, r2, r3, r4, r5, r6]) expect(r.stderr).not.toContain('    at ');
  });
});
