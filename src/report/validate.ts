// Input checks shared by the renderers. Bad input raises SPREADCORE_ERR_BAD_CHART naming the
// field and the value; non-finite data values are not errors (they are skipped when drawn).

import { SpreadcoreError } from '../errors.js';
import { parseHexColor } from './color.js';
import type { ChartSeries } from './types.js';

export const MIN_WIDTH_PX = 160;
export const MIN_HEIGHT_PX = 120;
export const MAX_SIDE_PX = 8000;

export function badChart(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_CHART', message);
}

function show(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v.length > 60 ? v.slice(0, 60) + '...' : v);
  if (typeof v === 'number' || typeof v === 'boolean' || v === null || v === undefined) return String(v);
  return Array.isArray(v) ? 'an array' : typeof v;
}

export function requireObject(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw badChart(`${field} must be an object, got ${show(v)}`);
  return v as Record<string, unknown>;
}

export function requireString(v: unknown, field: string): string {
  if (typeof v !== 'string') throw badChart(`${field} must be a string, got ${show(v)}`);
  return v;
}

export function optionalString(v: unknown, field: string): string | undefined {
  return v === undefined ? undefined : requireString(v, field);
}

export function requireArray(v: unknown, field: string): unknown[] {
  if (!Array.isArray(v)) throw badChart(`${field} must be an array, got ${show(v)}`);
  return v;
}

/** Image side in pixels: an integer in [min, MAX_SIDE_PX], `fallback` when absent. */
export function sidePx(v: unknown, field: string, fallback: number, min: number): number {
  if (v === undefined) return fallback;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > MAX_SIDE_PX) {
    throw badChart(`${field} must be an integer number of pixels in ${min}..${MAX_SIDE_PX}, got ${show(v)}`);
  }
  return v;
}

function isArrayLike(v: unknown): v is ArrayLike<number> {
  if (typeof v !== 'object' || v === null) return false;
  const len = (v as { length?: unknown }).length;
  return typeof len === 'number' && Number.isInteger(len) && len >= 0;
}

/** Checks one series' shape (not its values: non-finite values are skipped when drawn). */
export function checkSeries(v: unknown, field: string): ChartSeries {
  const s = requireObject(v, field);
  requireString(s['name'], `${field}.name`);
  if (s['color'] !== undefined) parseHexColor(requireString(s['color'], `${field}.color`), `${field}.color`);
  if (!isArrayLike(s['x'])) throw badChart(`${field}.x must be an array of numbers, got ${show(s['x'])}`);
  if (!isArrayLike(s['y'])) throw badChart(`${field}.y must be an array of numbers, got ${show(s['y'])}`);
  const nx = (s['x'] as ArrayLike<number>).length;
  const ny = (s['y'] as ArrayLike<number>).length;
  if (nx !== ny) throw badChart(`${field}: x has ${nx} values but y has ${ny}`);
  const style = s['style'];
  if (style !== undefined && style !== 'line' && style !== 'step' && style !== 'points') {
    throw badChart(`${field}.style must be 'line', 'step' or 'points', got ${show(style)}`);
  }
  return s as unknown as ChartSeries;
}

export function checkSeriesList(v: unknown, field: string): ChartSeries[] {
  return requireArray(v, field).map((s, i) => checkSeries(s, `${field}[${i}]`));
}
