// GET /api/v3/depth (spot) or /fapi/v1/depth (USD-M) with fetch: the REST snapshot
// the local-book algorithm starts from. Never throws: the result says what went
// wrong (network, HTTP status with Binance's error body, malformed JSON) and, for
// 429/418 with a Retry-After header, how long Binance asked us to wait.
import { SpreadcoreError } from '../../errors.js';
import type { DepthSnapshot } from './messages.js';
import { parseBinanceJson } from './parse-message.js';

export type SnapshotResult =
  | { readonly ok: true; readonly snapshot: DepthSnapshot }
  | { readonly ok: false; readonly error: SpreadcoreError; readonly retryAfterMs: number; readonly aborted: boolean };

function fail(error: SpreadcoreError, retryAfterMs = 0, aborted = false): SnapshotResult {
  return { ok: false, error, retryAfterMs, aborted };
}

export async function fetchDepthSnapshot(url: string, timeoutMs: number, stop?: AbortSignal): Promise<SnapshotResult> {
  const timeout = AbortSignal.timeout(timeoutMs);
  const signal = stop === undefined ? timeout : AbortSignal.any([stop, timeout]);
  let status: number;
  let text: string;
  let retryAfter: string | null;
  try {
    const res = await fetch(url, { signal, headers: { accept: 'application/json' } });
    status = res.status;
    retryAfter = res.headers.get('retry-after');
    text = await res.text();
  } catch (e) {
    const aborted = stop?.aborted === true;
    const why = timeout.aborted ? `no answer within ${timeoutMs} ms` : e instanceof Error ? (e.cause instanceof Error ? `${e.message}: ${e.cause.message}` : e.message) : String(e);
    return fail(new SpreadcoreError('SPREADCORE_ERR_IO', `depth snapshot ${url}: ${aborted ? 'cancelled' : why}`), 0, aborted);
  }
  if (status !== 200) {
    const wait = retryAfter !== null && /^\d{1,6}$/.test(retryAfter) ? Number(retryAfter) * 1000 : 0;
    return fail(new SpreadcoreError('SPREADCORE_ERR_IO', `depth snapshot ${url}: HTTP ${status} ${text.slice(0, 200)}`), wait);
  }
  try {
    const msg = parseBinanceJson(text);
    if (msg.kind !== 'snapshot') {
      return fail(new SpreadcoreError('SPREADCORE_ERR_BAD_INPUT', `depth snapshot ${url}: the answer is a ${msg.kind} message, not a snapshot`));
    }
    return { ok: true, snapshot: msg };
  } catch (e) {
    if (!(e instanceof SpreadcoreError)) throw e;
    return fail(new SpreadcoreError(e.code, `depth snapshot ${url}: ${e.message}`));
  }
}
