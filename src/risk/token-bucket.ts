// A token bucket on an explicit clock (ns): `ratePerSecond` tokens per second up to
// `burst`, starting full. Reads never change state; take() spends one token. A clock
// that goes backwards refills nothing. Plain number fields: no allocation.

export class TokenBucket {
  // NaN first: the fields hold doubles from the start, so V8 never changes their
  // representation later (which would make loads on the check path box them)
  private ratePerNs = NaN;
  private burst = NaN;
  private tokens = NaN;
  private lastNs = NaN;

  constructor(ratePerSecond: number, burst: number) {
    this.ratePerNs = ratePerSecond / 1e9;
    this.burst = burst;
    this.tokens = burst;
  }

  /** New rate and size; the tokens held are capped at the new size. */
  configure(ratePerSecond: number, burst: number): void {
    this.ratePerNs = ratePerSecond / 1e9;
    this.burst = burst;
    if (this.tokens > burst) this.tokens = burst;
  }

  /** Tokens available at `nowNs` (fractional). */
  available(nowNs: number): number {
    const last = this.lastNs;
    if (!(nowNs > last)) return this.tokens; // first use (NaN) or clock not moving forward
    const t = this.tokens + (nowNs - last) * this.ratePerNs;
    return t < this.burst ? t : this.burst;
  }

  /**
   * available(clock.nowNs) >= 1. Takes the clock object and returns a boolean: a
   * double passed to or returned from a call that is not inlined is boxed, and this
   * runs on every order.
   */
  hasToken(clock: { readonly nowNs: number }): boolean {
    const nowNs = clock.nowNs;
    const last = this.lastNs;
    if (!(nowNs > last)) return this.tokens >= 1;
    const t = this.tokens + (nowNs - last) * this.ratePerNs;
    return (t < this.burst ? t : this.burst) >= 1;
  }

  /** Spends one token at `nowNs`; false (nothing spent) when less than one is available. */
  take(nowNs: number): boolean {
    const t = this.available(nowNs);
    if (t < 1) return false;
    this.tokens = t - 1;
    if (!(nowNs <= this.lastNs)) this.lastNs = nowNs;
    return true;
  }
}
