// --instruments FILE of `serve --market replay:FILE`, `book --format binance` and
// `selfcheck`: a recording of a symbol the built-in Binance table does not know, replayed
// with the grids the file gives. The recording is a real one with its symbol renamed: the
// first 3,000 lines of the spot ETHUSDT fixture as "SOLUSDT" (grids 0.01 / 0.00001, see
// test/fixtures/README.md), so every book must be the one the original gives as ETHUSDT.
//   - without the flag each command refuses the symbol and says to pass --instruments;
//   - with it: book prints ETHUSDT's book, selfcheck passes its bookTicker checks, serve
//     replays it (health, depth);
//   - a file that is missing, not JSON, with a bad tick size, an unknown field or market
//     value, or the flag where it does not apply: exit 2 naming the flag, nothing started
//     (serve creates no data directory).
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/run-cli.js';
import { requireDist, runCliSplit as run, spawnCli, stopAll } from './support/cli-process.js';
import { waitFor } from './support/wait.js';

const ETH = join(ROOT, 'test/fixtures/binance/spot_ethusdt_20240808.gz');
let tmp = '';
let ethText = '';
let solText = '';
let solGz = '';
const files: Record<string, string> = {};

beforeAll(() => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-instruments-'));
  const lines = gunzipSync(readFileSync(ETH)).toString('utf8').split('\n').slice(0, 3000);
  ethText = `${lines.join('\n')}\n`;
  solText = ethText.replace(/ethusdt/g, 'solusdt').replace(/ETHUSDT/g, 'SOLUSDT');
  expect(solText).not.toContain('ETHUSDT');
  solGz = join(tmp, 'sol.gz');
  writeFileSync(solGz, gzipSync(solText));
  writeFileSync(join(tmp, 'sol.txt'), solText);
  const write = (name: string, text: string): void => { files[name] = join(tmp, name); writeFileSync(files[name], text); };
  write('grids.json', JSON.stringify({ SOLUSDT: { tick_size: '0.01', lot_size: '0.00001', market: 'spot' }, DOGEUSDT: { tick_size: '0.00001', lot_size: '1' } }));
  write('usdm.json', JSON.stringify({ SOLUSDT: { tick_size: '0.01', lot_size: '0.00001', market: 'usdm' } }));
  write('bad-json.json', '{"SOLUSDT": {"tick_size": "0.01",');
  write('bad-tick.json', JSON.stringify({ SOLUSDT: { tick_size: '-0.01', lot_size: '0.00001' } }));
  write('bad-field.json', JSON.stringify({ SOLUSDT: { tick_size: '0.01', lot_size: '0.00001', step: '1' } }));
  write('bad-market.json', JSON.stringify({ SOLUSDT: { tick_size: '0.01', lot_size: '0.00001', market: 'coinm' } }));
  files['missing.json'] = join(tmp, 'missing.json');
});
afterEach(() => { stopAll(); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The bad --instruments files, each with what its message must say. */
const BAD: readonly [string, RegExp][] = [
  ['missing.json', /--instruments \S*missing\.json: cannot read it: no such file/],
  ['bad-json.json', /--instruments \S*bad-json\.json: not valid JSON/],
  ['bad-tick.json', /--instruments \S*bad-tick\.json: SOLUSDT\.tick_size must be a positive decimal string such as "0\.01", got "-0\.01"/],
  ['bad-field.json', /--instruments \S*bad-field\.json: unknown field SOLUSDT\.step \(expected tick_size, lot_size, market\)/],
  ['bad-market.json', /--instruments \S*bad-market\.json: SOLUSDT\.market must be "spot" or "usdm", got "coinm"/],
];

describe('spreadcore book --format binance --instruments', () => {
  it('without grids for the symbol: exit 2, saying to pass --instruments', async () => {
    const r = await run(['book', '--format', 'binance', '--symbol', 'SOLUSDT'], solText);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--symbol: unknown Binance spot symbol "SOLUSDT" (known: BTCUSDT, ETHUSDT): give its tick and lot size with --instruments FILE');
    expect(r.stdout).toBe('');
  });

  it('with them: every book equals the original recording\'s ETHUSDT book', async () => {
    const want = await run(['book', '--format', 'binance', '--symbol', 'ETHUSDT', '--every', '--depth', '5'], ethText);
    expect(want.status, want.stderr).toBe(0);
    const got = await run(['book', '--format', 'binance', '--symbol', 'SOLUSDT', '--every', '--depth', '5', '--instruments', files['grids.json']!], solText);
    expect(got.status, got.stderr).toBe(0);
    expect(got.stdout.split('\n').length).toBeGreaterThan(100);
    expect(got.stdout).toBe(want.stdout);
  });

  it('grids for the other market: exit 2 saying so', async () => {
    const r = await run(['book', '--format', 'binance', '--symbol', 'SOLUSDT', '--instruments', files['usdm.json']!], solText);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the grids given for SOLUSDT are for Binance usdm, not spot');
  });

  it.each(BAD)('%s: exit 2 naming the flag', async (name, message) => {
    const r = await run(['book', '--format', 'binance', '--symbol', 'SOLUSDT', '--instruments', files[name]!], solText);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('--instruments with the ndjson format: exit 2', async () => {
    const r = await run(['book', '--tick-size', '0.01', '--lot-size', '0.001', '--instruments', files['grids.json']!], '');
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--instruments applies to --format binance only');
  });
});

describe('spreadcore selfcheck --instruments', () => {
  it('without grids for the symbol: refused, saying to pass --instruments', async () => {
    const r = await run(['selfcheck', '--data', join(tmp, 'sol.txt'), '--symbol', 'SOLUSDT']);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('unknown Binance spot symbol "SOLUSDT" (known: BTCUSDT, ETHUSDT): give its tick and lot size with --instruments FILE');
  });

  it('with them: the recording passes, with the same checks as the original as ETHUSDT', async () => {
    writeFileSync(join(tmp, 'eth.txt'), ethText);
    const want = await run(['selfcheck', '--data', join(tmp, 'eth.txt'), '--symbol', 'ETHUSDT', '--json']);
    const got = await run(['selfcheck', '--data', join(tmp, 'sol.txt'), '--symbol', 'SOLUSDT', '--instruments', files['grids.json']!, '--json']);
    expect(got.status, got.stderr).toBe(0);
    const [w, g] = [JSON.parse(want.stdout), JSON.parse(got.stdout)];
    expect(g).toMatchObject({ ok: true, symbol: 'SOLUSDT', market: 'spot', bookTickerMismatches: 0 });
    expect(g.bookTickerChecks).toBeGreaterThan(0);
    // the book is the same; the quotes' size differs (the file's lot_size is also the order lot: 100 lots)
    expect({ checks: g.bookTickerChecks, depth: g.depthEvents, book: g.book, fair: g.quotes.fair })
      .toEqual({ checks: w.bookTickerChecks, depth: w.depthEvents, book: w.book, fair: w.quotes.fair });
  });

  it.each(BAD)('%s: exit 2 naming the flag', async (name, message) => {
    const r = await run(['selfcheck', '--data', join(tmp, 'sol.txt'), '--symbol', 'SOLUSDT', '--instruments', files[name]!]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });
});

describe('spreadcore serve --market replay:FILE --instruments', () => {
  it('without grids for the symbol: exit 2, saying to pass --instruments; nothing created', async () => {
    const dataDir = join(tmp, 'serve-refused');
    const r = await run(['serve', '--port', '0', '--data-dir', dataDir, '--market', `replay:${solGz}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--market replay:${solGz}: unknown Binance spot symbol "SOLUSDT" (known: BTCUSDT, ETHUSDT): give its tick and lot size with --instruments FILE`);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('with them: the recording replays; the depth endpoint shows the book `spreadcore book` computes', async () => {
    const want = await run(['book', '--format', 'binance', '--symbol', 'ETHUSDT', '--depth', '10'], ethText);
    expect(want.status, want.stderr).toBe(0);
    const top = JSON.parse(want.stdout) as { bids: [string, string][]; asks: [string, string][] };
    const conv = (l: [string, string]): { price: number; qty: number } => ({ price: Number(l[0]), qty: Number(l[1]) });

    const dataDir = mkdtempSync(join(tmp, 'serve-'));
    const child = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--market', `replay:${solGz}`, '--speed', 'max', '--instruments', files['grids.json']!]);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code: number | null) => resolve(code)));
    await waitFor('the end of the recording', () => /the recording ended after 3000 messages/.test(out), 20_000);
    expect(out).toMatch(/market: replay of binance spot SOLUSDT from .*sol\.gz at full speed/);
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out)![1]!;
    const get = async (path: string): Promise<any> => (await fetch(base + path, { signal: AbortSignal.timeout(5000) })).json();
    expect(await get('/api/health')).toMatchObject({ ok: true, market: 'replay', market_state: 'ended', messages: 3000, symbols: ['SOLUSDT'] });
    const depth = await get('/api/market/depth?symbol=SOLUSDT&limit=10');
    expect({ bids: depth.bids, asks: depth.asks }).toEqual({ bids: top.bids.map(conv), asks: top.asks.map(conv) });
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 40_000);

  it.each(BAD)('%s: exit 2 naming the flag; nothing created', async (name, message) => {
    const dataDir = join(tmp, `serve-bad-${name}`);
    const r = await run(['serve', '--port', '0', '--data-dir', dataDir, '--market', `replay:${solGz}`, '--instruments', files[name]!]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('from SPREADCORE_INSTRUMENTS: a bad file names the variable', async () => {
    const dataDir = join(tmp, 'serve-bad-env');
    const r = await run(['serve', '--port', '0', '--data-dir', dataDir, '--market', `replay:${solGz}`], '', { SPREADCORE_INSTRUMENTS: files['bad-tick.json']! });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/environment variable SPREADCORE_INSTRUMENTS: --instruments \S*bad-tick\.json: SOLUSDT\.tick_size must be/);
    expect(existsSync(dataDir)).toBe(false);
  });

  it('--instruments outside a Binance replay: exit 2 saying where it applies', async () => {
    const dataDir = join(tmp, 'serve-sim');
    const r = await run(['serve', '--port', '0', '--data-dir', dataDir, '--instruments', files['grids.json']!]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--instruments applies to --market replay:FILE (a Binance recording) and --market binance with paper execution only');
    expect(existsSync(dataDir)).toBe(false);
  });
});
