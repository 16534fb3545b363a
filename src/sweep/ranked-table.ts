// The ranked table printed at the end of a sweep: the top rows of results.json,
// aligned in columns, the ranking objective marked with *.
import type { ResultsJson } from './results-doc.js';

function num(v: number | null): string {
  if (v === null) return '—';
  if (Number.isInteger(v)) return String(v);
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-4 || a >= 1e9) ? v.toExponential(3) : String(Number(v.toPrecision(6)));
}

const COLUMNS = [
  ['net_pnl', 'net_pnl'], ['sharpe', 'sharpe'], ['max_drawdown', 'max_dd'], ['dd_adjusted_pnl', 'dd_adj_pnl'],
  ['fill_rate', 'fill_%'], ['fills', 'fills'],
] as const;

export function rankedTable(doc: ResultsJson, top: number): string {
  const header = ['rank', ...doc.parameters, ...COLUMNS.map(([key, label]) => (key === doc.objective ? `${label}*` : label))];
  const rows = doc.runs.slice(0, top).map((r) => [
    String(r.rank),
    ...doc.parameters.map((p) => { const v = r.parameters[p]; return typeof v === 'number' ? num(v) : String(v); }),
    ...COLUMNS.map(([key]) => num(r.objectives[key])),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 || i > doc.parameters.length ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}
