// `spreadcore selfcheck` (npm start): the compiled command replays the bundled real
// recording and reports a passing check; bad flags and data fail cleanly.
import { describe, it, expect, beforeAll } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'bin', 'spreadcore.js');

function run(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, 'selfcheck', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, SPREADCORE_WASM: 'debug' } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('spreadcore selfcheck', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
  });

  it('replays the bundled spot recording with zero bookTicker mismatches', () => {
    const r = run('--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rep = JSON.parse(r.stdout);
    expect(rep.ok).toBe(true);
    expect(rep.bookTickerChecks).toBe(564);
    expect(rep.bookTickerMismatches).toBe(0);
    expect(rep.depthEvents).toMatchObject({ applied: 3449, gaps: 0, rejected: 0 });
    expect(rep.book.crossed).toBe(false);
    expect(rep.quotes.bids).toHaveLength(3);
    expect(rep.quotes.asks).toHaveLength(3);
    // the ladder sits 2 bps either side of the mid, 2 bps apart
    const mid = Number(rep.quotes.fair);
    const bid0 = Number(rep.quotes.bids[0][0]);
    const ask0 = Number(rep.quotes.asks[0][0]);
    expect((mid - bid0) / mid * 1e4).toBeCloseTo(2, 1);
    expect((ask0 - mid) / mid * 1e4).toBeCloseTo(2, 1);
    expect(rep.volatility.rolling60sBps).toBeGreaterThan(0);
  });

  it('prints a readable report by default and replays USD-M too', () => {
    const r = run('--market', 'usdm', '--data', 'test/fixtures/binance/usdm_btcusdt_20240808.gz');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('bookTicker check 629 compared, 0 mismatches');
    expect(r.stdout).toContain('selfcheck passed');
  });

  it('reports a gap and fails when a depth message is missing', () => {
    const lines = gunzipSync(readFileSync(join(ROOT, 'test/fixtures/binance/spot_btcusdt_20240808.gz'))).toString('utf8').split('\n');
    let depthSeen = 0;
    const cut = lines.filter((l) => !(l.includes('depthUpdate') && ++depthSeen === 500));
    const file = join(mkdtempSync(join(tmpdir(), 'spreadcore-')), 'cut.txt');
    writeFileSync(file, cut.join('\n'));
    const r = run('--data', file, '--json');
    expect(r.code).toBe(1);
    const rep = JSON.parse(r.stdout);
    expect(rep.depthEvents.gaps).toBeGreaterThanOrEqual(1);
    expect(rep.ok).toBe(false);
  });

  it.each([
    [['--market', 'nyse'], 2, /--market must be spot or usdm/],
    [['--speed', '1'], 2, /unknown flag --speed/],
    [['extra'], 2, /unexpected argument/],
    [['--data', '/nonexistent/file.gz'], 1, /recording not found/],
    [['--symbol', 'DOGEUSDT'], 1, /unknown Binance spot symbol "DOGEUSDT"/],
  ])('%j exits %i with a clear message', (args, code, message) => {
    const r = run(...args);
    expect(r.code).toBe(code);
    expect(r.stderr).toMatch(message);
    expect(r.stderr).not.toContain('    at ');
  });
});
