// results.csv: RFC 4180 quoting, formula-looking text neutralised, one row per ranked run.
import { describe, expect, it } from 'vitest';
import { csvField, csvLine } from '../src/sweep/csv.js';
import { resultsCsv, resultsJson } from '../src/sweep/results-doc.js';
import { runObjectives } from '../src/sweep/objectives.js';

/** A small RFC 4180 reader, independent of the writer, to read the output back. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') { row.push(field); rows.push(row); row = []; field = ''; i++; } else field += c;
  }
  return rows;
}

describe('sweep CSV', () => {
  it.each([
    ['plain', 'plain'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['two\nlines', '"two\nlines"'],
    ['cr\r', '"cr\r"'],
    ['=SUM(A1)', "'=SUM(A1)"],
    ['@cmd', "'@cmd"],
    ['-1', '-1'],
    [-0.5, '-0.5'],
    [null, ''],
    [true, 'true'],
  ])('%j → %s', (value, expected) => {
    expect(csvField(value)).toBe(expected);
  });

  it('round-trips awkward text through a reader', () => {
    const fields = ['a,b', 'q"uote', 'multi\r\nline', '', 'x'];
    expect(parseCsv(csvLine(fields))).toEqual([fields]);
  });

  it('writes a header and one row per ranked run, parameters before objectives', () => {
    const mk = (index: number, pnl: number) => ({
      index, values: [index === 0 ? 'mid' : 'microprice', index + 1], workerId: 1, elapsedMs: 12.5,
      objectives: runObjectives({ net_pnl: pnl, sharpe: NaN, max_drawdown: 1, fill_rate: 0.5, fills: 2, events: 100 }),
    });
    const doc = resultsJson({
      status: 'complete', objective: 'net_pnl', search: 'grid', samples: null, seed: 1,
      files: { data: 'd', params: 'p', space: 's' }, parameters: ['fair_value', 'quote_levels'], total: 2, workers: 1, elapsedMs: 1000, threads: [],
    }, [mk(0, 1), mk(1, 3)], []);
    const rows = parseCsv(resultsCsv(doc));
    expect(rows[0]).toEqual(['rank', 'index', 'fair_value', 'quote_levels', 'net_pnl', 'sharpe', 'max_drawdown', 'dd_adjusted_pnl', 'fill_rate', 'fills', 'events', 'elapsed_ms']);
    expect(rows.slice(1)).toEqual([
      ['1', '1', 'microprice', '2', '3', '', '1', '2', '0.5', '2', '100', '12.5'],
      ['2', '0', 'mid', '1', '1', '', '1', '0', '0.5', '2', '100', '12.5'],
    ]);
  });
});
