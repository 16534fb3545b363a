// The uPlot library (installed npm package `uplot`) read from node_modules at runtime, for
// inlining into the self-contained HTML report.

import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { SpreadcoreError } from '../errors.js';

export interface UplotAssets {
  js: string;
  css: string;
}

let cached: UplotAssets | undefined;

/** uPlot's minified browser build (defines the global `uPlot`) and its stylesheet. */
export function uplotAssets(): UplotAssets {
  if (cached) return cached;
  const require = createRequire(import.meta.url);
  let js: string;
  let css: string;
  try {
    js = readFileSync(require.resolve('uplot/dist/uPlot.iife.min.js'), 'utf8');
    css = readFileSync(require.resolve('uplot/dist/uPlot.min.css'), 'utf8');
  } catch (e) {
    throw new SpreadcoreError('SPREADCORE_ERR_IO', `cannot read the uplot package for the HTML report: ${(e as Error).message}`);
  }
  // Inlined verbatim, so it must not be able to end its own element early.
  if (/<\/script|<!--/i.test(js) || /<\/style/i.test(css)) {
    throw new SpreadcoreError('SPREADCORE_ERR_INTERNAL', 'the uplot build contains a closing tag and cannot be inlined');
  }
  cached = { js, css };
  return cached;
}
