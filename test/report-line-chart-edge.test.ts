import { describe, expect, it } from 'vitest';
import { renderLineChartPng, type ChartSeries } from '../src/report/index.js';
import { decodePng, findPixels, findPlotFrame } from './report-png-reader.js';
import { spreadcoreErrorOf } from './support/thrown.js';

const AXIS: [number, number, number] = [68, 68, 68];
const RED: [number, number, number] = [255, 0, 0];

function chart(series: ChartSeries[], extra: Record<string, unknown> = {}) {
  return decodePng(renderLineChartPng({ title: 'edge', width: 600, height: 300, series, ...extra }));
}

function redInPlot(series: ChartSeries[], extra: Record<string, unknown> = {}): { x: number; y: number }[] {
  const png = chart(series, extra);
  const f = findPlotFrame(png, AXIS);
  return findPixels(png, RED, 0, { x0: f.left, y0: f.top, x1: f.right + 1, y1: f.bottom + 1 });
}


describe('renderLineChartPng edge cases', () => {
  it('renders axes for no series, empty series and all-non-finite series', () => {
    for (const series of [[], [{ name: 'e', x: [], y: [] }], [{ name: 'n', x: [NaN, 1, Infinity], y: [1, NaN, 2] }]]) {
      const png = chart(series);
      expect([png.width, png.height]).toEqual([600, 300]);
      const f = findPlotFrame(png, AXIS);
      expect(f.right - f.left).toBeGreaterThan(300);
    }
  });

  it('shows a single point as a dot in the middle of the plot', () => {
    const png = chart([{ name: 'one', color: '#ff0000', x: [5], y: [3] }]);
    const f = findPlotFrame(png, AXIS);
    const red = findPixels(png, RED, 0, { x0: f.left, y0: f.top, x1: f.right + 1, y1: f.bottom + 1 });
    expect(red.length).toBeGreaterThan(3);
    const cx = red.reduce((s, p) => s + p.x, 0) / red.length;
    const cy = red.reduce((s, p) => s + p.y, 0) / red.length;
    expect(Math.abs(cx - (f.left + f.right) / 2)).toBeLessThanOrEqual(1.5);
    expect(Math.abs(cy - (f.top + f.bottom) / 2)).toBeLessThanOrEqual(1.5);
  });

  it('gives a single instant on a time axis a two-second window with HH:MM:SS ticks', () => {
    const t = Date.UTC(2024, 4, 1, 12, 0, 0);
    const png = chart([{ name: 'one', color: '#ff0000', x: [t], y: [1] }], { xIsTime: true });
    const f = findPlotFrame(png, AXIS);
    const red = findPixels(png, RED, 0, { x0: f.left, y0: f.top, x1: f.right + 1, y1: f.bottom + 1 });
    const cx = red.reduce((s, p) => s + p.x, 0) / red.length;
    expect(Math.abs(cx - (f.left + f.right) / 2)).toBeLessThanOrEqual(1.5);
    // The x tick labels are the same as those of a chart whose data spans exactly t +- 1 s
    // (drawn in white so that only its axis shows).
    const ref = chart([{ name: 'one', color: '#ffffff', x: [t - 1000, t + 1000], y: [1, 1] }], { xIsTime: true });
    const band = { x0: 0, y0: f.bottom + 2, x1: png.width, y1: png.height };
    const ink = findPixels(png, [34, 34, 34], 0, band);
    expect(ink.length).toBeGreaterThan(100);
    expect(findPixels(ref, [34, 34, 34], 0, band)).toEqual(ink);
  });

  it('skips NaN and Infinity, and survives huge, tiny and equal values', () => {
    expect(redInPlot([{ name: 'h', color: '#ff0000', x: [0, 1, 2, 3], y: [1e300, -1e300, 1.7e308, -Number.MAX_VALUE] }]).length).toBeGreaterThan(50);
    expect(redInPlot([{ name: 't', color: '#ff0000', x: [0, 1, 2], y: [1e-300, 3e-300, 2e-300] }]).length).toBeGreaterThan(50);
    expect(redInPlot([{ name: 'x', color: '#ff0000', x: [7, 7, 7], y: [1, 2, 3] }]).length).toBeGreaterThan(10);
    expect(redInPlot([{ name: 'i', color: '#ff0000', x: [0, 1, 2, 3, 4], y: [1, Infinity, -Infinity, NaN, 2] }]).length).toBeGreaterThan(2);
    // Epoch ms outside the Date range on a time axis falls back to plain numbers.
    expect(redInPlot([{ name: 'far', color: '#ff0000', x: [0, 1e300], y: [1, 2] }], { xIsTime: true }).length).toBeGreaterThan(50);
  });

  it('accepts typed arrays, unsorted x and many series', () => {
    expect(redInPlot([{ name: 'f', color: '#ff0000', x: Float64Array.of(3, 1, 2, 0), y: Float32Array.of(1, 2, 3, 4) }]).length).toBeGreaterThan(50);
    const many = Array.from({ length: 25 }, (_, i) => ({ name: `series number ${i}`, x: [0, 1], y: [i, i + 1] }));
    expect(chart(many).width).toBe(600);
  });

  it('rejects bad options with SPREADCORE_ERR_BAD_CHART naming the field and value', () => {
    const s = [{ name: 'a', x: [1, 2], y: [1, 2] }];
    const cases: [() => unknown, RegExp][] = [
      [() => renderLineChartPng(null as never), /chart options must be an object/],
      [() => renderLineChartPng({ title: 5 as never, series: s }), /title must be a string, got 5/],
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
