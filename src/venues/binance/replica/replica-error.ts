// An answer the replica refuses with: Binance's numeric code and message, the HTTP
// status it goes out with, and the optional extra fields some answers carry
// (cancelReplace's `data`, a ban's `retryAfter`). Codes and messages are those of
// binance-spot-api-docs errors.md (USD-M: -5022, -2022 "ReduceOnly Order is rejected.").
export class ReplicaError extends Error {
  readonly status: number;
  readonly code: number;
  readonly data: unknown;
  /** Seconds for a Retry-After header (429 / 418). */
  readonly retryAfterS: number | undefined;

  constructor(status: number, code: number, msg: string, data?: unknown, retryAfterS?: number) {
    super(msg);
    this.status = status;
    this.code = code;
    this.data = data;
    this.retryAfterS = retryAfterS;
  }

  body(): Record<string, unknown> {
    return this.data === undefined ? { code: this.code, msg: this.message } : { code: this.code, msg: this.message, data: this.data };
  }
}

export const err = {
  mandatory: (name: string) => new ReplicaError(400, -1102, `Mandatory parameter '${name}' was not sent, was empty/null, or malformed.`),
  illegal: (name: string, range: string) => new ReplicaError(400, -1100, `Illegal characters found in parameter '${name}'; legal range is '${range}'.`),
  invalidParam: (name: string) => new ReplicaError(400, -1130, `Data sent for parameter '${name}' is not valid.`),
  notRequired: (name: string) => new ReplicaError(400, -1106, `Parameter '${name}' sent when not required.`),
  badSymbol: () => new ReplicaError(400, -1121, 'Invalid symbol.'),
  badSide: () => new ReplicaError(400, -1117, 'Invalid side.'),
  badType: () => new ReplicaError(400, -1116, 'Invalid orderType.'),
  badTif: () => new ReplicaError(400, -1115, 'Invalid timeInForce.'),
  precision: (name: string) => new ReplicaError(400, -1111, `Parameter '${name}' has too much precision.`),
  filter: (name: string) => new ReplicaError(400, -1013, `Filter failure: ${name}`),
  rejected: (msg: string) => new ReplicaError(400, -2010, msg),
  cancelRejected: (msg = 'Unknown order sent.') => new ReplicaError(400, -2011, msg),
  noSuchOrder: () => new ReplicaError(400, -2013, 'Order does not exist.'),
  timestampAhead: () => new ReplicaError(400, -1021, "Timestamp for this request was 1000ms ahead of the server's time."),
  timestampOutside: () => new ReplicaError(400, -1021, 'Timestamp for this request is outside of the recvWindow.'),
  badSignature: () => new ReplicaError(400, -1022, 'Signature for this request is not valid.'),
  apiKeyFormat: () => new ReplicaError(401, -2014, 'API-key format invalid.'),
  rejectedKey: () => new ReplicaError(401, -2015, 'Invalid API-key, IP, or permissions for action.'),
  unsupported: () => new ReplicaError(400, -1020, 'This operation is not supported.'),
  unknownListenKey: () => new ReplicaError(400, -1125, 'This listenKey does not exist.'),
  unknownOutcome: (status: number) => new ReplicaError(status, -1007, 'Timeout waiting for response from backend server. Send status unknown; execution status unknown.'),
  unknownPath: (method: string, path: string) => new ReplicaError(404, -1000, `unknown endpoint ${method} ${path}`),
} as const;
