// Request bodies: a JSON object (or nothing), parsed with limits. Refused with 400
// and SPREADCORE_ERR_BAD_JSON: invalid UTF-8 or JSON, a top level that is not an
// object, nesting deeper than maxDepth, and the keys __proto__, constructor and
// prototype anywhere. Size is checked while reading (413 there).
import { HttpError } from './http-errors.js';

const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
const decoder = new TextDecoder('utf-8', { fatal: true });

function check(v: unknown, depth: number, maxDepth: number): void {
  if (typeof v !== 'object' || v === null) return;
  if (depth > maxDepth) throw new HttpError(400, 'SPREADCORE_ERR_BAD_JSON', `the body nests deeper than ${maxDepth} levels`);
  if (Array.isArray(v)) {
    for (const x of v) check(x, depth + 1, maxDepth);
    return;
  }
  for (const k of Object.keys(v)) {
    if (FORBIDDEN_KEYS.has(k)) throw new HttpError(400, 'SPREADCORE_ERR_BAD_JSON', `the key ${JSON.stringify(k)} is not allowed`);
    check((v as Record<string, unknown>)[k], depth + 1, maxDepth);
  }
}

/** The body as a plain object, or undefined for an empty body. */
export function parseJsonBody(bytes: Uint8Array, maxDepth = 16): Record<string, unknown> | undefined {
  if (bytes.length === 0) return undefined;
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new HttpError(400, 'SPREADCORE_ERR_BAD_JSON', 'the body is not valid UTF-8');
  }
  if (text.trim() === '') return undefined;
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new HttpError(400, 'SPREADCORE_ERR_BAD_JSON', 'the body is not valid JSON');
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new HttpError(400, 'SPREADCORE_ERR_BAD_JSON', 'the body must be a JSON object');
  check(v, 1, maxDepth);
  return v as Record<string, unknown>;
}

/** Content types a mutating request may carry: application/json, with optional parameters. */
export function isJsonContentType(ct: string): boolean {
  const base = ct.split(';', 1)[0]!.trim().toLowerCase();
  return base === 'application/json';
}
