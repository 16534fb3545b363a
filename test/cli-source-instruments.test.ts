// --instruments FILE of `spreadcore record`, `replay` and `publish` with --source binance:FILE:
// a recording of a symbol the built-in Binance table does not know. The recordings are real
// ones with their symbol renamed: the first 3,000 lines of the spot ETHUSDT fixture as spot
// "SOLUSDT" (grids 0.01 / 0.00001) and the first 4,000 of the USD-M BTCUSDT fixture as USD-M
// "SOLUSDT" (0.1 / 0.001), so every book must be the one the original gives.
//   - without the flag each command refuses the symbol (exit 2) and says to pass --instruments;
//     record creates no file;
//   - with it: replay prints the original's books; record writes a .screc that replays to the
//     same books; publish feeds a `spreadcore feed` process, which ends with the original's
//     counters;
//   - a file that is missing, not JSON, with a bad tick size, an unknown field or market value,
//     grids for the other market, or the flag with another source: exit 2 naming the flag,
//     nothing written.
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/run-cli.js';
import { requireDist, runCliSplit as run, spawnCli, stopAll } from './support/cli-process.js';
import { waitFor } from './support/wait.js';

const SPOT_ETH = join(ROOT, 'test/fixtures/binance/spot_ethusdt_20240808.gz');
const USDM_BTC = join(ROOT, 'test/fixtures/binance/usdm_btcusdt_20240808.gz');
let tmp = '';
const files: Record<string, string> = {};

async function ok(args: string[]): Promise<string> {
  const r = await run(args);
  expect(r.stderr, args.join(' ')).toBe('');
  expect(r.status, args.join(' ')).toBe(0);
  return r.stdout;
}

/** The first `n` lines of a gzipped fixture, and the same with `from` renamed SOLUSDT. */
function renamed(fixture: string, n: number, from: string): { original: string; sol: string } {
  const original = `${gunzipSync(readFileSync(fixture)).toString('utf8').split('\n').slice(0, n).join('\n')}\n`;
  const sol = original.replaceAll(from.toLowerCase(), 'solusdt').replaceAll(from, 'SOLUSDT');
  expect(sol).not.toContain(from);
  return { original, sol };
}

