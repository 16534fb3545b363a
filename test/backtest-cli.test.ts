// `spreadcore backtest` end to end (the compiled CLI): --json is seed 000's metrics
// shape plus the curves, the default output is a readable table, --report writes
// the HTML (with the charts as inline SVG), the PNGs (those SVGs rasterised) and the JSON. Bad flags exit 2, bad params files and recordings
// exit 1 with a coded one-line error naming the field or file, and write nothing.
import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { svgToPng } from '../src/report/index.js';
import { decodePng, findPixels } from './report-png-reader.js';
import { ROOT, spreadcore } from './support/run-cli.js';

const DATA = join(ROOT, 'test/fixtures/binance/spot_ethusdt_20240808.gz');
const PARAMS = {
  symbols: ['ETHUSDT'],
  parameters: { spread_bps: 2, order_size: 0.01, max_position: 0.1, quote_levels: 2, level_spacing_bps: 1, requote_threshold_price: 0.01, quote_refresh_ms: 100 },
  maker_fee_bps: 0,
  duration_s: 120,
};

let dir = '';
function file(name: string, content: string | Buffer): string {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
}

describe('spreadcore backtest', () => {
  beforeAll(() => {
    if (!existsSync(join(ROOT, 'dist/src/cli/main.js'))) throw new Error('dist is missing: run "npm run build" first (npm test does it)');
    dir = mkdtempSync(join(tmpdir(), 'bt-cli-'));
  });

  it('--json prints seed 000\'s metrics fields with the objectives, curves, fills and markouts', async () => {
    const r = await spreadcore(['backtest', '--data', DATA, '--params', file('p.json', JSON.stringify(PARAMS)), '--json'], '');
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    expect(r.stdout.endsWith('\n')).toBe(true);
    expect(r.stdout.trimEnd().includes('\n')).toBe(false);
    const j = JSON.parse(r.stdout);
    expect(Object.keys(j).slice(0, 6)).toEqual(['strategy_id', 'uptime_seconds', 'performance', 'inventory', 'quoting', 'risk']);
    expect(Object.keys(j.performance)).toEqual(['total_trades', 'buy_fills', 'sell_fills', 'round_trips', 'gross_profit', 'fees_paid', 'net_profit', 'profit_per_round_trip']);
    expect(Object.keys(j.inventory)).toEqual(['current_position', 'max_position_reached', 'avg_holding_time_seconds']);
    expect(Object.keys(j.quoting)).toEqual(['quote_updates', 'time_at_best_bid_pct', 'time_at_best_ask_pct', 'fill_rate_pct']);
    expect(Object.keys(j.risk)).toEqual(['max_drawdown', 'volatility_pauses', 'adverse_selection_events']);
    expect(j.strategy_id).toBe('backtest');
    expect(j.performance.total_trades).toBeGreaterThan(0);
    expect(Object.keys(j.objectives)).toEqual(['net_pnl', 'sharpe', 'sharpe_interval_s', 'sharpe_samples', 'sharpe_note', 'max_drawdown', 'fill_rate', 'fills', 'events']);
    expect(j.objectives.sharpe).toBe(null); // a few minutes: fewer than 30 one-minute buckets
    expect(j.objectives.sharpe_note).toMatch(/fewer than the 30/);
    expect(j.curves.equity.t_ms.length).toBe(j.curves.equity.values.length);
    expect(j.curves.inventory.ETHUSDT.values.length).toBe(j.fills.length + 2);
    expect(j.markouts.ETHUSDT).toHaveLength(3);
    expect(j.data.duration_seconds).toBeLessThanOrEqual(120);
    expect(j.config).toMatchObject({ fill_model: 'queue', maker_fee_bps: 0, order_latency_ms: 2 });
  });

  it('prints a readable table without --json, and no progress bar when stderr is not a terminal', async () => {
    const r = await spreadcore(['backtest', '--data', DATA, '--params', file('p2.json', JSON.stringify(PARAMS))], '');
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/^backtest backtest on ETHUSDT: Binance spot recording, 2024-08-08 23:54:14 → /);
    for (const section of ['performance', 'inventory', 'quoting', 'risk', 'markouts']) expect(r.stdout).toMatch(new RegExp(`^${section}`, 'm'));
    expect(r.stdout).toMatch(/^ {2}fills \(buy \/ sell\) +\d+ \(\d+ \/ \d+\)$/m);
  });

  it('--report writes report.html, mid-fills.png, equity-drawdown.png and result.json (the --json document)', async () => {
    const out = join(dir, 'report');
    const params = file('p3.json', JSON.stringify(PARAMS));
    const r = await spreadcore(['backtest', '--data', DATA, '--params', params, '--report', out, '--json'], '');
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/wrote .*result\.json, .*mid-fills\.png, .*equity-drawdown\.png, .*report\.html/);
    expect(readdirSync(out).sort()).toEqual(['equity-drawdown.png', 'mid-fills.png', 'report.html', 'result.json']);
    expect(readFileSync(join(out, 'result.json'), 'utf8')).toBe(r.stdout);
    const png = readFileSync(join(out, 'mid-fills.png'));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.readUInt32BE(16)).toBe(1200); // IHDR width
    const html = readFileSync(join(out, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!doctype html>/i);
    expect(html).toContain('Backtest backtest: ETHUSDT');
    // every setting is listed: the fill model's and each strategy parameter
    for (const k of ['queue_model', 'feed_latency', 'response_latency_ms', 'order_latency_file', 'spread_bps', 'max_position']) expect(html).toContain(k);
    expect(html).not.toMatch(/<script[^>]+src=/); // self-contained

    // each PNG is the SVG the page inlines, rasterised: one chart definition for both
    const result = JSON.parse(r.stdout) as { curves: { equity: { t_ms: number[]; values: number[] } }; objectives: { max_drawdown: number; net_pnl: number } };
    const svgs = [...html.matchAll(/<figure class="svg-chart"><figcaption>([^<]*)<\/figcaption>(<svg[\s\S]*?<\/svg>)<\/figure>/g)];
    expect(svgs.map((m) => m[1]!.split(':')[0])).toEqual(['mid-fills.png', 'equity-drawdown.png']);
    const charts = [
      { file: 'mid-fills.png', h: 600, svg: svgs[0]![2]!, colours: [[0x4a, 0x4a, 0x4a], [0x1a, 0x98, 0x50], [0xd7, 0x30, 0x27]], text: ['ETHUSDT mid', 'our buys', 'our sells'] },
      { file: 'equity-drawdown.png', h: 500, svg: svgs[1]![2]!, colours: [[0x21, 0x66, 0xac], [0xb2, 0x18, 0x2b]], text: ['total P&amp;L', 'drawdown from peak'] },
    ];
    for (const c of charts) {
      const bytes = readFileSync(join(out, c.file));
      expect(svgToPng(c.svg).equals(bytes)).toBe(true);
      const img = decodePng(bytes);
      expect([img.width, img.height]).toEqual([1200, c.h]);
      // real content: each series colour drawn, and far from a blank image
      for (const rgb of c.colours) expect(findPixels(img, rgb as [number, number, number], 24).length, `${c.file} ${rgb}`).toBeGreaterThan(20);
      const colours = new Set<number>();
      for (let i = 0; i < img.rgba.length; i += 4) colours.add((img.rgba[i]! << 16) | (img.rgba[i + 1]! << 8) | img.rgba[i + 2]!);
      expect(colours.size).toBeGreaterThan(50);
      // the settings are under the title of each chart
      for (const t of [...c.text, 'queue fills (proportional', 'spread_bps=2', 'max_position=0.1']) expect(c.svg).toContain(t);
    }
    // the equity and drawdown series of the page are the result's: equity as sampled, drawdown from its running peak
    const data = JSON.parse(/<script type="application\/json" id="report-data">([\s\S]*?)<\/script>/.exec(html)![1]!) as { charts: { series: { name: string; x: number[]; y: number[] }[] }[] };
    const eqChart = data.charts.find((ch) => ch.series.some((s) => s.name === 'drawdown from peak'))!;
    const eq = result.curves.equity;
    expect(eqChart.series[0]!.x).toEqual(eq.t_ms);
    expect(eqChart.series[0]!.y).toEqual(eq.values);
    let peak = 0;
    const dd = eq.values.map((v) => { peak = Math.max(peak, v); return v - peak; });
    eqChart.series[1]!.y.forEach((v, i) => expect(v).toBeCloseTo(dd[i]!, 8));
    expect(eq.values[eq.values.length - 1]).toBeCloseTo(result.objectives.net_pnl, 8);
    expect(-Math.min(...eqChart.series[1]!.y)).toBeCloseTo(result.objectives.max_drawdown, 8);
    expect(html).toContain(`max drawdown ${result.objectives.max_drawdown.toFixed(4)}`);

    // the same run in another process writes the same bytes, charts included
    const again = join(dir, 'report-again');
    const r2 = await spreadcore(['backtest', '--data', DATA, '--params', params, '--report', again, '--json'], '');
    expect(r2.status).toBe(0);
    for (const f of ['result.json', 'mid-fills.png', 'equity-drawdown.png', 'report.html']) {
      expect(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), f).toBe(true);
    }
  });

  it.each([
    [['--params', 'x.json'], /--data FILE is required/],
    [['--data', 'x.gz'], /--params FILE is required/],
    [['--data', 'x.gz', '--params', 'p.json', '--seed', 'abc'], /--seed must be an integer, got "abc"/],
    [['--data', 'x.gz', '--params', 'p.json', '--speed', '2'], /unknown flag --speed/],
    [['--data', 'x.gz', '--params', 'p.json', 'extra'], /unexpected argument "extra"/],
  ])('usage error %j: exit 2', async (args, message) => {
    const r = await spreadcore(['backtest', ...args], '');
    expect(r.status).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
  });

  it.each([
    ['an unknown field', { ...PARAMS, fill_modle: 'naive' }, /p-bad\.json: params file: unknown field "fill_modle" .*\(SPREADCORE_ERR_BAD_INPUT\)/],
    ['a bad parameter', { ...PARAMS, parameters: { ...PARAMS.parameters, spread_bps: -1 } }, /spread_bps.*\(SPREADCORE_ERR_BAD_PARAM\)/],
    ['an unknown parameter', { ...PARAMS, parameters: { ...PARAMS.parameters, sprad_bps: 1 } }, /sprad_bps.*\(SPREADCORE_ERR_BAD_PARAM\)/],
    ['a symbol the recording does not carry', { ...PARAMS, symbols: ['XRPUSDT'] }, /the recording carries ETHUSDT only, not XRPUSDT .*\(SPREADCORE_ERR_UNKNOWN_SYMBOL\)/],
    ['a bad fill model', { ...PARAMS, fill_model: 'magic' }, /fill_model must be "queue" or "naive", got "magic"/],
    ['an order size off the lot grid', { ...PARAMS, parameters: { ...PARAMS.parameters, order_size: 0.000001 } }, /order_size.*\(SPREADCORE_ERR_BAD_PARAM\)/],
  ])('params file with %s: exit 1, one line naming it, nothing written', async (_name, params, message) => {
    const out = join(dir, `no-report-${Math.random().toString(36).slice(2)}`);
    const r = await spreadcore(['backtest', '--data', DATA, '--params', file('p-bad.json', JSON.stringify(params)), '--report', out, '--json'], '');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(existsSync(out)).toBe(false);
  });

  it.each([
    ['a missing params file', () => ['--data', DATA, '--params', join(dir, 'nope.json')], /cannot read the params file .*nope\.json: no such file \(SPREADCORE_ERR_IO\)/],
    ['a params file that is not JSON', () => ['--data', DATA, '--params', file('bad.json', '{"symbols": [')], /params file .*bad\.json is not valid JSON/],
    ['a missing recording', () => ['--data', join(dir, 'nope.gz'), '--params', file('p4.json', JSON.stringify(PARAMS))], /cannot read the recording .*nope\.gz: no such file \(SPREADCORE_ERR_IO\)/],
    ['a directory as recording', () => ['--data', dir, '--params', file('p5.json', JSON.stringify(PARAMS))], /cannot read the recording .*: it is a directory/],
    ['an unreadable recording', () => ['--data', file('junk.gz', Buffer.from([0x1f, 0x8b, 1, 2, 3, 4, 5])), '--params', file('p6.json', JSON.stringify(PARAMS))], /the recording is not valid gzip data .*\(SPREADCORE_ERR_BAD_RECORDING\)/],
    ['text that is no recording', () => ['--data', file('notes.txt', 'just some notes\n'), '--params', file('p7.json', JSON.stringify(PARAMS))], /neither a spreadcore recording nor Binance .*\(SPREADCORE_ERR_BAD_RECORDING\)/],
  ])('%s: exit 1, nothing written', async (_name, args, message) => {
    const out = join(dir, `no-report-${Math.random().toString(36).slice(2)}`);
    const r = await spreadcore(['backtest', ...args(), '--report', out], '');
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(message);
    expect(existsSync(out)).toBe(false);
  });

  it('is listed in the help', async () => {
    const r = await spreadcore(['--help'], '');
    expect(r.stdout).toMatch(/^ {2}backtest +replay a recording through the strategy/m);
    const h = await spreadcore(['backtest', '--help'], '');
    expect(h.status).toBe(0);
    expect(h.stdout).toMatch(/^Usage: spreadcore backtest --data FILE --params FILE/);
  });
});
