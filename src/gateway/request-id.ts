// Request ids of the control API. A client's `x-request-id` is kept when it is a short
// safe token (1 to 64 of A-Z a-z 0-9 . _ : -), so ids can be followed across services;
// anything else (absent, too long, spaces, quotes, control characters) is replaced by
// a generated id: 8 random hex digits fixed for the process, a dash, and a counter in
// base 36 (unique per process and across restarts, and cheap: no random bytes per request).
import { randomBytes } from 'node:crypto';

const SAFE_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function isSafeRequestId(v: string): boolean {
  return SAFE_ID.test(v);
}

export class RequestIds {
  private readonly prefix = randomBytes(4).toString('hex');
  private n = 0;

  /** The id of a request: the header's value when safe, a new one otherwise. */
  forRequest(header: string): string {
    if (header !== '' && SAFE_ID.test(header)) return header;
    this.n++;
    return `${this.prefix}-${this.n.toString(36)}`;
  }
}
