// `spreadcore replica binance --market replay:FILE --instruments FILE`: the replica serving a
// recording of a symbol the built-in Binance table does not know. The recordings are real
// ones with their symbol renamed: the first 3,000 lines of the spot ETHUSDT fixture as spot
// "SOLUSDT" (grids 0.01 / 0.00001) and the first 4,000 of the USD-M BTCUSDT fixture as USD-M
// "SOLUSDT" (0.1 / 0.001).
//   - without the flag: exit 2 naming --market replay:FILE and saying to pass --instruments;
//   - with it: GET /api/v3/depth (/fapi/v1/depth) gives the book the original recording
//     ends with, and exchangeInfo lists SOLUSDT with the file's tick and lot size;
//   - a bad file, grids for the other market, or the flag with the simulator: exit 2.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/run-cli.js';
import { requireDist, runCliSplit as run, spawnCli, stopAll } from './support/cli-process.js';
import { waitFor } from './support/wait.js';

const SPOT_ETH = join(ROOT, 'test/fixtures/binance/spot_ethusdt_20240808.gz');
const USDM_BTC = join(ROOT, 'test/fixtures/binance/usdm_btcusdt_20240808.gz');
let tmp = '';
const files: Record<string, string> = {};

/** The first `n` lines of a gzipped fixture, and the same with `from` renamed SOLUSDT. */
function renamed(fixture: string, n: number, from: string): { original: string; sol: string } {
  const original = `${gunzipSync(readFileSync(fixture)).toString('utf8').split('\n').slice(0, n).join('\n')}\n`;
  const sol = original.replaceAll(from.toLowerCase(), 'solusdt').replaceAll(from, 'SOLUSDT');
  expect(sol).not.toContain(from);
  return { original, sol };
}

