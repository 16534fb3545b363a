// A small RGBA raster with the drawing primitives the charts need: filled rectangles,
// alpha-blended pixels, and an anti-aliased coverage mask for lines and points.

import type { Rgb } from './color.js';

export class Raster {
  readonly width: number;
  readonly height: number;
  /** RGBA, 4 bytes per pixel, rows top to bottom. */
  readonly rgba: Uint8Array;

  constructor(width: number, height: number, background: Rgb) {
    this.width = width;
    this.height = height;
    this.rgba = new Uint8Array(width * height * 4);
    const px = Uint8Array.of(background.r, background.g, background.b, 255);
    for (let i = 0; i < this.rgba.length; i += 4) this.rgba.set(px, i);
  }

  /** Sets pixel (x, y) to `c` blended with weight `alpha` (0..1). Out-of-bounds is ignored. */
  blend(x: number, y: number, c: Rgb, alpha = 1): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || !(alpha > 0)) return;
    const i = ((y | 0) * this.width + (x | 0)) * 4;
    const p = this.rgba;
    if (alpha >= 1) {
      p[i] = c.r;
      p[i + 1] = c.g;
      p[i + 2] = c.b;
    } else {
      p[i] = Math.round(p[i]! + (c.r - p[i]!) * alpha);
      p[i + 1] = Math.round(p[i + 1]! + (c.g - p[i + 1]!) * alpha);
      p[i + 2] = Math.round(p[i + 2]! + (c.b - p[i + 2]!) * alpha);
    }
    p[i + 3] = 255;
  }

  /** Reads pixel (x, y) as an Rgb (tests and text colour choice). */
  get(x: number, y: number): Rgb {
    const i = (y * this.width + x) * 4;
    return { r: this.rgba[i]!, g: this.rgba[i + 1]!, b: this.rgba[i + 2]! };
  }

  /** Fills the integer rectangle [x, x+w) x [y, y+h), clipped to the raster. */
  fillRect(x: number, y: number, w: number, h: number, c: Rgb, alpha = 1): void {
    const x0 = Math.max(0, Math.round(x));
    const y0 = Math.max(0, Math.round(y));
    const x1 = Math.min(this.width, Math.round(x + w));
    const y1 = Math.min(this.height, Math.round(y + h));
    for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.blend(xx, yy, c, alpha);
  }

  /** One-pixel horizontal line from x0 to x1 inclusive. */
  hline(x0: number, x1: number, y: number, c: Rgb, alpha = 1): void {
    this.fillRect(Math.min(x0, x1), y, Math.abs(x1 - x0) + 1, 1, c, alpha);
  }

  /** One-pixel vertical line from y0 to y1 inclusive. */
  vline(x: number, y0: number, y1: number, c: Rgb, alpha = 1): void {
    this.fillRect(x, Math.min(y0, y1), 1, Math.abs(y1 - y0) + 1, c, alpha);
  }

  /** Outline of a rectangle `thickness` pixels wide, drawn inside [x, x+w) x [y, y+h). */
  strokeRect(x: number, y: number, w: number, h: number, c: Rgb, thickness = 1): void {
    this.fillRect(x, y, w, thickness, c);
    this.fillRect(x, y + h - thickness, w, thickness, c);
    this.fillRect(x, y, thickness, h, c);
    this.fillRect(x + w - thickness, y, thickness, h, c);
  }

  /** Paints `c` through a coverage mask whose top-left corner sits at (ox, oy). */
  composite(mask: CoverageMask, ox: number, oy: number, c: Rgb): void {
    const cov = mask.coverage;
    for (let y = 0; y < mask.height; y++) {
      const row = y * mask.width;
      for (let x = 0; x < mask.width; x++) {
        const a = cov[row + x]!;
        if (a > 0) this.blend(ox + x, oy + y, c, a / 255);
      }
    }
  }
}

/**
 * Coverage (0..255 per pixel) for one series. Shapes are drawn with max() so that joints of
 * consecutive segments and overlapping points do not darken; the mask is then composited
 * once in the series colour.
 */
export class CoverageMask {
  readonly width: number;
  readonly height: number;
  readonly coverage: Uint8Array;

  constructor(width: number, height: number) {
    this.width = width;
    this.height = height;
    this.coverage = new Uint8Array(width * height);
  }

  private put(x: number, y: number, a: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || a <= 0) return;
    const i = y * this.width + x;
    const v = a >= 1 ? 255 : Math.round(a * 255);
    if (v > this.coverage[i]!) this.coverage[i] = v;
  }

  /**
   * Anti-aliased line of width `lineWidthPx` between pixel-centre coordinates. Walks the
   * major axis one pixel at a time; across it, coverage falls off linearly with the distance
   * from the centre line (thickness measured along the minor axis is w * sqrt(1 + slope^2)).
   */
  line(x0: number, y0: number, x1: number, y1: number, lineWidthPx: number): void {
    if (![x0, y0, x1, y1].every(Number.isFinite)) return;
    const dx = x1 - x0;
    const dy = y1 - y0;
    const steep = Math.abs(dy) > Math.abs(dx);
    // Parametrise along the major axis: u is the major coordinate, v the minor.
    let u0 = steep ? y0 : x0;
    let v0 = steep ? x0 : y0;
    let u1 = steep ? y1 : x1;
    let v1 = steep ? x1 : y1;
    if (u1 < u0) {
      [u0, u1] = [u1, u0];
      [v0, v1] = [v1, v0];
    }
    const limitU = steep ? this.height : this.width;
    const limitV = steep ? this.width : this.height;
    const slope = u1 === u0 ? 0 : (v1 - v0) / (u1 - u0);
    const half = (lineWidthPx * Math.sqrt(1 + slope * slope)) / 2;
    const ua = Math.max(0, Math.round(u0));
    const ub = Math.min(limitU - 1, Math.round(u1));
    for (let u = ua; u <= ub; u++) {
      const t = Math.min(u1, Math.max(u0, u));
      const vc = v0 + slope * (t - u0);
      const va = Math.max(0, Math.floor(vc - half - 1));
      const vb = Math.min(limitV - 1, Math.ceil(vc + half + 1));
      for (let v = va; v <= vb; v++) {
        const a = Math.min(1, half + 0.5 - Math.abs(v - vc));
        if (steep) this.put(v, u, a);
        else this.put(u, v, a);
      }
    }
  }

  /** Filled anti-aliased disc. */
  disc(cx: number, cy: number, radiusPx: number): void {
    if (!Number.isFinite(cx) || !Number.isFinite(cy)) return;
    const x0 = Math.max(0, Math.floor(cx - radiusPx - 1));
    const x1 = Math.min(this.width - 1, Math.ceil(cx + radiusPx + 1));
    const y0 = Math.max(0, Math.floor(cy - radiusPx - 1));
    const y1 = Math.min(this.height - 1, Math.ceil(cy + radiusPx + 1));
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = Math.sqrt((x - cx) * (x - cx) + (y - cy) * (y - cy));
        this.put(x, y, Math.min(1, radiusPx + 0.5 - d));
      }
    }
  }
}
