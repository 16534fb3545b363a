// A grid coarser than the recording: --instruments gives tick_size 1 for a recording whose
// prices have cents (a real one, the first 3,000 lines of the spot ETHUSDT fixture with its
// symbol renamed SOLUSDT). The book refuses every snapshot, so nothing of the depth is
// applied. Each command says so once, in one line naming the symbol, the grid, an offending
// price and --instruments:
//   - replay: exit 1, no book printed;
//   - record: exit 1, no file written (an existing file under --force is left as it was);
//   - publish: a warning as soon as it happens; exit 0 (the frames are already sent);
//   - serve --market replay:FILE: a warning on its output, and GET /api/health counts the
//     refused depth per symbol and carries the warning.
// With one level off the grid in the middle of the recording (the rest applied), replay and
// record give their output and the line as a warning (exit 0).
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from './support/run-cli.js';
import { requireDist, runCliSplit as run, spawnCli, stopAll } from './support/cli-process.js';
import { waitFor } from './support/wait.js';

const ETH = join(ROOT, 'test/fixtures/binance/spot_ethusdt_20240808.gz');
let tmp = '';
let sol = '';
let coarse = '';
let fine = '';
let partial = '';

/** The one line about the grid: the symbol, the grid, the first refused price, and what to do. */
const GRID_LINE = /SOLUSDT: the data is not on the grid tick_size 1, lot_size 0\.00001 \(SOLUSDT spot snapshot lastUpdateId=\d+: bid level 0 price \d+\.\d*[1-9]\d* is not a whole multiple of 1\), so the book refuses its depth and stays empty: fix the grid of SOLUSDT with --instruments FILE/;

/** How many lines of `text` carry the grid message. */
const gridLines = (text: string): number => text.split('\n').filter((l) => GRID_LINE.test(l)).length;

