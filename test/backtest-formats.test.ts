// The bytes of a recording are recognised by their content: gzip or plain, Binance
// lines or the project's binary recording. The same market recorded as .screc (the
// feed handler's frame path) gives the same fills and metrics as the Binance lines
// (the connector's path). Bytes that are neither fail with a clear coded error.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { parseBacktestSpec, runBacktest, type BacktestResult } from '../src/backtest/index.js';
import { SpreadcoreError } from '../src/errors.js';
import { ROOT, spreadcore } from './support/run-cli.js';

const LINES = join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz');
const spec = parseBacktestSpec(JSON.parse(readFileSync(join(ROOT, 'examples/backtest-btcusdt.json'), 'utf8')));

function codeOf(fn: () => unknown): string {
  try { fn(); } catch (e) { if (e instanceof SpreadcoreError) return `${e.code}: ${e.message}`; throw e; }
  return 'no error';
}

/** What must not depend on the recording's format. */
function trading(r: BacktestResult): unknown {
  return { fills: r.fills, summary: r.summary, objectives: { ...r.objectives, events: 0 }, equity: r.curves.equity, inventory: r.curves.inventory };
}

describe('recording formats', () => {
  const gz = readFileSync(LINES);
  let lines: BacktestResult;
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
    lines = runBacktest(gz, spec, { seed: 1 });
  });

  it('plain Binance lines give what the gzip file gives', () => {
    const plain = runBacktest(gunzipSync(gz), spec, { seed: 1 });
    expect(plain.data).toEqual(lines.data);
    expect(trading(plain)).toEqual(trading(lines));
  });

  it('the same market as a .screc recording (plain and gzip) gives the same fills and metrics', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-screc-'));
    const out = join(dir, 'spot.screc');
    const rec = await spreadcore(['record', '--source', `binance:${LINES}`, '--out', out], '');
    expect(rec.status, rec.stderr).toBe(0);
    const raw = readFileSync(out);
    const frames = runBacktest(raw, spec, { seed: 1 });
    expect(frames.data.format).toBe('screc');
    expect(lines.data.format).toBe('binance');
    expect(frames.fills.length).toBeGreaterThan(0);
    expect(trading(frames)).toEqual(trading(lines));
    expect(frames.warnings).toEqual([]); // a .screc of Binance lines keeps their receive times
    const zipped = runBacktest(gzipSync(raw), spec, { seed: 1 });
    expect(trading(zipped)).toEqual(trading(lines));
  });

  it('a .screc of two simulated symbols runs one strategy on both: per-symbol metrics, summed objectives', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'bt-sim-'));
    const out = join(dir, 'sim.screc.gz');
    const rec = await spreadcore(['record', '--source', 'sim', '--symbols', 'BTCUSDT,ETHUSDT', '--duration-s', '120', '--seed', '3', '--out', out], '');
    expect(rec.status, rec.stderr).toBe(0);
    const two = parseBacktestSpec({ symbols: ['BTCUSDT', 'ETHUSDT'], parameters: { spread_bps: 0.5, order_size: 0.01, max_position: 0.1, quote_levels: 2 } });
    const r = runBacktest(readFileSync(out), two, { seed: 1 });
    expect(r.data).toMatchObject({ format: 'screc', symbols: ['BTCUSDT', 'ETHUSDT'], duration_seconds: 120 });
    const btc = r.symbols['BTCUSDT']!.analytics;
    const eth = r.symbols['ETHUSDT']!.analytics;
    expect(btc.fills.total).toBeGreaterThan(0);
    expect(eth.fills.total).toBeGreaterThan(0);
    expect(r.summary).toEqual(r.symbols['BTCUSDT']!.metrics);
    expect(r.objectives.fills).toBe(btc.fills.total + eth.fills.total);
    expect(r.objectives.net_pnl).toBeCloseTo(btc.pnl.total + eth.pnl.total, 6);
    expect(r.curves.equity.values[r.curves.equity.values.length - 1]).toBeCloseTo(r.objectives.net_pnl, 6);
    expect(r.curves.inventory['ETHUSDT']!.values.at(-1)).toBe(eth.inventory.position);
    expect(r.fills.filter((f) => f.symbol === 'ETHUSDT')).toHaveLength(eth.fills.total);
    // the simulator stamps its frames at exchange time: the default feed latency "recorded" is no latency, and the result says so
    expect(r.data.feed_latency_ms).toMatchObject({ max: 0 });
    expect(r.warnings).toEqual(['feed_latency "recorded": this recording\'s receive times are its exchange times (no delay on any step), so the strategy saw every event '
      + 'the moment it happened; give feed_latency a number of ms for a delay']);
    expect(runBacktest(readFileSync(out), { ...two, feedLatency: 5 }, { seed: 1 }).warnings).toEqual([]);
    expect(codeOf(() => runBacktest(readFileSync(out), { ...two, symbols: ['SOLUSDT'] }, { seed: 1 })))
      .toMatch(/SPREADCORE_ERR_UNKNOWN_SYMBOL: params file: symbols \["SOLUSDT"\] are not all in the recording \(it carries BTCUSDT, ETHUSDT\)/);
  });

  it.each([
    ['empty bytes', new Uint8Array(0), /SPREADCORE_ERR_BAD_RECORDING: the recording is empty/],
    ['text that is not a recording', Buffer.from('hello\nworld\n'), /SPREADCORE_ERR_BAD_RECORDING: the data is neither a spreadcore recording nor Binance/],
    ['JSON lines without market data', Buffer.from('1723161253937000000 {"a":1}\n'), /SPREADCORE_ERR_BAD_RECORDING: .*neither/],
    ['gzip cut short', gz.subarray(0, 5000), /SPREADCORE_ERR_BAD_RECORDING: the recording is not valid gzip data/],
    ['a .screc header with a bad version', Buffer.from([0x53, 0x43, 0x52, 0x43, 9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), /SPREADCORE_ERR_BAD_RECORDING: spreadcore recording: unsupported recording version 9/],
  ])('%s: a clear error', (_name, bytes, message) => {
    expect(codeOf(() => runBacktest(bytes, spec, { seed: 1 }))).toMatch(message);
  });

  it('a symbol the recording does not carry, or a market it is not, is refused before the run', () => {
    expect(codeOf(() => runBacktest(gz, { ...spec, symbols: ['ETHUSDT'] }, { seed: 1 })))
      .toMatch(/SPREADCORE_ERR_UNKNOWN_SYMBOL: params file: the recording carries BTCUSDT only, not ETHUSDT/);
    expect(codeOf(() => runBacktest(gz, { ...spec, market: 'usdm' }, { seed: 1 })))
      .toMatch(/SPREADCORE_ERR_BAD_INPUT: params file: market is "usdm" but the recording is spot/);
  });

  it('instrument overrides reach the books: a coarser lot than the recording\'s is refused by the book, a matching one runs', () => {
    const same = runBacktest(gz, { ...spec, instruments: { BTCUSDT: { tickSize: '0.01', lotSize: '0.000001', market: 'spot' } } }, { seed: 1 });
    expect(trading(same)).toEqual(trading(lines));
    expect(same.config.instruments['BTCUSDT']).toEqual({ tick_size: '0.01', lot_size: '0.000001' });
    const coarse = runBacktest(gz, { ...spec, instruments: { BTCUSDT: { tickSize: '0.01', lotSize: '0.001', market: null } } }, { seed: 1 });
    expect(coarse.config.instruments['BTCUSDT']).toEqual({ tick_size: '0.01', lot_size: '0.001' });
    // the recording's quantities are finer than 0.001: the book refuses them and never goes live
    expect(coarse.fills).toEqual([]);
    expect(coarse.started_ts_ms).toBeNull();
    expect(coarse.warnings[0]).toMatch(/^the strategy never quoted: .*BTCUSDT (stale|awaiting-snapshot).*check the instruments' tick and lot sizes/);
  });

  it('a replay cut by duration_s before any snapshot says so, besides the grids', () => {
    const short = runBacktest(gz, { ...spec, durationS: 0.001 }, { seed: 1 });
    expect(short.started_ts_ms).toBeNull();
    expect(short.warnings).toHaveLength(1);
    expect(short.warnings[0]).toMatch(/^the strategy never quoted: .*BTCUSDT awaiting-snapshot, 0 updates refused by the book, 0 snapshots\); check the instruments' tick and lot sizes, or replay more than duration_s 0\.001 \(0 s replayed, no snapshot among them\)$/);
  });
});
