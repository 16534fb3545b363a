// Shared look of the PNG charts: colours and sizes derived from the image size.

import type { Rgb } from './color.js';

export const WHITE: Rgb = { r: 255, g: 255, b: 255 };
export const TEXT: Rgb = { r: 34, g: 34, b: 34 };
export const MUTED_TEXT: Rgb = { r: 90, g: 90, b: 90 };
export const AXIS: Rgb = { r: 68, g: 68, b: 68 };
export const GRID: Rgb = { r: 229, g: 229, b: 229 };
export const ZERO_LINE: Rgb = { r: 190, g: 190, b: 190 };
export const NO_RESULT_FILL: Rgb = { r: 238, g: 238, b: 238 };
export const NO_RESULT_HATCH: Rgb = { r: 190, g: 190, b: 190 };

/** Sizes for one image: text at scale 2 on charts of ordinary size, scale 1 on small ones. */
export interface Metrics {
  /** Font scale for tick labels, legend and axis labels. */
  text: number;
  /** Font scale for the title. */
  title: number;
  /** Outer padding in pixels. */
  pad: number;
  /** Height of one line of label text including descenders. */
  lineH: number;
}

export function metricsFor(widthPx: number, heightPx: number): Metrics {
  const text = widthPx >= 560 && heightPx >= 280 ? 2 : 1;
  const title = text;
  return { text, title, pad: 8 * text, lineH: 9 * text };
}