beforeAll(() => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-source-instruments-'));
  const write = (name: string, text: string | Buffer): void => { files[name] = join(tmp, name); writeFileSync(files[name], text); };
  const spot = renamed(SPOT_ETH, 3000, 'ETHUSDT');
  write('eth.txt', spot.original);
  write('sol.gz', gzipSync(spot.sol));
  const usdm = renamed(USDM_BTC, 4000, 'BTCUSDT');
  write('ubtc.txt', usdm.original);
  write('usol.txt', usdm.sol);
  write('grids.json', JSON.stringify({ SOLUSDT: { tick_size: '0.01', lot_size: '0.00001', market: 'spot' }, DOGEUSDT: { tick_size: '0.00001', lot_size: '1' } }));
  write('usdm-grids.json', JSON.stringify({ SOLUSDT: { tick_size: '0.1', lot_size: '0.001', market: 'usdm' } }));
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

/** Each command's arguments around a source (record writes `out`; publish goes to a closed port: it must stop before connecting). */
const COMMANDS: readonly [string, (source: string, out: string) => string[]][] = [
  ['record', (source, out) => ['record', '--source', source, '--out', out]],
  ['replay', (source) => ['replay', '--source', source]],
  ['publish', (source) => ['publish', '--source', source, '--url', 'ws://127.0.0.1:9/feed']],
];

/** The files a test left in the temporary directory, to check nothing was written. */
const listing = (): string[] => readdirSync(tmp).sort();

describe.each(COMMANDS)('spreadcore %s --source binance:FILE of a symbol without built-in grids', (name, argsOf) => {
  it('without --instruments: exit 2 naming the source and saying to pass --instruments; nothing written', async () => {
    const before = listing();
    const out = join(tmp, `${name}-refused.screc`);
    const spot = await run(argsOf(`binance:${files['sol.gz']}`, out));
    expect(spot.status).toBe(2);
    expect(spot.stderr).toContain(`spreadcore ${name}: --source binance:${files['sol.gz']}: unknown Binance spot symbol "SOLUSDT" (known: BTCUSDT, ETHUSDT): `
      + 'give its tick and lot size with --instruments FILE, e.g. {"SOLUSDT": {"tick_size": "0.01", "lot_size": "0.001", "market": "spot"}}');
    expect(spot.stdout).toBe('');
    const usdm = await run(argsOf(`binance:${files['usol.txt']}`, out));
    expect(usdm.status).toBe(2);
    expect(usdm.stderr).toContain('unknown Binance usdm symbol "SOLUSDT" (known: BTCUSDT, ETHUSDT): give its tick and lot size with --instruments FILE');
    expect(listing()).toEqual(before);
  });

  it('grids for the other market: exit 2 saying so', async () => {
    const r = await run([...argsOf(`binance:${files['sol.gz']}`, join(tmp, `${name}-other.screc`)), '--instruments', files['usdm-grids.json']!]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('the grids given for SOLUSDT are for Binance usdm, not spot');
    expect(existsSync(join(tmp, `${name}-other.screc`))).toBe(false);
  });

  it.each(BAD)('%s: exit 2 naming the flag; nothing written', async (file, message) => {
    const before = listing();
    const r = await run([...argsOf(`binance:${files['sol.gz']}`, join(tmp, `${name}-bad.screc`)), '--instruments', files[file]!]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(message);
    expect(r.stderr.split('\n')[0]).toMatch(new RegExp(`^spreadcore ${name}: --instruments `));
    expect(r.stdout).toBe('');
    expect(listing()).toEqual(before);
  });

  it('--instruments with the simulator or a .screc recording: exit 2 saying where it applies', async () => {
    const sim = await run([...argsOf('sim', join(tmp, `${name}-sim.screc`)), '--instruments', files['grids.json']!]);
    expect(sim.status).toBe(2);
    expect(sim.stderr).toContain('--instruments applies to --source binance:FILE only');
    const screc = await run([...argsOf(`screc:${join(tmp, 'any.screc')}`, join(tmp, `${name}-screc.screc`)), '--instruments', files['grids.json']!]);
    expect(screc.status).toBe(2);
    expect(screc.stderr).toContain('--instruments applies to --source binance:FILE only (a .screc recording carries its own instrument definitions)');
    expect(existsSync(join(tmp, `${name}-sim.screc`)) || existsSync(join(tmp, `${name}-screc.screc`))).toBe(false);
  });
});

/** The replay lines of the original recording with its symbol renamed SOLUSDT. */
async function originalBooks(file: string, symbol: string): Promise<string> {
  const out = await ok(['replay', '--source', `binance:${file}`, '--depth', '50']);
  expect(out.split('\n')[0]).toContain(`"symbol":"${symbol}","state":"live"`);
  return out.replaceAll(`"symbol":"${symbol}"`, '"symbol":"SOLUSDT"');
}

describe('with --instruments FILE', () => {
  it('replay: the spot and USD-M books equal the original recordings\'', async () => {
    const spot = await ok(['replay', '--source', `binance:${files['sol.gz']}`, '--depth', '50', '--instruments', files['grids.json']!]);
    expect(spot).toBe(await originalBooks(files['eth.txt']!, 'ETHUSDT'));
    const usdm = await ok(['replay', '--source', `binance:${files['usol.txt']}`, '--depth', '50', '--instruments', files['usdm-grids.json']!]);
    expect(usdm).toBe(await originalBooks(files['ubtc.txt']!, 'BTCUSDT'));
  });

  it('record: a .screc.gz that replays to the same books, without --instruments', async () => {
    const out = join(tmp, 'sol.screc.gz');
    const report = JSON.parse(await ok(['record', '--source', `binance:${files['sol.gz']}`, '--out', out, '--instruments', files['grids.json']!, '--json']));
    expect(report.source).toMatch(/^binance spot SOLUSDT from /);
    expect(report.sourceStats).toMatchObject({ gaps: 0, bookTickerMismatches: 0 });
    expect(report.sourceStats.appliedEvents).toBeGreaterThan(200);
    expect(await ok(['replay', '--source', `screc:${out}`, '--depth', '50'])).toBe(await originalBooks(files['eth.txt']!, 'ETHUSDT'));
  });

  it('publish: a `spreadcore feed` process ends with the original recording\'s book state and counters', async () => {
    const want = JSON.parse((await originalBooks(files['eth.txt']!, 'ETHUSDT')).trim()) as { state: string; counters: object };

    const feed = spawnCli(['feed', '--port', '0', '--status-every-s', '0']);
    let log = '';
    feed.stdout!.on('data', (b: Buffer) => { log += b.toString(); });
    feed.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
    const exited = new Promise<number | null>((resolve) => feed.on('exit', (code) => resolve(code)));
    await waitFor('the feed handler', () => /listening on ws:\/\/127\.0\.0\.1:\d+\/feed/.test(log), 20_000);
    const [, host] = /listening on ws:\/\/(127\.0\.0\.1:\d+)\/feed/.exec(log)!;

    const report = JSON.parse(await ok(['publish', '--source', `binance:${files['sol.gz']}`, '--instruments', files['grids.json']!,
      '--speed', 'max', '--url', `ws://${host}/feed`, '--json']));
    expect(report.source).toMatch(/^binance spot SOLUSDT from /);
    const stats = await (await fetch(`http://${host}/feed/stats`, { signal: AbortSignal.timeout(5000) })).json() as any;
    expect(stats.totals).toMatchObject({ frames: report.frames, framesApplied: report.frames, decodeErrors: 0, internalErrors: 0 });
    expect(stats.ingest.symbols).toHaveLength(1);
    expect(stats.ingest.symbols[0]).toMatchObject({ symbol: 'SOLUSDT', state: want.state, counters: want.counters });
    feed.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 40_000);
});
