// JSON for strategy symbols, parameters and engine state: strict encoding (no
// NaN or Infinity silently turned into null, no bigint, no undefined inside
// arrays) and a key-order-independent form for comparing values.
import { SpreadcoreError } from '../errors.js';

function bad(message: string): SpreadcoreError {
  return new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', message);
}

function checkJson(v: unknown, where: string, depth: number): void {
  if (depth > 64) throw bad(`${where}: nested too deeply`);
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw bad(`${where}: ${v} is not a finite number`);
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkJson(x, `${where}[${i}]`, depth + 1));
    return;
  }
  if (typeof v === 'object') {
    const proto = Object.getPrototypeOf(v) as unknown;
    if (proto !== Object.prototype && proto !== null) throw bad(`${where}: only plain objects can be stored`);
    for (const [k, x] of Object.entries(v)) checkJson(x, `${where}.${k}`, depth + 1);
    return;
  }
  throw bad(`${where}: a ${typeof v} cannot be stored as JSON`);
}

/** JSON text of a JSON value; refuses anything JSON.stringify would drop or change. */
export function encodeJson(v: unknown, where: string): string {
  checkJson(v, where, 0);
  return JSON.stringify(v);
}

/** A JSON object (not an array, not null). */
export function checkJsonObject(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw bad(`${where} must be a JSON object`);
  checkJson(v, where, 0);
  return v as Record<string, unknown>;
}

/** JSON text with object keys sorted at every level: equal values give equal text. */
export function canonicalJson(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonicalJson).join(',')}]`;
  if (typeof v === 'object' && v !== null) {
    const keys = Object.keys(v).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((v as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}
