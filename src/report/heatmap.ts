// renderHeatmapPng: a metric over a grid of two swept parameters. Each cell is coloured by
// its value (sequential viridis, or a diverging blue-white-red centred on zero when the
// values have both signs), "no result" cells are hatched grey, and the best (largest) cell
// is outlined. A colour bar on the right shows the scale.

import { blueWhiteRed, luminance, viridis, type Rgb } from './color.js';
import { drawText, fitText, textWidthPx } from './font.js';
import { encodePng } from './png.js';
import { Raster } from './raster.js';
import { AXIS, MUTED_TEXT, NO_RESULT_FILL, NO_RESULT_HATCH, TEXT, WHITE, metricsFor, type Metrics } from './style.js';
import { formatValue, niceTicks, padRange } from './ticks.js';
import type { HeatmapOptions } from './types.js';
import { MIN_HEIGHT_PX, MIN_WIDTH_PX, badChart, requireArray, requireObject, requireString, sidePx } from './validate.js';

export const DEFAULT_HEATMAP_WIDTH_PX = 900;
export const DEFAULT_HEATMAP_HEIGHT_PX = 600;

const BLACK: Rgb = { r: 0, g: 0, b: 0 };

/** The colour scale of a heat map: value -> colour, and how it was chosen. */
export interface HeatScale {
  kind: 'sequential' | 'diverging';
  /** Smallest and largest finite value. */
  min: number;
  max: number;
  color(v: number): Rgb;
}

/**
 * Sequential (viridis, min to max) unless the values have both signs; then diverging around
 * zero with the same distance to both ends (max |z|), so that white means zero.
 */
export function heatScale(min: number, max: number): HeatScale {
  if (min < 0 && max > 0) {
    const m = Math.max(-min, max);
    return { kind: 'diverging', min, max, color: (v) => blueWhiteRed(0.5 + v / m / 2) };
  }
  const spanHalf = max / 2 - min / 2;
  return {
    kind: 'sequential',
    min,
    max,
    color: (v) => viridis(spanHalf > 0 ? (v / 2 - min / 2) / spanHalf : 0.5),
  };
}

/** Position of the best (largest finite) value: [yi, xi], or null when there is none. First wins ties. */
export function bestCell(z: readonly (readonly (number | null)[])[]): [number, number] | null {
  let best: [number, number] | null = null;
  let bestV = -Infinity;
  z.forEach((row, yi) =>
    row.forEach((v, xi) => {
      if (typeof v === 'number' && Number.isFinite(v) && (best === null || v > bestV)) {
        bestV = v;
        best = [yi, xi];
      }
    }),
  );
  return best;
}

function checkNumbers(v: unknown, field: string): number[] {
  const a = requireArray(v, field);
  a.forEach((n, i) => {
    if (typeof n !== 'number') throw badChart(`${field}[${i}] must be a number, got ${typeof n}`);
  });
  return a as number[];
}

function checkGrid(v: unknown, rows: number, cols: number): (number | null)[][] {
  const z = requireArray(v, 'z');
  if (z.length !== rows) throw badChart(`z has ${z.length} rows but yValues has ${rows} values (z is z[yi][xi])`);
  return z.map((row, yi) => {
    const r = requireArray(row, `z[${yi}]`);
    if (r.length !== cols) throw badChart(`z[${yi}] has ${r.length} values but xValues has ${cols}`);
    r.forEach((c, xi) => {
      if (c !== null && typeof c !== 'number') throw badChart(`z[${yi}][${xi}] must be a number or null, got ${typeof c}`);
    });
    return r as (number | null)[];
  });
}

