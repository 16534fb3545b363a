// The gateway's request limits: one token bucket per client address for the API,
// and a separate one for the monitoring routes (GET /api/health and GET /metrics),
// so a client flooding the API cannot lock a health check or a Prometheus scrape
// out, and a scraper cannot use up a client's API budget. Over the limit the answer
// is 429 with {"ok":false,"error":{"code":"SPREADCORE_ERR_RATE_LIMITED",…}} and a
// Retry-After header (whole seconds), written before anything else is looked at
// (no Host, token or body check, no engine call): a refused request changes nothing.
// The event stream (/api/stream) is not counted here: it is one long request, and
// the SSE hub caps its subscribers.
import { checkRateLimitOptions, RateLimiter, type RateLimitOptions } from './rate-limit.js';
import { endAnswer } from '../net/http-answer.js';

import type { TransportRequest as HttpRequest, TransportResponse as HttpResponse } from '../net/transport.js';

export const DEFAULT_API_RATE: RateLimitOptions = { ratePerSecond: 50, burst: 100 };
export const DEFAULT_MONITOR_RATE: RateLimitOptions = { ratePerSecond: 10, burst: 20 };

export interface GatewayRateLimitOptions {
  /** The API routes. Default 50 requests/s, burst 100. */
  api?: RateLimitOptions;
  /** GET /api/health and GET /metrics. Default 10 requests/s, burst 20. */
  monitor?: RateLimitOptions;
}

const MONITOR_PATHS = new Set(['/api/health', '/api/health/', '/metrics', '/metrics/']);

/** Monotonic milliseconds (the buckets must not jump with the wall clock). */
const nowMs = (): number => performance.now();

export class GatewayRateLimits {
  readonly api: RateLimiter;
  readonly monitor: RateLimiter;

  constructor(options: GatewayRateLimitOptions = {}) {
    const api = options.api ?? DEFAULT_API_RATE;
    const monitor = options.monitor ?? DEFAULT_MONITOR_RATE;
    checkRateLimitOptions(api, 'API rate limit');
    checkRateLimitOptions(monitor, 'monitoring rate limit');
    this.api = new RateLimiter(api);
    this.monitor = new RateLimiter(monitor);
  }

  /**
   * Counts the request against its client's bucket. Over the limit, answers 429
   * (inside the transport's request callback) and returns true: the caller must not touch
   * res again.
   */
  refuse(res: HttpResponse, req: HttpRequest): boolean {
    const path = req.getUrl();
    const limiter = MONITOR_PATHS.has(path) ? this.monitor : this.api;
    const address = Buffer.from(res.getRemoteAddressAsText()).toString('latin1');
    const retryAfterS = limiter.take(address, nowMs());
    if (retryAfterS === 0) return false;
    const body = JSON.stringify({
      ok: false,
      error: {
        code: 'SPREADCORE_ERR_RATE_LIMITED',
        message: `too many requests from this address: at most ${limiter.ratePerSecond} per second (burst ${limiter.burst}); retry after ${retryAfterS} s`,
      },
    });
    // an unread request body must not be taken for the next request: close such a connection
    const hasBody = req.getHeader('content-length').replace(/^0+$/, '') !== '' || req.getHeader('transfer-encoding') !== '';
    const head = req.getCaseSensitiveMethod().toUpperCase() === 'HEAD';
    res.cork(() => {
      res.writeStatus('429 Too Many Requests').writeHeader('content-type', 'application/json').writeHeader('cache-control', 'no-store')
        .writeHeader('x-content-type-options', 'nosniff').writeHeader('retry-after', String(retryAfterS));
      endAnswer(res, body, hasBody, head);
    });
    return true;
  }
}
