// Line charts: one ECharts option drawn as SVG and rasterised to PNG. The PNG is checked
// with the independent reader (report-png-reader.ts): a real PNG of the requested size,
// white background, the series drawn in their colours at the right place, text set in the
// shipped font; the SVG carries the title, legend and axis names; the option carries the
// data (reduced per pixel column for long series, gaps where values are not finite).
import { describe, expect, it } from 'vitest';
import {
  lineChartOption, renderLineChartPng, renderLineChartSvg, svgToPng, type ChartSeries, type LineChartOptions,
} from '../src/report/index.js';
import { decodePng, findPixels, pixel, type DecodedPng } from './report-png-reader.js';
import { spreadcoreErrorOf } from './support/thrown.js';

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function range(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** Distinct colours in the image (quantised to 5 bits a channel) and the variance of its luma. */
function content(png: DecodedPng): { colours: number; lumaVariance: number } {
  const seen = new Set<number>();
  let sum = 0;
  let sum2 = 0;
  const n = png.width * png.height;
  for (let p = 0; p < n; p++) {
    const r = png.rgba[p * 4]!;
    const g = png.rgba[p * 4 + 1]!;
    const b = png.rgba[p * 4 + 2]!;
    seen.add(((r >> 3) << 10) | ((g >> 3) << 5) | (b >> 3));
    const l = 0.299 * r + 0.587 * g + 0.114 * b;
    sum += l;
    sum2 += l * l;
  }
  return { colours: seen.size, lumaVariance: sum2 / n - (sum / n) ** 2 };
}

/** Data of series i of the option, as [x, y] pairs. */
function optionData(o: ReturnType<typeof lineChartOption>, i: number): [number, number | null][] {
  return ((o.series as { data: [number, number | null][] }[])[i]!).data;
}

describe('line charts (ECharts option → SVG → PNG)', () => {
  const diagonal: LineChartOptions = {
    title: 'Diagonal',
    xLabel: 'x',
    yLabel: 'y',
    series: [{ name: 'y = x', color: '#ff0000', x: range(101, (i) => i), y: range(101, (i) => i) }],
  };

  it('is a real PNG of the requested size with a white background and a red diagonal in the right place', () => {
    const bytes = renderLineChartPng(diagonal);
    expect([...bytes.subarray(0, 8)]).toEqual(PNG_SIGNATURE);
    const png = decodePng(bytes);
    expect([png.width, png.height, png.bitDepth]).toEqual([1000, 500, 8]);
    expect(pixel(png, 0, 0)).toEqual([255, 255, 255]);
    expect(pixel(png, png.width - 1, png.height - 1)).toEqual([255, 255, 255]);
    const c = content(png);
    expect(c.colours).toBeGreaterThan(20); // anti-aliased text, grid, line
    expect(c.lumaVariance).toBeGreaterThan(50);
    // the line: strongly red pixels, rising from bottom left to top right
    const red = findPixels(png, [255, 0, 0], 40);
    expect(red.length).toBeGreaterThan(500);
    const left = red.filter((p) => p.x < 400);
    const right = red.filter((p) => p.x > 700);
    const meanY = (ps: { y: number }[]): number => ps.reduce((s, p) => s + p.y, 0) / ps.length;
    expect(meanY(left)).toBeGreaterThan(meanY(right) + 100);
    // text (title, ticks, axis names) in the dark grey of the theme, anti-aliased by the shipped font
    const ink = findPixels(png, [34, 34, 34], 30, { x0: 0, y0: 0, x1: png.width, y1: 40 });
    expect(ink.length).toBeGreaterThan(100);
    const xs = ink.map((p) => p.x);
    expect(Math.abs((Math.min(...xs) + Math.max(...xs)) / 2 - png.width / 2)).toBeLessThan(10);
  });

  it('honours the requested size and the PNG is the SVG rasterised, byte for byte, every time', () => {
    const o: LineChartOptions = { ...diagonal, width: 480, height: 260 };
    const svg = renderLineChartSvg(o);
    expect(svg).toMatch(/^<svg width="480" height="260"/);
    const png = renderLineChartPng(o);
    expect(decodePng(png).width).toBe(480);
    expect(decodePng(png).height).toBe(260);
    expect(svgToPng(svg).equals(png)).toBe(true);
    // ids are renamed in order, so a later render in the same process gives the same bytes
    expect(renderLineChartSvg(o)).toBe(svg);
    expect(renderLineChartPng(o).equals(png)).toBe(true);
    expect(svg).not.toMatch(/zr\d+-/);
    expect(renderLineChartSvg(o, 'other')).toContain('other0');
  });

  it('the SVG names the title, subtitle, every series, the axes and the UTC date', () => {
    const t0 = Date.UTC(2024, 4, 1, 12);
    const svg = renderLineChartSvg({
      title: 'BTCUSDT mid and our fills',
      subtitle: 'queue fills; parameters: spread_bps=2, max_position=0.01',
      xIsTime: true,
      xLabel: 'exchange time',
      yLabel: 'price',
      series: [
        { name: 'BTCUSDT mid', x: range(100, (i) => t0 + i * 1000), y: range(100, (i) => 60_000 + i) },
        { name: 'our buys & sells', x: [t0 + 5000], y: [60_005], style: 'points' },
        { name: 'position', x: [t0, t0 + 50_000], y: [0, 1], style: 'step' },
      ],
    });
    for (const text of ['BTCUSDT mid and our fills', 'spread_bps=2, max_position=0.01', 'BTCUSDT mid', 'our buys &amp; sells', 'position', 'price', 'exchange time (UTC, 2024-05-01)', '12:01']) {
      expect(svg).toContain(text);
    }
    expect(svg).toContain('DejaVu Sans');
  });

  it('puts the data in the option: short series as given, non-finite values as gaps', () => {
    const o = lineChartOption({ title: 'g', series: [{ name: 'g', x: [1, 2, 3, 4, 5], y: [1, 2, NaN, 4, 5] }] });
    const d = optionData(o, 0);
    expect(d.filter(([, y]) => y !== null)).toEqual([[1, 1], [2, 2], [4, 4], [5, 5]]);
    expect(d.some(([x, y]) => y === null && x > 2 && x < 4)).toBe(true);
    expect(((o.series as { connectNulls?: boolean }[])[0]!).connectNulls).toBe(false);
  });

  it('reduces a 200,000-point series to at most four points per pixel column and keeps its extremes', () => {
    const n = 200_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i;
      y[i] = Math.sin(i / 5000);
    }
    y[123_457] = 50; // a spike
    y[77_777] = -40;
    const s: ChartSeries = { name: 'big', x, y };
    const o = lineChartOption({ title: 'big', series: [s] });
    const d = optionData(o, 0);
    expect(d.length).toBeLessThanOrEqual(4 * 1000);
    expect(d.length).toBeGreaterThan(1000);
    expect(d).toContainEqual([123_457, 50]);
    expect(d).toContainEqual([77_777, -40]);
    expect(d[0]).toEqual([0, 0]);
    expect(d[d.length - 1]![0]).toBe(n - 1);
    // the spike reaches the top of the plot in the PNG
    const png = decodePng(renderLineChartPng({ title: 'big', width: 600, height: 300, series: [{ ...s, color: '#0000ff' }] }));
    const blue = findPixels(png, [0, 0, 255], 60);
    expect(Math.min(...blue.map((p) => p.y))).toBeLessThan(120);
  });

  it('draws axes and says "no data" for no series, empty series and all-non-finite series', () => {
    for (const series of [[], [{ name: 'e', x: [], y: [] }], [{ name: 'n', x: [1, 2], y: [NaN, Infinity] }]] as ChartSeries[][]) {
      const svg = renderLineChartSvg({ title: 'empty', width: 400, height: 240, series });
      expect(svg).toContain('no data');
      const png = decodePng(svgToPng(svg));
      expect([png.width, png.height]).toEqual([400, 240]);
    }
  });

  it('labels a tick at midnight UTC with the date, not the day of the month alone', () => {
    // 23:54 → 00:01 UTC across 2024-08-08/09, as the bundled recordings end
    const t0 = Date.UTC(2024, 7, 8, 23, 54);
    const x = range(8, (i) => t0 + i * 60_000);
    const svg = renderLineChartSvg({ title: 'across midnight', xIsTime: true, series: [{ name: 'mid', x, y: x.map((_, i) => i) }], width: 1200, height: 500 });
    const labels = [...svg.matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
    expect(labels).toContain('08-09');
    expect(labels).toContain('23:55');
    expect(labels).not.toContain('9');
  });

  it('gives a single instant on a time axis one second either side', () => {
    const t = Date.UTC(2024, 0, 2, 3, 4, 5);
    const o = lineChartOption({ title: 'one', xIsTime: true, series: [{ name: 'p', x: [t], y: [1] }] });
    expect(o.xAxis).toMatchObject({ type: 'time', min: t - 1000, max: t + 1000 });
    expect(o.useUTC).toBe(true);
  });

  it('survives huge, tiny and equal values, typed arrays, unsorted x and many series', () => {
    const series: ChartSeries[] = [
      { name: 'huge', x: [0, 1, 2], y: [1e300, -1e300, 5] },
      { name: 'tiny', x: new Float32Array([0, 1, 2]), y: new Float64Array([1e-300, 2e-300, 0]) },
      { name: 'flat', x: [2, 0, 1], y: [7, 7, 7] },
      ...Array.from({ length: 12 }, (_, i): ChartSeries => ({ name: `s${i}`, x: [0, 1], y: [i, i + 1] })),
    ];
    const png = decodePng(renderLineChartPng({ title: 'edge', width: 600, height: 300, series }));
    expect([png.width, png.height]).toEqual([600, 300]);
  });

  it('rejects bad options with SPREADCORE_ERR_BAD_CHART naming the field and value', () => {
    const s = [{ name: 'a', x: [1, 2], y: [1, 2] }];
    const cases: [() => unknown, RegExp][] = [
      [() => renderLineChartPng(null as never), /chart options must be an object/],
      [() => renderLineChartPng({ title: 5 as never, series: s }), /title must be a string, got 5/],
      [() => renderLineChartPng({ title: 't', subtitle: 5 as never, series: s }), /subtitle must be a string, got 5/],
      [() => renderLineChartPng({ title: 't', width: 50, series: s }), /width must be an integer .* got 50/],
      [() => renderLineChartPng({ title: 't', height: 1e6, series: s }), /height must be an integer .* got 1000000/],
      [() => renderLineChartPng({ title: 't', series: 'x' as never }), /series must be an array/],
      [() => renderLineChartPng({ title: 't', series: [{ name: 'a', x: [1], y: [1, 2] }] }), /series\[0\]: x has 1 values but y has 2/],
      [() => renderLineChartPng({ title: 't', series: [{ name: 'a', color: 'red', x: [1], y: [1] }] }), /series\[0\]\.color "red"/],
      [() => renderLineChartPng({ title: 't', series: [{ name: 'a', style: 'bar' as never, x: [1], y: [1] }] }), /series\[0\]\.style .* got "bar"/],
      [() => renderLineChartPng({ title: 't', series: [{ name: 1 as never, x: [1], y: [1] }] }), /series\[0\]\.name must be a string/],
      [() => renderLineChartPng({ title: 't', series: [{ name: 'a', x: 5 as never, y: [1] }] }), /series\[0\]\.x must be an array/],
    ];
    for (const [f, re] of cases) {
      const e = spreadcoreErrorOf(f);
      expect(e.code).toBe('SPREADCORE_ERR_BAD_CHART');
      expect(e.message).toMatch(re);
    }
  });
});
