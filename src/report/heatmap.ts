// Heat maps: a metric over a grid of two swept parameters. Each cell is coloured by its
// value (sequential viridis, or a diverging blue-white-red centred on zero when the values
// have both signs), "no result" cells are hatched grey, the best (largest) cell is
// outlined, and a colour bar on the right shows the scale. heatmapOption() is the chart's
// one definition (an Apache ECharts option); renderHeatmapSvg() / renderHeatmapPng() draw it.
import type { EChartsOption } from 'echarts';
import { blueWhiteRed, rgbToHex, viridis, type Rgb } from './color.js';
import { wrapWords } from './line-chart.js';
import { CHART_FONT_CSS, renderOptionSvg, svgToPng } from './svg-render.js';
import type { HeatmapOptions } from './types.js';
import { MIN_HEIGHT_PX, MIN_WIDTH_PX, badChart, optionalString, requireArray, requireObject, requireString, sidePx } from './validate.js';

export const DEFAULT_HEATMAP_WIDTH_PX = 900;
export const DEFAULT_HEATMAP_HEIGHT_PX = 600;

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

/** A value for a label: up to 6 significant digits, exponent notation for very large or small values. */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (v === 0) return '0';
  const a = Math.abs(v);
  if (a >= 1e7 || a < 1e-4) return v.toExponential(3).replace(/\.?0+e/, 'e');
  const s = v.toPrecision(6);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
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

interface CheckedHeatmap {
  title: string; xName: string; yName: string; zName: string; subtitle: string | undefined;
  xValues: number[]; yValues: number[]; z: (number | null)[][]; width: number; height: number;
}

function checkHeatmap(opts: HeatmapOptions): CheckedHeatmap {
  const o = requireObject(opts, 'heat map options');
  const xValues = checkNumbers(o['xValues'], 'xValues');
  const yValues = checkNumbers(o['yValues'], 'yValues');
  return {
    title: requireString(o['title'], 'title'),
    xName: requireString(o['xName'], 'xName'),
    yName: requireString(o['yName'], 'yName'),
    zName: requireString(o['zName'], 'zName'),
    subtitle: optionalString(o['subtitle'], 'subtitle'),
    xValues,
    yValues,
    z: checkGrid(o['z'], yValues.length, xValues.length),
    width: sidePx(o['width'], 'width', DEFAULT_HEATMAP_WIDTH_PX, MIN_WIDTH_PX),
    height: sidePx(o['height'], 'height', DEFAULT_HEATMAP_HEIGHT_PX, MIN_HEIGHT_PX),
  };
}

const NO_RESULT_FILL = '#eeeeee';
/** Colours sampled along a diverging colour bar (ECharts interpolates linearly between them). */
const DIVERGING_BAR_STOPS = 65;
const NO_RESULT_HATCH = '#bbbbbb';

function stops(f: (t: number) => Rgb, n = 9): string[] {
  return Array.from({ length: n }, (_, i) => rgbToHex(f(i / (n - 1))));
}

