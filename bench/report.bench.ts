// Report rendering: the PNG line chart at its default size with 3 series of 200,000 points
// (the size a backtest produces), the parts of it (min/max reduction, PNG encoding), a
// 20 x 20 heat map, and the HTML report with the same series.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/report.bench.js
import { Bench } from 'tinybench';
import { pathToFileURL } from 'node:url';
import { encodePng, m4Indices, renderHeatmapPng, renderHtmlReport, renderLineChartPng, type ChartSeries } from '../src/report/index.js';
import { mulberry32 as rng } from '../src/numeric/mulberry32.js';

const POINTS = 200_000;

function walk(seed: number, t0Ms: number): ChartSeries {
  const r = rng(seed);
  const x = new Float64Array(POINTS);
  const y = new Float64Array(POINTS);
  let v = 60_000;
  for (let i = 0; i < POINTS; i++) {
    x[i] = t0Ms + i * 50;
    v += (r() - 0.5) * 5;
    y[i] = v;
  }
  return { name: `walk ${seed}`, x, y };
}

export async function runReportBench(): Promise<string> {
  const t0 = Date.UTC(2024, 4, 1, 12);
  const series = [walk(1, t0), { ...walk(2, t0), style: 'step' as const }, walk(3, t0)];
  const z = Array.from({ length: 20 }, (_, yi) => Array.from({ length: 20 }, (_, xi) => Math.sin(xi / 3) * Math.cos(yi / 4)));
  const rgba = new Uint8Array(1000 * 500 * 4).fill(255);

  const bench = new Bench({ name: 'report', time: 2_000, warmupTime: 300 });
  let sink = 0;
  bench.add('renderLineChartPng 1000x500, 3 x 200,000 points', () => {
    sink += renderLineChartPng({ title: 'BTCUSDT', xIsTime: true, yLabel: 'USDT', series }).length;
  });
  bench.add('min/max reduction of one 200,000-point series to 1,000 columns', () => {
    const s = series[0]!;
    sink += m4Indices(s.x, s.y, 1000, s.x[0]!, s.x[POINTS - 1]!).length;
  });
  bench.add('encodePng 1000x500 (blank)', () => {
    sink += encodePng({ width: 1000, height: 500, rgba }).length;
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
