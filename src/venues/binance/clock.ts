// The server clock: `timestamp` for SIGNED requests must satisfy
// timestamp < serverTime + 1000 and serverTime − timestamp ≤ recvWindow, else -1021
// (rest-api.md "Timing security"). The offset is measured against GET /api/v3/time
// (spot) or GET /fapi/v1/time (USD-M) as serverTime − (local midpoint of the request),
// keeping the sample with the smallest round trip.
import { BinanceApiError } from './errors.js';

export interface ClockOptions {
  /** Fetches the server time (ms since epoch): `GET /api/v3/time` → `serverTime`. */
  fetchServerTime: () => Promise<number>;
  /** recvWindow in ms (docs default 5000, max 60000). */
  recvWindowMs?: number;
  /** Local wall clock in ms (injectable for tests). */
  now?: () => number;
  /** Samples per sync (smallest RTT wins). */
  samples?: number;
}

export class ServerClock {
  readonly recvWindowMs: number;
  private readonly fetchServerTime: () => Promise<number>;
  private readonly now: () => number;
  private readonly samples: number;
  private offset = 0;
  private rtt = Number.NaN;
  private syncing: Promise<void> | null = null;
  /** Counters for metrics. */
  syncCount = 0;
  skewRetries = 0;

  constructor(opts: ClockOptions) {
    const rw = opts.recvWindowMs ?? 5000;
    if (!(rw > 0 && rw <= 60_000)) throw new RangeError('recvWindow must be in (0, 60000] ms');
    this.recvWindowMs = rw;
    this.fetchServerTime = opts.fetchServerTime;
    this.now = opts.now ?? Date.now;
    this.samples = Math.max(1, opts.samples ?? 3);
  }

  /** serverTime − localTime in ms. */
  get offsetMs(): number { return this.offset; }
  /** Round trip of the sample the offset came from. */
  get rttMs(): number { return this.rtt; }

  /** `timestamp` for a SIGNED request: the local clock moved onto the server's. */
  timestamp(): number { return Math.round(this.now() + this.offset); }

  /** Server time now, estimated. */
  serverNowMs(): number { return this.now() + this.offset; }

  /** Measures the offset (concurrent callers share one sync). */
  sync(): Promise<void> {
    if (this.syncing !== null) return this.syncing;
    this.syncing = this.doSync().finally(() => { this.syncing = null; });
    return this.syncing;
  }

  private async doSync(): Promise<void> {
    let bestRtt = Number.POSITIVE_INFINITY;
    let bestOffset = this.offset;
    for (let i = 0; i < this.samples; i++) {
      const t0 = this.now();
      const server = await this.fetchServerTime();
      const t1 = this.now();
      const rtt = t1 - t0;
      if (rtt < bestRtt) { bestRtt = rtt; bestOffset = server - (t0 + rtt / 2); }
    }
    this.offset = bestOffset;
    this.rtt = bestRtt;
    this.syncCount++;
  }

  /**
   * Runs a signed request (which must take a fresh timestamp each call); on -1021 the
   * clock is resynced and the request retried exactly once. A -1021 means the request was
   * refused before it reached the matching engine, so the retry cannot double an order.
   */
  async withSkewRetry<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (e) {
      if (!(e instanceof BinanceApiError) || e.cls !== 'clock_skew') throw e;
      this.skewRetries++;
      await this.sync();
      return run();
    }
  }
}
