// Query-string parameters, checked strictly: integers are plain decimal digits in a
// range (no NaN, "1e3", "-1", "0x10"); a bad value is 400 SPREADCORE_ERR_BAD_QUERY.
import { HttpError } from './http-errors.js';

export function intParam(q: URLSearchParams, name: string, dflt: number, min: number, max: number): number {
  const v = q.get(name);
  if (v === null) return dflt;
  if (!/^\d{1,9}$/.test(v) || Number(v) < min || Number(v) > max) {
    throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', `${name} must be an integer from ${min} to ${max}, got ${JSON.stringify(v.slice(0, 32))}`);
  }
  return Number(v);
}

export function symbolParam(q: URLSearchParams, name = 'symbol', required = false): string | undefined {
  const v = q.get(name);
  if (v === null || v === '') {
    if (required) throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', `${name} is required`);
    return undefined;
  }
  if (!/^[A-Za-z0-9_.:\-]{1,64}$/.test(v)) throw new HttpError(400, 'SPREADCORE_ERR_BAD_QUERY', `${name} must be a symbol name, got ${JSON.stringify(v.slice(0, 32))}`);
  return v;
}
