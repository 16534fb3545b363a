// Research report rendering: charts defined once as Apache ECharts options, drawn as SVG
// (ECharts' server-side renderer) and rasterised to PNG (resvg) with the DejaVu Sans font
// from its npm package; and a self-contained HTML report with interactive uPlot charts and
// the inline SVGs. See docs/report.md.

export type {
  ChartSeries, LineChartOptions, HeatmapOptions, HtmlReportOptions, ReportChart, ReportTable, ReportImage,
} from './types.js';
export {
  renderLineChartPng, renderLineChartSvg, lineChartOption, checkLineChart, DEFAULT_CHART_WIDTH_PX, DEFAULT_CHART_HEIGHT_PX,
} from './line-chart.js';
export {
  renderHeatmapPng, renderHeatmapSvg, heatmapOption, heatScale, bestCell, formatValue, DEFAULT_HEATMAP_WIDTH_PX, DEFAULT_HEATMAP_HEIGHT_PX, type HeatScale,
} from './heatmap.js';
export { renderOptionSvg, svgToPng, chartFontFiles, CHART_FONT_FAMILY } from './svg-render.js';
export { m4Indices, GAP } from './downsample.js';
export { parseHexColor, viridis, blueWhiteRed, SERIES_PALETTE, type Rgb } from './color.js';
export { renderHtmlReport, escapeHtml, jsonForScript } from './html.js';
export { pageSeriesData, PAGE_MAX_BUCKETS, type PageSeriesData } from './page-downsample.js';
