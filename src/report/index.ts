// Research report rendering: PNG charts drawn without native modules, and a self-contained
// HTML report with interactive uPlot charts. See docs/report.md.

export type {
  ChartSeries, LineChartOptions, HeatmapOptions, HtmlReportOptions, ReportChart, ReportTable, ReportImage,
} from './types.js';
export { renderLineChartPng, DEFAULT_CHART_WIDTH_PX, DEFAULT_CHART_HEIGHT_PX } from './line-chart.js';
export { encodePng, crc32, pngChunk, PNG_SIGNATURE, type PngImage } from './png.js';
export { Raster, CoverageMask } from './raster.js';
export { drawText, textWidthPx, fitText, hasGlyph } from './font.js';
export { niceTicks, timeTicks, padRange, finiteExtent, formatNumberTicks, formatValue, formatUtcTick, niceStepAtLeast, type AxisRange, type Ticks } from './ticks.js';
export { m4Indices, GAP } from './downsample.js';
export { parseHexColor, viridis, blueWhiteRed, SERIES_PALETTE, type Rgb } from './color.js';
export { renderHeatmapPng, heatScale, bestCell, DEFAULT_HEATMAP_WIDTH_PX, DEFAULT_HEATMAP_HEIGHT_PX, type HeatScale } from './heatmap.js';
export { renderHtmlReport, escapeHtml, jsonForScript } from './html.js';
export { pageSeriesData, PAGE_MAX_BUCKETS, type PageSeriesData } from './page-downsample.js';