/** Renders the heat map and returns the PNG bytes. */
export function renderHeatmapPng(opts: HeatmapOptions): Buffer {
  const o = requireObject(opts, 'heat map options');
  const title = requireString(o['title'], 'title');
  const xName = requireString(o['xName'], 'xName');
  const yName = requireString(o['yName'], 'yName');
  const zName = requireString(o['zName'], 'zName');
  const xValues = checkNumbers(o['xValues'], 'xValues');
  const yValues = checkNumbers(o['yValues'], 'yValues');
  const z = checkGrid(o['z'], yValues.length, xValues.length);
  const width = sidePx(o['width'], 'width', DEFAULT_HEATMAP_WIDTH_PX, MIN_WIDTH_PX);
  const height = sidePx(o['height'], 'height', DEFAULT_HEATMAP_HEIGHT_PX, MIN_HEIGHT_PX);

  const m = metricsFor(width, height);
  const r = new Raster(width, height, WHITE);
  const nx = xValues.length;
  const ny = yValues.length;

  let min = Infinity;
  let max = -Infinity;
  let missing = 0;
  for (const row of z) {
    for (const v of row) {
      if (typeof v === 'number' && Number.isFinite(v)) {
        if (v < min) min = v;
        if (v > max) max = v;
      } else missing++;
    }
  }
  const hasData = min <= max;
  const scale = hasData ? heatScale(min, max) : null;
  const best = bestCell(z);

  // Header: title and one line saying where the best cell is.
  drawCentered(r, fitText(title, width - 2 * m.pad, m.title), m.pad, m.title, TEXT, true);
  let info: string;
  if (best && scale) {
    const [byi, bxi] = best;
    info = `best (outlined): ${xName}=${formatValue(xValues[bxi]!)}, ${yName}=${formatValue(yValues[byi]!)}, ${zName}=${formatValue(z[byi]![bxi]!)}`;
  } else {
    info = 'no results';
  }
  const infoTop = m.pad + 7 * m.title + 6 * m.text;
  drawCentered(r, fitText(info, width - 2 * m.pad, m.text), infoTop, m.text, MUTED_TEXT, false);

  // Layout: y labels and name on the left, colour bar on the right, x labels and name below.
  const xLabels = xValues.map(formatValue);
  const yLabels = yValues.map(formatValue);
  const barTicks = scale ? niceTicks(padRange({ lo: scale.min, hi: scale.max }, 0), 6) : null;
  const barLabels = barTicks ? barTicks.labels.filter((_, i) => within(barTicks.values[i]!, scale!)) : [];
  const barLabelW = Math.max(textWidthPx(formatValue(min), m.text), textWidthPx(formatValue(max), m.text), ...barLabels.map((l) => textWidthPx(l, m.text)), 0);
  const barW = 14 * m.text;
  const missingText = `no result (${missing})`;
  const keyW = Math.max(barLabelW, missing > 0 ? textWidthPx(missingText, m.text) : 0);
  const rightW = Math.min(Math.round(width * 0.35), 6 * m.text + barW + 4 * m.text + keyW + m.pad);
  const yLabelW = Math.max(0, ...yLabels.map((l) => textWidthPx(l, m.text)));
  const left = m.pad + m.lineH + 6 * m.text + yLabelW + 6 * m.text;
  // One text line above the grid holds the colour bar's name.
  const top = infoTop + m.lineH + 6 * m.text + m.lineH + 6 * m.text;
  const bottomH = 4 * m.text + m.lineH + 4 * m.text + m.lineH + m.pad;
  const gridW = Math.max(1, width - left - rightW);
  const gridH = Math.max(1, height - top - bottomH);

  if (nx === 0 || ny === 0) {
    drawCentered(r, 'no parameter values', top + gridH / 2, m.text, MUTED_TEXT, false);
    return encodePng({ width, height, rgba: r.rgba });
  }

  const cellW = gridW / nx;
  const cellH = gridH / ny;
  const gap = cellW >= 8 && cellH >= 8 ? 1 : 0;
  // Values printed in the cells when every one of them fits (at the label size, else at scale 1).
  const cellTexts = z.map((row) => row.map((v) => (typeof v === 'number' && Number.isFinite(v) ? formatValue(v) : '')));
  const widestCellText = Math.max(0, ...cellTexts.map((row) => Math.max(0, ...row.map((t) => [...t].length))));
  const cellTextScale = [m.text, 1].find((s) => widestCellText * 6 * s + 4 * s <= cellW - gap && 9 * s + 2 <= cellH - gap) ?? 0;
  const cellX = (xi: number): number => Math.round(left + xi * cellW);
  const cellY = (yi: number): number => Math.round(top + (ny - 1 - yi) * cellH); // yi = 0 at the bottom

  for (let yi = 0; yi < ny; yi++) {
    for (let xi = 0; xi < nx; xi++) {
      const x0 = cellX(xi);
      const y0 = cellY(yi);
      const w = cellX(xi + 1) - x0 - gap;
      const h = Math.round(top + (ny - yi) * cellH) - y0 - gap;
      const v = z[yi]![xi];
      if (typeof v === 'number' && Number.isFinite(v) && scale) {
        const c = scale.color(v);
        r.fillRect(x0, y0, w, h, c);
        if (cellTextScale > 0) {
          const label = cellTexts[yi]![xi]!;
          const ts = cellTextScale;
          const ink = luminance(c) > 0.4 ? BLACK : WHITE;
          drawText(r, label, x0 + Math.round((w - textWidthPx(label, ts)) / 2), y0 + Math.round((h - 7 * ts) / 2), { scale: ts, color: ink });
        }
      } else {
        drawNoResult(r, x0, y0, w, h, m);
      }
    }
  }

  if (best) {
    const [byi, bxi] = best;
    const x0 = cellX(bxi);
    const y0 = cellY(byi);
    const w = cellX(bxi + 1) - x0 - gap;
    const h = Math.round(top + (ny - byi) * cellH) - y0 - gap;
    const t = Math.max(2, Math.min(3 * m.text, Math.floor(Math.min(w, h) / 4)));
    r.strokeRect(x0, y0, w, h, BLACK, t);
    if (w > 2 * t + 2 && h > 2 * t + 2) r.strokeRect(x0 + t, y0 + t, w - 2 * t, h - 2 * t, WHITE, 1);
  }

  // Axes: labels centred under / beside the cells, thinned out when they would overlap.
  const gridBottom = top + gridH;
  const xEvery = labelStride(xLabels.map((l) => textWidthPx(l, m.text) + 8 * m.text), cellW);
  xLabels.forEach((l, xi) => {
    if (xi % xEvery !== 0) return;
    const cx = left + (xi + 0.5) * cellW;
    r.vline(Math.round(cx), gridBottom, gridBottom + 2 * m.text, AXIS);
    drawText(r, l, Math.round(cx - textWidthPx(l, m.text) / 2), gridBottom + 4 * m.text, { scale: m.text, color: TEXT });
  });
  const yEvery = labelStride(yLabels.map(() => m.lineH + 4 * m.text), cellH);
  yLabels.forEach((l, yi) => {
    if (yi % yEvery !== 0) return;
    const cy = top + (ny - 1 - yi + 0.5) * cellH;
    r.hline(left - 3 * m.text, left - 1, Math.round(cy), AXIS);
    drawText(r, l, left - 5 * m.text - textWidthPx(l, m.text), Math.round(cy - (7 * m.text) / 2), { scale: m.text, color: TEXT });
  });
  const xn = fitText(xName, gridW, m.text);
  drawText(r, xn, Math.round(left + (gridW - textWidthPx(xn, m.text)) / 2), height - m.pad - 7 * m.text, { scale: m.text, color: MUTED_TEXT });
  const yn = fitText(yName, gridH, m.text);
  drawText(r, yn, m.pad, Math.round(top + (gridH + textWidthPx(yn, m.text)) / 2), { scale: m.text, color: MUTED_TEXT, vertical: true });

  // Colour bar: top = max, bottom = min, with nice ticks and the exact min and max.
  const barX = width - rightW + 6 * m.text;
  const barTop = top;
  const barH = Math.max(10, Math.round(gridH * (missing > 0 ? 0.8 : 1)) - (missing > 0 ? m.lineH : 0));
  if (scale) {
    for (let i = 0; i < barH; i++) {
      const t = barH === 1 ? 1 : 1 - i / (barH - 1);
      const v = scale.min + (scale.max - scale.min) * t;
      r.fillRect(barX, barTop + i, barW, 1, scale.color(scale.min === scale.max ? scale.min : v));
    }
    r.strokeRect(barX - 1, barTop - 1, barW + 2, barH + 2, AXIS, 1);
    const rowOf = (v: number): number =>
      scale.max === scale.min ? barTop + barH / 2 : barTop + ((scale.max - v) / (scale.max - scale.min)) * (barH - 1);
    const labelX = barX + barW + 4 * m.text;
    const placed: number[] = [];
    const put = (v: number, text: string, color: Rgb): void => {
      const y = Math.round(rowOf(v));
      if (placed.some((p) => Math.abs(p - y) < 9 * m.text)) return;
      placed.push(y);
      r.hline(barX + barW, barX + barW + 2 * m.text, y, AXIS);
      drawText(r, text, labelX, Math.max(0, y - Math.floor((7 * m.text) / 2)), { scale: m.text, color });
    };
    put(scale.max, formatValue(scale.max), TEXT);
    put(scale.min, formatValue(scale.min), TEXT);
    barTicks!.values.forEach((v, i) => {
      if (within(v, scale)) put(v, barTicks!.labels[i]!, MUTED_TEXT);
    });
    const zn = fitText(zName, Math.min(width - 2 * m.pad, rightW + gridW / 2), m.text);
    drawText(r, zn, Math.min(width - m.pad - textWidthPx(zn, m.text), barX), top - m.lineH - 6 * m.text, { scale: m.text, color: MUTED_TEXT });
  }
  if (missing > 0) {
    const y = barTop + barH + 4 * m.lineH / 2;
    drawNoResult(r, barX, y, barW, barW, m);
    drawText(r, fitText(missingText, width - barX - barW - 4 * m.text, m.text), barX + barW + 4 * m.text, y + Math.round((barW - 7 * m.text) / 2), { scale: m.text, color: MUTED_TEXT });
  }

  return encodePng({ width, height, rgba: r.rgba });
}

function within(v: number, s: HeatScale): boolean {
  return v >= s.min && v <= s.max;
}

/** Show every k-th label so that labels of these widths fit in slots `slotPx` apart. */
function labelStride(sizes: number[], slotPx: number): number {
  const widest = Math.max(1, ...sizes);
  return Math.max(1, Math.ceil(widest / Math.max(1e-9, slotPx)));
}

function drawCentered(r: Raster, text: string, y: number, scale: number, color: Rgb, bold: boolean): void {
  drawText(r, text, Math.round((r.width - textWidthPx(text, scale)) / 2), Math.round(y), { scale, color, bold });
}

/** Light grey with diagonal hatching: visibly "nothing here", not a low value. */
function drawNoResult(r: Raster, x0: number, y0: number, w: number, h: number, m: Metrics): void {
  r.fillRect(x0, y0, w, h, NO_RESULT_FILL);
  const spacing = 5 * m.text;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      if ((x + y) % spacing === 0) r.blend(x0 + x, y0 + y, NO_RESULT_HATCH);
    }
  }
}
