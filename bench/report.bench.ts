// Report rendering: what one backtest report costs (its two PNG charts, mid-fills.png with
// a 200,000-point mid and 2,000 fills, equity-drawdown.png with 2 x 50,000 points, and
// report.html with those series and the inline SVGs), and its parts: the SVG from the
// ECharts option, rasterising the SVG to PNG with resvg, the min/max reduction, the
// 1000x500 line chart of 3 x 200,000 points, a 20 x 20 heat map.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/report.bench.js
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';
import {
  m4Indices, renderHeatmapPng, renderHtmlReport, renderLineChartPng, renderLineChartSvg, svgToPng,
  type ChartSeries, type LineChartOptions,
} from '../src/report/index.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const POINTS = 200_000;

function walk(seed: number, t0Ms: number, n = POINTS, stepMs = 50): ChartSeries {
  const r = rng(seed);
  const x = new Float64Array(n);
  const y = new Float64Array(n);
  let v = 60_000;
  for (let i = 0; i < n; i++) {
    x[i] = t0Ms + i * stepMs;
    v += (r() - 0.5) * 5;
    y[i] = v;
  }
  return { name: `walk ${seed}`, x, y };
}

/** The two charts of a backtest report of a 200,000-sample run (see backtest-charts.ts). */
export function backtestSizedCharts(t0: number): { mid: LineChartOptions; equity: LineChartOptions } {
  const r = rng(7);
  const mid = walk(4, t0);
  const buys: [number[], number[]] = [[], []];
  const sells: [number[], number[]] = [[], []];
  for (let k = 0; k < 2000; k++) {
    const i = Math.floor(r() * POINTS);
    const side = k % 2 === 0 ? buys : sells;
    side[0].push(mid.x[i]!);
    side[1].push(mid.y[i]!);
  }
  const eqN = 50_000;
  const ex = new Float64Array(eqN);
  const ey = new Float64Array(eqN);
  const dd = new Float64Array(eqN);
  let e = 0;
  let peak = 0;
  for (let i = 0; i < eqN; i++) {
    ex[i] = t0 + i * 200;
    e += r() - 0.48;
    ey[i] = e;
    peak = Math.max(peak, e);
    dd[i] = e - peak;
  }
  const subtitle = 'queue fills (proportional; feed latency recorded; order 2 / cancel 2 / response 0 ms); fees maker 0 / taker 4 bps; seed 1; '
    + 'parameters: spread_bps=2, order_size=0.001, max_position=0.01, quote_levels=3, level_spacing_bps=1';
  return {
    mid: {
      title: 'BTCUSDT mid and our fills', subtitle, width: 1200, height: 600, xIsTime: true, xLabel: 'exchange time', yLabel: 'price',
      series: [
        { name: 'BTCUSDT mid', color: '#4a4a4a', x: mid.x, y: mid.y },
        { name: 'our buys', color: '#1a9850', x: buys[0], y: buys[1], style: 'points' },
        { name: 'our sells', color: '#d73027', x: sells[0], y: sells[1], style: 'points' },
      ],
    },
    equity: {
      title: 'Equity and drawdown', subtitle, width: 1200, height: 500, xIsTime: true, xLabel: 'exchange time', yLabel: 'quote currency',
      series: [{ name: 'total P&L', x: ex, y: ey }, { name: 'drawdown from peak', x: ex, y: dd }],
    },
  };
}

export async function runReportBench(): Promise<string> {
  const t0 = Date.UTC(2024, 4, 1, 12);
  const series = [walk(1, t0), { ...walk(2, t0), style: 'step' as const }, walk(3, t0)];
  const z = Array.from({ length: 20 }, (_, yi) => Array.from({ length: 20 }, (_, xi) => Math.sin(xi / 3) * Math.cos(yi / 4)));
  const { mid, equity } = backtestSizedCharts(t0);
  const line: LineChartOptions = { title: 'BTCUSDT', xIsTime: true, yLabel: 'USDT', series };
  const lineSvg = renderLineChartSvg(line);

  const bench = new Bench({ name: 'report', time: 3_000, warmupTime: 500 });
  let sink = 0;
  bench.add('backtest report: mid-fills.png + equity-drawdown.png + report.html', () => {
    const a = renderLineChartSvg(mid, 'a');
    const b = renderLineChartSvg(equity, 'b');
    sink += svgToPng(a).length + svgToPng(b).length;
    sink += renderHtmlReport({
      title: 'report', summary: [],
      charts: [{ title: 'mid', xIsTime: true, series: mid.series }, { title: 'equity', xIsTime: true, series: equity.series }],
      images: [{ title: 'mid-fills.png', svg: a }, { title: 'equity-drawdown.png', svg: b }],
    }).length;
  });
  bench.add('renderLineChartPng 1000x500, 3 x 200,000 points', () => {
    sink += renderLineChartPng(line).length;
  });
  bench.add('  of which the SVG (option + ECharts SSR)', () => {
    sink += renderLineChartSvg(line).length;
  });
  bench.add('  of which SVG to PNG (resvg)', () => {
    sink += svgToPng(lineSvg).length;
  });
  bench.add('min/max reduction of one 200,000-point series to 1,000 columns', () => {
    const s = series[0]!;
    sink += m4Indices(s.x, s.y, 1000, s.x[0]!, s.x[POINTS - 1]!).length;
  });
  bench.add('renderHeatmapPng 900x600, 20 x 20 cells', () => {
    sink += renderHeatmapPng({ title: 'sweep', xName: 'a', yName: 'b', zName: 'c', xValues: z.map((_, i) => i), yValues: z.map((_, i) => i), z }).length;
  });
  bench.add('renderHtmlReport, one chart of 3 x 200,000 points', () => {
    sink += renderHtmlReport({ title: 'report', summary: [], charts: [{ title: 'mid', xIsTime: true, series }] }).length;
  });
  await bench.run();
  if (sink < 0) throw new Error('unreachable');

  const rows = ['report rendering (per call)', '', '| case | ms mean | ms p50 | ms p99 | calls/s |', '|---|---:|---:|---:|---:|'];
  for (const task of bench.tasks) {
    const res = task.result;
    if (res.state !== 'completed') {
      rows.push(`| ${task.name} | ${res.state} | | | |`);
      continue;
    }
    rows.push(`| ${task.name} | ${res.latency.mean.toFixed(2)} | ${res.latency.p50!.toFixed(2)} | ${res.latency.p99!.toFixed(2)} | ${(1000 / res.latency.mean).toFixed(1)} |`);
  }
  return rows.join('\n');
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  console.log(await runReportBench());
}