beforeAll(() => {
  requireDist();
  tmp = mkdtempSync(join(tmpdir(), 'spreadcore-off-grid-'));
  const text = `${gunzipSync(readFileSync(ETH)).toString('utf8').split('\n').slice(0, 3000).join('\n')}\n`;
  sol = join(tmp, 'sol.txt');
  writeFileSync(sol, text.replaceAll('ethusdt', 'solusdt').replaceAll('ETHUSDT', 'SOLUSDT'));
  // the first depth event after line 1,500 with its first bid price one digit longer (off the 0.01 grid)
  const lines = readFileSync(sol, 'utf8').split('\n');
  const at = lines.findIndex((l, i) => i >= 1500 && l.includes('"e":"depthUpdate"'));
  const bent = lines[at]!.replace(/"b":\[\["(\d+\.\d+)"/, '"b":[["$11"');
  expect(bent).not.toBe(lines[at]);
  lines[at] = bent;
  partial = join(tmp, 'partial.txt');
  writeFileSync(partial, lines.join('\n'));
  coarse = join(tmp, 'coarse.json');
  writeFileSync(coarse, JSON.stringify({ SOLUSDT: { tick_size: '1', lot_size: '0.00001', market: 'spot' } }));
  fine = join(tmp, 'fine.json');
  writeFileSync(fine, JSON.stringify({ SOLUSDT: { tick_size: '0.01', lot_size: '0.00001', market: 'spot' } }));
});
afterEach(() => { stopAll(); });
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('a grid coarser than the recording', () => {
  it('replay: exit 1 with the one line; no book printed', async () => {
    const r = await run(['replay', '--source', `binance:${sol}`, '--instruments', coarse]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^spreadcore replay: ${GRID_LINE.source}.*\\(SPREADCORE_ERR_OFF_GRID\\)\\n$`));
    // the right grid: the book, no warning
    const ok = await run(['replay', '--source', `binance:${sol}`, '--instruments', fine]);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stderr).toBe('');
    expect(ok.stdout).toContain('"symbol":"SOLUSDT","state":"live"');
  });

  it('record: exit 1 with the one line; no file, and a file --force would replace is kept', async () => {
    const before = readdirSync(tmp).sort();
    const out = join(tmp, 'coarse.screc');
    const r = await run(['record', '--source', `binance:${sol}`, '--instruments', coarse, '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^spreadcore record: ${GRID_LINE.source}.*; nothing written to \\S*coarse\\.screc \\(SPREADCORE_ERR_OFF_GRID\\)\\n$`));
    expect(readdirSync(tmp).sort()).toEqual(before);

    const kept = join(tmp, 'kept.screc');
    writeFileSync(kept, 'earlier');
    const forced = await run(['record', '--source', `binance:${sol}`, '--instruments', coarse, '--out', kept, '--force']);
    expect(forced.status).toBe(1);
    expect(gridLines(forced.stderr)).toBe(1);
    expect(readFileSync(kept, 'utf8')).toBe('earlier');
    expect(existsSync(`${kept}.partial`)).toBe(false);
    rmSync(kept);
  });

  it('publish: one warning line as it happens; the frames are sent (exit 0)', async () => {
    const feed = spawnCli(['feed', '--port', '0', '--status-every-s', '0']);
    let log = '';
    feed.stdout!.on('data', (b: Buffer) => { log += b.toString(); });
    feed.stderr!.on('data', (b: Buffer) => { log += b.toString(); });
    await waitFor('the feed handler', () => /listening on ws:\/\/127\.0\.0\.1:\d+\/feed/.test(log), 20_000);
    const [, host] = /listening on ws:\/\/(127\.0\.0\.1:\d+)\/feed/.exec(log)!;
    const r = await run(['publish', '--source', `binance:${sol}`, '--instruments', coarse, '--speed', 'max', '--url', `ws://${host}/feed`]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^published \d+ frames/);
    expect(r.stderr).toMatch(new RegExp(`^spreadcore publish: warning: ${GRID_LINE.source}.*\\n$`));
    expect(gridLines(r.stderr)).toBe(1);
    feed.kill('SIGTERM');
  }, 40_000);

  it('serve --market replay:FILE: one warning line; GET /api/health counts the refused depth and carries the warning', async () => {
    const dataDir = mkdtempSync(join(tmp, 'serve-'));
    const child = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--market', `replay:${sol}`, '--speed', 'max', '--instruments', coarse]);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code: number | null) => resolve(code)));
    await waitFor('the end of the recording', () => /the recording ended after 3000 messages/.test(out), 20_000);
    expect(out).toMatch(new RegExp(`spreadcore serve: market: warning: ${GRID_LINE.source}`));
    expect(gridLines(out)).toBe(1);
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out)![1]!;
    const health = await (await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) })).json() as any;
    expect(health).toMatchObject({ market: 'replay', market_state: 'ended', symbols: ['SOLUSDT'] });
    expect(health.refused_depth.SOLUSDT).toBeGreaterThan(0);
    expect(health.market_warnings).toHaveLength(1);
    expect(health.market_warnings[0]).toMatch(GRID_LINE);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 40_000);

  it('one level off the grid: replay and record give their output and the line as a warning', async () => {
    const warning = /^spreadcore (replay|record): warning: SOLUSDT: the data is not on the grid tick_size 0\.01, lot_size 0\.00001 \(SOLUSDT spot depth event u=\d+: bid level 0 price \d+\.\d+1 is not a whole multiple of 0\.01\), so the book refuses its depth: fix the grid of SOLUSDT with --instruments FILE/;
    const r = await run(['replay', '--source', `binance:${partial}`, '--instruments', fine]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('"symbol":"SOLUSDT"');
    expect(r.stderr.split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(warning)]);
    const out = join(tmp, 'partial.screc');
    const rec = await run(['record', '--source', `binance:${partial}`, '--instruments', fine, '--out', out, '--json']);
    expect(rec.status, rec.stderr).toBe(0);
    expect(rec.stderr.split('\n').filter((l) => l !== '')).toEqual([expect.stringMatching(warning)]);
    expect(JSON.parse(rec.stdout).sourceStats.offGridRefused).toBe(1);
    expect(existsSync(out)).toBe(true);
  });

  it('serve with the right grid: no refused depth, no warning', async () => {
    const dataDir = mkdtempSync(join(tmp, 'serve-fine-'));
    const child = spawnCli(['serve', '--port', '0', '--data-dir', dataDir, '--market', `replay:${sol}`, '--speed', 'max', '--instruments', fine]);
    let out = '';
    child.stdout!.on('data', (b: Buffer) => { out += b.toString(); });
    child.stderr!.on('data', (b: Buffer) => { out += b.toString(); });
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code: number | null) => resolve(code)));
    await waitFor('the end of the recording', () => /the recording ended after 3000 messages/.test(out), 20_000);
    expect(out).not.toContain('warning');
    const base = /listening on (http:\/\/127\.0\.0\.1:\d+)\/api/.exec(out)![1]!;
    const health = await (await fetch(`${base}/api/health`, { signal: AbortSignal.timeout(5000) })).json() as any;
    expect(health.refused_depth).toEqual({ SOLUSDT: 0 });
    expect(health.market_warnings).toBeUndefined();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  }, 40_000);
});
