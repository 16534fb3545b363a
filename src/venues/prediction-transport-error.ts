// What a failed request to a prediction venue (Kalshi, Polymarket) was and why it failed, for
// the errors their REST clients throw: serve prints these when it cannot reach a venue.
/**
 * A failed fetch() in words: the request (method, URL without its query) and the cause —
 * `connection refused (ECONNREFUSED)`, `host not found (ENOTFOUND)`, `no answer within N ms`
 * — instead of undici's bare "fetch failed". Requests carry keys only in headers, never here.
 */
export function describeTransportError(method: string, url: string, e: unknown, timeoutMs: number): string {
  const u = new URL(url);
  const where = `${method} ${u.origin}${u.pathname}`;
  if (e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError')) return `${where}: no answer within ${timeoutMs} ms`;
  const cause = e instanceof Error ? (e as Error & { cause?: unknown }).cause : undefined;
  const code = cause !== null && typeof cause === 'object' && 'code' in cause ? String((cause as { code: unknown }).code) : '';
  if (code === 'ECONNREFUSED') return `${where}: connection refused (ECONNREFUSED: nothing listens at ${u.origin})`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return `${where}: host not found (${code})`;
  const detail = cause instanceof Error ? cause.message : e instanceof Error ? e.message : String(e);
  return `${where}: ${detail}${code !== '' && !detail.includes(code) ? ` (${code})` : ''}`;
}
