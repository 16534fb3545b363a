// Requests the live-trading tests make: signed ones to a Binance replica (as a client
// of the account would), the engine's control API, and polling with a bound.
import { createHmac, sign, type KeyObject } from 'node:crypto';
import { sleep } from './wait.js';

/** A signed Binance REST request (HMAC over the query, or Ed25519 with a private KeyObject) to a replica; throws on a non-200 answer. */
export async function signedRequest<T>(
  baseUrl: string, key: string, secret: string | KeyObject, path: string, params: Record<string, string> = {},
  o: { method?: string; timestampMs?: number; recvWindowMs?: number } = {},
): Promise<T> {
  const q = new URLSearchParams({
    ...params, timestamp: String(o.timestampMs ?? Date.now()), ...(o.recvWindowMs !== undefined ? { recvWindow: String(o.recvWindowMs) } : {}),
  }).toString();
  const sig = typeof secret === 'string'
    ? createHmac('sha256', secret).update(q).digest('hex')
    : encodeURIComponent(sign(null, Buffer.from(q), secret).toString('base64'));
  const res = await fetch(`${baseUrl}${path}?${q}&signature=${sig}`, { method: o.method ?? 'GET', headers: { 'X-MBX-APIKEY': key } });
  const body = await res.json() as T;
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
  return body;
}

/** A request to the engine's control API on 127.0.0.1:port: GET without a body, POST with one unless a method is given. */
export async function apiRequest<T>(port: number, path: string, body?: unknown, method = body === undefined ? 'GET' : 'POST'): Promise<T> {
  const res = await fetch(`http://127.0.0.1:${port}${path}`, {
    method, ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  return await res.json() as T;
}

/** Polls cond every 200 ms until it holds; fails after timeoutMs naming what it waited for (and context(), e.g. a process's output). */
export async function waitUntil(what: string, cond: () => Promise<boolean>, timeoutMs: number, context?: () => string): Promise<void> {
  const t0 = Date.now();
  while (!(await cond())) {
    if (Date.now() - t0 > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${context !== undefined ? `; ${context()}` : ''}`);
    await sleep(200);
  }
}
