// `--report DIR`: result.json (the --json document), one PNG per chart named for what
// it shows — mid-fills.png (the first symbol's mid with our fills) and
// equity-drawdown.png (total P&L and its drawdown from the peak), for terminals and CI
// artifacts — and report.html (self-contained: interactive charts, the same two charts
// as inline SVG, the settings, the metrics and the fills). Everything is rendered in
// memory first; the files are written only once all of it succeeded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpreadcoreError } from '../errors.js';
import { renderLineChartSvg, svgToPng } from '../report/index.js';
import { equityDrawdownChart, midFillsChart } from './backtest-charts.js';
import { backtestJsonText } from './backtest-json.js';
import { backtestHtml } from './backtest-html.js';
import type { BacktestResult } from './backtest-result.js';

export const REPORT_FILES = ['report.html', 'mid-fills.png', 'equity-drawdown.png', 'result.json'] as const;

export interface ReportPng {
  /** File name, e.g. "mid-fills.png". */
  readonly name: string;
  readonly title: string;
  /** The chart as SVG: the HTML report inlines it; the PNG is this SVG rasterised. */
  readonly svg: string;
  readonly png: Buffer;
}

export interface ReportFiles {
  html: string;
  pngs: ReportPng[];
  json: string;
}

export function renderBacktestReport(r: BacktestResult): ReportFiles {
  const mid = midFillsChart(r);
  const eq = equityDrawdownChart(r);
  const chart = (name: string, title: string, svg: string): ReportPng => ({ name, title, svg, png: svgToPng(svg) });
  const pngs: ReportPng[] = [
    chart('mid-fills.png', mid.title, renderLineChartSvg(mid, 'midfills')),
    chart('equity-drawdown.png', eq.title, renderLineChartSvg(eq, 'equitydd')),
  ];
  return { pngs, json: `${backtestJsonText(r)}\n`, html: backtestHtml(r, pngs) };
}

/** Writes the report files into dir (created when missing). Throws SPREADCORE_ERR_IO naming the path. */
export function writeBacktestReport(dir: string, files: ReportFiles): string[] {
  const written: string[] = [];
  const write = (name: string, content: string | Buffer): void => {
    const path = join(dir, name);
    try {
      writeFileSync(path, content);
    } catch (e) {
      throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot write ${path}: ${(e as Error).message}`);
    }
    written.push(path);
  };
  try {
    mkdirSync(dir, { recursive: true });
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot create the report directory ${dir}: ${(e as Error).message}`);
  }
  write('result.json', files.json);
  for (const p of files.pngs) write(p.name, p.png);
  write('report.html', files.html);
  return written;
}
