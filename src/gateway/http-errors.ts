// The control API's error answer: {"ok":false,"error":{"code","message"}} with an
// HTTP status. HttpError is what request checks throw; toHttpError maps any error
// (engine, strategy, parameter, or unexpected) to a status and a body.
import { SpreadcoreError, type ErrorCode } from '../errors.js';
import { StrategyError } from '../strategy/strategy-errors.js';

/**
 * The HTTP status of each forwarding error (codes of src/errors.ts; serve --cluster,
 * docs/cluster.md): 503 when no node serves the owner's subject (stopped, or not connected
 * to NATS), 504 when it did not answer within the forwarding timeout (paused, overloaded, cut off).
 */
export const FORWARD_ERROR_STATUS = {
  SPREADCORE_ERR_NODE_UNAVAILABLE: 503,
  SPREADCORE_ERR_NODE_TIMEOUT: 504,
} as const satisfies Partial<Record<ErrorCode, number>>;

/** The codes of request-level errors: entries of the project's one table (src/errors.ts). */
export type HttpErrorCode = Extract<ErrorCode,
  | 'SPREADCORE_ERR_NODE_UNAVAILABLE'
  | 'SPREADCORE_ERR_NODE_TIMEOUT'
  | 'SPREADCORE_ERR_NOT_FOUND'
  | 'SPREADCORE_ERR_METHOD_NOT_ALLOWED'
  | 'SPREADCORE_ERR_BODY_TOO_LARGE'
  | 'SPREADCORE_ERR_UNSUPPORTED_MEDIA_TYPE'
  | 'SPREADCORE_ERR_BAD_JSON'
  | 'SPREADCORE_ERR_BAD_QUERY'
  | 'SPREADCORE_ERR_UNAUTHORIZED'
  | 'SPREADCORE_ERR_FORBIDDEN'
  | 'SPREADCORE_ERR_NOT_READY'
  | 'SPREADCORE_ERR_NOT_LIVE'
  | 'SPREADCORE_ERR_VENUE_UNAVAILABLE'
  | 'SPREADCORE_ERR_INTERNAL'>;

const STATUS_TEXT: Record<number, string> = {
  400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed',
  409: 'Conflict', 413: 'Payload Too Large', 415: 'Unsupported Media Type', 421: 'Misdirected Request',
  422: 'Unprocessable Entity', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout',
};

export function statusLine(status: number): string {
  return `${status} ${STATUS_TEXT[status] ?? (status < 300 ? 'OK' : 'Error')}`;
}

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly headers: readonly [string, string][];
  constructor(status: number, code: HttpErrorCode, message: string, headers: readonly [string, string][] = []) {
    super(message);
    this.name = 'HttpError';
    this.status = status;
    this.code = code;
    this.headers = headers;
  }
}

export interface ErrorBody { ok: false; error: { code: string; message: string; detail?: Readonly<Record<string, unknown>>; request_id?: string } }

/** Status, body and extra headers for any thrown value. Unexpected errors say nothing about internals. */
export function toHttpError(e: unknown): { status: number; body: ErrorBody; headers: readonly [string, string][]; internal: boolean } {
  if (e instanceof HttpError) return { status: e.status, body: { ok: false, error: { code: e.code, message: e.message } }, headers: e.headers, internal: false };
  if (e instanceof StrategyError) {
    const error: ErrorBody['error'] = { code: e.code, message: e.message };
    if (e.detail !== undefined) error.detail = e.detail;
    return { status: e.status, body: { ok: false, error }, headers: [], internal: false };
  }
  if (e instanceof SpreadcoreError) {
    // bad parameters, malformed bodies, off-grid prices, out-of-range values: the request's fault
    const internal = e.code.startsWith('SPREADCORE_ERR_WASM') || e.code.startsWith('SPREADCORE_ERR_JOURNAL');
    if (internal) return { status: 500, body: { ok: false, error: { code: 'SPREADCORE_ERR_INTERNAL', message: 'internal error' } }, headers: [], internal };
    const forwardStatus = (FORWARD_ERROR_STATUS as Partial<Record<string, number>>)[e.code];
    if (forwardStatus !== undefined) return { status: forwardStatus, body: { ok: false, error: { code: e.code, message: e.message } }, headers: [], internal: false };
    return { status: 400, body: { ok: false, error: { code: e.code, message: e.message } }, headers: [], internal: false };
  }
  return { status: 500, body: { ok: false, error: { code: 'SPREADCORE_ERR_INTERNAL', message: 'internal error' } }, headers: [], internal: true };
}
