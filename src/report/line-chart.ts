// Line charts: x/y series as lines, steps or points, with a title, a legend, a grid and
// optional UTC time axis. lineChartOption() is the one definition of the chart (an
// Apache ECharts option); renderLineChartSvg() draws it as SVG (for the HTML report) and
// renderLineChartPng() rasterises that same SVG (for terminals and CI artifacts).
import type { EChartsOption } from 'echarts';
import { SERIES_PALETTE, parseHexColor, rgbToHex } from './color.js';
import { pageSeriesData } from './page-downsample.js';
import { CHART_FONT_CSS, renderOptionSvg, svgToPng } from './svg-render.js';
import type { ChartSeries, LineChartOptions } from './types.js';
import { MIN_HEIGHT_PX, MIN_WIDTH_PX, checkSeriesList, optionalString, requireObject, requireString, sidePx } from './validate.js';

export const DEFAULT_CHART_WIDTH_PX = 1000;
export const DEFAULT_CHART_HEIGHT_PX = 500;

/** Plot area margins, px: left and right leave room for the y labels and the axis name. */
const GRID = { left: 90, right: 40, bottom: 64 };

export interface CheckedLineChart {
  title: string;
  subtitle: string | undefined;
  width: number;
  height: number;
  xLabel: string | undefined;
  yLabel: string | undefined;
  xIsTime: boolean;
  series: ChartSeries[];
}

/** Checks the options (SPREADCORE_ERR_BAD_CHART naming the field) and fills in the defaults. */
export function checkLineChart(opts: LineChartOptions): CheckedLineChart {
  const o = requireObject(opts, 'chart options');
  const series = checkSeriesList(o['series'], 'series');
  series.forEach((s, i) => { if (s.color !== undefined) parseHexColor(s.color, `series[${i}].color`); });
  return {
    title: requireString(o['title'], 'title'),
    subtitle: optionalString(o['subtitle'], 'subtitle'),
    width: sidePx(o['width'], 'width', DEFAULT_CHART_WIDTH_PX, MIN_WIDTH_PX),
    height: sidePx(o['height'], 'height', DEFAULT_CHART_HEIGHT_PX, MIN_HEIGHT_PX),
    xLabel: optionalString(o['xLabel'], 'xLabel'),
    yLabel: optionalString(o['yLabel'], 'yLabel'),
    xIsTime: o['xIsTime'] === true,
    series,
  };
}

/** Tick labels of a time axis per level (ECharts' time formatter templates). */
const TIME_LABELS = {
  year: '{yyyy}', month: '{yyyy}-{MM}', day: '{MM}-{dd}', hour: '{HH}:{mm}', minute: '{HH}:{mm}', second: '{HH}:{mm}:{ss}', millisecond: '{HH}:{mm}:{ss}.{SSS}',
};

function utcDate(ms: number): string {
  return Number.isFinite(ms) && Math.abs(ms) < 8.64e15 ? new Date(ms).toISOString().slice(0, 10) : '';
}

/** Splits text at spaces into at most maxLines lines of about perLine characters (the last one cut with an ellipsis). */
export function wrapWords(text: string, perLine: number, maxLines: number): string[] {
  const lines: string[] = [];
  let cur = '';
  for (const word of text.split(/\s+/)) {
    if (cur !== '' && cur.length + 1 + word.length > perLine) {
      lines.push(cur);
      cur = word;
    } else cur = cur === '' ? word : `${cur} ${word}`;
  }
  if (cur !== '') lines.push(cur);
  if (lines.length > maxLines) {
    lines.length = maxLines;
    lines[maxLines - 1] = `${lines[maxLines - 1]!.slice(0, Math.max(0, perLine - 1))}…`;
  }
  return lines.map((l) => (l.length > perLine ? `${l.slice(0, Math.max(0, perLine - 1))}…` : l));
}

/** The colour of series i: its own, or the palette's. */
export function seriesColorHex(s: ChartSeries, i: number): string {
  return s.color !== undefined ? rgbToHex(parseHexColor(s.color, `series[${i}].color`)) : SERIES_PALETTE[i % SERIES_PALETTE.length]!;
}

/**
 * The chart as an ECharts option. Each series is reduced to the first, lowest, highest and
 * last point of each plot-width slice of x (M4, page-downsample.ts), so the picture is the
 * full data's at this size; a non-finite value breaks the line there.
 */
