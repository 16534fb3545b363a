// Chart options to SVG (Apache ECharts' server-side SVG renderer) and SVG to PNG
// (resvg, through @resvg/resvg-js's prebuilt binaries). Text is set in DejaVu Sans from
// the `dejavu-fonts-ttf` package: the PNGs look the same on every machine, whatever
// fonts it has installed (system fonts are not loaded).
import { createRequire } from 'node:module';
import type * as ResvgJs from '@resvg/resvg-js';
import type * as ECharts from 'echarts';
import { SpreadcoreError } from '../errors.js';

// Both libraries load on the first chart, not with the CLI: every other command starts
// without them (ECharts' CommonJS bundle is one file, quicker to load than its ES modules).
const require = createRequire(import.meta.url);
let echartsLib: typeof ECharts | undefined;
let resvgLib: typeof ResvgJs | undefined;
const echarts = (): typeof ECharts => (echartsLib ??= require('echarts') as typeof ECharts);
const resvg = (): typeof ResvgJs => (resvgLib ??= require('@resvg/resvg-js') as typeof ResvgJs);

/** The font family every chart uses (the SVG names it; the PNG has it from the package). */
export const CHART_FONT_FAMILY = 'DejaVu Sans';
/** The CSS font list in the SVG: DejaVu Sans where the viewer has it, any sans-serif otherwise. */
export const CHART_FONT_CSS = `'${CHART_FONT_FAMILY}', 'Helvetica Neue', Arial, sans-serif`;

let fontFiles: string[] | undefined;

/** The TrueType files of the chart font (regular and bold). */
export function chartFontFiles(): string[] {
  if (fontFiles !== undefined) return fontFiles;
  try {
    fontFiles = ['DejaVuSans.ttf', 'DejaVuSans-Bold.ttf'].map((f) => require.resolve(`dejavu-fonts-ttf/ttf/${f}`));
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot find the chart font in the dejavu-fonts-ttf package: ${(e as Error).message}`);
  }
  return fontFiles;
}

/**
 * Renders an ECharts option to an SVG document of width x height pixels. ECharts numbers
 * its ids (clip paths, classes) per process; they are renamed `<idPrefix>0`, `<idPrefix>1`…
 * in order of appearance, so the same option gives the same bytes in any process, and SVGs
 * with different prefixes can sit in one HTML page.
 */
export function renderOptionSvg(option: ECharts.EChartsCoreOption, width: number, height: number, idPrefix = 'c'): string {
  const chart = echarts().init(null, null, { renderer: 'svg', ssr: true, width, height });
  let svg: string;
  try {
    chart.setOption(option);
    svg = chart.renderToSVGString();
  } finally {
    chart.dispose();
  }
  const ids = new Map<string, string>();
  return svg.replace(/\bzr\d+-[a-z]+-?\d+\b/g, (id) => {
    let v = ids.get(id);
    if (v === undefined) {
      v = `${idPrefix}${ids.size}`;
      ids.set(id, v);
    }
    return v;
  });
}

/** Rasterises an SVG document to PNG bytes at its own size, on white. */
export function svgToPng(svg: string): Buffer {
  const r = new (resvg().Resvg)(svg, {
    background: '#ffffff',
    font: { loadSystemFonts: false, fontFiles: chartFontFiles(), defaultFontFamily: CHART_FONT_FAMILY, sansSerifFamily: CHART_FONT_FAMILY },
  });
  return r.render().asPng();
}
