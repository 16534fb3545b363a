// Heat maps: one ECharts option drawn as SVG and rasterised to PNG, checked on the decoded
// pixels (report-png-reader.ts) and on the option: the best cell outlined, no-result cells
// hatched grey, viridis for one sign, blue-white-red around zero for both.
import { describe, expect, it } from 'vitest';
import { bestCell, heatmapOption, renderHeatmapPng, renderHeatmapSvg } from '../src/report/index.js';
import { rgbToHex } from '../src/report/color.js';
import { heatScale } from '../src/report/heatmap.js';
import { decodePng, findPixels, pixel, type DecodedPng } from './report-png-reader.js';
import { spreadcoreErrorOf } from './support/thrown.js';

type Box = { x0: number; y0: number; x1: number; y1: number };

function bbox(points: { x: number; y: number }[]): Box {
  expect(points.length).toBeGreaterThan(0);
  const xs = points.map((p) => p.x);
  const ys = points.map((p) => p.y);
  return { x0: Math.min(...xs), y0: Math.min(...ys), x1: Math.max(...xs), y1: Math.max(...ys) };
}

const BLACK: [number, number, number] = [0, 0, 0];

/** The best-cell outline: black pixels in horizontal runs of 20+ px (cell text is shorter). */
function outlineBox(png: DecodedPng): Box {
  const black = findPixels(png, BLACK);
  const set = new Set(black.map((p) => p.y * png.width + p.x));
  const inRun = (p: { x: number; y: number }): boolean => {
    let a = p.x;
    let b = p.x;
    while (set.has(p.y * png.width + a - 1)) a--;
    while (set.has(p.y * png.width + b + 1)) b++;
    return b - a + 1 >= 20;
  };
  return bbox(black.filter(inRun));
}
const NO_RESULT: [number, number, number] = [238, 238, 238];

function render(z: (number | null)[][], extra: Partial<Parameters<typeof renderHeatmapPng>[0]> = {}): DecodedPng {
  return decodePng(
    renderHeatmapPng({
      title: 'sweep',
      xName: 'spreadMult',
      yName: 'gamma',
      zName: 'pnl',
      xValues: z[0]!.map((_, i) => i + 1),
      yValues: z.map((_, i) => (i + 1) * 10),
      z,
      width: 640,
      height: 420,
      ...extra,
    }),
  );
}

function codeOf(f: () => unknown): string {
  const e = spreadcoreErrorOf(f);
  return `${e.code}: ${e.message}`;
}

