// renderLineChartPng: x/y series as lines, steps or points on a white PNG with a title,
// legend, grid, "nice" value ticks and optional UTC time ticks.

import { seriesColor, type Rgb } from './color.js';
import { m4Indices, GAP } from './downsample.js';
import { drawText, fitText, textWidthPx } from './font.js';
import { encodePng } from './png.js';
import { CoverageMask, Raster } from './raster.js';
import { AXIS, GRID, MUTED_TEXT, TEXT, WHITE, ZERO_LINE, metricsFor, type Metrics } from './style.js';
import { niceTicks, padRange, timeTicks, utcDate, type AxisRange, type Ticks } from './ticks.js';
import type { ChartSeries, LineChartOptions } from './types.js';
import { MIN_HEIGHT_PX, MIN_WIDTH_PX, checkSeriesList, optionalString, requireObject, requireString, sidePx } from './validate.js';

export const DEFAULT_CHART_WIDTH_PX = 1000;
export const DEFAULT_CHART_HEIGHT_PX = 500;

/** Pixel position of a value on an axis of `lengthPx` pixels; overflow-safe for huge ranges. */
function scaleTo(v: number, range: AxisRange, lengthPx: number): number {
  const t = (v / 2 - range.lo / 2) / (range.hi / 2 - range.lo / 2);
  const px = t * (lengthPx - 1);
  // Far off-chart points still pull their segments the right way; keep them finite.
  return Math.max(-1e6, Math.min(1e6, px));
}

interface LegendItem {
  name: string;
  color: Rgb;
  widthPx: number;
}

interface Layout {
  legendRows: LegendItem[][];
  plotLeft: number;
  plotTop: number;
  plotW: number;
  plotH: number;
}

const TICK_LEN = 5;

/** Renders the chart and returns the PNG bytes. */
export function renderLineChartPng(opts: LineChartOptions): Buffer {
  const o = requireObject(opts, 'chart options');
  const title = requireString(o['title'], 'title');
  const width = sidePx(o['width'], 'width', DEFAULT_CHART_WIDTH_PX, MIN_WIDTH_PX);
  const height = sidePx(o['height'], 'height', DEFAULT_CHART_HEIGHT_PX, MIN_HEIGHT_PX);
  const xLabelIn = optionalString(o['xLabel'], 'xLabel');
  const yLabel = optionalString(o['yLabel'], 'yLabel');
  const xIsTime = o['xIsTime'] === true;
  const series = checkSeriesList(o['series'], 'series');
  const colors = series.map((s, i) => seriesColor(i, s.color, `series[${i}].color`));

  const m = metricsFor(width, height);
  const r = new Raster(width, height, WHITE);

  const xExtent = finiteExtentOfPairs(series, 'x');
  const yExtent = finiteExtentOfPairs(series, 'y');
  // A single instant on a time axis gets one second either side (not 5% of the epoch value).
  const xRange = xIsTime && xExtent !== null && xExtent.lo === xExtent.hi && Math.abs(xExtent.lo) < 8.64e15
    ? { lo: xExtent.lo - 1000, hi: xExtent.hi + 1000 }
    : padRange(xExtent, 0);
  const yRange = padRange(yExtent, 0.05);

  let xLabel = xLabelIn;
  if (xIsTime) {
    const d0 = xExtent ? utcDate(xExtent.lo) : '';
    const d1 = xExtent ? utcDate(xExtent.hi) : '';
    const when = d0 === '' ? 'UTC' : d0 === d1 ? `UTC, ${d0}` : `UTC, ${d0} to ${d1}`;
    xLabel = `${xLabelIn ?? 'time'} (${when})`;
  }

  // Vertical layout first: it fixes the plot height, which fixes the y ticks, whose label
  // width fixes the left margin and so the plot width and the x ticks.
  const legendItems: LegendItem[] = series.map((s, i) => ({
    name: s.name,
    color: colors[i]!,
    widthPx: legendSwatchW(m) + 4 * m.text + textWidthPx(s.name, m.text),
  }));
  const legendRows = wrapLegend(legendItems, width - 2 * m.pad, m);
  const titleH = 7 * m.title;
  const plotTop = m.pad + titleH + 6 * m.text + legendRows.length * (m.lineH + 4 * m.text) + 6 * m.text;
  const bottomH = TICK_LEN + 3 * m.text + m.lineH + (xLabel ? 4 * m.text + m.lineH : 0) + m.pad;
  const plotH = Math.max(10, height - plotTop - bottomH);

  const yTicks = niceTicks(yRange, Math.max(2, Math.floor(plotH / (m.lineH * 2))));
  const yTickW = Math.max(0, ...yTicks.labels.map((l) => textWidthPx(l, m.text)));
  const plotLeft = m.pad + (yLabel ? m.lineH + 6 * m.text : 0) + yTickW + TICK_LEN + 4 * m.text;
  const rightPad = Math.max(m.pad, 14 * m.text);
  const plotW = Math.max(10, width - plotLeft - rightPad);
  const xTicks = fitXTicks(xRange, plotW, xIsTime, m);

  const layout: Layout = { legendRows, plotLeft, plotTop, plotW, plotH };

  drawGrid(r, layout, xTicks, yTicks, xRange, yRange);

  let anyPoint = false;
  series.forEach((s, i) => {
    const mask = new CoverageMask(plotW, plotH);
    if (drawSeries(mask, s, xRange, yRange, m)) anyPoint = true;
    r.composite(mask, plotLeft, plotTop, colors[i]!);
  });

  drawAxes(r, layout, xTicks, yTicks, xRange, yRange, m);

  if (!anyPoint) {
    const msg = series.length === 0 ? 'no series' : 'no data';
    drawText(r, msg, plotLeft + (plotW - textWidthPx(msg, m.text)) / 2, plotTop + plotH / 2 - 4 * m.text, {
      scale: m.text,
      color: MUTED_TEXT,
    });
  }

  // Title, legend, axis labels.
  const titleText = fitText(title, width - 2 * m.pad, m.title);
  drawText(r, titleText, Math.round((width - textWidthPx(titleText, m.title)) / 2), m.pad, {
    scale: m.title,
    color: TEXT,
    bold: true,
  });
  drawLegend(r, layout, m.pad + titleH + 6 * m.text, width, m);
  if (xLabel) {
    const t = fitText(xLabel, plotW, m.text);
    drawText(r, t, plotLeft + Math.round((plotW - textWidthPx(t, m.text)) / 2), height - m.pad - 7 * m.text, {
      scale: m.text,
      color: MUTED_TEXT,
    });
  }
  if (yLabel) {
    const t = fitText(yLabel, plotH, m.text);
    const tw = textWidthPx(t, m.text);
    drawText(r, t, m.pad, plotTop + Math.round((plotH + tw) / 2), { scale: m.text, color: MUTED_TEXT, vertical: true });
  }

  return encodePng({ width, height, rgba: r.rgba });
}

