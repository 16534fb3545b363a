// The forwarding errors of a cluster node are codes of the project's one error table
// (src/errors.ts) and keep their HTTP statuses: 503 SPREADCORE_ERR_NODE_UNAVAILABLE
// (nobody serves the owner's subject) and 504 SPREADCORE_ERR_NODE_TIMEOUT.
import { describe, expect, it } from 'vitest';
import { ERROR_CODES, SpreadcoreError } from '../src/errors.js';
import { FORWARD_ERROR_STATUS, HttpError, toHttpError } from '../src/gateway/http-errors.js';

describe('forwarding error codes', () => {
  it('are in the error table with their messages', () => {
    expect(ERROR_CODES.SPREADCORE_ERR_NODE_UNAVAILABLE).toBe('the cluster node running this strategy or market is not reachable');
    expect(ERROR_CODES.SPREADCORE_ERR_NODE_TIMEOUT).toBe('the cluster node running this strategy or market did not answer in time');
    expect(FORWARD_ERROR_STATUS).toEqual({ SPREADCORE_ERR_NODE_UNAVAILABLE: 503, SPREADCORE_ERR_NODE_TIMEOUT: 504 });
  });

  it('answer 503 and 504 whether thrown as HttpError or SpreadcoreError', () => {
    const u = toHttpError(new HttpError(503, 'SPREADCORE_ERR_NODE_UNAVAILABLE', 'node alpha is gone', [['retry-after', '2']]));
    expect(u.status).toBe(503);
    expect(u.body.error).toEqual({ code: 'SPREADCORE_ERR_NODE_UNAVAILABLE', message: 'node alpha is gone' });
    expect(u.headers).toEqual([['retry-after', '2']]);
    for (const code of ['SPREADCORE_ERR_NODE_UNAVAILABLE', 'SPREADCORE_ERR_NODE_TIMEOUT'] as const) {
      const h = toHttpError(new SpreadcoreError(code));
      expect(h.status).toBe(FORWARD_ERROR_STATUS[code]);
      expect(h.internal).toBe(false);
      expect(h.body.error).toEqual({ code, message: ERROR_CODES[code] });
    }
  });
});
