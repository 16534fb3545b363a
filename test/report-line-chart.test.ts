import { describe, expect, it } from 'vitest';
import { renderLineChartPng } from '../src/report/index.js';
import { decodePng, findPixels, findPlotFrame, pixel, type DecodedPng } from './report-png-reader.js';

const AXIS: [number, number, number] = [68, 68, 68];
const RED: [number, number, number] = [255, 0, 0];
const BLUE: [number, number, number] = [0, 0, 255];
const WHITE: [number, number, number] = [255, 255, 255];

function range(n: number, f: (i: number) => number): number[] {
  return Array.from({ length: n }, (_, i) => f(i));
}

/** Rows in column x whose colour is `rgb` (exactly, i.e. full line coverage). */
function rowsOf(png: DecodedPng, x: number, rgb: [number, number, number], top: number, bottom: number): number[] {
  return findPixels(png, rgb, 0, { x0: x, x1: x + 1, y0: top, y1: bottom + 1 }).map((p) => p.y);
}

function centre(rows: number[]): number {
  expect(rows.length).toBeGreaterThan(0);
  return (Math.min(...rows) + Math.max(...rows)) / 2;
}

describe('renderLineChartPng', () => {
  it('draws a diagonal through the expected pixels, with a white background and a title', () => {
    const png = decodePng(
      renderLineChartPng({
        title: 'Diagonal',
        xLabel: 'x',
        yLabel: 'y',
        series: [{ name: 'y = x', color: '#ff0000', x: range(101, (i) => i), y: range(101, (i) => i) }],
      }),
    );
    expect([png.width, png.height]).toEqual([1000, 500]);
    const f = findPlotFrame(png, AXIS);
    const plotW = f.right - f.left + 1;
    const plotH = f.bottom - f.top + 1;
    expect(plotW).toBeGreaterThan(700);
    expect(plotH).toBeGreaterThan(300);
    // x spans the data exactly; y is the data range 0..100 padded by 5% on both sides.
    for (const xv of [10, 25, 50, 75, 90]) {
      const px = f.left + Math.round((xv / 100) * (plotW - 1));
      const expectedRow = f.bottom - ((xv + 5) / 110) * (plotH - 1);
      expect(Math.abs(centre(rowsOf(png, px, RED, f.top, f.bottom)) - expectedRow)).toBeLessThanOrEqual(1.5);
    }
    // Above the line near the left, and the image corners: background.
    expect(pixel(png, f.left + 20, f.top + 5)).toEqual(WHITE);
    expect(pixel(png, 0, 0)).toEqual(WHITE);
    expect(pixel(png, png.width - 1, png.height - 1)).toEqual(WHITE);
    // Title: dark text pixels above the plot, centred horizontally.
    const ink = findPixels(png, [34, 34, 34], 0, { x0: 0, y0: 0, x1: png.width, y1: 40 });
    expect(ink.length).toBeGreaterThan(50);
    const xs = ink.map((p) => p.x);
    expect(Math.abs((Math.min(...xs) + Math.max(...xs)) / 2 - png.width / 2)).toBeLessThan(4);
    // The legend swatch in the series colour sits above the plot too.
    expect(findPixels(png, RED, 0, { x0: 0, y0: 0, x1: png.width, y1: f.top }).length).toBeGreaterThan(10);
  });

  it('puts an all-equal series in the vertical middle and honours the requested size', () => {
    const png = decodePng(
      renderLineChartPng({
        title: 'flat',
        width: 640,
        height: 320,
        series: [{ name: 'flat', color: '#0000ff', x: [0, 1, 2, 3], y: [7, 7, 7, 7] }],
      }),
    );
    expect([png.width, png.height]).toEqual([640, 320]);
    const f = findPlotFrame(png, AXIS);
    const mid = (f.top + f.bottom) / 2;
    expect(Math.abs(centre(rowsOf(png, Math.round((f.left + f.right) / 2), BLUE, f.top, f.bottom)) - mid)).toBeLessThanOrEqual(1);
  });

  it('draws steps horizontally first, and points only at the data', () => {
    const png = decodePng(
      renderLineChartPng({
        title: 'styles',
        series: [
          { name: 'step', color: '#ff0000', x: [0, 10], y: [0, 10], style: 'step' },
          { name: 'dots', color: '#0000ff', x: [0, 5, 10], y: [5, 5, 5], style: 'points' },
        ],
      }),
    );
    const f = findPlotFrame(png, AXIS);
    const plotW = f.right - f.left + 1;
    const plotH = f.bottom - f.top + 1;
    const rowOf = (v: number): number => f.bottom - ((v + 0.5) / 11) * (plotH - 1);
    const colOf = (v: number): number => f.left + Math.round((v / 10) * (plotW - 1));
    // Step: at x = 2.5 the line is still at y = 0.
    expect(Math.abs(centre(rowsOf(png, colOf(2.5), RED, f.top, f.bottom)) - rowOf(0))).toBeLessThanOrEqual(1.5);
    // ... and the rise is at x = 10 (the right edge), so nothing red at y = 5 in the middle.
    expect(rowsOf(png, colOf(5), RED, f.top, f.bottom).some((y) => Math.abs(y - rowOf(5)) < 3)).toBe(false);
    // Dots at x = 5 and nowhere between the dots.
    expect(rowsOf(png, colOf(5), BLUE, f.top, f.bottom).length).toBeGreaterThan(0);
    expect(rowsOf(png, colOf(2.5), BLUE, f.top, f.bottom)).toEqual([]);
  });

  it('keeps a one-sample spike among 200,000 points (min/max per pixel column)', () => {
    const n = 200_000;
    const x = new Float64Array(n);
    const y = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      x[i] = i;
      y[i] = Math.sin(i / 1000);
    }
    y[123_457] = 10;
    const series = [
      { name: 'spiky', color: '#ff0000', x, y },
      { name: 'b', x, y: y.map((v) => -v) },
      { name: 'c', x, y: y.map((v) => v / 2) },
    ];
    const png = decodePng(renderLineChartPng({ title: 'big', series }));
    const f = findPlotFrame(png, AXIS);
    const plotW = f.right - f.left + 1;
    const col = f.left + Math.round((123_457 / (n - 1)) * (plotW - 1));
    // The spike reaches the top of the y range (max 10 plus 5% padding of the span 20).
    const reds = findPixels(png, RED, 0, { x0: col - 1, x1: col + 2, y0: f.top, y1: f.bottom + 1 }).map((p) => p.y);
    const plotH = f.bottom - f.top + 1;
    const spikeRow = f.bottom - ((10 + 1) / 22) * (plotH - 1);
    expect(Math.min(...reds)).toBeLessThanOrEqual(spikeRow + 2);
  });

  it('breaks the line at NaN and Infinity instead of drawing through them', () => {
    const xs = range(21, (i) => i);
    const ys = xs.map((v) => (v >= 8 && v <= 12 ? (v === 10 ? Infinity : NaN) : 5));
    const png = decodePng(renderLineChartPng({ title: 'gap', series: [{ name: 'g', color: '#ff0000', x: xs, y: ys }] }));
    const f = findPlotFrame(png, AXIS);
    const plotW = f.right - f.left + 1;
    const colOf = (v: number): number => f.left + Math.round((v / 20) * (plotW - 1));
    expect(rowsOf(png, colOf(4), RED, f.top, f.bottom).length).toBeGreaterThan(0);
    expect(rowsOf(png, colOf(10), RED, f.top, f.bottom)).toEqual([]);
    expect(rowsOf(png, colOf(16), RED, f.top, f.bottom).length).toBeGreaterThan(0);
  });

  it('places a UTC time axis: a 60-second series shows HH:MM:SS ticks and still renders the data', () => {
    const t0 = Date.UTC(2024, 4, 1, 12, 0, 0);
    const png = decodePng(
      renderLineChartPng({
        title: 'time',
        xIsTime: true,
        series: [{ name: 'v', color: '#ff0000', x: range(61, (i) => t0 + i * 1000), y: range(61, (i) => i % 7) }],
      }),
    );
    const f = findPlotFrame(png, AXIS);
    expect(findPixels(png, RED, 0, { x0: f.left, y0: f.top, x1: f.right + 1, y1: f.bottom + 1 }).length).toBeGreaterThan(100);
    // Tick labels below the axis: text ink present under the plot.
    expect(findPixels(png, [34, 34, 34], 0, { x0: f.left, y0: f.bottom + 2, x1: f.right, y1: f.bottom + 30 }).length).toBeGreaterThan(100);
  });
});
