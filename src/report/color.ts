// Colours: '#rrggbb' parsing, the default series palette, and the heat-map colour scales.

import { SpreadcoreError } from '../errors.js';

/** An opaque colour as 0..255 channels. */
export interface Rgb {
  r: number;
  g: number;
  b: number;
}

/** Parses '#rrggbb' (or '#rgb'); the error names the field that held the bad value. */
export function parseHexColor(text: string, field: string): Rgb {
  const m6 = /^#([0-9a-fA-F]{6})$/.exec(text);
  if (m6) {
    const n = parseInt(m6[1]!, 16);
    return { r: (n >> 16) & 255, g: (n >> 8) & 255, b: n & 255 };
  }
  const m3 = /^#([0-9a-fA-F]{3})$/.exec(text);
  if (m3) {
    const h = m3[1]!;
    const ch = (i: number): number => parseInt(h[i]! + h[i]!, 16);
    return { r: ch(0), g: ch(1), b: ch(2) };
  }
  throw new SpreadcoreError('SPREADCORE_ERR_BAD_CHART', `${field} ${JSON.stringify(text)} is not a '#rrggbb' colour`);
}

export function rgbToHex(c: Rgb): string {
  const h = (v: number): string => Math.round(v).toString(16).padStart(2, '0');
  return `#${h(c.r)}${h(c.g)}${h(c.b)}`;
}

/**
 * Default series colours (used in order when a series has no colour): a qualitative palette
 * with good contrast on white, in the spirit of the Tableau 10 set.
 */
export const SERIES_PALETTE: readonly string[] = [
  '#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd',
  '#8c564b', '#e377c2', '#17becf', '#7f7f7f', '#bcbd22',
];

export function seriesColor(index: number, explicit: string | undefined, field: string): Rgb {
  if (explicit !== undefined) return parseHexColor(explicit, field);
  return parseHexColor(SERIES_PALETTE[index % SERIES_PALETTE.length]!, field);
}

/** Relative luminance (sRGB, WCAG 2 definition) in 0..1; picks black or white text on a fill. */
export function luminance(c: Rgb): number {
  const lin = (v: number): number => {
    const s = v / 255;
    return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
  };
  return 0.2126 * lin(c.r) + 0.7152 * lin(c.g) + 0.0722 * lin(c.b);
}

function lerpStops(stops: readonly (readonly [number, number, number])[], t: number): Rgb {
  const u = Math.min(1, Math.max(0, Number.isFinite(t) ? t : 0)) * (stops.length - 1);
  const i = Math.min(stops.length - 2, Math.floor(u));
  const f = u - i;
  const a = stops[i]!;
  const b = stops[i + 1]!;
  return {
    r: Math.round(a[0] + (b[0] - a[0]) * f),
    g: Math.round(a[1] + (b[1] - a[1]) * f),
    b: Math.round(a[2] + (b[2] - a[2]) * f),
  };
}

// Viridis, sampled at 9 evenly spaced points (values from matplotlib's `viridis` colour map by
// van der Walt & Smith, CC0). Perceptually uniform and readable in greyscale.
const VIRIDIS: readonly (readonly [number, number, number])[] = [
  [68, 1, 84], [71, 44, 122], [59, 81, 139], [44, 113, 142], [33, 144, 141],
  [39, 173, 129], [92, 200, 99], [170, 220, 50], [253, 231, 37],
];

// Diverging blue-white-red (the ColorBrewer "RdBu" scheme, 9 classes, reversed so that low is
// blue and high is red; colours by Cynthia Brewer, colorbrewer2.org).
const RDBU: readonly (readonly [number, number, number])[] = [
  [33, 102, 172], [67, 147, 195], [146, 197, 222], [209, 229, 240], [247, 247, 247],
  [253, 219, 199], [244, 165, 130], [214, 96, 77], [178, 24, 43],
];

/** Sequential scale: t in 0..1 (low to high). */
export function viridis(t: number): Rgb {
  return lerpStops(VIRIDIS, t);
}

/** Diverging scale: t in 0..1 with 0.5 the neutral middle. */
export function blueWhiteRed(t: number): Rgb {
  return lerpStops(RDBU, t);
}
