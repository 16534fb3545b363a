// `--report DIR`: result.json (the --json document), equity.png (the main chart, for
// terminals and CI artifacts) and report.html (self-contained, interactive charts,
// the metrics and the fills). Everything is rendered in memory first; the files are
// written only once all of it succeeded.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SpreadcoreError } from '../errors.js';
import { renderLineChartPng } from '../report/index.js';
import { mainChart } from './backtest-charts.js';
import { backtestJsonText } from './backtest-json.js';
import { backtestHtml } from './backtest-html.js';
import type { BacktestResult } from './backtest-result.js';

export const REPORT_FILES = ['report.html', 'equity.png', 'result.json'] as const;

export interface ReportFiles {
  html: string;
  png: Buffer;
  json: string;
}

export function renderBacktestReport(r: BacktestResult): ReportFiles {
  const png = renderLineChartPng(mainChart(r));
  return { png, json: `${backtestJsonText(r)}\n`, html: backtestHtml(r, png) };
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
  write('equity.png', files.png);
  write('report.html', files.html);
  return written;
}