beforeAll(() => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-replica-instruments-'));
  const write = (name: string, text: string): void => { files[name] = join(tmp, name); writeFileSync(files[name], text); };
  const spot = renamed(SPOT_ETH, 3000, 'ETHUSDT');
  write('eth.txt', spot.original);
  write('sol.txt', spot.sol);
  const usdm = renamed(USDM_BTC, 4000, 'BTCUSDT');
  write('ubtc.txt', usdm.original);
  write('usol.txt', usdm.sol);
  write('grids.json', JSON.stringify({ SOLUSDT: { tick_size: '0.01', lot_size: '0.00001', market: 'spot' }, DOGEUSDT: { tick_size: '0.00001', lot_size: '1' } }));
  write('usdm-grids.json', JSON.stringify({ SOLUSDT: { tick_size: '0.1', lot_size: '0.001', market: 'usdm' } }));
  write('bad-tick.json', JSON.stringify({ SOLUSDT: { tick_size: '-0.01', lot_size: '0.00001' } }));
  files['missing.json'] = join(tmp, 'missing.json');
});
afterEach(() => { stopAll(); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** The book `spreadcore replay` ends with for the original recording, as Binance [price, qty] numbers. */
async function originalTop(file: string, depth: number): Promise<{ bids: number[][]; asks: number[][] }> {
  const r = await run(['replay', '--source', `binance:${file}`, '--depth', String(depth)]);
  expect(r.status, r.stderr).toBe(0);
  const b = JSON.parse(r.stdout) as { state: string; bids: [string, string][]; asks: [string, string][] };
  expect(b.state).toBe('live');
  const num = (ls: [string, string][]): number[][] => ls.map(([p, q]) => [Number(p), Number(q)]);
  return { bids: num(b.bids), asks: num(b.asks) };
}

/** Starts the replica with --json at full speed; resolves with its REST base once it listens. */
async function startReplica(args: string[]): Promise<{ base: string; info: any; stop: () => Promise<number | null> }> {
  const child = spawnCli(['replica', 'binance', '--port', '0', '--json', '--speed', 'max', ...args]);
  let out = '';
  child.stdout!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  child.stderr!.setEncoding('utf8').on('data', (c: string) => { out += c; });
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor('the listening line', () => /^\{.*"event":"listening".*\}\n/.test(out), 20_000);
  const info = JSON.parse(out.split('\n')[0]!);
  const base = /^(http:\/\/127\.0\.0\.1:\d+)/.exec(info.urls.rest as string)![1]!;
  return { base, info, stop: async () => { child.kill('SIGINT'); return exited; } };
}

const get = async (url: string): Promise<any> => (await fetch(url, { signal: AbortSignal.timeout(5000) })).json();
const num = (ls: [string, string][]): number[][] => ls.map(([p, q]) => [Number(p), Number(q)]);

/** The replica's depth once it equals `want` (at full speed the recording is through in well under the wait), or the last one after 15 s. */
async function depthOnceEqual(url: string, want: { bids: number[][]; asks: number[][] }): Promise<{ bids: number[][]; asks: number[][] }> {
  const t0 = Date.now();
  for (;;) {
    const d = await get(url);
    const got = { bids: num(d.bids), asks: num(d.asks) };
    if (JSON.stringify(got) === JSON.stringify(want) || Date.now() - t0 > 15_000) return got;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('spreadcore replica binance --market replay:FILE --instruments', () => {
  it('without the flag: exit 2 naming the recording and saying to pass --instruments', async () => {
    const r = await run(['replica', 'binance', '--port', '0', '--market', `replay:${files['sol.txt']}`]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`spreadcore replica: --market replay:${files['sol.txt']}: unknown Binance spot symbol "SOLUSDT" (known: BTCUSDT, ETHUSDT): `
      + 'give its tick and lot size with --instruments FILE, e.g. {"SOLUSDT": {"tick_size": "0.01", "lot_size": "0.001", "market": "spot"}}');
    expect(r.stdout).toBe('');
  });

  it('spot: the depth is the original recording\'s book and exchangeInfo lists SOLUSDT with the file\'s grids', async () => {
    const want = await originalTop(files['eth.txt']!, 10);
    const rep = await startReplica(['--market', `replay:${files['sol.txt']}`, '--instruments', files['grids.json']!]);
    expect(rep.info).toMatchObject({ venue: 'binance', market: 'spot', symbols: ['SOLUSDT'] });
    const depth = await depthOnceEqual(`${rep.base}/api/v3/depth?symbol=SOLUSDT&limit=10`, want);
    expect(depth.bids).toHaveLength(10);
    expect(depth).toEqual(want);
    const ex = await get(`${rep.base}/api/v3/exchangeInfo?symbol=SOLUSDT`);
    expect(ex.symbols.map((s: any) => s.symbol)).toEqual(['SOLUSDT']);
    const filters = Object.fromEntries((ex.symbols[0].filters as any[]).map((f) => [f.filterType, f]));
    expect(Number(filters['PRICE_FILTER'].tickSize)).toBe(0.01);
    expect(Number(filters['LOT_SIZE'].stepSize)).toBe(0.00001);
    expect(await rep.stop()).toBe(0);
  }, 40_000);

  it('USD-M with --futures: the same on /fapi/v1', async () => {
    const want = await originalTop(files['ubtc.txt']!, 10);
    const rep = await startReplica(['--futures', '--market', `replay:${files['usol.txt']}`, '--instruments', files['usdm-grids.json']!]);
    expect(rep.info).toMatchObject({ market: 'usdm', symbols: ['SOLUSDT'] });
    const depth = await depthOnceEqual(`${rep.base}/fapi/v1/depth?symbol=SOLUSDT&limit=10`, want);
    expect(depth.bids).toHaveLength(10);
    expect(depth).toEqual(want);
    const ex = await get(`${rep.base}/fapi/v1/exchangeInfo`);
    const sol = (ex.symbols as any[]).find((s) => s.symbol === 'SOLUSDT');
    const filters = Object.fromEntries((sol.filters as any[]).map((f) => [f.filterType, f]));
    expect(Number(filters['PRICE_FILTER'].tickSize)).toBe(0.1);
    expect(Number(filters['LOT_SIZE'].stepSize)).toBe(0.001);
    expect(await rep.stop()).toBe(0);
  }, 40_000);

  it('a bad file, grids for the other market, or the flag with the simulator: exit 2 saying so', async () => {
    const cases: [string[], string | RegExp][] = [
      [['--market', `replay:${files['sol.txt']}`, '--instruments', files['missing.json']!], /^spreadcore replica: --instruments \S*missing\.json: cannot read it: no such file/],
      [['--market', `replay:${files['sol.txt']}`, '--instruments', files['bad-tick.json']!],
        /^spreadcore replica: --instruments \S*bad-tick\.json: SOLUSDT\.tick_size must be a positive decimal string such as "0\.01", got "-0\.01"/],
      [['--market', `replay:${files['sol.txt']}`, '--instruments', files['usdm-grids.json']!], 'the grids given for SOLUSDT are for Binance usdm, not spot'],
      [['--instruments', files['grids.json']!], 'spreadcore replica: --instruments applies to --market replay:FILE (a Binance recording) only'],
    ];
    for (const [args, message] of cases) {
      const r = await run(['replica', 'binance', '--port', '0', ...args]);
      expect(r.status, args.join(' ')).toBe(2);
      if (typeof message === 'string') expect(r.stderr).toContain(message);
      else expect(r.stderr).toMatch(message);
      expect(r.stdout).toBe('');
    }
  }, 60_000);
});
