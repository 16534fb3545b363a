// CSV (RFC 4180): fields separated by commas, lines by CRLF; a field holding a comma,
// a double quote, CR or LF is quoted, with its quotes doubled. A field starting
// with =, +, - or @ that is not a number is prefixed with ' so a spreadsheet does not
// run it as a formula.
const NEEDS_QUOTES = /[",\r\n]/;
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  let s = typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : JSON.stringify(v);
  if (typeof v === 'string' && FORMULA_START.test(s) && !Number.isFinite(Number(s))) s = `'${s}`;
  return NEEDS_QUOTES.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(fields: readonly unknown[]): string {
  return `${fields.map(csvField).join(',')}\r\n`;
}