export function lineChartOption(opts: LineChartOptions): EChartsOption {
  const c = checkLineChart(opts);
  const plotW = Math.max(10, c.width - GRID.left - GRID.right);
  let xLo = Infinity;
  let xHi = -Infinity;
  const data = c.series.map((s) => {
    const d = pageSeriesData(s, plotW);
    for (let i = 0; i < d.x.length; i++) {
      if (d.y[i] === null) continue;
      if (d.x[i]! < xLo) xLo = d.x[i]!;
      if (d.x[i]! > xHi) xHi = d.x[i]!;
    }
    return d.x.map((x, i) => [x, d.y[i] ?? null]);
  });
  const hasData = xLo <= xHi;
  let xName = c.xLabel ?? '';
  if (c.xIsTime) {
    const d0 = hasData ? utcDate(xLo) : '';
    const d1 = hasData ? utcDate(xHi) : '';
    const when = d0 === '' ? 'UTC' : d0 === d1 ? `UTC, ${d0}` : `UTC, ${d0} to ${d1}`;
    xName = `${c.xLabel ?? 'time'} (${when})`;
  }
  // a single instant on a time axis spans one second either side
  const single = c.xIsTime && hasData && xLo === xHi;
  // text widths estimated (DejaVu Sans at 11 px: under 7 px per character) to wrap the
  // subtitle and leave room above the plot
  const subtitle = c.subtitle === undefined || c.subtitle === '' ? [] : wrapWords(c.subtitle, Math.floor((c.width - 40) / 7), 6);
  const subLines = subtitle.length;
  const legendTop = 36 + 16 * subLines + (subLines > 0 ? 6 : 0);
  const legendRows = Math.min(4, Math.ceil(c.series.reduce((w, s) => w + 40 + s.name.length * 7, 0) / Math.max(1, c.width - 40)));
  const top = legendTop + 22 * Math.max(1, legendRows) + 16;
  return {
    animation: false,
    backgroundColor: '#ffffff',
    useUTC: true,
    textStyle: { fontFamily: CHART_FONT_CSS },
    color: c.series.map((s, i) => seriesColorHex(s, i)),
    title: {
      text: c.title, left: 'center', top: 8, itemGap: 6,
      textStyle: { fontSize: 16, fontWeight: 'bold', color: '#222222', width: c.width - 40, overflow: 'truncate' },
      ...(subLines > 0 ? { subtext: subtitle.join('\n'), subtextStyle: { fontSize: 11, lineHeight: 16, color: '#555555' } } : {}),
    },
    legend: { top: legendTop, left: 'center', width: c.width - 40, itemGap: 16, textStyle: { color: '#333333' }, data: c.series.map((s) => s.name) },
    grid: { left: GRID.left, right: GRID.right, top, bottom: GRID.bottom, containLabel: false },
    xAxis: {
      type: c.xIsTime ? 'time' : 'value',
      name: xName,
      nameLocation: 'middle',
      nameGap: 32,
      scale: true,
      ...(single ? { min: xLo - 1000, max: xHi + 1000 } : hasData ? { min: xLo, max: xHi } : {}),
      axisLine: { onZero: false, lineStyle: { color: '#444444' } },
      // a tick on midnight says the date (MM-dd), not ECharts' default day of the month alone ("9")
      axisLabel: { color: '#333333', hideOverlap: true, ...(c.xIsTime ? { formatter: TIME_LABELS } : {}) },
      splitLine: { show: true, lineStyle: { color: '#e5e5e5' } },
    },
    yAxis: {
      type: 'value',
      name: c.yLabel ?? '',
      nameLocation: 'middle',
      nameGap: 70,
      scale: true,
      axisLine: { show: true, onZero: false, lineStyle: { color: '#444444' } },
      axisLabel: { color: '#333333' },
      splitLine: { lineStyle: { color: '#e5e5e5' } },
    },
    series: c.series.map((s, i) => {
      const color = seriesColorHex(s, i);
      if (s.style === 'points') {
        return { type: 'scatter', name: s.name, data: data[i], symbolSize: 7, large: true, largeThreshold: 200, itemStyle: { color, opacity: 0.9 }, z: 3 };
      }
      return {
        type: 'line', name: s.name, data: data[i], showSymbol: false, connectNulls: false, step: s.style === 'step' ? 'end' : false,
        lineStyle: { width: 1.5, color }, itemStyle: { color }, emphasis: { disabled: true },
      };
    }),
    ...(hasData ? {} : { graphic: [{ type: 'text', left: 'center', top: 'middle', style: { text: 'no data', fill: '#777777', fontSize: 16 } }] }),
  } as EChartsOption;
}

/** The chart as an SVG document (ids prefixed with `idPrefix`, for several SVGs in one page). */
export function renderLineChartSvg(opts: LineChartOptions, idPrefix = 'c'): string {
  const c = checkLineChart(opts);
  return renderOptionSvg(lineChartOption(opts), c.width, c.height, idPrefix);
}

/** The chart as PNG bytes (default 1000x500): the SVG of renderLineChartSvg, rasterised. */
export function renderLineChartPng(opts: LineChartOptions): Buffer {
  return svgToPng(renderLineChartSvg(opts));
}
