import { describe, expect, it } from 'vitest';
import { Raster, drawText, fitText, hasGlyph, textWidthPx } from '../src/report/index.js';

const WHITE = { r: 255, g: 255, b: 255 };
const INK = { r: 0, g: 0, b: 0 };

/** The inked pixels of one character drawn at scale 1, as rows of '#' and '.'. */
function bitmap(ch: string): string[] {
  const r = new Raster(8, 12, WHITE);
  drawText(r, ch, 1, 1, { color: INK });
  const rows: string[] = [];
  for (let y = 0; y < 12; y++) {
    let row = '';
    for (let x = 0; x < 8; x++) row += r.get(x, y).r === 0 ? '#' : '.';
    rows.push(row);
  }
  return rows;
}

describe('bitmap font', () => {
  it('draws the digit 1 as its 5x7 pattern at the requested position', () => {
    expect(bitmap('1').slice(0, 9)).toEqual([
      '........',
      '...#....',
      '..##....',
      '...#....',
      '...#....',
      '...#....',
      '...#....',
      '..###...',
      '........',
    ]);
  });

  it('has a distinct glyph for every printable ASCII character, inside a 5-wide, 9-high cell', () => {
    const seen = new Map<string, string>();
    for (let c = 32; c <= 126; c++) {
      const ch = String.fromCharCode(c);
      expect(hasGlyph(ch), ch).toBe(true);
      const rows = bitmap(ch);
      // Nothing outside columns 1..5 and rows 1..9 (the cell at the draw position).
      rows.forEach((row, y) => {
        for (let x = 0; x < row.length; x++) {
          if (row[x] === '#') {
            expect(x >= 1 && x <= 5 && y >= 1 && y <= 9, `${ch} at ${x},${y}`).toBe(true);
          }
        }
      });
      const key = rows.join('|');
      if (ch !== ' ') expect(seen.get(key), `${ch} looks like ${seen.get(key)}`).toBeUndefined();
      seen.set(key, ch);
    }
    expect(hasGlyph('\u00e9')).toBe(false);
  });

  it('measures, scales, rotates and shortens text', () => {
    expect(textWidthPx('')).toBe(0);
    expect(textWidthPx('ab')).toBe(11);
    expect(textWidthPx('ab', 2)).toBe(22);
    // Scale 2: the 1-pixel stem of "1" becomes 2 pixels wide.
    const r = new Raster(20, 20, WHITE);
    drawText(r, '1', 0, 0, { color: INK, scale: 2 });
    expect([r.get(4, 4).r, r.get(5, 4).r, r.get(6, 4).r]).toEqual([0, 0, 255]);
    // Vertical text runs upwards: "11" is taller than wide.
    const v = new Raster(20, 30, WHITE);
    drawText(v, '11', 2, 25, { color: INK, vertical: true });
    const inked: { x: number; y: number }[] = [];
    for (let y = 0; y < 30; y++) for (let x = 0; x < 20; x++) if (v.get(x, y).r === 0) inked.push({ x, y });
    const h = Math.max(...inked.map((p) => p.y)) - Math.min(...inked.map((p) => p.y)) + 1;
    const w = Math.max(...inked.map((p) => p.x)) - Math.min(...inked.map((p) => p.x)) + 1;
    expect(h).toBeGreaterThan(w);
    expect(Math.max(...inked.map((p) => p.y))).toBeLessThanOrEqual(25);
    expect(fitText('short', 100)).toBe('short');
    const cut = fitText('a rather long legend entry', 60);
    expect(cut.endsWith('...')).toBe(true);
    expect(textWidthPx(cut)).toBeLessThanOrEqual(60);
  });
});