describe('renderHeatmapPng', () => {
  it('outlines the maximum, hatches the null cell, and colours min and max with the ends of the scale', () => {
    // z[yi][xi]; yi = 0 is drawn at the bottom. Max at (yi 0, xi 3): bottom right.
    // No result at (yi 2, xi 0): top left. Min (0) everywhere else but one cell.
    const z = [
      [0, 0, 0, 10],
      [0, 1, 0, 0],
      [null, 0, 0, 0],
    ];
    const png = render(z);
    const g = heatmapOption({ title: 'sweep', xName: 'a', yName: 'b', zName: 'c', xValues: [1, 2, 3, 4], yValues: [1, 2, 3], z, width: 640, height: 420 }).grid as
      { left: number; right: number; top: number; bottom: number };
    const cw = (640 - g.left - g.right) / 4;
    const ch = (420 - g.top - g.bottom) / 3;
    const cell = (xi: number, yi: number): Box => {
      const x0 = Math.round(g.left + xi * cw);
      const y0 = Math.round(g.top + (2 - yi) * ch);
      return { x0, y0, x1: Math.round(x0 + cw) - 1, y1: Math.round(y0 + ch) - 1 };
    };
    // The best cell: the top of viridis inside (a corner, away from the printed value), black on its edges.
    const best = cell(3, 0);
    expect(pixel(png, best.x0 + 12, best.y0 + 12)).toEqual([253, 231, 37]);
    const outline = outlineBox(png);
    expect(Math.abs(outline.x0 - best.x0)).toBeLessThanOrEqual(3);
    expect(Math.abs(outline.x1 - best.x1)).toBeLessThanOrEqual(3);
    expect(Math.abs(outline.y0 - best.y0)).toBeLessThanOrEqual(3);
    expect(Math.abs(outline.y1 - best.y1)).toBeLessThanOrEqual(3);
    // A zero cell is the bottom of viridis; the value-1 cell is between the two.
    expect(pixel(png, cell(2, 2).x0 + 12, cell(2, 2).y0 + 12)).toEqual([68, 1, 84]);
    expect(pixel(png, cell(1, 1).x0 + 12, cell(1, 1).y0 + 12)).not.toEqual([68, 1, 84]);
    // The null cell: the no-result grey with darker hatching lines, nothing else.
    const nul = cell(0, 2);
    const inner = { x0: nul.x0 + 3, y0: nul.y0 + 3, x1: nul.x1 - 3, y1: nul.y1 - 3 };
    const area = (inner.x1 - inner.x0) * (inner.y1 - inner.y0);
    const grey = findPixels(png, NO_RESULT, 0, inner).length;
    const hatch = findPixels(png, [187, 187, 187], 40, inner).length;
    expect(grey).toBeGreaterThan(area * 0.4);
    expect(hatch).toBeGreaterThan(area * 0.05);
    expect(grey + hatch).toBeGreaterThan(area * 0.85); // the rest: anti-aliased edges of the hatching
    expect(findPixels(png, [68, 1, 84], 30, inner)).toEqual([]);
    // The colour bar is to the right of the grid and spans the scale: both ends present there.
    const right = { x0: best.x1 + 5, y0: 0, x1: png.width, y1: png.height };
    expect(findPixels(png, [253, 231, 37], 2, right).length).toBeGreaterThan(0);
    expect(findPixels(png, [68, 1, 84], 2, right).length).toBeGreaterThan(0);
  });

  it('says where the best cell is under the title, and the SVG carries the names and values', () => {
    const opts = { title: 'sweep: best pnl', xName: 'spread_bps', yName: 'max_position', zName: 'pnl', xValues: [1, 2], yValues: [0.01, 0.02], z: [[1.5, null], [-2, 117.75]] };
    const svg = renderHeatmapSvg(opts);
    for (const t of ['sweep: best pnl', 'best (outlined): spread_bps=2, max_position=0.02, pnl=117.75', 'spread_bps', 'max_position', '117.75', '1.5', 'no result (1)']) expect(svg).toContain(t);
    const o = heatmapOption(opts);
    const data = (o.series as { data: unknown[] }[])[0]!.data;
    expect(data).toContainEqual({ value: [1, 1, 117.75], itemStyle: { borderColor: '#000000', borderWidth: 3 } });
    expect((o.series as { data: unknown[] }[])[1]!.data).toEqual([[1, 0, 0]]);
    expect(renderHeatmapSvg(opts)).toBe(svg);
  });

  it('uses a diverging scale around zero when values have both signs', () => {
    const png = render([[-5, 0, 5]], { width: 600, height: 300 });
    const outline = outlineBox(png);
    const cellW = outline.x1 - outline.x0 + 1;
    const sample = (xi: number): [number, number, number] => pixel(png, outline.x0 + 8 - (2 - xi) * (cellW + 1), outline.y0 + 8);
    const [nr, , nb] = sample(0);
    const [zr, zg, zb] = sample(1);
    const [pr, , pb] = sample(2);
    expect(nb).toBeGreaterThan(nr + 80); // negative: blue
    expect(Math.min(zr, zg, zb)).toBeGreaterThan(235); // zero: near white
    expect(pr).toBeGreaterThan(pb + 80); // positive: red, and outlined as the best
  });

  it('draws a diverging colour bar from the smallest to the largest value, in the colours of those cells', () => {
    // both signs, one much larger in magnitude: the largest value (0.1) is nearly white, and the
    // bar's top end, labelled with it, must be nearly white too (not the red of +2)
    const o = heatmapOption({ title: 'sweep', xName: 'a', yName: 'b', zName: 'pnl', xValues: [1, 2], yValues: [1], z: [[-2, 0.1]] });
    const vm = (o.visualMap as { min: number; max: number; text?: string[]; inRange: { color: string[] } }[])[0]!;
    expect(vm.min).toBe(-2);
    expect(vm.max).toBe(0.1);
    expect(vm.text).toEqual(['pnl max 0.1', 'min -2']);
    const colors = vm.inRange.color;
    const scale = heatScale(-2, 0.1);
    expect(colors[0]).toBe(rgbToHex(scale.color(-2)));
    expect(colors[colors.length - 1]).toBe(rgbToHex(scale.color(0.1)));
    const top = parseInt(colors[colors.length - 1]!.slice(1), 16);
    expect(Math.min(top >> 16, (top >> 8) & 255, top & 255)).toBeGreaterThan(220); // near white
  });

  it('treats NaN and Infinity as no result: the best cell is the largest finite value', () => {
    const z = [
      [1, Infinity, 3],
      [NaN, 2, -Infinity],
    ];
    expect(bestCell(z)).toEqual([0, 2]);
    const png = render(z);
    const outline = outlineBox(png);
    const missing = findPixels(png, NO_RESULT, 0, { x0: 0, y0: 0, x1: outline.x1, y1: png.height });
    // Hatched: (yi 1, xi 0) and (yi 1, xi 2) in the top row, (yi 0, xi 1) left of the outline.
    expect(missing.some((p) => p.x >= outline.x0 && p.x <= outline.x1 && p.y < outline.y0)).toBe(true);
    expect(missing.some((p) => p.y >= outline.y0 && p.y <= outline.y1 && p.x < outline.x0)).toBe(true);
    // The top-left cell is hatched too, the bottom-left (value 1) is not.
    const left = bbox(missing);
    expect(missing.some((p) => p.x === left.x0 + 5 && p.y > outline.y0)).toBe(false);
  });

  it('draws a grid without any result with no outline, and never crashes on odd shapes and values', () => {
    const allNull = render([
      [null, null],
      [null, null],
    ]);
    expect(findPixels(allNull, BLACK)).toEqual([]);
    expect(findPixels(allNull, NO_RESULT).length).toBeGreaterThan(1000);
    expect(bestCell([[null]])).toBeNull();
    // Single cell, all equal, huge magnitudes, many cells, tiny image, empty grid.
    for (const z of [[[4]], [[2, 2], [2, 2]], [[1e300, -1e300], [1e-300, 0]]]) {
      const png = render(z);
      expect(png.width).toBe(640);
    }
    const big = Array.from({ length: 60 }, (_, yi) => Array.from({ length: 80 }, (_, xi) => Math.sin(xi / 7) * Math.cos(yi / 5)));
    expect(render(big).height).toBe(420);
    expect(render([[1, 2]], { width: 160, height: 120 }).width).toBe(160);
    const empty = decodePng(renderHeatmapPng({ title: 'e', xName: 'a', yName: 'b', zName: 'c', xValues: [], yValues: [], z: [] }));
    expect([empty.width, empty.height]).toEqual([900, 600]);
  });

  it('rejects grids that do not match the parameter values with a coded error naming the field', () => {
    const base = { title: 't', xName: 'a', yName: 'b', zName: 'c', xValues: [1, 2], yValues: [1] };
    expect(codeOf(() => renderHeatmapPng({ ...base, z: [] }))).toMatch(/SPREADCORE_ERR_BAD_CHART: z has 0 rows but yValues has 1/);
    expect(codeOf(() => renderHeatmapPng({ ...base, z: [[1]] }))).toMatch(/z\[0\] has 1 values but xValues has 2/);
    expect(codeOf(() => renderHeatmapPng({ ...base, z: [[1, 'x' as unknown as number]] }))).toMatch(/z\[0\]\[1\]/);
    expect(codeOf(() => renderHeatmapPng({ ...base, xValues: 'no' as unknown as number[], z: [[1, 2]] }))).toMatch(/xValues must be an array/);
    expect(codeOf(() => renderHeatmapPng({ ...base, z: [[1, 2]], width: 50 }))).toMatch(/width must be an integer/);
    expect(codeOf(() => renderHeatmapPng(null as unknown as Parameters<typeof renderHeatmapPng>[0]))).toMatch(/must be an object/);
  });
});