function finiteExtentOfPairs(series: readonly ChartSeries[], axis: 'x' | 'y'): AxisRange | null {
  // Only points whose x and y are both finite count towards either range.
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of series) {
    const n = Math.min(s.x.length, s.y.length);
    const a = axis === 'x' ? s.x : s.y;
    const b = axis === 'x' ? s.y : s.x;
    for (let i = 0; i < n; i++) {
      const v = a[i]!;
      if (!Number.isFinite(v) || !Number.isFinite(b[i]!)) continue;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
  }
  return lo <= hi ? { lo, hi } : null;
}

function legendSwatchW(m: Metrics): number {
  return 14 * m.text;
}

function wrapLegend(items: LegendItem[], maxW: number, m: Metrics): LegendItem[][] {
  const rows: LegendItem[][] = [];
  let row: LegendItem[] = [];
  let rowW = 0;
  const gap = 14 * m.text;
  for (const it of items) {
    const w = Math.min(it.widthPx, maxW);
    if (row.length > 0 && rowW + gap + w > maxW) {
      rows.push(row);
      row = [];
      rowW = 0;
    }
    rowW += (row.length > 0 ? gap : 0) + w;
    row.push({ ...it, widthPx: w });
  }
  if (row.length > 0) rows.push(row);
  // Many series: keep the chart, cut the legend to four rows.
  return rows.slice(0, 4);
}

function drawLegend(r: Raster, layout: Layout, top: number, width: number, m: Metrics): void {
  const gap = 14 * m.text;
  layout.legendRows.forEach((row, ri) => {
    const rowW = row.reduce((s, it) => s + it.widthPx, 0) + gap * (row.length - 1);
    let x = Math.round((width - rowW) / 2);
    const y = top + ri * (m.lineH + 4 * m.text);
    for (const it of row) {
      const sw = legendSwatchW(m);
      r.fillRect(x, y + 3 * m.text, sw, Math.max(2, m.text + 1), it.color);
      const nameW = it.widthPx - sw - 4 * m.text;
      drawText(r, fitText(it.name, nameW, m.text), x + sw + 4 * m.text, y, { scale: m.text, color: TEXT });
      x += it.widthPx + gap;
    }
  });
}

/** x ticks: as many as fit without their labels touching. */
function fitXTicks(range: AxisRange, plotW: number, xIsTime: boolean, m: Metrics): Ticks {
  let n = Math.max(2, Math.floor(plotW / (50 * m.text)));
  for (;;) {
    const t = xIsTime ? timeTicks(range, n) : niceTicks(range, n);
    const widest = Math.max(0, ...t.labels.map((l) => textWidthPx(l, m.text)));
    const spacingPx = (t.step / (range.hi - range.lo)) * plotW;
    if (n <= 2 || spacingPx >= widest + 12 * m.text) return t;
    n -= 1;
  }
}