/** The heat map as an ECharts option. */
export function heatmapOption(opts: HeatmapOptions): EChartsOption {
  const h = checkHeatmap(opts);
  const { xValues, yValues, z } = h;
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
  const scale = min <= max ? heatScale(min, max) : null;
  const best = bestCell(z);
  const info = best !== null
    ? `best (outlined): ${h.xName}=${formatValue(xValues[best[1]]!)}, ${h.yName}=${formatValue(yValues[best[0]]!)}, ${h.zName}=${formatValue(z[best[0]]![best[1]]!)}`
    : 'no results';
  // the settings under the best-cell line (DejaVu Sans at 12 px: about 7 px per character)
  const settings = h.subtitle === undefined || h.subtitle === '' ? [] : wrapWords(h.subtitle, Math.floor((h.width - 40) / 7), 4);
  const grid = { left: 100, right: 150, top: 84 + 16 * settings.length, bottom: 70 };
  const cellW = (h.width - grid.left - grid.right) / Math.max(1, xValues.length);
  const cellH = (h.height - grid.top - grid.bottom) / Math.max(1, yValues.length);
  const labels = cellW >= 44 && cellH >= 18;
  const cells: unknown[] = [];
  const empty: unknown[] = [];
  z.forEach((row, yi) => row.forEach((v, xi) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) empty.push([xi, yi, 0]);
    else if (best === null || best[0] !== yi || best[1] !== xi) cells.push([xi, yi, v]);
  }));
  // the best cell last: its outline is drawn over its neighbours
  if (best !== null) cells.push({ value: [best[1], best[0], z[best[0]]![best[1]]!], itemStyle: { borderColor: '#000000', borderWidth: 3 } });
  // the colour bar runs from the smallest value to the largest, whatever the scale: a diverging
  // scale's colours are sampled over [min, max] (white where zero falls), so the bar's ends are the
  // colours of the extreme cells and never a colour no cell can have
  const diverging = scale !== null && scale.kind === 'diverging'
    ? Array.from({ length: DIVERGING_BAR_STOPS }, (_, i) => rgbToHex(scale.color(scale.min + ((scale.max - scale.min) * i) / (DIVERGING_BAR_STOPS - 1))))
    : null;
  return {
    animation: false,
    backgroundColor: '#ffffff',
    textStyle: { fontFamily: CHART_FONT_CSS },
    title: {
      text: h.title, subtext: [info, ...settings].join('\n'), left: 'center', top: 8,
      textStyle: { fontSize: 16, fontWeight: 'bold', color: '#222222', width: h.width - 40, overflow: 'truncate' },
      subtextStyle: { color: '#555555', fontSize: 12, lineHeight: 16, width: h.width - 40, overflow: 'truncate' },
    },
    grid,
    xAxis: { type: 'category', name: h.xName, nameLocation: 'middle', nameGap: 36, data: xValues.map(formatValue), axisLabel: { color: '#333333', hideOverlap: true }, splitArea: { show: false } },
    yAxis: { type: 'category', name: h.yName, nameLocation: 'middle', nameGap: 70, data: yValues.map(formatValue), axisLabel: { color: '#333333', hideOverlap: true } },
    visualMap: [
      scale === null
        ? { type: 'continuous', show: false, seriesIndex: 0, min: 0, max: 1, inRange: { color: stops(viridis) } }
        : {
            type: 'continuous', seriesIndex: 0, right: 20, top: 'middle', itemHeight: Math.max(60, h.height - grid.top - grid.bottom - 60), calculable: false,
            min: scale.min, max: scale.max > scale.min ? scale.max : scale.min + 1,
            text: [`${h.zName} max ${formatValue(scale.max)}`, `min ${formatValue(scale.min)}`], textStyle: { color: '#333333' },
            inRange: { color: diverging ?? stops(viridis) },
          },
      { type: 'piecewise', show: false, seriesIndex: 1, pieces: [{ min: -1, max: 1, color: NO_RESULT_FILL }] },
    ],
    ...(missing > 0 ? { legend: { bottom: 4, right: 10, data: [`no result (${missing})`], itemStyle: { color: NO_RESULT_FILL, borderColor: NO_RESULT_HATCH, borderWidth: 1 } } } : {}),
    series: [
      {
        type: 'heatmap', name: h.zName, data: cells, emphasis: { disabled: true },
        label: { show: labels, formatter: (p: { value: [number, number, number] }) => formatValue(p.value[2]), fontSize: 11 },
      },
      {
        type: 'heatmap', name: `no result (${missing})`, data: empty, emphasis: { disabled: true },
        itemStyle: { decal: { symbol: 'rect', symbolSize: 1, dashArrayX: [1, 0], dashArrayY: [2, 6], rotation: Math.PI / 4, color: NO_RESULT_HATCH } },
        label: { show: false },
      },
    ],
  } as EChartsOption;
}

/** The heat map as an SVG document. */
export function renderHeatmapSvg(opts: HeatmapOptions, idPrefix = 'h'): string {
  const h = checkHeatmap(opts);
  return renderOptionSvg(heatmapOption(opts), h.width, h.height, idPrefix);
}

/** The heat map as PNG bytes (default 900x600). */
export function renderHeatmapPng(opts: HeatmapOptions): Buffer {
  return svgToPng(renderHeatmapSvg(opts));
}