function drawGrid(r: Raster, l: Layout, xt: Ticks, yt: Ticks, xr: AxisRange, yr: AxisRange): void {
  for (const v of yt.values) {
    const py = l.plotTop + l.plotH - 1 - Math.round(scaleTo(v, yr, l.plotH));
    r.hline(l.plotLeft, l.plotLeft + l.plotW - 1, py, v === 0 ? ZERO_LINE : GRID);
  }
  for (const v of xt.values) {
    const px = l.plotLeft + Math.round(scaleTo(v, xr, l.plotW));
    r.vline(px, l.plotTop, l.plotTop + l.plotH - 1, GRID);
  }
}

function drawAxes(r: Raster, l: Layout, xt: Ticks, yt: Ticks, xr: AxisRange, yr: AxisRange, m: Metrics): void {
  const bottom = l.plotTop + l.plotH; // first row under the plot
  const left = l.plotLeft - 1; // first column left of the plot
  r.vline(left, l.plotTop, bottom, AXIS);
  r.hline(left, l.plotLeft + l.plotW - 1, bottom, AXIS);
  yt.values.forEach((v, i) => {
    const py = l.plotTop + l.plotH - 1 - Math.round(scaleTo(v, yr, l.plotH));
    r.hline(left - TICK_LEN, left - 1, py, AXIS);
    const label = yt.labels[i]!;
    const tw = textWidthPx(label, m.text);
    drawText(r, label, left - TICK_LEN - 3 * m.text - tw, py - Math.floor((7 * m.text) / 2), { scale: m.text, color: TEXT });
  });
  xt.values.forEach((v, i) => {
    const px = l.plotLeft + Math.round(scaleTo(v, xr, l.plotW));
    r.vline(px, bottom + 1, bottom + TICK_LEN, AXIS);
    const label = xt.labels[i]!;
    const tw = textWidthPx(label, m.text);
    const x = Math.max(m.pad, Math.min(r.width - tw - m.pad, px - Math.round(tw / 2)));
    drawText(r, label, x, bottom + TICK_LEN + 3 * m.text, { scale: m.text, color: TEXT });
  });
}

/** Draws one series into its mask; returns whether any finite point was drawn. */
function drawSeries(mask: CoverageMask, s: ChartSeries, xr: AxisRange, yr: AxisRange, m: Metrics): boolean {
  const lineW = m.text === 1 ? 1.2 : 2;
  const px = (v: number): number => scaleTo(v, xr, mask.width);
  const py = (v: number): number => mask.height - 1 - scaleTo(v, yr, mask.height);
  const n = Math.min(s.x.length, s.y.length);

  if (s.style === 'points') {
    // Every finite point, once per pixel.
    const seen = new Uint8Array(mask.width * mask.height);
    let any = false;
    for (let i = 0; i < n; i++) {
      const xi = s.x[i]!;
      const yi = s.y[i]!;
      if (!Number.isFinite(xi) || !Number.isFinite(yi)) continue;
      any = true;
      const cx = px(xi);
      const cy = py(yi);
      const ix = Math.round(cx);
      const iy = Math.round(cy);
      if (ix >= 0 && iy >= 0 && ix < mask.width && iy < mask.height) {
        if (seen[iy * mask.width + ix]) continue;
        seen[iy * mask.width + ix] = 1;
      }
      mask.disc(cx, cy, lineW + 0.5);
    }
    return any;
  }

  // Lines and steps: reduce to first/min/max/last per pixel column (exact at this width).
  const keep = m4Indices(s.x, s.y, mask.width, xr.lo, xr.hi);
  const step = s.style === 'step';
  let prevX = NaN;
  let prevY = NaN;
  let runLen = 0;
  const endRun = (): void => {
    // A lone point between gaps has no segment: show it as a dot.
    if (runLen === 1) mask.disc(prevX, prevY, lineW + 1.5);
    runLen = 0;
  };
  for (const i of keep) {
    if (i === GAP) {
      endRun();
      continue;
    }
    const cx = px(s.x[i]!);
    const cy = py(s.y[i]!);
    if (runLen > 0) {
      if (step) {
        mask.line(prevX, prevY, cx, prevY, lineW);
        mask.line(cx, prevY, cx, cy, lineW);
      } else {
        mask.line(prevX, prevY, cx, cy, lineW);
      }
    }
    prevX = cx;
    prevY = cy;
    runLen++;
  }
  endRun();
  return keep.length > 0;
}
